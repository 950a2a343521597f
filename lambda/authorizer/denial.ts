// Why a request was turned away: one machine-readable code per cause, written to the `auth.denied` audit event.
import type { Principal } from '../core/principal.js';

export type DenialReason =
  // the Authorization header
  | 'missing_token'
  | 'multiple_authorization_headers'
  | 'wrong_scheme'
  | 'token_too_large'
  // the token's shape, before any key is looked at
  | 'malformed'
  | 'duplicate_key'
  | 'forbidden_claim'
  | 'algorithm_not_allowed'
  | 'algorithm_mismatch'
  | 'embedded_key'
  | 'unsupported_crit'
  | 'missing_kid'
  | 'unknown_kid'
  | 'bad_signature'
  // the claims
  | 'unknown_issuer'
  | 'wrong_audience'
  | 'wrong_typ'
  | 'wrong_token_use'
  | 'missing_exp'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'missing_subject'
  // a valid token that still may not pass
  | 'missing_scope'
  | 'revoked'
  // the issuer or our own dependencies failed: we fail closed
  | 'jwks_unavailable'
  | 'jwks_invalid'
  | 'revocation_unavailable'
  | 'invalid_token';

/** A token the authorizer refuses; the message is for logs and never carries the token. */
export class TokenRejected extends Error {
  override readonly name = 'TokenRejected';
  /** Set when the token itself was valid (missing scope, revoked), so the audit event can say who. */
  readonly principal: Principal | undefined;
  /** For `missing_scope`: the route scope the request needed. */
  readonly requiredScope: string | undefined;
  constructor(
    readonly reason: DenialReason,
    message: string = reason,
    options?: ErrorOptions & { principal?: Principal; requiredScope?: string },
  ) {
    super(message, options);
    this.principal = options?.principal;
    this.requiredScope = options?.requiredScope;
  }
}
