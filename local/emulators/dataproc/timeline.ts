// A workload's states laid out on the clock at submit time; reading it at `now` gives the current state and history.

export interface Transition<S extends string> {
  readonly state: S;
  /** Epoch milliseconds when the state is entered. */
  readonly at: number;
  readonly message?: string;
}

export class Timeline<S extends string> {
  private transitions: Transition<S>[];

  /** `states` are entered one `stepMs` apart, starting at `start`. */
  constructor(start: number, stepMs: number, states: readonly (S | Omit<Transition<S>, 'at'>)[]) {
    this.transitions = states.map((s, i) => ({ ...(typeof s === 'string' ? { state: s } : s), at: start + i * stepMs }));
  }

  /** The transitions that have happened by `now`, oldest first; never empty (the first state is entered at submit). */
  seen(now: number): Transition<S>[] {
    const seen = this.transitions.filter((t) => t.at <= now);
    return seen.length ? seen : this.transitions.slice(0, 1);
  }

  current(now: number): Transition<S> {
    const seen = this.seen(now);
    return seen[seen.length - 1]!;
  }

  /** Replace what has not happened yet with `states`, the first entered at `now`, then one `stepMs` apart. */
  divert(now: number, stepMs: number, states: readonly (S | Omit<Transition<S>, 'at'>)[]): void {
    const past = this.seen(now);
    const future = states.map((s, i) => ({ ...(typeof s === 'string' ? { state: s } : s), at: now + i * stepMs }));
    this.transitions = [...past, ...future];
  }
}

export const timestamp = (ms: number) => new Date(ms).toISOString();
