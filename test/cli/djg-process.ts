// djg as a user runs it: bin/djg.mjs in a child process, with its own home and config directory, no terminal.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const DJG = resolve('bin/djg.mjs');

export interface DjgResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fresh home for one user of djg: its config (profiles, tokens, submission notes) lives under it. */
export function newHome(): { home: string; config: string } {
  const home = mkdtempSync(join(tmpdir(), 'djg-home-'));
  return { home, config: join(home, 'config') };
}

/** The environment of a clean shell: nothing from the test's own, except what finds node and tsx's cache. */
export function djgEnv(home: { home: string; config: string }, extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    TMPDIR: process.env.TMPDIR,
    HOME: home.home,
    XDG_CONFIG_HOME: home.config,
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export class DjgProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<DjgResult>;
  private readonly listeners: (() => void)[] = [];

  constructor(args: readonly string[], env: Record<string, string>, cwd = process.cwd()) {
    this.child = spawn(process.execPath, [DJG, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.stdout += d.toString('utf8');
      this.listeners.forEach((l) => l());
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString('utf8');
      this.listeners.forEach((l) => l());
    });
    this.exited = new Promise((resolvePromise) =>
      this.child.on('close', (code, signal) => {
        this.listeners.forEach((l) => l());
        resolvePromise({ code, signal, stdout: this.stdout, stderr: this.stderr });
      }),
    );
  }

  /** Resolves once stderr (or stdout) matches; rejects if djg exits first. */
  waitFor(pattern: RegExp, stream: 'stderr' | 'stdout' = 'stderr'): Promise<RegExpMatchArray> {
    return new Promise((resolvePromise, reject) => {
      const check = () => {
        const match = pattern.exec(stream === 'stderr' ? this.stderr : this.stdout);
        if (match) {
          this.listeners.splice(this.listeners.indexOf(check), 1);
          resolvePromise(match);
        } else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          reject(new Error(`djg exited (${this.child.exitCode ?? this.child.signalCode}) before printing ${pattern}:\nstdout: ${this.stdout}\nstderr: ${this.stderr}`));
        }
      };
      this.listeners.push(check);
      check();
    });
  }
}

export function runDjg(args: readonly string[], env: Record<string, string>, cwd?: string): Promise<DjgResult> {
  return new DjgProcess(args, env, cwd).exited;
}
