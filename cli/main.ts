// Entry point of the `cid` command (started by bin.js): runs the program, turns errors into
// messages and exit statuses.
import { CommanderError } from 'commander';
import { exitCodeFor, toCidError } from '../lib/errors/index.ts';
import type { CliContext } from './cli-context.ts';
import { EXIT } from './exit-codes.ts';
import { buildProgram } from './program.ts';

export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, successfully.
      return err.exitCode === 0 ? 0 : EXIT.usage;
    }
    const e = toCidError(err);
    ctx.io.err(`cid: ${e.code === 'internal' ? (err as Error).message : e.message}`);
    return exitCodeFor(err);
  }
}

const ctx: CliContext = {
  io: {
    out: (s) => process.stdout.write(`${s}\n`),
    err: (s) => process.stderr.write(`${s}\n`),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
  },
  exitCode: 0,
};

const code = await runCli(process.argv.slice(2), ctx);
// Let stdout drain before exiting (piped output).
process.stdout.write('', () => process.exit(code));
