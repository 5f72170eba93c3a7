import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../../lib/errors/index.ts';
import type { Services } from '../services.ts';
import { mountLeaseRoutes } from './lease-routes.ts';
import { mountRegisterRoutes } from './register-routes.ts';

/** A log request is about 1 MiB of text; JSON escapes (ANSI colours: \u001b) can make it a few times that. */
export const MAX_RUNNER_BODY_BYTES = 8 * 1024 * 1024;

/**
 * The runners' API (lib/contract/runner-api.ts): the only way a runner reaches the control plane's
 * state. Runners register with their pool's bootstrap token, get a credential of their own, and
 * act on a job only through the lease `claim` gave them. They never hold the App's key nor write
 * to GitHub: for a job they hold, `token` gives a short-lived read-only token for its repository.
 */
export function runnerRoutes(svc: Services): Hono {
  const r = new Hono();
  r.use(
    '*',
    bodyLimit({
      maxSize: MAX_RUNNER_BODY_BYTES,
      onError: () => {
        throw new PayloadTooLargeError(`runner API bodies are at most ${MAX_RUNNER_BODY_BYTES} bytes`);
      },
    }),
  );
  mountRegisterRoutes(r, svc);
  mountLeaseRoutes(r, svc);
  return r;
}
