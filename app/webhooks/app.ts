import type { Context, Probot } from 'probot';
import type { EventHandler } from './event-handler.ts';
import { scopeOf } from './delivery-scope.ts';
import { onPush } from './handlers/on-push.ts';
import { onPullRequest } from './handlers/on-pull-request.ts';
import { onCheckSuite } from './handlers/on-check-suite.ts';
import { onCheckRun } from './handlers/on-check-run.ts';
import { onInstallation, onInstallationRepositories } from './handlers/on-installation.ts';

/** What every probot context has, whatever the event. */
type AnyContext = Pick<Context, 'id' | 'name' | 'octokit' | 'log'> & { payload: object };

/** A probot listener running one of cid's handlers with the delivery's services. */
function act(handler: EventHandler): (context: AnyContext) => Promise<void> {
  return async (context) => {
    const scope = scopeOf(context.payload);
    scope.result = await handler.handle(scope.svc, context.payload, context);
  };
}

/**
 * cid as a probot app. The webhook endpoint only verifies and queues a delivery; the events
 * consumer hands it to a probot instance with this app loaded (`probot.receive`), the way probot's
 * AWS Lambda adapter does. Payloads have been checked against each handler's schema by then.
 */
export default function cidApp(app: Probot): void {
  app.on('push', act(onPush));
  app.on(['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened', 'pull_request.closed'], act(onPullRequest));
  app.on('check_suite.rerequested', act(onCheckSuite));
  app.on(['check_run.rerequested', 'check_run.requested_action'], act(onCheckRun));
  app.on(['installation.created', 'installation.deleted', 'installation.suspend', 'installation.unsuspend'], act(onInstallation));
  app.on(['installation_repositories.added', 'installation_repositories.removed'], act(onInstallationRepositories));
}
