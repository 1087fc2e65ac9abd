import { WorkflowNotFoundError } from '@temporalio/client';
import express, { Router } from 'express';
import { failedRunGroups, getRun, listRuns } from '../../lib/db/runs';
import { retryRun, RunNotRetryableError } from '../../lib/runs/retry';
import { formatIssueRef, parseIssueRef } from '../../lib/issues';
import { MAX_ISSUE_NUMBER } from '../../lib/issues/issue-ref';
import { UnknownIssueError } from '../../lib/repohost/types';
import { hasEnded } from '../../lib/core/run';
import { cancelSignal } from '../../lib/core/workflows';
import { startIssueRun, startSpecRun } from '../../lib/runs/start';
import { describeRun, summarizeRun, viewExecution } from '../../lib/runs/view';
import { requestExecution, RunNotExecutableError } from '../../lib/runs/execute';
import { getExecution, listExecutions } from '../../lib/db/executions';
import { listRegressions } from '../../lib/db/regressions';
import { viewRegression } from '../../lib/runs/regressions';
import type { AppDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { RAW_SPEC_TYPES } from '../openapi/document';
import {
  isIssueRunBody, parseCancelRunBody, parseListFailuresQuery, parseExecuteRunBody, parseListRunsQuery, parseStartRunBody, parseStartRunQuery,
  type IssueRunBody, type StartRunBody,
} from '../validation';

/**
 * The run request: a raw spec upload names its repository in `?repository=`; a JSON body in its
 * `repository` field or the query string, which must then agree.
 */
function startRunBody(body: unknown, query: unknown): StartRunBody {
  const { repository } = parseStartRunQuery(query);
  if (typeof body === 'string') return { spec: { content: body }, repository };
  const parsed = parseStartRunBody(body ?? {});
  if (repository === undefined) return parsed;
  if (parsed.repository !== undefined && parsed.repository !== repository) {
    const message = `is ${parsed.repository} in the body but ${repository} in the query string`;
    throw new HttpError(400, 'invalid_request', `repository: ${message}`, [{ field: 'repository', message }]);
  }
  return { ...parsed, repository };
}

/** `{ "issue": "owner/repo#12" }`: the issue must exist on the repository host before a run starts. */
async function startIssueRunFromRequest(deps: AppDeps, body: IssueRunBody) {
  const issue = parseIssueRef(body.issue);
  if (!issue) {
    const message = `must be owner/repo#number with a number from 1 to ${MAX_ISSUE_NUMBER}`;
    throw new HttpError(400, 'invalid_request', `issue: ${message}`, [{ field: 'issue', message }]);
  }
  if (body.repository !== undefined && body.repository !== issue.repository) {
    const message = `must be the issue's repository ${issue.repository} (tests for an issue go to its own repository)`;
    throw new HttpError(400, 'invalid_request', `repository: ${message}`, [{ field: 'repository', message }]);
  }
  try {
    await deps.repoHost.getIssue(issue.repository, issue.number);
  } catch (err) {
    if (err instanceof UnknownIssueError) throw notFound(`issue ${formatIssueRef(issue)}`);
    throw err;
  }
  return startIssueRun(deps, issue);
}

export function runsRouter(deps: AppDeps): Router {
  const router = Router();
  // The JSON envelope adds a little around an embedded spec; the spec's own limit is checked after.
  const bodyLimit = deps.config.api.maxSpecBytes + 64 * 1024;
  router.use(express.json({ limit: bodyLimit }));
  router.use(express.text({ type: RAW_SPEC_TYPES, limit: deps.config.api.maxSpecBytes }));

  router.post('/runs', async (req, res) => {
    const body = startRunBody(req.body, req.query);
    const started = isIssueRunBody(body) ? await startIssueRunFromRequest(deps, body) : await startSpecRun(deps, body);
    res
      .status(started.existing ? 200 : 202)
      .location(`/api/v1/runs/${started.runId}`)
      .json({ ...started, links: { self: `/api/v1/runs/${started.runId}` } });
  });

  router.get('/runs', async (req, res) => {
    const query = parseListRunsQuery(req.query);
    const page = await listRuns(deps.db, { ...query, limit: query.limit ? Number(query.limit) : undefined });
    res.json({ runs: page.runs.map(summarizeRun), nextCursor: page.nextCursor });
  });

  router.get('/runs/:id', async (req, res) => {
    const view = await describeRun(deps, req.params.id);
    if (!view) throw notFound(`run ${req.params.id}`);
    res.json(view);
  });

  router.post('/runs/:id/cancel', async (req, res) => {
    const { reason = 'cancelled through the API' } = parseCancelRunBody(req.body);
    const view = await getRun(deps.db, req.params.id);
    if (!view) throw notFound(`run ${req.params.id}`);
    if (hasEnded(view.status)) {
      throw new HttpError(409, 'run_finished', `run ${view.id} already ended as ${view.status}`);
    }
    try {
      await deps.client.workflow.getHandle(view.workflowId, view.id).signal(cancelSignal, { reason });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new HttpError(409, 'run_finished', `run ${view.id} is no longer running`);
      throw err;
    }
    res.status(202).json({ id: view.id, workflowId: view.workflowId, status: 'cancelling' });
  });

  router.post('/runs/:id/retry', async (req, res) => {
    let started;
    try {
      started = await retryRun(deps, req.params.id);
    } catch (err) {
      if (!(err instanceof RunNotRetryableError)) throw err;
      if (err.reason === 'unknown-run') throw notFound(`run ${req.params.id}`);
      throw new HttpError(409, err.reason === 'not-failed' ? 'not_retryable' : 'history_unreadable', err.message);
    }
    res
      .status(started.existing ? 200 : 202)
      .location(`/api/v1/runs/${started.runId}`)
      .json({ ...started, links: { self: `/api/v1/runs/${started.runId}` } });
  });

  router.get('/failures', async (req, res) => {
    const { repository } = parseListFailuresQuery(req.query);
    const groups = await failedRunGroups(deps.db, { repository });
    res.json({ groups: groups.map((group) => ({ ...group, lastFailedAt: group.lastFailedAt.toISOString() })) });
  });

  router.post('/runs/:id/execute', async (req, res) => {
    const { target, failFast, budget } = parseExecuteRunBody(req.body);
    let started;
    try {
      started = await requestExecution(deps, req.params.id, target, { failFast, budget });
    } catch (err) {
      if (!(err instanceof RunNotExecutableError)) throw err;
      if (err.reason === 'unknown-run') throw notFound(`run ${req.params.id}`);
      if (err.reason === 'no-target') throw new HttpError(400, 'invalid_request', err.message, [{ field: 'target', message: err.message.replace(/^target: /, '') }]);
      throw new HttpError(409, 'not_executable', err.message);
    }
    const self = `/api/v1/runs/${started.runId}/executions/${started.executionId}`;
    res.status(started.existing ? 200 : 202).location(self).json({ ...started, links: { self } });
  });

  router.get('/runs/:id/executions', async (req, res) => {
    const run = await getRun(deps.db, req.params.id);
    if (!run) throw notFound(`run ${req.params.id}`);
    res.json({ executions: (await listExecutions(deps.db, run.id)).map(viewExecution) });
  });

  router.get('/runs/:id/executions/:executionId', async (req, res) => {
    const run = await getRun(deps.db, req.params.id);
    const execution = run ? await getExecution(deps.db, req.params.executionId) : undefined;
    if (!run || !execution || execution.runId !== run.id) throw notFound(`execution ${req.params.executionId} of run ${req.params.id}`);
    const regressions = await listRegressions(deps.db, { executionId: execution.id });
    res.json({ ...viewExecution(execution), regressions: regressions.map(viewRegression) });
  });

  return router;
}
