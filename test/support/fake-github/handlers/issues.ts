// Issue (and pull request) comments.
import { notFound } from '../errors.ts';
import { paginate } from '../pagination.ts';
import { botAccount, issueComment } from '../shapes.ts';
import type { FakeIssueComment } from '../state.ts';
import { callAuth } from './call-auth.ts';
import type { HandlerContext, HandlerTable, RepoHandlerContext } from './types.ts';

// Comments on pull requests need either permission on GitHub.
const WRITE = { permissions: ['issues', 'pull_requests'], level: 'write' } as const;
const READ = { permissions: ['issues', 'pull_requests'], level: 'read' } as const;

function author(ctx: HandlerContext, c: FakeIssueComment) {
  const bot = botAccount(ctx.shapes);
  if (c.user === bot.login) return bot;
  const user = ctx.world.findUser(c.user);
  return { login: c.user, id: user?.id ?? 0, type: 'User' };
}

function render(ctx: HandlerContext, c: FakeIssueComment) {
  return issueComment(ctx.shapes, c, author(ctx, c), c.auth.kind === 'installation');
}

function issueNumber(ctx: RepoHandlerContext): number {
  const n = Number(ctx.params.issue_number);
  if (!Number.isSafeInteger(n) || n <= 0) throw notFound();
  return n;
}

export const issueHandlers: HandlerTable = {
  'issues/create-comment': {
    auth: 'repo',
    need: WRITE,
    handle: (ctx) => {
      const { body } = ctx.body as { body: string };
      const now = ctx.world.nowIso();
      const comment: FakeIssueComment = {
        id: ctx.world.nextId('comment'),
        repo: ctx.repo.fullName,
        issue_number: issueNumber(ctx),
        body,
        user: ctx.creds.kind === 'user' && ctx.creds.login ? ctx.creds.login : botAccount(ctx.shapes).login,
        created_at: now,
        updated_at: now,
        history: [body],
        auth: callAuth(ctx),
      };
      ctx.world.state.comments.push(comment);
      return { status: 201, body: render(ctx, comment) };
    },
  },

  'issues/update-comment': {
    auth: 'repo',
    need: WRITE,
    handle: (ctx) => {
      const id = Number(ctx.params.comment_id);
      const comment = ctx.world.state.comments.find(
        (c) => c.id === id && c.repo.toLowerCase() === ctx.repo.fullName.toLowerCase(),
      );
      if (!comment) throw notFound();
      const { body } = ctx.body as { body: string };
      comment.body = body;
      comment.history.push(body);
      comment.updated_at = ctx.world.nowIso();
      return { status: 200, body: render(ctx, comment) };
    },
  },

  'issues/list-comments': {
    auth: 'repo',
    need: READ,
    handle: (ctx) => {
      const n = issueNumber(ctx);
      const since = ctx.query.get('since');
      const comments = ctx.world.state.comments.filter(
        (c) =>
          c.repo.toLowerCase() === ctx.repo.fullName.toLowerCase() &&
          c.issue_number === n &&
          (since === null || Date.parse(c.updated_at) >= Date.parse(since)),
      );
      const page = paginate(comments, ctx.url);
      return { status: 200, body: page.items.map((c) => render(ctx, c)), headers: page.headers };
    },
  },
};
