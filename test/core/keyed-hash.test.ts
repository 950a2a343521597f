// Keyed MACs: what a copy of the ledger or a backend label holds cannot be recomputed from guessable inputs without
// the deployment's key, and personal fingerprints match across jobs and templates.
import { createHash } from 'node:crypto';
import { MASK, maskParameters } from '../../lambda/core/audit.js';
import { legacyRequestHash } from '../../lambda/core/ids.js';
import { KeyedHash, keyedHashFromSecret, MacKeyInvalid } from '../../lambda/core/keyed-hash.js';
import { principalKey } from '../../lambda/core/principal.js';
import { StaticSecretStore } from '../../lambda/adapters/secrets-manager.js';

const key = 'k'.repeat(64);
const mac = new KeyedHash(key);
const other = new KeyedHash('o'.repeat(64));
const alice = { issuer: 'https://acme.okta.com/oauth2/default', subject: 'alice@acme.com' };
const request = { template: 'customer-report-notebook', parameters: { customerId: 'C1234567', recipientEmail: 'dana@acme.com' } };

describe('keyed MACs', () => {
  it('make a request hash that the unkeyed hash of the same request does not reproduce', () => {
    expect(mac.requestHash(request)).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(mac.requestHash(request)).not.toContain(legacyRequestHash(request));
    expect(mac.requestHash(request)).not.toBe(other.requestHash(request));
    // key order does not matter: equal requests hash equal
    expect(mac.requestHash({ parameters: { recipientEmail: 'dana@acme.com', customerId: 'C1234567' }, template: request.template })).toBe(mac.requestHash(request));
  });

  it('tag a principal with 16 hex characters that are not a prefix of the SHA-256 of its key', () => {
    const tag = mac.principalTag(alice);
    expect(tag).toMatch(/^[0-9a-f]{16}$/);
    expect(createHash('sha256').update(principalKey(alice)).digest('hex')).not.toContain(tag);
    expect(other.principalTag(alice)).not.toBe(tag);
  });

  it('fingerprint a personal value the same way wherever it is used, and apart from other purposes', () => {
    expect(mac.personal('dana@acme.com')).toBe(mac.personal('dana@acme.com'));
    expect(mac.personal('dana@acme.com')).not.toBe(mac.personal('dana@acme.co.uk'));
    expect(mac.personal(principalKey(alice))).not.toContain(mac.principalTag(alice));
  });

  it('refuse a short key', () => {
    expect(() => new KeyedHash('short')).toThrow(MacKeyInvalid);
  });

  it('read the key once from the secret store, and again after a failed read', async () => {
    const store = new StaticSecretStore();
    let reads = 0;
    const counting = { getSecretString: (id: string) => (reads++, store.getSecretString(id)) };
    const load = keyedHashFromSecret(counting, 'mac');
    await expect(load()).rejects.toThrow(/could not be read/);
    store.set('mac', key);
    const [a, b] = await Promise.all([load(), load()]);
    expect(a).toBe(b);
    expect((await load()).personal('x')).toBe(mac.personal('x'));
    expect(reads).toBe(2);
  });
});

describe('masking', () => {
  const template = { sensitiveParameters: ['apiToken'], personalParameters: ['recipientEmail'] };
  it('shows secret parameters as *** and personal ones as their fingerprint', () => {
    const masked = maskParameters({ apiToken: 'dapi123', recipientEmail: 'dana@acme.com', months: 12 }, template, (v) => mac.personal(v));
    expect(masked).toEqual({ apiToken: MASK, recipientEmail: mac.personal('dana@acme.com'), months: 12 });
    expect(JSON.stringify(masked)).not.toMatch(/dapi123|dana@acme\.com/);
  });
});

describe('sealed parameters of a job awaiting approval', () => {
  const key = new KeyedHash('k'.repeat(48));

  it('opens with the same key only, and never shows the value in the sealed text', () => {
    const sealed = key.seal({ token: 's3cr3t-value', n: 3 });
    expect(sealed).not.toContain('s3cr3t');
    expect(key.unseal(sealed)).toEqual({ token: 's3cr3t-value', n: 3 });
    expect(() => new KeyedHash('o'.repeat(48)).unseal(sealed)).toThrow('does not open with this key');
  });

  it('refuses a sealed text that was altered', () => {
    const [prefix, iv, tag, body] = key.seal({ n: 1 }).split('.');
    const flipped = `${body!.startsWith('A') ? 'B' : 'A'}${body!.slice(1)}`;
    expect(() => key.unseal([prefix, iv, tag, flipped].join('.'))).toThrow('does not open with this key');
    expect(() => key.unseal('not sealed')).toThrow('not a sealed value');
  });

  it('gives the same approval MAC for the same rendered request, another for another', () => {
    expect(key.approvalHash({ job: { args: ['1'] } })).toBe(key.approvalHash({ job: { args: ['1'] } }));
    expect(key.approvalHash({ job: { args: ['2'] } })).not.toBe(key.approvalHash({ job: { args: ['1'] } }));
  });
});
