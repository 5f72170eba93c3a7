// The default command: cid <owner/repo> [ref|sha] [variant] [status|log|rebuild|cancel].
import type { Command } from 'commander';
import { z } from 'zod';
import { ActionAnswer, CommitAnswer, JobAnswer, LogEvent, RefAnswer, RepoAnswer } from './api-schemas.ts';
import { ApiClient, repoSegment, segment } from './api-client.ts';
import type { CliContext } from './cli-context.ts';
import { EXIT, exitFor } from './exit-codes.ts';
import { leftOutLines } from './left-out.ts';
import { duration, paintStatus, table } from './output.ts';
import { BadRequestError } from '../lib/errors/index.ts';
import { stripAnsi } from '../app/web/ansi.ts';
import { parseTarget, type Target } from './target.ts';

export interface GlobalOptions {
  api?: string;
  token?: string;
  json?: boolean;
  wait?: boolean;
  failed?: boolean;
  follow?: boolean;
  interval?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  ctx: CliContext;
  api: ApiClient;
  opts: GlobalOptions;
  target: Target;
  intervalMs: number;
}

/** The commit a ref or hash names now. */
async function commitOf(r: Run): Promise<string> {
  const ref = r.target.ref as string;
  const a = await r.api.get(`${repoSegment(r.target.repo)}/ref/${ref.split('/').map(segment).join('/')}`, RefAnswer);
  return a.sha;
}

const commitPath = (r: Run, sha: string) => `${repoSegment(r.target.repo)}/commit/${sha}`;
const jobPath = (r: Run, sha: string) => `${commitPath(r, sha)}/variant/${segment(r.target.variant as string)}`;

