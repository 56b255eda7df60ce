// Loaded with `node -r` before pouchdb-server: some ordinary requests throw inside it (see STACK.md).
// Log the error and keep serving; the Python supervisor restarts the process if it dies anyway.
'use strict';
process.on('uncaughtException', (err) => {
  process.stderr.write(`[pouchdb-guard] uncaught exception kept the server alive: ${err && err.stack || err}\n`);
});
process.on('unhandledRejection', (err) => {
  process.stderr.write(`[pouchdb-guard] unhandled rejection: ${err && err.stack || err}\n`);
});
