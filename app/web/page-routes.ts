// The HTML pages under /github: owner, repository, commit, job (with its streamed log), history;
// and the POST forms that rebuild and cancel.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { errorResponse, PayloadTooLargeError, UnauthorizedError, ForbiddenError } from '../../lib/errors/index.ts';
import { commitAction, jobAction, COMMIT_ACTIONS, JOB_ACTIONS, type CommitAction, type JobAction } from './actions.ts';
import { htmlLogParts, liveUpdate, loadJob, rawLogParts } from './job-log.ts';
import {
  BranchSchema,
  CommitParamSchema,
  CsrfForm,
  HistoryQuery,
  JobPageQuery,
  LiveQuery,
  OwnerSchema,
  PullSchema,
  RawQuery,
  repoName,
  VariantSchema,
} from './params.ts';
import { commitPath, jobPath } from './paths.ts';
import { history, listRepos, readCommit, readRepo, repoRefs, resolveRef } from './queries.ts';
import { reproduceScript } from './reproduce.ts';
import { safeEqual } from './session.ts';
import { textStream } from './stream.ts';
import { commitPage, errorPage, historyPage, jobPageHead, jobPageTail, ownerPage, repoPage } from './views/index.ts';
import { htmlHeaders, sessionOf, viewContext, viewerOfSession, type Web } from './web-context.ts';

const COMMIT = '/:owner/:repo/commit/:sha';
const JOB = `${COMMIT}/variant/:name`;

function pageOf(web: Web, c: Context) {
  const session = sessionOf(web, c);
  return { session, viewer: viewerOfSession(session), ctx: viewContext(web, c, session) };
}

const htmlResponse = (body: string | ReadableStream<Uint8Array>, status = 200, extra: Record<string, string> = {}): Response =>
  new Response(body, { status, headers: htmlHeaders(extra) });

/** A hash prefix in a page URL becomes a redirect to the full hash, so links are stable. */
async function fullSha(c: Context, viewerRepo: () => Promise<{ sha: string }>): Promise<string | Response> {
  const sha = CommitParamSchema.parse(c.req.param('sha'));
  if (sha.length === 40) return sha;
  const resolved = await viewerRepo();
  const u = new URL(c.req.url);
  return c.redirect(u.pathname.replace(`/commit/${c.req.param('sha')}`, `/commit/${resolved.sha}`) + u.search, 302);
}

/** Refuses a form post without a session, with a wrong CSRF token, or from another origin. */
async function checkForm(web: Web, c: Context) {
  const session = sessionOf(web, c);
  if (!session) throw new UnauthorizedError('sign in to rebuild or cancel jobs');
  const origin = c.req.header('origin');
  // An Origin that is not a URL ("null", "::::") is not this site either: refused, never a 500.
  const sameSite = (o: string) => {
    const h = URL.canParse(o) ? new URL(o).host : undefined;
    return h !== undefined && h !== '' && (h === c.req.header('host') || h === new URL(web.svc.config.publicUrl).host);
  };
  if (origin && !sameSite(origin)) throw new ForbiddenError('cross-site form post refused: the Origin header is not this site');
  const form = CsrfForm.safeParse(await c.req.parseBody());
  if (!form.success || !safeEqual(form.data._csrf, session.csrf)) throw new ForbiddenError('the form has expired or did not come from this site (CSRF check failed): reload the page and try again');
  return session;
}

