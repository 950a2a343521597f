// Benchmark 1: the REQUEST authorizer, warm. Our handler on a realistic API Gateway event against aws-jwt-verify's
// verify() alone and a raw crypto.verify of the same signature, same token, same process, interleaved rounds.
import { createPublicKey, verify as cryptoVerify, type JsonWebKey } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { JwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { loadConfigFile } from '../lib/config.js';
import { type IssuerConfig } from '../contract/settings.js';
import { createAuthorizer } from '../lambda/authorizer/authorizer.js';
import { createJwksFetcher } from '../lambda/authorizer/jwks-fetcher.js';
import { AuditTrail } from '../lambda/core/audit.js';
import { DynamoRevocationCheck } from '../lambda/adapters/dynamodb/revocation-check.js';
import { rememberedRevocationCheck } from '../lambda/core/revocations.js';
import { startEmbeddedLedger } from '../local/embedded-ledger.js';
import { startIdentityProvider } from '../local/idp/provider.js';
import { timedLoop, type LoopResult } from './lib/loop.js';
import { figure, num, ratio, type SectionResult } from './lib/report.js';
import { median } from './lib/stats.js';

export interface AuthorizerBenchOptions {
  readonly rounds: number;
  readonly roundMs: number;
}

const AUDIENCE = 'data-job-gateway';
const VERIFY_ALONE = 'aws-jwt-verify verify() alone';
const DEPLOYED = 'handler as deployed: token cache on, revocation read from the ledger table and remembered for 5 s';

/** What API Gateway sends a REQUEST authorizer for `POST /jobs` (identity source: the Authorization header). */
function authorizerEvent(token: string): APIGatewayRequestAuthorizerEvent {
  const headers = {
    Accept: 'application/json',
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
    Host: 'abcdef1234.execute-api.eu-west-1.amazonaws.com',
    'User-Agent': 'djg-cli/0.1 node/24',
    'X-Amzn-Trace-Id': 'Root=1-67891233-abcdef012345678912345678',
    'X-Forwarded-For': '198.51.100.7',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
  };
  return {
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/POST/jobs',
    resource: '/jobs',
    path: '/jobs',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdef1234',
      authorizer: undefined,
      domainName: 'abcdef1234.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abcdef1234',
      extendedRequestId: 'Ab1CdEfGhIjKlM=',
      httpMethod: 'POST',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '198.51.100.7',
        user: null,
        userAgent: 'djg-cli/0.1 node/24',
        userArn: null,
      },
      path: '/prod/jobs',
      protocol: 'HTTP/1.1',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: 1_767_225_600_000,
      resourceId: 'abc123',
      resourcePath: '/jobs',
      stage: 'prod',
    },
  };
}

