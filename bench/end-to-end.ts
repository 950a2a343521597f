// Benchmark 3: end to end in local mode. Submit and status through the local gateway (authorizer, handler, ledger,
// Dataproc backend, emulator) at fixed rates, against the same calls made straight to the Dataproc emulator.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { RawRequest } from 'autocannon';
import type { LedgerThread } from '../local/embedded-ledger.js';
import { BENCH_PARAMETERS, BENCH_TEMPLATE, type BenchServerInfo } from './e2e/protocol.js';
import { selfTimeByPackage, type CpuProfile } from './lib/cpu-profile.js';
import { fixedRateLoad, sustained, type LoadResult } from './lib/load.js';
import { figure, num, ratio, type Figure, type SectionResult } from './lib/report.js';
import { median } from './lib/stats.js';

export interface EndToEndOptions {
  readonly projectRoot: string;
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly profileSeconds: number;
  /** Distinct principals (tokens) the submits rotate over. */
  readonly principals: number;
  /**
   * Other ways to run the embedded ledger, each in its own server measured alongside local mode as shipped (submits
   * only, interleaved rate by rate), to size a change to local/embedded-ledger.ts in one run.
   */
  readonly ledgers?: readonly LedgerThread[];
}

interface Measured extends LoadResult {
  /** Server CPU milliseconds per response (gateway, handlers, ledger and emulators share the one process). */
  readonly cpuMsPerRequest: number;
  /** The part of it on the main thread, whose one event loop runs the gateway, the handlers and the emulators. */
  readonly mainThreadMsPerRequest: number;
}

const LEDGER_PLACES: Record<LedgerThread, string> = { main: 'on the main thread', worker: 'in a worker thread' };

/** A rate every path sustains, for the profiled window. */
const PROFILE_RATE = 50;

/** The rate issue 7 sets the p99 target at. */
const TARGET_RATE = 200;
const TARGET_P99_MS = 25;

interface BenchServer {
  readonly info: BenchServerInfo;
  /** Sends one command line (see e2e/server.ts) and returns its JSON answer. */
  command<T>(line: string): Promise<T>;
  stop(): Promise<void>;
}

