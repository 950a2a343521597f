// djg's command tree (commander): every command, option and help text. Commands live in cli/commands/; this file
// only says how they are called, so help, completion and parsing come from one place.
import { Command, Option } from 'commander';
import { addAuditCommands, type AuditOptions } from './audit.js';
import { SHELLS, type Shell } from './completion.js';
import { Context, VERSION } from './context.js';
import type { CliIo } from './io.js';
import { FORMATS } from './output.js';

export interface RunState {
  code: number;
  /** The command that ran (for the usage hint of an error). */
  command?: Command;
}

const EXIT_CODES = `
Exit codes:
  0    done (with --wait: the job SUCCEEDED)
  1    the job ended FAILED, CANCELLED, REJECTED or EXPIRED
  2    usage error: the command line, or the request it made, is wrong
  3    not authenticated, or not allowed
  4    not found: the job, template or console link
  5    the gateway or a backend failed, or could not be reached
  124  --timeout passed while waiting; the job goes on
  130  interrupted (Ctrl-C) while waiting; the job goes on unless --cancel-on-interrupt

Credentials, first match wins: --token, DJG_TOKEN, DJG_TOKEN_COMMAND (a command that prints a token), the profile's
djg login. The gateway: --url, DJG_URL, the profile (in $XDG_CONFIG_HOME/djg/config.yaml). docs/analysts.md has it all.`;

// Each command's module is loaded when the command runs: djg starts on every call, and most calls need one module.
const auth = () => import('./commands/auth.js');
const jobs = () => import('./commands/jobs.js');
const templatesCommands = () => import('./commands/templates.js');
const approvals = () => import('./commands/approvals.js');

