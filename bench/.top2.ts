import { selfTimes, packageOf } from './lib/cpu-profile.js';
const f = process.argv[2]!;
const pk = selfTimes(f, (c) => packageOf(c.url) + (c.url.includes('/work/main/') && !c.url.includes('node_modules') ? ' ' + c.url.replace(/.*\/work\/main\//, '').split('/').slice(0, 2).join('/') : ''));
console.log('total', pk.total.toFixed(0));
for (const t of pk.top.slice(0, 20)) console.log(t.ms.toFixed(1).padStart(8), (t.share * 100).toFixed(1).padStart(5) + '%', t.name);
const fn = selfTimes(f, (c) => `${c.functionName || '(anon)'} ${c.url.replace(/.*node_modules\//, '').replace(/.*\/work\/main\//, '')}:${c.lineNumber}`);
for (const t of fn.top.slice(0, 30)) console.log(t.ms.toFixed(1).padStart(8), (t.share * 100).toFixed(1).padStart(5) + '%', t.name);
