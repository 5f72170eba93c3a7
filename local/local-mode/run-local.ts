// `cid local [PATH]`: the pipeline of HEAD of a local repository, on a stack of its own with
// runners on the local Docker engine, its UI served while it runs (and with --serve after).
import { pathToFileURL } from 'node:url';
import Docker from 'dockerode';
import { pino } from 'pino';
import { poolForArch, type Pool } from '../../lib/contract/index.ts';
import { NotConfiguredError } from '../../lib/errors/index.ts';
import { cancelPipelineJobs, startPipeline } from '../../app/pipelines/index.ts';
import { commitPath } from '../../app/web/paths.ts';
import type { CliIO } from '../../cli/cli-context.ts';
import { EXIT } from '../../cli/exit-codes.ts';
import { paintStatus } from '../../cli/output.ts';
import { resolveCatalogue } from './catalogue.ts';
import { requireDocker } from './docker-check.ts';
import { localRepoName, readGitHead } from './git-head.ts';
import { canEmulate, planPools } from './local-pools.ts';
import { localExitCode, localReport, summaryLines } from './local-report.ts';
import { startLocalStack } from './local-stack.ts';
import { plainProgress, ttyProgress, type ProgressView } from './progress.ts';
import { skipUnserved } from './skip-unserved.ts';
import { chooseUiPort } from './ui-port.ts';
import { readSnapshot, watchPipeline } from './watch-pipeline.ts';

export interface LocalOptions {
  path: string;
  /** Undefined: 8080, or a free port when 8080 is taken. */
  port?: number;
  /** all, minimal or a catalogue file; undefined: CID_PLATFORMS or all. */
  platforms?: string;
  json: boolean;
  /** Keep serving the UI after the run, until Ctrl-C. */
  serve: boolean;
  /** Run other architectures' jobs under qemu when binfmt_misc has it. */
  emulate: boolean;
  /** Jobs at once on this machine's runner. */
  jobs: number;
}

export interface LocalDeps {
  io: CliIO;
  cwd: string;
  /** Fires on Ctrl-C (or SIGTERM): running jobs are cancelled and the run ends with 130. */
  interrupt: AbortSignal;
  docker?: Docker;
  hostPool?: Pool;
  canEmulate?: (pool: Pool) => boolean;
  /** The terminal's size, for the in-place progress. */
  size?: () => { columns: number; rows: number };
}

/**
 * How long cancelled jobs get to end: their containers are killed at once, but removing them can
 * take seconds (vfs storage); after this the runner gives up on them.
 */
const CANCEL_GRACE_MS = 20_000;

const untilAborted = (signal: AbortSignal) => new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));

export async function runLocal(o: LocalOptions, d: LocalDeps): Promise<number> {
  const { io } = d;
  // With --json, stdout holds the document alone: everything for people goes to stderr.
  const say = o.json ? io.err : io.out;
  const head = await readGitHead(o.path);
  const docker = d.docker ?? new Docker();
  await requireDocker(docker, io.env);
  const catalogue = await resolveCatalogue(o.platforms, io.env, d.cwd);
  const hostPool = d.hostPool ?? poolForArch(process.arch);
  if (!hostPool) throw new NotConfiguredError(`this machine's architecture (${process.arch}) has no runner pool, so cid local cannot build here`);
  const plan = planPools(
    catalogue.platforms.map((p) => p.pool),
    { hostPool, emulate: o.emulate, canEmulate: d.canEmulate ?? ((p) => canEmulate(p)) },
  );
  const ui = await chooseUiPort('127.0.0.1', o.port);
  if (d.interrupt.aborted) return EXIT.interrupted;

  const repo = localRepoName(head.root);
  const log = pino({ name: 'cid-local', level: io.env.LOG_LEVEL ?? 'silent' }, pino.destination(2));
  const stack = await startLocalStack({ env: io.env, port: ui.port, platforms: catalogue.setting, plan, concurrency: o.jobs, docker, log });
  try {
    if (d.interrupt.aborted) return EXIT.interrupted;
    const svc = stack.cp.svc;
    const base = `http://localhost:${stack.cp.port}`;
    await svc.store.repositories.upsert({
      name: repo,
      description: head.root,
      kind: 'git',
      url: pathToFileURL(head.root).href,
      private: false,
      defaultBranch: head.branch ?? 'main',
      active: true,
    });
    const { pipelineId } = await startPipeline(svc, { repo, sha: head.sha, ref: head.ref, source: { kind: 'local', path: head.root, sha: head.sha } });

    say(`cid local: ${repo} @ ${head.sha.slice(0, 12)} (${head.branch ?? 'detached HEAD'}) ${head.subject}`);
    say(`UI: ${base}${commitPath(repo, head.sha)}`);
    if (ui.note) io.err(`cid: ${ui.note}`);
    if (head.uncommitted.length > 0) {
      const n = head.uncommitted.length;
      io.err(`cid: warning: ${n} uncommitted change${n === 1 ? ' is' : 's are'} not included: cid local builds the last commit, ${head.sha.slice(0, 12)}`);
    }

    const view: ProgressView = o.json
      ? plainProgress(io.err)
      : io.isTTY
        ? ttyProgress(io.out, {
            paint: (s) => paintStatus(io, s),
            size: d.size ?? (() => ({ columns: process.stdout.columns || 100, rows: process.stdout.rows || 40 })),
          })
        : plainProgress(io.out);
    let last = await watchPipeline(svc, pipelineId, {
      signal: d.interrupt,
      each: async (s) => {
        view.update(s);
        await skipUnserved(svc, s.jobs, plan.skip);
      },
    });

    const interrupted = d.interrupt.aborted;
    if (interrupted) {
      io.err('cid: interrupted: cancelling the jobs and stopping their containers (Ctrl-C again to quit at once)');
      await cancelPipelineJobs(svc, pipelineId, 'cancelled: cid local was interrupted');
      await stack.stopRunners(CANCEL_GRACE_MS);
      // A job still running after the grace period was handed back to the queue: cancel it there.
      await cancelPipelineJobs(svc, pipelineId, 'cancelled: cid local was interrupted');
      last = (await readSnapshot(svc, pipelineId)) ?? last;
    }
    if (!last) return interrupted ? EXIT.interrupted : EXIT.failed;
    view.end(last);
    const report = localReport(last, { repo, head, baseUrl: base, platforms: catalogue.setting });
    if (o.json) io.out(JSON.stringify(report, null, 2));
    for (const line of summaryLines(report)) say(line);
    if (interrupted) return EXIT.interrupted;

    const code = localExitCode(report);
    if (o.serve) {
      await stack.stopRunners(0);
      say(`serving the UI at ${base}${commitPath(repo, head.sha)} until Ctrl-C`);
      await untilAborted(d.interrupt);
    }
    return code;
  } finally {
    await stack.stop();
  }
}
