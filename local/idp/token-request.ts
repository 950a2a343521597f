// Asking the local identity provider's token endpoint for a token: used by the provider's own helpers and by `npm run token`.
import { ROUTE_SCOPES } from '../../contract/routes.js';

/** The developer-only grant that mints a user token for a chosen subject and groups (see identity-provider.ts). */
export const LOCAL_USER_GRANT = 'urn:data-job-gateway:params:oauth:grant-type:local-user';
/** The developer-only grant that mints a client-credentials token carrying chosen groups (`npm run token -- --agent --groups`). */
export const LOCAL_AGENT_GRANT = 'urn:data-job-gateway:params:oauth:grant-type:local-agent';
/** The public client allowed to use LOCAL_USER_GRANT. */
export const LOCAL_DEV_CLIENT = 'local-dev';
/** The public native client djg signs people in with (authorization code with PKCE, device flow). */
export const CLI_CLIENT = 'djg';
/** The client-credentials client agents use by default. */
export const DEFAULT_AGENT_CLIENT = 'local-agent';

export interface UserTokenRequest {
  readonly sub: string;
  readonly groups: readonly string[];
  /** @default every route scope (contract/routes.ts ROUTE_SCOPES), so a developer token can call every route */
  readonly scopes?: readonly string[];
  /** @default 3600 */
  readonly ttlSeconds?: number;
}

export interface AgentTokenRequest {
  /** @default 'local-agent' */
  readonly clientId?: string;
  /** Groups the token carries (through LOCAL_AGENT_GRANT); without them, a plain client-credentials token. @default none */
  readonly groups?: readonly string[];
  /** @default every route scope */
  readonly scopes?: readonly string[];
}

/** The token endpoint said no (or did not answer); the message carries its OAuth error, never a token. */
export class TokenRequestFailed extends Error {
  override readonly name = 'TokenRequestFailed';
  constructor(
    message: string,
    readonly status?: number,
    readonly oauthError?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function requestUserToken(tokenEndpoint: string, req: UserTokenRequest): Promise<string> {
  const form = new URLSearchParams({ grant_type: LOCAL_USER_GRANT, client_id: LOCAL_DEV_CLIENT, subject: req.sub, groups: JSON.stringify(req.groups) });
  form.set('scope', scopeParameter(req.scopes));
  if (req.ttlSeconds !== undefined) form.set('expires_in', String(req.ttlSeconds));
  return postForToken(tokenEndpoint, form);
}

export function requestAgentToken(tokenEndpoint: string, req: AgentTokenRequest = {}): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: req.clientId ?? DEFAULT_AGENT_CLIENT });
  if (req.groups?.length) {
    form.set('grant_type', LOCAL_AGENT_GRANT);
    form.set('groups', JSON.stringify(req.groups));
  }
  form.set('scope', scopeParameter(req.scopes));
  return postForToken(tokenEndpoint, form);
}

/** The local provider's scope names are the route scopes (local/idp/provider.ts `localIssuerConfig`). */
const scopeParameter = (scopes: readonly string[] | undefined) => (scopes?.length ? scopes : ROUTE_SCOPES).join(' ');

async function postForToken(tokenEndpoint: string, form: URLSearchParams): Promise<string> {
  let response: Response;
  try {
    response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new TokenRequestFailed(`cannot reach the token endpoint ${tokenEndpoint}: ${(err as Error).message}`, undefined, undefined, { cause: err });
  }
  const body = (await response.json().catch(() => ({}))) as { access_token?: unknown; error?: unknown; error_description?: unknown };
  if (!response.ok || typeof body.access_token !== 'string') {
    const error = typeof body.error === 'string' ? body.error : undefined;
    const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
    throw new TokenRequestFailed(`the token endpoint answered ${response.status} ${error ?? 'without a token'}${description}`, response.status, error);
  }
  return body.access_token;
}
