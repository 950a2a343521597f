// Local mode in its own process for the end-to-end benchmark, so the load generator never shares its event loop.
// Prints one JSON line (URLs, tokens, request shapes) on stdout, then serves until stdin closes; "cpu" on stdin asks for
// its CPU time. BENCH_LEDGER (main or worker) runs the embedded ledger that way instead of as local mode does.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { createInterface } from 'node:readline';
import { loadConfigFile } from '../../lib/config.js';
import { loadTemplateDir } from '../../lambda/adapters/template-files.js';
import { startEmbeddedLedger, type LedgerThread } from '../../local/embedded-ledger.js';
import { startLocalMode } from '../../local/local-mode.js';
import { BENCH_PARAMETERS, BENCH_TEMPLATE, type BenchServerInfo } from './protocol.js';

/** USER_HZ, 100 on Linux on x86 and arm (`getconf CLK_TCK`). */
const CLOCK_TICKS_PER_SECOND = 100;
const principals = Number(process.env.BENCH_PRINCIPALS ?? '200');
const config = loadConfigFile('config/local.yaml');
const dir = mkdtempSync(join(tmpdir(), 'djg-bench-'));
for (const part of [config.local, config.local.identityProvider, config.local.dataproc, config.local.databricks, config.local.googleTokens]) part.port = 0;
// jobs stay RUNNING for the whole run, so every status call asks the emulator, as for a live job
config.local.dataproc.stepMs = 10 * 60_000;
config.local.databricks.stepMs = 10 * 60_000;
config.local.auditLogFile = join(dir, 'audit.log');
// the gateway's own throttles would answer 429 before the rates under test; capacity is what is measured
config.api.throttle = { rateLimit: 100_000, burstLimit: 100_000 };
config.api.routeThrottles = {};
// a principal may run as many benchmark jobs as it likes; the slot claim (or active-jobs query) still runs on every submit
const templates = loadTemplateDir(config.templatesPath).map((t) => (t.id === BENCH_TEMPLATE ? { ...t, limits: { ...t.limits, maxActivePerPrincipal: 10_000 } } : t));

const thread = process.env.BENCH_LEDGER as LedgerThread | undefined;
const ownLedger = thread ? await startEmbeddedLedger({ thread, tableName: config.ledger.tableName }) : undefined;
if (ownLedger) {
  config.local.ledger.embedded = false;
  config.ledger.endpoint = ownLedger.endpoint;
  config.ledger.tableName = ownLedger.tableName;
}
const local = await startLocalMode(config, { quiet: true, templates });
const tokens: string[] = [];
// a few at a time: the provider is in this process, and a thousand sequential requests would only add start-up time
for (let i = 0; i < principals; i += 8) {
  const batch = Array.from({ length: Math.min(8, principals - i) }, (_, j) => local.idp!.userToken({ sub: `bench-analyst-${i + j}`, groups: ['analysts'] }));
  tokens.push(...(await Promise.all(batch)));
}

const submit = async (query = '') => {
  const res = await fetch(`${local.url}/jobs${query}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${tokens[0]}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ template: BENCH_TEMPLATE, parameters: BENCH_PARAMETERS }),
  });
  if (!res.ok) throw new Error(`POST /jobs${query} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id: string; jobId?: string; request?: { url: string; body: BenchServerInfo['dataproc']['submitBody'] } };
};
const dry = await submit('?dryRun=true');
const job = await submit();

const dataprocUrl = local.dataproc!.url;
const accessToken = local.googleTokens!.issueServiceAccountToken(config.dataproc!.credentials.serviceAccount);
const submitPath = new URL(dry.request!.url).pathname;
const direct = structuredClone(dry.request!.body);
direct.job.reference.jobId = 'bench-status-baseline';
direct.requestId = 'bench-status-baseline';
const res = await fetch(`${dataprocUrl}${submitPath}`, { method: 'POST', headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json' }, body: JSON.stringify(direct) });
if (!res.ok) throw new Error(`direct jobs:submit answered ${res.status}: ${await res.text()}`);

const info: BenchServerInfo = {
  gatewayUrl: local.url,
  tokens,
  statusJob: { id: job.id, token: tokens[0]! },
  dataproc: {
    url: dataprocUrl,
    accessToken,
    submitPath,
    submitBody: dry.request!.body,
    statusPath: submitPath.replace(/:submit$/, '/bench-status-baseline'),
  },
  principals,
};
process.stdout.write(`${JSON.stringify(info)}\n`);

// Commands on stdin, one JSON line answered for each: "cpu" (CPU time so far, to charge CPU per request), and
// "profile start" / "profile stop" (a V8 CPU profile of just that window, to say where the CPU goes).
const inspector = new Session();
inspector.connect();
const answer = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = line.trim();
  if (command === 'cpu') {
    const { user, system } = process.cpuUsage();
    answer({ cpuMs: (user + system) / 1000, mainThreadMs: statCpuMs(`/proc/self/task/${process.pid}/stat`) });
  } else if (command === 'profile start') {
    void inspector.post('Profiler.enable').then(() => inspector.post('Profiler.start')).then(() => answer({ ok: true }));
  } else if (command === 'profile stop') {
    void inspector.post('Profiler.stop').then(({ profile }) => answer({ profile }));
  }
});
process.stdin.on('end', () => {
  inspector.disconnect();
  void local.stop().then(async () => {
    await ownLedger?.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});

/** utime + stime of a /proc stat file (here one thread: the main thread's id is the process id), in ms (Linux). */
function statCpuMs(file: string): number {
  const fields = statFields(file);
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** The fields after the command's closing parenthesis: state, ppid, ... utime (14th of the file), stime (15th). */
function statFields(file: string): string[] {
  const stat = readFileSync(file, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
