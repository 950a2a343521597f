// Everything djg touches outside itself, passed in: the real process in cli/djg.ts, captured buffers in tests.
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';

export interface CliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  /** The terminal stream a spinner draws on when stderr is a TTY. @default none: progress is plain lines */
  readonly stderrStream?: NodeJS.WritableStream;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default a timer; resolves early when `signal` aborts */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Aborted on Ctrl-C: waiting stops, the running query or wait is abandoned. */
  readonly signal?: AbortSignal;
  /** Opens a URL in the user's browser; false when it could not. @default none: URLs are only printed */
  readonly openBrowser?: (url: string) => Promise<boolean>;
  /** The audit queries' CloudWatch Logs client. @default a CloudWatchLogsClient for the region */
  readonly logsClient?: (region: string | undefined) => Pick<CloudWatchLogsClient, 'send'>;
  /** Between GetQueryResults calls. @default 1000 */
  readonly pollIntervalMs?: number;
}

export const nowOf = (io: CliIo): Date => io.now?.() ?? new Date();

/** Sleeps `ms`, or less when the signal aborts first (the caller checks `signal.aborted`). */
export function sleepOf(io: CliIo): (ms: number) => Promise<void> {
  if (io.sleep) return (ms) => io.sleep!(ms, io.signal);
  return (ms) =>
    new Promise<void>((resolve) => {
      if (io.signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        io.signal?.removeEventListener('abort', done);
        resolve();
      }
      io.signal?.addEventListener('abort', done, { once: true });
    });
}
