import { createHash, randomBytes } from 'node:crypto';
import { JOB_ID_ALPHABET, JOB_ID_LENGTH, JOB_ID_PREFIX } from '../../contract/job-id.js';

/** JOB_ID_LENGTH characters of lowercase RFC 4648 base32 (contract/job-id.ts). */
function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < JOB_ID_LENGTH) {
      out += JOB_ID_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

export function newJobId(): string {
  return `${JOB_ID_PREFIX}${base32(randomBytes(17))}`;
}

/** With an Idempotency-Key the id is a function of who asked and the key, so a retried request maps to the same job. */
export function jobIdForKey(issuer: string, subject: string, key: string): string {
  const digest = createHash('sha256').update(JSON.stringify([issuer, subject, key])).digest();
  return `${JOB_ID_PREFIX}${base32(digest.subarray(0, 17))}`;
}

/**
 * An unkeyed SHA-256 of a JSON value with sorted keys: the request hash of ledger rows written before keyed MACs
 * (lambda/core/keyed-hash.ts), still compared so that their Idempotency-Keys keep replaying.
 */
export function legacyRequestHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** JSON with object keys sorted, so equal values serialize equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