async function repoStatus(r: Run): Promise<number> {
  const a = await r.api.get(repoSegment(r.target.repo), RepoAnswer);
  if (r.opts.json) r.ctx.io.out(JSON.stringify(a, null, 2));
  else if (a.refs.length === 0) r.ctx.io.out(`${a.repo.name}: nothing built yet`);
  else r.ctx.io.out(table(a.refs.map((x) => [x.ref.replace(/^refs\/heads\//, ''), x.sha.slice(0, 12), paintStatus(r.ctx.io, x.status ?? 'unknown')])));
  return EXIT.passed;
}

function printCommit(r: Run, a: CommitAnswer): void {
  const io = r.ctx.io;
  io.out(`${r.target.repo} @ ${a.pipeline.sha.slice(0, 12)}: ${paintStatus(io, a.pipeline.status)}${a.pipeline.refs.length ? ` (${a.pipeline.refs.join(', ')})` : ''}`);
  if (a.pipeline.error) io.out(`error: ${a.pipeline.error}`);
  if (a.jobs.length) {
    io.out(
      table(
        a.jobs.map((j) => [
          paintStatus(io, j.status),
          j.name + (j.experimental ? ' (experimental)' : ''),
          duration(j.startedAt, j.finishedAt),
          j.reason && j.status !== 'passed' ? j.reason : '',
        ]),
      ),
    );
  }
  for (const d of a.pipeline.dropped) io.out(`not built: ${d.variant} (${d.reason})`);
  for (const line of leftOutLines(a.jobs)) io.out(line);
}

/** Fetches `get()` until what it reports is settled (only with --wait), then prints it. */
async function showStatus<A>(r: Run, get: () => Promise<A>, status: (a: A) => string, print: (a: A) => void): Promise<number> {
  for (;;) {
    const a = await get();
    const code = exitFor(status(a));
    if (code === EXIT.running && r.opts.wait) {
      await sleep(r.intervalMs);
      continue;
    }
    if (r.opts.json) r.ctx.io.out(JSON.stringify(a, null, 2));
    else print(a);
    return code;
  }
}

async function commitStatus(r: Run): Promise<number> {
  const sha = await commitOf(r);
  return showStatus(r, () => r.api.get(commitPath(r, sha), CommitAnswer), (a) => a.pipeline.status, (a) => printCommit(r, a));
}

async function jobStatus(r: Run): Promise<number> {
  const sha = await commitOf(r);
  return showStatus(
    r,
    () => r.api.get(jobPath(r, sha), JobAnswer),
    (a) => a.job.status,
    ({ job: j }) =>
      r.ctx.io.out(`${j.name}: ${paintStatus(r.ctx.io, j.status)}${j.startedAt ? ` (${duration(j.startedAt, j.finishedAt)})` : ''}${j.reason && j.status !== 'passed' ? ` — ${j.reason}` : ''}`),
  );
}

/** Prints the log, then follows it until the job ends (a rebuild meanwhile starts over). */
async function followLog(r: Run): Promise<number> {
  const sha = await commitOf(r);
  const path = `${jobPath(r, sha)}/log`;
  const io = r.ctx.io;
  const keepColour = io.isTTY && io.env.NO_COLOR === undefined;
  let from = 0;
  let run: string | null | undefined;
  let pending = '';
  for (;;) {
    let status = '';
    let done = false;
    for await (const raw of r.api.lines(`${path}?from=${from}`)) {
      const ev = LogEvent.parse(raw);
      if (r.opts.json) io.out(JSON.stringify(ev));
      if (ev.type === 'run') {
        status = ev.status;
        if (run !== undefined && ev.run !== run) {
          // The job was rebuilt or retried: its new run has a log of its own.
          if (!r.opts.json) io.err(`cid: ${ev.job} started again (run ${ev.run ?? 'pending'}); showing the new log`);
          from = 0;
        }
        run = ev.run;
      } else if (ev.type === 'chunk') {
        if (!r.opts.json) {
          const text = pending + ev.text;
          // Colour codes never span lines: hold back an unfinished line so stripping sees it whole.
          const nl = text.lastIndexOf('\n');
          pending = nl === -1 ? text : text.slice(nl + 1);
          const ready = nl === -1 ? '' : text.slice(0, nl);
          if (nl !== -1) io.out(keepColour ? ready : stripAnsi(ready));
        }
      } else {
        from = ev.next;
        done = ev.done;
      }
    }
    if (done || r.opts.follow === false) {
      if (pending && !r.opts.json) io.out(keepColour ? pending : stripAnsi(pending));
      return done ? exitFor(status) : EXIT.running;
    }
    await sleep(r.intervalMs);
  }
}

async function act(r: Run): Promise<number> {
  const sha = await commitOf(r);
  const action = r.target.action;
  const path = r.target.variant
    ? `${jobPath(r, sha)}/${action}`
    : `${commitPath(r, sha)}/${action === 'rebuild' ? (r.opts.failed ? 'rebuild-failed' : 'rebuild-all') : 'cancel'}`;
  const a = await r.api.post(path, ActionAnswer);
  if (r.opts.json) r.ctx.io.out(JSON.stringify(a, null, 2));
  else if (r.target.variant) {
    const changed = (a as { changed?: boolean }).changed;
    r.ctx.io.out(`${r.target.variant}: ${changed ? (action === 'rebuild' ? 'queued again' : 'cancelling') : `nothing to ${action} (it is ${action === 'rebuild' ? 'not finished' : 'already finished'})`}`);
  } else {
    const n = z.object({ jobs: z.number() }).parse(a).jobs;
    r.ctx.io.out(`${sha.slice(0, 12)}: ${n} job${n === 1 ? '' : 's'} ${action === 'rebuild' ? 'queued again' : 'cancelled'}`);
  }
  return EXIT.passed;
}

export async function runTarget(ctx: CliContext, words: (string | undefined)[], opts: GlobalOptions): Promise<number> {
  const target = parseTarget(words);
  const base = opts.api ?? ctx.io.env.CID_API_URL ?? 'http://localhost:8080';
  const token = opts.token ?? ctx.io.env.CID_TOKEN;
  const interval = Number(opts.interval ?? '2');
  if (!Number.isFinite(interval) || interval <= 0) throw new BadRequestError('--interval: a number of seconds');
  const r: Run = { ctx, api: new ApiClient(base, token || undefined), opts, target, intervalMs: interval * 1000 };
  switch (target.action) {
    case 'log':
      return followLog(r);
    case 'rebuild':
    case 'cancel':
      return act(r);
    case 'status':
      if (!target.ref) return repoStatus(r);
      return target.variant ? jobStatus(r) : commitStatus(r);
  }
}

export function registerRepoCommand(program: Command, ctx: CliContext): void {
  program
    .command('show <owner/repo> [ref] [variant] [action]', { isDefault: true, hidden: true })
    .description('status, log, rebuild or cancel of a repository, commit or job')
    .option('--wait', 'status: wait until the commit or job has finished')
    .option('--failed', 'rebuild: only the failed jobs of the commit')
    .option('--no-follow', 'log: print what there is and stop')
    .option('--interval <seconds>', 'how often to poll while waiting or following', '2')
    .action(async (repo: string, ref: string | undefined, variant: string | undefined, action: string | undefined, _o: unknown, cmd: Command) => {
      ctx.exitCode = await runTarget(ctx, [repo, ref, variant, action], cmd.optsWithGlobals<GlobalOptions>());
    });
}
