// Service accounts and their user-managed keys, as IAM keeps them: Google holds only the public half after creation.
import { createPublicKey, generateKeyPair, randomBytes, randomInt, type JsonWebKey } from 'node:crypto';
import { promisify } from 'node:util';
import type { JWK } from 'jose';

const generateRsaKeyPair = promisify(generateKeyPair);

/** The JSON key file IAM returns base64-encoded in `privateKeyData` (TYPE_GOOGLE_CREDENTIALS_FILE). */
export interface ServiceAccountKeyFile {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

/** IAM's ServiceAccountKey resource (privateKeyData only in the create answer). */
export interface ServiceAccountKeyResource {
  name: string;
  privateKeyType?: 'TYPE_GOOGLE_CREDENTIALS_FILE';
  privateKeyData?: string;
  keyAlgorithm: 'KEY_ALG_RSA_2048';
  validAfterTime: string;
  validBeforeTime: string;
  keyOrigin: 'GOOGLE_PROVIDED';
  keyType: 'USER_MANAGED';
  disabled: boolean;
}

interface StoredKey {
  keyId: string;
  publicJwk: JsonWebKey;
  keyFile: ServiceAccountKeyFile;
  validAfter: number;
}

interface ServiceAccount {
  email: string;
  projectId: string;
  uniqueId: string;
  keys: Map<string, StoredKey>;
}

/** IAM's quota of user-managed keys per service account. */
const MAX_KEYS_PER_SERVICE_ACCOUNT = 10;

export class KeyLimitReached extends Error {
  override readonly name = 'KeyLimitReached';
}

export class ServiceAccountRegistry {
  private readonly accounts = new Map<string, ServiceAccount>();

  constructor(
    /** `token_uri` written into every key file. */
    private readonly tokenUri: () => string,
    private readonly defaultProjectId: string,
    private readonly now: () => number,
  ) {}

  /** Registers a service account (idempotent). Its project comes from `name@PROJECT.iam.gserviceaccount.com`. */
  register(email: string): void {
    if (this.accounts.has(email)) return;
    const projectId = /^[^@]+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/.exec(email)?.[1] ?? this.defaultProjectId;
    // A service account's unique id is a 21-digit number.
    const uniqueId = `1${Array.from({ length: 20 }, () => randomInt(10)).join('')}`;
    this.accounts.set(email, { email, projectId, uniqueId, keys: new Map() });
  }

  has(email: string): boolean {
    return this.accounts.has(email);
  }

  projectOf(email: string): string | undefined {
    return this.accounts.get(email)?.projectId;
  }

  async createKey(email: string): Promise<{ resource: ServiceAccountKeyResource; keyFile: ServiceAccountKeyFile }> {
    const account = this.require(email);
    if (account.keys.size >= MAX_KEYS_PER_SERVICE_ACCOUNT) {
      throw new KeyLimitReached(`service account ${email} already has ${MAX_KEYS_PER_SERVICE_ACCOUNT} keys`);
    }
    const { privateKey, publicKey } = await generateRsaKeyPair('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const keyId = randomBytes(20).toString('hex');
    const keyFile: ServiceAccountKeyFile = {
      type: 'service_account',
      project_id: account.projectId,
      private_key_id: keyId,
      private_key: privateKey,
      client_email: email,
      client_id: account.uniqueId,
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: this.tokenUri(),
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
      universe_domain: 'googleapis.com',
    };
    const stored: StoredKey = { keyId, publicJwk: createPublicKey(publicKey).export({ format: 'jwk' }), keyFile, validAfter: this.now() };
    account.keys.set(keyId, stored);
    return {
      resource: {
        ...this.resource(account, stored),
        privateKeyType: 'TYPE_GOOGLE_CREDENTIALS_FILE',
        privateKeyData: Buffer.from(JSON.stringify(keyFile, null, 2)).toString('base64'),
      },
      keyFile,
    };
  }

  listKeys(email: string): ServiceAccountKeyResource[] {
    const account = this.require(email);
    return [...account.keys.values()].map((k) => this.resource(account, k));
  }

  getKey(email: string, keyId: string): ServiceAccountKeyResource | undefined {
    const account = this.require(email);
    const key = account.keys.get(keyId);
    return key && this.resource(account, key);
  }

  deleteKey(email: string, keyId: string): boolean {
    return this.require(email).keys.delete(keyId);
  }

  /** Key files of the account's live keys, for tests and local mode (Google itself never returns them again). */
  keyFiles(email: string): ServiceAccountKeyFile[] {
    return [...(this.accounts.get(email)?.keys.values() ?? [])].map((k) => k.keyFile);
  }

  /** The public keys that verify the account's JWT assertions, as a JWK set. */
  publicKeys(email: string): { keys: JWK[] } {
    const keys = [...(this.accounts.get(email)?.keys.values() ?? [])].map((k) => ({ ...(k.publicJwk as JWK), kid: k.keyId, alg: 'RS256', use: 'sig' }));
    return { keys };
  }

  private require(email: string): ServiceAccount {
    const account = this.accounts.get(email);
    if (!account) throw new Error(`unknown service account ${email}`);
    return account;
  }

  private resource(account: ServiceAccount, key: StoredKey): ServiceAccountKeyResource {
    return {
      name: `projects/${account.projectId}/serviceAccounts/${account.email}/keys/${key.keyId}`,
      keyAlgorithm: 'KEY_ALG_RSA_2048',
      validAfterTime: new Date(key.validAfter).toISOString(),
      validBeforeTime: '9999-12-31T23:59:59Z',
      keyOrigin: 'GOOGLE_PROVIDED',
      keyType: 'USER_MANAGED',
      disabled: false,
    };
  }
}
