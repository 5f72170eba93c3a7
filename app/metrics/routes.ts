import { timingSafeEqual } from 'node:crypto';
import type { Hono } from 'hono';
import type { Services } from '../services.ts';
import { collectOnScrape } from './collect.ts';
import { recordWebhook } from './record.ts';
import { appRegistry } from './registry.ts';

const WEBHOOK_PATH = '/api/github/webhooks';

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

/**
 * Mounts GET /metrics (Prometheus text; behind `Authorization: Bearer $CID_METRICS_TOKEN` when
 * that is set) and times webhook deliveries. Mount it before the webhook route: hono runs
 * middleware in the order it was added.
 */
export function mountMetrics(app: Hono, svc: Services): void {
  app.use(WEBHOOK_PATH, async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      // Errors were already turned into responses by app.onError, so c.res has the real status.
      recordWebhook(c.req.header('x-github-event'), c.res.status, (performance.now() - started) / 1000);
    }
  });

  app.get('/metrics', async (c) => {
    const token = svc.config.env.CID_METRICS_TOKEN;
    if (token && !bearerMatches(c.req.header('authorization'), token)) {
      c.header('WWW-Authenticate', 'Bearer');
      return c.json({ error: { code: 'unauthorized', message: 'GET /metrics needs Authorization: Bearer <CID_METRICS_TOKEN>' } }, 401);
    }
    await collectOnScrape(svc);
    c.header('Content-Type', appRegistry.contentType);
    return c.body(await appRegistry.metrics());
  });
}