async function startServer(projectRoot: string, principals: number, ledger?: LedgerThread): Promise<BenchServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/e2e/server.ts'], {
    cwd: projectRoot,
    env: { ...process.env, NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', BENCH_PRINCIPALS: String(principals), ...(ledger && { BENCH_LEDGER: ledger }) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const waiting: ((line: string | undefined) => void)[] = [];
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  void exited.then(() => waiting.splice(0).forEach((w) => w(undefined)));
  const nextLine = () => (lines.length ? Promise.resolve(lines.shift()) : new Promise<string | undefined>((resolve) => waiting.push(resolve)));
  const first = await nextLine();
  if (!first) throw new Error('the local-mode benchmark server exited before it was ready');
  return {
    info: JSON.parse(first) as BenchServerInfo,
    async command<T>(command: string) {
      child.stdin!.write(`${command}\n`);
      const line = await nextLine();
      if (!line) throw new Error('the local-mode benchmark server exited');
      return JSON.parse(line) as T;
    },
    async stop() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function runEndToEndBench(options: EndToEndOptions): Promise<SectionResult> {
  const started = Date.now();
  const server = await startServer(options.projectRoot, options.principals);
  const variants: { ledger: LedgerThread; server: BenchServer }[] = [];
  const { info } = server;
  // the load plus the server's CPU time per response: CPU per request holds up on a busy machine better than latency
  const measure = async (url: string, rate: number, seconds: number, request: () => RawRequest, on = server): Promise<Measured> => {
    const cpu = () => on.command<{ cpuMs: number; mainThreadMs: number }>('cpu');
    const before = await cpu();
    const result = await fixedRateLoad({ url, rate, seconds, request });
    const after = await cpu();
    const per = (ms: number) => ms / Math.max(1, result.responses);
    return { ...result, cpuMsPerRequest: per(after.cpuMs - before.cpuMs), mainThreadMsPerRequest: per(after.mainThreadMs - before.mainThreadMs) };
  };
  try {
    for (const ledger of options.ledgers ?? []) variants.push({ ledger, server: await startServer(options.projectRoot, options.principals, ledger) });
    const submitBody = JSON.stringify({ template: BENCH_TEMPLATE, parameters: BENCH_PARAMETERS });
    const submitTo = (tokens: readonly string[]) => {
      let n = 0;
      return (): RawRequest => ({ method: 'POST', path: '/jobs', headers: { authorization: `Bearer ${tokens[n++ % tokens.length]!}`, 'content-type': 'application/json' }, body: submitBody });
    };
    const gatewaySubmit = submitTo(info.tokens);
    const gatewayStatus = (): RawRequest => ({ method: 'GET', path: `/jobs/${info.statusJob.id}`, headers: { authorization: `Bearer ${info.statusJob.token}` } });
    const dp = info.dataproc;
    const dpHeaders = { authorization: `Bearer ${dp.accessToken}`, 'content-type': 'application/json' };
    let direct = 0;
    const emulatorSubmit = (): RawRequest => {
      const id = `bench-direct-${process.pid}-${direct++}`;
      const body = { ...dp.submitBody, job: { ...dp.submitBody.job, reference: { ...dp.submitBody.job.reference, jobId: id } }, requestId: id };
      return { method: 'POST', path: dp.submitPath, headers: dpHeaders, body: JSON.stringify(body) };
    };
    const emulatorStatus = (): RawRequest => ({ method: 'GET', path: dp.statusPath, headers: { authorization: `Bearer ${dp.accessToken}` } });

    const cases = [
      { route: 'submit', gateway: gatewaySubmit, emulator: emulatorSubmit },
      { route: 'status', gateway: gatewayStatus, emulator: emulatorStatus },
    ] as const;
    // every token once through the gateway, so its authorizer cache holds them all (as API Gateway's would for
    // returning callers) and no rate pays more first-seen tokens than another
    for (const s of [server, ...variants.map((v) => v.server)]) {
      await inBatches(s.info.tokens, 8, async (t) => {
        const res = await fetch(`${s.info.gatewayUrl}/templates`, { headers: { authorization: `Bearer ${t}` } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`GET /templates answered ${res.status} while warming the authorizer cache`);
      });
    }
    // a short warm-up of every path (JIT, connection pools, Google token) before anything is recorded
    for (const c of cases) {
      await fixedRateLoad({ url: info.gatewayUrl, rate: 50, seconds: 1, request: c.gateway });
      await fixedRateLoad({ url: dp.url, rate: 50, seconds: 1, request: c.emulator });
    }
    const variantSubmits = variants.map((v) => ({ ...v, submit: submitTo(v.server.info.tokens) }));
    for (const v of variantSubmits) await fixedRateLoad({ url: v.server.info.gatewayUrl, rate: 50, seconds: 1, request: v.submit });
    const results: { route: string; rate: number; gateway: Measured; emulator: Measured }[] = [];
    const variantResults: { ledger: LedgerThread; rate: number; gateway: Measured }[] = [];
    for (const rate of options.rates) {
      for (const c of cases) {
        const gateway = await measure(info.gatewayUrl, rate, options.seconds, c.gateway);
        const emulator = await measure(dp.url, rate, options.seconds, c.emulator);
        results.push({ route: c.route, rate, gateway, emulator });
        if (c.route !== 'submit') continue;
        for (const v of variantSubmits) {
          variantResults.push({ ledger: v.ledger, rate, gateway: await measure(v.server.info.gatewayUrl, rate, options.seconds, v.submit, v.server) });
        }
      }
    }

    // where a submit's CPU goes: a CPU profile of the server over a window at a rate it sustains
    await server.command('profile start');
    const profiled = await fixedRateLoad({ url: info.gatewayUrl, rate: PROFILE_RATE, seconds: options.profileSeconds, request: gatewaySubmit });
    const { profile } = await server.command<{ profile: CpuProfile }>('profile stop');
    const byPackage = [...selfTimeByPackage(profile, options.projectRoot)].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]);
    const perSubmit = (ms: number) => num(ms / Math.max(1, profiled.responses));
    const profiledTotal = byPackage.reduce((n, [, ms]) => n + ms, 0);

    const at = (route: string, rate: number) => results.find((r) => r.route === route && r.rate === rate);
    const highest = (route: string, side: 'gateway' | 'emulator') =>
      Math.max(0, ...results.filter((r) => r.route === route && sustained(r[side])).map((r) => r.rate));
    const figures: Figure[] = [];
    const target = at('submit', TARGET_RATE) ?? at('submit', options.rates.filter((r) => r <= TARGET_RATE).at(-1) ?? options.rates[0]!)!;
    figures.push(
      figure(`submit p99 through the gateway at ${target.rate} req/s`, target.gateway.p99, 'ms', { name: 'emulator direct', value: target.emulator.p99 }, target.rate === TARGET_RATE ? { comparison: '<=', bound: TARGET_P99_MS, of: 'value' } : undefined),
      figure(`submit p50 through the gateway at ${target.rate} req/s`, target.gateway.p50, 'ms', { name: 'emulator direct', value: target.emulator.p50 }),
    );
    const status = at('status', target.rate);
    if (status) {
      figures.push(
        figure(`status p99 through the gateway at ${status.rate} req/s`, status.gateway.p99, 'ms', { name: 'emulator direct', value: status.emulator.p99 }),
        figure(`status p50 through the gateway at ${status.rate} req/s`, status.gateway.p50, 'ms', { name: 'emulator direct', value: status.emulator.p50 }),
      );
    }
    for (const route of ['submit', 'status']) {
      figures.push(figure(`highest ${route} rate sustained without errors (of those tried)`, highest(route, 'gateway'), 'req/s', { name: 'emulator direct', value: highest(route, 'emulator') }));
    }
    // CPU per request over every rate the gateway sustained (at saturation, queued work inflates nothing but latency)
    const cpu = (route: string, side: 'gateway' | 'emulator', of: 'cpuMsPerRequest' | 'mainThreadMsPerRequest' = 'cpuMsPerRequest') =>
      median(results.filter((r) => r.route === route).map((r) => r[side][of]));
    const notes: string[] = [];
    for (const route of ['submit', 'status']) {
      figures.push(figure(`server CPU per ${route} through the gateway`, cpu(route, 'gateway'), 'ms', { name: 'emulator direct', value: cpu(route, 'emulator') }));
      const main = cpu(route, 'gateway', 'mainThreadMsPerRequest');
      notes.push(
        `A ${route} through the gateway costs ${num(cpu(route, 'gateway'))} ms of CPU in the local-mode process (median over rates), ${num(main)} ms of it on the main thread, whose one event loop runs the gateway, the handlers and the emulators: it serves at most about ${num(1000 / main)} of them per second before requests queue.`,
      );
    }
    const peak = (rows: readonly Measured[]) => Math.max(0, ...rows.map((r) => r.achieved));
    const shippedSubmits = results.filter((r) => r.route === 'submit').map((r) => r.gateway);
    if (options.ledgers?.length) {
      figures.push(figure('main-thread CPU per submit as shipped', cpu('submit', 'gateway', 'mainThreadMsPerRequest'), 'ms', { name: 'whole process', value: cpu('submit', 'gateway') }));
    }

    for (const ledger of options.ledgers ?? []) {
      const mine = variantResults.filter((r) => r.ledger === ledger);
      const atTarget = mine.find((r) => r.rate === target.rate);
      const as = `with the ledger ${LEDGER_PLACES[ledger]}`;
      if (atTarget) figures.push(figure(`submit p99 at ${target.rate} req/s ${as}`, atTarget.gateway.p99, 'ms', { name: 'as shipped', value: target.gateway.p99 }));
      figures.push(
        figure(`highest submit rate sustained ${as}`, Math.max(0, ...mine.filter((r) => sustained(r.gateway)).map((r) => r.rate)), 'req/s', { name: 'as shipped', value: highest('submit', 'gateway') }),
        figure(`peak submit throughput ${as}`, peak(mine.map((r) => r.gateway)), 'req/s', { name: 'as shipped', value: peak(shippedSubmits) }),
        figure(`server CPU per submit ${as}`, median(mine.map((r) => r.gateway.cpuMsPerRequest)), 'ms', { name: 'as shipped', value: cpu('submit', 'gateway') }),
        figure(`main-thread CPU per submit ${as}`, median(mine.map((r) => r.gateway.mainThreadMsPerRequest)), 'ms', { name: 'as shipped', value: cpu('submit', 'gateway', 'mainThreadMsPerRequest') }),
      );
    }

    const cell = (r: Measured) => `${num(r.achieved)} / ${num(r.p50)} / ${num(r.p99)} / ${num(r.cpuMsPerRequest)} (${num(r.mainThreadMsPerRequest)})${r.non2xx + r.errors ? ` / ${describeFailures(r)}` : ''}`;
    return {
      id: 'end-to-end',
      title: '3. End to end in local mode',
      method: [
        'Local mode (`startLocalMode` with config/local.yaml: local IdP, gateway, authorizer, handlers, dynalite ledger in its own worker thread, Dataproc and Google token emulators) in a child process; autocannon 9 in this one, on loopback. Server CPU is the whole process (all threads), read from the kernel; main-thread CPU from /proc/<pid>/task/<pid>/stat.',
        ...(options.ledgers?.length
          ? [`Also, for the same submits and rates, interleaved with the runs as shipped: one more local-mode server per other placement of the ledger (${options.ledgers.map((l) => LEDGER_PLACES[l]).join(', ')}), started by bench/e2e/server.ts with BENCH_LEDGER.`]
          : []),
        `Submit: \`POST /jobs\` of template ${BENCH_TEMPLATE} (a Dataproc cluster job), rotating over ${info.principals} principals' tokens (each sent once through the gateway beforehand, so its authorizer cache holds them); status: \`GET /jobs/{id}\` of a RUNNING job (each call reads the ledger and asks the emulator). Baseline: the same jobs:submit body (from a dry run, with fresh ids) and jobs.get sent straight to the Dataproc emulator.`,
        `Fixed rates ${options.rates.join(', ')} req/s for ${options.seconds} s each; to keep requests spread over each second, the load is ${'`rate/10`'} one-connection autocannon instances with staggered start, each sending 10 requests per second; latency of every response in float ms (coordinated-omission correction off).`,
        "Gateway throttles are lifted and the template's maxActivePerPrincipal raised for the run (the slot claim still runs on every submit; with many principals each one's slot set stays small, as for real callers): capacity is measured, not the configured limits. Handlers log quietly; audit lines still go to the audit file.",
      ],
      figures,
      tables: [
        {
          title: 'Per rate: achieved req/s / p50 ms / p99 ms / server CPU ms per request (of it on the main thread) (/ failures)',
          header: ['route', 'rate', 'gateway', 'emulator direct', 'p50 ratio', 'p99 ratio', 'sustained'],
          rows: [
            ...results.map((r) => [r.route, String(r.rate), cell(r.gateway), cell(r.emulator), ratio(r.gateway.p50 / r.emulator.p50), ratio(r.gateway.p99 / r.emulator.p99), sustained(r.gateway) ? 'yes' : 'no']),
            ...variantResults.map((v) => {
              const e = at('submit', v.rate)!.emulator;
              return [`submit, ledger ${LEDGER_PLACES[v.ledger]}`, String(v.rate), cell(v.gateway), cell(e), ratio(v.gateway.p50 / e.p50), ratio(v.gateway.p99 / e.p99), sustained(v.gateway) ? 'yes' : 'no'];
            }),
          ],
        },
        {
          title: `Where a submit's main-thread CPU goes: ${perSubmit(profiledTotal)} ms per submit (V8 CPU profile of the server's main thread, ${profiled.responses} submits at ${PROFILE_RATE} req/s)`,
          header: ['package (self time)', 'ms per submit', 'share'],
          rows: byPackage.slice(0, 14).map(([name, ms]) => [name, perSubmit(ms), `${Math.round((100 * ms) / profiledTotal)}%`]),
        },
      ],
      notes,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await Promise.all([server, ...variants.map((v) => v.server)].map((s) => s.stop()));
  }
}

async function inBatches<T>(items: readonly T[], size: number, each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
}

function describeFailures(r: LoadResult): string {
  const codes = Object.entries(r.statusCounts).filter(([s]) => !s.startsWith('2')).map(([s, n]) => `${n}×${s}`);
  return [...codes, ...(r.errors ? [`${r.errors} errors`] : [])].join(' ');
}
