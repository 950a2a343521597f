// Rotation of a Databricks service principal's OAuth client secret (`oauth-m2m`): the principal creates a new secret for
// itself with a lifetime, the new secret is tested at /oidc/v1/token, and once it is AWSCURRENT every other secret of
// the principal is deleted: the principal is the gateway's own (docs/credentials.md), as the Google key rotator's is.
import { DatabricksCredentialsError, parseSecret } from '../adapters/databricks/credentials.js';
import type { DatabricksOAuthSecretsApi, OAuthClientCredential } from '../adapters/databricks/oauth-secrets-api.js';
import { CredentialApiFailed, CredentialTestFailed, MalformedSecret } from './errors.js';
import type { CredentialRotator, Retired, RotationContext } from './rotator.js';
import { ROTATED_CREDENTIALS } from '../../contract/signals.js';

export interface OAuthSecretRotatorProps {
  readonly api: DatabricksOAuthSecretsApi;
  /** The config's `databricks.host`; wins over the secret's `host`, as it does for the jobs function. */
  readonly host?: string;
  /** `lifetime` of every new secret (config `rotation.tokenLifetimeDays`; Databricks allows at most 730 days). */
  readonly lifetimeSeconds: number;
}

/** The `oauth-m2m` secret JSON the rotation writes: what the jobs function reads, plus the ids rotation needs. */
export interface RotatedOAuthSecret {
  readonly host?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Id of this client secret (service principal secrets API); absent in a value put in by hand. */
  readonly secretId?: string;
  /** The service principal's numeric id, as SCIM Me answers for it; absent in a value put in by hand. */
  readonly servicePrincipalId?: string;
}

export class OAuthSecretRotator implements CredentialRotator {
  readonly kind = ROTATED_CREDENTIALS.databricksOAuthSecret;

  constructor(private readonly props: OAuthSecretRotatorProps) {}

  async create(ctx: RotationContext, current: string) {
    const cur = this.read(ctx, 'AWSCURRENT', current);
    const as = this.credential(ctx, cur);
    const principal = await this.principalOf(ctx, as, cur);
    const created = await this.props.api.create(as, principal, this.props.lifetimeSeconds);
    const host = cur.host ?? this.props.host;
    const next: RotatedOAuthSecret = {
      ...(host !== undefined && { host }),
      clientId: cur.clientId,
      clientSecret: created.secret,
      secretId: created.secretId,
      servicePrincipalId: principal,
    };
    return { value: JSON.stringify(next), credentialId: created.secretId };
  }

  async discard(ctx: RotationContext, current: string, pending: string): Promise<void> {
    const cur = this.read(ctx, 'AWSCURRENT', current);
    const next = this.pendingValue(ctx, pending);
    await this.props.api.delete(this.credential(ctx, cur), next.servicePrincipalId, next.secretId);
  }

  check(ctx: RotationContext, pending: string): void {
    this.credential(ctx, this.pendingValue(ctx, pending));
  }

  async test(ctx: RotationContext, value: string): Promise<void> {
    const next = this.read(ctx, 'AWSPENDING', value);
    const as = this.credential(ctx, next);
    let me: { id: string };
    let live: readonly { secretId: string }[] | undefined;
    try {
      // Exchanged at /oidc/v1/token, then used: a secret Databricks does not accept fails here.
      me = await this.props.api.whoAmI(as);
      if (next.secretId !== undefined) live = await this.props.api.list(as, me.id);
    } catch (err) {
      throw new CredentialTestFailed(`the OAuth secret of client ${next.clientId} in secret ${ctx.secretName} does not work: ${(err as Error).message}`, { cause: err });
    }
    if (next.servicePrincipalId !== undefined && me.id !== next.servicePrincipalId) {
      throw new CredentialTestFailed(`the OAuth secret in secret ${ctx.secretName} acts as service principal ${me.id}, not ${next.servicePrincipalId}`);
    }
    // finishSecret keeps this id and deletes every other secret: it must be the id of a live secret of the principal.
    if (live && !live.some((s) => s.secretId === next.secretId)) {
      throw new CredentialTestFailed(`secret ${ctx.secretName} records OAuth secret id ${next.secretId}, which is not a live secret of service principal ${me.id}`);
    }
  }

