'use strict';
/**
 * Creates an empty PGlite database in `<dir>.creating-<this process's pid>`, for lib/db/open.ts,
 * which runs it as a child process with an IPC channel and renames the directory into place when
 * this exits with 0. Creating one runs initdb and writes some 30 MB of files with synchronous
 * calls, which on the caller's main thread would hold up its timers and signal handlers for
 * seconds; and the memory initdb takes goes back to the system with the process.
 * Plain CommonJS: it runs with node alone, without the TypeScript loader.
 */
const fs = require('node:fs');
const { PGlite } = require('@electric-sql/pglite');

const creating = `${process.argv[2]}.creating-${process.pid}`;

// The caller died: nobody will rename the database into place, so it goes.
process.on('disconnect', () => {
  fs.rmSync(creating, { recursive: true, force: true, maxRetries: 5 });
  process.exit(1);
});

fs.mkdirSync(creating, { recursive: true });
PGlite.create(creating)
  .then((pglite) => pglite.close())
  .then(() => process.exit(0)) // the IPC channel would keep it alive
  .catch((err) => {
    fs.rmSync(creating, { recursive: true, force: true, maxRetries: 5 });
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
