import type { Hono } from 'hono';
import { bearer } from '../http/bearer-auth.ts';
import type { Services } from '../services.ts';
import { collectOnScrape } from './collect.ts';
import { recordWebhook } from './record.ts';
import { appRegistry } from './registry.ts';

const WEBHOOK_PATH = '/api/github/webhooks';

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

  const token = svc.config.env.CID_METRICS_TOKEN;
  if (token) {
    const missing = 'GET /metrics needs Authorization: Bearer <CID_METRICS_TOKEN>';
    app.use('/metrics', bearer({ verify: token, missing, refused: `bad metrics token: ${missing}` }));
  }
  app.get('/metrics', async (c) => {
    await collectOnScrape(svc);
    c.header('Content-Type', appRegistry.contentType);
    return c.body(await appRegistry.metrics());
  });
}
