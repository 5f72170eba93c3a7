// Data for the web tests, made through the real paths: a signed push webhook makes the pipeline
// and its (analysis) job; a runner's claim/finish (the store calls the runner makes) and a
// job-updated message let the results consumer add the build jobs; logs go in as the runner
// writes them (timestamped lines, chunks ≤ 64 KiB, seq from 0).
import { createHash } from 'node:crypto';
import { pipelineId, type Job, type JobStatus, type PlannedJob } from '../../../lib/contract/index.ts';
import { jobIdFor, logIdFor } from '../../../app/store/index.ts';
import type { ControlPlane } from '../../../local/start-control-plane.ts';
import { until } from '../../support/control-plane.ts';
import type { Harness } from '../../support/github-harness.ts';
import { makePullRequestPayload, makePushPayload } from '../../support/webhooks.ts';

export const NEVER_STALE = new Date(0).toISOString();

let counter = 0;
/** A fresh commit hash per call, unlike any other in its first characters too. */
export function newSha(): string {
  return createHash('sha1').update(`${process.pid}:${++counter}:${Math.random()}`).digest('hex');
}

/** "2026-11-21 10:03.07: text" as the runner writes it. */
export function logLine(text: string, at = new Date()): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}.${iso.slice(17, 19)}: ${text}\n`;
}

export function plannedBuild(name: string, opts: Partial<PlannedJob> = {}): PlannedJob {
  return {
    name,
    kind: name.startsWith('(lint') ? 'lint' : 'build',
    pool: 'linux-x86_64',
    priority: 'urgent',
    experimental: false,
    spec: {
      from: 'ocaml/opam:debian-12-ocaml-5.3@sha256:' + 'ab'.repeat(32),
      steps: [
        { op: 'user', uid: 1000, gid: 1000 },
        { op: 'workdir', path: '/src' },
        { op: 'copy', src: ['.'], dst: '/src', exclude: [] },
        { op: 'run', shell: 'opam install . --deps-only', network: true, cache: [{ id: 'opam-archives', target: '/home/opam/.opam/download-cache' }] },
        { op: 'run', shell: 'opam exec -- dune build @install @runtest', network: false, cache: [] },
      ],
    },
    ...opts,
  };
}

export interface JobPlan {
  name: string;
  /** Final state; 'running' leaves it claimed, 'queued' leaves it alone. */
  status: JobStatus;
  reason?: string;
  experimental?: boolean;
  log?: string[];
}

export interface SeedOptions {
  repo: string;
  installationId: number;
  sha?: string;
  ref?: string;
  private?: boolean;
  jobs?: JobPlan[];
  dropped?: { variant: string; reason: string }[];
  /** Fail the analysis with this reason instead of planning jobs. */
  analysisError?: string;
  analysisLog?: string[];
  pull?: number;
}

/** Writes lines as chunks of at most `perChunk` lines; returns the next seq. */
export async function appendLog(cp: ControlPlane, job: Pick<Job, 'id' | 'generation' | 'attempt'>, lines: string[], fromSeq = 0, perChunk = 50): Promise<number> {
  let seq = fromSeq;
  for (let i = 0; i < lines.length; i += perChunk) {
    await cp.svc.store.logs.append(logIdFor(job.id, job.generation, job.attempt), seq++, lines.slice(i, i + perChunk).join(''));
  }
  return seq;
}

/** Claims a queued job as a runner would, writes its log, and finishes it (unless `running`). */
export async function runJob(cp: ControlPlane, jobId: string, plan: Omit<JobPlan, 'name'>, output?: unknown): Promise<Job> {
  const store = cp.svc.store.jobs;
  const queued = await store.get(jobId);
  if (!queued) throw new Error(`no job ${jobId}`);
  if (plan.status === 'queued') return queued;
  const claimed = await store.claim(jobId, { runnerId: 'test-runner', generation: queued.generation, staleBefore: NEVER_STALE });
  if (!claimed) throw new Error(`could not claim ${jobId} (${queued.status})`);
  await appendLog(cp, claimed, plan.log ?? [logLine(`building ${claimed.name}`)]);
  if (plan.status === 'running') return claimed;
  const done = await store.finish(jobId, 'test-runner', {
    status: plan.status as Exclude<JobStatus, 'queued' | 'running'>,
    ...(plan.reason ? { reason: plan.reason } : {}),
    ...(output !== undefined ? { output } : {}),
  });
  if (!done) throw new Error(`could not finish ${jobId}`);
  await cp.svc.queues.sendResult({ type: 'job-updated', jobId, status: done.status });
  return done;
}

/** A commit pushed to GitHub, analysed, and its jobs run to the planned states. */
export async function seedCommit(h: Harness, o: SeedOptions): Promise<{ sha: string; pipelineId: string; jobs: Map<string, Job> }> {
  const sha = o.sha ?? newSha();
  const r = o.pull
    ? await h.deliver('pull_request', makePullRequestPayload({ number: o.pull, headSha: sha, headRef: `feature-${o.pull}`, baseRepo: o.repo, installationId: o.installationId }))
    : await h.deliver('push', makePushPayload({ repo: o.repo, sha, ref: o.ref ?? 'refs/heads/main', installationId: o.installationId, ...(o.private ? { private: true } : {}) }));
  if (r.status >= 300) throw new Error(`push refused: ${JSON.stringify(r.json)}`);
  const pid = pipelineId(o.repo, sha);
  const analysisId = jobIdFor(pid, '(analysis)');
  await until(async () => (await h.cp.svc.store.jobs.get(analysisId)) !== undefined, { what: `analysis job of ${sha}` });
  const plans = o.jobs ?? [];
  if (o.analysisError) {
    await runJob(h.cp, analysisId, { status: 'failed', reason: o.analysisError, log: o.analysisLog ?? [logLine('analysing'), logLine(o.analysisError)] });
    await until(async () => Boolean((await h.cp.svc.store.pipelines.get(pid))?.error), { what: 'pipeline error' });
  } else {
    const output = { jobs: plans.map((p) => plannedBuild(p.name, { experimental: p.experimental ?? false })), dropped: o.dropped ?? [], info: { roots: ['alpha'], pinned: [], monorepo: false } };
    await runJob(h.cp, analysisId, { status: 'passed', log: o.analysisLog ?? [logLine('analysing'), logLine(`planned ${plans.length} jobs`)] }, output);
    await until(async () => (await h.cp.svc.store.jobs.listByPipeline(pid)).length === plans.length + 1, { what: `${plans.length} build jobs` });
  }
  for (const p of plans) await runJob(h.cp, jobIdFor(pid, p.name), p);
  const jobs = new Map((await h.cp.svc.store.jobs.listByPipeline(pid)).map((j) => [j.name, j]));
  return { sha, pipelineId: pid, jobs };
}

/** Waits until the results consumer has brought the pipeline's status up to date. */
export async function settled(cp: ControlPlane, pid: string, status: string): Promise<void> {
  await until(async () => (await cp.svc.store.pipelines.get(pid))?.status === status, { what: `pipeline ${pid} ${status}`, timeoutMs: 15_000 });
}

export async function text(res: Response): Promise<string> {
  return res.text();
}

/** Cookies a response sets, as "name=value" pairs (values of deleted cookies are empty). */
export function setCookies(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';') as [string];
    const i = pair.indexOf('=');
    out.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return out;
}

/** The sign-in flow end to end: /login → GitHub (the fake approves as `login`) → /login/callback. */
export async function signIn(h: Harness, login: string, returnTo = '/'): Promise<{ cookie: string; csrf: string; location: string }> {
  // Sign-in happens on the public URL: that is where GitHub sends the browser back to.
  const site = h.cp.config.publicUrl;
  const start = await fetch(`${site}/login?return_to=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
  if (start.status !== 302) throw new Error(`/login answered ${start.status}: ${await start.text()}`);
  const stateCookie = setCookies(start).get('cid_oauth');
  const authorize = new URL(start.headers.get('location') ?? '');
  authorize.searchParams.set('login', login);
  const approved = await fetch(authorize, { redirect: 'manual' });
  if (approved.status !== 302) throw new Error(`authorize answered ${approved.status}: ${await approved.text()}`);
  const back = new URL(approved.headers.get('location') ?? '');
  const cb = await fetch(`${site}/login/callback${back.search}`, { redirect: 'manual', headers: { cookie: `cid_oauth=${stateCookie}` } });
  if (cb.status !== 303) throw new Error(`callback answered ${cb.status}: ${await cb.text()}`);
  const session = setCookies(cb).get('cid_session');
  if (!session) throw new Error('no session cookie');
  const cookie = `cid_session=${session}`;
  const home = await (await fetch(`${h.cp.url}/`, { headers: { cookie } })).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(home)?.[1];
  if (!csrf) throw new Error('no CSRF token on the page');
  return { cookie, csrf, location: cb.headers.get('location') ?? '' };
}
