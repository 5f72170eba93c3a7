import { timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { RepoNameSchema, repoUrlPath } from '../../lib/contract/index.ts';
import { BadRequestError, NotConfiguredError, UnauthorizedError } from '../../lib/errors/index.ts';
import type { Services } from '../services.ts';

const AddBody = z.strictObject({
  name: RepoNameSchema,
  description: z.string().max(1000).default(''),
  kind: z.literal('git').default('git'),
  url: z.string().max(2000).url().optional(),
  private: z.boolean().default(false),
  defaultBranch: z.string().min(1).max(255).default('main'),
  installationId: z.number().int().positive().optional(),
  /** Slack messages for this repository (default-branch failures and recoveries, opam-repository PRs). */
  slack: z.boolean().optional(),
});

/** Settings an operator may change on a repository in the index. */
const PatchBody = z.strictObject({ slack: z.boolean() });

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(1024).optional(),
});

export function requireAdmin(svc: Services, c: Context): void {
  const expected = svc.config.adminToken;
  if (!expected) throw new NotConfiguredError('the admin API is disabled: set CID_ADMIN_TOKEN');
  const got = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
  if (!got) throw new UnauthorizedError('missing bearer token: send "Authorization: Bearer <CID_ADMIN_TOKEN>"');
  const a = Buffer.from(got);
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new UnauthorizedError('bad admin token');
}

async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (!text) throw new BadRequestError('request body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`malformed JSON body: ${(err as Error).message}`);
  }
}

/** The repository index's admin API: add, list (paginated), find, exists, change settings (Slack), remove. */
export function repositoriesRoutes(svc: Services): Hono {
  const r = new Hono();
  r.use('*', async (c, next) => {
    requireAdmin(svc, c);
    await next();
  });
  const nameOf = (c: Context) => RepoNameSchema.parse(`${c.req.param('owner')}/${c.req.param('repo')}`);
  const web = () => svc.config.github?.webUrl ?? 'https://github.com';

  r.post('/', async (c) => {
    const body = AddBody.parse(await jsonBody(c));
    const repo = await svc.store.repositories.add({ ...body, url: body.url ?? `${web()}/${repoUrlPath(body.name)}`, active: true });
    return c.json(repo, 201);
  });
  r.get('/', async (c) => {
    const q = ListQuery.parse(c.req.query());
    return c.json(await svc.store.repositories.list(q));
  });
  r.get('/:owner/:repo/exists', async (c) => c.json({ exists: (await svc.store.repositories.get(nameOf(c))) !== undefined }));
  r.get('/:owner/:repo', async (c) => c.json(await svc.store.repositories.find(nameOf(c))));
  r.patch('/:owner/:repo', async (c) => {
    const body = PatchBody.parse(await jsonBody(c));
    return c.json(await svc.store.repositories.setSlack(nameOf(c), body.slack));
  });
  r.delete('/:owner/:repo', async (c) => {
    await svc.store.repositories.remove(nameOf(c));
    return c.body(null, 204);
  });
  return r;
}
