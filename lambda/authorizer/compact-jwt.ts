// Strict parse of a compact JWS before aws-jwt-verify sees it: the library tolerates padding, silently drops
// `__proto__`/`constructor` and lets the last of two duplicate keys win; we reject all of those outright.
import { TokenRejected } from './denial.js';

export type JsonObject = Record<string, unknown>;

export interface CompactJwt {
  readonly header: JsonObject;
  readonly payload: JsonObject;
  /** The decoded signature bytes (empty for an unsigned token). */
  readonly signature: Buffer;
}

const B64URL = /^[A-Za-z0-9_-]*$/;
// the two keys aws-jwt-verify would silently strip, which would make the verified payload differ from the signed one
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor']);

export function parseCompactJwt(token: string): CompactJwt {
  const segments = token.split('.');
  if (segments.length === 5) throw new TokenRejected('malformed', 'an encrypted token (JWE) where a signed JWT is expected');
  if (segments.length !== 3) throw new TokenRejected('malformed', `a JWT has 3 segments, got ${segments.length}`);
  const [headerB64, payloadB64, signatureB64] = segments as [string, string, string];
  if (!headerB64 || !payloadB64) throw new TokenRejected('malformed', 'empty header or payload segment');
  return {
    header: decodeJsonSegment(headerB64, 'header'),
    payload: decodeJsonSegment(payloadB64, 'payload'),
    signature: decodeSegment(signatureB64, 'signature'),
  };
}

function decodeSegment(segment: string, what: string): Buffer {
  if (!B64URL.test(segment)) throw new TokenRejected('malformed', `${what} is not unpadded base64url`);
  const bytes = Buffer.from(segment, 'base64url');
  // Node's decoder ignores stray trailing bits; only the canonical encoding of the bytes is accepted
  if (bytes.toString('base64url') !== segment) throw new TokenRejected('malformed', `${what} is not canonical base64url`);
  return bytes;
}

function decodeJsonSegment(segment: string, what: string): JsonObject {
  const bytes = decodeSegment(segment, what);
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TokenRejected('malformed', `${what} is not a JSON object`);
    const members = assertNoForbiddenKeys(value, what);
    // JSON.parse keeps one member per name, so the text has more members than the parsed value exactly when a name repeats
    if (countMembers(text) !== members) throw new TokenRejected('duplicate_key', `${what} has a duplicate member`);
    return value as JsonObject;
  } catch (err) {
    // anything else (bad UTF-8, bad JSON, nesting too deep for the checks) is still a bad token, never a crash
    if (err instanceof TokenRejected) throw err;
    throw new TokenRejected('malformed', `${what} is not UTF-8 JSON`, { cause: err });
  }
}

/** Returns how many object members the value holds, at every depth. */
function assertNoForbiddenKeys(root: object, what: string): number {
  let members = 0;
  const pending: unknown[] = [root];
  while (pending.length) {
    const value = pending.pop();
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      pending.push(...value);
      continue;
    }
    // JSON.parse creates `__proto__` as an own data property, so Object.keys sees it
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) throw new TokenRejected('forbidden_claim', `${what} has a "${key}" member`);
      members++;
      pending.push((value as JsonObject)[key]);
    }
  }
  return members;
}

// Every string token of a JSON text JSON.parse accepted, in order: outside strings valid JSON has no quote, so each
// match starts at a real string; a string followed by a colon is a member name.
const JSON_STRING = /"(?:[^"\\]|\\.)*"([ \t\r\n]*:)?/g;

/** Member names in a JSON text that JSON.parse accepted (escaped spellings of one name count separately). */
function countMembers(text: string): number {
  let names = 0;
  for (const m of text.matchAll(JSON_STRING)) if (m[1] !== undefined) names++;
  return names;
}
