// Rotation of a Google service-account key (key mode): IAM creates a new key, a token minted with it proves it,
// and once it is AWSCURRENT every other user-managed key of the account is deleted.
import { CredentialTestFailed, MalformedSecret } from './errors.js';
import { parseServiceAccountKey, type GoogleKeyApi, type ServiceAccountKey } from '../adapters/google/key-api.js';
import type { CredentialRotator, Retired, RotationContext } from './rotator.js';
import { ROTATED_CREDENTIALS } from '../../contract/signals.js';

export interface KeyRotatorProps {
  readonly api: GoogleKeyApi;
  /** The config's `dataproc.credentials.serviceAccount`: the key must belong to it. */
  readonly serviceAccount: string;
  /** Waits between attempts to mint a token with a new key, which Google may take a minute to accept. @default [2000, 4000, 8000, 16000, 30000] */
  readonly propagationDelaysMs?: readonly number[];
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export class KeyRotator implements CredentialRotator {
  readonly kind = ROTATED_CREDENTIALS.googleServiceAccountKey;
  private readonly delays: readonly number[];
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly props: KeyRotatorProps) {
    this.delays = props.propagationDelaysMs ?? [2000, 4000, 8000, 16000, 30000];
    this.sleep = props.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async create(ctx: RotationContext, current: string) {
    const created = await this.props.api.createKey(this.read(ctx, 'AWSCURRENT', current));
    if (created.email !== this.props.serviceAccount) {
      throw new MalformedSecret(`IAM created a key of ${created.email}, not of ${this.props.serviceAccount}, for secret ${ctx.secretName}`);
    }
    return { value: created.json, credentialId: created.keyId };
  }

  async discard(ctx: RotationContext, current: string, pending: string): Promise<void> {
    await this.props.api.deleteKey(this.read(ctx, 'AWSCURRENT', current), this.read(ctx, 'AWSPENDING', pending).keyId);
  }

  check(ctx: RotationContext, pending: string): void {
    this.read(ctx, 'AWSPENDING', pending);
  }

  async test(ctx: RotationContext, pending: string): Promise<void> {
    const key = this.read(ctx, 'AWSPENDING', pending);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.props.api.mintToken(key);
      } catch (err) {
        const delay = this.delays[attempt];
        if (delay === undefined) {
          throw new CredentialTestFailed(`Google issued no token for the pending key ${key.keyId} of secret ${ctx.secretName}: ${(err as Error).message}`, { cause: err });
        }
        await this.sleep(delay);
      }
    }
  }

  async retire(ctx: RotationContext, current: string): Promise<Retired> {
    const cur = this.read(ctx, 'AWSCURRENT', current);
    // The account is the gateway's own (docs/credentials.md): its only user-managed key is the current one.
    const deleted: string[] = [];
    for (const keyId of await this.props.api.listKeyIds(cur)) {
      if (keyId !== cur.keyId && (await this.props.api.deleteKey(cur, keyId)) === 'deleted') deleted.push(keyId);
    }
    return { credentialId: cur.keyId, revoked: deleted };
  }

  private read(ctx: RotationContext, stage: string, text: string): ServiceAccountKey {
    const key = parseServiceAccountKey(text, `the ${stage} value of secret ${ctx.secretName}`);
    if (key.email !== this.props.serviceAccount) {
      throw new MalformedSecret(`the ${stage} value of secret ${ctx.secretName} is a key of ${key.email}, not of ${this.props.serviceAccount}`);
    }
    return key;
  }
}
