/**
 * A run's summary, its test-case document and each file it generated as MCP resources, listable
 * (the recent runs, and the files of the recent finished ones) and readable.
 */
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult, Resource } from '@modelcontextprotocol/sdk/types.js';
import { runPath, type TestloomApi } from '../lib/net/testloom-api';
import { condenseRun, fileUri, runUri, testCaseDocument, testCasesUri, type ApiRun, type ApiRunFile, type ApiRunSummary } from './views';

/** How many recent runs resources/list shows, and of how many finished ones it lists the files. */
const LISTED_RUNS = 20;
const LISTED_FILE_RUNS = 5;

const MIME_TYPES: Record<string, string> = {
  '.md': 'text/markdown', '.json': 'application/json', '.ts': 'text/x-typescript', '.js': 'text/javascript',
  '.py': 'text/x-python', '.yml': 'application/yaml', '.yaml': 'application/yaml', '.toml': 'application/toml', '.ini': 'text/plain',
};

export function mimeTypeOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return (dot >= 0 && MIME_TYPES[path.slice(dot).toLowerCase()]) || 'text/plain';
}

/** A template variable as the client sent it (one value; percent-encoding undone). */
function variable(value: string | string[] | undefined, name: string): string {
  const raw = Array.isArray(value) ? value.join(',') : value;
  if (!raw) throw new Error(`the resource URI has no ${name}`);
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new Error(`the resource URI's ${name} is not valid percent-encoding`);
  }
}

export async function readRunFile(api: TestloomApi, runId: string, path: string): Promise<ApiRunFile> {
  return api.get<ApiRunFile>(runPath(runId, 'files', path));
}

async function recentRuns(api: TestloomApi, query: string): Promise<ApiRunSummary[]> {
  return (await api.get<{ runs: ApiRunSummary[] }>(`/api/v1/runs?${query}`)).runs;
}

export function registerResources(server: McpServer, api: TestloomApi): void {
  server.registerResource('run', new ResourceTemplate('testloom://runs/{runId}', {
    list: async () => ({
      resources: (await recentRuns(api, `limit=${LISTED_RUNS}`)).map((run): Resource => ({
        uri: runUri(run.id), name: `run ${run.id}`, title: `${run.trigger} run for ${run.repository} (${run.status})`, mimeType: 'application/json',
      })),
    }),
  }), {
    title: 'A testloom run',
    description: 'A run\'s status, stages, generated files (with their URIs) and what executing its suite found',
    mimeType: 'application/json',
  }, async (uri, variables): Promise<ReadResourceResult> => {
    const run = await api.get<ApiRun>(runPath(variable(variables.runId, 'runId')));
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(condenseRun(run), null, 2) }] };
  });

  server.registerResource('test-cases', new ResourceTemplate('testloom://runs/{runId}/test-cases', {
    list: async () => ({
      resources: (await recentRuns(api, `status=completed&limit=${LISTED_RUNS}`)).map((run): Resource => ({
        uri: testCasesUri(run.id), name: `test cases of run ${run.id}`, mimeType: 'text/markdown',
      })),
    }),
  }), {
    title: 'A run\'s test-case document',
    description: 'The Markdown document of the test cases a run generated: per operation or acceptance criterion, what each test checks',
    mimeType: 'text/markdown',
  }, async (uri, variables): Promise<ReadResourceResult> => {
    const runId = variable(variables.runId, 'runId');
    const run = await api.get<ApiRun>(runPath(runId));
    const doc = testCaseDocument(run);
    if (!doc) throw new Error(`run ${run.id} has no test-case document${run.status === 'completed' ? '' : ` (it is ${run.status})`}`);
    const file = await readRunFile(api, run.id, doc.path);
    return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: file.content }] };
  });

  server.registerResource('file', new ResourceTemplate('testloom://runs/{runId}/files/{+path}', {
    list: async () => {
      const runs = await recentRuns(api, `status=completed&limit=${LISTED_FILE_RUNS}`);
      const views = await Promise.all(runs.map((run) => api.get<ApiRun>(runPath(run.id))));
      return {
        resources: views.flatMap((run) => run.artifacts.map((a): Resource => ({
          uri: fileUri(run.id, a.path), name: a.path, title: `${a.path} (run ${run.id})`, mimeType: mimeTypeOf(a.path),
          ...(a.delivery.status === 'withheld' ? { description: `withheld from the commit: ${a.delivery.reason}` } : {}),
        }))),
      };
    },
  }), {
    title: 'A file a run generated',
    description: 'A generated test, helper or document, as the commit delivers it',
  }, async (uri, variables): Promise<ReadResourceResult> => {
    const runId = variable(variables.runId, 'runId');
    const path = variable(variables.path, 'path');
    const file = await readRunFile(api, runId, path);
    return { contents: [{ uri: uri.href, mimeType: mimeTypeOf(file.path), text: file.content }] };
  });
}
