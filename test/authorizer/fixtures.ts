// Test issuers with their own keys, a loopback JWKS server that counts fetches, and API Gateway REQUEST authorizer events.
import { createSign, createHmac, KeyObject, sign as cryptoSign, constants } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type JWTHeaderParameters } from 'jose';
import { AuditTrail } from '../../lambda/core/audit.js';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/POST/jobs';
export const STAGE_WILDCARD = 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/*/*';

/** A loopback http server that serves JWKS documents by path and counts how often each was fetched. */
export interface JwksServer {
  readonly url: string;
  serve(path: string, jwks: unknown): void;
  /** Stop serving `path`: it answers 404 from now on. */
  remove(path: string): void;
  fetchCount(path: string): number;
  close(): Promise<void>;
}

export async function startJwksServer(): Promise<JwksServer> {
  const documents = new Map<string, string>();
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const doc = documents.get(path);
    if (doc === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(doc);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (path, jwks) => documents.set(path, JSON.stringify(jwks)),
    remove: (path) => documents.delete(path),
    fetchCount: (path) => counts.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type TestAlg = 'RS256' | 'ES256';

export interface TestKey {
  readonly alg: TestAlg;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public JWK as published (with kid, alg, use). */
  readonly jwk: JWK;
}

export async function generateTestKey(alg: TestAlg, kid?: string): Promise<TestKey> {
  const pair = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(pair.publicKey);
  const jwk = { ...publicJwk, alg, use: 'sig', kid: kid ?? (await calculateJwkThumbprint(publicJwk)) };
  return { alg, kid: jwk.kid, privateKey: KeyObject.from(pair.privateKey), publicKey: KeyObject.from(pair.publicKey), jwk };
}

/** An issuer under test: its keys are published at `jwksPath` on the JWKS server. */
export class TestIssuer {
  constructor(
    readonly issuer: string,
    readonly audience: string,
    readonly key: TestKey,
    readonly jwksUri: string,
    private readonly defaults: { typ?: string; claims?: JWTPayload } = {},
  ) {}

  /** Publishes the key at `jwksPath` (default `<path>/.well-known/jwks.json`) and a discovery document naming it. */
  static async create(server: JwksServer, opts: { path: string; alg: TestAlg; audience: string; typ?: string; claims?: JWTPayload; jwksPath?: string }): Promise<TestIssuer> {
    const key = await generateTestKey(opts.alg);
    const jwksPath = opts.jwksPath ?? `${opts.path}/.well-known/jwks.json`;
    const issuer = `${server.url}${opts.path}`;
    server.serve(jwksPath, { keys: [key.jwk] });
    server.serve(`${opts.path}/.well-known/openid-configuration`, { issuer, jwks_uri: `${server.url}${jwksPath}`, token_endpoint: `${issuer}/v1/token` });
    return new TestIssuer(issuer, opts.audience, key, `${server.url}${jwksPath}`, { typ: opts.typ, claims: opts.claims });
  }

  /** Standard claims for a valid token now; `undefined` in overrides removes a claim. */
  claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      aud: this.audience,
      sub: 'alice',
      iat: now,
      exp: now + 600,
      jti: `jti-${now}`,
      ...this.defaults.claims,
      ...overrides,
    };
    for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
    return claims;
  }

  header(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const header: Record<string, unknown> = { alg: this.key.alg, kid: this.key.kid, ...(this.defaults.typ ? { typ: this.defaults.typ } : {}), ...overrides };
    for (const [k, v] of Object.entries(header)) if (v === undefined) delete header[k];
    return header;
  }

  /** A well-formed token signed with jose. */
  async token(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
    return new SignJWT(this.claims(claims) as JWTPayload).setProtectedHeader(this.header(header) as JWTHeaderParameters).sign(this.key.privateKey);
  }

  /** A token built from raw JSON text (for what jose refuses to produce: duplicate keys, unknown crit, ...). */
  rawToken(headerJson: string, payloadJson: string, alg: string = this.key.alg, key: KeyObject = this.key.privateKey): string {
    return signCompact(headerJson, payloadJson, alg, key);
  }
}

export const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/** Sign `b64(header).b64(payload)` with Node's crypto, for any alg the tests need (including ones the gateway refuses). */
export function signCompact(headerJson: string, payloadJson: string, alg: string, key: KeyObject | Buffer): string {
  const input = `${b64url(headerJson)}.${b64url(payloadJson)}`;
  const hash = `sha${alg.slice(2)}`;
  let signature: Buffer;
  if (alg.startsWith('HS')) signature = createHmac(hash, key as Buffer).update(input).digest();
  else if (alg.startsWith('PS')) signature = cryptoSign(hash, Buffer.from(input), { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
  else if (alg.startsWith('ES')) signature = cryptoSign(hash, Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else signature = createSign(`RSA-SHA${alg.slice(2)}`).update(input).sign(key as KeyObject);
  return `${input}.${signature.toString('base64url')}`;
}

export interface EventOptions {
  readonly authorization?: string | readonly string[];
  readonly headers?: Record<string, string>;
  readonly multiValueHeaders?: Record<string, string[]>;
}

/** A REQUEST authorizer event as API Gateway sends it: both header maps, request context with id and source IP. */
export function requestEvent(opts: EventOptions | string = {}): APIGatewayRequestAuthorizerEvent {
  const o: EventOptions = typeof opts === 'string' ? { authorization: opts } : opts;
  const auth = o.authorization === undefined ? [] : typeof o.authorization === 'string' ? [o.authorization] : [...o.authorization];
  const headers: Record<string, string> = { 'User-Agent': 'jest-suite/1.0', ...(auth.length ? { Authorization: auth[auth.length - 1]! } : {}), ...o.headers };
  const multiValueHeaders: Record<string, string[]> = o.multiValueHeaders ?? {
    ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    ...(auth.length ? { Authorization: auth } : {}),
  };
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    resource: '/jobs',
    path: '/jobs',
    httpMethod: 'POST',
    headers,
    multiValueHeaders,
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123def4',
      stage: 'prod',
      requestId: 'req-0001',
      httpMethod: 'POST',
      path: '/prod/jobs',
      resourcePath: '/jobs',
      resourceId: 'res1',
      requestTimeEpoch: Date.now(),
      protocol: 'HTTP/1.1',
      authorizer: undefined,
      identity: { sourceIp: '203.0.113.7', userAgent: 'jest-suite/1.0' },
    } as unknown as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

/** An AuditTrail that keeps its lines in memory and logs nothing. */
export function recordingAudit(): { audit: AuditTrail; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { audit: new AuditTrail(new Logger({ logLevel: 'SILENT' }), [(line) => lines.push(line)]), lines };
}

/**
 * What the authorizer returns for a token it refuses: Allow on the whole stage with the reason and no principal, so the
 * API function answers the 401 with the reason (lambda/authorizer/policy.ts refusalPolicy).
 */
export const refusal = (reason?: string) => ({
  principalId: 'refused-token',
  policyDocument: { Statement: [{ Effect: 'Allow', Resource: STAGE_WILDCARD }] },
  context: { tokenRefused: reason ?? expect.any(String), tokenRefusedIn: 'req-0001' },
});
