// Where an issuer publishes its keys: the `jwks_uri` of its OpenID discovery document, for every issuer whose config
// does not name `jwksUri` itself. Issuers put keys where they like (Okta: <issuer>/v1/keys; Entra ID:
// .../discovery/v2.0/keys), so guessing a path refuses every token of theirs.
//
// Failure policy (docs/identity.md "Where the keys come from"): fail closed. Until a document has been read, every
// token of that issuer is refused (jwks_unavailable / jwks_invalid), and the document is fetched again only after a
// backoff (1 s, doubling to 60 s), so a flood of tokens during an outage costs the issuer one request per backoff.
// Once read, the jwks_uri is kept: it is re-read after `refreshSeconds`, and a failed re-read keeps the last good one.
import { JwksNotAvailableInCacheError, JwksValidationError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { Jwks, JwksCache, JwkWithKid } from 'aws-jwt-verify/jwk';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import { isLoopbackHost } from './jwks-fetcher.js';

type DecomposedJwt = { header: JwtHeader; payload: JwtPayload };

const WELL_KNOWN = '/.well-known/openid-configuration';

/** OpenID Connect Discovery 1.0 section 4: the issuer, any terminating slash removed, then the well-known path. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}${WELL_KNOWN}`;
}

/** A discovery document the authorizer cannot trust: the authorizer refuses the issuer's tokens as `jwks_invalid`. */
export class DiscoveryDocumentInvalid extends JwksValidationError {
  override readonly name = 'DiscoveryDocumentInvalid';
}

export interface JwksDiscoveryOptions {
  /** The same fetcher as the JWKS: https only deployed, loopback http only in local mode; timeout and size cap. */
  readonly fetcher: Fetcher;
  /** Issuers (exactly as configured) whose JWKS location comes from discovery. */
  readonly issuers: readonly string[];
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** A discovered jwks_uri is read again after this long; a failed re-read keeps it. @default 3600 */
  readonly refreshSeconds?: number;
  /** First wait after a failed read; doubles with each failure in a row. @default 1 */
  readonly retryBaseSeconds?: number;
  /** Longest wait between reads after failures. @default 60 */
  readonly retryMaxSeconds?: number;
}

interface Entry {
  readonly issuer: string;
  jwksUri?: string;
  readAt?: number;
  failures: number;
  retryAt: number;
  lastError?: Error;
  inflight?: Promise<string>;
}

/**
 * The jwks_uri of each discovering issuer, read from its discovery document and cached as above. The verifier is
 * configured with the discovery document's URL as the issuer's `jwksUri`; `wrap` turns that into the real one.
 */
export class JwksDiscovery {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly refreshMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly options: JwksDiscoveryOptions) {
    this.now = options.now ?? Date.now;
    this.refreshMs = (options.refreshSeconds ?? 3600) * 1000;
    this.retryBaseMs = (options.retryBaseSeconds ?? 1) * 1000;
    this.retryMaxMs = (options.retryMaxSeconds ?? 60) * 1000;
    for (const issuer of options.issuers) this.entries.set(discoveryUrl(issuer), { issuer, failures: 0, retryAt: 0 });
  }

  /** The JWKS location of a verifier `jwksUri`: discovered for a discovery URL, the URI itself otherwise. */
  async resolve(uri: string): Promise<string> {
    const entry = this.entries.get(uri);
    if (!entry) return uri;
    const now = this.now();
    if (entry.jwksUri !== undefined && now - entry.readAt! < this.refreshMs) return entry.jwksUri;
    if (entry.inflight) return entry.inflight;
    if (now < entry.retryAt) {
      // backing off: the last good location if there is one, otherwise the refusal that started the backoff
      if (entry.jwksUri !== undefined) return entry.jwksUri;
      throw entry.lastError!;
    }
    entry.inflight = this.read(uri, entry).finally(() => (entry.inflight = undefined));
    return entry.inflight;
  }

  /** The cached location, for aws-jwt-verify's synchronous path; undefined until discovery has succeeded. */
  cached(uri: string): string | undefined {
    const entry = this.entries.get(uri);
    return entry ? entry.jwksUri : uri;
  }

  /** A JwksCache that looks keys up at the discovered location of every discovering issuer. */
  wrap(inner: JwksCache): JwksCache {
    return new DiscoveringJwksCache(this, inner);
  }

  private async read(uri: string, entry: Entry): Promise<string> {
    try {
      const jwksUri = parseDiscovery(await this.options.fetcher.fetch(uri), entry.issuer, uri);
      Object.assign(entry, { jwksUri, readAt: this.now(), failures: 0, retryAt: 0, lastError: undefined });
      return jwksUri;
    } catch (err) {
      entry.failures += 1;
      entry.lastError = err as Error;
      entry.retryAt = this.now() + Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (entry.failures - 1));
      // a re-read that failed keeps the location the issuer published before
      if (entry.jwksUri !== undefined) return entry.jwksUri;
      throw err;
    }
  }
}

