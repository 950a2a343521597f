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
export const isFailClosed = (reason: DenialReason): boolean => FAIL_CLOSED.has(reason);
