import { ZodError, z } from 'zod';
import type { Services } from '../services.ts';
import { NotConfiguredError, UnprocessableError } from '../errors/index.ts';
import { verifyDelivery } from './verify-delivery.ts';
import { ignored, type WebhookResult } from './webhook-result.ts';
import { onPush } from './handlers/on-push.ts';
import { onPullRequest } from './handlers/on-pull-request.ts';
import { onCheckSuite } from './handlers/on-check-suite.ts';
import { onCheckRun } from './handlers/on-check-run.ts';
import { onInstallation, onInstallationRepositories } from './handlers/on-installation.ts';

type Handler = (svc: Services, payload: unknown) => Promise<WebhookResult>;

const HANDLERS: Record<string, { handler: Handler; dedupe: boolean }> = {
  // Pipeline creation is idempotent by itself; no delivery record needed on the hot path.
  push: { handler: onPush, dedupe: false },
  pull_request: { handler: onPullRequest, dedupe: false },
  // Rebuilds and cancels are not: the same delivery twice must act once.
  check_suite: { handler: onCheckSuite, dedupe: true },
  check_run: { handler: onCheckRun, dedupe: true },
  installation: { handler: onInstallation, dedupe: true },
  installation_repositories: { handler: onInstallationRepositories, dedupe: true },
};

export interface WebhookRequest {
  header: (name: string) => string | undefined;
  body: Uint8Array;
}

/**
 * The webhook endpoint's logic: verify, record, enqueue, answer. GitHub allows 10 s and never
 * redelivers by itself, so nothing here waits on GitHub's API; check runs are made off this path.
 */
export async function handleWebhook(svc: Services, req: WebhookRequest): Promise<WebhookResult> {
  const gh = svc.config.github;
  if (!gh) {
    throw new NotConfiguredError(`the GitHub App is not configured: set ${svc.config.githubMissing.join(', ')}`);
  }
  const delivery = await verifyDelivery(gh.webhookSecret, req.header, req.body, svc.config.maxWebhookBytes);
  const log = svc.log.child({ delivery: delivery.id, event: delivery.event });
  const entry = HANDLERS[delivery.event];
  if (!entry) return ignored(`event ${delivery.event} is not used by cid`);
  if (entry.dedupe && !(await svc.store.deliveries.begin(delivery.id, delivery.event))) {
    return ignored('delivery already handled');
  }
  try {
    const result = await entry.handler(svc, delivery.payload);
    log.info({ action: result.body.action }, 'webhook handled');
    return result;
  } catch (err) {
    if (entry.dedupe) await svc.store.deliveries.forget(delivery.id).catch(() => undefined);
    if (err instanceof ZodError) {
      throw new UnprocessableError(`${delivery.event} payload lacks what cid needs: ${z.prettifyError(err)}`, err.issues);
    }
    throw err;
  }
}
