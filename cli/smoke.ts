// `npm run smoke -- --url <api-url> [--token <jwt> | --token-command "<cmd>"] [--submit <template>]`: checks a deployed
// gateway (or `npm start`) from the outside in seconds, one line per check, and exits 1 if any check fails.
import { exec } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { createAjv } from '../contract/validation.js';

export const USAGE = `usage: npm run smoke -- --url <api-url> [--token <jwt> | --token-command "<cmd>"] [--submit <template>] [options]

Checks a deployed gateway (the stack's ApiUrl output) or local mode (npm start): a request without a token is
refused with 401 problem+json, an unknown route answers 404 problem+json, /openapi.json is served; with a token,
GET /templates and a dry-run submit; with --submit, a real submit of that template, its status, and its cancellation.

options:
  --url <url>              the API's base URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/v1/
  --token <jwt>            a bearer token from the identity provider
  --token-command <cmd>    a shell command that prints the token (e.g. "npm run -s token -- --sub alice --groups analysts")
  --submit <template>      also submit this template for real, read its status and cancel it
  --parameters <json>      the template's parameters (default: filled from its schema's defaults, examples and formats)
  --api-key <key>          x-api-key, when the stack has a usage plan
  --timeout <seconds>      give up after this long in all (default 30)
  -h, --help               this text

exit status: 0 every check passed, 1 a check failed, 2 the command line is wrong`;

export interface SmokeIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

class UsageError extends Error {}

/** A check that did not see what it expects; the message says what it saw. */
class CheckFailed extends Error {}

interface Options {
  readonly base: URL;
  readonly tokenSource?: { readonly token: string } | { readonly command: string };
  readonly submit?: string;
  readonly parameters?: Record<string, unknown>;
  readonly apiKey?: string;
  readonly timeoutMs: number;
}

