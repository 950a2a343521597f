/** Reads secret values (Secrets Manager deployed; the local config's `local.secrets` in local mode). */
export interface SecretStore {
  /** The current (AWSCURRENT) value as a string. Throws SecretUnavailable when it cannot be read. */
  getSecretString(secretId: string): Promise<string>;
}

export class SecretUnavailable extends Error {
  override readonly name = 'SecretUnavailable';
  constructor(
    readonly secretId: string,
    options?: ErrorOptions,
  ) {
    super(`secret ${secretId} could not be read`, options);
  }
}
