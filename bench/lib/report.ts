// The shape every benchmark returns, and its rendering: each figure is a ratio against a baseline measured in the same run.
import { formatLoad, type Machine } from './machine.js';

/** A bound from issue 7, on a figure's ratio to its baseline (most targets) or on its value (a latency in ms). */
export interface Target {
  readonly comparison: '<=' | '>=';
  readonly bound: number;
  readonly of: 'ratio' | 'value';
}

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: { readonly name: string; readonly value: number };
  /** value / baseline.value */
  readonly ratio: number;
  readonly target?: Target;
}

interface Table {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface SectionResult {
  readonly id: string;
  readonly title: string;
  /** How the figures were measured, one line each. */
  readonly method: readonly string[];
  readonly figures: readonly Figure[];
  readonly tables: readonly Table[];
  /** Observations computed from this run (what bounds a figure, what changed). */
  readonly notes: readonly string[];
  readonly seconds: number;
}

export function figure(name: string, value: number, unit: string, baseline: { name: string; value: number }, target?: Target): Figure {
  return { name, value, unit, baseline, ratio: value / baseline.value, ...(target ? { target } : {}) };
}

function met(f: Figure): boolean | undefined {
  if (!f.target) return undefined;
  const x = f.target.of === 'ratio' ? f.ratio : f.value;
  return f.target.comparison === '<=' ? x <= f.target.bound : x >= f.target.bound;
}

/** Three significant digits, without exponent notation. */
export function num(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs >= 100) return Math.round(n).toLocaleString('en-US');
  if (abs >= 10) return n.toFixed(1);
  if (abs >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

export const ratio = (r: number) => `${r.toFixed(r >= 10 ? 1 : 2)}×`;
const targetText = (t: Target | undefined, unit = '') =>
  t ? `${t.comparison === '<=' ? '≤' : '≥'} ${t.of === 'ratio' ? `${t.bound.toFixed(2)}×` : `${num(t.bound)} ${unit}`}` : '';
const verdict = (f: Figure) => ({ true: 'met', false: 'MISSED', undefined: '' })[String(met(f)) as 'true' | 'false' | 'undefined'];

export function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(bytes >= 100 * 1024 ? 0 : 1)} KiB`;
}

/** One console line per figure. */
export function consoleLines(section: SectionResult): string[] {
  return section.figures.map((f) => {
    const t = f.target ? `  target ${targetText(f.target, f.unit)}: ${verdict(f)}` : '';
    return `  ${f.name}: ${num(f.value)} ${f.unit} = ${ratio(f.ratio)} ${f.baseline.name} (${num(f.baseline.value)} ${f.unit})${t}`;
  });
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export interface RunInfo {
  readonly machine: Machine;
  readonly loadAtEnd: readonly number[];
  readonly startedAt: Date;
  readonly quick: boolean;
  readonly only?: readonly string[];
  readonly command: string;
}

export function renderMarkdown(run: RunInfo, sections: readonly SectionResult[], findings: string): string {
  const { machine } = run;
  const withTargets = sections.flatMap((s) => s.figures.filter((f) => f.target).map((f) => [s, f] as const));
  const out: string[] = [
    '# Benchmark results',
    '',
    `Written by \`${run.command}\` on ${run.startedAt.toISOString()}${run.quick ? ' (quick mode: fewer, shorter repetitions)' : ''}. ` +
      'Every figure is a ratio against a baseline measured in the same run, on the same machine, interleaved with it; ' +
      'absolute numbers are given for context only (the machine is shared and noisy).',
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}; ` +
      `load average (1/5/15 min) ${formatLoad(machine.loadAtStart)} at start, ${formatLoad(run.loadAtEnd)} at end.`,
    '',
    '## Targets (issue 7)',
    '',
    markdownTable(
      ['figure', 'measured', 'baseline', 'ratio', 'target', ''],
      withTargets.map(([, f]) => [f.name, `${num(f.value)} ${f.unit}`, `${f.baseline.name}: ${num(f.baseline.value)} ${f.unit}`, ratio(f.ratio), targetText(f.target, f.unit), verdict(f)]),
    ),
    '',
  ];
  for (const s of sections) {
    out.push(`## ${s.title}`, '', ...s.method.map((m) => `- ${m}`), '');
    if (s.figures.length) {
      out.push(
        markdownTable(
          ['figure', 'measured', 'baseline', 'ratio', 'target'],
          s.figures.map((f) => [f.name, `${num(f.value)} ${f.unit}`, `${f.baseline.name}: ${num(f.baseline.value)} ${f.unit}`, ratio(f.ratio), f.target ? `${targetText(f.target, f.unit)} ${verdict(f)}` : '']),
        ),
        '',
      );
    }
    for (const t of s.tables) out.push(`**${t.title}**`, '', markdownTable(t.header, t.rows), '');
    if (s.notes.length) out.push(...s.notes.map((n) => `- ${n}`), '');
    out.push(`_(${Math.round(s.seconds)} s)_`, '');
  }
  if (findings.trim()) out.push(findings.trim(), '');
  return out.join('\n');
}
