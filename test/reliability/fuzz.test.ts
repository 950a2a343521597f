// Request fuzzing through the local gateway: thousands of generated hostile requests, and not one 5xx, non-problem
// error, stack trace, token or secret in any answer or in any log line the gateway wrote meanwhile.
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '../../lib/config.js';
import { LOCAL_AWS } from '../../local/embedded-ledger.js';
import { startLocalMode, type LocalMode } from '../../local/local-mode.js';
import { parseTemplate } from '../../lambda/core/template-loader.js';
import { loadTemplateDir } from '../../lambda/adapters/template-files.js';
import { CATEGORIES, generateHostileRequests, type HostileRequest } from './hostile-requests.js';
import { inPool, seededRandom } from './support.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? 8675309);
const COUNT = Number(process.env.FUZZ_COUNT ?? 2200);
const CONCURRENCY = 8;
const SENSITIVE_MARKER = 'fuzzsensitive7q3';

// Free-form string parameters reach the rendered backend request: the path injection strings must travel unharmed.
const FREEFORM = [
  parseTemplate(
    `id: fuzz-freeform
description: fuzz target, Dataproc
backend: dataproc
allowedGroups: [analysts]
parameters: {type: object, additionalProperties: false, required: [argument], properties: {argument: {type: string, maxLength: 512}}}
dataproc: {job: {placement: {clusterName: etl-cluster}, pysparkJob: {mainPythonFileUri: gs://b/p.py, args: ["--argument", "{{argument}}"]}}}
`,
    'fuzz-freeform.yaml',
  ),
  parseTemplate(
    `id: fuzz-freeform-databricks
description: fuzz target, Databricks
backend: databricks
allowedGroups: [analysts]
parameters: {type: object, additionalProperties: false, required: [argument], properties: {argument: {type: string, maxLength: 512}}}
databricks: {submit: {run_name: "fuzz", tasks: [{task_key: t, notebook_task: {notebook_path: /p, base_parameters: {argument: "{{argument}}"}}}]}}
`,
    'fuzz-freeform-databricks.yaml',
  ),
];

let local: LocalMode;
/** What the loggers wrote to stdout/stderr, and what the audit trail recorded. */
const logLines: string[] = [];
const auditLines: string[] = [];
const restoreWrites: (() => void)[] = [];

/** Everything the process writes while the gateway runs is a log line to inspect (Powertools logs to stdout/stderr). */
function captureProcessOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logLines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof stream.write;
    restoreWrites.push(() => (stream.write = original));
  }
}
const restoreProcessOutput = () => restoreWrites.splice(0).forEach((restore) => restore());

