// A refused token, with its reason (contract/denials.ts), written to the `auth.denied` audit event.
import type { DenialReason } from '../../contract/denials.js';
import type { Principal } from '../core/principal.js';


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
