// `npm run bench [-- --quick] [-- --only authorizer,cold-start,end-to-end,synth] [-- --ledgers main]`: runs the
// benchmarks of issue 7, prints each figure as a ratio against its baseline from the same run, and writes RESULTS.md
// (bench/out/ for partial runs). --ledgers also measures local submits with the embedded ledger run those other ways.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runAuthorizerBench } from './authorizer.js';
import { runColdStartBench } from './cold-start.js';
import { runEndToEndBench } from './end-to-end.js';
import { describeMachine, formatLoad } from './lib/machine.js';
import { consoleLines, renderMarkdown, type SectionResult } from './lib/report.js';
import { runSynthBench } from './synth.js';
import type { LedgerThread } from '../local/embedded-ledger.js';

const BENCHMARKS = ['authorizer', 'synth', 'cold-start', 'end-to-end'] as const;
const LEDGERS = ['main', 'worker'] as const satisfies readonly LedgerThread[];
type BenchName = (typeof BENCHMARKS)[number];

const projectRoot = fileURLToPath(new URL('../', import.meta.url));
const benchDir = join(projectRoot, 'bench');
const outDir = join(benchDir, 'out');
const configFile = 'config/example.yaml';

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    ledgers: { type: 'string', multiple: true },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(`usage: npm run bench -- [--quick] [--only ${BENCHMARKS.join(',')}] [--ledgers ${LEDGERS.join(',')}]`);
  process.exit(0);
}
const only = (values.only ?? []).flatMap((o) => o.split(',')).map((o) => o.trim()).filter(Boolean);
const unknown = only.filter((o) => !(BENCHMARKS as readonly string[]).includes(o));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${BENCHMARKS.join(', ')}`);
  process.exit(2);
}
const ledgers = (values.ledgers ?? []).flatMap((o) => o.split(',')).map((o) => o.trim()).filter(Boolean);
const unknownLedgers = ledgers.filter((l) => !(LEDGERS as readonly string[]).includes(l));
if (unknownLedgers.length) {
  console.error(`unknown ledger placement ${unknownLedgers.join(', ')}; choose from ${LEDGERS.join(', ')}`);
  process.exit(2);
}
const selected = BENCHMARKS.filter((b) => !only.length || only.includes(b));
const quick = values.quick;
const full = !quick && !only.length;

process.chdir(projectRoot);
// the AWS SDK's notice about Node versions older than Lambda's would only add noise to the output
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
mkdirSync(outDir, { recursive: true });
const machine = describeMachine();
const startedAt = new Date();
console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${formatLoad(machine.loadAtStart)}${quick ? ' (quick)' : ''}`);

const sections: SectionResult[] = [];
let assemblyDir: string | undefined;
const run: Record<BenchName, () => Promise<SectionResult>> = {
  authorizer: () => runAuthorizerBench(quick ? { rounds: 3, roundMs: 300 } : { rounds: 9, roundMs: 1000 }),
  synth: async () => {
    const result = await runSynthBench({ projectRoot, outDir, runs: quick ? 1 : 3, configFile });
    assemblyDir = result.assemblyDir;
    return result.section;
  },
  'cold-start': () => runColdStartBench({ projectRoot, outDir, runs: quick ? 5 : 20, profiles: quick ? 1 : 3, assemblyDir, configFile }),
  'end-to-end': () => runEndToEndBench({ projectRoot, rates: quick ? [50, 100, 200, 400] : [50, 100, 200, 400, 800], seconds: quick ? 3 : 8, profileSeconds: quick ? 3 : 6, principals: quick ? 300 : 1000, ledgers: ledgers as LedgerThread[] }),
};

let failed = false;
for (const name of selected) {
  console.log(`\n${name}...`);
  try {
    const section = await run[name]();
    sections.push(section);
    console.log(consoleLines(section).join('\n'));
    for (const note of section.notes) console.log(`  - ${note}`);
  } catch (err) {
    failed = true;
    console.error(`  ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}

sections.sort((a, b) => a.title.localeCompare(b.title));
const findingsFile = join(benchDir, 'FINDINGS.md');
const findings = full && existsSync(findingsFile) ? readFileSync(findingsFile, 'utf8') : '';
const flags = [...(quick ? ['--quick'] : []), ...(only.length ? [`--only ${only.join(',')}`] : []), ...(ledgers.length ? [`--ledgers ${ledgers.join(',')}`] : [])];
const command = `npm run bench${flags.length ? ` -- ${flags.join(' ')}` : ''}`;
const markdown = renderMarkdown({ machine, loadAtEnd: loadavg(), startedAt, quick, only, command }, sections, findings);
const target = full && !failed ? join(benchDir, 'RESULTS.md') : join(outDir, 'RESULTS.md');
writeFileSync(target, markdown);
writeFileSync(join(outDir, 'results.json'), JSON.stringify({ machine, startedAt, quick, sections }, null, 2));
console.log(`\nwrote ${target.slice(projectRoot.length)}`);
process.exit(failed ? 1 : 0);
