// Where each running `npm start` records its services for `npm run token` and djg: one file per API port, so two
// instances on different ports never share (or delete) each other's state.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const STATE_DIR = '.local';
const STATE_NAME = /^state-(\d+)\.json$/;

/** The state file of the instance whose API listens on `port`, relative to the working directory. */
export const stateFileFor = (port: number): string => join(STATE_DIR, `state-${port}.json`);

/** The state files in `cwd`, by API port. */
export function stateFiles(cwd: string): { port: number; file: string }[] {
  let names: string[];
  try {
    names = readdirSync(join(cwd, STATE_DIR));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const m = STATE_NAME.exec(name);
    return m ? [{ port: Number(m[1]), file: join(cwd, STATE_DIR, name) }] : [];
  });
}
