import { readFileSync, readdirSync } from 'node:fs';
import { SourceMap } from 'node:module';
const [dir, bundle] = process.argv.slice(2) as [string, string];
const map = new SourceMap(JSON.parse(readFileSync(`${bundle}/index.mjs.map`, 'utf8')));
const totals = new Map<string, number>();
for (const f of readdirSync(dir)) {
  const p = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
  const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  p.samples.forEach((id: number, i: number) => {
    const path: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const fr = byId.get(at).callFrame;
      if (fr.url.endsWith(`${bundle.split('/').pop()}/index.mjs`)) {
        const e: any = map.findEntry(fr.lineNumber, fr.columnNumber);
        const src = e.originalSource ? `${e.originalSource.replace(/.*node_modules\//, '').replace(/^(\.\.\/)+/, '')}:${e.originalLine}` : `unmapped(${fr.functionName})`;
        path.push(src);
      }
    }
    if (!path.length) return;
    // attribute to the 2 outermost-but-one distinct frames (top-level → first called function)
    const key = path.slice(-3).reverse().join(' > ');
    totals.set(key, (totals.get(key) ?? 0) + p.timeDeltas[i] / 1000);
  });
}
for (const [k, v] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(v.toFixed(1).padStart(7), k);
