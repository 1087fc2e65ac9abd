import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';

const HISTORIES = path.resolve(__dirname, '../fixtures/histories');
const bundle = () => ({ workflowBundle: { codePath: process.env.TESTLOOM_TEST_WORKFLOW_BUNDLE! } });
const load = (file: string) => historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8')));

/**
 * Replays recorded petstore runs against the current workflow code: a non-deterministic change to
 * workflows/ fails here. spec-run.json is refreshed by `npm run record-history`; older histories
 * stay, so runs started by an earlier release (before finalize indexed cases, `patched`) still
 * replay. spec-run-with-execution.json is a run with a target (execute stage, on the model queue: from before
 * the execute task queue; spec-run-execute-queue.json is one on that queue, recorded with RECORD_HISTORY=1 by
 * test/cli/separate-processes.test.ts); execute-run-with-regression.json
 * a scheduled execution whose regression report failed once and was retried.
 */
describe('workflow determinism', () => {
  it.each(['spec-run.json', 'spec-run-before-indexing.json', 'spec-run-with-execution.json', 'execute-run-with-regression.json', 'spec-run-execute-queue.json'])('replays the recorded history %s without divergence', async (file) => {
    const history = load(file);
    expect(history.events!.length).toBeGreaterThan(10);
    await expect(Worker.runReplayHistory(bundle(), history, file)).resolves.toBeUndefined();
  });

  it('detects a workflow whose commands no longer match the history', async () => {
    const history = load('spec-run.json');
    // Drop the first scheduled activity: replay must notice the missing command.
    const scheduled = history.events!.findIndex((e) => e.activityTaskScheduledEventAttributes);
    const tampered = { events: history.events!.filter((_, i) => i !== scheduled) };
    await expect(Worker.runReplayHistory(bundle(), tampered, 'spec-run-tampered')).rejects.toThrow();
  });
});
