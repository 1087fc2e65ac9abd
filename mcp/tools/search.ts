/** Retrieval: the existing tests most like a text, from the index runs and `testloom index` fill. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';
import type { TestloomApi } from '../../lib/net/testloom-api';
import { answer, guarded } from './result';

const similarTest = z.object({
  id: z.string(), title: z.string(), kind: z.string(), origin: z.string(), subject: z.string(), path: z.string(),
  runId: z.string().optional(), score: z.number(), text: z.string(),
});

const similarShape = { repository: z.string(), tests: z.array(similarTest) };

export function registerSearchTools(server: McpServer, api: TestloomApi): void {
  server.registerTool('search_similar_tests', {
    title: 'Search similar tests',
    description: 'The test cases of a repository most similar to a text (an operation, an issue, a test title), best first, by embedding similarity: those of earlier runs and those indexed from a checkout.',
    inputSchema: {
      query: z.string().min(1).max(2000).describe('What to find tests like, e.g. "POST /pets rejects a pet without a name"'),
      repository: z.string().optional().describe('owner/name; default the server\'s TESTLOOM_DEFAULT_REPOSITORY'),
      limit: z.number().int().min(1).max(50).optional().describe('At most this many (default 5)'),
      minScore: z.number().min(0).max(1).optional().describe('Lowest cosine similarity; default the server\'s'),
    },
    outputSchema: similarShape,
    annotations: { title: 'Search similar tests', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, (args) => guarded(async () => {
    const body = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
    const found = await api.post<{ repository: string; tests: z.infer<typeof similarTest>[] }>('/api/v1/similar-tests', body);
    return answer(z.object(similarShape), found, `${found.tests.length} similar tests in ${found.repository}.`);
  }));
}
