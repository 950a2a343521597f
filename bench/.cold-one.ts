// ad hoc: median cold init of given bundle dirs vs bare node
import { join } from 'node:path';
import { cleanEnv, timeNode } from './lib/processes.js';
import { median } from './lib/stats.js';
const dirs = process.argv.slice(2);
const env = (maps: boolean) => cleanEnv({ AWS_REGION: 'eu-west-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', LEDGER_TABLE_NAME: 't', DATABRICKS_SECRET_ID: 's', GOOGLE_KEY_SECRET_ID: 'g', NODE_OPTIONS: maps ? '--enable-source-maps' : '' });
const vs = [{ k: 'bare', a: ['-e', '0'], e: cleanEnv() }, { k: 'empty', a: ['bench/out/empty.mjs'], e: cleanEnv() }, ...dirs.flatMap((d) => [{ k: d, a: [join(d, 'index.mjs')], e: env(true) }, { k: d + ' nomaps', a: [join(d, 'index.mjs')], e: env(false) }])];
const t = new Map(vs.map((v) => [v.k, [] as number[]]));
for (let r = 0; r < Number(process.env.RUNS ?? 15); r++) for (const v of vs) t.get(v.k)!.push(timeNode(v.a, v.e));
const bare = median(t.get('bare')!);
for (const [k, xs] of t) console.log(k.padEnd(50), median(xs).toFixed(1), (median(xs) / bare).toFixed(2));
