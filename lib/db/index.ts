export * from './open';
export * from './json';
export * from './specs';
export * from './runs';
export * from './stage-events';
export * from './artifacts';
export * from './reviews';
export type { ArtifactRow, ReviewRow, ReviewStatus, RunRow, SpecFormat, SpecRow, StageEventRow, StageOutcome, Tables } from '../../schema/tables';
export * from './test-cases';
