// Databricks credentials from a secret: a personal/OBO access token, or an OAuth M2M client exchanged at /oidc/v1/token.
import type { DatabricksCredentialsConfig } from '../../../contract/settings.js';
import { SecretUnavailable, type SecretStore } from '../../core/secrets.js';

/** What the backend needs: a bearer token, and a way to drop what is cached after a 401. */
export interface DatabricksTokenSource {
  token(): Promise<string>;
  /** Forget the cached secret and access token: the next `token()` reads the secret again. */
  invalidate(): void;
}

/** `pat` secret JSON, as the rotation Lambda writes it. */
interface PatSecret {
  readonly host?: string;
  readonly token: string;
  readonly tokenId?: string;
}

/** `oauth-m2m` secret JSON: a service principal's OAuth secret. */
export interface OAuthM2mSecret {
  readonly host?: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface DatabricksCredentialsProps {
  /** The config's `databricks.credentials`. */
  readonly config: DatabricksCredentialsConfig;
  readonly store: SecretStore;
  readonly secretId: string;
  /** Workspace URL whose /oidc/v1/token mints OAuth tokens. @default the secret's `host` */
  readonly host?: string;
  /** @default global fetch */
  readonly fetch?: typeof fetch;
  /** @default Date.now */
  readonly now?: () => number;
  /** How long a secret value is trusted before it is read again. @default 60 000 */
  readonly secretTtlMs?: number;
  /** An OAuth token is replaced this long before it expires (at most half its lifetime). @default 60 000 */
  readonly refreshMarginMs?: number;
  /** Per OAuth token request. @default 10 000 */
  readonly timeoutMs?: number;
}

/** Credentials could not be produced; `retryable` says whether trying again later may help. Never carries a secret. */
export class DatabricksCredentialsError extends Error {
  override readonly name = 'DatabricksCredentialsError';
  constructor(
    readonly secretId: string,
    /** SECRET_UNAVAILABLE, SECRET_MALFORMED, OAUTH_INVALID_CLIENT, OAUTH_UNAVAILABLE or OAUTH_BAD_RESPONSE. */
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

type Secret = ({ type: 'pat' } & PatSecret) | ({ type: 'oauth-m2m' } & OAuthM2mSecret);

export class DatabricksCredentials implements DatabricksTokenSource {
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly secretTtlMs: number;
  private readonly refreshMarginMs: number;
  private readonly timeoutMs: number;
  private secret?: { value: Secret; readAt: number };
  private secretRead?: Promise<Secret>;
  private oauth?: { accessToken: string; refreshAt: number; client: string };
  private oauthExchange?: Promise<string>;
  // Bumped by invalidate() so a read or exchange already in flight cannot refill the cache with stale values.
  private generation = 0;

  constructor(private readonly props: DatabricksCredentialsProps) {
    this.fetch = props.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = props.now ?? Date.now;
    this.secretTtlMs = props.secretTtlMs ?? 60_000;
    this.refreshMarginMs = props.refreshMarginMs ?? 60_000;
    this.timeoutMs = props.timeoutMs ?? 10_000;
  }

  async token(): Promise<string> {
    const secret = await this.readSecret();
    if (secret.type === 'pat') return secret.token;
    const client = `${secret.clientId}\u0000${secret.clientSecret}`;
    if (this.oauth && this.oauth.client === client && this.now() < this.oauth.refreshAt) return this.oauth.accessToken;
    if (!this.oauthExchange) {
      const generation = this.generation;
      this.oauthExchange = this.exchange(secret, client).finally(() => {
        if (generation === this.generation) this.oauthExchange = undefined;
      });
    }
    return this.oauthExchange;
  }

  invalidate(): void {
    this.generation++;
    this.secret = undefined;
    this.secretRead = undefined;
    this.oauth = undefined;
    this.oauthExchange = undefined;
  }

  private readSecret(): Promise<Secret> {
    if (this.secret && this.now() - this.secret.readAt < this.secretTtlMs) return Promise.resolve(this.secret.value);
    if (!this.secretRead) {
      const generation = this.generation;
      const settle = () => generation === this.generation && (this.secretRead = undefined);
      this.secretRead = this.loadSecret().then(
        (value) => {
          if (generation === this.generation) this.secret = { value, readAt: this.now() };
          settle();
          return value;
        },
        (err: unknown) => {
          settle();
          throw err;
        },
      );
    }
    return this.secretRead;
  }

  private async loadSecret(): Promise<Secret> {
    const { secretId, store, config } = this.props;
    let text: string;
    try {
      text = await store.getSecretString(secretId);
    } catch (err) {
      const detail = err instanceof SecretUnavailable ? err.message : `secret ${secretId} could not be read`;
      throw new DatabricksCredentialsError(secretId, 'SECRET_UNAVAILABLE', detail, true, { cause: err });
    }
    return parseSecret(secretId, config.type, text);
  }

  private async exchange(secret: OAuthM2mSecret, client: string): Promise<string> {
    const { secretId } = this.props;
    const host = (this.props.host ?? secret.host)?.replace(/\/+$/, '');
    if (!host) throw new DatabricksCredentialsError(secretId, 'SECRET_MALFORMED', `secret ${secretId} has no host and none is configured`, false);
    const generation = this.generation;
    const basic = Buffer.from(`${encodeURIComponent(secret.clientId)}:${encodeURIComponent(secret.clientSecret)}`).toString('base64');
    let res: Response;
    let text: string;
    try {
      res = await this.fetch(`${host}/oidc/v1/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'all-apis' }).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new DatabricksCredentialsError(secretId, 'OAUTH_UNAVAILABLE', `the OAuth token endpoint of ${host} could not be reached`, true, { cause: err });
    }
    if (!res.ok) {
      const retryable = res.status === 429 || res.status >= 500;
      const code = retryable ? 'OAUTH_UNAVAILABLE' : 'OAUTH_INVALID_CLIENT';
      const oauthError = safeJson(text) as { error?: unknown } | undefined;
      const what = typeof oauthError?.error === 'string' ? ` (${oauthError.error.slice(0, 64)})` : '';
      throw new DatabricksCredentialsError(secretId, code, `the OAuth token endpoint of ${host} answered ${res.status}${what}`, retryable);
    }
    const body = safeJson(text) as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (typeof body?.access_token !== 'string' || !body.access_token || typeof body.expires_in !== 'number' || body.expires_in <= 0) {
      throw new DatabricksCredentialsError(secretId, 'OAUTH_BAD_RESPONSE', `the OAuth token endpoint of ${host} answered without access_token and expires_in`, false);
    }
    const lifetimeMs = body.expires_in * 1000;
    const margin = Math.min(this.refreshMarginMs, lifetimeMs / 2);
    if (generation === this.generation) this.oauth = { accessToken: body.access_token, refreshAt: this.now() + lifetimeMs - margin, client };
    return body.access_token;
  }
}

/** Check a secret's JSON against its credential type; messages name fields, never values. */
export function parseSecret(secretId: string, type: DatabricksCredentialsConfig['type'], text: string): Secret {
  const malformed = (what: string) => new DatabricksCredentialsError(secretId, 'SECRET_MALFORMED', `secret ${secretId} ${what}`, false);
  const value = safeJson(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('is not a JSON object');
  const v = value as Record<string, unknown>;
  const str = (field: string, required: boolean): string | undefined => {
    const x = v[field];
    if (x === undefined && !required) return undefined;
    if (typeof x !== 'string' || !x) throw malformed(`needs a non-empty string field "${field}" for ${type} credentials`);
    return x;
  };
  const host = str('host', false);
  if (type === 'pat') return { type, host, token: str('token', true)!, tokenId: str('tokenId', false) };
  return { type, host, clientId: str('clientId', true)!, clientSecret: str('clientSecret', true)! };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
