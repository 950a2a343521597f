// Databricks Token API 2.0 (create, list, delete) and SCIM Me, called as one personal access token.
import { BackendFailure, BackendRejected } from '../../core/errors.js';
import { DatabricksHttpClient, type DatabricksHttpProps } from './http.js';
import { CredentialApiFailed } from '../../rotation/errors.js';

/** A workspace and the token to call it with. */
export interface PatCredential {
  readonly host: string;
  readonly token: string;
}

/** A token as token/list describes it (the value is only ever returned by token/create). */
export interface TokenSummary {
  readonly tokenId: string;
  readonly comment: string;
}

export interface DatabricksTokenApi {
  /** `POST /api/2.0/token/create`: a new token acting as the caller. */
  create(as: PatCredential, request: { readonly lifetimeSeconds: number; readonly comment: string }): Promise<{ tokenId: string; tokenValue: string }>;
  /** `GET /api/2.0/token/list`: the caller's live tokens. */
  list(as: PatCredential): Promise<TokenSummary[]>;
  /** `POST /api/2.0/token/delete`; `absent` when Databricks answers RESOURCE_DOES_NOT_EXIST (already revoked or expired). */
  revoke(as: PatCredential, tokenId: string): Promise<'revoked' | 'absent'>;
  /** `GET /api/2.0/preview/scim/v2/Me`: a read-only call that fails unless the token is live. */
  whoAmI(as: PatCredential): Promise<{ userName: string }>;
}

/** Retry knobs of the underlying client (tests shorten the waits). */
export type TokenApiHttpOptions = Omit<DatabricksHttpProps, 'host' | 'credentials'>;

export class HttpDatabricksTokenApi implements DatabricksTokenApi {
  constructor(private readonly options: TokenApiHttpOptions = {}) {}

  async create(as: PatCredential, request: { lifetimeSeconds: number; comment: string }) {
    const body = JSON.stringify({ lifetime_seconds: request.lifetimeSeconds, comment: request.comment });
    const json = (await this.call(as, 'POST', '/api/2.0/token/create', body)) as { token_value?: unknown; token_info?: { token_id?: unknown } };
    const tokenValue = json.token_value;
    const tokenId = json.token_info?.token_id;
    if (typeof tokenValue !== 'string' || !tokenValue || typeof tokenId !== 'string' || !tokenId) {
      throw new CredentialApiFailed(`Databricks token/create on ${as.host} answered without token_value and token_info.token_id`, 'INVALID_RESPONSE');
    }
    return { tokenId, tokenValue };
  }

  async list(as: PatCredential): Promise<TokenSummary[]> {
    const json = (await this.call(as, 'GET', '/api/2.0/token/list')) as { token_infos?: { token_id?: unknown; comment?: unknown }[] };
    return (json.token_infos ?? [])
      .filter((t) => typeof t.token_id === 'string')
      .map((t) => ({ tokenId: t.token_id as string, comment: typeof t.comment === 'string' ? t.comment : '' }));
  }

  async revoke(as: PatCredential, tokenId: string): Promise<'revoked' | 'absent'> {
    try {
      await this.call(as, 'POST', '/api/2.0/token/delete', JSON.stringify({ token_id: tokenId }));
      return 'revoked';
    } catch (err) {
      if (err instanceof CredentialApiFailed && err.code === 'RESOURCE_DOES_NOT_EXIST') return 'absent';
      throw err;
    }
  }

  async whoAmI(as: PatCredential): Promise<{ userName: string }> {
    const json = (await this.call(as, 'GET', '/api/2.0/preview/scim/v2/Me')) as { userName?: unknown };
    return { userName: typeof json.userName === 'string' ? json.userName : '' };
  }

  private async call(as: PatCredential, method: 'GET' | 'POST', path: string, body?: string): Promise<unknown> {
    // A fixed token: the client's re-read after a 401 simply tries the same token once more.
    const client = new DatabricksHttpClient({ ...this.options, host: as.host, credentials: { token: async () => as.token, invalidate: () => {} } });
    try {
      return (await client.request(method, path, body === undefined ? {} : { body })).json ?? {};
    } catch (err) {
      // The client's errors are already redacted (no token, no bearer header).
      if (err instanceof BackendRejected || err instanceof BackendFailure) {
        throw new CredentialApiFailed(`Databricks ${method} ${path} on ${as.host} failed: ${err.message}`, err.backendCode, { cause: err });
      }
      throw new CredentialApiFailed(`Databricks ${method} ${path} on ${as.host} failed`, 'UNKNOWN', { cause: err });
    }
  }
}
