import { cleanEnv, timeNode } from './lib/processes.js';
import { median } from './lib/stats.js';
const vs = [{ k: 'bare -e 0', a: ['-e', '0'] }, { k: 'empty.mjs', a: ['bench/out/empty.mjs'] }, { k: 'empty.cjs', a: ['/tmp/empty.cjs'] }, { k: 'input-type module -e', a: ['--input-type=module', '-e', '0'] }];
const t = new Map(vs.map((v) => [v.k, [] as number[]]));
for (let r = 0; r < 40; r++) for (const v of vs) t.get(v.k)!.push(timeNode(v.a, cleanEnv()));
for (const [k, xs] of t) console.log(k.padEnd(30), median(xs).toFixed(1), Math.min(...xs).toFixed(1));
