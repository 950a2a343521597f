// A Databricks service principal's OAuth secrets, managed as the principal itself: the client-credentials exchange at
// /oidc/v1/token, SCIM Me, and the workspace-level Service Principal Secrets proxy API
// (https://docs.databricks.com/api/authentication/v1/service-principal-secret-proxy).
import { BackendFailure, BackendRejected } from '../../core/errors.js';
import { DatabricksCredentials, DatabricksCredentialsError } from './credentials.js';
import { DatabricksHttpClient, type DatabricksHttpProps } from './http.js';
import { CredentialApiFailed } from '../../rotation/errors.js';

/** A workspace and one of a service principal's OAuth client secrets. */
export interface OAuthClientCredential {
  readonly host: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** A secret as the list answers it: never its value. */
export interface SecretSummary {
  readonly secretId: string;
  readonly expireTime?: string;
}

export interface DatabricksOAuthSecretsApi {
  /** `GET /api/2.0/preview/scim/v2/Me` with a token exchanged for `as`: the principal's SCIM id. Fails unless the secret works. */
  whoAmI(as: OAuthClientCredential): Promise<{ id: string; userName: string }>;
  /** `POST .../servicePrincipals/{id}/credentials/secrets` with `lifetime`: the new secret, whose value only this answer carries. */
  create(as: OAuthClientCredential, servicePrincipalId: string, lifetimeSeconds: number): Promise<{ secretId: string; secret: string; expireTime?: string }>;
  /** `GET .../credentials/secrets`, every page. */
  list(as: OAuthClientCredential, servicePrincipalId: string): Promise<SecretSummary[]>;
  /** `DELETE .../credentials/secrets/{secret_id}`; `absent` when Databricks answers RESOURCE_DOES_NOT_EXIST (already deleted). */
  delete(as: OAuthClientCredential, servicePrincipalId: string, secretId: string): Promise<'deleted' | 'absent'>;
}

/** Retry knobs of the underlying client (tests shorten the waits). */
export type OAuthApiHttpOptions = Omit<DatabricksHttpProps, 'host' | 'credentials'>;

const secretsPath = (servicePrincipalId: string) => `/api/2.0/accounts/servicePrincipals/${encodeURIComponent(servicePrincipalId)}/credentials/secrets`;

export class HttpDatabricksOAuthSecretsApi implements DatabricksOAuthSecretsApi {
  constructor(private readonly options: OAuthApiHttpOptions = {}) {}

  async whoAmI(as: OAuthClientCredential): Promise<{ id: string; userName: string }> {
    const json = (await this.call(as, 'GET', '/api/2.0/preview/scim/v2/Me')) as { id?: unknown; userName?: unknown };
    if (typeof json.id !== 'string' || !json.id) throw new CredentialApiFailed(`Databricks SCIM Me on ${as.host} answered without an id`, 'INVALID_RESPONSE');
    return { id: json.id, userName: typeof json.userName === 'string' ? json.userName : '' };
  }

  async create(as: OAuthClientCredential, servicePrincipalId: string, lifetimeSeconds: number) {
    const body = JSON.stringify({ lifetime: `${lifetimeSeconds}s` });
    const json = (await this.call(as, 'POST', secretsPath(servicePrincipalId), body)) as { id?: unknown; secret?: unknown; expire_time?: unknown };
    if (typeof json.id !== 'string' || !json.id || typeof json.secret !== 'string' || !json.secret) {
      throw new CredentialApiFailed(`Databricks service principal secret create on ${as.host} answered without id and secret`, 'INVALID_RESPONSE');
    }
    return { secretId: json.id, secret: json.secret, ...(typeof json.expire_time === 'string' && { expireTime: json.expire_time }) };
  }

  async list(as: OAuthClientCredential, servicePrincipalId: string): Promise<SecretSummary[]> {
    const out: SecretSummary[] = [];
    let pageToken: string | undefined;
    do {
      const query: Record<string, string> = pageToken === undefined ? {} : { page_token: pageToken };
      const json = (await this.call(as, 'GET', secretsPath(servicePrincipalId), undefined, query)) as {
        secrets?: { id?: unknown; expire_time?: unknown }[];
        next_page_token?: unknown;
      };
      for (const s of json.secrets ?? []) {
        if (typeof s.id === 'string' && s.id) out.push({ secretId: s.id, ...(typeof s.expire_time === 'string' && { expireTime: s.expire_time }) });
      }
      // the docs: only a missing next_page_token ends the listing, never the number of entries
      pageToken = typeof json.next_page_token === 'string' && json.next_page_token ? json.next_page_token : undefined;
    } while (pageToken !== undefined);
    return out;
  }

  async delete(as: OAuthClientCredential, servicePrincipalId: string, secretId: string): Promise<'deleted' | 'absent'> {
    try {
      await this.call(as, 'DELETE', `${secretsPath(servicePrincipalId)}/${encodeURIComponent(secretId)}`);
      return 'deleted';
    } catch (err) {
      if (err instanceof CredentialApiFailed && (err.code === 'RESOURCE_DOES_NOT_EXIST' || err.code === 'NOT_FOUND')) return 'absent';
      throw err;
    }
  }

  private async call(as: OAuthClientCredential, method: 'GET' | 'POST' | 'DELETE', path: string, body?: string, query?: Record<string, string>): Promise<unknown> {
    // The jobs function's own exchange (/oidc/v1/token, client credentials, all-apis), fed this one secret.
    const credentials = new DatabricksCredentials({
      config: { type: 'oauth-m2m' },
      store: { getSecretString: async () => JSON.stringify({ clientId: as.clientId, clientSecret: as.clientSecret }) },
      secretId: `the OAuth secret of client ${as.clientId}`,
      host: as.host,
      ...(this.options.fetch !== undefined && { fetch: this.options.fetch }),
    });
    const client = new DatabricksHttpClient({ ...this.options, host: as.host, credentials });
    try {
      return (await client.request(method, path, { ...(body !== undefined && { body }), ...(query !== undefined && { query }) })).json ?? {};
    } catch (err) {
      // The client's errors are already redacted (no token, no secret, no bearer header).
      if (err instanceof BackendRejected || err instanceof BackendFailure) {
        throw new CredentialApiFailed(`Databricks ${method} ${path} on ${as.host} failed: ${err.message}`, err.backendCode, { cause: err });
      }
      if (err instanceof DatabricksCredentialsError) throw new CredentialApiFailed(`Databricks ${method} ${path} on ${as.host} failed: ${err.message}`, err.code, { cause: err });
      throw new CredentialApiFailed(`Databricks ${method} ${path} on ${as.host} failed`, 'UNKNOWN', { cause: err });
    }
  }
}
