import { readdirSync } from 'node:fs';
import { initBreakdown } from './lib/cpu-profile.js';
const [dir, suffix] = process.argv.slice(2) as [string, string];
for (const f of readdirSync(dir)) { const b = initBreakdown(`${dir}/${f}`, suffix); console.log(Object.entries(b).map(([k, v]) => `${k} ${v.toFixed(1)}`).join('  ')); }
