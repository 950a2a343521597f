// The workspace's credentials: personal access tokens (Token API 2.0) and OAuth M2M access tokens.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../faults.js';
import { invalidParameter, resourceDoesNotExist } from './api-error.js';
import { optionalInt } from './requests.js';
import type { ServicePrincipal } from './service-principals.js';

export interface InitialToken {
  readonly tokenId?: string;
  readonly value: string;
  readonly comment?: string;
  readonly lifetimeSeconds?: number;
}

/** One credential as the emulator sees it; `tokens()` hands out copies. */
export interface TokenRecord {
  readonly tokenId: string;
  readonly value: string;
  readonly kind: 'pat' | 'oauth';
  readonly comment: string;
  /** Epoch ms. */
  readonly creationTime: number;
  /** Epoch ms, or -1 for a token that never expires (Databricks' convention). */
  readonly expiryTime: number;
  /** Who the token acts as: a user name for PATs, the client id (service principal application id) for OAuth. */
  readonly userName: string;
  /** OAuth tokens: the service principal's SCIM id, what SCIM Me answers as `id`. */
  readonly principalId?: string;
  revoked: boolean;
}

/** `token_info` as the Token API returns it. */
export interface TokenInfo {
  token_id: string;
  creation_time: number;
  expiry_time: number;
  comment: string;
}

const DEFAULT_USER = 'gateway-service@example.com';

export class TokenStore {
  private readonly byValue = new Map<string, TokenRecord>();
  private readonly byId = new Map<string, TokenRecord>();

  constructor(
    private readonly clock: Clock,
    private readonly oauthLifetimeSeconds = 3600,
  ) {}

  addInitial(t: InitialToken): TokenRecord {
    return this.insert({
      tokenId: t.tokenId ?? tokenIdFor(t.value),
      value: t.value,
      kind: 'pat',
      comment: t.comment ?? '',
      creationTime: this.clock.now(),
      expiryTime: expiryFrom(this.clock.now(), t.lifetimeSeconds),
      userName: DEFAULT_USER,
      revoked: false,
    });
  }

  /** The live credential behind a bearer value, or undefined when unknown, revoked or expired. */
  authenticate(value: string): TokenRecord | undefined {
    const t = this.byValue.get(value);
    if (!t || t.revoked) return undefined;
    if (t.expiryTime !== -1 && this.clock.now() >= t.expiryTime) return undefined;
    return t;
  }

  /** `POST /api/2.0/token/create`: the new token acts as the caller. */
  create(caller: TokenRecord, body: Record<string, unknown>): { token_value: string; token_info: TokenInfo } {
    const lifetime = optionalInt(body, 'lifetime_seconds');
    const comment = body.comment;
    if (comment !== undefined && typeof comment !== 'string') throw invalidParameter('comment must be a string');
    const now = this.clock.now();
    const value = `dapi${randomBytes(16).toString('hex')}`;
    const t = this.insert({
      tokenId: tokenIdFor(value),
      value,
      kind: 'pat',
      comment: comment ?? '',
      creationTime: now,
      expiryTime: expiryFrom(now, lifetime),
      userName: caller.userName,
      revoked: false,
    });
    return { token_value: value, token_info: infoOf(t) };
  }

  /** `GET /api/2.0/token/list`: the caller's valid personal access tokens. */
  list(caller: TokenRecord): { token_infos: TokenInfo[] } {
    const now = this.clock.now();
    const live = [...this.byId.values()].filter(
      (t) => t.kind === 'pat' && t.userName === caller.userName && !t.revoked && (t.expiryTime === -1 || now < t.expiryTime),
    );
    return { token_infos: live.map(infoOf) };
  }

  /** `POST /api/2.0/token/delete`: revocation takes effect at once. */
  delete(caller: TokenRecord, body: Record<string, unknown>): Record<string, never> {
    const id = body.token_id;
    if (typeof id !== 'string' || !id) throw invalidParameter('Missing required field: token_id');
    const t = this.byId.get(id);
    if (!t || t.revoked || t.kind !== 'pat' || t.userName !== caller.userName) {
      throw resourceDoesNotExist(`Token with id ${id} does not exist or was already revoked`);
    }
    t.revoked = true;
    return {};
  }

  /** `POST /oidc/v1/token` for a service principal whose client secret was checked (ServicePrincipals.authenticate). */
  issueOAuth(sp: ServicePrincipal): { record: TokenRecord; expiresIn: number } {
    const clientId = sp.applicationId;
    const now = this.clock.now();
    const value = randomBytes(32).toString('base64url');
    const record = this.insert({
      tokenId: tokenIdFor(value),
      value,
      kind: 'oauth',
      comment: `oauth-m2m:${clientId}`,
      creationTime: now,
      expiryTime: now + this.oauthLifetimeSeconds * 1000,
      userName: clientId,
      principalId: sp.id,
      revoked: false,
    });
    return { record, expiresIn: this.oauthLifetimeSeconds };
  }

  snapshot(): TokenRecord[] {
    return [...this.byId.values()].map((t) => ({ ...t }));
  }

  private insert(t: TokenRecord): TokenRecord {
    this.byValue.set(t.value, t);
    this.byId.set(t.tokenId, t);
    return t;
  }
}

// Databricks token ids are 64 hex characters; deriving them from the value keeps initial tokens stable across restarts.
const tokenIdFor = (value: string) => createHash('sha256').update(`token-id:${value}`).digest('hex');

const expiryFrom = (now: number, lifetimeSeconds: number | undefined) =>
  lifetimeSeconds !== undefined && lifetimeSeconds > 0 ? now + lifetimeSeconds * 1000 : -1;

const infoOf = (t: TokenRecord): TokenInfo => ({
  token_id: t.tokenId,
  creation_time: t.creationTime,
  expiry_time: t.expiryTime,
  comment: t.comment,
});

