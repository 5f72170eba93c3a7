// The `cid` command line. Add subcommands (such as `cid local`) in subcommands.ts.
export { buildProgram } from './program.ts';
export { runTarget } from './repo-command.ts';
export { parseTarget, ACTIONS } from './target.ts';
export { EXIT, exitFor } from './exit-codes.ts';
export type { CliContext, CliIO, SubcommandRegistrar } from './cli-context.ts';
