import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Services } from '../services.ts';
import { errorResponse, PayloadTooLargeError } from '../../lib/errors/index.ts';
import { handleWebhook } from '../webhooks/index.ts';
import { repositoriesRoutes, runnersRoutes } from '../admin/index.ts';
import { runnerRoutes } from '../runner-api/index.ts';
import { mountWeb } from '../web/index.ts';
import { health, type HealthProbe } from './health.ts';
import { mountMetrics } from '../metrics/index.ts';

export interface HttpAppOptions {
  healthProbe?: HealthProbe;
  /** Extra routes mounted by other parts (web UI, runner API). */
  mount?: (app: Hono) => void;
}

/** The control plane's HTTP surface, the same on Lambda and in the local server. */
export function createHttpApp(svc: Services, opts: HttpAppOptions = {}): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    const { status, body } = errorResponse(err);
    if (status >= 500 && status !== 503) svc.log.error({ err, path: c.req.path }, 'request failed');
    // The rest of an oversized body is never read: close rather than leave the connection unusable.
    if (status === 413) c.header('Connection', 'close');
    return c.json(body, status as ContentfulStatusCode);
  });
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` } }, 404));

  mountMetrics(app, svc);

  app.get('/healthz', async (c) => {
    const h = await health(svc, opts.healthProbe);
    return c.json({ status: h.ok ? 'ok' : 'degraded', components: h.components }, h.ok ? 200 : 503);
  });

  app.post(
    '/api/github/webhooks',
    bodyLimit({
      maxSize: svc.config.maxWebhookBytes,
      onError: () => {
        throw new PayloadTooLargeError(`webhook body over ${svc.config.maxWebhookBytes} bytes`);
      },
    }),
    async (c) => {
      const body = new Uint8Array(await c.req.arrayBuffer());
      const result = await handleWebhook(svc, { header: (n) => c.req.header(n), body });
      return c.json(result.body, result.status);
    },
  );

  app.route('/api/admin/repositories', repositoriesRoutes(svc));
  app.route('/api/admin/runners', runnersRoutes(svc));
  app.route('/api/runner', runnerRoutes(svc));
  mountWeb(app, svc);
  opts.mount?.(app);
  return app;
}
