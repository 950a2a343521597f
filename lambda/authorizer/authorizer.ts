// The REQUEST authorizer: one bearer token in, an IAM policy with the principal as context out.
// aws-jwt-verify checks signatures against every configured issuer; around it we refuse what the library lets pass
// (see compact-jwt.ts, jwks.ts and the checks below), and every refusal is an `auth.denied` audit event.
import type { AuthorizerMetrics } from '../adapters/powertools/authorizer-metrics.js';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { JwtVerifier } from 'aws-jwt-verify';
import {
  FetchError,
  JwkInvalidKtyError,
  JwkInvalidUseError,
  JwksValidationError,
  JwkValidationError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  ParameterValidationError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { RuntimeSettings } from '../../contract/settings.js';
import type { IssuerConfig } from '../../contract/settings.js';
import { ROUTES } from '../../contract/routes.js';
import type { AuditTrail } from '../core/audit.js';
import { extractBearerToken } from './bearer.js';
import { principalFromClaims } from './claims.js';
import { parseCompactJwt, type CompactJwt, type JsonObject } from './compact-jwt.js';
import { TokenRejected } from './denial.js';
import { isFailClosed, type DenialReason } from '../../contract/denials.js';
import { discoveryUrl, JwksDiscovery, type JwksDiscoveryOptions } from './discovery.js';
import { createJwksFetcher } from './jwks-fetcher.js';
import { createJwksCache } from './jwks.js';
import { allowPolicy, denyPolicy, refusalPolicy } from './policy.js';
import { toRefusalContext, type Principal } from '../core/principal.js';
import { VerifiedTokenCache } from './token-cache.js';

/**
 * Thrown when no token could be checked (keys or revocation list unreachable): API Gateway answers AUTHORIZER_FAILURE
 * (lib/gateway-responses.ts: 503), caches nothing, and the caller is not told their token is bad.
 */
class TokenCheckUnavailable extends Error {
  override readonly name = 'TokenCheckUnavailable';
}

/** Asymmetric algorithms only: an HMAC "signature" could be made by anyone holding the public key. */
const ALLOWED_ALGORITHMS: ReadonlySet<string> = new Set(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);
/** Header members that would let the token name its own key. */
const EMBEDDED_KEY_HEADERS = ['jwk', 'jku', 'x5u', 'x5c'] as const;
/** ECDSA signatures are fixed-size r||s (RFC 7518 section 3.4). */
const ECDSA_SIGNATURE_BYTES: Record<string, number> = { ES256: 64, ES384: 96, ES512: 132 };
const MAX_KID_LENGTH = 256;

export interface AuthorizerDeps {
  readonly auth: RuntimeSettings<'authorizer'>['auth'];
  readonly audit: AuditTrail;
  /** Fetches discovery documents and JWKS. @default https only (createJwksFetcher()); local mode passes createJwksFetcher({ allowLoopbackHttp: true }) */
  readonly jwksFetcher?: Fetcher;
  /** How discovered JWKS locations are cached and retried (lambda/authorizer/discovery.ts). @default its defaults */
  readonly discovery?: Pick<JwksDiscoveryOptions, 'refreshSeconds' | 'retryBaseSeconds' | 'retryMaxSeconds'>;
  /** After an unknown kid, the JWKS is not refetched for this many seconds. @default 10 */
  readonly jwksPenaltySeconds?: number;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Checks that can change while a token lives; runs on every call, verified-token cache hits included. */
  readonly isRevoked?: (issuer: string, subject: string) => Promise<boolean>;
  /** Denials by reason, for the dashboard and the fail-closed alarm. @default none */
  readonly metrics?: AuthorizerMetrics;
  /** Where dependency failures (JWKS unreachable, revocation store down) are reported; never given a token. */
  readonly logger?: Pick<Logger, 'error'>;
}

export type RequestAuthorizer = (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

interface Verified {
  readonly principal: Principal;
  readonly issuer: IssuerConfig;
}


export function createAuthorizer(deps: AuthorizerDeps): RequestAuthorizer {
  const { auth, audit } = deps;
  const now = deps.now ?? Date.now;
  const issuers = new Map(auth.issuers.map((i) => [i.issuer, i]));
  const fetcher = deps.jwksFetcher ?? createJwksFetcher();
  // Without jwksUri the keys are wherever the issuer's discovery document says, read at the first token, not at cold start
  const discovery = new JwksDiscovery({ fetcher, now, issuers: auth.issuers.filter((i) => !i.jwksUri).map((i) => i.issuer), ...deps.discovery });
  // no issuers (a config that relies on local mode adding one) means every token is from an unknown issuer
  const verifier = auth.issuers.length === 0 ? undefined : JwtVerifier.create(
    auth.issuers.map((i) => ({
      issuer: i.issuer,
      // Cognito access tokens carry client_id instead of aud; checkAudience looks at it
      audience: i.tokenUse === 'access' ? null : i.audience,
      jwksUri: i.jwksUri ?? discoveryUrl(i.issuer),
      graceSeconds: auth.clockSkewSeconds,
    })),
    { jwksCache: discovery.wrap(createJwksCache({ fetcher, penaltySeconds: deps.jwksPenaltySeconds })) },
  );
  const cache = new VerifiedTokenCache<Verified>(auth.verifiedTokenCacheSize, now);

  async function verify(token: string): Promise<Verified> {
    const cached = cache.get(token);
    if (cached) return cached;
    const jwt = parseCompactJwt(token);
    checkHeader(jwt);
    const issuer = issuerOf(jwt.payload);
    checkIssuerRules(issuer, jwt);
    const exp = checkTimes(jwt.payload, now() / 1000, auth.clockSkewSeconds);
    const principal = principalFromClaims(issuer, jwt.payload);
    try {
      await verifier!.verify(token);
    } catch (err) {
      throw asRejection(err);
    }
    const verified = { principal, issuer };
    cache.set(token, verified, exp * 1000);
    return verified;
  }

  function issuerOf(payload: JsonObject): IssuerConfig {
    const iss = payload.iss;
    const issuer = typeof iss === 'string' ? issuers.get(iss) : undefined;
    if (!issuer) throw new TokenRejected('unknown_issuer', typeof iss === 'string' ? 'iss is not a configured issuer' : 'no iss claim');
    return issuer;
  }

  /** Whether the principal is revoked; a revocation is audited here, and the function behind refuses it. */
  async function isRevokedPrincipal(event: APIGatewayRequestAuthorizerEvent, principal: Principal): Promise<boolean> {
    if (!deps.isRevoked) return false;
    let revoked: boolean;
    try {
      revoked = await deps.isRevoked(principal.issuer, principal.subject);
    } catch (err) {
      throw new TokenRejected('revocation_unavailable', 'the revocation check failed', { cause: err, principal });
    }
    if (revoked) recordDenial(event, new TokenRejected('revoked', 'the principal is revoked', { principal }));
    return revoked;
  }

  function recordDenial(event: APIGatewayRequestAuthorizerEvent, rejection: TokenRejected): void {
    const p = rejection.principal;
    audit.record({
      event: 'auth.denied',
      outcome: 'denied',
      reason: rejection.reason,
      ...(rejection.requiredScope ? { requiredScope: rejection.requiredScope } : {}),
      ...(p ? { principal: { issuer: p.issuer, subject: p.subject, kind: p.kind, groups: p.groups } } : {}),
      ...requestFacts(event),
    });
    deps.metrics?.denied(rejection.reason);
    if (isFailClosed(rejection.reason)) {
      const cause = rejection.cause instanceof Error ? `${rejection.cause.name}: ${rejection.cause.message}` : undefined;
      deps.logger?.error('authorizer could not check a token', { reason: rejection.reason, detail: rejection.message, cause });
    }
  }

  return async (event) => {
    try {
      const token = extractBearerToken(event, auth.maxTokenLength);
      const { principal, issuer } = await verify(token);
      const revoked = await isRevokedPrincipal(event, principal);
      // A revoked principal keeps its policy, marked: API Gateway caches it, and every function re-reads the revocation
      // list on each request (lambda/http/revocation-gate.ts), so lifting a revocation takes effect at once.
      const mark = (policy: APIGatewayAuthorizerResult) =>
        revoked && policy.context ? { ...policy, context: { ...policy.context, ...toRefusalContext({ reason: 'revoked', requestId: event.requestContext?.requestId ?? '' }) } } : policy;
      // An issuer without a scope mapping checks no scopes: the whole stage is allowed, as the policy is cached for all routes.
      if (!issuer.scopes) return mark(allowPolicy(principal, event.methodArn));
      const granted = ROUTES.filter((r) => r.scope !== undefined && principal.scopes.includes(r.scope));
      const route = ROUTES.find((r) => r.method === event.httpMethod && r.path === event.resource);
      if (!route || !granted.includes(route)) {
        const rejection = new TokenRejected('missing_scope', `the token's scopes do not grant ${route?.scope ?? 'this route'}`, { principal, requiredScope: route?.scope });
        recordDenial(event, rejection);
      }
      // Exactly the granted routes: API Gateway answers 403 on the others, from its cache too.
      return mark(granted.length ? allowPolicy(principal, event.methodArn, granted) : denyPolicy(principal, event.methodArn));
    } catch (err) {
      // a bug of ours must not look like a bad token: only rejections become 401
      if (!(err instanceof TokenRejected)) throw err;
      recordDenial(event, err);
      const { reason } = err;
      if (isFailClosed(reason) || reason === 'missing_scope') throw new TokenCheckUnavailable(reason, { cause: err });
      return refusalPolicy({ reason, requestId: event.requestContext?.requestId ?? '' }, event.methodArn);
    }
  };
}

function checkHeader({ header, signature }: CompactJwt): void {
  const { alg, kid } = header;
  if (typeof alg !== 'string' || !ALLOWED_ALGORITHMS.has(alg)) throw new TokenRejected('algorithm_not_allowed', 'alg is not an allowed asymmetric algorithm');
  if (EMBEDDED_KEY_HEADERS.some((h) => Object.hasOwn(header, h))) throw new TokenRejected('embedded_key', 'the header carries or points at its own key');
  // we implement no JWS extension, so any critical one is unknown (RFC 7515 section 4.1.11)
  if (Object.hasOwn(header, 'crit')) throw new TokenRejected('unsupported_crit', 'the header lists critical extensions');
  if (Object.hasOwn(header, 'enc') || Object.hasOwn(header, 'zip')) throw new TokenRejected('malformed', 'JWE header members in a JWS');
  if (kid === undefined) throw new TokenRejected('missing_kid', 'no kid in the header');
  if (typeof kid !== 'string' || !kid || kid.length > MAX_KID_LENGTH) throw new TokenRejected('malformed', 'kid is not a short string');
  const ecdsaBytes = ECDSA_SIGNATURE_BYTES[alg];
  if (signature.length === 0 || (ecdsaBytes !== undefined && signature.length !== ecdsaBytes)) {
    throw new TokenRejected('bad_signature', 'the signature has the wrong size');
  }
}

function checkIssuerRules(issuer: IssuerConfig, { header, payload }: CompactJwt): void {
  if (issuer.typ !== undefined && (typeof header.typ !== 'string' || mediaType(header.typ) !== mediaType(issuer.typ))) {
    throw new TokenRejected('wrong_typ', 'typ is not the one this issuer requires');
  }
  if (issuer.tokenUse !== undefined && payload.token_use !== issuer.tokenUse) {
    throw new TokenRejected('wrong_token_use', 'token_use is not the one this issuer requires');
  }
  checkAudience(issuer, payload);
}

// RFC 7515 section 4.1.9: "application/" may be left out, and media types compare case-insensitively
const mediaType = (typ: string) => typ.toLowerCase().replace(/^application\//, '');

function checkAudience(issuer: IssuerConfig, payload: JsonObject): void {
  const accepted = typeof issuer.audience === 'string' ? [issuer.audience] : issuer.audience;
  const claim = issuer.tokenUse === 'access' ? payload.client_id : payload.aud;
  const presented = typeof claim === 'string' ? [claim] : Array.isArray(claim) && claim.every((a) => typeof a === 'string') ? (claim as string[]) : undefined;
  if (claim !== undefined && presented === undefined) throw new TokenRejected('malformed', 'aud is neither a string nor a list of strings');
  if (!presented?.some((a) => accepted.includes(a))) throw new TokenRejected('wrong_audience', 'no accepted audience');
}

/** exp is required, and every time claim must be a number; returns exp. */
function checkTimes(payload: JsonObject, nowSeconds: number, skewSeconds: number): number {
  const { exp, nbf, iat } = payload;
  if (exp === undefined) throw new TokenRejected('missing_exp', 'no exp claim');
  for (const [name, value] of [['exp', exp], ['nbf', nbf], ['iat', iat]] as const) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) throw new TokenRejected('malformed', `${name} is not a number`);
  }
  if ((exp as number) + skewSeconds <= nowSeconds) throw new TokenRejected('expired', 'exp has passed');
  if (nbf !== undefined && (nbf as number) - skewSeconds > nowSeconds) throw new TokenRejected('not_yet_valid', 'nbf is in the future');
  if (iat !== undefined && (iat as number) - skewSeconds > nowSeconds) throw new TokenRejected('issued_in_future', 'iat is in the future');
  return exp as number;
}

/** aws-jwt-verify's error classes, as our reason codes. */
function asRejection(err: unknown): TokenRejected {
  const as = (reason: DenialReason) => new TokenRejected(reason, err instanceof Error ? err.message : reason, { cause: err });
  if (err instanceof TokenRejected) return err;
  if (err instanceof JwtInvalidSignatureError) return as('bad_signature');
  if (err instanceof JwtInvalidSignatureAlgorithmError) return as('algorithm_mismatch');
  if (err instanceof KidNotFoundInJwksError || err instanceof WaitPeriodNotYetEndedJwkError) return as('unknown_kid');
  // the kid names a key that is not for signatures
  if (err instanceof JwkInvalidUseError || err instanceof JwkInvalidKtyError) return as('unknown_kid');
  if (err instanceof JwtWithoutValidKidError) return as('missing_kid');
  if (err instanceof JwksValidationError || err instanceof JwkValidationError) return as('jwks_invalid');
  if (err instanceof FetchError) return as('jwks_unavailable');
  if (err instanceof JwtExpiredError) return as('expired');
  if (err instanceof JwtNotBeforeError) return as('not_yet_valid');
  if (err instanceof JwtInvalidIssuerError || err instanceof ParameterValidationError) return as('unknown_issuer');
  if (err instanceof JwtInvalidAudienceError) return as('wrong_audience');
  if (err instanceof JwtParseError) return as('malformed');
  // e.g. a key Node cannot import: the token cannot be trusted, and the log says why
  return as('invalid_token');
}

function requestFacts(event: APIGatewayRequestAuthorizerEvent) {
  const ctx = event.requestContext as Partial<APIGatewayRequestAuthorizerEvent['requestContext']> | undefined;
  const userAgentHeader = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'user-agent')?.[1];
  return {
    requestId: ctx?.requestId,
    sourceIp: ctx?.identity?.sourceIp,
    userAgent: userAgentHeader ?? ctx?.identity?.userAgent ?? undefined,
    httpMethod: event.httpMethod,
    path: event.path,
  };
}
