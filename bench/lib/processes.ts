// Running node processes for timing: a clean environment (no tsx loader, no inherited NODE_OPTIONS) and wall-clock time.
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** PATH and HOME only: a benchmarked process must not inherit this one's loaders or options. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...extra };
}

/** Milliseconds from spawn to exit of `node args...`; throws when it fails. */
export function timeNode(args: readonly string[], env: Record<string, string>): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status ?? result.signal}: ${result.stderr.slice(0, 2000)}`);
  return ms;
}

export interface CommandResult {
  readonly ms: number;
  readonly code: number | null;
  readonly output: string;
}

/** Runs a command to completion (asynchronously, so this process can keep its timers), with a deadline. */
export function runCommand(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, code, output });
    });
  });
}
