// Rotation of a Databricks personal access token: a new token with a lifetime and a comment naming the secret,
// tested read-only, and the tokens it replaces revoked only once it is AWSCURRENT.
import { DatabricksCredentialsError, parseSecret } from '../adapters/databricks/credentials.js';
import type { DatabricksTokenApi, PatCredential } from '../adapters/databricks/token-api.js';
import { CredentialTestFailed, MalformedSecret } from './errors.js';
import type { CredentialRotator, Retired, RotationContext } from './rotator.js';
import { ROTATED_CREDENTIALS } from '../../contract/signals.js';

export interface PatRotatorProps {
  readonly api: DatabricksTokenApi;
  /** The config's `databricks.host`; wins over the secret's `host`, as it does for the jobs function. */
  readonly host?: string;
  /** `lifetime_seconds` of every new token (config `rotation.tokenLifetimeDays`). */
  readonly lifetimeSeconds: number;
}

/** The `pat` secret JSON the rotation writes: `{host, token, tokenId}` plus the id of the token it replaced. */
export interface RotatedPat {
  readonly host?: string;
  readonly token: string;
  readonly tokenId: string;
  /** Kept so that a finishSecret that failed before revoking can still be completed by a later rotation. */
  readonly previousTokenId?: string;
}

const COMMENT_PREFIX = 'data-job-gateway rotation of';

/** The comment of every token a rotation of this secret creates: it names the secret (by ARN, unique across accounts) and the version. */
const rotationComment = (ctx: RotationContext) => `${COMMENT_PREFIX} ${ctx.secretArn} version ${ctx.versionId}`;
const ownedBy = (ctx: RotationContext, comment: string) => comment.startsWith(`${COMMENT_PREFIX} ${ctx.secretArn} version `);

export class PatRotator implements CredentialRotator {
  readonly kind = ROTATED_CREDENTIALS.databricksPat;

  constructor(private readonly props: PatRotatorProps) {}

  async create(ctx: RotationContext, current: string) {
    const cur = this.read(ctx, 'AWSCURRENT', current);
    const as = this.credential(ctx, cur);
    const comment = rotationComment(ctx);
    // An earlier attempt of this same version may have created a token whose value never reached the secret: it can never be used, so revoke it.
    for (const t of await this.props.api.list(as)) {
      if (t.comment === comment) await this.props.api.revoke(as, t.tokenId);
    }
    const created = await this.props.api.create(as, { lifetimeSeconds: this.props.lifetimeSeconds, comment });
    const host = cur.host ?? this.props.host;
    const next: RotatedPat = { ...(host !== undefined && { host }), token: created.tokenValue, tokenId: created.tokenId, previousTokenId: cur.tokenId };
    return { value: JSON.stringify(next), credentialId: created.tokenId };
  }

  async discard(ctx: RotationContext, current: string, pending: string): Promise<void> {
    const cur = this.read(ctx, 'AWSCURRENT', current);
    const next = this.read(ctx, 'AWSPENDING', pending);
    await this.props.api.revoke(this.credential(ctx, cur), next.tokenId);
  }

  check(ctx: RotationContext, pending: string): void {
    const next = this.read(ctx, 'AWSPENDING', pending);
    this.credential(ctx, next);
  }

  async test(ctx: RotationContext, pending: string): Promise<void> {
    const next = this.read(ctx, 'AWSPENDING', pending);
    const as = this.credential(ctx, next);
    let live: readonly { tokenId: string }[];
    try {
      await this.props.api.whoAmI(as);
      live = await this.props.api.list(as);
    } catch (err) {
      throw new CredentialTestFailed(`the pending token ${next.tokenId} of secret ${ctx.secretName} does not work: ${(err as Error).message}`, { cause: err });
    }
    // Revocation later goes by this id, so it must be the id of a live token of the same user.
    if (!live.some((t) => t.tokenId === next.tokenId)) {
      throw new CredentialTestFailed(`the pending value of secret ${ctx.secretName} records token id ${next.tokenId}, which is not a live token of its user`);
    }
  }

  async retire(ctx: RotationContext, current: string, previous: string | undefined): Promise<Retired> {
    const cur = this.read(ctx, 'AWSCURRENT', current);
    const as = this.credential(ctx, cur);
    const prev = previous === undefined ? {} : tokenIdsIn(previous);
    // The token this one replaced, and, should an earlier finishSecret have stopped short, the one before it.
    const superseded = new Set([cur.previousTokenId, prev.tokenId, prev.previousTokenId].filter((id): id is string => id !== undefined));
    superseded.delete(cur.tokenId);
    const revoked: string[] = [];
    for (const id of superseded) if ((await this.props.api.revoke(as, id)) === 'revoked') revoked.push(id);
    // Tokens of failed or abandoned attempts (created for this secret, their value lost).
    for (const t of await this.props.api.list(as)) {
      if (t.tokenId !== cur.tokenId && ownedBy(ctx, t.comment) && (await this.props.api.revoke(as, t.tokenId)) === 'revoked') revoked.push(t.tokenId);
    }
    return { credentialId: cur.tokenId, revoked };
  }

  private read(ctx: RotationContext, stage: string, text: string): RotatedPat {
    let parsed: ReturnType<typeof parseSecret>;
    try {
      parsed = parseSecret(ctx.secretName, 'pat', text);
    } catch (err) {
      if (err instanceof DatabricksCredentialsError) throw new MalformedSecret(`${stage} value: ${err.message}`, { cause: err });
      throw err;
    }
    if (parsed.type !== 'pat' || parsed.tokenId === undefined) {
      throw new MalformedSecret(
        `${stage} value of secret ${ctx.secretName} has no "tokenId": add the id of its token (Databricks token/list) so that rotation can revoke it once replaced`,
      );
    }
    return { host: parsed.host, token: parsed.token, tokenId: parsed.tokenId, previousTokenId: tokenIdsIn(text).previousTokenId };
  }

  private credential(ctx: RotationContext, pat: RotatedPat): PatCredential {
    const host = (this.props.host ?? pat.host)?.replace(/\/+$/, '');
    if (!host) throw new MalformedSecret(`secret ${ctx.secretName} has no "host" and no databricks.host is configured`);
    return { host, token: pat.token };
  }
}

/** Token ids in a value that may not be ours (a hand-written AWSPREVIOUS): whatever string ids it has, nothing else. */
function tokenIdsIn(text: string): { tokenId?: string; previousTokenId?: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof v !== 'object' || v === null) return {};
  const { tokenId, previousTokenId } = v as Record<string, unknown>;
  return {
    ...(typeof tokenId === 'string' && tokenId && { tokenId }),
    ...(typeof previousTokenId === 'string' && previousTokenId && { previousTokenId }),
  };
}
