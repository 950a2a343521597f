import { rememberedRevocationCheck } from '../../lambda/core/revocations.js';

describe('rememberedRevocationCheck', () => {
  it('asks the store once per principal within the window, and again after it', async () => {
    let t = 0;
    const asked: string[] = [];
    let revoked = false;
    const check = rememberedRevocationCheck(async (_i, s) => {
      asked.push(s);
      return revoked;
    }, 5000, () => t);
    expect(await check('https://idp', 'alice')).toBe(false);
    revoked = true;
    t = 4999;
    expect(await check('https://idp', 'alice')).toBe(false);
    expect(await check('https://idp', 'bob')).toBe(true);
    t = 5000;
    expect(await check('https://idp', 'alice')).toBe(true);
    expect(asked).toEqual(['alice', 'bob', 'alice']);
  });

  it('forgets everything rather than grow past its bound', async () => {
    let calls = 0;
    const check = rememberedRevocationCheck(async () => (calls++, false), 60_000, () => 0, 2);
    await check('i', 'a');
    await check('i', 'b');
    await check('i', 'c');
    await check('i', 'a');
    expect(calls).toBe(4);
  });

  it('does not remember a failed read', async () => {
    let fail = true;
    const check = rememberedRevocationCheck(async () => {
      if (fail) throw new Error('store down');
      return false;
    }, 60_000);
    await expect(check('i', 'a')).rejects.toThrow('store down');
    fail = false;
    await expect(check('i', 'a')).resolves.toBe(false);
  });
});
