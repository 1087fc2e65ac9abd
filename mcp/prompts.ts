/** Prompts an agent (or its user) picks: review a run's generated tests; explain one finding of an execution. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GetPromptResult, PromptMessage } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import { runPath, type TestloomApi } from '../lib/net/testloom-api';
import { readRunFile, mimeTypeOf } from './resources';
import { readFindings } from './tools/execution';
import { condenseRun, fileUri, testCaseDocument, testCasesUri, type ApiRun } from './views';

/** How much generated text a review prompt embeds; the rest is named by URI for the agent to read. */
const EMBEDDED_BYTES = 200_000;

const user = (text: string): PromptMessage => ({ role: 'user', content: { type: 'text', text } });

async function reviewMessages(api: TestloomApi, runId: string): Promise<GetPromptResult> {
  const run = await api.get<ApiRun>(runPath(runId));
  const view = condenseRun(run);
  const doc = testCaseDocument(run);
  const tests = run.artifacts.filter((a) => a.kind === 'test' && a.delivery.status !== 'withheld');
  const messages: PromptMessage[] = [user([
    `Review the tests testloom generated in run ${run.id} for ${run.repository} (status ${run.status}).`,
    'For each operation or acceptance criterion: is every documented behaviour covered (success, validation errors, auth, not found,',
    'conflicts), are the expected statuses and response checks what the spec says, is test data valid by construction, and does any',
    'test depend on another\'s leftovers? List missing cases, wrong expectations and flaky patterns, each with the file and test name,',
    'and say which ones to fix first.',
    '',
    `Run summary:\n${JSON.stringify({ status: view.status, testCases: view.testCases, execution: view.execution, files: view.files }, null, 2)}`,
  ].join('\n'))];
  let budget = EMBEDDED_BYTES;
  const embedded = [...(doc ? [{ path: doc.path, uri: testCasesUri(run.id) }] : []), ...tests.map((t) => ({ path: t.path, uri: fileUri(run.id, t.path) }))];
  const skipped: string[] = [];
  for (const item of embedded) {
    if (budget <= 0) {
      skipped.push(item.uri);
      continue;
    }
    const file = await readRunFile(api, run.id, item.path);
    budget -= Buffer.byteLength(file.content);
    messages.push({ role: 'user', content: { type: 'resource', resource: { uri: item.uri, mimeType: mimeTypeOf(item.path), text: file.content } } });
  }
  if (skipped.length) messages.push(user(`Not embedded here (read them as resources): ${skipped.join(', ')}`));
  return { description: `Review of run ${run.id}'s generated tests`, messages };
}

async function explainMessages(api: TestloomApi, runId: string, executionId?: string, test?: string): Promise<GetPromptResult> {
  const found = await readFindings(api, runId, executionId);
  const wanted = test?.toLowerCase();
  const finding = wanted
    ? found.findings.find((f) => f.fullName.toLowerCase().includes(wanted))
    : found.findings.find((f) => f.classification === 'possible-api-defect') ?? found.findings[0];
  if (!finding) {
    const which = wanted ? ` for a test named like "${test}"` : '';
    throw new Error(`execution ${found.executionId} of run ${found.runId} has no finding${which} (${found.findings.length} findings)`);
  }
  return {
    description: `Explain finding "${finding.fullName}" of execution ${found.executionId}`,
    messages: [user([
      `testloom executed run ${found.runId}'s generated suite against ${found.baseUrl ?? 'an API'} (execution ${found.executionId}) and triaged this failing test as ${finding.classification}.`,
      'Explain what the API did, what its OpenAPI description says it should do, and whether the API or the test is wrong.',
      'Use the reproducer to show the request. Then propose the smallest fix: to the API implementation, to its spec, or to the test.',
      '',
      `Finding:\n${JSON.stringify(finding, null, 2)}`,
      '',
      `The test is in ${fileUri(found.runId, finding.file)}.`,
    ].join('\n'))],
  };
}

export function registerPrompts(server: McpServer, api: TestloomApi): void {
  server.registerPrompt('review_generated_tests', {
    title: 'Review the generated tests of a run',
    description: 'A review request with the run\'s test-case document and generated test files embedded',
    argsSchema: { runId: z.string().min(1).describe('The run whose tests to review') },
  }, ({ runId }) => reviewMessages(api, runId));

  server.registerPrompt('explain_finding', {
    title: 'Explain a finding',
    description: 'Explain one finding of an execution (default: the newest execution\'s first possible API defect) with its reproducer',
    argsSchema: {
      runId: z.string().min(1).describe('The run whose suite was executed'),
      executionId: z.string().optional().describe('Default: the run\'s newest execution'),
      test: z.string().optional().describe('Part of the failing test\'s name; default the first possible API defect'),
    },
  }, ({ runId, executionId, test }) => explainMessages(api, runId, executionId || undefined, test || undefined));
}
