// Progress on stderr while djg waits: an ora spinner with the state and elapsed time on a terminal; elsewhere (CI
// logs, pipes) one plain line per change of state, so logs stay readable.
import type { Ora } from 'ora';
import type { CliIo } from './io.js';

export class StatusDisplay {
  private lastKey: string | undefined;

  private constructor(
    private readonly io: CliIo,
    private readonly spinner?: Ora,
  ) {}

  /** ora is loaded only when there is a terminal to draw on. */
  static async create(io: CliIo): Promise<StatusDisplay> {
    // a terminal that reports no width (some pseudo-terminals) would make ora clear lines without end
    const columns = (io.stderrStream as { columns?: number } | undefined)?.columns ?? 0;
    if (!io.stderrIsTTY || !io.stderrStream || columns <= 0) return new StatusDisplay(io);
    const { default: ora } = await import('ora');
    // djg handles Ctrl-C itself: ora must not put stdin in raw mode to discard it
    return new StatusDisplay(io, ora({ stream: io.stderrStream, discardStdin: false, isEnabled: true }));
  }

  /** `text` is what to show now; a plain line is written only when `key` (the state) changes. */
  update(text: string, key: string): void {
    if (this.spinner) {
      this.spinner.text = text;
      if (!this.spinner.isSpinning) this.spinner.start();
    } else if (key !== this.lastKey) {
      this.io.stderr(`${text}\n`);
    }
    this.lastKey = key;
  }

  /** Writes text on stderr without tearing the spinner (driver output between spinner frames). */
  print(text: string): void {
    if (!this.spinner?.isSpinning) return this.io.stderr(text);
    this.spinner.clear();
    this.io.stderr(text);
    this.spinner.render();
  }

  /**
   * Clears the spinner; on a terminal `line` stays as the last word. Plain output needs no last word: its last line
   * already says the last state.
   */
  stop(line?: string): void {
    if (!this.spinner) return;
    if (this.spinner.isSpinning) this.spinner.stop();
    if (line !== undefined) this.io.stderr(`${line}\n`);
  }
}
