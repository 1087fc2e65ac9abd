/**
 * Longest test files first, so none of them starts late and runs alone at the end. Jest orders by
 * the durations it cached on this machine; on a machine it has not run on (a fresh CI machine) it
 * falls back to file size, which put the 160 s fleet test more than halfway through the run. There,
 * these durations (seconds, from full runs on a 2-core machine; refresh them when a file's time
 * changes much) order the files instead; a file in neither counts as a short one.
 */
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const EXPECTED_SECONDS = {
  'test/fleet/fleet.test.ts': 162,
  'test/cli/up-signals.test.ts': 154,
  'test/github/worker-crash.test.ts': 124,
  'test/api/schemathesis.test.ts': 72,
  'test/workflow/large-spec.test.ts': 72,
  'test/github/delivery.test.ts': 70,
  'test/workflow/execute-stage.test.ts': 66,
  'test/workflow/execute-crash.test.ts': 57,
  'test/github/host.test.ts': 57,
  'test/workflow/schedules.test.ts': 50,
  'test/workflow/worker-crash.test.ts': 50,
  'test/webhooks/spec-events.test.ts': 44,
  'test/workflow/spec-revisions.test.ts': 44,
  'test/cli/separate-processes.test.ts': 35,
  'test/workflow/model-generation.test.ts': 34,
  'test/observability/tracing.test.ts': 34,
  'test/workflow/retrieval-run.test.ts': 31,
  'test/mcp/mcp-embedded.test.ts': 28,
  'test/db/storage.test.ts': 26,
  'test/mcp/mcp-http.test.ts': 25,
  'test/cli/index-command.test.ts': 25,
  'test/observability/metrics.test.ts': 25,
  'test/workflow/workflow-bundle.test.ts': 24,
  'test/webhooks/receiver.test.ts': 23,
  'test/execution/pytest-run.test.ts': 21,
  'test/mcp/mcp-stdio.test.ts': 21,
  'test/workflow/prioritised-execution.test.ts': 21,
  'test/workflow/faults-and-cancel.test.ts': 21,
  'test/api/plans-and-options.test.ts': 21,
  'test/temporal/tls-connection.test.ts': 20,
  'test/observability/health.test.ts': 20,
  'test/generation/warm-checker.test.ts': 19,
  'test/workflow/repository-templates.test.ts': 19,
  'test/workflow/spec-run.test.ts': 18,
  'test/generation/ci-workflow.test.ts': 18,
  'test/generation/behaviour-cases.test.ts': 15
};
const SHORT_FILE_SECONDS = 5;
const ROOT = path.resolve(__dirname, '../..');

class LongestFirst extends Sequencer {
  sort(tests) {
    const expected = (test) => this.time(test) ?? (EXPECTED_SECONDS[path.relative(ROOT, test.path)] ?? SHORT_FILE_SECONDS) * 1000;
    return [...tests].sort((a, b) => Number(this.hasFailed(b)) - Number(this.hasFailed(a)) || expected(b) - expected(a));
  }
}

module.exports = LongestFirst;
