// What a running Logs Insights query is doing, on stderr: one rewritten line on a terminal, one line per status change otherwise.

export interface QueryProgress {
  readonly status: string;
  readonly elapsedMs: number;
  readonly recordsScanned?: number;
  readonly recordsMatched?: number;
}

const number = new Intl.NumberFormat('en-US');

export function describeProgress(p: QueryProgress): string {
  const parts = [`${p.status}`, `${(p.elapsedMs / 1000).toFixed(1)} s`];
  if (p.recordsScanned !== undefined) parts.push(`${number.format(p.recordsScanned)} records scanned`);
  if (p.recordsMatched !== undefined) parts.push(`${number.format(p.recordsMatched)} matched`);
  return parts.join(', ');
}

export class ProgressReporter {
  private lastStatus: string | undefined;
  private drawn = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
    private readonly prefix: string,
  ) {}

  update(p: QueryProgress): void {
    if (this.tty) {
      this.write(`\r\x1b[2K${this.prefix}: ${describeProgress(p)}`);
      this.drawn = true;
    } else if (p.status !== this.lastStatus) {
      this.write(`${this.prefix}: ${describeProgress(p)}\n`);
    }
    this.lastStatus = p.status;
  }

  /** Clears the rewritten line so that the results start on a clean one. */
  finish(): void {
    if (this.drawn) this.write('\r\x1b[2K');
    this.drawn = false;
  }
}
