// `cid local [PATH]`: ocaml-ci-local's job. The options are checked here; the run is
// local/local-mode. Ctrl-C cancels the run cleanly; a second one quits at once.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { BadRequestError } from '../lib/errors/index.ts';
import { runLocal } from '../local/local-mode/index.ts';
import type { SubcommandRegistrar } from './cli-context.ts';
import { EXIT } from './exit-codes.ts';

const HELP = `
Builds the HEAD commit of the git repository at PATH (default .) as cid would on a push: the
analysis, then every platform's build and lint, in Docker on this machine. Uncommitted changes
are not included. No GitHub is needed; the web UI runs while it builds.

Jobs of other architectures (linux-arm64, …) are skipped, unless --emulate is given and qemu is
registered with binfmt_misc (/proc/sys/fs/binfmt_misc/qemu-aarch64, …): then they run, slowly.

--json (a global option) prints one JSON document on stdout when the run ends: the commit, every
job (name, pool, status, duration, reason, url, log) and the dropped platforms; progress then goes
to stderr.

Exit status: 0 every required job passed, 1 a job failed or errored (or the analysis did),
2 usage (PATH not a git repository, bad option), 5 --port in use, 6 no Docker engine,
130 interrupted (Ctrl-C).
Environment: CID_PLATFORMS (default catalogue), DOCKER_HOST, LOG_LEVEL (server logs on stderr).

Examples:
  cid local                                  build HEAD of the repository here
  cid local ../dune --platforms minimal      two platforms only
  cid local --json > result.json             one JSON document for scripts
  cid local --serve                          keep the UI up after the run
`;

const Flags = z.object({
  port: z.coerce.number({ error: 'a port number' }).int('a port number').min(0, 'a port number').max(65535, 'a port number').optional(),
  platforms: z.string().min(1, 'all, minimal or a catalogue file').optional(),
  jobs: z.coerce.number({ error: 'a number of jobs' }).int('a whole number of jobs').min(1, 'at least 1').max(64, 'at most 64').optional(),
  serve: z.boolean().optional(),
  keep: z.boolean().optional(),
  emulate: z.boolean().optional(),
  json: z.boolean().optional(),
});

export const registerLocalCommand: SubcommandRegistrar = (program, ctx) => {
  program
    .command('local [path]')
    .description('build HEAD of a local repository with local Docker, the web UI on http://localhost:8080')
    .option('--port <port>', 'port of the web UI (default 8080, or a free one when 8080 is taken)')
    .option('--platforms <all|minimal|file>', 'platform catalogue (default: CID_PLATFORMS, else all)')
    .option('-j, --jobs <n>', 'jobs at once on this machine (default: half its CPUs)')
    .option('--serve', 'keep serving the web UI after the run, until Ctrl-C')
    .option('--keep', 'the same as --serve')
    .option('--emulate', "run other architectures' jobs under qemu instead of skipping them")
    .addHelpText('after', HELP)
    .action(async (path: string | undefined, _o: unknown, cmd: { optsWithGlobals: () => Record<string, unknown> }) => {
      const parsed = Flags.safeParse(cmd.optsWithGlobals());
      if (!parsed.success) {
        throw new BadRequestError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; '));
      }
      const f = parsed.data;
      const interrupt = new AbortController();
      let signals = 0;
      const onSignal = () => {
        // The first asks for a clean stop; a second means "now".
        if (++signals > 1) process.exit(EXIT.interrupted);
        interrupt.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        ctx.exitCode = await runLocal(
          {
            path: path ?? '.',
            ...(f.port !== undefined ? { port: f.port } : {}),
            ...(f.platforms !== undefined ? { platforms: f.platforms } : {}),
            json: f.json === true,
            serve: f.serve === true || f.keep === true,
            emulate: f.emulate === true,
            jobs: f.jobs ?? Math.max(1, Math.floor(availableParallelism() / 2)),
          },
          { io: ctx.io, cwd: process.cwd(), interrupt: interrupt.signal },
        );
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
};
