// `npm start [-- --config <file>] [--port <n>]`: run the whole API locally.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile } from '../lib/config.js';
import { TemplateError } from '../lambda/core/errors.js';
import { describeEmulatorJobs } from './databricks-jobs.js';
import { startLocalMode } from './local-mode.js';
import { stateFileFor } from './state-file.js';


const USAGE = `usage: npm start -- [--config <file>] [--port <n>]

  --config <file>  config file (default config/local.yaml)
  --port <n>       port of the local API (default: local.port in the config); the identity provider, ledger and
                   emulators then take free ports, so a second instance can run beside the first
  --quiet          no request or audit lines on the console`;

async function main(): Promise<void> {
  // Local mode supports Node 20 on purpose; the SDK's notice about its future Node 22 floor is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let args;
  try {
    args = parseArgs({
      options: { config: { type: 'string', default: 'config/local.yaml' }, port: { type: 'string' }, quiet: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const config = loadConfigFile(args.config!);
  if (args.port !== undefined) {
    const port = Number(args.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('--port', [`must be a port number from 0 to 65535 (got ${JSON.stringify(args.port)})`]);
    config.local.port = port;
    // another instance may hold the configured ports; each instance's state file says where its services are
    const { local: l } = config;
    l.identityProvider.port = 0;
    l.ledger.port = 0;
    l.dataproc.port = 0;
    l.databricks.port = 0;
    l.googleTokens.port = 0;
  }

  const local = await startLocalMode(config, {
    quiet: args.quiet,
    onAccess: args.quiet ? undefined : (e) => console.log(`${e.method} ${e.path} → ${e.status} ${e.latencyMs} ms${e.principal ? ` (${e.principal})` : ''}${e.authorizerError ? ` [${e.authorizerError}]` : ''}`),
  });
  const state = resolve(stateFileFor(Number(new URL(local.url).port)));
  mkdirSync(dirname(state), { recursive: true });
  writeFileSync(
    state,
    JSON.stringify({ gatewayUrl: local.url, issuer: local.idp?.issuer, tokenEndpoint: local.idp?.tokenEndpoint, audience: config.local.identityProvider.audience, pid: process.pid }, null, 2),
  );

  const today = new Date().toISOString().slice(0, 10);
  console.log(`
Data Job Gateway (local mode) is listening on ${local.url}
  config         ${config.sourceFile}
  identity       ${local.idp ? local.idp.issuer : 'configured issuers only'}
  ledger         ${local.ledger.endpoint ?? 'DynamoDB'} (table ${local.ledger.tableName})
  dataproc       ${local.dataproc ? `emulator ${local.dataproc.url}` : (config.dataproc?.endpoint ?? (config.dataproc ? 'Google Cloud' : 'not configured'))}
  databricks     ${local.databricks ? `emulator ${local.databricks.url}` : (config.databricks?.host ?? 'not configured')}${describeEmulatorJobs(local.databricksJobs).map((line) => `\n                   ${line}`).join('')}
  audit log      ${local.auditLogFile}

Log in with djg (another terminal, same folder; the sign-in page takes any user name and the groups you type):
  npm run -s djg -- login --url ${local.url} --issuer ${local.idp?.issuer ?? '<your issuer>'}     # add --device without a browser
  npm run -s djg -- submit daily-sales-etl -p date=${today} --wait --logs

Or get a token for curl:
  TOKEN=$(npm run -s token -- --sub alice --groups analysts)

Try it:
  curl -s ${local.url}/templates -H "Authorization: Bearer $TOKEN"
  curl -s -X POST ${local.url}/jobs -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
       -H 'Idempotency-Key: first-try' -d '{"template":"daily-sales-etl","parameters":{"date":"${today}"}}'
  curl -s ${local.url}/jobs -H "Authorization: Bearer $TOKEN"

OpenAPI: ${local.url}/openapi.json    Stop: Ctrl-C
`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await local.stop();
    rmSync(state, { force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof TemplateError) {
    console.error(err.message);
    process.exit(1);
  }
  if (err && typeof err === 'object' && 'code' in err && err.code === 'EADDRINUSE') {
    console.error(`a port is already in use (${(err as unknown as Error).message}); stop the other process or change the ports in the config (--port for the API)`);
    process.exit(1);
  }
  console.error(err);
  process.exit(1);
});
