import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';

/**
 * Replays a recorded petstore run (test/fixtures/histories, refreshed by `npm run record-history`)
 * against the current workflow code: a non-deterministic change to workflows/ fails here.
 */
describe('workflow determinism', () => {
  it('replays the recorded spec run without divergence', async () => {
    const raw = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/histories/spec-run.json'), 'utf8'));
    const history = historyFromJSON(raw);
    expect(history.events!.length).toBeGreaterThan(20);
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TESTLOOM_TEST_WORKFLOW_BUNDLE! } }, history, 'spec-run'),
    ).resolves.toBeUndefined();
  });

  it('detects a workflow whose commands no longer match the history', async () => {
    const raw = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/histories/spec-run.json'), 'utf8'));
    const history = historyFromJSON(raw);
    // Drop the first scheduled activity: replay must notice the missing command.
    const scheduled = history.events!.findIndex((e) => e.activityTaskScheduledEventAttributes);
    const tampered = { events: history.events!.filter((_, i) => i !== scheduled) };
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TESTLOOM_TEST_WORKFLOW_BUNDLE! } }, tampered, 'spec-run-tampered'),
    ).rejects.toThrow();
  });
});
