// Service principals and their OAuth secrets: what /oidc/v1/token accepts, and the workspace-level Service Principal
// Secrets proxy API (https://docs.databricks.com/api/authentication/v1/service-principal-secret-proxy):
//   POST   /api/2.0/accounts/servicePrincipals/{id}/credentials/secrets        {lifetime: "<seconds>s"}
//   GET    /api/2.0/accounts/servicePrincipals/{id}/credentials/secrets        ?page_size&page_token
//   DELETE /api/2.0/accounts/servicePrincipals/{id}/credentials/secrets/{secret_id}
// Rules taken from the docs: a secret's value is returned once, by create; the default and longest lifetime is 730
// days; a principal has at most five secrets; only workspace (or account) admins may create them
// (https://docs.databricks.com/aws/en/dev-tools/auth/oauth-m2m). A deleted or expired secret stops working at once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../faults.js';
import { DatabricksApiError, invalidParameter, resourceDoesNotExist } from './api-error.js';
import { decodePageToken, encodePageToken } from './requests.js';

export interface OAuthClient {
  /** The service principal's application id: the OAuth client id. */
  readonly clientId: string;
  /** One secret it starts with. */
  readonly clientSecret: string;
  /** Its numeric SCIM id, the `{id}` of the secrets API. @default derived from the client id */
  readonly servicePrincipalId?: string;
  /** Id of the starting secret. @default derived from its value */
  readonly secretId?: string;
  /** In the workspace's admins group: may manage service principal secrets. @default false */
  readonly workspaceAdmin?: boolean;
}

/** A secret as the emulator holds it, for tests to inspect (`serviceprincipalSecrets()`). */
export interface EmulatedSecret {
  readonly id: string;
  readonly servicePrincipalId: string;
  readonly value: string;
  /** Epoch ms. */
  readonly createTime: number;
  /** Epoch ms; a secret without one never expires. */
  readonly expireTime?: number;
  deleted: boolean;
}

export interface ServicePrincipal {
  readonly id: string;
  readonly applicationId: string;
  readonly workspaceAdmin: boolean;
}

/** The one caller fact the API checks: who is asking. */
export interface SecretsCaller {
  readonly userName: string;
}

const MAX_SECRETS = 5;
const MAX_LIFETIME_SECONDS = 730 * 86_400;
const PAGE_SIZE = 100;

// Numeric, like Databricks SCIM ids; stable for a client id so restarts keep URLs valid.
const scimIdFor = (applicationId: string) => String(BigInt(`0x${createHash('sha256').update(`sp:${applicationId}`).digest('hex').slice(0, 13)}`));
const secretIdFor = (value: string) => createHash('sha256').update(`sp-secret-id:${value}`).digest('hex');

export class ServicePrincipals {
  private readonly principals = new Map<string, ServicePrincipal>();
  private readonly secrets: EmulatedSecret[] = [];

  constructor(
    private readonly clock: Clock,
    clients: readonly OAuthClient[],
  ) {
    for (const c of clients) {
      const sp: ServicePrincipal = { id: c.servicePrincipalId ?? scimIdFor(c.clientId), applicationId: c.clientId, workspaceAdmin: c.workspaceAdmin ?? false };
      this.principals.set(sp.id, sp);
      this.secrets.push({ id: c.secretId ?? secretIdFor(c.clientSecret), servicePrincipalId: sp.id, value: c.clientSecret, createTime: clock.now(), deleted: false });
    }
  }

  /** /oidc/v1/token: the principal whose live secret this is, or undefined. */
  authenticate(clientId: string, clientSecret: string): ServicePrincipal | undefined {
    const sp = [...this.principals.values()].find((p) => p.applicationId === clientId);
    if (!sp) return undefined;
    return this.live(sp.id).some((s) => sameSecret(s.value, clientSecret)) ? sp : undefined;
  }

  byApplicationId(applicationId: string): ServicePrincipal | undefined {
    return [...this.principals.values()].find((p) => p.applicationId === applicationId);
  }

