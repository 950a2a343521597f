// The fallback: a service-account key kept in Secrets Manager, used by google-auth-library's JWT client. The key is
// read on first use and re-read once when the token endpoint refuses it, because rotation may have replaced it.
import { JWT } from 'google-auth-library';
import type { SecretStore } from '../../core/secrets.js';
import { credentialsFailure, GoogleCredentialsError, isHttpFailure, scrubHttpFailure } from './credential-errors.js';
import { parseKeyFile, type KeyFile } from './key-file.js';

const GOOGLE_OAUTH_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export interface KeySettings {
  readonly secrets: SecretStore;
  readonly secretId: string;
  /** The account the key must belong to. */
  readonly serviceAccount: string;
  /** Overrides the key file's `token_uri` (private endpoints, local mode). */
  readonly tokenUrl?: string;
  readonly scopes: readonly string[];
}


export class SecretKeyClient extends JWT {
  /** Where the JWT-bearer grant goes: the config override, else the key's token_uri, else Google's. */
  private tokenUri = GOOGLE_OAUTH_TOKEN_URL;
  private keyLoad: Promise<void> | undefined;

  constructor(private readonly settings: KeySettings) {
    super({ scopes: [...settings.scopes] });
    // google-auth-library's JWT grant always posts to Google's URL; a key's token_uri (or our override) redirects it.
    this.transporter.interceptors.request.add({
      resolved: async (request) => {
        if (String(request.url) === GOOGLE_OAUTH_TOKEN_URL && this.tokenUri !== GOOGLE_OAUTH_TOKEN_URL) request.url = new URL(this.tokenUri);
        return request;
      },
    });
  }

  protected override async refreshTokenNoCache() {
    await this.ensureKey(false);
    try {
      return await super.refreshTokenNoCache();
    } catch (err) {
      if (!rejectsKey(err)) throw this.failure(err);
      const rejectedKeyId = this.keyId;
      await this.ensureKey(true);
      if (this.keyId === rejectedKeyId) throw this.failure(err, ' (the secret still holds the same key)');
      try {
        return await super.refreshTokenNoCache();
      } catch (retryErr) {
        throw this.failure(retryErr, ' (also after re-reading the rotated key)');
      }
    }
  }

  private async ensureKey(reread: boolean): Promise<void> {
    if (reread || !this.keyLoad) this.keyLoad = this.loadKey();
    try {
      await this.keyLoad;
    } catch (err) {
      this.keyLoad = undefined; // a failed read is retried on the next request
      throw err;
    }
  }

  private failure(err: unknown, note = ''): GoogleCredentialsError {
    const failure = credentialsFailure(this.settings.serviceAccount, 'jwt-grant', err, 'service-account key grant');
    if (rejectsKey(err)) {
      return new GoogleCredentialsError(
        failure.serviceAccount,
        'jwt-grant',
        failure.code,
        false,
        `the token endpoint rejected the key in secret ${this.settings.secretId} for ${this.settings.serviceAccount}: ${failure.code}${note}`,
        { cause: failure.cause },
      );
    }
    return failure;
  }

  private async loadKey(): Promise<void> {
    const { secrets, secretId, serviceAccount } = this.settings;
    const fail = (code: string, detail: string, retryable: boolean, cause?: unknown) =>
      new GoogleCredentialsError(serviceAccount, 'key-secret', code, retryable, `secret ${secretId} ${detail}`, cause === undefined ? undefined : { cause });
    let raw: string;
    try {
      raw = await secrets.getSecretString(secretId);
    } catch (err) {
      throw fail('SECRET_UNAVAILABLE', 'could not be read', true, err);
    }
    // Never keep a parse error: its message quotes the secret.
    let key: KeyFile;
    try {
      key = parseKeyFile(raw, 'the secret');
    } catch {
      throw fail('INVALID_KEY', 'does not hold a service-account JSON key (or its base64 privateKeyData)', false);
    }
    if (key.email !== serviceAccount) throw fail('KEY_ACCOUNT_MISMATCH', `holds a key of another service account, not ${serviceAccount}`, false);
    this.email = key.email;
    this.key = key.privateKey;
    this.keyId = key.keyId;
    this.tokenUri = this.settings.tokenUrl ?? key.tokenUri ?? GOOGLE_OAUTH_TOKEN_URL;
    this.gtoken = undefined; // gtoken holds the previous key
  }
}

/** 400/401 from the token endpoint: the key is unknown, deleted or disabled (Google: `invalid_grant`). */
function rejectsKey(err: unknown): boolean {
  if (!isHttpFailure(err)) return false;
  const status = scrubHttpFailure(err).status;
  return status === 400 || status === 401;
}