export async function main(argv: readonly string[], io: SmokeIo): Promise<number> {
  let options: Options;
  try {
    const parsed = parseOptions(argv);
    if (parsed === 'help') {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    options = parsed;
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof TypeError)) throw err;
    io.stderr(`smoke: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  const deadline = Date.now() + options.timeoutMs;
  const http = client(options.base, deadline, options.apiKey);
  let failures = 0;
  const check = async <T>(name: string, run: () => Promise<{ seen: string; value?: T }>): Promise<T | undefined> => {
    try {
      const { seen, value } = await run();
      io.stdout(`✓ ${name.padEnd(16)} ${seen}\n`);
      return value;
    } catch (err) {
      failures++;
      io.stdout(`✗ ${name.padEnd(16)} ${err instanceof CheckFailed ? err.message : describeError(err)}\n`);
      return undefined;
    }
  };

  await check('unauthenticated', async () => {
    const res = await http('GET', 'templates');
    expectProblem(res, 401);
    const challenge = res.headers.get('www-authenticate');
    if (!challenge?.startsWith('Bearer')) throw new CheckFailed(`401 without a Bearer WWW-Authenticate header (got ${JSON.stringify(challenge)})`);
    return { seen: `GET /templates without a token → 401 problem+json, WWW-Authenticate: ${challenge}` };
  });
  await check('unknown route', async () => {
    const path = `smoke-no-such-route-${randomUUID().slice(0, 8)}`;
    const res = await http('GET', path);
    const problem = expectProblem(res, 404);
    return { seen: `GET /${path} → 404 problem+json "${problem.title}"` };
  });
  await check('openapi', async () => {
    const res = await http('GET', 'openapi.json');
    const doc = expectJson(res, 200) as { openapi?: string; paths?: Record<string, unknown> };
    if (!doc.openapi?.startsWith('3.') || !doc.paths?.['/jobs']) throw new CheckFailed(`200, but not this API's OpenAPI document (openapi ${JSON.stringify(doc.openapi)})`);
    return { seen: `GET /openapi.json → 200 OpenAPI ${doc.openapi}, ${Object.keys(doc.paths).length} paths` };
  });

  if (!options.tokenSource) {
    io.stdout(`  (no --token: /templates, the dry-run and --submit need one)\n`);
  } else {
    const token = await check('token', async () => {
      const value = await obtainToken(options.tokenSource!, deadline);
      return { seen: 'command' in options.tokenSource! ? 'from --token-command' : 'from --token', value };
    });
    if (token !== undefined) await withToken(token);
  }
  io.stdout(failures === 0 ? 'all checks passed\n' : `${failures} check${failures === 1 ? '' : 's'} failed\n`);
  return failures === 0 ? 0 : 1;

  async function withToken(token: string): Promise<void> {
    const auth = { Authorization: `Bearer ${token}` };
    const templates = await check('templates', async () => {
      const res = await http('GET', 'templates', { headers: auth });
      const body = expectJson(res, 200) as { templates?: TemplateSummary[] };
      if (!Array.isArray(body.templates)) throw new CheckFailed('200, but no templates list');
      const ids = body.templates.map((t) => t.id);
      return { seen: `GET /templates → 200, ${ids.length} visible${ids.length ? `: ${ids.slice(0, 6).join(', ')}${ids.length > 6 ? ', ...' : ''}` : ''}`, value: body.templates };
    });
    const request = await check('dry-run', async () => {
      if (!templates) throw new CheckFailed('not run: /templates failed');
      const chosen = chooseTemplate(templates, options, io.now?.() ?? new Date());
      const res = await http('POST', 'jobs?dryRun=true', { headers: auth, body: chosen });
      const body = expectJson(res, 200) as { dryRun?: boolean; backend?: string; request?: { method?: string; url?: string } };
      if (body.dryRun !== true) throw new CheckFailed('200, but not a dry run');
      return { seen: `POST /jobs?dryRun=true ${chosen.template} → 200 ${body.backend}: ${body.request?.method} ${body.request?.url}`, value: chosen };
    });
    if (!options.submit) return;

    const job = await check('submit', async () => {
      if (!request) throw new CheckFailed('not run: the dry run failed');
      const res = await http('POST', 'jobs', { headers: { ...auth, 'Idempotency-Key': `smoke-${randomUUID()}` }, body: request });
      const body = expectJson(res, 202) as { id?: string; status?: string };
      if (!body.id) throw new CheckFailed('202, but no job id');
      return { seen: `POST /jobs ${request.template} → 202 ${body.id} ${body.status}`, value: body.id };
    });
    await check('status', async () => {
      if (!job) throw new CheckFailed('not run: the submit failed');
      const res = await http('GET', `jobs/${encodeURIComponent(job)}`, { headers: auth });
      const body = expectJson(res, 200) as { id?: string; status?: string; backendStatus?: string };
      if (body.id !== job) throw new CheckFailed(`200, but job ${JSON.stringify(body.id)} instead of ${job}`);
      return { seen: `GET /jobs/${job} → 200 ${body.status} (backend ${body.backendStatus})` };
    });
    await check('cancel', async () => {
      if (!job) throw new CheckFailed('not run: the submit failed');
      const res = await http('POST', `jobs/${encodeURIComponent(job)}/cancel`, { headers: auth });
      const body = expectJson(res, 202) as { status?: string };
      return { seen: `POST /jobs/${job}/cancel → 202 ${body.status}` };
    });
  }
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      'token-command': { type: 'string' },
      submit: { type: 'string' },
      parameters: { type: 'string' },
      'api-key': { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return 'help';
  if (positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (!values.url) throw new UsageError('--url is required: the API base URL (the ApiUrl output of the stack, or the URL npm start prints)');
  let base: URL;
  try {
    base = new URL(values.url.endsWith('/') ? values.url : `${values.url}/`);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(values.url)} is not a URL`);
  }
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(base.hostname);
  if (base.protocol !== 'https:' && !(base.protocol === 'http:' && loopback)) {
    throw new UsageError(`--url must be https (plain http only to local mode on this machine), got ${base.protocol}//${base.host}`);
  }
  if (values.token !== undefined && values['token-command'] !== undefined) throw new UsageError('give --token or --token-command, not both');
  if (values.submit !== undefined && values.token === undefined && values['token-command'] === undefined) throw new UsageError('--submit needs --token or --token-command');
  let parameters: Record<string, unknown> | undefined;
  if (values.parameters !== undefined) {
    try {
      parameters = JSON.parse(values.parameters);
    } catch {
      throw new UsageError(`--parameters must be a JSON object, e.g. '{"date":"2026-01-31"}'`);
    }
    if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) throw new UsageError(`--parameters must be a JSON object, e.g. '{"date":"2026-01-31"}'`);
  }
  const timeout = values.timeout === undefined ? 30 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 600) throw new UsageError(`--timeout must be a number of seconds from 1 to 600 (got ${JSON.stringify(values.timeout)})`);
  return {
    base,
    tokenSource: values.token !== undefined ? { token: values.token } : values['token-command'] !== undefined ? { command: values['token-command'] } : undefined,
    submit: values.submit,
    parameters,
    apiKey: values['api-key'],
    timeoutMs: timeout * 1000,
  };
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Requests relative to the base URL, each bounded by what is left of the overall time. */
function client(base: URL, deadline: number, apiKey: string | undefined) {
  return async (method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...(apiKey ? { 'x-api-key': apiKey } : {}), ...options.headers };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const left = deadline - Date.now();
    if (left <= 0) throw new CheckFailed('not run: out of time (--timeout)');
    const res = await fetch(new URL(path, base), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(left),
      redirect: 'manual',
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
}

/** The body as JSON when the status is `status`; otherwise a failure saying what came back. */
function expectJson(res: Answer, status: number): unknown {
  if (res.status !== status) throw new CheckFailed(`expected ${status}, got ${summary(res)}`);
  try {
    return JSON.parse(res.text);
  } catch {
    throw new CheckFailed(`${res.status}, but the body is not JSON: ${JSON.stringify(res.text.slice(0, 120))}`);
  }
}

/** An RFC 9457 problem document with this status. */
function expectProblem(res: Answer, status: number): { type: string; title: string } {
  const type = res.headers.get('content-type') ?? '';
  if (res.status !== status) throw new CheckFailed(`expected ${status} problem+json, got ${summary(res)}`);
  if (!type.startsWith('application/problem+json')) throw new CheckFailed(`${status}, but Content-Type ${JSON.stringify(type)} instead of application/problem+json`);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.text);
  } catch {
    throw new CheckFailed(`${status} problem+json whose body is not JSON: ${JSON.stringify(res.text.slice(0, 120))}`);
  }
  if (typeof body.type !== 'string' || typeof body.title !== 'string' || (body.status !== undefined && body.status !== status)) {
    throw new CheckFailed(`${status}, but not a problem document: ${JSON.stringify(res.text.slice(0, 120))}`);
  }
  return { type: body.type, title: body.title };
}

