// How a person signs in to the local identity provider: one page that asks for a user name and groups, used by the
// authorization code flow (djg login: PKCE through a loopback redirect, RFC 8252) and the device flow (djg login
// --device, RFC 8628). Local mode only: any user name is accepted and the groups are whatever the page is given, as
// `npm run token` allows; the provider listens on loopback and nothing deployed trusts it (see provider.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

/** The OIDC scopes a login may grant; every other requested scope is a scope of the gateway's API. */
const OIDC_SCOPES = new Set(['openid', 'offline_access']);
const MAX_FORM_BYTES = 16 * 1024;
const USER_NAME = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

export interface LoginOptions {
  /** The resource indicator the API's scopes belong to. */
  readonly resource: string;
  /** Groups the page offers before anyone types; e.g. `analysts`. */
  readonly presetGroups: readonly string[];
  /** Client ids no person may sign in as: a user named like a machine client would pass for that machine. */
  readonly reservedNames: readonly string[];
  /** Called when someone signs in, so their tokens carry the groups they chose. */
  readonly onLogin: (accountId: string, groups: readonly string[]) => void;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const page = (title: string, body: string) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}
input[type=text]{width:100%;padding:.4rem;box-sizing:border-box}button{margin-top:1rem;padding:.5rem 1rem}.note{color:#555;font-size:.9rem}.error{color:#b00020}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY' }).end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The sign-in form; `form` posts back to the same interaction. */
function loginPage(action: string, options: { clientId: string; scope: string; error?: string; username?: string; groups?: string }): string {
  return page(
    'Sign in to local mode',
    `<p class="note">Local mode: any user name is accepted, and your token carries the groups you give here.
Deployed gateways sign you in at your company's identity provider instead.</p>
<p class="note">Signing in to <strong>${escapeHtml(options.clientId)}</strong>, which asks for: <code>${escapeHtml(options.scope)}</code></p>
${options.error ? `<p class="error">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}" autocomplete="off">
<label for="username">User name</label><input type="text" id="username" name="username" value="${escapeHtml(options.username ?? '')}" autofocus required>
<label for="groups">Groups (comma-separated)</label><input type="text" id="groups" name="groups" value="${escapeHtml(options.groups ?? '')}">
<button type="submit">Sign in</button></form>`,
  );
}

/**
 * The interaction routes (`/interaction/:uid`), for the provider's `interactions.url`. Returns false for any other
 * request, which then goes to the provider itself.
 */
export function createLoginHandler(provider: Provider, options: LoginOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://idp.local');
    const match = /^\/interaction\/([\w-]{1,100})$/.exec(url.pathname);
    if (!match) return false;
    try {
      const details = await provider.interactionDetails(req, res);
      const clientId = String(details.params.client_id ?? '');
      const scope = String(details.params.scope ?? '');
      const action = `/interaction/${details.uid}`;
      if (req.method === 'GET') {
        // Already signed in here (the session cookie): only the grant is missing, and local mode grants what was asked.
        if (details.prompt.name === 'consent' && details.session?.accountId) {
          await finish(provider, req, res, details, details.session.accountId, scope, options.resource);
          return true;
        }
        sendHtml(res, 200, loginPage(action, { clientId, scope, groups: options.presetGroups.join(', ') }));
        return true;
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'GET, POST' }).end();
        return true;
      }
      const form = await readForm(req);
      const username = (form.get('username') ?? '').trim();
      const groupsText = form.get('groups') ?? '';
      const groups = [...new Set(groupsText.split(',').map((g) => g.trim()).filter(Boolean))];
      const problem = !USER_NAME.test(username)
        ? 'A user name is 1 to 255 printable ASCII characters.'
        : options.reservedNames.includes(username)
          ? `"${username}" is the name of a machine client; choose another user name.`
          : groups.length > 100 || groups.some((g) => g.length > 256)
            ? 'Give at most 100 groups of at most 256 characters each.'
            : undefined;
      if (problem) {
        sendHtml(res, 400, loginPage(action, { clientId, scope, error: problem, username, groups: groupsText }));
        return true;
      }
      options.onLogin(username, groups);
      await finish(provider, req, res, details, username, scope, options.resource);
    } catch (err) {
      sendHtml(res, 400, page('Sign-in failed', `<p class="error">${escapeHtml((err as Error).message)}</p><p>Start again from your command line.</p>`));
    }
    return true;
  };
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/** Sign in and grant the requested scopes: OIDC scopes as such, the others as the API's resource scopes. */
async function finish(provider: Provider, req: IncomingMessage, res: ServerResponse, details: Details, accountId: string, scope: string, resource: string): Promise<void> {
  const requested = scope.split(' ').filter(Boolean);
  const grant = details.grantId ? ((await provider.Grant.find(details.grantId)) ?? newGrant()) : newGrant();
  function newGrant() {
    return new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  }
  const oidc = requested.filter((s) => OIDC_SCOPES.has(s));
  const api = requested.filter((s) => !OIDC_SCOPES.has(s));
  if (oidc.length) grant.addOIDCScope(oidc.join(' '));
  grant.addResourceScope(resource, api.join(' '));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

/** oidc-provider's error page (`renderError`): what went wrong, in the provider's words, and no more. */
export async function renderError(ctx: { type?: string; body?: unknown }, out: { error?: string; error_description?: string }): Promise<void> {
  ctx.type = 'html';
  ctx.body = page('Sign-in failed', `<p class="error">${escapeHtml(out.error ?? 'error')}: ${escapeHtml(out.error_description ?? '')}</p><p>Start again from your command line.</p>`);
}

/** The device flow's pages (features.deviceFlow sources): plain, with no fonts fetched from elsewhere. */
export const deviceFlowPages = {
  userCodeInputSource: async (ctx: { body?: unknown }, form: string, _out: unknown, err?: { userCode?: unknown; name?: string }) => {
    const message = err ? '<p class="error">That code is not valid, or has expired. Try again.</p>' : '<p>Enter the code your command line shows.</p>';
    ctx.body = page('Sign in a device', `${message}${form}<label for="user_code">Code</label><input type="text" id="user_code" name="user_code" form="op.deviceInputForm" autofocus><button type="submit" form="op.deviceInputForm">Continue</button>`);
  },
  userCodeConfirmSource: async (ctx: { body?: unknown; oidc: { client?: { clientId: string } } }, form: string, _client: unknown, _device: unknown, userCode: string) => {
    ctx.body = page(
      'Confirm the device',
      `<p>Your command line (<strong>${escapeHtml(ctx.oidc.client?.clientId ?? '')}</strong>) should show the code <code>${escapeHtml(userCode)}</code>.
If it does not, abort.</p>${form}<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Abort</button>`,
    );
  },
  successSource: async (ctx: { body?: unknown }) => {
    ctx.body = page('Signed in', '<p>Your command line is signed in. You can close this page.</p>');
  },
};
