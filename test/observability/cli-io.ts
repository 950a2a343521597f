// An in-memory terminal for djg audit: what it printed, and a clock the tests move.
import type { CliIo } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { NOW } from './audit-lines.js';

export interface CapturedIo extends CliIo {
  readonly out: () => string;
  readonly err: () => string;
}

export function captureIo(overrides: Partial<CliIo> = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    cwd: process.cwd(),
    env: {},
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    now: () => NOW,
    sleep: async () => {},
    ...overrides,
    out: () => out,
    err: () => err,
  };
}

/** `djg audit <argv>` in this process. */
export const audit = (argv: readonly string[], io: CliIo): Promise<number> => main(['audit', ...argv], io);

/** The data rows of a table the CLI printed, as arrays of cells (header dropped). */
export function tableRows(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/\s{2,}/));
}

/** The header of a table the CLI printed. */
export const tableHeader = (text: string): string[] => text.split('\n')[0]!.split(/\s{2,}/);
