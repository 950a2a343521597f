// Opaque, short-lived access tokens: the emulator remembers what each one stands for, as Google's token info does.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../faults.js';

type TokenKind = 'federated' | 'service_account';

export interface TokenInfo {
  /** Service-account email, or the federated principal (`principal://iam.googleapis.com/.../subject/<aws arn>`). */
  readonly principal: string;
  readonly kind: TokenKind;
  readonly scopes: readonly string[];
  /** Identities an allow-list may name for this caller (the AWS ARN and role ARN, or the SA email). */
  readonly aliases: readonly string[];
  readonly expiresAt: number;
}

export class AccessTokens {
  private readonly tokens = new Map<string, TokenInfo>();

  constructor(
    private readonly clock: Clock,
    /** Upper bound for every token's lifetime. */
    readonly maxLifetimeSeconds: number,
  ) {}

  issue(info: Omit<TokenInfo, 'expiresAt'>, lifetimeSeconds = this.maxLifetimeSeconds): { token: string; expiresAt: number; expiresIn: number } {
    this.prune();
    const expiresIn = Math.max(1, Math.min(lifetimeSeconds, this.maxLifetimeSeconds));
    const expiresAt = this.clock.now() + expiresIn * 1000;
    // Google access tokens start with ya29.; the rest is random and means nothing on its own.
    const token = `ya29.emu-${randomBytes(32).toString('base64url')}`;
    this.tokens.set(token, { ...info, expiresAt });
    return { token, expiresAt, expiresIn };
  }

  verify(token: string): TokenInfo | undefined {
    const info = this.tokens.get(token);
    if (!info) return undefined;
    if (info.expiresAt <= this.clock.now()) {
      this.tokens.delete(token);
      return undefined;
    }
    return info;
  }

  /** Forget every issued token, as if they had all expired. */
  revokeAll(): void {
    this.tokens.clear();
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [token, info] of this.tokens) if (info.expiresAt <= now) this.tokens.delete(token);
  }
}
