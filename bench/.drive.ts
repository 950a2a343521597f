import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fixedRateLoad } from './lib/load.js';
import type { BenchServerInfo } from './e2e/protocol.js';
const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/prof-e2e', '--import', 'tsx', 'bench/e2e/server.ts'], { env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout! });
let info!: BenchServerInfo;
for await (const l of lines) { info = JSON.parse(l); break; }
let n = 0;
const body = JSON.stringify({ template: 'daily-sales-etl', parameters: { date: '2026-01-01' } });
const rate = Number(process.argv[2] ?? 150);
const route = process.argv[3] ?? 'submit';
const req = route === 'submit'
  ? () => ({ method: 'POST', path: '/jobs', headers: { authorization: `Bearer ${info.tokens[n++ % info.tokens.length]}`, 'content-type': 'application/json' }, body })
  : () => ({ method: 'GET', path: `/jobs/${info.statusJob.id}`, headers: { authorization: `Bearer ${info.statusJob.token}` } });
await fixedRateLoad({ url: info.gatewayUrl, rate: 50, seconds: 2, request: req });
const t0 = Date.now();
const r = await fixedRateLoad({ url: info.gatewayUrl, rate, seconds: 6, request: req });
console.log(JSON.stringify({ ...r, statusCounts: r.statusCounts }), 'load window', t0);
child.stdin!.end();
await new Promise((res) => child.on('exit', res));
