'use strict';
/**
 * Creates an empty PGlite database in `workerData.dir` on a worker thread (lib/db/open.ts), which
 * exits when the database is complete and closed. Creating one runs initdb and writes some 30 MB
 * of files with synchronous calls: on the main thread that would hold up its timers and signal
 * handlers for seconds on a busy disk.
 * Plain CommonJS: a worker thread runs with node alone, without the TypeScript loader.
 */
const { workerData } = require('node:worker_threads');
const { PGlite } = require('@electric-sql/pglite');

PGlite.create(workerData.dir).then((pglite) => pglite.close());
