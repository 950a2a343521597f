// The embedded ledger's dynalite server in its own worker thread, off local mode's event loop (local/embedded-ledger.ts
// starts it). Plain JavaScript, so node, tsx and jest all load it without a TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const { port, host, path } = workerData;
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(path ? { path } : {}) });
server.once('error', (err) => {
  parentPort.postMessage({ type: 'error', message: err.message, code: err.code });
  parentPort.close();
});
server.listen(port, host, () => parentPort.postMessage({ type: 'listening', port: server.address().port }));
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  // The caller has destroyed its client; idle keep-alive sockets of any other client must not hold the close up.
  server.closeIdleConnections();
  server.close((err) => {
    parentPort.postMessage({ type: 'closed', ...(err && { message: err.message }) });
    parentPort.close();
  });
});
