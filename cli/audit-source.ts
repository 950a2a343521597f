// Where the audit CLI reads: the deployed audit log group (flag, environment, or `cdk deploy --outputs-file`), or local mode's file.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LOCAL_AUDIT_LOG_FILE } from '../contract/audit-line.js';
import { AuditCliError, EXIT } from './errors.js';

/** The stack output naming the audit log group (lib/data-job-gateway-stack.ts). */
const LOG_GROUP_OUTPUT = 'AuditLogGroupName';
export const LOG_GROUP_ENV = 'AUDIT_LOG_GROUP';
export const DEFAULT_OUTPUTS_FILE = 'cdk-outputs.json';
export const DEFAULT_LOCAL_CONFIG = 'config/local.yaml';

export interface LogGroupLookup {
  readonly flag?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** @default cdk-outputs.json */
  readonly outputsFile?: string;
  readonly stack?: string;
}

/** `--log-group`, else $AUDIT_LOG_GROUP, else the AuditLogGroupName output in the CDK outputs file. */
export function resolveLogGroup(lookup: LogGroupLookup): string {
  if (lookup.flag) return lookup.flag;
  const fromEnv = lookup.env[LOG_GROUP_ENV];
  if (fromEnv) return fromEnv;
  const file = resolve(lookup.cwd, lookup.outputsFile ?? DEFAULT_OUTPUTS_FILE);
  const outputs = readOutputs(file, lookup.outputsFile !== undefined);
  const stacks = Object.entries(outputs ?? {}).flatMap(([name, o]) => {
    const group = o?.[LOG_GROUP_OUTPUT];
    return typeof group === 'string' ? [[name, group] as const] : [];
  });
  if (lookup.stack) {
    const match = stacks.find(([name]) => name === lookup.stack);
    if (!match) throw new AuditCliError(`${file} has no ${LOG_GROUP_OUTPUT} output for stack ${lookup.stack}${stacks.length ? ` (stacks: ${stacks.map(([n]) => n).join(', ')})` : ''}`, { exitCode: EXIT.notFound });
    return match[1];
  }
  if (stacks.length === 1) return stacks[0]![1];
  if (stacks.length > 1) throw new AuditCliError(`${file} has several gateway stacks (${stacks.map(([n]) => n).join(', ')}): pass --stack <name>`, { exitCode: EXIT.usage });
  throw new AuditCliError(
    `no audit log group configured: pass --log-group <name>, set ${LOG_GROUP_ENV}, or deploy with \`cdk deploy --outputs-file ${DEFAULT_OUTPUTS_FILE}\` (stack output ${LOG_GROUP_OUTPUT}); for local mode add --local`,
    { exitCode: EXIT.usage },
  );
}

type Outputs = Record<string, Record<string, unknown> | undefined>;

function readOutputs(file: string, required: boolean): Outputs | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AuditCliError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return JSON.parse(text) as Outputs;
  } catch (err) {
    throw new AuditCliError(`${file} is not JSON: write it again with \`cdk deploy --outputs-file ${DEFAULT_OUTPUTS_FILE}\``, { cause: err });
  }
}

/** `--local <file>`, else the config's `local.auditLogFile` (relative to the working directory, as `npm start` writes it). */
export async function resolveLocalAuditFile(options: { readonly file?: string; readonly config?: string; readonly cwd: string }): Promise<string> {
  if (options.file) return resolve(options.cwd, options.file);
  const configFile = options.config ?? DEFAULT_LOCAL_CONFIG;
  // Only the one field: the gateway checks the rest of its config when it starts.
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(resolve(options.cwd, configFile), 'utf8'));
  } catch (err) {
    throw new AuditCliError(`${configFile}: cannot read it as a YAML config (${(err as Error).message})\n(pass --local <file> to read an audit log without a config)`, { cause: err, exitCode: EXIT.usage });
  }
  const file = (raw as { local?: { auditLogFile?: unknown } } | null)?.local?.auditLogFile ?? LOCAL_AUDIT_LOG_FILE;
  if (typeof file !== 'string' || !file) throw new AuditCliError(`${configFile}: /local/auditLogFile must be a file name (got ${JSON.stringify(file)})`, { exitCode: EXIT.usage });
  return resolve(options.cwd, file);
}
