// The JSON API under /api/github, mirroring the pages, plus POST actions for the CLI. Reads
// follow the pages' rules (public repositories need nothing); actions need a bearer token: the
// operator's CID_ADMIN_TOKEN, or a GitHub token of a user with write access.
import { Hono, type Context } from 'hono';
import { errorResponse, UnauthorizedError } from '../../lib/errors/index.ts';
import type { Viewer } from './access.ts';
import { commitAction, jobAction, COMMIT_ACTIONS, JOB_ACTIONS } from './actions.ts';
import { jobJson, pipelineJson, refJson, repoJson, runJson } from './api-json.ts';
import { loadJob, ndjsonLogParts, runKey } from './job-log.ts';
import { ApiLogQuery, BranchSchema, CommitParamSchema, HistoryQuery, JobPageQuery, OwnerSchema, PullSchema, RefParamSchema, repoName, VariantSchema } from './params.ts';
import { history, listOwners, listRepos, readCommit, readRepo, repoRefs, resolveRef, type Reader } from './queries.ts';
import { reproduceScript } from './reproduce.ts';
import { bearer } from '../http/bearer-auth.ts';
import { safeEqual } from './session.ts';
import { textStream } from './stream.ts';
import { sessionOf, viewerOfSession, type Web } from './web-context.ts';

const SEND_TOKEN = 'send "Authorization: Bearer <token>" (CID_ADMIN_TOKEN or a GitHub token with write access)';

/** Who a bearer token belongs to: the operator (CID_ADMIN_TOKEN) or a GitHub user. */
async function tokenViewer(web: Web, token: string): Promise<Viewer> {
  const admin = web.svc.config.adminToken;
  if (admin && safeEqual(token, admin)) return { kind: 'admin' };
  return web.access.userOfToken(token);
}

type ApiEnv = { Variables: { viewer?: Viewer } };

export function apiRoutes(web: Web): Hono<ApiEnv> {
  const { svc } = web;
  const r = new Hono<ApiEnv>();
  r.onError((err, c) => {
    const { status, body } = errorResponse(err);
    if (status >= 500) svc.log.error({ err, path: c.req.path }, 'API request failed');
    return c.json(body, status as 400);
  });

  // A request that sends a token is judged by it alone (an unknown GitHub token is a 401).
  const byToken = bearer({
    verify: async (token, c) => {
      c.set('viewer', await tokenViewer(web, token));
      return true;
    },
    missing: SEND_TOKEN,
    refused: SEND_TOKEN,
  });
  r.use('*', async (c, next) => (c.req.header('authorization') === undefined ? next() : byToken(c, next)));
  const reader = async (c: Context<ApiEnv>): Promise<Reader> => ({ ...web, viewer: c.get('viewer') ?? viewerOfSession(sessionOf(web, c)) });
  /** Actions never ride on cookies, so a cross-site form cannot trigger them. */
  const actor = (c: Context<ApiEnv>): Viewer => {
    const viewer = c.get('viewer');
    if (!viewer) throw new UnauthorizedError(SEND_TOKEN);
    return viewer;
  };
  const commitOf = async (c: Context<ApiEnv>, rd: Reader) => {
    const { repo } = await readRepo(rd, repoName(c));
    const sha = CommitParamSchema.parse(c.req.param('sha'));
    return { repo, sha: sha.length === 40 ? sha : (await resolveRef(svc, repo, sha)).sha };
  };

  r.get('/', async (c) => c.json({ owners: await listOwners(await reader(c)) }));

  r.get('/:owner', async (c) => {
    const owner = OwnerSchema.parse(c.req.param('owner'));
    return c.json({ owner, repos: (await listRepos(await reader(c), owner)).map(repoJson) });
  });

  r.get('/:owner/:repo', async (c) => {
    const { repo } = await readRepo(await reader(c), repoName(c));
    return c.json({ repo: repoJson(repo), refs: (await repoRefs(svc, repo)).map(refJson) });
  });

  r.get('/:owner/:repo/ref/:ref{.+}', async (c) => {
    const { repo } = await readRepo(await reader(c), repoName(c));
    const input = RefParamSchema.parse(c.req.param('ref'));
    const resolved = await resolveRef(svc, repo, input);
    const pipeline = await svc.store.pipelines.get(`${repo.name}@${resolved.sha}`);
    return c.json({ repo: repo.name, input, ref: resolved.ref ?? null, sha: resolved.sha, pipeline: pipeline ? pipelineJson(pipeline) : null });
  });

  r.get('/:owner/:repo/commit/:sha', async (c) => {
    const { repo, sha } = await commitOf(c, await reader(c));
    const { pipeline, jobs } = await readCommit(svc, repo, sha);
    return c.json({ pipeline: pipelineJson(pipeline), jobs: jobs.map(jobJson) });
  });

  r.get('/:owner/:repo/commit/:sha/variant/:name', async (c) => {
    const rd = await reader(c);
    const { sha } = await commitOf(c, rd);
    const q = JobPageQuery.parse(c.req.query());
    const loaded = await loadJob(web, rd.viewer, repoName(c), sha, VariantSchema.parse(c.req.param('name')), q.run);
    const reproduce = reproduceScript(loaded.job);
    return c.json({
      job: jobJson(loaded.job),
      run: loaded.run ? runJson(loaded.run) : null,
      runs: loaded.runs.map(runJson),
      ...(reproduce ? { reproduce } : {}),
    });
  });

  r.get('/:owner/:repo/commit/:sha/variant/:name/log', async (c) => {
    const rd = await reader(c);
    const { sha } = await commitOf(c, rd);
    const q = ApiLogQuery.parse(c.req.query());
    const loaded = await loadJob(web, rd.viewer, repoName(c), sha, VariantSchema.parse(c.req.param('name')), q.run);
    return new Response(textStream(ndjsonLogParts(svc, loaded, q.from)), {
      headers: { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store', 'x-cid-run': runKey(loaded.run) },
    });
  });

  const historyJson = async (c: Context<ApiEnv>, ref: string) => {
    const { repo } = await readRepo(await reader(c), repoName(c));
    const page = await history(svc, repo, ref, HistoryQuery.parse(c.req.query()).after);
    return c.json({ repo: repo.name, ref, pipelines: page.items.map(pipelineJson), ...(page.cursor ? { next: page.cursor } : {}) });
  };
  r.get('/:owner/:repo/history/branch/:branch{.+}', (c) => historyJson(c, `refs/heads/${BranchSchema.parse(c.req.param('branch'))}`));
  r.get('/:owner/:repo/history/pull/:n', (c) => historyJson(c, `pull/${PullSchema.parse(c.req.param('n'))}`));

  for (const action of COMMIT_ACTIONS) {
    r.post(`/:owner/:repo/commit/:sha/${action}`, async (c) => {
      const viewer = actor(c);
      const { repo, sha } = await commitOf(c, { ...web, viewer });
      const count = await commitAction(web, viewer, repo.name, sha, action);
      return c.json({ action, repo: repo.name, sha, jobs: count });
    });
  }
  for (const action of JOB_ACTIONS) {
    r.post(`/:owner/:repo/commit/:sha/variant/:name/${action}`, async (c) => {
      const viewer = actor(c);
      const { repo, sha } = await commitOf(c, { ...web, viewer });
      const variant = VariantSchema.parse(c.req.param('name'));
      const changed = await jobAction(web, viewer, repo.name, sha, variant, action);
      return c.json({ action, repo: repo.name, sha, job: variant, changed });
    });
  }
  return r;
}
