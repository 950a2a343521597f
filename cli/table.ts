// Result rows as a plain-text table: the query's columns in order, empty columns dropped, long values shortened.

export type Row = Readonly<Record<string, string>>;

// ARNs and request ids fit; browser user agents are cut.
const MAX_WIDTH = 100;

/** Columns to show: the query's, then any other field the rows carry, without those no row has a value for. */
export function visibleColumns(rows: readonly Row[], preferred: readonly string[]): string[] {
  const extra = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => !preferred.includes(c));
  return [...preferred, ...extra].filter((c) => rows.some((r) => (r[c] ?? '') !== ''));
}

export function formatTable(rows: readonly Row[], preferred: readonly string[]): string {
  const columns = visibleColumns(rows, preferred);
  const cell = (v: string | undefined) => {
    const flat = (v ?? '').replace(/\s+/g, ' ');
    return flat.length > MAX_WIDTH ? `${flat.slice(0, MAX_WIDTH - 1)}…` : flat;
  };
  const body = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}
