// Tokens this warm function has already verified, so the same token is not verified twice.
// Keyed by a SHA-256 of the token (the token itself is never kept), bounded (LRU), and an entry dies with the token's exp.
import { createHash } from 'node:crypto';
import { SimpleLruCache } from 'aws-jwt-verify/cache';

interface Entry<V> {
  readonly value: V;
  readonly expiresAtMs: number;
}

export class VerifiedTokenCache<V> {
  private readonly lru: SimpleLruCache<string, Entry<V>> | undefined;

  /** `maxEntries` 0 turns the cache off. `now` is epoch milliseconds. */
  constructor(
    maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lru = maxEntries > 0 ? new SimpleLruCache(maxEntries) : undefined;
  }

  get(token: string): V | undefined {
    const entry = this.lru?.get(tokenKey(token));
    if (!entry) return undefined;
    // an expired entry is never served; the LRU evicts it in time, and re-verification would reject the token anyway
    return this.now() < entry.expiresAtMs ? entry.value : undefined;
  }

  set(token: string, value: V, expiresAtMs: number): void {
    if (!this.lru || !(this.now() < expiresAtMs)) return;
    this.lru.set(tokenKey(token), { value, expiresAtMs });
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }
}

export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
