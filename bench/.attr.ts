import { readdirSync } from 'node:fs';
import { bundleSelfTimeByPackage } from './lib/cpu-profile.js';
const [dir, bundle] = process.argv.slice(2) as [string, string];
for (const f of readdirSync(dir)) {
  const r = bundleSelfTimeByPackage(`${dir}/${f}`, `${bundle}/index.mjs`, `${bundle}/index.mjs.map`);
  console.log('total', r.total.toFixed(1), r.top.slice(0, 14).map((t) => `${t.name} ${t.ms.toFixed(1)}`).join(' | '));
}
