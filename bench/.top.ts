import { selfTimes } from '/work/main/bench/lib/cpu-profile.ts';
const f = process.argv[2]!;
const fn = selfTimes(f, (c) => `${c.functionName || '(anon)'} ${c.url.replace(/.*node_modules\//, '').replace('file:///work/main/', '')}:${c.lineNumber}`);
console.log('total', fn.total.toFixed(0));
for (const t of fn.top.slice(0, 25)) console.log(t.ms.toFixed(1).padStart(8), (t.share * 100).toFixed(1).padStart(5) + '%', t.name);
