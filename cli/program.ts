// The `cid` command line: the default `<owner/repo> …` form plus any registered subcommands.
import { Command } from 'commander';
import type { CliContext } from './cli-context.ts';
import { registerRepoCommand } from './repo-command.ts';
import { SUBCOMMANDS } from './subcommands.ts';

const HELP = `
Arguments:
  owner/repo       a repository built by cid
  ref|sha          main, refs/heads/main, pull/12, or a commit hash (6+ characters)
  variant          a job: debian-12-5.3_opam-2.3, (analysis), (lint-fmt), …
  action           status (default), log (prints and follows), rebuild, cancel

Options of the repository form:
  --wait                 status: wait until the commit or job has finished
  --failed               rebuild: only the commit's failed jobs
  --no-follow            log: print what there is and stop
  --interval <seconds>   how often to poll while waiting or following (default 2)

Examples:
  cid ocaml/dune                                   branches and PRs with their state
  cid ocaml/dune main                              every job of main's latest commit
  cid ocaml/dune pull/12 debian-12-5.3_opam-2.3 log
  cid ocaml/dune 1a2b3c4 rebuild --failed          rebuild the failed jobs of a commit

Exit status: 0 passed, 1 failed, 2 usage, 3 not allowed, 4 not found, 8 still running.
Environment: CID_API_URL (default http://localhost:8080), CID_TOKEN (CID_ADMIN_TOKEN or a GitHub token).
`;

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('cid')
    .usage('<owner/repo> [ref|sha] [variant] [status|log|rebuild|cancel] [options]')
    .description('cid: continuous integration for OCaml projects')
    .option('--api <url>', 'cid base URL (env CID_API_URL)')
    .option('--token <token>', 'bearer token for actions and private repositories (env CID_TOKEN)')
    .option('--json', 'machine-readable output')
    .addHelpText('after', HELP)
    .configureOutput({ writeOut: (s) => ctx.io.out(s.trimEnd()), writeErr: (s) => ctx.io.err(s.trimEnd()) })
    .exitOverride();
  registerRepoCommand(program, ctx);
  for (const register of SUBCOMMANDS) register(program, ctx);
  return program;
}
