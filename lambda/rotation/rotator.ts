// What the rotation protocol asks of one kind of credential; the protocol itself (rotation.ts) only moves versions.

import type { RotatedCredential } from '../../contract/signals.js';

/** Which credential a rotator rotates: the `credential` of its audit events and metrics (contract/signals.ts). */
export type CredentialKind = RotatedCredential;

/** The rotation in progress: which secret, and the version (ClientRequestToken) being made current. */
export interface RotationContext {
  readonly secretArn: string;
  readonly secretName: string;
  readonly versionId: string;
}

/** What finishSecret did: the id of the credential now current, and those it revoked (token or key ids, never values). */
export interface Retired {
  readonly credentialId: string;
  readonly revoked: readonly string[];
}

export interface CredentialRotator {
  readonly kind: CredentialKind;
  /** createSecret: makes a new credential, acting as the current one; returns the pending secret value and the credential's id. */
  create(ctx: RotationContext, current: string): Promise<{ readonly value: string; readonly credentialId: string }>;
  /** Revokes a credential `create` made whose value never reached the secret. */
  discard(ctx: RotationContext, current: string, pending: string): Promise<void>;
  /** setSecret: checks the pending value without calling anything (the new credential already exists at the service). */
  check(ctx: RotationContext, pending: string): void;
  /** testSecret: proves the pending credential works with read-only calls. */
  test(ctx: RotationContext, pending: string): Promise<void>;
  /**
   * finishSecret, once the new version is AWSCURRENT: revokes every credential the secret held before, never the
   * current one. Idempotent: what is already gone counts as done.
   */
  retire(ctx: RotationContext, current: string, previous: string | undefined): Promise<Retired>;
}
