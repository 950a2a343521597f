// The default Idempotency-Key of `djg submit`. "The same command" is the same gateway, template and parameters:
// before sending, djg notes a new random key for that command; a definite answer (the job, or a refusal) clears the
// note. So a run that never heard back (network failure, Ctrl-C, crash) leaves the note, and running the same command
// again sends the same key: the gateway answers with the job the first run started, never a second one. After a
// definite answer the next run of the command gets a new key: a deliberate second run starts a second job.
// Notes are kept per profile for a day (the longest a retry after a failure is plausible); scripts that retry on
// other machines pass --idempotency-key themselves.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { privateDir } from './settings.js';

const KEEP_MS = 24 * 3600_000;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

interface Note {
  readonly key: string;
  /** ISO time the command was first sent. */
  readonly at: string;
}

/** A fresh key: `djg-` and 26 base32 characters (130 random bits), well within the gateway's 255 visible ASCII. */
function newIdempotencyKey(): string {
  const bytes = randomBytes(26);
  return `djg-${[...bytes].map((b) => ALPHABET[b & 31]).join('')}`;
}

/** What identifies "the same command". */
export function commandFingerprint(url: string, template: string, parameters: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify([new URL(url).href, template, canonical(parameters)])).digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  return value;
}

export class SubmissionNotes {
  private readonly file: string;

  constructor(
    private readonly dir: string,
    profile: string,
    private readonly now: () => Date,
  ) {
    this.file = join(dir, 'submissions', `${profile}.json`);
  }

  /** The key of an unanswered earlier run of this command, or a new key noted for this one. */
  keyFor(fingerprint: string): { key: string; reused: boolean; since?: string } {
    const notes = this.read();
    const earlier = notes[fingerprint];
    if (earlier) return { key: earlier.key, reused: true, since: earlier.at };
    const key = newIdempotencyKey();
    this.write({ ...notes, [fingerprint]: { key, at: this.now().toISOString() } });
    return { key, reused: false };
  }

  /** The gateway answered definitely: the next run of this command is a new submission. */
  answered(fingerprint: string): void {
    const notes = this.read();
    if (!(fingerprint in notes)) return;
    delete notes[fingerprint];
    this.write(notes);
  }

  private read(): Record<string, Note> {
    let notes: Record<string, Note>;
    try {
      notes = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, Note>;
    } catch {
      return {};
    }
    const oldest = this.now().getTime() - KEEP_MS;
    return Object.fromEntries(Object.entries(notes).filter(([, n]) => typeof n?.key === 'string' && Date.parse(n.at) >= oldest));
  }

  private write(notes: Record<string, Note>): void {
    privateDir(join(privateDir(this.dir), 'submissions'));
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(notes));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
