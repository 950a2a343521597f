// An in-memory terminal for the audit CLI: what it printed, and a clock the tests move.
import type { AuditCliIo } from '../../cli/audit.js';
import { NOW } from './audit-lines.js';

export interface CapturedIo extends AuditCliIo {
  readonly out: () => string;
  readonly err: () => string;
}

export function captureIo(overrides: Partial<AuditCliIo> = {}): CapturedIo {
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

/** The data rows of a table the CLI printed, as arrays of cells (header and rule dropped). */
export function tableRows(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .slice(2)
    .map((line) => line.split(/\s{2,}/));
}

/** The header of a table the CLI printed. */
export const tableHeader = (text: string): string[] => text.split('\n')[0]!.split(/\s{2,}/);
