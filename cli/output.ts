// `-o table|json|yaml`: JSON and YAML print the API's own objects (stable for scripts); tables are for people,
// borderless and aligned as gcloud and kubectl print theirs (cli-table3).
import Table from 'cli-table3';
import YAML from 'yaml';
import { UsageError } from './errors.js';

export const FORMATS = ['table', 'json', 'yaml'] as const;
export type Format = (typeof FORMATS)[number];

export function parseFormat(value: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new UsageError(`-o must be one of ${FORMATS.join(', ')} (got ${JSON.stringify(value)})`);
}

/** Data as JSON or YAML; `table` renders it for people. */
export function formatData(format: Format, data: unknown, table: () => string): string {
  if (format === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  if (format === 'yaml') return YAML.stringify(data, { lineWidth: 0 });
  return table();
}

// Long values (user agents, error messages) are cut so one row stays one line.
const MAX_CELL = 100;

const BORDERLESS = {
  chars: {
    top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
    bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
    left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
  },
  style: { head: [] as string[], border: [] as string[], 'padding-left': 0, 'padding-right': 0, compact: true },
};

const cell = (value: unknown): string => {
  const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
};

/** Rows under a header, columns aligned; columns no row has a value for are left out. */
export function renderTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((r) => r.map(cell));
  const keep = headers.map((_, i) => cells.some((r) => (r[i] ?? '') !== ''));
  const table = new Table({ head: headers.filter((_, i) => keep[i]), ...BORDERLESS });
  for (const r of cells) table.push(r.filter((_, i) => keep[i]));
  return `${table.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
}

/** `key  value` lines, for one object; values are never cut (people copy links and ids from them). */
export function renderFields(fields: readonly (readonly [string, unknown])[]): string {
  const shown = fields.filter(([, v]) => v !== undefined && v !== null && v !== '');
  const table = new Table({ ...BORDERLESS });
  for (const [k, v] of shown) table.push([`${k}:`, typeof v === 'object' ? JSON.stringify(v) : String(v).replace(/\s+/g, ' ')]);
  return `${table.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
}
