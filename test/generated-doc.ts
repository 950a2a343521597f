// A doc section the tests generate between two markers: UPDATE_DOCS=1 rewrites it, and the test compares what is there.
import { readFileSync, writeFileSync, type PathLike } from 'node:fs';

/** The section of `doc` between `start` and `end` as it is now, after rewriting it to `generated` when UPDATE_DOCS=1. */
export function generatedSection(doc: PathLike, start: string, end: string, generated: string): string {
  const [before, rest] = readFileSync(doc, 'utf8').split(start);
  const [current, after] = rest!.split(end);
  if (process.env.UPDATE_DOCS === '1' && current !== generated) writeFileSync(doc, `${before}${start}${generated}${end}${after}`);
  return readFileSync(doc, 'utf8').split(start)[1]!.split(end)[0]!;
}
