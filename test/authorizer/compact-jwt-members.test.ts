// The duplicate-member check of parseCompactJwt counts member names in the text against the parsed value: strings that
// look like names, names repeated in different objects and whitespace before the colon must not fool it.
import { parseCompactJwt } from '../../lambda/authorizer/compact-jwt.js';
import { TokenRejected } from '../../lambda/authorizer/denial.js';

const segment = (json: string) => Buffer.from(json, 'utf8').toString('base64url');
const token = (payload: string) => `${segment('{"alg":"RS256","kid":"k1"}')}.${segment(payload)}.${segment('signature')}`;

function reason(payload: string): string | undefined {
  try {
    parseCompactJwt(token(payload));
    return undefined;
  } catch (err) {
    if (err instanceof TokenRejected) return err.reason;
    throw err;
  }
}

describe('parseCompactJwt duplicate members', () => {
  it('accepts string values that contain quotes, colons and backslashes', () => {
    expect(reason(String.raw`{"iss":"a\":b","note":"\\\":","sub":"x:y"}`)).toBeUndefined();
  });

  it('accepts the same name in different objects and whitespace before the colon', () => {
    expect(reason('{"items":[{"k":1},{"k":2}],"a" :\n1,"b"\t\r\n:{"k":3}}')).toBeUndefined();
  });

  it('rejects a name repeated inside a nested object', () => {
    expect(reason('{"sub":"x","ctx":{"team":"a","team":"b"}}')).toBe('duplicate_key');
  });

  it('rejects a name repeated in an object inside an array', () => {
    expect(reason('{"sub":"x","roles":[{"r":1,"r":2}]}')).toBe('duplicate_key');
  });

  it('rejects a repeated name spelled with an escape', () => {
    expect(reason(String.raw`{"sub":"x","\u0073ub":"y"}`)).toBe('duplicate_key');
  });
});
