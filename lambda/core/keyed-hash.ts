// Keyed MACs (HMAC-SHA-256 under a per-deployment key only the jobs function can read) of values that a copy of the
// ledger, a backend label or the audit trail must not reveal: without the key, a guessed email or parameter set
// cannot be confirmed against them.
import { createHmac } from 'node:crypto';
import { canonicalJson } from './ids.js';
import { principalKey, type Principal } from './principal.js';
import type { SecretStore } from './secrets.js';

/** What a MAC is for: the same value gives unrelated MACs for different purposes. */
export type MacPurpose = 'request' | 'principal' | 'personal';

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
