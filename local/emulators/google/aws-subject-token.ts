// The AWS subject token of Workload Identity Federation: a SigV4-signed STS GetCallerIdentity request, serialized as
// google-auth-library's AwsClient does. Google forwards it to AWS; the emulator checks it as AWS would, offline.
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/** An AWS identity the emulator recognises: the secret it verifies signatures with and who GetCallerIdentity says it is. */
export interface AwsIdentity {
  readonly secretAccessKey: string;
  /** GetCallerIdentity's Arn, e.g. `arn:aws:sts::111122223333:assumed-role/gateway-jobs/gateway-jobs-fn`. */
  readonly arn: string;
  /** When set, the signed request must carry exactly this `x-amz-security-token`. */
  readonly sessionToken?: string;
}

export interface VerifiedCaller {
  readonly accessKeyId: string;
  readonly arn: string;
  /** The assumed-role ARN without the session name: Google's default `attribute.aws_role` mapping. */
  readonly awsRole: string;
}

/** Why AWS would have refused the request; `awsCode` is the error code AWS STS would answer with. */
export class SubjectTokenRejected extends Error {
  override readonly name = 'SubjectTokenRejected';
  constructor(
    readonly awsCode: string,
    message: string,
  ) {
    super(message);
  }
}

interface SerializedRequest {
  url: string;
  method: string;
  headers: { key: string; value: string }[];
  body?: string;
}

const STS_HOST = /^sts(\.([a-z0-9-]+))?\.amazonaws\.com(\.cn)?$/;
const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parses the serialized request (`encodeURIComponent(JSON.stringify({url, method, headers}))`). */
export function parseAwsSubjectToken(subjectToken: string): SerializedRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeURIComponent(subjectToken));
  } catch {
    throw new SubjectTokenRejected('MalformedSubjectToken', 'The subject token is not a serialized AWS request');
  }
  const candidate = parsed as Partial<SerializedRequest>;
  if (
    typeof candidate?.url !== 'string' ||
    typeof candidate.method !== 'string' ||
    !Array.isArray(candidate.headers) ||
    !candidate.headers.every((h) => typeof h?.key === 'string' && typeof h.value === 'string')
  ) {
    throw new SubjectTokenRejected('MalformedSubjectToken', 'The subject token must have url, method and headers [{key, value}]');
  }
  return candidate as SerializedRequest;
}

/**
 * Checks the request the way AWS STS would before answering GetCallerIdentity: known access key, fresh date,
 * and a signature that matches when recomputed with the key's secret.
 */
