import { Router } from 'express';
import { VectorStoreUnavailableError } from '../../lib/retrieval/chroma-store';
import type { AppDeps } from '../deps';
import { HttpError } from '../errors';
import { parseSimilarTestsBody } from '../validation';

/** The number of tests `POST /api/v1/similar-tests` answers with unless the request says. */
export const DEFAULT_SIMILAR_LIMIT = 5;

/**
 * `POST /api/v1/similar-tests`: the stored test cases of a repository most similar to a text (the
 * retrieval a run does before generating), best first. 503 when this server has no retrieval.
 */
export function similarTestsRouter(deps: AppDeps): Router {
  const router = Router();
  router.post('/similar-tests', async (req, res) => {
    const body = parseSimilarTestsBody(req.body);
    const { retrieval } = deps;
    if (!retrieval) {
      throw new HttpError(503, 'retrieval_unavailable', 'retrieval is switched off on this server (TESTLOOM_RETRIEVAL=off): there is no index of existing tests to search');
    }
    const repository = body.repository ?? deps.config.repos.defaultRepository;
    const limit = body.limit ?? DEFAULT_SIMILAR_LIMIT;
    let found;
    try {
      found = await retrieval.findSimilar(repository, [body.query], { topK: limit, minScore: body.minScore ?? retrieval.settings.minScore });
    } catch (err) {
      if (err instanceof VectorStoreUnavailableError) throw new HttpError(503, 'retrieval_unavailable', err.message);
      throw err;
    }
    res.json({
      repository,
      tests: found.map((test) => ({
        id: test.id, title: test.title, kind: test.kind, origin: test.origin, subject: test.subject, path: test.path,
        ...(test.runId ? { runId: test.runId } : {}), score: Math.round(test.score * 1000) / 1000, text: test.text,
      })),
    });
  });
  return router;
}
