// IAM's service-account keys API (create, list, delete) called as the account's own key, with Google's generated
// client; and a token minted with a key, the proof that Google accepts it.
import { iam_v1 } from 'googleapis/build/src/apis/iam/v1.js';
import { StaticSecretStore } from '../secrets-manager.js';
import { GoogleCredentialsError, isHttpFailure, scrubHttpFailure } from './credential-errors.js';
import { SecretKeyClient } from './key-client.js';
import { CLOUD_PLATFORM_SCOPE } from './workload-identity.js';
import { CredentialApiFailed, MalformedSecret } from '../../rotation/errors.js';
import { MalformedKeyFile, parseKeyFile } from './key-file.js';

const GOOGLE_IAM_ENDPOINT = 'https://iam.googleapis.com';

/** A service-account JSON key file, with the fields rotation reads. `json` is the whole file, as the secret holds it. */
export interface ServiceAccountKey {
  readonly json: string;
  readonly email: string;
  readonly keyId: string;
}

export interface GoogleKeyApi {
  /** `keys.create` for the key's own account: a new RSA 2048 key file. */
  createKey(as: ServiceAccountKey): Promise<ServiceAccountKey>;
  /** `keys.list` with keyTypes=USER_MANAGED: the ids of the account's user-managed keys. */
  listKeyIds(as: ServiceAccountKey): Promise<string[]>;
  /** `keys.delete`; `absent` when IAM answers NOT_FOUND. */
  deleteKey(as: ServiceAccountKey, keyId: string): Promise<'deleted' | 'absent'>;
  /** The OAuth 2.0 JWT-bearer grant with `key`: resolves when Google issues a token for it. */
  mintToken(key: ServiceAccountKey): Promise<void>;
}

export interface IamKeyApiProps {
  /** The config's `dataproc.credentials.iamEndpoint`. @default https://iam.googleapis.com */
  readonly iamEndpoint?: string;
  /** The config's `dataproc.credentials.tokenUrl`: overrides the key file's `token_uri`. */
  readonly tokenUrl?: string;
  /** Per IAM request. @default 15 000 */
  readonly timeoutMs?: number;
}

/** The generated client's narrower `auth` type; it only calls `request()`, which every AuthClient has. */
type GeneratedClientAuth = Exclude<NonNullable<iam_v1.Params$Resource$Projects$Serviceaccounts$Keys$List['auth']>, string>;

export class IamKeyApi implements GoogleKeyApi {
  private readonly iam: iam_v1.Iam;
  // One client per key, so that the calls of one step share an access token.
  private readonly clients = new Map<string, SecretKeyClient>();

  constructor(private readonly props: IamKeyApiProps = {}) {
    this.iam = new iam_v1.Iam({ rootUrl: `${new URL(props.iamEndpoint ?? GOOGLE_IAM_ENDPOINT).origin}/` });
  }

  async createKey(as: ServiceAccountKey): Promise<ServiceAccountKey> {
    const data = await this.call('keys.create', as, (auth) =>
      this.iam.projects.serviceAccounts.keys.create(
        { name: accountName(as), requestBody: { privateKeyType: 'TYPE_GOOGLE_CREDENTIALS_FILE', keyAlgorithm: 'KEY_ALG_RSA_2048' }, auth },
        this.options(),
      ),
    );
    if (typeof data.privateKeyData !== 'string') throw new CredentialApiFailed(`IAM keys.create for ${as.email} answered without privateKeyData`, 'INVALID_RESPONSE');
    return parseServiceAccountKey(Buffer.from(data.privateKeyData, 'base64').toString('utf8'), 'the key IAM created');
  }

  async listKeyIds(as: ServiceAccountKey): Promise<string[]> {
    const data = await this.call('keys.list', as, (auth) =>
      this.iam.projects.serviceAccounts.keys.list({ name: accountName(as), keyTypes: ['USER_MANAGED'], auth }, this.options()),
    );
    return (data.keys ?? []).map((k) => k.name?.split('/').pop() ?? '').filter(Boolean);
  }

  async deleteKey(as: ServiceAccountKey, keyId: string): Promise<'deleted' | 'absent'> {
    try {
      await this.call('keys.delete', as, (auth) =>
        this.iam.projects.serviceAccounts.keys.delete({ name: `${accountName(as)}/keys/${keyId}`, auth }, this.options()),
      );
      return 'deleted';
    } catch (err) {
      if (err instanceof CredentialApiFailed && err.code === 'NOT_FOUND') return 'absent';
      throw err;
    }
  }

  async mintToken(key: ServiceAccountKey): Promise<void> {
    await this.clientFor(key, false).getAccessToken();
  }

  private clientFor(key: ServiceAccountKey, cache = true): SecretKeyClient {
    const cached = cache ? this.clients.get(key.keyId) : undefined;
    if (cached) return cached;
    const secretId = `rotation key ${key.keyId}`;
    const client = new SecretKeyClient({
      secrets: new StaticSecretStore({ [secretId]: key.json }),
      secretId,
      serviceAccount: key.email,
      scopes: [CLOUD_PLATFORM_SCOPE],
      ...(this.props.tokenUrl !== undefined && { tokenUrl: this.props.tokenUrl }),
    });
    if (cache) {
      if (this.clients.size >= 4) this.clients.clear();
      this.clients.set(key.keyId, client);
    }
    return client;
  }

  private async call<T>(action: string, as: ServiceAccountKey, send: (auth: GeneratedClientAuth) => Promise<{ data: T }>): Promise<T> {
    try {
      return (await send(this.clientFor(as) as unknown as GeneratedClientAuth)).data;
    } catch (err) {
      // Never keep gaxios' error: it carries the request, bearer token included.
      if (err instanceof GoogleCredentialsError) {
        throw new CredentialApiFailed(`IAM ${action} for ${as.email}: no token for the current key (${err.code}): ${err.message}`, err.code, { cause: err });
      }
      if (isHttpFailure(err)) {
        const scrubbed = scrubHttpFailure(err);
        throw new CredentialApiFailed(`IAM ${action} for ${as.email} failed: ${scrubbed.message}`, scrubbed.code, { cause: scrubbed });
      }
      const name = err instanceof Error ? err.name : 'Error';
      throw new CredentialApiFailed(`IAM ${action} for ${as.email} failed: ${name}`, name);
    }
  }

  private options() {
    return { retry: false, timeout: this.props.timeoutMs ?? 15_000 };
  }
}

const accountName = (key: ServiceAccountKey) => `projects/-/serviceAccounts/${key.email}`;

/** A key file as rotation handles it; `what` names it in errors, which never quote it. */
export function parseServiceAccountKey(text: string, what: string): ServiceAccountKey {
  try {
    const { json, email, keyId } = parseKeyFile(text, what);
    return { json, email, keyId };
  } catch (err) {
    if (err instanceof MalformedKeyFile) throw new MalformedSecret(err.message);
    throw err;
  }
}