  async retire(ctx: RotationContext, current: string): Promise<Retired> {
    const cur = this.pendingValue(ctx, current, 'AWSCURRENT');
    const as = this.credential(ctx, cur);
    const secrets = await this.props.api.list(as, cur.servicePrincipalId);
    // Never delete blind: the current secret's id must be among them, or nothing is deleted.
    if (!secrets.some((s) => s.secretId === cur.secretId)) {
      throw new CredentialApiFailed(
        `service principal ${cur.servicePrincipalId} lists no OAuth secret ${cur.secretId} (the current one of secret ${ctx.secretName}); nothing was deleted`,
        'CURRENT_SECRET_NOT_LISTED',
      );
    }
    const deleted: string[] = [];
    for (const s of secrets) {
      if (s.secretId !== cur.secretId && (await this.props.api.delete(as, cur.servicePrincipalId, s.secretId)) === 'deleted') deleted.push(s.secretId);
    }
    return { credentialId: cur.secretId, revoked: deleted };
  }

  /** The principal the current secret acts as; a recorded id that disagrees means the value is not what it says. */
  private async principalOf(ctx: RotationContext, as: OAuthClientCredential, cur: RotatedOAuthSecret): Promise<string> {
    const me = await this.props.api.whoAmI(as);
    if (cur.servicePrincipalId !== undefined && cur.servicePrincipalId !== me.id) {
      throw new MalformedSecret(`the AWSCURRENT value of secret ${ctx.secretName} records service principal ${cur.servicePrincipalId}, but its OAuth secret acts as ${me.id}`);
    }
    return me.id;
  }

  /** A value this rotation wrote: it always has the secret and principal ids. */
  private pendingValue(ctx: RotationContext, text: string, stage = 'AWSPENDING'): RotatedOAuthSecret & { secretId: string; servicePrincipalId: string } {
    const v = this.read(ctx, stage, text);
    if (v.secretId === undefined || v.servicePrincipalId === undefined) {
      throw new MalformedSecret(`the ${stage} value of secret ${ctx.secretName} has no "secretId" and "servicePrincipalId": it was not written by a rotation`);
    }
    return v as RotatedOAuthSecret & { secretId: string; servicePrincipalId: string };
  }

  private read(ctx: RotationContext, stage: string, text: string): RotatedOAuthSecret {
    let parsed: ReturnType<typeof parseSecret>;
    try {
      parsed = parseSecret(ctx.secretName, 'oauth-m2m', text);
    } catch (err) {
      if (err instanceof DatabricksCredentialsError) throw new MalformedSecret(`${stage} value: ${err.message}`, { cause: err });
      throw err;
    }
    if (parsed.type !== 'oauth-m2m') throw new MalformedSecret(`${stage} value of secret ${ctx.secretName} is not an oauth-m2m credential`);
    const ids = idsIn(text);
    return { host: parsed.host, clientId: parsed.clientId, clientSecret: parsed.clientSecret, ...ids };
  }

  private credential(ctx: RotationContext, v: RotatedOAuthSecret): OAuthClientCredential {
    const host = (this.props.host ?? v.host)?.replace(/\/+$/, '');
    if (!host) throw new MalformedSecret(`secret ${ctx.secretName} has no "host" and no databricks.host is configured`);
    return { host, clientId: v.clientId, clientSecret: v.clientSecret };
  }
}

/** The ids in a value that may have been written by hand: whatever string ids it has, nothing else. */
function idsIn(text: string): { secretId?: string; servicePrincipalId?: string } {
  const v = JSON.parse(text) as Record<string, unknown>;
  const { secretId, servicePrincipalId } = v;
  return {
    ...(typeof secretId === 'string' && secretId && { secretId }),
    ...(typeof servicePrincipalId === 'string' && servicePrincipalId && { servicePrincipalId }),
  };
}
