// Revoked identities: a principal on this list is refused even with a token that is still valid. The stores are
// adapters (lambda/adapters/dynamodb/revocations.ts, revocation-check.ts); this is what the core knows of them.
import { createHash } from 'node:crypto';
import { principalKey, type PrincipalKind } from './principal.js';

/** Revocation ids are derived from the principal, so the same principal always has the same id. */
export const revocationId = (issuer: string, subject: string) =>
  `rev-${createHash('sha256').update(principalKey({ issuer, subject })).digest('hex').slice(0, 24)}`;

/** Is a principal revoked? All the authorizer and the functions behind it need of revocations. */
export type RevocationCheck = (issuer: string, subject: string) => Promise<boolean>;

export interface Revocation {
  readonly id: string;
  readonly issuer: string;
  readonly subject: string;
  readonly reason: string;
  readonly revokedBy: { readonly issuer: string; readonly subject: string; readonly kind: PrincipalKind };
  readonly revokedAt: string;
  readonly cancelledJobs: readonly string[];
}

export interface RevocationStore {
  isRevoked: RevocationCheck;
  /** Returns the stored revocation; revoking twice keeps the first. */
  add(r: Revocation): Promise<{ created: boolean; revocation: Revocation }>;
  setCancelledJobs(id: string, jobIds: readonly string[]): Promise<void>;
  list(): Promise<Revocation[]>;
  /** Returns the lifted revocation, or undefined when there was none. */
  remove(id: string): Promise<Revocation | undefined>;
}

/**
 * A revocation check remembered for `ttlMs` per principal: for the authorizer, whose answer API Gateway caches for
 * minutes anyway. The functions behind it check with a consistent read on every request, so a revocation still takes
 * effect on the next request whatever this remembers.
 */
export function rememberedRevocationCheck(
  isRevoked: (issuer: string, subject: string) => Promise<boolean>,
  ttlMs: number,
  now: () => number = Date.now,
  maxEntries = 10_000,
): (issuer: string, subject: string) => Promise<boolean> {
  const seen = new Map<string, { revoked: boolean; until: number }>();
  return async (issuer, subject) => {
    const key = principalKey({ issuer, subject });
    const hit = seen.get(key);
    if (hit && hit.until > now()) return hit.revoked;
    const revoked = await isRevoked(issuer, subject);
    if (seen.size >= maxEntries) seen.clear();
    seen.set(key, { revoked, until: now() + ttlMs });
    return revoked;
  };
}
