// The small part of oidc-provider 9 (which ships no types) that the local identity provider uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface ClientMetadata {
    client_id: string;
    token_endpoint_auth_method?: string;
    grant_types?: string[];
    response_types?: string[];
    redirect_uris?: string[];
    [key: string]: unknown;
  }

  export interface ResourceServerInfo {
    scope?: string;
    audience?: string;
    accessTokenTTL?: number;
    accessTokenFormat?: 'opaque' | 'jwt';
    jwt?: { sign?: { alg?: string; kid?: string } };
  }

  export interface OidcContext {
    oidc: {
      params?: Record<string, unknown>;
      client?: Client;
      provider: Provider;
    };
    body?: unknown;
  }

  export interface Client {
    readonly clientId: string;
  }

  export interface AccessTokenInit {
    accountId: string;
    client: Client;
    scope?: string;
    expiresIn?: number;
    resourceServer?: ResourceServer;
    gty?: string;
  }

  export interface AccessToken {
    readonly kind: string;
    readonly accountId?: string;
    readonly expiration: number;
    scope?: string;
    save(): Promise<string>;
  }

  export class ResourceServer {
    constructor(identifier: string, info: ResourceServerInfo);
  }

  export interface Configuration {
    clients?: ClientMetadata[];
    jwks?: { keys: Record<string, unknown>[] };
    features?: Record<string, unknown>;
    routes?: Record<string, string>;
    scopes?: string[];
    ttl?: Record<string, number | ((...args: unknown[]) => number)>;
    extraTokenClaims?: (ctx: unknown, token: AccessToken) => Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;
    enabledJWA?: Record<string, string[]>;
    clientDefaults?: Record<string, unknown>;
    [key: string]: unknown;
  }

  export interface Interaction {
    readonly uid: string;
    readonly params: Record<string, unknown>;
    readonly prompt: { readonly name: string; readonly reasons: readonly string[]; readonly details: Record<string, unknown> };
    readonly session?: { readonly accountId?: string };
    readonly grantId?: string;
  }

  export interface Grant {
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface KoaContext {
    readonly path: string;
    readonly method: string;
    body?: unknown;
  }

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly Grant: { new (init: { accountId: string; clientId: string }): Grant; find(id: string): Promise<Grant | undefined> };
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
    readonly issuer: string;
    proxy: boolean;
    readonly AccessToken: new (init: AccessTokenInit) => AccessToken;
    readonly ClientCredentials: new (init: { client: Client; scope?: string; expiresIn?: number; resourceServer?: ResourceServer }) => AccessToken;
    readonly ResourceServer: typeof ResourceServer;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    registerGrantType(name: string, handler: (ctx: OidcContext, next: () => Promise<void>) => Promise<void>, params?: string | string[] | Set<string>, dupes?: string | string[]): void;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export namespace errors {
    class OIDCProviderError extends Error {
      constructor(status: number, message: string);
      error_description?: string;
    }
    class InvalidRequest extends OIDCProviderError {
      constructor(description?: string, code?: number);
    }
    class InvalidTarget extends OIDCProviderError {
      constructor(description?: string);
    }
    class InvalidScope extends OIDCProviderError {
      constructor(description?: string, scope?: string);
    }
  }

  export default Provider;
}
