import { readFileSync } from 'node:fs';
import { composition } from './lib/bundles.js';
const m = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const c = composition(m); let tot = 0; for (const p of c) tot += p.bytes;
console.log('total', (tot/1024).toFixed(0) + 'K');
for (const p of c.slice(0, Number(process.argv[3] ?? 30))) console.log((p.bytes / 1024).toFixed(1).padStart(7), p.name);
