// A branch's status for shields.io's endpoint badge:
// https://img.shields.io/endpoint?url=<cid>/badge/github/<owner>/<repo>/<branch>
import { Hono } from 'hono';
import { pipelineId, type PipelineStatus } from '../../lib/contract/index.ts';
import { errorResponse, NotFoundError } from '../../lib/errors/index.ts';
import { BranchSchema, repoName } from './params.ts';
import type { Web } from './web-context.ts';

type Message = 'passing' | 'failing' | 'running' | 'unknown';

const BADGES: Record<PipelineStatus, { message: Message; color: string }> = {
  passed: { message: 'passing', color: 'brightgreen' },
  failed: { message: 'failing', color: 'red' },
  errored: { message: 'failing', color: 'red' },
  running: { message: 'running', color: 'yellow' },
  pending: { message: 'running', color: 'yellow' },
  cancelled: { message: 'unknown', color: 'lightgrey' },
};

export function badgeRoutes(web: Web): Hono {
  const r = new Hono();
  r.onError((err, c) => {
    const { status, body } = errorResponse(err);
    return c.json(body, status as 400);
  });
  r.get('/github/:owner/:repo/:branch{.+}', async (c) => {
    const name = repoName(c);
    const branch = BranchSchema.parse(c.req.param('branch'));
    const repo = await web.svc.store.repositories.get(name);
    // A badge is fetched by shields.io, without the viewer's cookies: private repositories have none.
    if (!repo || repo.private) throw new NotFoundError(`repository ${name} not found`);
    const head = await web.svc.store.refs.get(repo.name, `refs/heads/${branch}`);
    const pipeline = head ? await web.svc.store.pipelines.get(pipelineId(repo.name, head.sha)) : undefined;
    const badge = pipeline ? BADGES[pipeline.status] : { message: 'unknown' as const, color: 'lightgrey' };
    c.header('cache-control', 'public, max-age=60');
    return c.json({ schemaVersion: 1, label: 'cid', message: badge.message, color: badge.color });
  });
  return r;
}
