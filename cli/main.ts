// Runs one djg command line and answers with its exit code. Errors print what went wrong and what to do: a gateway
// problem's title, detail, field errors and request id (as JSON on stderr with -o json); never a stack trace.
import { CommanderError } from 'commander';
import { ApiProblem, describeProblem } from './api-client.js';
import { CliError, EXIT, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { buildProgram, type RunState } from './program.js';

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const state: RunState = { code: EXIT.ok };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.code;
  } catch (err) {
    const json = program.opts().output === 'json';
    if (err instanceof CommanderError) {
      // commander has printed its message (or the help, or the version)
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof ApiProblem) {
      io.stderr(json ? `${JSON.stringify(err.problem, null, 2)}\n` : `djg: ${describeProblem(err.problem)}\n`);
      return err.exitCode;
    }
    if (err instanceof CliError) {
      const hint = err instanceof UsageError ? `\n(run \`${commandPath(state)} --help\` for usage)` : '';
      io.stderr(json ? `${JSON.stringify({ error: err.message, exitCode: err.exitCode })}\n` : `djg: ${err.message}${hint}\n`);
      return err.exitCode;
    }
    io.stderr(`djg: unexpected error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
    return EXIT.gateway;
  }
}

function commandPath(state: RunState): string {
  const names: string[] = [];
  for (let c = state.command; c; c = c.parent ?? undefined) names.unshift(c.name());
  return names.length ? names.join(' ') : 'djg';
}
