// What every command gets: the io, the output format, the resolved settings, and (on demand) a gateway client.
import { readFileSync } from 'node:fs';
import { GatewayClient } from './api-client.js';
import { tokenSource, type TokenSource } from './auth/credentials.js';
import type { CliIo } from './io.js';
import { formatData, parseFormat, type Format } from './output.js';
import { requireUrl, resolveSettings, type GlobalOptions, type Settings } from './settings.js';

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export class Context {
  readonly format: Format;
  private resolved?: Settings;
  private source?: TokenSource;
  private gateway?: GatewayClient;

  constructor(
    readonly io: CliIo,
    private readonly globals: GlobalOptions & { readonly output?: string },
  ) {
    this.format = parseFormat(globals.output ?? 'table');
  }

  get settings(): Settings {
    return (this.resolved ??= resolveSettings(this.globals, this.io));
  }

  /** Settings for `djg login`, which may name a profile it is about to create. */
  settingsForLogin(): Settings {
    return (this.resolved ??= resolveSettings(this.globals, this.io, { creating: true }));
  }

  tokens(): TokenSource {
    return (this.source ??= tokenSource(this.settings, this.io, this.globals.token));
  }

  client(): GatewayClient {
    return (this.gateway ??= new GatewayClient(requireUrl(this.settings), this.tokens(), this.io, `djg/${VERSION} node/${process.versions.node} ${process.platform}`));
  }

  /** Writes to stdout in the chosen format. */
  print(data: unknown, table: () => string): void {
    this.io.stdout(formatData(this.format, data, table));
  }

  /** Notes for people go to stderr, so stdout stays the command's result. */
  note(text: string): void {
    this.io.stderr(`${text}\n`);
  }

  /** The gateway URL given with --url (not DJG_URL or the profile): what `djg login` saves to the profile. */
  get urlFlag(): string | undefined {
    return this.globals.url;
  }

  /** The flags that name this profile and gateway again, for commands djg suggests (re-attach, log in). */
  profileFlags(): string {
    const flags: string[] = [];
    if (this.globals.profile) flags.push(`--profile ${this.globals.profile}`);
    if (this.globals.url) flags.push(`--url ${this.globals.url}`);
    return flags.length ? ` ${flags.join(' ')}` : '';
  }
}
