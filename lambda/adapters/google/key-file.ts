// A Google service-account JSON key file, as the key mode reads it from Secrets Manager (key-client.ts) and rotation
// writes it (key-api.ts): the file's JSON, or IAM's base64 `privateKeyData` of it.

export interface KeyFile {
  /** The key file's JSON text, as stored. */
  readonly json: string;
  readonly email: string;
  readonly keyId: string;
  readonly privateKey: string;
  readonly tokenUri?: string;
}

/** A secret that is not a key file; the message names what is missing and never quotes the secret. */
export class MalformedKeyFile extends Error {
  override readonly name = 'MalformedKeyFile';
}

/** Parse a key file; `what` names it in errors (never a parse error, whose message would quote the secret). */
export function parseKeyFile(text: string, what: string): KeyFile {
  const json = text.trimStart().startsWith('{') ? text : Buffer.from(text.trim(), 'base64').toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new MalformedKeyFile(`${what} is not a service-account JSON key`);
  }
  const k = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (k.type !== 'service_account' || typeof k.private_key !== 'string') throw new MalformedKeyFile(`${what} is not a service-account JSON key`);
  for (const field of ['client_email', 'private_key_id'] as const) {
    if (typeof k[field] !== 'string' || !k[field]) throw new MalformedKeyFile(`${what} has no "${field}"`);
  }
  if (k.token_uri !== undefined && typeof k.token_uri !== 'string') throw new MalformedKeyFile(`${what} has a token_uri that is not a string`);
  return {
    json,
    email: k.client_email as string,
    keyId: k.private_key_id as string,
    privateKey: k.private_key,
    ...(typeof k.token_uri === 'string' && { tokenUri: k.token_uri }),
  };
}
