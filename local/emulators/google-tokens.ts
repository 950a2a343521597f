// Google's token endpoints on one local server, so the real google-auth-library flows run without a cloud account:
// STS token exchange (Workload Identity Federation from AWS), IAM Credentials generateAccessToken (impersonation),
// the OAuth 2.0 JWT-bearer grant (service-account keys) and IAM's service-account keys API.
import type { webcrypto } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { FaultInjector, NO_FAULTS, systemClock, type Clock, type FaultSettings } from './faults.js';
import { AccessTokens, type TokenInfo } from './google/access-tokens.js';
import { parseAwsSubjectToken, SubjectTokenRejected, verifyAwsSubjectToken, type AwsIdentity } from './google/aws-subject-token.js';
import {
  bearerToken,
  BodyTooLarge,
  faultBody,
  GoogleApiError,
  isForm,
  OAuthError,
  parseForm,
  readBody,
  sendJson,
} from './google/http.js';
import { KeyLimitReached, ServiceAccountRegistry, type ServiceAccountKeyFile } from './google/service-account-keys.js';

;
;
;

const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const AWS4_SUBJECT_TOKEN_TYPE = 'urn:ietf:params:aws:token-type:aws4_request';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const IAM_SCOPE = 'https://www.googleapis.com/auth/iam';
/** The `aud` google-auth-library (gtoken) puts in every JWT assertion, whatever the key file's token_uri says. */
const GOOGLE_OAUTH_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';

export interface GoogleTokenEmulatorOptions {
  port?: number;
  host?: string;
  /** Workload identity pool providers STS accepts as `audience`: `//iam.googleapis.com/projects/<n>/locations/global/workloadIdentityPools/<pool>/providers/<p>`. */
  workloadIdentityAudiences?: readonly string[];
  /** AWS access key id → the identity it signs as (the emulator verifies SigV4 with the secret). */
  awsCredentials?: Readonly<Record<string, AwsIdentity>>;
  /**
   * Service account → who may call generateAccessToken for it: AWS ARNs or assumed-role ARNs (without the session
   * name, like Google's `attribute.aws_role`), full `principal://` identifiers, other service accounts' emails, or
   * `*` for any authenticated caller (local mode).
   */
  impersonation?: Readonly<Record<string, readonly string[]>>;
  /** Service accounts registered at start; `initialKey` creates one key for each (read it with `serviceAccountKeys`). */
  serviceAccounts?: readonly { email: string; initialKey?: boolean }[];
  /**
   * Service account → principals allowed to manage its keys. A service account without an entry accepts any caller
   * with a valid token holding the cloud-platform or iam scope.
   */
  keyAdmins?: Readonly<Record<string, readonly string[]>>;
  /** Lifetime of every token issued (and upper bound for generateAccessToken's `lifetime`). Default 3600. */
  tokenLifetimeSeconds?: number;
  /** How far the signed request's x-amz-date may be from now, as AWS allows. Default 900. */
  maxAwsSignatureSkewSeconds?: number;
  /** Project of service accounts whose email is not `name@PROJECT.iam.gserviceaccount.com`. Default `local-project`. */
  projectId?: string;
  clock?: Clock;
  faults?: FaultSettings;
  random?: () => number;
}

/** How many calls each endpoint answered successfully (tests use it to prove token caching). */
interface GoogleTokenCounts {
  stsExchange: number;
  generateAccessToken: number;
  jwtBearer: number;
  keysCreated: number;
  keysDeleted: number;
}

export interface GoogleTokenEmulator {
  /** Base URL: use it as `iamCredentialsEndpoint` and `iamEndpoint`. */
  readonly url: string;
  /** STS token exchange URL (config `tokenUrl` in workload-identity mode). */
  readonly stsTokenUrl: string;
  /** OAuth 2.0 token URL (key files' `token_uri`; config `tokenUrl` in service-account-key mode). */
  readonly oauthTokenUrl: string;
  readonly faults: FaultInjector;
  readonly counts: GoogleTokenCounts;
  /** What an access token issued here stands for, or undefined when unknown or expired. */
  verifyAccessToken(token: string): TokenInfo | undefined;
  /** Key files of the service account's live keys (oldest first). */
  serviceAccountKeys(email: string): ServiceAccountKeyFile[];
  /** Creates a key as the IAM API would, without a caller token (test and local-mode set-up). */
  createServiceAccountKey(email: string): Promise<ServiceAccountKeyFile>;
  /** Issues a service-account token directly (set-up for other emulators' tests). */
  issueServiceAccountToken(email: string, scopes?: readonly string[]): string;
  /** Forgets every issued token, as if they had all expired. */
  revokeAllTokens(): void;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, params: string[]) => Promise<{ status: number; body: unknown }>;
