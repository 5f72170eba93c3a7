// Mounts the web UI, its JSON API and the badge on the control plane's HTTP app. Each part is a
// sub-app with its own prefix, so its middleware and error pages touch nothing else.
import type { Hono } from 'hono';
import type { Services } from '../services.ts';
import { apiRoutes } from './api-routes.ts';
import { badgeRoutes } from './badge-routes.ts';
import { pageRoutes } from './page-routes.ts';
import { rootRoutes } from './root-routes.ts';
import { createWeb } from './web-context.ts';

export function mountWeb(app: Hono, svc: Services): void {
  const web = createWeb(svc);
  app.route('/api/github', apiRoutes(web));
  app.route('/badge', badgeRoutes(web));
  app.route('/github', pageRoutes(web));
  app.route('/', rootRoutes(web));
}