  /** POST .../credentials/secrets: the only answer that carries the secret's value. */
  create(caller: SecretsCaller, spId: string, body: Record<string, unknown>) {
    const sp = this.authorized(caller, spId);
    const lifetime = parseLifetime(body.lifetime);
    if (this.live(sp.id).length >= MAX_SECRETS) {
      // The limit is documented; the error code for it is not. RESOURCE_LIMIT_EXCEEDED is Databricks' code for limits.
      throw new DatabricksApiError(400, 'RESOURCE_LIMIT_EXCEEDED', `Service principal ${sp.id} already has ${MAX_SECRETS} OAuth secrets`);
    }
    const now = this.clock.now();
    const value = `dose${randomBytes(16).toString('hex')}`;
    const secret: EmulatedSecret = { id: secretIdFor(value), servicePrincipalId: sp.id, value, createTime: now, expireTime: now + lifetime * 1000, deleted: false };
    this.secrets.push(secret);
    return { ...info(secret), secret: value };
  }

  /** GET .../credentials/secrets: every secret of the principal, values never included. */
  list(caller: SecretsCaller, spId: string, query: URLSearchParams) {
    const sp = this.authorized(caller, spId);
    const size = query.get('page_size') === null ? PAGE_SIZE : Number(query.get('page_size'));
    if (!Number.isInteger(size) || size < 1) throw invalidParameter(`Invalid page_size ${JSON.stringify(query.get('page_size'))}`);
    const token = query.get('page_token');
    const offset = token ? decodePageToken(token) : 0;
    const all = this.secrets.filter((s) => s.servicePrincipalId === sp.id && !s.deleted);
    const page = all.slice(offset, offset + size);
    const next = offset + size < all.length ? { next_page_token: encodePageToken(offset + size) } : {};
    return { secrets: page.map(info), ...next };
  }

  /** DELETE .../credentials/secrets/{secret_id}: the secret stops working at once. */
  delete(caller: SecretsCaller, spId: string, secretId: string): Record<string, never> {
    const sp = this.authorized(caller, spId);
    const secret = this.secrets.find((s) => s.servicePrincipalId === sp.id && s.id === secretId && !s.deleted);
    if (!secret) throw resourceDoesNotExist(`Secret ${secretId} does not exist for service principal ${sp.id}`);
    secret.deleted = true;
    return {};
  }

  snapshot(): EmulatedSecret[] {
    return this.secrets.map((s) => ({ ...s }));
  }

  private authorized(caller: SecretsCaller, spId: string): ServicePrincipal {
    const admin = [...this.principals.values()].some((p) => p.applicationId === caller.userName && p.workspaceAdmin);
    if (!admin) throw new DatabricksApiError(403, 'PERMISSION_DENIED', 'Only workspace admins can manage service principal secrets');
    const sp = this.principals.get(spId);
    if (!sp) throw resourceDoesNotExist(`Service principal ${spId} does not exist`);
    return sp;
  }

  private live(spId: string): EmulatedSecret[] {
    const now = this.clock.now();
    return this.secrets.filter((s) => s.servicePrincipalId === spId && !s.deleted && (s.expireTime === undefined || now < s.expireTime));
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The ServicePrincipalSecret object without its value. `secret_hash`'s algorithm is not documented; nothing relies on it. */
function info(s: EmulatedSecret) {
  return {
    id: s.id,
    secret_hash: createHash('sha256').update(s.value).digest('hex'),
    create_time: iso(s.createTime),
    update_time: iso(s.createTime),
    status: 'ACTIVE',
    ...(s.expireTime !== undefined ? { expire_time: iso(s.expireTime) } : {}),
  };
}

/** `lifetime` is a protobuf Duration in JSON: seconds with an `s` suffix, e.g. "31536000s". Absent: 730 days. */
function parseLifetime(value: unknown): number {
  if (value === undefined || value === null) return MAX_LIFETIME_SECONDS;
  if (typeof value !== 'string' || !/^\d+(\.\d{1,9})?s$/.test(value)) throw invalidParameter(`Invalid lifetime ${JSON.stringify(value)}: expected seconds like "31536000s"`);
  const seconds = Number(value.slice(0, -1));
  if (seconds <= 0 || seconds > MAX_LIFETIME_SECONDS) throw invalidParameter(`lifetime must be more than 0 and at most ${MAX_LIFETIME_SECONDS}s (730 days), got ${value}`);
  return seconds;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
