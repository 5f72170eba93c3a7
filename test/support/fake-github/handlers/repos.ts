// Repository metadata, pull requests, collaborator permissions and the authenticated user.
import { notFound } from '../errors.ts';
import { privateUser, pullRequest, repository, simpleUser } from '../shapes.ts';
import type { RepoRole } from '../state.ts';
import type { HandlerTable } from './types.ts';

// GitHub reports maintain as write and triage as read in `permission`; role_name is exact.
const PERMISSION: Record<RepoRole, string> = { admin: 'admin', maintain: 'write', write: 'write', triage: 'read', read: 'read' };
const RANK: Record<RepoRole | 'none', number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

export const repoHandlers: HandlerTable = {
  'repos/get': {
    auth: 'repo',
    need: { permissions: ['metadata'], level: 'read' },
    handle: (ctx) => ({ status: 200, body: repository(ctx.shapes, ctx.repo) }),
  },

  'pulls/get': {
    auth: 'repo',
    need: { permissions: ['pull_requests'], level: 'read' },
    handle: (ctx) => {
      const pr = ctx.world.findPullRequest(ctx.repo, Number(ctx.params.pull_number));
      if (!pr) throw notFound();
      return { status: 200, body: pullRequest(ctx.shapes, pr, ctx.world.account(pr.user)) };
    },
  },

  'repos/get-collaborator-permission-level': {
    auth: 'repo',
    need: { permissions: ['metadata'], level: 'read' },
    handle: (ctx) => {
      const user = ctx.world.findUser(ctx.params.username ?? '');
      if (!user) throw notFound();
      const role: RepoRole | 'none' = user.permissions[ctx.repo.fullName.toLowerCase()] ?? (ctx.repo.private ? 'none' : 'read');
      const rank = RANK[role];
      return {
        status: 200,
        body: {
          permission: role === 'none' ? 'none' : PERMISSION[role],
          role_name: role,
          user: {
            ...simpleUser(ctx.shapes, { login: user.login, id: user.id, type: 'User' }),
            permissions: {
              admin: rank >= RANK.admin,
              maintain: rank >= RANK.maintain,
              push: rank >= RANK.write,
              triage: rank >= RANK.triage,
              pull: rank >= RANK.read,
            },
            role_name: role,
          },
        },
      };
    },
  },

  'users/get-authenticated': {
    auth: 'user',
    handle: (ctx) => {
      const user = ctx.world.findUser(ctx.creds.login ?? '');
      if (!user) throw notFound();
      return { status: 200, body: privateUser(ctx.shapes, user) };
    },
  },
};