/** `401 problem+json "Missing or invalid token": detail` or the start of whatever else came back. */
function summary(res: Answer): string {
  try {
    const body = JSON.parse(res.text) as { title?: unknown; detail?: unknown; message?: unknown };
    const title = typeof body.title === 'string' ? ` "${body.title}"` : '';
    const detail = typeof body.detail === 'string' ? `: ${body.detail}` : typeof body.message === 'string' ? `: ${body.message}` : '';
    return `${res.status} ${res.headers.get('content-type') ?? 'no Content-Type'}${title}${detail}`.slice(0, 240);
  } catch {
    return `${res.status} ${JSON.stringify(res.text.slice(0, 120))}`;
  }
}

function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'no answer in time (--timeout)';
  if (e?.cause?.code) return `could not connect: ${e.cause.code} ${e.cause.message ?? ''}`.trim();
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
}

/** The token, from --token or the first line the command prints; never shown. */
async function obtainToken(source: { token: string } | { command: string }, deadline: number): Promise<string> {
  if ('token' in source) {
    if (!source.token.trim()) throw new CheckFailed('--token is empty');
    return source.token.trim();
  }
  try {
    const { stdout } = await promisify(exec)(source.command, { timeout: Math.max(1, deadline - Date.now()), maxBuffer: 1024 * 1024 });
    const token = stdout.trim().split('\n').pop()?.trim();
    if (!token) throw new CheckFailed('--token-command printed nothing');
    return token;
  } catch (err) {
    if (err instanceof CheckFailed) throw err;
    const e = err as { code?: number | string; killed?: boolean };
    throw new CheckFailed(e.killed ? '--token-command did not finish in time' : `--token-command failed (exit ${e.code ?? '?'}); run it alone to see why`);
  }
}

interface TemplateSummary {
  readonly id: string;
  readonly parameters?: { readonly required?: readonly string[]; readonly properties?: Record<string, Record<string, unknown>> };
}

/** The submit body: --submit's template (or the first whose parameters can be filled) and its parameters. */
function chooseTemplate(templates: readonly TemplateSummary[], options: Options, now: Date): { template: string; parameters: Record<string, unknown> } {
  if (templates.length === 0) throw new CheckFailed('this token sees no template: give it a group that may run one');
  if (options.submit !== undefined) {
    const template = templates.find((t) => t.id === options.submit);
    if (!template) throw new CheckFailed(`template ${options.submit} is not visible to this token (visible: ${templates.map((t) => t.id).join(', ')})`);
    return { template: template.id, parameters: options.parameters ?? fillParameters(template, now) };
  }
  if (options.parameters) return { template: templates[0]!.id, parameters: options.parameters };
  for (const template of templates) {
    try {
      return { template: template.id, parameters: fillParameters(template, now) };
    } catch {
      // try the next template
    }
  }
  fillParameters(templates[0]!, now); // throws, saying what the first template needs
  throw new CheckFailed('unreachable');
}

/** Values for the required parameters from the schema (const, examples, enum, format, today's date), checked against it. */
function fillParameters(template: TemplateSummary, now: Date): Record<string, unknown> {
  const ajv = createAjv();
  const schema: NonNullable<TemplateSummary['parameters']> = template.parameters ?? {};
  const today = now.toISOString().slice(0, 10);
  const parameters: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const name of schema.required ?? []) {
    const p = schema.properties?.[name] ?? {};
    const candidates = [
      ...('const' in p ? [p.const] : []),
      ...(Array.isArray(p.examples) ? p.examples : []),
      ...(Array.isArray(p.enum) ? p.enum : []),
      ...('default' in p ? [p.default] : []),
      today,
      now.toISOString(),
      'smoke-test@example.com',
      'https://example.com/',
      'smoke',
      typeof p.minimum === 'number' ? p.minimum : 1,
      false,
    ];
    const validate = ajv.compile(p);
    const value = candidates.find((c) => validate(c));
    if (value === undefined) missing.push(`${name}${typeof p.pattern === 'string' ? ` (pattern ${p.pattern})` : ''}`);
    else parameters[name] = value;
  }
  if (missing.length) throw new CheckFailed(`${template.id} needs ${missing.join(', ')}: pass --parameters '{...}' (or --submit another template)`);
  if (!ajv.validate(schema, parameters)) throw new CheckFailed(`${template.id} needs parameters this check cannot fill: pass --parameters '{...}'`);
  return parameters;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`smoke: ${describeError(err)}\n`);
      process.exitCode = 1;
    },
  );
}
