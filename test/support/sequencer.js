/**
 * Longest test files first, so none of them starts late and runs alone at the end. Jest orders by
 * the durations it cached on this machine; on a machine it has not run on (a fresh CI machine) it
 * falls back to file size, which once put the longest file (fleet) more than halfway through the
 * run. There, these durations (seconds, from a full run on a 2-core machine; refresh them when a
 * file's time changes much) order the files instead; a file in neither counts as a short one.
 */
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const EXPECTED_SECONDS = {
  'test/github/worker-crash.test.ts': 78,
  'test/fleet/fleet.test.ts': 76,
  'test/workflow/execute-stage.test.ts': 74,
  'test/cli/up-signals.test.ts': 50,
  'test/api/schemathesis.test.ts': 34,
  'test/workflow/schedules.test.ts': 33,
  'test/workflow/execute-crash.test.ts': 31,
  'test/workflow/worker-crash.test.ts': 28,
  'test/github/delivery.test.ts': 26,
  'test/workflow/model-generation.test.ts': 24,
  'test/workflow/retrieval-run.test.ts': 22,
  'test/webhooks/receiver.test.ts': 20,
  'test/workflow/large-spec.test.ts': 18,
  'test/temporal/tls-connection.test.ts': 18,
  'test/generation/warm-checker.test.ts': 17,
  'test/workflow/workflow-bundle.test.ts': 17,
  'test/execution/pytest-run.test.ts': 16,
  'test/observability/tracing.test.ts': 16,
  'test/github/host.test.ts': 15,
  'test/cli/separate-processes.test.ts': 14,
  'test/generation/behaviour-cases.test.ts': 14,
  'test/mcp/mcp-http.test.ts': 13,
  'test/db/storage.test.ts': 13,
  'test/workflow/prioritised-execution.test.ts': 13,
  'test/workflow/spec-revisions.test.ts': 13,
  'test/webhooks/spec-events.test.ts': 13,
  'test/api/plans-and-options.test.ts': 11,
  'test/workflow/faults-and-cancel.test.ts': 11,
  'test/mcp/mcp-embedded.test.ts': 11,
  'test/workflow/execute-pytest.test.ts': 11,
  'test/generation/ci-workflow.test.ts': 10
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
