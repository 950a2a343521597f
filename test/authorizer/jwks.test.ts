// JWKS fetching and parsing: https only when deployed, loopback http only when local mode asks; ambiguous key sets
// refused; a header alg must fit the key it names even when the JWK carries no alg.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Jwk } from 'aws-jwt-verify/jwk';
import { assertAlgorithmFitsKey, parseStrictJwks } from '../../lambda/authorizer/jwks.js';
import { createJwksFetcher, isLoopbackHost } from '../../lambda/authorizer/jwks-fetcher.js';
import { generateTestKey } from './fixtures.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/jwks.json') res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    else if (req.url === '/redirect') res.writeHead(302, { location: 'http://203.0.113.9/jwks.json' }).end();
    else if (req.url === '/huge') res.writeHead(200, { 'content-type': 'application/json' }).end(`{"keys":[],"pad":"${'x'.repeat(300_000)}"}`);
    else if (req.url === '/undeclared') {
      // chunked, no content-length: the cap must hold while reading
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 40; i++) res.write(`${'y'.repeat(8192)}`);
      res.end();
    }
    else res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
});

const text = (body: ArrayBuffer) => new TextDecoder().decode(body);

describe('jwks fetcher', () => {
  it.each(['localhost', '127.0.0.1', '127.8.9.10', '[::1]', '::1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['example.com', '10.0.0.1', '128.0.0.1', '[::ffff:7f00:1]', '0.0.0.0', 'localhost.example.com', '127.0.0.1.nip.io'])('%s is not loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('refuses plain http by default (the deployed setting)', async () => {
    await expect(createJwksFetcher().fetch(`${base}/jwks.json`)).rejects.toThrow(/plain http is refused/);
  });

  it('fetches over loopback http when local mode allows it', async () => {
    expect(text(await createJwksFetcher({ allowLoopbackHttp: true }).fetch(`${base}/jwks.json`))).toBe('{"keys":[]}');
  });

  it('refuses http to a host that is not loopback, even when allowed', async () => {
    await expect(createJwksFetcher({ allowLoopbackHttp: true }).fetch('http://203.0.113.9/jwks.json')).rejects.toThrow(/only allowed to loopback/);
  });

  it('does not follow a redirect away from loopback', async () => {
    await expect(createJwksFetcher({ allowLoopbackHttp: true }).fetch(`${base}/redirect`)).rejects.toThrow(/request failed/);
  });

  it('refuses other schemes', async () => {
    await expect(createJwksFetcher({ allowLoopbackHttp: true }).fetch('file:///etc/passwd')).rejects.toThrow(/unsupported protocol/);
  });

  it('refuses a non-200 answer and an oversized body', async () => {
    const fetcher = createJwksFetcher({ allowLoopbackHttp: true, maxBytes: 64 * 1024 });
    await expect(fetcher.fetch(`${base}/error`)).rejects.toThrow(/Status code is 500/);
    await expect(fetcher.fetch(`${base}/huge`)).rejects.toThrow(/larger than/);
  });

  it('refuses a body that passes the cap without declaring its length', async () => {
    const fetcher = createJwksFetcher({ allowLoopbackHttp: true, maxBytes: 64 * 1024 });
    await expect(fetcher.fetch(`${base}/undeclared`)).rejects.toThrow(/larger than the 65536-byte limit while it was read/);
  });
});

describe('strict JWKS parsing', () => {
  const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).buffer as ArrayBuffer;

  it('accepts distinct kids', async () => {
    const [a, b] = [await generateTestKey('ES256', 'a'), await generateTestKey('ES256', 'b')];
    expect(parseStrictJwks(encode({ keys: [a.jwk, b.jwk] })).keys).toHaveLength(2);
  });

  it('refuses two keys with the same kid', async () => {
    const [a, b] = [await generateTestKey('ES256', 'same'), await generateTestKey('ES256', 'same')];
    expect(() => parseStrictJwks(encode({ keys: [a.jwk, b.jwk] }))).toThrow(/same kid/);
  });

  it('refuses what is not a JWKS', () => {
    expect(() => parseStrictJwks(encode({ keys: 'none' }))).toThrow();
    expect(() => parseStrictJwks(new Uint8Array([0xff, 0xfe]).buffer as ArrayBuffer)).toThrow(/not UTF-8 JSON/);
  });
});

describe('header alg against the key', () => {
  const rsa: Jwk = { kty: 'RSA', n: 'x', e: 'AQAB' };
  const ec = (crv: string): Jwk => ({ kty: 'EC', crv, x: 'x', y: 'y' });

  it.each<[string, Jwk]>([
    ['RS256', rsa],
    ['RS512', rsa],
    ['ES256', ec('P-256')],
    ['ES384', ec('P-384')],
    ['ES512', ec('P-521')],
    ['EdDSA', { kty: 'OKP', crv: 'Ed25519', x: 'x' }],
  ])('%s fits its key type', (alg, jwk) => {
    expect(() => assertAlgorithmFitsKey(alg, jwk)).not.toThrow();
  });

  it.each<[string, Jwk]>([
    ['ES256', rsa],
    ['RS256', ec('P-256')],
    ['ES256', ec('P-384')],
    ['ES384', ec('P-256')],
    ['EdDSA', ec('P-256')],
  ])('%s over a key without alg that does not fit is refused', (alg, jwk) => {
    expect(() => assertAlgorithmFitsKey(alg, jwk)).toThrow(expect.objectContaining({ reason: 'algorithm_mismatch' }));
  });

  it('refuses a header alg that differs from the JWK alg', () => {
    expect(() => assertAlgorithmFitsKey('RS384', { ...rsa, alg: 'RS256' })).toThrow(expect.objectContaining({ reason: 'algorithm_mismatch' }));
  });
});
