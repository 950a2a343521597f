// Failure injection at any call the rotation makes: wrap each dependency, then arm one fault at (step, dependency,
// method, nth call), failing either before the call (nothing happened) or after it (it happened; the answer was lost).
import type { RotationStep } from '../../lambda/rotation/rotation.js';

type FaultWhen = 'before' | 'after';

export interface CallSite {
  readonly step: RotationStep;
  readonly target: string;
  readonly method: string;
  /** 1-based, within the step. */
  readonly occurrence: number;
}

export interface FaultSpec extends CallSite {
  readonly when: FaultWhen;
}

export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

export const describeFault = (f: FaultSpec) => `${f.step}: ${f.when === 'before' ? 'before' : 'after'} ${f.target}.${f.method}#${f.occurrence}`;

export class FaultPlan {
  private step: RotationStep | undefined;
  private armed: FaultSpec[] = [];
  private counts = new Map<string, number>();
  /** Every call made since the last `record()`, for building the list of call sites. */
  readonly calls: CallSite[] = [];
  fired = false;

  enterStep(step: RotationStep): void {
    this.step = step;
    this.counts = new Map();
  }

  /** Each fault fires once, at its call site. */
  arm(...faults: FaultSpec[]): void {
    this.armed = [...faults];
    this.fired = false;
  }

  disarm(): void {
    this.armed = [];
  }

  wrap<T extends object>(target: string, obj: T): T {
    return new Proxy(obj, {
      get: (o, prop, receiver) => {
        const member = Reflect.get(o, prop, receiver) as unknown;
        if (typeof member !== 'function' || typeof prop !== 'string') return member;
        return async (...args: unknown[]) => {
          const site = this.count(target, prop);
          const hit = this.take(site);
          if (hit?.when === 'before') this.fire(site);
          const result = await Reflect.apply(member as (...a: unknown[]) => unknown, o, args);
          if (hit?.when === 'after') this.fire(site);
          return result;
        };
      },
    });
  }

  private count(target: string, method: string): CallSite | undefined {
    if (!this.step) return undefined;
    const key = `${target}.${method}`;
    const occurrence = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, occurrence);
    const site = { step: this.step, target, method, occurrence };
    this.calls.push(site);
    return site;
  }

  private take(site: CallSite | undefined): FaultSpec | undefined {
    if (!site) return undefined;
    const i = this.armed.findIndex((f) => f.step === site.step && f.target === site.target && f.method === site.method && f.occurrence === site.occurrence);
    return i < 0 ? undefined : this.armed.splice(i, 1)[0];
  }

  private fire(site: CallSite | undefined): never {
    this.fired = true;
    throw new InjectedFault(`injected failure at ${site?.step}: ${site?.target}.${site?.method}#${site?.occurrence}`);
  }
}

/** Every distinct call site of a clean run, each failing before, and the mutating ones also after. */
export function faultsFor(calls: readonly CallSite[], mutating: ReadonlySet<string>): FaultSpec[] {
  const seen = new Set<string>();
  const faults: FaultSpec[] = [];
  for (const c of calls) {
    const key = `${c.step}|${c.target}.${c.method}#${c.occurrence}`;
    if (seen.has(key)) continue;
    seen.add(key);
    faults.push({ ...c, when: 'before' });
    if (mutating.has(`${c.target}.${c.method}`)) faults.push({ ...c, when: 'after' });
  }
  return faults;
}
