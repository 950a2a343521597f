// Exactly one `Authorization: Bearer <token>` header, nothing looser (RFC 6750 section 2.1).
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { TokenRejected } from './denial.js';

// RFC 6750 b64token: what a JWT (and only a token, never two) can be made of
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const SCHEME = 'bearer';

/** The bearer token of a REQUEST authorizer event; throws TokenRejected for anything but one well-formed header. */
export function extractBearerToken(event: Pick<APIGatewayRequestAuthorizerEvent, 'headers' | 'multiValueHeaders'>, maxTokenLength: number): string {
  const values = authorizationValues(event);
  if (values.length === 0) throw new TokenRejected('missing_token', 'no Authorization header');
  if (values.length > 1) throw new TokenRejected('multiple_authorization_headers', `${values.length} Authorization headers`);
  const value = values[0]!;
  // cheap bound before any parsing: scheme, one space, token
  if (value.length > maxTokenLength + SCHEME.length + 1) throw new TokenRejected('token_too_large', `Authorization header of ${value.length} characters`);
  const space = value.indexOf(' ');
  const scheme = space < 0 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== SCHEME) throw new TokenRejected(value.trim() ? 'wrong_scheme' : 'missing_token', 'the Authorization scheme is not Bearer');
  const token = space < 0 ? '' : value.slice(space + 1);
  if (!token) throw new TokenRejected('missing_token', 'Bearer with no token');
  if (!B64TOKEN.test(token)) throw new TokenRejected('malformed', 'the bearer token has characters a token cannot have');
  if (token.length > maxTokenLength) throw new TokenRejected('token_too_large', `token of ${token.length} characters`);
  return token;
}

// API Gateway gives both maps; a duplicated header shows in multiValueHeaders, and differently-cased names are separate keys
function authorizationValues(event: Pick<APIGatewayRequestAuthorizerEvent, 'headers' | 'multiValueHeaders'>): string[] {
  const fromMulti = Object.entries(event.multiValueHeaders ?? {})
    .filter(([name]) => name.toLowerCase() === 'authorization')
    .flatMap(([, v]) => v ?? []);
  const fromSingle = Object.entries(event.headers ?? {})
    .filter(([name]) => name.toLowerCase() === 'authorization')
    .flatMap(([, v]) => (v === undefined ? [] : [v]));
  const longest = fromMulti.length >= fromSingle.length ? fromMulti : fromSingle;
  // the two maps should agree; if they do not, count every distinct value so a smuggled second header is seen
  const distinct = [...new Set([...fromMulti, ...fromSingle])];
  return distinct.length > longest.length ? distinct : longest;
}
