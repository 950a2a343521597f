import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const pat = new RegExp(process.argv[3]!);
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const totals = new Map<string, number>();
p.samples.forEach((id: number, i: number) => {
  const leaf = byId.get(id).callFrame;
  if (!pat.test(`${leaf.functionName} ${leaf.url}`)) return;
  const chain: string[] = [];
  for (let at: number | undefined = parent.get(id); at !== undefined && chain.length < 6; at = parent.get(at)) {
    const f = byId.get(at).callFrame;
    if (f.url.startsWith('wasm')) continue;
    chain.push(`${f.functionName}@${f.url.replace(/.*node_modules\//, '').replace(/.*\/work\/main\//, '')}:${f.lineNumber}`);
  }
  const k = chain.join(' < ');
  totals.set(k, (totals.get(k) ?? 0) + p.timeDeltas[i] / 1000);
});
for (const [k, v] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(v.toFixed(0).padStart(6), k);
