// A person's browser, as far as signing in needs one: it keeps cookies, follows redirects (to the command line's
// loopback server too) and submits the page's form with its hidden fields, the way a browser would post it.

export interface Page {
  readonly url: string;
  readonly status: number;
  readonly html: string;
}

interface Form {
  readonly id?: string;
  readonly action: string;
  readonly fields: Record<string, string>;
}

const attribute = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag)?.[1]?.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

export class TestBrowser {
  private readonly cookies = new Map<string, string>();
  /** Every URL the browser was sent to, in order. */
  readonly visited: string[] = [];

  async open(url: string): Promise<Page> {
    return this.request(url, { method: 'GET' });
  }

  /** Fills in `values` and submits the page's form (the one with `formId`, else the first one), as the button would. */
  async submit(page: Page, values: Record<string, string> = {}, formId?: string): Promise<Page> {
    const forms = this.forms(page.html);
    const form = formId ? forms.find((f) => f.id === formId) : forms[0];
    if (!form) throw new Error(`no form${formId ? ` ${formId}` : ''} on ${page.url}: ${page.html.slice(0, 300)}`);
    const body = new URLSearchParams({ ...form.fields, ...values });
    return this.request(new URL(form.action || page.url, page.url).href, { method: 'POST', body: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  private forms(html: string): Form[] {
    const forms: Form[] = [];
    for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
      const id = attribute(m[1]!, 'id');
      const fields: Record<string, string> = {};
      // inputs inside the form, and inputs outside it that name it with form="..."
      const inside = [...m[2]!.matchAll(/<input\b[^>]*>/gi)].map((i) => i[0]);
      const outside = id ? [...html.matchAll(/<input\b[^>]*>/gi)].map((i) => i[0]).filter((tag) => attribute(tag, 'form') === id) : [];
      for (const tag of [...inside, ...outside]) {
        const name = attribute(tag, 'name');
        if (name) fields[name] = attribute(tag, 'value') ?? '';
      }
      forms.push({ id, action: attribute(m[1]!, 'action') ?? '', fields });
    }
    return forms;
  }

  private async request(url: string, init: { method: string; body?: string; headers?: Record<string, string> }): Promise<Page> {
    let current = url;
    let options = init;
    for (let hop = 0; hop < 15; hop++) {
      this.visited.push(current);
      const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(current, { method: options.method, body: options.body, headers: { ...options.headers, ...(cookie ? { cookie } : {}) }, redirect: 'manual' });
      for (const set of res.headers.getSetCookie()) {
        const [pair] = set.split(';');
        const eq = pair!.indexOf('=');
        const name = pair!.slice(0, eq).trim();
        const value = pair!.slice(eq + 1).trim();
        if (/max-age=0|expires=thu, 01 jan 1970/i.test(set) || value === '') this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        current = new URL(location, current).href;
        options = { method: 'GET' };
        continue;
      }
      return { url: current, status: res.status, html: await res.text() };
    }
    throw new Error(`too many redirects from ${url}`);
  }
}
