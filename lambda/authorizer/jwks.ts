// The JWKS cache handed to aws-jwt-verify: its SimpleJwksCache (with the penalty box that stops a flood of random
// kids from refetching the JWKS), plus two checks the library leaves out, both made before any signature is checked.
import { JwksValidationError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { assertIsJwks, SimpleJwksCache, SimplePenaltyBox, type Jwk, type Jwks, type JwksCache, type JwkWithKid } from 'aws-jwt-verify/jwk';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import { TokenRejected } from './denial.js';

type DecomposedJwt = { header: JwtHeader; payload: JwtPayload };

export interface JwksCacheOptions {
  readonly fetcher: Fetcher;
  /** After a kid is not found, the JWKS is not fetched again for this long. @default 10 */
  readonly penaltySeconds?: number;
}

export function createJwksCache(options: JwksCacheOptions): JwksCache {
  const inner = new SimpleJwksCache({
    fetcher: options.fetcher,
    penaltyBox: new SimplePenaltyBox({ waitSeconds: options.penaltySeconds ?? 10 }),
    jwksParser: parseStrictJwks,
  });
  return new KeyFitJwksCache(inner);
}

/** A JWKS in which one kid names two keys is ambiguous (which one signed?), so the whole set is refused. */
export function parseStrictJwks(body: ArrayBuffer): Jwks {
  let jwks: unknown;
  try {
    jwks = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (err) {
    throw new JwksValidationError(`JWKS is not UTF-8 JSON: ${(err as Error).message}`);
  }
  assertIsJwks(jwks as Parameters<typeof assertIsJwks>[0]);
  const valid = jwks as Jwks;
  const kids = valid.keys.map((k) => k.kid).filter((kid): kid is string => kid !== undefined);
  const duplicate = kids.find((kid, i) => kids.indexOf(kid) !== i);
  if (duplicate !== undefined) throw new JwksValidationError('JWKS has two keys with the same kid');
  return valid;
}

// ES256 over a P-384 key, or RS256 over an EC key, is never what an issuer meant; Node would accept some of these pairs
const CURVE_OF: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

export function assertAlgorithmFitsKey(alg: unknown, jwk: Jwk): void {
  if (typeof alg !== 'string') throw new TokenRejected('algorithm_not_allowed', 'no alg');
  if (jwk.alg !== undefined && jwk.alg !== alg) throw new TokenRejected('algorithm_mismatch', 'the header alg differs from the key alg');
  const fits =
    (alg.startsWith('RS') && jwk.kty === 'RSA') ||
    (alg in CURVE_OF && jwk.kty === 'EC' && jwk.crv === CURVE_OF[alg]) ||
    (alg === 'EdDSA' && jwk.kty === 'OKP');
  if (!fits) throw new TokenRejected('algorithm_mismatch', 'the header alg does not fit the key type');
}

class KeyFitJwksCache implements JwksCache {
  constructor(private readonly inner: SimpleJwksCache) {}

  async getJwk(jwksUri: string, decomposedJwt: DecomposedJwt): Promise<JwkWithKid> {
    const jwk = await this.inner.getJwk(jwksUri, decomposedJwt);
    assertAlgorithmFitsKey(decomposedJwt.header.alg, jwk);
    return jwk;
  }

  getCachedJwk(jwksUri: string, decomposedJwt: DecomposedJwt): JwkWithKid {
    const jwk = this.inner.getCachedJwk(jwksUri, decomposedJwt);
    assertAlgorithmFitsKey(decomposedJwt.header.alg, jwk);
    return jwk;
  }

  addJwks(jwksUri: string, jwks: Jwks): void {
    this.inner.addJwks(jwksUri, jwks);
  }

  getJwks(jwksUri: string): Promise<Jwks> {
    return this.inner.getJwks(jwksUri);
  }
}
