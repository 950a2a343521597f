// The djg process: real stdout/stderr, the environment, a browser opener, and Ctrl-C. The first Ctrl-C stops what djg
// is waiting for (a job keeps running; djg prints how to re-attach); a second one exits at once.
import { openInBrowser } from './open-browser.js';
import { EXIT } from './errors.js';
import { main } from './main.js';

// The AWS SDK (djg audit) warns on Node 20, which djg supports on purpose.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const interrupt = new AbortController();
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(EXIT.interrupted);
  interrupt.abort();
});

const code = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  stderrStream: process.stderr,
  openBrowser: openInBrowser,
  signal: interrupt.signal,
});
process.exitCode = code;
