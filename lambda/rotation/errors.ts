// Why a rotation step failed. Messages name secrets, versions and token or key ids, never a credential value.

/** `reason` is the short code the `secret.rotation_failed` audit event carries. */
export abstract class RotationError extends Error {
  abstract readonly reason: string;
}

/** The event does not describe a rotation this function may run (AWS's rotation templates refuse the same ones). */
export class InvalidRotationEvent extends RotationError {
  override readonly name = 'InvalidRotationEvent';
  readonly reason = 'invalid_event';
}

/** The secret is not one this function rotates, or its credential type cannot be rotated here. */
export class RotationNotSupported extends RotationError {
  override readonly name = 'RotationNotSupported';
  readonly reason = 'not_supported';
}

/** A secret value (current or pending) is not the JSON its credential type needs. */
export class MalformedSecret extends RotationError {
  override readonly name = 'MalformedSecret';
  readonly reason = 'secret_malformed';
}

/** The secret still holds the placeholder the stack created it with: there is no credential to rotate from yet. */
export class SecretNotProvisioned extends RotationError {
  override readonly name = 'SecretNotProvisioned';
  readonly reason = 'not_provisioned';
}

/** The pending credential did not work; AWSCURRENT is untouched. */
export class CredentialTestFailed extends RotationError {
  override readonly name = 'CredentialTestFailed';
  readonly reason = 'test_failed';
}

/** Databricks or Google IAM refused or failed a call that creates, lists or revokes credentials. */
export class CredentialApiFailed extends RotationError {
  override readonly name = 'CredentialApiFailed';
  readonly reason = 'credential_api_failed';
  constructor(
    message: string,
    /** The service's own error code, e.g. `PERMISSION_DENIED` or `TEMPORARILY_UNAVAILABLE`. */
    readonly code: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Secrets Manager failed a read or write; the SDK error is the cause. */
export class SecretStoreFailed extends RotationError {
  override readonly name = 'SecretStoreFailed';
  readonly reason = 'secrets_manager_failed';
}

/** The reason code of any failure, for audit events and logs. */
export function reasonOf(err: unknown): string {
  return err instanceof RotationError ? err.reason : 'internal_error';
}
