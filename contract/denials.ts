// Why the authorizer turned a request away: one machine-readable code per cause. It is the `reason` of the
// `auth.denied` audit event and the `reason` dimension of the AuthorizerDenials metric.

/** Refusals of the token itself: the authorizer doing its job. */
const TOKEN_REASONS = [
  // the Authorization header
  'missing_token',
  'multiple_authorization_headers',
  'wrong_scheme',
  'token_too_large',
  // the token's shape, before any key is looked at
  'malformed',
  'duplicate_key',
  'forbidden_claim',
  'algorithm_not_allowed',
  'algorithm_mismatch',
  'embedded_key',
  'unsupported_crit',
  'missing_kid',
  'unknown_kid',
  'bad_signature',
  // the claims
  'unknown_issuer',
  'wrong_audience',
  'wrong_typ',
  'wrong_token_use',
  'missing_exp',
  'expired',
  'not_yet_valid',
  'issued_in_future',
  'missing_subject',
  // a valid token that still may not pass
  'missing_scope',
  'revoked',
] as const;

/**
 * The issuer's keys or the revocation store were unreachable or unusable, so no token could be checked and the
 * authorizer failed closed: an outage, not a wave of bad tokens (the authorizer-errors alarm watches these).
 */
export const FAIL_CLOSED_REASONS = ['jwks_unavailable', 'jwks_invalid', 'revocation_unavailable', 'invalid_token'] as const;

const DENIAL_REASONS = [...TOKEN_REASONS, ...FAIL_CLOSED_REASONS] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

const FAIL_CLOSED: ReadonlySet<DenialReason> = new Set(FAIL_CLOSED_REASONS);
export const isFailClosed = (reason: DenialReason): reason is (typeof FAIL_CLOSED_REASONS)[number] => FAIL_CLOSED.has(reason);

/** A refusal answered 401 by the API function the authorizer lets through (docs/identity.md): all but the scope check. */
export type RefusedTokenReason = Exclude<(typeof TOKEN_REASONS)[number], 'missing_scope'>;

/**
 * What the caller reads about a refused token, in `detail` and in `WWW-Authenticate`'s `error_description`. RFC 6750
 * section 3 allows only %x20-21 / %x23-5B / %x5D-7E there (no quote, no backslash); the text never names a key, a
 * claim's value or the issuers the gateway trusts.
 */
export const REFUSAL_DESCRIPTIONS: Readonly<Record<RefusedTokenReason, string>> = {
  missing_token: 'no bearer token: send Authorization: Bearer <token>',
  multiple_authorization_headers: 'more than one Authorization header: send exactly one',
  wrong_scheme: 'the Authorization scheme is not Bearer: send Authorization: Bearer <token>',
  token_too_large: 'the token is longer than this gateway accepts',
  malformed: 'the token is not a well-formed signed JWT',
  duplicate_key: 'the token repeats a member name in its header or claims',
  forbidden_claim: 'the token carries a member name that is not allowed',
  algorithm_not_allowed: 'the token is not signed with an allowed asymmetric algorithm',
  algorithm_mismatch: 'the token alg does not match the key its kid names',
  embedded_key: 'the token header carries or points at its own key',
  unsupported_crit: 'the token header lists critical extensions this gateway does not support',
  missing_kid: 'the token header names no key (kid)',
  unknown_kid: 'the token is signed with a key its issuer does not publish',
  bad_signature: 'the token signature does not verify',
  unknown_issuer: 'the token issuer (iss) is not one this gateway accepts',
  wrong_audience: 'the token is not meant for this API (aud)',
  wrong_typ: 'the token type (typ) is not the one its issuer must use',
  wrong_token_use: 'the token is not an access token of the kind its issuer must use (token_use)',
  missing_exp: 'the token has no expiry (exp)',
  expired: 'the token has expired: get a new one',
  not_yet_valid: 'the token is not valid yet (nbf)',
  issued_in_future: 'the token was issued in the future (iat): check the clocks',
  missing_subject: 'the token has no subject (sub)',
  revoked: 'this identity has been revoked',
};

/** Refusals where the request carried no bearer credentials at all: RFC 6750 section 3.1 says no error code then. */
export const WITHOUT_CREDENTIALS: ReadonlySet<RefusedTokenReason> = new Set(['missing_token', 'wrong_scheme']);

export const isRefusedTokenReason = (reason: unknown): reason is RefusedTokenReason => typeof reason === 'string' && Object.hasOwn(REFUSAL_DESCRIPTIONS, reason);