export function pageRoutes(web: Web): Hono {
  const { svc } = web;
  const r = new Hono();

  r.onError((err, c) => {
    const { status, body } = errorResponse(err);
    if (status >= 500) svc.log.error({ err, path: c.req.path }, 'page failed');
    if (c.req.path.endsWith('/live')) return c.json(body, status as 400);
    const { ctx } = pageOf(web, c);
    return htmlResponse(errorPage(ctx, status, body.error.message), status);
  });

  r.get('/', (c) => c.redirect('/', 302));

  r.get('/:owner', async (c) => {
    const { viewer, ctx } = pageOf(web, c);
    const owner = OwnerSchema.parse(c.req.param('owner'));
    return htmlResponse(ownerPage(ctx, owner, await listRepos({ ...web, viewer }, owner)));
  });

  r.get('/:owner/:repo', async (c) => {
    const { viewer, ctx } = pageOf(web, c);
    const { repo } = await readRepo({ ...web, viewer }, repoName(c));
    return htmlResponse(repoPage(ctx, repo, await repoRefs(svc, repo)));
  });

  r.get(COMMIT, async (c) => {
    const { viewer, ctx } = pageOf(web, c);
    const name = repoName(c);
    const param = CommitParamSchema.parse(c.req.param('sha'));
    // A full hash: read the commit while the repository and the viewer's access are checked.
    const early = param.length === 40 ? readCommit(svc, { name }, param) : undefined;
    early?.catch(() => undefined);
    const { repo, level } = await readRepo({ ...web, viewer }, name);
    const sha = await fullSha(c, () => resolveRef(svc, repo, c.req.param('sha')));
    if (sha instanceof Response) return sha;
    const { pipeline, jobs } = await (early ?? readCommit(svc, repo, sha));
    return htmlResponse(commitPage(ctx, { repo, pipeline, jobs, canWrite: level === 'write' && viewer.kind !== 'anonymous' }));
  });

  const rawLog = async (c: Context, run: { generation: number; attempt: number } | undefined, ansi: boolean) => {
    const { viewer } = pageOf(web, c);
    const name = repoName(c);
    const sha = CommitParamSchema.parse(c.req.param('sha'));
    const loaded = await loadJob(web, viewer, name, sha, VariantSchema.parse(c.req.param('name')), run);
    const target = loaded.run ?? loaded.runs[0];
    const body = target ? textStream(rawLogParts(svc, target.logId, ansi)) : '';
    return new Response(body, {
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': loaded.live ? 'no-store' : 'private, max-age=60' },
    });
  };

  r.get(JOB, async (c) => {
    const q = JobPageQuery.parse(c.req.query());
    if (q.raw === '1' || q.raw === 'true') return rawLog(c, q.run, false);
    const { viewer, ctx } = pageOf(web, c);
    const name = repoName(c);
    const sha = await fullSha(c, async () => resolveRef(svc, (await readRepo({ ...web, viewer }, name)).repo, c.req.param('sha')));
    if (sha instanceof Response) return sha;
    const loaded = await loadJob(web, viewer, name, sha, VariantSchema.parse(c.req.param('name')), q.run);
    const { repo, level, job, runs, run, live } = loaded;
    const reproduce = reproduceScript(job);
    const view = { repo, job, runs, ...(run ? { run } : {}), live, canWrite: level === 'write' && viewer.kind !== 'anonymous', ...(reproduce ? { reproduce } : {}) };
    const parts = htmlLogParts(svc, run, live, (cursor, empty) => jobPageTail(view, cursor, empty));
    const head = jobPageHead(ctx, view);
    async function* all() {
      yield head;
      yield* parts;
    }
    return htmlResponse(textStream(all(), { onError: (err) => svc.log.error({ err, path: c.req.path }, 'log stream failed') }));
  });

  r.get(`${JOB}/raw`, async (c) => {
    const q = RawQuery.parse(c.req.query());
    return rawLog(c, q.run, q.ansi === '1' || q.ansi === 'true');
  });

  r.get(`${JOB}/live`, async (c) => {
    const { viewer } = pageOf(web, c);
    const q = LiveQuery.parse(c.req.query());
    const loaded = await loadJob(web, viewer, repoName(c), CommitParamSchema.parse(c.req.param('sha')), VariantSchema.parse(c.req.param('name')));
    c.header('cache-control', 'no-store');
    return c.json(await liveUpdate(svc, loaded, q));
  });

  const historyRoute = async (c: Context, ref: string) => {
    const { viewer, ctx } = pageOf(web, c);
    const { repo } = await readRepo({ ...web, viewer }, repoName(c));
    const q = HistoryQuery.parse(c.req.query());
    const page = await history(svc, repo, ref, q.after);
    return htmlResponse(historyPage(ctx, repo, ref, page.items, page.cursor));
  };
  r.get('/:owner/:repo/history/branch/:branch{.+}', (c) => historyRoute(c, `refs/heads/${BranchSchema.parse(c.req.param('branch'))}`));
  r.get('/:owner/:repo/history/pull/:n', (c) => historyRoute(c, `pull/${PullSchema.parse(c.req.param('n'))}`));

  const formLimit = bodyLimit({
    maxSize: 8 * 1024,
    onError: () => {
      throw new PayloadTooLargeError('form over 8 KiB');
    },
  });

  for (const action of COMMIT_ACTIONS) {
    r.post(`${COMMIT}/${action}`, formLimit, async (c) => {
      const session = await checkForm(web, c);
      const name = repoName(c);
      const sha = CommitParamSchema.parse(c.req.param('sha'));
      await commitAction(web, viewerOfSession(session), name, sha, action satisfies CommitAction);
      return c.redirect(commitPath(name, sha), 303);
    });
  }
  for (const action of JOB_ACTIONS) {
    r.post(`${JOB}/${action}`, formLimit, async (c) => {
      const session = await checkForm(web, c);
      const name = repoName(c);
      const sha = CommitParamSchema.parse(c.req.param('sha'));
      const variant = VariantSchema.parse(c.req.param('name'));
      await jobAction(web, viewerOfSession(session), name, sha, variant, action satisfies JobAction);
      return c.redirect(jobPath(name, sha, variant), 303);
    });
  }
  return r;
}
