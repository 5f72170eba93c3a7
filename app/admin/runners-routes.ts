import { Hono } from 'hono';
import { POOLS, PoolSchema, RunnerIdSchema } from '../../lib/contract/index.ts';
import { NotConfiguredError, NotFoundError } from '../../lib/errors/index.ts';
import { bootstrapToken, handBackHeld, runnerDirectory } from '../runner-api/index.ts';
import type { Services } from '../services.ts';
import { requireAdmin } from './repositories-routes.ts';

/** The runners' admin API: who is registered, revoke one, print a pool's bootstrap token. */
export function runnersRoutes(svc: Services): Hono {
  const r = new Hono();
  r.use('*', async (c, next) => {
    requireAdmin(svc, c);
    await next();
  });

  r.get('/', async (c) => {
    const runners = await svc.store.runners.list();
    // One read of each pool's running jobs, counted per runner.
    const held = new Map<string, number>();
    for (const pool of POOLS) {
      for (const j of await svc.store.jobs.listRunning(pool)) {
        if (j.runnerId) held.set(j.runnerId, (held.get(j.runnerId) ?? 0) + 1);
      }
    }
    return c.json({
      runners: runners.map((x) => ({
        id: x.id,
        pool: x.pool,
        host: x.host,
        version: x.version,
        concurrency: x.concurrency,
        registeredAt: x.registeredAt,
        lastSeenAt: x.lastSeenAt,
        revoked: x.revokedAt !== undefined,
        ...(x.revokedAt ? { revokedAt: x.revokedAt } : {}),
        jobsHeld: held.get(x.id) ?? 0,
      })),
    });
  });

  r.post('/:id/revoke', async (c) => {
    const id = RunnerIdSchema.parse(c.req.param('id'));
    const record = await svc.store.runners.revoke(id);
    if (!record) throw new NotFoundError(`runner ${id} is not registered`);
    runnerDirectory(svc).remember(record);
    const requeued = await handBackHeld(svc, id, 'revoked');
    svc.log.warn({ runnerId: id, requeued }, 'runner revoked');
    return c.json({ id, revokedAt: record.revokedAt, requeued });
  });

  r.get('/bootstrap-token/:pool', (c) => {
    const pool = PoolSchema.parse(c.req.param('pool'));
    const secret = svc.config.runnerSecret;
    if (!secret) throw new NotConfiguredError('the runner API is disabled: set CID_RUNNER_SECRET');
    return c.json({ pool, token: bootstrapToken(secret, pool) });
  });
  return r;
}
