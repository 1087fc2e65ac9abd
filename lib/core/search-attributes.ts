import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes; their names must match temporal.yaml's `searchAttributes`. */
export const STAGE_ATTRIBUTE = defineSearchAttributeKey('TestloomStage', SearchAttributeType.KEYWORD);
export const TRIGGER_ATTRIBUTE = defineSearchAttributeKey('TestloomTrigger', SearchAttributeType.KEYWORD);
export const REPOSITORY_ATTRIBUTE = defineSearchAttributeKey('TestloomRepository', SearchAttributeType.KEYWORD);
export const STATUS_ATTRIBUTE = defineSearchAttributeKey('TestloomStatus', SearchAttributeType.KEYWORD);