beforeAll(async () => {
  const config = loadConfigFile('config/local.yaml');
  for (const part of [config.local, config.local.identityProvider, config.local.dataproc, config.local.databricks, config.local.googleTokens]) part.port = 0;
  config.local.dataproc.stepMs = 150;
  config.local.databricks.stepMs = 150;
  config.local.auditLogFile = join(mkdtempSync(join(tmpdir(), 'djg-fuzz-')), 'audit.log');
  // The stage throttle would answer most of the burst with 429 before the handlers see it.
  config.api.throttle = { rateLimit: 100000, burstLimit: 100000 };
  config.api.routeThrottles = {};
  captureProcessOutput();
  // Not quiet: the loggers write at INFO, and every line is checked.
  local = await startLocalMode(config, { templates: [...loadTemplateDir('templates'), ...FREEFORM], auditSinks: [(line) => auditLines.push(JSON.stringify(line))] });
});
afterAll(async () => {
  await local?.stop();
  restoreProcessOutput();
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

function send(req: HostileRequest): Promise<Answer> {
  const url = new URL(local.url);
  // Raw header lists get nothing added by Node: Host (HTTP/1.1 requires it) and Content-Length are ours to send.
  const headers = [...(req.headers.some((h, k) => k % 2 === 0 && h.toLowerCase() === 'host') ? [] : ['Host', url.host]), ...req.headers];
  if (req.body) headers.push('Content-Length', String(req.body.length));
  return new Promise((resolve, reject) => {
    const out = httpRequest({ host: url.hostname, port: url.port, method: req.method, path: req.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    out.on('error', reject);
    out.end(req.body);
  });
}

const STACK_TRACE = /\bat (?:async )?[\w$.<>[\] ]+ \((?:file:\/\/|node:|\/)[^)]*:\d+:\d+\)|\n\s+at \S+:\d+:\d+|node:internal\//;

it(`answers ${COUNT} generated hostile requests with no 5xx, only problem+json errors, and no secret anywhere`, async () => {
  const started = Date.now();
  const idp = local.idp!;
  const tokens = {
    analyst: await idp.userToken({ sub: 'fuzz-alice', groups: ['analysts', 'account-managers'] }),
    admin: await idp.userToken({ sub: 'fuzz-root', groups: ['platform-admins'] }),
    agent: await idp.agentToken({}),
    scientist: await idp.userToken({ sub: 'fuzz-dana', groups: ['data-science'] }),
  };
  const seedJob = await fetch(`${local.url}/jobs`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${tokens.analyst}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ template: 'fuzz-freeform', parameters: { argument: 'seed' } }),
  });
  expect(seedJob.status).toBe(202);
  const jobId = ((await seedJob.json()) as { id: string }).id;

  const requests = generateHostileRequests({ random: seededRandom(SEED), tokens, jobId, issuer: idp.issuer, sensitiveMarker: SENSITIVE_MARKER }, COUNT);
  const secrets = [...Object.values(tokens), 'dapi-local-', 'local-gateway-secret', LOCAL_AWS.credentials.secretAccessKey, SENSITIVE_MARKER];
  const secretPatterns = [/ya29\.[\w-]{8,}/, /BEGIN [A-Z ]*PRIVATE KEY/];
  /** What `text` gives away, named by the first characters only; `allowed` is what this answer may show its caller. */
  const leaks = (text: string, allowed: readonly string[] = []) =>
    secrets
      .filter((s) => !allowed.includes(s) && text.includes(s))
      .map((s) => `${s.slice(0, 12)}…`)
      .concat(secretPatterns.filter((p) => p.test(text)).map(String));

  // WHEN every request is sent, eight at a time
  const answers = await inPool(requests, CONCURRENCY, (req) => send(req));

  // THEN every answer is a valid success or a problem+json error below 500, with nothing it should not carry
  const failures: string[] = [];
  const statuses: Record<string, number> = {};
  const perCategory: Record<string, number> = {};
  answers.forEach((a, i) => {
    const req = requests[i]!;
    statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    perCategory[req.category] = (perCategory[req.category] ?? 0) + 1;
    const where = `#${i} ${req.category} ${req.method} ${req.path.slice(0, 80)} → ${a.status}`;
    const problems: string[] = [];
    if (a.status >= 500) problems.push('5xx');
    const type = String(a.headers['content-type'] ?? '');
    if (req.method !== 'HEAD' && a.status !== 204) {
      let body: any;
      try {
        body = JSON.parse(a.text);
      } catch {
        problems.push('body is not JSON');
      }
      if (a.status >= 400) {
        if (type !== 'application/problem+json') problems.push(`content-type ${type}`);
        if (body && (body.status !== a.status || typeof body.type !== 'string' || typeof body.title !== 'string')) problems.push('not a problem document');
      } else if (!type.startsWith('application/json')) problems.push(`content-type ${type}`);
    }
    if (STACK_TRACE.test(a.text)) problems.push('stack trace');
    // A dry run answers with the exact backend request, so it shows the caller the sensitive value the caller sent.
    const leaked = leaks(a.text, req.path.includes('dryRun=true') && a.status === 200 ? [SENSITIVE_MARKER] : []);
    if (leaked.length) problems.push(`leaks ${leaked.join(', ')}`);
    if (problems.length) failures.push(`${where}: ${problems.join('; ')}`);
  });
  // …the injection strings accepted into free-form parameters reached the backend exactly as sent, never expanded…
  let injectedVerbatim = 0;
  answers.forEach((a, i) => {
    const req = requests[i]!;
    if (a.status !== 202 || req.category !== 'injections' || !req.body) return;
    const sent = JSON.parse(req.body.toString('utf8')) as { template: string; parameters: { argument?: string } };
    if (sent.template !== 'fuzz-freeform') return;
    const id = (JSON.parse(a.text) as { id: string }).id;
    const args = local.dataproc!.jobs().find((j) => j.job.reference?.jobId === id)?.job.pysparkJob?.args;
    if (JSON.stringify(args) === JSON.stringify(['--argument', sent.parameters.argument])) injectedVerbatim++;
    else failures.push(`#${i} injection ${JSON.stringify(sent.parameters.argument)} reached Dataproc as ${JSON.stringify(args)}`);
  });
  // …and no line the gateway logged or audited meanwhile holds a stack trace, a token or a secret.
  const badLogLines = [...logLines, ...auditLines].filter((l) => STACK_TRACE.test(l) || leaks(l).length).map((l) => l.slice(0, 300));

  restoreProcessOutput();
  console.log(
    `[reliability/fuzz] seed=${SEED} requests=${requests.length} categories=${CATEGORIES.length} perCategory=${JSON.stringify(perCategory)} ` +
      `statuses=${JSON.stringify(statuses)} injectedVerbatim=${injectedVerbatim} failures=${failures.length} logWrites=${logLines.length} auditLines=${auditLines.length} badLogLines=${badLogLines.length} elapsedMs=${Date.now() - started}`,
  );
  expect(failures.slice(0, 20)).toEqual([]);
  expect(badLogLines.slice(0, 5)).toEqual([]);
  // The capture really saw the loggers: the audit trail is also written through Powertools to stdout.
  expect(logLines.length).toBeGreaterThanOrEqual(auditLines.length);
  expect(requests.length).toBeGreaterThanOrEqual(2000);
  expect(Object.keys(perCategory).sort()).toEqual([...CATEGORIES].sort());
  // Something did get through to the handlers and the backends: the fuzz is not just bouncing off the edge.
  expect(statuses['202']).toBeGreaterThan(0);
  expect(statuses['422']).toBeGreaterThan(0);
  expect(injectedVerbatim).toBeGreaterThan(0);
}, 120_000);
