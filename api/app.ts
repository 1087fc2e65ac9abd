import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import type { Kysely } from 'kysely';
import type { Tables } from '../schema/tables';
import type { Config } from '../lib/config';
import { errorHandler, notFound } from './errors';
import { healthRouter } from './routes/health';
import { runsRouter } from './routes/runs';

export interface AppDeps {
  db: Kysely<Tables>;
  client: Client;
  config: Config;
}

/** The HTTP API: validates, starts or queries workflows, answers. Stage work happens in workers. */
export function createApp(deps: AppDeps, log: (err: unknown) => void = console.error): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use('/api', healthRouter(deps));
  app.use('/api/v1', runsRouter(deps));
  app.use((req, _res, next) => next(notFound(`${req.method} ${req.path}`)));
  app.use(errorHandler(log));
  return app;
}
