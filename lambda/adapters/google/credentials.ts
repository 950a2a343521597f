// Google credentials for the Dataproc backend: one google-auth-library client per service account, built from the
// config's `dataproc.credentials` (Workload Identity Federation by default, a Secrets Manager key as the fallback).
import { Impersonated, type AwsSecurityCredentialsSupplier, type BaseExternalAccountClient, type OAuth2Client } from 'google-auth-library';
import type { GoogleCredentialsConfig } from '../../../contract/settings.js';
import type { SecretStore } from '../../core/secrets.js';
import { credentialsFailure, InvalidServiceAccount } from './credential-errors.js';
import { SecretKeyClient } from './key-client.js';
import { CLOUD_PLATFORM_SCOPE, GOOGLE_IAM_CREDENTIALS_ENDPOINT, WorkloadIdentityClient } from './workload-identity.js';

export { GoogleCredentialsError,  InvalidServiceAccount,  } from './credential-errors.js';
export { externalAccountOptions } from './workload-identity.js';

/** An AuthClient Google's generated REST clients accept as `auth`. */
type GoogleAuthClient = OAuth2Client | BaseExternalAccountClient;

/** What the Dataproc backend calls: the client for a template's service account, or the configured default one. */
export type GoogleAuthFor = (serviceAccount?: string) => GoogleAuthClient;

/** AWS credentials the caller names (local mode, tests), so nothing reads or writes process.env. */
export interface AwsCredentialSource {
  readonly region: string;
  credentials(): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
}

export interface GoogleAuthOptions {
  /** The config's `dataproc.credentials`. */
  readonly credentials: GoogleCredentialsConfig;
  /** Key mode: where the key JSON lives (Secrets Manager deployed, `local.secrets` in local mode). */
  readonly secrets?: SecretStore;
  /** Key mode: the secret's id; default the config's `secretName`. */
  readonly secretId?: string | undefined;
  /** Workload identity: explicit AWS credentials; default the Lambda role's environment credentials. */
  readonly aws?: AwsCredentialSource;
  /** Lifetime asked for impersonated tokens. Default 3600. */
  readonly tokenLifetimeSeconds?: number;
}

export class GoogleCredentialsMisconfigured extends Error {
  override readonly name = 'GoogleCredentialsMisconfigured';
}

// Emails of user-created (name@project.iam...) and Google-managed (123-compute@developer...) accounts; never a path.
const SERVICE_ACCOUNT_EMAIL = /^[a-z0-9][a-z0-9._-]{0,63}@[a-z0-9][a-z0-9.-]{0,252}\.[a-z]{2,}$/;

/**
 * Builds `googleAuthFor`. Call once at module scope in the Lambda entry file: each service account gets one client,
 * kept for the life of the execution environment, so tokens are reused until they near expiry.
 */
export function createGoogleAuth(options: GoogleAuthOptions): GoogleAuthFor {
  const config = options.credentials;
  const clients = new Map<string, GoogleAuthClient>();
  const defaultAccount = checkServiceAccount(config.serviceAccount);
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  let build: (serviceAccount: string) => GoogleAuthClient;

  if (config.type === 'workload-identity') {
    build = (serviceAccount) =>
      new WorkloadIdentityClient({
        audience: config.audience,
        serviceAccount,
        ...(config.tokenUrl !== undefined && { tokenUrl: config.tokenUrl }),
        ...(config.iamCredentialsEndpoint !== undefined && { iamCredentialsEndpoint: config.iamCredentialsEndpoint }),
        ...(config.awsRegionalCredVerificationUrl !== undefined && { awsRegionalCredVerificationUrl: config.awsRegionalCredVerificationUrl }),
        ...(options.aws !== undefined && { awsCredentials: awsSupplier(options.aws) }),
        tokenLifetimeSeconds: lifetime,
      });
  } else {
    const secretId = options.secretId ?? config.secretName;
    const secrets = options.secrets;
    if (!secrets || !secretId) {
      throw new GoogleCredentialsMisconfigured('service-account-key credentials need a SecretStore and the secret id holding the key');
    }
    const keyClient = new SecretKeyClient({
      secrets,
      secretId,
      serviceAccount: defaultAccount,
      scopes: [CLOUD_PLATFORM_SCOPE],
      ...(config.tokenUrl !== undefined && { tokenUrl: config.tokenUrl }),
    });
    clients.set(defaultAccount, keyClient);
    // A template's own service account: the key's account impersonates it, so only one key exists.
    build = (serviceAccount) =>
      new ImpersonatedFromKey({
        sourceClient: keyClient,
        targetPrincipal: serviceAccount,
        targetScopes: [CLOUD_PLATFORM_SCOPE],
        lifetime,
        endpoint: (config.iamCredentialsEndpoint ?? GOOGLE_IAM_CREDENTIALS_ENDPOINT).replace(/\/+$/, ''),
      });
  }

  function clientFor(serviceAccount: string): GoogleAuthClient {
    let client = clients.get(serviceAccount);
    if (!client) {
      client = build(serviceAccount);
      clients.set(serviceAccount, client);
    }
    return client;
  }

  return (serviceAccount) => clientFor(serviceAccount === undefined ? defaultAccount : checkServiceAccount(serviceAccount));
}

function awsSupplier(source: AwsCredentialSource): AwsSecurityCredentialsSupplier {
  return {
    getAwsRegion: async () => source.region,
    getAwsSecurityCredentials: async () => {
      const { accessKeyId, secretAccessKey, sessionToken } = await source.credentials();
      return { accessKeyId, secretAccessKey, ...(sessionToken !== undefined && { token: sessionToken }) };
    },
  };
}

function checkServiceAccount(serviceAccount: string): string {
  if (!SERVICE_ACCOUNT_EMAIL.test(serviceAccount)) throw new InvalidServiceAccount(serviceAccount);
  return serviceAccount;
}

/** Impersonation from the key's account; failures become GoogleCredentialsErrors without the request. */
class ImpersonatedFromKey extends Impersonated {
  private readonly source: OAuth2Client;
  private readonly target: string;

  constructor(options: ConstructorParameters<typeof Impersonated>[0] & { sourceClient: OAuth2Client; targetPrincipal: string }) {
    super(options);
    this.source = options.sourceClient;
    this.target = options.targetPrincipal;
  }

  protected override async refreshToken() {
    // Fetch the source token first so its own (already scrubbed) error is not rewritten by Impersonated.
    await this.source.getAccessToken();
    try {
      return await super.refreshToken();
    } catch (err) {
      throw credentialsFailure(this.target, 'impersonation', err, 'service-account impersonation');
    }
  }
}
