// Every operation the fake serves, keyed by GitHub's operationId.
import { appHandlers } from './apps.ts';
import { checkHandlers } from './checks.ts';
import { contentHandlers } from './contents.ts';
import { issueHandlers } from './issues.ts';
import { repoHandlers } from './repos.ts';
import { statusHandlers } from './statuses.ts';
import type { HandlerTable } from './types.ts';

export { serveCodeload, serveRaw } from './contents.ts';
export type { HandlerContext, HandlerResult, OperationHandler, RepoHandlerContext } from './types.ts';

export const handlers: HandlerTable = {
  ...appHandlers,
  ...checkHandlers,
  ...statusHandlers,
  ...issueHandlers,
  ...contentHandlers,
  ...repoHandlers,
};
