import { runEndToEndBench } from './end-to-end.js';
import { consoleLines } from './lib/report.js';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const r = await runEndToEndBench({ projectRoot: process.cwd() + '/', rates: [50], seconds: 2, profileSeconds: 4 });
console.log(consoleLines(r).join('\n'));
for (const t of r.tables) { console.log(t.title); for (const row of t.rows) console.log('  ', row.join(' | ')); }
