/** How the workflow schedules each stage's activity: timeouts and retry policy (temporal.yaml `stages`). */
import type { StageName } from './run';

export interface RetrySettings {
  initialInterval: string;
  backoffCoefficient: number;
  maximumInterval: string;
  maximumAttempts: number;
}

/** What the workflow needs to schedule one stage's activity. */
export interface StageSettings {
  startToCloseTimeout: string;
  heartbeatTimeout: string;
  retry: RetrySettings;
}

export type StageSettingsMap = Record<StageName, StageSettings>;
