import { Router } from 'express';
import { getArtifact } from '../../lib/db/artifacts';
import { getRun } from '../../lib/db/runs';
import type { AppDeps } from '../deps';
import { notFound } from '../errors';

/**
 * `GET /api/v1/runs/:id/files/<path>`: one file a run generated, from the database. The path is
 * matched as stored text against the run's files (percent-encoded slashes or plain ones); nothing
 * is ever read from a filesystem by a name a request gives.
 */
export function runFilesRouter(deps: AppDeps): Router {
  const router = Router();
  router.get('/runs/:id/files/*path', async (req, res) => {
    const path = req.params.path.join('/');
    const run = await getRun(deps.db, req.params.id);
    if (!run) throw notFound(`run ${req.params.id}`);
    const file = await getArtifact(deps.db, run.id, path);
    if (!file) throw notFound(`file ${path} of run ${run.id}`);
    const edited = file.deliveredContent !== null;
    res.json({
      runId: run.id,
      path: file.path,
      kind: file.kind,
      sha256: file.sha256,
      delivery: file.withheldReason !== null ? { status: 'withheld', reason: file.withheldReason } : { status: edited ? 'edited' : 'as generated' },
      content: file.withheldReason === null && edited ? file.deliveredContent : file.content,
      ...(edited ? { generatedContent: file.content } : {}),
    });
  });
  return router;
}