/** A commander action calling a command with its context; the command's exit code goes to `state`. */
type CommandFn = (ctx: Context, ...args: any[]) => Promise<number>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function buildProgram(io: CliIo, state: RunState): Command {
  const act =
    (fn: CommandFn) =>
    async (...received: unknown[]): Promise<void> => {
      const cmd = received[received.length - 1] as Command;
      state.command = cmd;
      const options = cmd.optsWithGlobals();
      // commander passes the arguments, then the command's options, then the command
      state.code = await fn(new Context(io, options), ...received.slice(0, -2), options);
    };

  const program = new Command('djg')
    .description("the analyst's command line for the Data Job Gateway: run templates on Dataproc and Databricks, follow them, read their output")
    .version(VERSION, '-V, --version', 'print the version')
    .addOption(new Option('-o, --output <format>', 'output: table for people, json or yaml for scripts').choices(FORMATS).default('table'))
    .option('--profile <name>', 'the profile to use (default: DJG_PROFILE, the config file\'s default, or "default")')
    .option('--url <url>', 'the gateway (default: DJG_URL, or the profile\'s url)')
    .option('--token <token>', 'a bearer token to use instead of djg login (prefer DJG_TOKEN: flags show in process lists)')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.stdout(t), writeErr: (t) => io.stderr(t), outputError: (t, write) => write(`djg: ${t.replace(/^error: /, '')}`) })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES);

  program
    .command('login')
    .description('sign in at your identity provider (browser, or --device on a machine without one); the tokens are cached per profile')
    .option('--device', 'sign in with a code on another device (RFC 8628 device flow)')
    .option('--issuer <url>', 'the OIDC issuer (remembered in the profile)')
    .option('--client-id <id>', "djg's client id at the issuer (default djg; remembered)")
    .option('--scopes <scopes>', 'scopes to ask for, space- or comma-separated (remembered)')
    .option('--no-browser', 'print the sign-in URL instead of opening a browser')
    .option('--port <port>', 'loopback port for the browser to return to (default: any free port)')
    .action(act(async (ctx, options) => (await auth()).login(ctx, options)));
  program.command('logout').description("forget this profile's tokens (and revoke the refresh token at the issuer)").action(act(async (ctx) => (await auth()).logout(ctx)));
  program.command('whoami').description('who the gateway takes you for: principal, kind, groups, scopes, token expiry').action(act(async (ctx) => (await auth()).whoami(ctx)));

  const templates = program.command('templates').description('the templates you may run').action(act(async (ctx) => (await templatesCommands()).listTemplates(ctx)));
  templates.command('show <template>').description("one template: parameters with types, defaults and allowed values; backend; approval").action(act(async (ctx, id: string) => (await templatesCommands()).showTemplate(ctx, id)));

  const waiting = (cmd: Command, what: string) =>
    cmd
      .option('--logs', `stream the driver output to stderr while waiting${what}`)
      .option('--timeout <duration>', 'stop waiting after this long (30s, 10m, 2h); the job goes on (exit 124)')
      .option('--cancel-on-interrupt', 'on Ctrl-C, cancel the job instead of leaving it running')
      .option('--interval <duration>', 'time between polls (default 2s)');

  waiting(
    program
      .command('submit <template>')
      .description('submit a job from a template; with --wait, follow it to its end and exit with its outcome')
      .option('-p, --param <name=value>', 'a parameter, typed by the template (repeat for more)', (v: string, prev: string[]) => [...prev, v], [] as string[])
      .option('--params-file <file>', 'parameters from a JSON or YAML file (-p wins)')
      .option('--idempotency-key <key>', 'the Idempotency-Key to send (default: one per command, reused when a run never heard back)')
      .option('--dry-run', 'show the exact backend request without submitting')
      .option('--wait', 'wait for the job to end; exit 0 only if it SUCCEEDED'),
    ' (implies --wait)',
  ).action(act(async (ctx, template: string, options) => (await jobs()).submit(ctx, template, options)));
  program.command('status <job>').description('one job and its status').action(act(async (ctx, id: string) => (await jobs()).status(ctx, id)));
  waiting(program.command('wait <job>').description('follow a job to its end; exit 0 only if it SUCCEEDED'), '').action(act(async (ctx, id: string, options) => (await jobs()).wait(ctx, id, options)));
  program
    .command('cancel <job>')
    .description('request cancellation; with --wait, until the job has ended (exit 0 if CANCELLED)')
    .option('--wait', 'wait until the job has ended')
    .option('--interval <duration>', 'time between polls (default 2s)')
    .action(act(async (ctx, id: string, options) => (await jobs()).cancel(ctx, id, options)));
  program
    .command('ls')
    .description('your jobs, newest first')
    .option('--state <states>', 'only these statuses, comma-separated (RUNNING,FAILED)')
    .option('--template <id>', 'only this template')
    .option('--since <when>', 'only jobs created since: 30m, 24h, 7d, or a date')
    .option('--limit <n>', 'at most this many jobs', '20')
    .option('--principal <issuer#subject>', "another principal's jobs (auditors and admins)")
    .action(act(async (ctx, options) => (await jobs()).list(ctx, options)));
  program
    .command('logs <job>')
    .description("the job's driver output (Dataproc driver output, Databricks task output); --follow until the job ends")
    .option('-f, --follow', 'keep reading until the job has ended and all output is read')
    .option('--interval <duration>', 'time between polls with --follow (default 2s)')
    .action(act(async (ctx, id: string, options) => (await jobs()).logs(ctx, id, options)));
  program
    .command('open <job>')
    .description("print the job's console link (Google Cloud console or Databricks run page) and open it on a desktop")
    .option('--no-browser', 'only print the link')
    .action(act(async (ctx, id: string, options) => (await jobs()).open(ctx, id, options)));

  program
    .command('approvals')
    .description('jobs awaiting a decision you may take (never your own), newest first')
    .option('--limit <n>', 'at most this many jobs', '20')
    .action(act(async (ctx, options) => (await approvals()).listApprovals(ctx, options)));
  program
    .command('approve <job>')
    .description('approve a job awaiting approval; the approval that completes the count sends it')
    .option('--comment <text>', 'why (optional; up to 1,000 characters)')
    .action(act(async (ctx, id: string, options) => (await approvals()).decide(ctx, id, 'approve', options)));
  program
    .command('reject <job>')
    .description('reject a job awaiting approval: it ends REJECTED and never runs')
    .requiredOption('--comment <text>', 'why (required; up to 1,000 characters)')
    .action(act(async (ctx, id: string, options) => (await approvals()).decide(ctx, id, 'reject', options)));

  addAuditCommands(program, (query) =>
    act(async (ctx, ...received: unknown[]) => {
      const options = received[received.length - 1] as AuditOptions;
      const { runAudit } = await import('./audit.js');
      return runAudit(query, received.slice(0, query.parameters.length) as (string | undefined)[], options, options.json ? 'json' : ctx.format, io);
    }),
  );

  program
    .command('completion')
    .description('print a completion script: source <(djg completion bash)')
    .addArgument(new Command().createArgument('<shell>', 'bash, zsh or fish').choices(SHELLS))
    .action(
      act(async (ctx, shell: Shell) => {
        const { completionScript } = await import('./completion.js');
        ctx.io.stdout(completionScript(program, shell));
        return 0;
      }),
    );
  return program;
}

