// Signing a person in to the local identity provider, as djg does: authorization code with PKCE through a loopback
// redirect on any port (RFC 8252), the device flow (RFC 8628), refresh tokens. The test plays the browser.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { startIdentityProvider, type LocalIdentityProvider } from '../../local/idp/provider.js';
import { TestBrowser } from './browser.js';

let idp: LocalIdentityProvider;
let config: client.Configuration;

beforeAll(async () => {
  idp = await startIdentityProvider({ audience: 'data-job-gateway' });
  config = await client.discovery(new URL(idp.issuer), idp.cliClientId, undefined, client.None(), { execute: [client.allowInsecureRequests] });
});
afterAll(() => idp?.close());

/** A loopback server that records the one redirect it receives, like djg's. */
async function loopback(): Promise<{ server: Server; redirectUri: string; received: () => string | undefined }> {
  let received: string | undefined;
  const server = createServer((req, res) => {
    received = req.url;
    res.end('signed in');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, received: () => received };
}

describe('authorization code with PKCE through a loopback redirect', () => {
  it('signs a person in on the local page and redirects to whatever loopback port the client listens on', async () => {
    // GIVEN djg's loopback server on an ephemeral port and an authorization URL with a PKCE challenge
    const { server, redirectUri, received } = await loopback();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid offline_access jobs:read jobs:submit',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    // WHEN the person signs in with a user name and groups
    const browser = new TestBrowser();
    const loginPage = await browser.open(url.href);
    expect(loginPage.html).toContain('any user name is accepted');
    expect(loginPage.html).toContain('value="analysts"');
    const done = await browser.submit(loginPage, { username: 'alice', groups: 'analysts, auditors' });
    server.close();
    // THEN the browser lands on the loopback server with a code that, with the verifier, is worth tokens
    expect(done.url.startsWith(`${redirectUri}?`)).toBe(true);
    const tokens = await client.authorizationCodeGrant(config, new URL(received()!, redirectUri), { pkceCodeVerifier: verifier, expectedState: state });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: 'alice', groups: ['analysts', 'auditors'], scope: 'jobs:read jobs:submit', aud: 'data-job-gateway', client_id: 'djg' });
    // AND the refresh token gives a new access token for the same person and groups
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(decodeJwt(refreshed.access_token)).toMatchObject({ sub: 'alice', groups: ['analysts', 'auditors'], scope: 'jobs:read jobs:submit' });
  });

  it('refuses a code without the PKCE verifier', async () => {
    const { server, redirectUri, received } = await loopback();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'jobs:read', code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256', state: 's' });
    const browser = new TestBrowser();
    await browser.submit(await browser.open(url.href), { username: 'mallory' });
    server.close();
    await expect(client.authorizationCodeGrant(config, new URL(received()!, redirectUri), { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: 's' })).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a redirect anywhere but the registered loopback path, and a public client without PKCE', async () => {
    const browser = new TestBrowser();
    const elsewhere = client.buildAuthorizationUrl(config, { redirect_uri: 'http://attacker.example/callback', scope: 'jobs:read', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    const refused = await browser.open(elsewhere.href);
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('redirect_uri did not match');
    // without PKCE the error goes back to the (valid) loopback redirect, as OAuth errors do
    const { server, redirectUri, received } = await loopback();
    await browser.open(client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'jobs:read', state: 't' }).href);
    server.close();
    const answer = new URL(received()!, redirectUri).searchParams;
    expect(answer.get('error')).toBe('invalid_request');
    expect(answer.get('error_description')).toMatch(/requires PKCE/);
  });

  it('will not sign anyone in as a machine client', async () => {
    const { server, redirectUri } = await loopback();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'jobs:read', code_challenge: 'y'.repeat(43), code_challenge_method: 'S256' });
    const browser = new TestBrowser();
    const refused = await browser.submit(await browser.open(url.href), { username: 'local-agent' });
    server.close();
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('is the name of a machine client');
  });
});

describe('device authorization grant', () => {
  it('signs a headless command line in once a person confirms the code in a browser', async () => {
    // GIVEN a device authorization, polled for meanwhile
    const device = await client.initiateDeviceAuthorization(config, { scope: 'openid offline_access jobs:read' });
    expect(device.interval).toBe(2);
    const polling = client.pollDeviceAuthorizationGrant(config, device);
    // WHEN a person opens the link, confirms the code and signs in
    const browser = new TestBrowser();
    const confirm = await browser.submit(await browser.open(device.verification_uri_complete!));
    expect(confirm.html).toContain(device.user_code);
    const login = await browser.submit(confirm);
    const done = await browser.submit(login, { username: 'bob', groups: 'data-science' });
    expect(done.html).toContain('Your command line is signed in');
    // THEN the poll ends with tokens for that person
    const tokens = await polling;
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: 'bob', groups: ['data-science'], scope: 'jobs:read' });
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  it('ends the poll with access_denied when the person aborts', async () => {
    const device = await client.initiateDeviceAuthorization(config, { scope: 'jobs:read' });
    const polling = client.pollDeviceAuthorizationGrant(config, device);
    const browser = new TestBrowser();
    const confirm = await browser.submit(await browser.open(device.verification_uri_complete!));
    await browser.submit(confirm, { abort: 'yes' });
    await expect(polling).rejects.toMatchObject({ error: 'access_denied' });
  });
});
