// Fault injection shared by the emulators: a fraction of calls fail in one of the configured ways.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type FaultKind = '429' | '500' | '503' | 'timeout' | 'reset' | 'slow';

export interface FaultSettings {
  /** Fraction of calls that fail, 0..1. */
  errorRate: number;
  kinds: FaultKind[];
  /** Added to every answer. */
  latencyMs: number;
  /** How long a `timeout` fault holds the connection before dropping it; `slow` answers after this. */
  timeoutMs?: number;
}

export const NO_FAULTS: FaultSettings = { errorRate: 0, kinds: ['500'], latencyMs: 0 };

/** Counts what was injected, so tests can report and reconcile. */
export interface FaultStats {
  calls: number;
  injected: Record<FaultKind, number>;
}

export class FaultInjector {
  readonly stats: FaultStats = { calls: 0, injected: { '429': 0, '500': 0, '503': 0, timeout: 0, reset: 0, slow: 0 } };

  constructor(
    public settings: FaultSettings = { ...NO_FAULTS },
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Call first in a request handler. Returns true when the fault answered (or dropped) the request;
   * `before` faults happen before the emulator does any work, so a failed call changed nothing.
   * `afterWork` faults (reset after the work is done) are the nastiest: the change happened, the caller never hears.
   */
  async intercept(
    req: IncomingMessage,
    res: ServerResponse,
    errorBody: (status: number) => unknown,
  ): Promise<{ handled: boolean; dropAfterWork: boolean }> {
    this.stats.calls++;
    const { errorRate, kinds, latencyMs } = this.settings;
    if (latencyMs > 0) await sleep(latencyMs);
    if (errorRate <= 0 || kinds.length === 0 || this.random() >= errorRate) return { handled: false, dropAfterWork: false };
    const kind = kinds[Math.floor(this.random() * kinds.length)] ?? '500';
    this.stats.injected[kind]++;
    switch (kind) {
      case '429':
      case '500':
      case '503': {
        const status = Number(kind);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (status !== 500) headers['retry-after'] = '1';
        res.writeHead(status, headers).end(JSON.stringify(errorBody(status)));
        return { handled: true, dropAfterWork: false };
      }
      case 'timeout':
        await sleep(this.settings.timeoutMs ?? 2000);
        req.socket.destroy();
        return { handled: true, dropAfterWork: false };
      case 'reset':
        // Half the resets happen after the work: the emulator acts, the caller sees ECONNRESET.
        if (this.random() < 0.5) return { handled: false, dropAfterWork: true };
        req.socket.destroy();
        return { handled: true, dropAfterWork: false };
      case 'slow':
        await sleep(this.settings.timeoutMs ?? 2000);
        return { handled: false, dropAfterWork: false };
    }
  }
}

// Unref'd, so a held fault never keeps a test process alive after its emulator closed.
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

/** The emulators' notion of time: real by default, steppable in tests. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

export class ManualClock implements Clock {
  constructor(private t = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
