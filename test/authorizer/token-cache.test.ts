// The verified-token cache: bounded, least recently used out first, entries gone at the token's expiry, tokens never kept.
import { tokenKey, VerifiedTokenCache } from '../../lambda/authorizer/token-cache.js';

describe('VerifiedTokenCache', () => {
  const farFuture = Date.now() + 3_600_000;

  it('keeps at most maxEntries, evicting the least recently used', () => {
    const cache = new VerifiedTokenCache<string>(2);
    cache.set('token-a', 'a', farFuture);
    cache.set('token-b', 'b', farFuture);
    expect(cache.get('token-a')).toBe('a'); // a is now the most recent
    cache.set('token-c', 'c', farFuture);
    expect([cache.get('token-a'), cache.get('token-b'), cache.get('token-c')]).toEqual(['a', undefined, 'c']);
    expect(cache.size).toBe(2);
  });

  it('stops serving an entry at its expiry', () => {
    let clock = 1_000_000;
    const cache = new VerifiedTokenCache<string>(10, () => clock);
    cache.set('token-a', 'a', clock + 5_000);
    clock += 4_999;
    expect(cache.get('token-a')).toBe('a');
    clock += 1;
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('does not store an already expired entry', () => {
    const cache = new VerifiedTokenCache<string>(10, () => 2_000);
    cache.set('token-a', 'a', 2_000);
    expect(cache.size).toBe(0);
  });

  it('is off with zero entries', () => {
    const cache = new VerifiedTokenCache<string>(0);
    cache.set('token-a', 'a', farFuture);
    expect(cache.get('token-a')).toBeUndefined();
  });

  it('keys entries by a SHA-256 of the token, not the token', () => {
    expect(tokenKey('header.payload.signature')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokenKey('header.payload.signature')).not.toContain('payload');
    expect(tokenKey('a.b.c')).not.toBe(tokenKey('a.b.d'));
  });
});