export async function verifyAwsSubjectToken(
  request: SerializedRequest,
  options: {
    audience: string;
    identities: ReadonlyMap<string, AwsIdentity>;
    now: number;
    maxSkewSeconds: number;
  },
): Promise<VerifiedCaller> {
  const url = parseUrl(request.url);
  if (request.method.toUpperCase() !== 'POST' && request.method.toUpperCase() !== 'GET') {
    throw new SubjectTokenRejected('InvalidAction', `GetCallerIdentity must be GET or POST, got ${request.method}`);
  }
  const hostMatch = STS_HOST.exec(url.hostname);
  if (url.protocol !== 'https:' || !hostMatch) {
    throw new SubjectTokenRejected('InvalidEndpoint', `${url.host} is not an AWS STS endpoint`);
  }
  if (url.searchParams.get('Action') !== 'GetCallerIdentity' || url.searchParams.get('Version') !== '2011-06-15') {
    throw new SubjectTokenRejected('InvalidAction', 'The request is not Action=GetCallerIdentity&Version=2011-06-15');
  }

  const headers = new Map<string, string>();
  for (const { key, value } of request.headers) headers.set(key.toLowerCase(), value);

  const target = headers.get('x-goog-cloud-target-resource');
  if (target !== options.audience && target !== `https:${options.audience}`) {
    throw new SubjectTokenRejected('TargetResourceMismatch', 'The x-goog-cloud-target-resource header does not name this workload identity provider');
  }

  const auth = AUTHORIZATION.exec(headers.get('authorization') ?? '');
  if (!auth) throw new SubjectTokenRejected('IncompleteSignature', 'The Authorization header is not an AWS4-HMAC-SHA256 signature');
  const [, accessKeyId = '', scopeDate, region = '', service, signedHeaderList = '', signature = ''] = auth;
  if (service !== 'sts') throw new SubjectTokenRejected('SignatureDoesNotMatch', `Credential should be scoped to service sts, not ${service}`);
  const hostRegion = hostMatch[2];
  if (hostRegion && hostRegion !== region) {
    throw new SubjectTokenRejected('SignatureDoesNotMatch', `Credential should be scoped to region ${hostRegion}, not ${region}`);
  }

  const identity = options.identities.get(accessKeyId);
  if (!identity) throw new SubjectTokenRejected('InvalidClientTokenId', 'The security token included in the request is invalid.');
  const sessionToken = headers.get('x-amz-security-token');
  if (identity.sessionToken !== undefined && sessionToken !== identity.sessionToken) {
    throw new SubjectTokenRejected('InvalidClientTokenId', 'The security token included in the request is invalid.');
  }

  const amzDate = headers.get('x-amz-date') ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined || amzDate.slice(0, 8) !== scopeDate) {
    throw new SubjectTokenRejected('IncompleteSignature', 'x-amz-date is missing, malformed or outside the credential scope date');
  }
  if (Math.abs(options.now - signedAt.getTime()) > options.maxSkewSeconds * 1000) {
    throw new SubjectTokenRejected('RequestExpired', `Signature expired: ${amzDate} is more than ${options.maxSkewSeconds}s away from the current time`);
  }

  const signedHeaders = signedHeaderList.split(';');
  for (const name of ['host', 'x-amz-date']) {
    if (!signedHeaders.includes(name)) throw new SubjectTokenRejected('IncompleteSignature', `The ${name} header must be signed`);
  }
  if (headers.get('host') !== url.host) throw new SubjectTokenRejected('SignatureDoesNotMatch', 'The signed host header does not match the URL');
  const toSign: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = headers.get(name);
    if (value === undefined) throw new SubjectTokenRejected('IncompleteSignature', `Signed header ${name} is missing`);
    // The signer re-adds these two from the date and the credentials.
    if (name !== 'x-amz-date' && name !== 'x-amz-security-token') toSign[name] = value;
  }

  // Recompute the signature with AWS's own SigV4 implementation and the secret only the emulator and the caller know.
  const signer = new SignatureV4({
    service: 'sts',
    region,
    sha256: NodeSha256,
    applyChecksum: false,
    credentials: {
      accessKeyId,
      secretAccessKey: identity.secretAccessKey,
      ...(signedHeaders.includes('x-amz-security-token') && sessionToken !== undefined ? { sessionToken } : {}),
    },
  });
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const existing = query[key];
    query[key] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  const resigned = await signer.sign(
    {
      method: request.method.toUpperCase(),
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query,
      headers: toSign,
      ...(request.body !== undefined ? { body: request.body } : {}),
    },
    { signingDate: signedAt },
  );
  const expected = AUTHORIZATION.exec(resigned.headers.authorization ?? '');
  if (!expected || expected[5] !== signedHeaderList || !sameHex(expected[6] ?? '', signature)) {
    throw new SubjectTokenRejected(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
  return { accessKeyId, arn: identity.arn, awsRole: awsRoleOf(identity.arn) };
}

/** `arn:aws:sts::123:assumed-role/Role/session` → `arn:aws:sts::123:assumed-role/Role`; other ARNs unchanged. */
function awsRoleOf(arn: string): string {
  const match = /^(arn:aws[a-z-]*:sts::\d{12}:assumed-role\/[^/]+)\/.+$/.exec(arn);
  return match?.[1] ?? arn;
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new SubjectTokenRejected('MalformedSubjectToken', 'The subject token url is not a URL');
  }
}

function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** SHA-256 (or HMAC-SHA256 with a secret) in the shape @smithy/signature-v4 expects. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function toBuffer(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
