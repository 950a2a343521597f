// Comments and docs send readers to files: every such path must exist, so a moved file cannot leave a stale pointer.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

const ROOT = new URL('../../', import.meta.url).pathname;
/** A path into the code or the docs, as written in a comment or a page (examples under config/ and templates/ are not pointers). */
const CITATION = /(?<![\w./-])((?:lambda|lib|local|cli|contract|bin|bench|docs|test)\/[\w./-]*\.(?:ts|md|mjs|cjs|json))(?![\w/-])/g;

const tracked = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '*.ts', '*.md', '*.mjs', '*.cjs'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  // tests build scratch trees whose paths look like the project's; what they cite of the project is checked by running them
  .filter((f) => f && !f.startsWith('node_modules/') && !f.startsWith('test/') && f !== 'bench/RESULTS.md' && existsSync(`${ROOT}${f}`));

describe('citations', () => {
  it('name files that exist', () => {
    const stale: string[] = [];
    for (const file of tracked) {
      for (const m of readFileSync(`${ROOT}${file}`, 'utf8').matchAll(CITATION)) {
        if (!existsSync(`${ROOT}${m[1]}`)) stale.push(`${file} cites ${m[1]}`);
      }
    }
    expect(stale).toEqual([]);
  });
});
