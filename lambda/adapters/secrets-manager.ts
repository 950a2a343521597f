// SecretStore implementations: AWS Secrets Manager when deployed, a plain map standing in for it in local mode and tests.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretUnavailable, type SecretStore } from '../core/secrets.js';

export class SecretsManagerStore implements SecretStore {
  /** Pass the client a Lambda entry file created once at module scope; the default is for scripts. */
  constructor(private readonly client: SecretsManagerClient = new SecretsManagerClient({})) {}

  async getSecretString(secretId: string): Promise<string> {
    let value: string | undefined;
    try {
      ({ SecretString: value } = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: 'AWSCURRENT' })));
    } catch (err) {
      throw new SecretUnavailable(secretId, { cause: err });
    }
    // A binary secret has no SecretString: our secrets are always JSON text.
    if (value === undefined) throw new SecretUnavailable(secretId, { cause: new Error('the secret has no SecretString') });
    return value;
  }
}

/** Secret values from a map (the config's `local.secrets`); `set` lets tests and local rotation change them. */
export class StaticSecretStore implements SecretStore {
  private readonly values: Map<string, string>;

  constructor(values: Record<string, string> | Map<string, string> = {}) {
    this.values = new Map(values instanceof Map ? values : Object.entries(values));
  }

  async getSecretString(secretId: string): Promise<string> {
    const value = this.values.get(secretId);
    if (value === undefined) throw new SecretUnavailable(secretId, { cause: new Error('no such secret in the local secret map') });
    return value;
  }

  set(secretId: string, value: string): void {
    this.values.set(secretId, value);
  }
}
