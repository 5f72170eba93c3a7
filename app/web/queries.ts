// What the pages and the JSON API show, read from the store with the viewer's access applied.
import type { Job, Pipeline, Repository } from '../../lib/contract/index.ts';
import { pipelineId, ShaSchema } from '../../lib/contract/index.ts';
import { BadRequestError, NotFoundError } from '../../lib/errors/index.ts';
import { jobIdFor, logIdFor, type RefHead } from '../store/index.ts';
import type { Services } from '../services.ts';
import type { AccessChecker, Viewer } from './access.ts';
import type { AccessLevel } from './github-user.ts';

export interface WebDeps {
  svc: Services;
  access: AccessChecker;
}

export interface Reader extends WebDeps {
  viewer: Viewer;
}

/** Runs `f` over items, at most `n` at a time (GitHub permission checks, pipeline reads). */
async function mapLimit<T, R>(items: readonly T[], n: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

async function allRepositories(svc: Services): Promise<Repository[]> {
  const all: Repository[] = [];
  let cursor: string | undefined;
  do {
    const page = await svc.store.repositories.list({ limit: 100, ...(cursor ? { cursor } : {}) });
    all.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return all;
}

async function visible(r: Reader, repos: Repository[]): Promise<Repository[]> {
  const levels = await mapLimit(repos, 8, async (repo) => (repo.private ? r.access.level(r.viewer, repo) : ('read' as AccessLevel)));
  return repos.filter((_, i) => levels[i] !== 'none').sort((a, b) => a.name.localeCompare(b.name));
}

export interface OwnerSummary {
  owner: string;
  repos: number;
}

export async function listOwners(r: Reader): Promise<OwnerSummary[]> {
  const repos = await visible(r, await allRepositories(r.svc));
  const counts = new Map<string, number>();
  for (const repo of repos) {
    const owner = repo.name.split('/')[0] as string;
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  return [...counts].map(([owner, n]) => ({ owner, repos: n })).sort((a, b) => a.owner.localeCompare(b.owner));
}

export async function listRepos(r: Reader, owner: string): Promise<Repository[]> {
  const all = await allRepositories(r.svc);
  const mine = all.filter((repo) => repo.name.split('/')[0]?.toLowerCase() === owner.toLowerCase());
  const shown = await visible(r, mine);
  if (shown.length === 0) throw new NotFoundError(`no repositories of ${owner} here`);
  return shown;
}

/** The repository, if the viewer may read it (private ones the viewer cannot read are "not found"). */
export async function readRepo(r: Reader, name: string): Promise<{ repo: Repository; level: AccessLevel }> {
  const repo = await r.svc.store.repositories.get(name);
  if (!repo) throw new NotFoundError(`repository ${name} not found`);
  const level = await r.access.requireRead(r.viewer, repo);
  return { repo, level };
}

export interface RefSummary extends RefHead {
  kind: 'branch' | 'pull' | 'other';
  pipeline?: Pipeline;
}

const refKind = (ref: string): RefSummary['kind'] => (ref.startsWith('refs/heads/') ? 'branch' : /^pull\/\d+$/.test(ref) ? 'pull' : 'other');

/** Branches and PRs with the pipeline of the commit each points at: default branch first, PRs newest first. */
export async function repoRefs(svc: Services, repo: Repository): Promise<RefSummary[]> {
  const heads = await svc.store.refs.list(repo.name);
  const pipelines = new Map<string, Promise<Pipeline | undefined>>();
  const pipelineOf = (sha: string) => {
    let p = pipelines.get(sha);
    if (!p) pipelines.set(sha, (p = svc.store.pipelines.get(pipelineId(repo.name, sha))));
    return p;
  };
  const out = await mapLimit(heads, 16, async (h) => {
    const pipeline = await pipelineOf(h.sha);
    return { ...h, kind: refKind(h.ref), ...(pipeline ? { pipeline } : {}) } satisfies RefSummary;
  });
  const main = `refs/heads/${repo.defaultBranch}`;
  const rank = (s: RefSummary) => (s.ref === main ? 0 : s.kind === 'branch' ? 1 : s.kind === 'pull' ? 2 : 3);
  const prNumber = (s: RefSummary) => Number(s.ref.slice(5));
  return out.sort((a, b) => rank(a) - rank(b) || (a.kind === 'pull' && b.kind === 'pull' ? prNumber(b) - prNumber(a) : a.ref.localeCompare(b.ref)));
}

const KIND_ORDER: Record<Job['kind'], number> = { analysis: 0, build: 1, 'opam-repo': 1, lint: 2 };

/** Jobs in reading order: the analysis, then builds, then lints, each by name. */
export function sortJobs(jobs: Job[]): Job[] {
  return [...jobs].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.name.localeCompare(b.name));
}

export async function readCommit(svc: Services, repo: Pick<Repository, 'name'>, sha: string): Promise<{ pipeline: Pipeline; jobs: Job[] }> {
  const id = pipelineId(repo.name, sha);
  // Both reads at once: the job list does not need the pipeline record to be read first.
  const [pipeline, jobs] = await Promise.all([svc.store.pipelines.get(id), svc.store.jobs.listByPipeline(id)]);
  if (!pipeline) throw new NotFoundError(`no pipeline for commit ${sha} of ${repo.name}`);
  return { pipeline, jobs: sortJobs(jobs) };
}

export async function readJob(svc: Services, repo: Repository, sha: string, name: string): Promise<Job> {
  const job = await svc.store.jobs.get(jobIdFor(pipelineId(repo.name, sha), name));
  if (!job) throw new NotFoundError(`no job ${name} for commit ${sha} of ${repo.name}`);
  return job;
}

/** "main", "refs/heads/main", "heads/main" → "refs/heads/main"; "pull/12", "refs/pull/12/head" → "pull/12". */
export function normaliseRef(ref: string): string {
  const pr = /^(?:refs\/)?pull\/(\d+)(?:\/(?:head|merge))?$/.exec(ref);
  if (pr) return `pull/${pr[1]}`;
  if (ref.startsWith('refs/')) return ref;
  if (ref.startsWith('heads/')) return `refs/${ref}`;
  return `refs/heads/${ref}`;
}

export interface ResolvedRef {
  sha: string;
  /** The ref it was resolved through; absent for a commit given by its hash. */
  ref?: string;
}

const HEX = /^[0-9a-f]{6,40}$/;

/**
 * A ref or commit as people type it: a branch name, refs/heads/…, pull/N, or a commit hash of
 * at least 6 characters. A branch wins over a hash prefix with the same spelling.
 */
export async function resolveRef(svc: Services, repo: Repository, input: string): Promise<ResolvedRef> {
  const text = input.trim();
  if (text === '') throw new BadRequestError('empty ref');
  if (ShaSchema.safeParse(text).success) return { sha: text };
  const ref = normaliseRef(text);
  const head = await svc.store.refs.get(repo.name, ref);
  if (head) return { sha: head.sha, ref };
  const lower = text.toLowerCase();
  if (HEX.test(lower)) {
    const found = await svc.store.pipelines.findByShaPrefix(repo.name, lower, 2);
    if (found.length > 1) throw new BadRequestError(`${text} is ambiguous: it starts ${found.map((p) => p.sha.slice(0, 12)).join(', ')}…`);
    if (found[0]) return { sha: found[0].sha };
  } else if (/^[0-9a-fA-F]{1,5}$/.test(text)) {
    throw new BadRequestError(`${text}: a commit hash needs at least 6 characters`);
  }
  throw new NotFoundError(`no branch, pull request or commit ${text} in ${repo.name}`);
}

export interface RunRef {
  generation: number;
  attempt: number;
  logId: string;
}

async function logExists(svc: Services, logId: string): Promise<boolean> {
  for await (const _ of svc.store.logs.read(logId, 0, 1)) return true;
  return false;
}

/**
 * The job's runs that left a log, newest first. Log ids are (generation, attempt), and attempts
 * only grow, so walking attempts down while generations never rise finds them in a few reads.
 */
export async function listRuns(svc: Services, job: Job, max = 10): Promise<RunRef[]> {
  const runs: RunRef[] = [];
  let g = job.generation;
  let probes = 0;
  for (let a = job.attempt; a >= 1 && runs.length < max && probes < 3 * max; a--) {
    for (let gg = g; gg >= 1 && probes < 3 * max; gg--) {
      probes++;
      const logId = logIdFor(job.id, gg, a);
      if (await logExists(svc, logId)) {
        runs.push({ generation: gg, attempt: a, logId });
        g = gg;
        break;
      }
    }
  }
  return runs;
}

/** The run a job page shows by default: the current one once a runner has claimed it. */
export function currentRun(job: Job): RunRef | undefined {
  // A rebuild or a released job drops startedAt: its next run has not begun.
  if (job.attempt < 1 || !job.startedAt) return undefined;
  return { generation: job.generation, attempt: job.attempt, logId: logIdFor(job.id, job.generation, job.attempt) };
}

export async function history(svc: Services, repo: Repository, ref: string, cursor?: string): Promise<{ items: Pipeline[]; cursor?: string }> {
  return svc.store.pipelines.listByRef(repo.name, ref, { limit: 30, ...(cursor ? { cursor } : {}) });
}