interface Route {
  method: string;
  pattern: RegExp;
  dialect: 'oauth' | 'google';
  handle: Handler;
}

export async function startGoogleTokenEmulator(options: GoogleTokenEmulatorOptions = {}): Promise<GoogleTokenEmulator> {
  const clock = options.clock ?? systemClock;
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const maxSkew = options.maxAwsSignatureSkewSeconds ?? 900;
  const providers = new Set(options.workloadIdentityAudiences ?? []);
  const identities = new Map(Object.entries(options.awsCredentials ?? {}));
  const impersonation = options.impersonation ?? {};
  const keyAdmins = options.keyAdmins ?? {};
  const faults = new FaultInjector({ ...NO_FAULTS, ...options.faults }, options.random);
  const tokens = new AccessTokens(clock, lifetime);
  const counts: GoogleTokenCounts = { stsExchange: 0, generateAccessToken: 0, jwtBearer: 0, keysCreated: 0, keysDeleted: 0 };
  let baseUrl = '';
  // token_uri is known once the port is, so the registry asks for it when it writes a key file.
  const registry = new ServiceAccountRegistry(() => `${baseUrl}/token`, options.projectId ?? 'local-project', () => clock.now());

  const stsExchange: Handler = async (req) => {
    if (!isForm(req)) throw new OAuthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    const form = parseForm(await readBody(req));
    if (form.grant_type !== TOKEN_EXCHANGE_GRANT) {
      throw new OAuthError(400, 'unsupported_grant_type', `Unsupported grant_type: ${form.grant_type ?? '(missing)'}`);
    }
    if (form.requested_token_type !== ACCESS_TOKEN_TYPE) {
      throw new OAuthError(400, 'invalid_request', `requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
    }
    if (form.subject_token_type !== AWS4_SUBJECT_TOKEN_TYPE) {
      throw new OAuthError(400, 'invalid_request', `Unsupported subject_token_type: ${form.subject_token_type ?? '(missing)'}`);
    }
    if (!form.subject_token) throw new OAuthError(400, 'invalid_request', 'subject_token is required');
    const audience = form.audience ?? '';
    if (!providers.has(audience)) {
      throw new OAuthError(
        400,
        'invalid_target',
        'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
      );
    }
    const scopes = (form.scope ?? '').split(' ').filter(Boolean);
    if (scopes.length === 0) throw new OAuthError(400, 'invalid_scope', 'scope is required when exchanging an external credential');
    let caller;
    try {
      caller = await verifyAwsSubjectToken(parseAwsSubjectToken(form.subject_token), { audience, identities, now: clock.now(), maxSkewSeconds: maxSkew });
    } catch (err) {
      if (!(err instanceof SubjectTokenRejected)) throw err;
      throw new OAuthError(400, 'invalid_grant', `Received invalid AWS response of type ${err.awsCode} with error message: ${err.message}`);
    }
    const pool = audience.replace(/^\/\/iam\.googleapis\.com\//, '').replace(/\/providers\/[^/]+$/, '');
    const principal = `principal://iam.googleapis.com/${pool}/subject/${caller.arn}`;
    const issued = tokens.issue({ principal, kind: 'federated', scopes, aliases: [principal, caller.arn, caller.awsRole] });
    counts.stsExchange++;
    return {
      status: 200,
      body: { access_token: issued.token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: issued.expiresIn },
    };
  };

  const generateAccessToken: Handler = async (req, [project = '', email = '']) => {
    const caller = authenticate(req);
    if (project !== '-') {
      throw new GoogleApiError('INVALID_ARGUMENT', 'The resource name must be projects/-/serviceAccounts/{ACCOUNT_EMAIL_OR_UNIQUEID}: the - wildcard is required.');
    }
    const body = await readJson(req);
    const allowed = impersonation[email] ?? [];
    if (!registry.has(email) || !allowed.some((p) => p === '*' || caller.aliases.includes(p))) {
      throw new GoogleApiError('PERMISSION_DENIED', "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).");
    }
    const scope = body.scope;
    if (!Array.isArray(scope) || scope.length === 0 || !scope.every((s) => typeof s === 'string' && s.length > 0)) {
      throw new GoogleApiError('INVALID_ARGUMENT', 'Request contains an invalid argument: scope must name at least one OAuth scope.');
    }
    if (body.delegates !== undefined && (!Array.isArray(body.delegates) || body.delegates.length > 0)) {
      throw new GoogleApiError('INVALID_ARGUMENT', 'Delegation chains are not supported by this emulator.');
    }
    const requested = parseDuration(body.lifetime);
    if (requested === undefined || requested <= 0 || requested > 3600) {
      throw new GoogleApiError('INVALID_ARGUMENT', 'lifetime must be a duration in seconds such as "3600s", at most 3600s.');
    }
    const issued = tokens.issue({ principal: email, kind: 'service_account', scopes: scope as string[], aliases: [email] }, requested);
    counts.generateAccessToken++;
    return { status: 200, body: { accessToken: issued.token, expireTime: new Date(issued.expiresAt).toISOString() } };
  };

  const jwtBearer: Handler = async (req) => {
    if (!isForm(req)) throw new OAuthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    const form = parseForm(await readBody(req));
    if (form.grant_type !== JWT_BEARER_GRANT) {
      throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${form.grant_type ?? '(missing)'}`);
    }
    const assertion = form.assertion ?? '';
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(assertion);
    } catch {
      throw new OAuthError(400, 'invalid_grant', 'Invalid JWT: the assertion is not a JWT.');
    }
    const email = typeof unverified.iss === 'string' ? unverified.iss : '';
    if (!registry.has(email)) throw new OAuthError(400, 'invalid_grant', 'Invalid grant: account not found');
    const payload = await verifyAssertion(assertion, email);
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    if (scopes.length === 0) throw new OAuthError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    const issued = tokens.issue({ principal: email, kind: 'service_account', scopes, aliases: [email] });
    counts.jwtBearer++;
    return { status: 200, body: { access_token: issued.token, expires_in: issued.expiresIn, token_type: 'Bearer' } };
  };

  async function verifyAssertion(assertion: string, email: string): Promise<JWTPayload> {
    const timeframe = 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';
    const verifyOptions: JWTVerifyOptions = {
      algorithms: ['RS256'],
      issuer: email,
      audience: [GOOGLE_OAUTH_TOKEN_AUDIENCE, `${baseUrl}/token`],
      requiredClaims: ['iat', 'exp'],
      currentDate: new Date(clock.now()),
      clockTolerance: 30,
    };
    const publicKeys = registry.publicKeys(email);
    let payload: JWTPayload;
    try {
      if (publicKeys.keys.length === 0) throw new joseErrors.JWKSNoMatchingKey();
      payload = await verifyWithAnyKey(assertion, createLocalJWKSet(publicKeys), verifyOptions);
    } catch (err) {
      if (err instanceof joseErrors.JWSSignatureVerificationFailed || err instanceof joseErrors.JWKSNoMatchingKey) {
        throw new OAuthError(400, 'invalid_grant', 'Invalid JWT Signature.');
      }
      if (err instanceof joseErrors.JWTExpired) throw new OAuthError(400, 'invalid_grant', timeframe);
      if (err instanceof joseErrors.JWTClaimValidationFailed) {
        throw new OAuthError(400, 'invalid_grant', err.claim === 'aud' ? 'Invalid JWT: Failed audience check.' : timeframe);
      }
      if (err instanceof joseErrors.JOSEError) throw new OAuthError(400, 'invalid_grant', 'Invalid JWT Signature.');
      throw err;
    }
    if ((payload.exp ?? 0) - (payload.iat ?? 0) > 3600) throw new OAuthError(400, 'invalid_grant', timeframe);
    return payload;
  }

  const keyAccount = (req: IncomingMessage, project: string, email: string, permission: string): void => {
    const caller = authenticate(req);
    const denied = new GoogleApiError('PERMISSION_DENIED', `Permission '${permission}' denied on resource (or it may not exist).`);
    // Google answers 404 for an unknown account named under its real project, 403 under the `-` wildcard.
    if (!registry.has(email) || (project !== '-' && registry.projectOf(email) !== project)) {
      if (project === '-') throw denied;
      throw new GoogleApiError('NOT_FOUND', `Unknown service account ${email}`);
    }
    const admins = keyAdmins[email];
    if (admins && !admins.some((p) => caller.aliases.includes(p))) throw denied;
  };

  const createKey: Handler = async (req, [project = '', email = '']) => {
    keyAccount(req, project, email, 'iam.serviceAccountKeys.create');
    const body = await readJson(req);
    if (body.privateKeyType !== undefined && body.privateKeyType !== 'TYPE_GOOGLE_CREDENTIALS_FILE') {
      throw new GoogleApiError('INVALID_ARGUMENT', 'Only privateKeyType TYPE_GOOGLE_CREDENTIALS_FILE is supported.');
    }
    if (body.keyAlgorithm !== undefined && body.keyAlgorithm !== 'KEY_ALG_RSA_2048' && body.keyAlgorithm !== 'KEY_ALG_UNSPECIFIED') {
      throw new GoogleApiError('INVALID_ARGUMENT', 'Only keyAlgorithm KEY_ALG_RSA_2048 is supported.');
    }
    try {
      const { resource } = await registry.createKey(email);
      counts.keysCreated++;
      return { status: 200, body: resource };
    } catch (err) {
      if (err instanceof KeyLimitReached) throw new GoogleApiError('FAILED_PRECONDITION', 'Precondition check failed.');
      throw err;
    }
  };

  const listKeys: Handler = async (req, [project = '', email = '']) => {
    keyAccount(req, project, email, 'iam.serviceAccountKeys.list');
    const url = new URL(req.url ?? '/', 'http://emulator');
    const types = url.searchParams.getAll('keyTypes');
    const keys = types.length === 0 || types.includes('USER_MANAGED') ? registry.listKeys(email) : [];
    return { status: 200, body: keys.length ? { keys } : {} };
  };

  const getKey: Handler = async (req, [project = '', email = '', keyId = '']) => {
    keyAccount(req, project, email, 'iam.serviceAccountKeys.get');
    const key = registry.getKey(email, keyId);
    if (!key) throw new GoogleApiError('NOT_FOUND', `Service account key ${keyId} does not exist.`);
    return { status: 200, body: key };
  };

  const deleteKey: Handler = async (req, [project = '', email = '', keyId = '']) => {
    keyAccount(req, project, email, 'iam.serviceAccountKeys.delete');
    if (!registry.deleteKey(email, keyId)) throw new GoogleApiError('NOT_FOUND', `Service account key ${keyId} does not exist.`);
    counts.keysDeleted++;
    return { status: 200, body: {} };
  };

  function authenticate(req: IncomingMessage): TokenInfo {
    const token = bearerToken(req);
    const info = token === undefined ? undefined : tokens.verify(token);
    if (!info) {
      throw new GoogleApiError(
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    }
    if (!info.scopes.includes(CLOUD_PLATFORM_SCOPE) && !info.scopes.includes(IAM_SCOPE)) {
      throw new GoogleApiError('PERMISSION_DENIED', 'Request had insufficient authentication scopes.');
    }
    return info;
  }

  const SA = '/v1/projects/([^/]+)/serviceAccounts/([^/:]+)';
  const routes: Route[] = [
    { method: 'POST', pattern: /^\/v1\/token$/, dialect: 'oauth', handle: stsExchange },
    { method: 'POST', pattern: /^\/token$/, dialect: 'oauth', handle: jwtBearer },
    { method: 'POST', pattern: new RegExp(`^${SA}:generateAccessToken$`), dialect: 'google', handle: generateAccessToken },
    { method: 'POST', pattern: new RegExp(`^${SA}/keys$`), dialect: 'google', handle: createKey },
    { method: 'GET', pattern: new RegExp(`^${SA}/keys$`), dialect: 'google', handle: listKeys },
    { method: 'GET', pattern: new RegExp(`^${SA}/keys/([^/]+)$`), dialect: 'google', handle: getKey },
    { method: 'DELETE', pattern: new RegExp(`^${SA}/keys/([^/]+)$`), dialect: 'google', handle: deleteKey },
  ];

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    let route: Route | undefined;
    let params: string[] = [];
    for (const candidate of routes) {
      const match = candidate.method === req.method ? candidate.pattern.exec(path) : null;
      if (match) {
        route = candidate;
        params = match.slice(1).map((p) => decodeURIComponent(p));
        break;
      }
    }
    if (!route) {
      sendJson(res, 404, new GoogleApiError('NOT_FOUND', `No route for ${req.method} ${path}`).body());
      return;
    }
    const dialect = route.dialect;
    const fault = await faults.intercept(req, res, (status) => faultBody(dialect, status));
    if (fault.handled) return;
    let answer: { status: number; body: unknown };
    try {
      answer = await route.handle(req, params);
    } catch (err) {
      if (err instanceof OAuthError) answer = { status: err.status, body: err.body() };
      else if (err instanceof GoogleApiError) answer = { status: err.code, body: err.body() };
      else if (err instanceof BodyTooLarge) {
        answer =
          dialect === 'oauth'
            ? { status: 413, body: new OAuthError(413, 'invalid_request', err.message).body() }
            : { status: 413, body: { error: { code: 413, message: err.message, status: 'INVALID_ARGUMENT' } } };
      }
      else throw err;
    }
    if (fault.dropAfterWork) {
      req.socket.destroy();
      return;
    }
    sendJson(res, answer.status, answer.body);
  }

  const server = createServer((req, res) => {
    dispatch(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, faultBody('google', 500));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;

  for (const email of Object.keys(impersonation)) registry.register(email);
  for (const account of options.serviceAccounts ?? []) {
    registry.register(account.email);
    if (account.initialKey) await registry.createKey(account.email);
  }

  return {
    url: baseUrl,
    stsTokenUrl: `${baseUrl}/v1/token`,
    oauthTokenUrl: `${baseUrl}/token`,
    faults,
    counts,
    verifyAccessToken: (token) => tokens.verify(token),
    serviceAccountKeys: (email) => registry.keyFiles(email),
    createServiceAccountKey: async (email) => {
      registry.register(email);
      return (await registry.createKey(email)).keyFile;
    },
    issueServiceAccountToken: (email, scopes = [CLOUD_PLATFORM_SCOPE]) =>
      tokens.issue({ principal: email, kind: 'service_account', scopes, aliases: [email] }).token,
    revokeAllTokens: () => tokens.revokeAll(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** jose leaves the choice among several matching keys (no `kid`, as gtoken signs) to the caller: try each. */
async function verifyWithAnyKey(jwt: string, jwks: ReturnType<typeof createLocalJWKSet>, options: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    return (await jwtVerify(jwt, jwks, options)).payload;
  } catch (err) {
    if (!(err instanceof joseErrors.JWKSMultipleMatchingKeys)) throw err;
    for await (const key of err as unknown as AsyncIterable<webcrypto.CryptoKey>) {
      try {
        return (await jwtVerify(jwt, key, options)).payload;
      } catch (inner) {
        if (!(inner instanceof joseErrors.JWSSignatureVerificationFailed)) throw inner;
      }
    }
    throw new joseErrors.JWSSignatureVerificationFailed();
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req);
  if (!raw.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new GoogleApiError('INVALID_ARGUMENT', 'Invalid JSON payload received.');
}

/** A protobuf Duration in JSON ("3600s", "1.5s"); absent means Google's default of one hour. */
function parseDuration(value: unknown): number | undefined {
  if (value === undefined) return 3600;
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+)(\.\d{1,9})?s$/.exec(value);
  return match ? Number(`${match[1]}${match[2] ?? ''}`) : undefined;
}