export async function runAuthorizerBench(options: AuthorizerBenchOptions): Promise<SectionResult> {
  const started = Date.now();
  const idp = await startIdentityProvider({ audience: AUDIENCE });
  const ledger = await startEmbeddedLedger();
  try {
    const token = await idp.userToken({ sub: 'bench-analyst', groups: ['analysts', 'data-eng'] });
    const jwks = (await (await fetch(idp.jwksUri)).json()) as Jwks;
    const localIssuer: IssuerConfig = { issuer: idp.issuer, audience: AUDIENCE, jwksUri: idp.jwksUri, groupsClaim: 'groups', trustedGroups: ['*'], scopeClaim: 'scope' };
    // the example deployment's issuers too, so the handler picks among several as deployed
    const deployedAuth = loadConfigFile('config/example.yaml').auth;
    const auth = { ...deployedAuth, issuers: [...deployedAuth.issuers, localIssuer] };
    const audit = new AuditTrail(new Logger({ logLevel: 'SILENT' }));
    const jwksFetcher = createJwksFetcher({ allowLoopbackHttp: true });
    const event = authorizerEvent(token);

    // as deployed (lambda/authorizer/index.ts): a revocation read from the ledger table, remembered for 5 s per principal
    const revocations = new DynamoRevocationCheck(ledger.client, ledger.tableName);
    const deployed = createAuthorizer({ auth, audit, jwksFetcher, isRevoked: rememberedRevocationCheck((i, s) => revocations.isRevoked(i, s), 5000) });
    // the same handler with the revocation answer in memory: what our own code costs
    const inMemory = async () => false;
    const cached = createAuthorizer({ auth, audit, jwksFetcher, isRevoked: inMemory });
    const uncached = createAuthorizer({ auth: { ...auth, verifiedTokenCacheSize: 0 }, audit, jwksFetcher, isRevoked: inMemory });
    const verifier = JwtVerifier.create({ issuer: idp.issuer, audience: AUDIENCE, jwksUri: idp.jwksUri });
    verifier.cacheJwks(jwks);

    const headerB64 = token.split('.')[0]!;
    const kid = (JSON.parse(Buffer.from(headerB64, 'base64url').toString()) as { kid: string }).kid;
    const key = createPublicKey({ key: jwks.keys.find((k) => k.kid === kid) as JsonWebKey, format: 'jwk' });
    const rawVerify = () => {
      const [h, p, s] = token.split('.') as [string, string, string];
      if (!cryptoVerify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) throw new Error('raw verify failed');
    };

    const variants: { name: string; op: () => unknown }[] = [
      { name: 'raw crypto.verify (RS256)', op: rawVerify },
      { name: VERIFY_ALONE, op: () => verifier.verify(token) },
      { name: DEPLOYED, op: () => deployed(event) },
      { name: 'handler, token cache on, revocation answered in memory', op: () => cached(event) },
      { name: 'handler, token cache off, revocation answered in memory', op: () => uncached(event) },
    ];
    // every variant must accept the token before anything is timed; the handlers fetch the JWKS here
    for (const v of variants) await v.op();
    for (const v of variants) await timedLoop(v.op, Math.min(500, options.roundMs));

    const rounds = new Map<string, LoopResult[]>(variants.map((v) => [v.name, []]));
    for (let r = 0; r < options.rounds; r++) {
      // rotate the order so that no variant always runs right after a GC-heavy one
      for (let i = 0; i < variants.length; i++) {
        const v = variants[(i + r) % variants.length]!;
        rounds.get(v.name)!.push(await timedLoop(v.op, options.roundMs));
      }
    }
    const summary = (name: string) => {
      const rs = rounds.get(name)!;
      return { name, ops: median(rs.map((x) => x.opsPerSecond)), p50: median(rs.map((x) => x.p50)), p99: median(rs.map((x) => x.p99)) };
    };
    type Summary = ReturnType<typeof summary>;
    const [raw, alone, asDeployed, on, off] = variants.map((v) => summary(v.name)) as [Summary, Summary, Summary, Summary, Summary];
    const base = { name: VERIFY_ALONE, value: alone.ops };
    const alg = JSON.parse(Buffer.from(headerB64, 'base64url').toString()).alg as string;

    return {
      id: 'authorizer',
      title: '1. Authorizer, warm',
      method: [
        `The ledger table is dynalite on loopback in this process (local mode's embedded ledger); deployed, the same read goes to DynamoDB over the network.`,
        `One ${alg} access token (${token.length} bytes) from the local identity provider; the handler gets a realistic API Gateway REQUEST authorizer event for \`POST /jobs\` and the example config's issuers plus the local one.`,
        'Each variant is called back to back, one call at a time (a Lambda handles one event at a time), after a warm-up; JWKS already fetched.',
        `${options.rounds} interleaved rounds of ${options.roundMs} ms per variant; figures are medians over rounds (p50/p99 are per-call latencies within a round).`,
      ],
      figures: [
        figure('authorizer warm throughput as deployed (revocation read remembered 5 s)', asDeployed.ops, 'calls/s', base, { comparison: '>=', bound: 1.0, of: 'ratio' }),
        figure('authorizer warm throughput, revocation answered in memory, token cache on', on.ops, 'calls/s', base, { comparison: '>=', bound: 1.0, of: 'ratio' }),
        figure('authorizer warm throughput, revocation answered in memory, token cache off', off.ops, 'calls/s', base),
        figure('aws-jwt-verify throughput vs raw crypto.verify', alone.ops, 'calls/s', { name: 'raw crypto.verify', value: raw.ops }),
      ],
      tables: [
        {
          title: 'Per variant (medians over rounds)',
          header: ['variant', 'calls/s', 'p50 µs', 'p99 µs', `vs ${VERIFY_ALONE}`],
          rows: [raw, alone, asDeployed, on, off].map((s) => [s.name, num(s.ops), num(s.p50), num(s.p99), ratio(s.ops / alone.ops)]),
        },
      ],
      notes: [
        `As deployed, the revocation check runs on every call (issue 3: checks that can change run on a cache hit too) but its answer is remembered for 5 s per principal, because the functions behind the authorizer re-check with a consistent read on every request: ${num(asDeployed.p50)} µs at p50 here against ${num(on.p50)} µs with the answer in memory.`,
        `Cache off, the handler does aws-jwt-verify's work plus its own checks: its cost per call above verify() alone is ${num(1e6 / off.ops - 1e6 / alone.ops)} µs (${ratio(alone.ops / off.ops)} the time).`,
        `Cache on, a repeated token costs one SHA-256 of the token and an LRU lookup instead of a signature check: ${num(1e6 / on.ops)} µs per call.`,
      ],
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await ledger.close();
    await idp.close();
  }
}