/** The checks of OpenID Connect Discovery 1.0 section 4.3 that matter here, and a jwks_uri we may fetch. */
export function parseDiscovery(body: ArrayBuffer, issuer: string, from: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (err) {
    throw new DiscoveryDocumentInvalid(`discovery document ${from} is not UTF-8 JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new DiscoveryDocumentInvalid(`discovery document ${from} is not a JSON object`);
  const { issuer: published, jwks_uri: jwksUri } = doc as Record<string, unknown>;
  // section 4.3: the issuer in the document MUST be identical to the one the document was fetched for
  if (published !== issuer) {
    throw new DiscoveryDocumentInvalid(`discovery document ${from} names issuer ${JSON.stringify(published)}, not the configured ${JSON.stringify(issuer)}`);
  }
  if (typeof jwksUri !== 'string' || !jwksUri) throw new DiscoveryDocumentInvalid(`discovery document ${from} has no jwks_uri`);
  let url: URL;
  try {
    url = new URL(jwksUri);
  } catch {
    throw new DiscoveryDocumentInvalid(`discovery document ${from} has a jwks_uri that is not a URL`);
  }
  // the config's URL rule: https, or http on loopback, and only for an issuer that is itself on loopback (local mode)
  const issuerUrl = new URL(issuer);
  const loopbackIssuer = issuerUrl.protocol === 'http:' && isLoopbackHost(issuerUrl.hostname);
  const allowed = url.protocol === 'https:' || (url.protocol === 'http:' && loopbackIssuer && isLoopbackHost(url.hostname));
  if (!allowed || url.username || url.password) {
    throw new DiscoveryDocumentInvalid(`discovery document ${from} has a jwks_uri that is not https (${url.protocol}//${url.host})`);
  }
  return url.href;
}

class DiscoveringJwksCache implements JwksCache {
  constructor(
    private readonly discovery: JwksDiscovery,
    private readonly inner: JwksCache,
  ) {}

  async getJwk(jwksUri: string, decomposedJwt: DecomposedJwt): Promise<JwkWithKid> {
    return this.inner.getJwk(await this.discovery.resolve(jwksUri), decomposedJwt);
  }

  getCachedJwk(jwksUri: string, decomposedJwt: DecomposedJwt): JwkWithKid {
    const resolved = this.discovery.cached(jwksUri);
    if (resolved === undefined) throw new JwksNotAvailableInCacheError(`the JWKS location of ${jwksUri} has not been discovered yet`);
    return this.inner.getCachedJwk(resolved, decomposedJwt);
  }

  addJwks(jwksUri: string, jwks: Jwks): void {
    const resolved = this.discovery.cached(jwksUri);
    if (resolved !== undefined) this.inner.addJwks(resolved, jwks);
  }

  async getJwks(jwksUri: string): Promise<Jwks> {
    return this.inner.getJwks(await this.discovery.resolve(jwksUri));
  }
}
