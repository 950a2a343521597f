// Which rotator a secret gets: the config says which credentials exist, the environment which secrets hold them.
import type { RuntimeSettings } from '../../contract/settings.js';
import type { DatabricksOAuthSecretsApi } from '../adapters/databricks/oauth-secrets-api.js';
import { OAuthSecretRotator } from './databricks-oauth-rotator.js';
import { PatRotator } from './databricks-pat-rotator.js';
import type { DatabricksTokenApi } from '../adapters/databricks/token-api.js';
import { RotationNotSupported } from './errors.js';
import type { GoogleKeyApi } from '../adapters/google/key-api.js';
import { KeyRotator } from './google-key-rotator.js';
import type { CredentialRotator } from './rotator.js';
import type { SecretDescription } from './secret-versions.js';

export interface RotationTargetsProps {
  readonly settings: RuntimeSettings<'rotation'>;
  /** The secrets holding each credential (ARN or name): `ENV.databricksSecret`, `ENV.googleKeySecret` when deployed. */
  readonly secretIds: { readonly databricks?: string; readonly googleKey?: string };
  readonly databricks: DatabricksTokenApi;
  /** For `oauth-m2m`: the service principal secrets API. */
  readonly databricksOAuth: DatabricksOAuthSecretsApi;
  readonly google: GoogleKeyApi;
  /** Passed to the key rotator (tests make the propagation waits instant). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** `rotatorFor` for the rotation handler: matches the secret against the configured secret ids by ARN or by name. */
export function rotationTargets(props: RotationTargetsProps): (description: SecretDescription) => CredentialRotator {
  const { settings: config, secretIds } = props;
  const targets: { secretId: string; rotator: () => CredentialRotator }[] = [];
  const databricksSecret = secretIds.databricks;
  if (config.databricks && databricksSecret) {
    const db = config.databricks;
    const lifetimeSeconds = config.tokenLifetimeDays * 86_400;
    const rotator: CredentialRotator =
      db.credentials.type === 'pat'
        ? new PatRotator({ api: props.databricks, host: db.host, lifetimeSeconds })
        : new OAuthSecretRotator({ api: props.databricksOAuth, host: db.host, lifetimeSeconds });
    targets.push({ secretId: databricksSecret, rotator: () => rotator });
  }
  const googleSecret = secretIds.googleKey;
  const google = config.dataproc?.credentials;
  if (google?.type === 'service-account-key' && googleSecret) {
    const key = new KeyRotator({ api: props.google, serviceAccount: google.serviceAccount, ...(props.sleep && { sleep: props.sleep }) });
    targets.push({ secretId: googleSecret, rotator: () => key });
  }
  return (description) => {
    const target = targets.find((t) => t.secretId === description.arn || t.secretId === description.name);
    if (!target) {
      throw new RotationNotSupported(`secret ${description.name} is not a credential of this gateway (${targets.map((t) => t.secretId).join(', ') || 'none configured'})`);
    }
    return target.rotator();
  };
}
