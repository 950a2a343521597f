// List support shared by jobs and batches: opaque page tokens and the documented filter syntax (`field op value`, AND/OR).
import { invalidArgument } from './google-error.js';

export interface Page<T> {
  readonly items: T[];
  readonly nextPageToken?: string;
}

export function paginate<T>(items: readonly T[], pageSize: string | null, pageToken: string | null, defaultSize: number, maxSize: number): Page<T> {
  let size = defaultSize;
  if (pageSize !== null && pageSize !== '') {
    size = Number(pageSize);
    if (!Number.isInteger(size) || size < 0) throw invalidArgument(`Invalid page_size '${pageSize}'`, [{ field: 'page_size', description: 'must be a non-negative integer' }]);
    size = size === 0 ? defaultSize : Math.min(size, maxSize);
  }
  let offset = 0;
  if (pageToken) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(pageToken, 'base64url').toString('utf8'));
    if (!decoded) throw invalidArgument(`Invalid page_token '${pageToken}'`, [{ field: 'page_token', description: 'not a token this service returned' }]);
    offset = Number(decoded[1]);
  }
  const slice = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length ? { items: slice, nextPageToken: Buffer.from(`offset:${next}`).toString('base64url') } : { items: slice };
}

export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface Clause {
  readonly field: string;
  readonly op: Operator;
  readonly value: string;
}

/** Disjunctive normal form: OR of AND-groups (AND binds tighter, as in Google's filter grammar). */
export type Filter = Clause[][];

const CLAUSE = /^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*)\s*(!=|<=|>=|=|<|>|:)\s*("(?:[^"\\]|\\.)*"|[^\s"()]+)/;

export function parseFilter(text: string | null, options: { allowOr: boolean }): Filter {
  const groups: Clause[][] = [[]];
  if (!text || !text.trim()) return [];
  let rest = text.trim();
  let expectClause = true;
  while (rest.length) {
    if (!expectClause) {
      const conj = /^(AND|OR)\s+/.exec(rest);
      if (conj?.[1] === 'OR') {
        if (!options.allowOr) throw invalidArgument(`Invalid filter '${text}': only the AND operator is supported`, [{ field: 'filter', description: 'only AND is supported' }]);
        groups.push([]);
      }
      if (conj) rest = rest.slice(conj[0].length);
      expectClause = true;
      continue;
    }
    const m = CLAUSE.exec(rest);
    if (!m) throw invalidArgument(`Invalid filter '${text}': expected 'field = value' at '${rest}'`, [{ field: 'filter', description: 'syntax error' }]);
    const raw = m[3]!;
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    groups[groups.length - 1]!.push({ field: m[1]!, op: (m[2] === ':' ? '=' : m[2]) as Operator, value });
    rest = rest.slice(m[0].length).trimStart();
    expectClause = false;
  }
  if (expectClause) throw invalidArgument(`Invalid filter '${text}': dangling operator`, [{ field: 'filter', description: 'syntax error' }]);
  return groups;
}

export function matches(filter: Filter, test: (clause: Clause) => boolean): boolean {
  return filter.length === 0 || filter.some((group) => group.every(test));
}

export function compareValues<T extends string | number>(op: Operator, actual: T | undefined, expected: T): boolean {
  if (actual === undefined) return op === '!=';
  if (expected === '*' && op === '=') return true;
  switch (op) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
  }
}
