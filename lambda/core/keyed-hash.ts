// Keyed MACs (HMAC-SHA-256 under a per-deployment key only the jobs function can read) of values that a copy of the
// ledger, a backend label or the audit trail must not reveal: without the key, a guessed email or parameter set
// cannot be confirmed against them.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { canonicalJson } from './ids.js';
import { principalKey, type Principal } from './principal.js';
import type { SecretStore } from './secrets.js';

/** What a MAC is for: the same value gives unrelated MACs for different purposes. */
export type MacPurpose = 'request' | 'principal' | 'personal' | 'approval';

/** Stored MACs carry their scheme, so a value from before keyed MACs (a bare SHA-256 hex) is told apart. */
export const MAC_PREFIX = 'hmac-sha256:';

/** A key shorter than this (bytes) is refused: the stack generates 64 characters. */
const MIN_KEY_BYTES = 32;

export class MacKeyInvalid extends Error {
  override readonly name = 'MacKeyInvalid';
}

export class KeyedHash {
  private readonly key: Buffer;

  constructor(key: string | Uint8Array) {
    this.key = Buffer.from(key);
    if (this.key.length < MIN_KEY_BYTES) throw new MacKeyInvalid(`the MAC key has ${this.key.length} bytes, fewer than ${MIN_KEY_BYTES}`);
  }

  private digest(purpose: MacPurpose, value: unknown): string {
    return createHmac('sha256', this.key).update(`${purpose}\n${canonicalJson(value)}`).digest('hex');
  }

  /** The ledger's request hash: a reused Idempotency-Key with another body is told apart without storing the body. */
  requestHash(request: { template: string; parameters: Record<string, unknown> }): string {
    return `${MAC_PREFIX}${this.digest('request', request)}`;
  }

  /** A principal's tag on backend workloads (a Dataproc label: 16 lowercase hex characters). */
  principalTag(p: Pick<Principal, 'issuer' | 'subject'>): string {
    return this.digest('principal', principalKey(p)).slice(0, 16);
  }

  /**
   * The fingerprint a personal parameter value is recorded as: the same value gives the same fingerprint in every job,
   * template and parameter, so an auditor who asks for a value's fingerprint finds every use of it.
   */
  personal(value: unknown): string {
    return `${MAC_PREFIX}${this.digest('personal', value)}`;
  }

  /** The MAC of a rendered backend request an approval binds to (lambda/core/approvals/): what runs is what was approved. */
  approvalHash(rendered: Record<string, unknown>): string {
    return `${MAC_PREFIX}${this.digest('approval', rendered)}`;
  }

  /**
   * Seal a value (AES-256-GCM under a key derived from this one with HKDF): a job awaiting approval keeps its unmasked
   * parameters in the ledger this way, readable only where the MAC key is.
   */
  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey(), iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return [SEAL_PREFIX, iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** Open what `seal` made; a sealed text that was altered, or sealed under another key, throws SealBroken. */
  unseal(sealed: string): unknown {
    const [prefix, iv, tag, body] = sealed.split('.');
    if (prefix !== SEAL_PREFIX || !iv || !tag || body === undefined) throw new SealBroken('not a sealed value');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.sealKey(), Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return JSON.parse(Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8'));
    } catch (err) {
      throw new SealBroken('the sealed value does not open with this key', { cause: err });
    }
  }

  private sealKey(): Buffer {
    return Buffer.from(hkdfSync('sha256', this.key, Buffer.alloc(0), 'data-job-gateway sealed parameters', 32));
  }
}

const SEAL_PREFIX = 'seal1';

class SealBroken extends Error {
  override readonly name = 'SealBroken';
}

/**
 * The key, read once from the secret store on first use (a cold start pays one GetSecretValue), then kept.
 * A failed read is not kept: the next call tries again.
 */
export function keyedHashFromSecret(store: SecretStore, secretId: string): () => Promise<KeyedHash> {
  let loading: Promise<KeyedHash> | undefined;
  return () => {
    loading ??= store.getSecretString(secretId).then((key) => new KeyedHash(key));
    loading.catch(() => (loading = undefined));
    return loading;
  };
}
