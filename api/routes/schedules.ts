import { Router } from 'express';
import { getRun } from '../../lib/db/runs';
import { listRegressions } from '../../lib/db/regressions';
import { RunNotExecutableError } from '../../lib/runs/execute';
import { viewRegression } from '../../lib/runs/regressions';
import {
  createSchedule, deleteSchedule, describeSchedule, InvalidScheduleError, listSchedules, pauseSchedule, resumeSchedule,
  ScheduleConflictError, UnknownScheduleError,
} from '../../lib/runs/schedules';
import type { AppDeps } from '../deps';
import { HttpError, notFound } from '../errors';
import { parseScheduleRunBody } from '../validation';

const location = (id: string) => `/api/v1/schedules/${encodeURIComponent(id)}`;

/** The errors of lib/runs/schedules as the API's envelope. */
function toHttp(err: unknown, runId?: string): unknown {
  if (err instanceof InvalidScheduleError) return new HttpError(400, 'invalid_request', err.message, [{ field: err.field, message: err.reason }]);
  if (err instanceof UnknownScheduleError) return notFound(`schedule ${err.scheduleId}`);
  if (err instanceof ScheduleConflictError) {
    return new HttpError(409, 'schedule_conflict', err.message, err.differences.map((d) => ({ field: d.field, message: `is ${d.existing} in the schedule, ${d.requested} in this request` })));
  }
  if (err instanceof RunNotExecutableError) {
    if (err.reason === 'unknown-run') return notFound(`run ${runId}`);
    if (err.reason === 'no-target') return new HttpError(400, 'invalid_request', err.message, [{ field: 'target', message: err.message.replace(/^target: /, '') }]);
    return new HttpError(409, 'not_executable', err.message);
  }
  return err;
}

async function answering<T>(work: () => Promise<T>, runId?: string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toHttp(err, runId);
  }
}

/** Schedules that re-execute a run's suite, and the regressions executions found. */
export function schedulesRouter(deps: AppDeps): Router {
  const router = Router();

  router.post('/runs/:id/schedule', async (req, res) => {
    const body = parseScheduleRunBody(req.body);
    const { schedule, existing } = await answering(() => createSchedule(deps, req.params.id, body), req.params.id);
    res.status(existing ? 200 : 201).location(location(schedule.id)).json({ ...schedule, existing, links: { self: location(schedule.id) } });
  });

  router.get('/runs/:id/regressions', async (req, res) => {
    const run = await getRun(deps.db, req.params.id);
    if (!run) throw notFound(`run ${req.params.id}`);
    res.json({ regressions: (await listRegressions(deps.db, { runId: run.id })).map(viewRegression) });
  });

  router.get('/schedules', async (_req, res) => {
    res.json({ schedules: await listSchedules(deps) });
  });

  router.get('/schedules/:id', async (req, res) => {
    res.json(await answering(() => describeSchedule(deps, req.params.id)));
  });

  router.post('/schedules/:id/pause', async (req, res) => {
    res.json(await answering(() => pauseSchedule(deps, req.params.id)));
  });

  router.post('/schedules/:id/resume', async (req, res) => {
    res.json(await answering(() => resumeSchedule(deps, req.params.id)));
  });

  router.delete('/schedules/:id', async (req, res) => {
    await answering(() => deleteSchedule(deps, req.params.id));
    res.status(204).end();
  });

  return router;
}
