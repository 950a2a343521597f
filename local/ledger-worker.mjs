// The embedded ledger's dynalite server, off the event loop of local mode (local/embedded-ledger.ts starts it in a
// worker thread or a child process). Plain JavaScript, so node, tsx and jest all load it without a TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const channel = parentPort
  ? { options: workerData, send: (m) => parentPort.postMessage(m), on: (f) => parentPort.on('message', f), close: () => parentPort.close() }
  : { options: JSON.parse(process.env.DJG_LEDGER_OPTIONS), send: (m) => process.send(m), on: (f) => process.on('message', f), close: () => process.disconnect() };
if (!parentPort) {
  // a child process: Ctrl-C reaches the whole process group, but only its parent decides when the ledger stops
  process.on('SIGINT', () => {});
  process.on('disconnect', () => process.exit(0));
}

const { port, host, path } = channel.options;
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(path ? { path } : {}) });
server.once('error', (err) => {
  channel.send({ type: 'error', message: err.message, code: err.code });
  channel.close();
});
server.listen(port, host, () => channel.send({ type: 'listening', port: server.address().port }));
channel.on((message) => {
  if (message !== 'close') return;
  // the caller destroyed its client first; idle keep-alive sockets of other clients must not hold the close up
  server.closeIdleConnections();
  server.close((err) => {
    channel.send({ type: 'closed', ...(err && { message: err.message }) });
    channel.close();
  });
});
