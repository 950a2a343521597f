// Workload Identity Federation from AWS: google-auth-library's `external_account` AwsClient signs an STS
// GetCallerIdentity request with the function role's credentials, exchanges it at Google STS, then impersonates
// the service account. No Google key exists anywhere.
import { AwsClient, type AwsClientOptions, type AwsSecurityCredentialsSupplier } from 'google-auth-library';
import { credentialsFailure, endpointOf, isHttpFailure, type GoogleCredentialStep } from './credential-errors.js';

const GOOGLE_STS_TOKEN_URL = 'https://sts.googleapis.com/v1/token';
export const GOOGLE_IAM_CREDENTIALS_ENDPOINT = 'https://iamcredentials.googleapis.com';
/** Google's documented default; `{region}` is filled with the function's region. */
const AWS_REGIONAL_CRED_VERIFICATION_URL = 'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15';
const AWS4_SUBJECT_TOKEN_TYPE = 'urn:ietf:params:aws:token-type:aws4_request';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface WorkloadIdentitySettings {
  readonly audience: string;
  readonly serviceAccount: string;
  readonly tokenUrl?: string;
  readonly iamCredentialsEndpoint?: string;
  readonly awsRegionalCredVerificationUrl?: string;
  /** Explicit AWS credentials and region (local mode, tests); default: the Lambda role's environment credentials. */
  readonly awsCredentials?: AwsSecurityCredentialsSupplier;
  readonly tokenLifetimeSeconds?: number;
}

/** The `external_account` options for one service account: what a credential configuration file would hold. */
export function externalAccountOptions(settings: WorkloadIdentitySettings): AwsClientOptions {
  const iam = (settings.iamCredentialsEndpoint ?? GOOGLE_IAM_CREDENTIALS_ENDPOINT).replace(/\/+$/, '');
  const source: Pick<AwsClientOptions, 'credential_source' | 'aws_security_credentials_supplier'> = settings.awsCredentials
    ? { aws_security_credentials_supplier: settings.awsCredentials }
    : {
        // No `url`/`region_url`: the supplier then reads AWS_REGION and AWS_ACCESS_KEY_ID/SECRET/SESSION_TOKEN, as Lambda sets them.
        credential_source: {
          environment_id: 'aws1',
          regional_cred_verification_url: settings.awsRegionalCredVerificationUrl ?? AWS_REGIONAL_CRED_VERIFICATION_URL,
        },
      };
  return {
    type: 'external_account',
    audience: settings.audience,
    subject_token_type: AWS4_SUBJECT_TOKEN_TYPE,
    token_url: settings.tokenUrl ?? GOOGLE_STS_TOKEN_URL,
    service_account_impersonation_url: `${iam}/v1/projects/-/serviceAccounts/${settings.serviceAccount}:generateAccessToken`,
    service_account_impersonation: { token_lifetime_seconds: settings.tokenLifetimeSeconds ?? 3600 },
    scopes: [CLOUD_PLATFORM_SCOPE],
    ...source,
  };
}

/** An AwsClient whose token failures are GoogleCredentialsErrors, free of the signed request they carried. */
export class WorkloadIdentityClient extends AwsClient {
  private readonly tokenEndpoint: string | undefined;

  constructor(private readonly settings: WorkloadIdentitySettings) {
    super(externalAccountOptions(settings));
    this.tokenEndpoint = endpointOf(settings.tokenUrl ?? GOOGLE_STS_TOKEN_URL);
  }

  protected override async refreshAccessTokenAsync() {
    try {
      return await super.refreshAccessTokenAsync();
    } catch (err) {
      throw credentialsFailure(this.settings.serviceAccount, this.stepOf(err), err, 'workload identity federation');
    }
  }

  private stepOf(err: unknown): GoogleCredentialStep {
    // Before any HTTP call the only work is reading the AWS credentials and region and signing with them.
    if (!isHttpFailure(err)) return 'aws-credentials';
    const failedAt = endpointOf(err.config?.url ?? err.response?.config?.url);
    return failedAt !== undefined && failedAt === this.tokenEndpoint ? 'token-exchange' : 'impersonation';
  }
}
