import type { EventHandler } from '../event-handler.ts';
import { onPush } from './on-push.ts';
import { onPullRequest } from './on-pull-request.ts';
import { onCheckSuite } from './on-check-suite.ts';
import { onCheckRun } from './on-check-run.ts';
import { onInstallation, onInstallationRepositories } from './on-installation.ts';

/** The events cid acts on; every other event is acknowledged and ignored. */
export const HANDLERS: Record<string, EventHandler> = {
  push: onPush,
  pull_request: onPullRequest,
  check_suite: onCheckSuite,
  check_run: onCheckRun,
  installation: onInstallation,
  installation_repositories: onInstallationRepositories,
};
