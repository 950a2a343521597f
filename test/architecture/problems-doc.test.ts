// docs/problems.md lists every problem type of contract/problems.ts, generated from it (UPDATE_DOCS=1 rewrites it).
import { describe, expect, it } from '@jest/globals';
import { generatedSection } from '../generated-doc.js';
import { PROBLEMS } from '../../contract/problems.js';

const DOC = new URL('../../docs/problems.md', import.meta.url);
const START = '<!-- problems:start -->';
const END = '<!-- problems:end -->';

function table(): string {
  const rows = Object.entries(PROBLEMS).map(([slug, p]) => {
    const status = typeof p.status === 'number' ? String(p.status) : p.status.join(', ');
    return `| \`${slug}\` | ${status} | ${p.title} | ${p.when} | ${p.todo} |`;
  });
  return ['| type | status | title | when | what to do |', '|---|---|---|---|---|', ...rows].join('\n');
}

describe('docs/problems.md', () => {
  it('lists every problem type with its status, when it happens and what to do', () => {
    const generated = `\n${table()}\n`;
    expect(generatedSection(DOC, START, END, generated)).toBe(generated);
  });
});
