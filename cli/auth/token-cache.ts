// The tokens of a sign-in, one file per profile under the config directory: the directory 0700, the file 0600,
// replaced atomically. A file others could read is refused, as ssh refuses a private key others could read.
import { chmodSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { AuthError } from '../errors.js';
import { privateDir } from '../settings.js';

export interface CachedLogin {
  readonly version: 1;
  readonly issuer: string;
  readonly clientId: string;
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** ISO time the access token expires. */
  readonly expiresAt: string;
  readonly scope?: string;
}

export class TokenCache {
  constructor(private readonly dir: string) {}

  file(profile: string): string {
    return join(this.dir, 'tokens', `${profile}.json`);
  }

  read(profile: string): CachedLogin | undefined {
    const file = this.file(profile);
    let mode: number;
    try {
      mode = statSync(file).mode;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    if (mode & 0o077) throw new AuthError(`${file} can be read by other users: remove it and log in again (djg logout; djg login), or chmod 600 it`);
    let login: Partial<CachedLogin>;
    try {
      login = JSON.parse(readFileSync(file, 'utf8')) as Partial<CachedLogin>;
    } catch {
      throw new AuthError(`${file} is damaged: log in again (djg login)`);
    }
    if (login.version !== 1 || typeof login.accessToken !== 'string' || typeof login.issuer !== 'string' || typeof login.expiresAt !== 'string') {
      throw new AuthError(`${file} is not a djg sign-in: log in again (djg login)`);
    }
    return login as CachedLogin;
  }

  write(profile: string, login: CachedLogin): string {
    const dir = privateDir(join(privateDir(this.dir), 'tokens'));
    const file = join(dir, `${profile}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    // created 0600 from the start: the token is never in a file others may read, not even for a moment
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(login, null, 2)}\n`);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
    return file;
  }

  delete(profile: string): boolean {
    const file = this.file(profile);
    try {
      statSync(file);
    } catch {
      return false;
    }
    rmSync(file);
    return true;
  }
}
