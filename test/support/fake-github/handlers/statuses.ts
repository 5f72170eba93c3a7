// Commit statuses.
import { invalidRequest } from '../errors.ts';
import { botAccount, commitStatus } from '../shapes.ts';
import type { FakeCommitStatus } from '../state.ts';
import { callAuth } from './call-auth.ts';
import type { HandlerTable } from './types.ts';

interface StatusBody {
  state: FakeCommitStatus['state'];
  target_url?: string | null;
  description?: string | null;
  context?: string;
}

export const statusHandlers: HandlerTable = {
  'repos/create-commit-status': {
    auth: 'repo',
    need: { permissions: ['statuses'], level: 'write' },
    handle: (ctx) => {
      const sha = ctx.params.sha ?? '';
      if (!/^[0-9a-f]{40}$/i.test(sha)) throw invalidRequest(`No commit found for SHA: ${sha}`);
      const body = ctx.body as StatusBody;
      const status: FakeCommitStatus = {
        id: ctx.world.nextId('status'),
        repo: ctx.repo.fullName,
        sha: sha.toLowerCase(),
        state: body.state,
        target_url: body.target_url ?? null,
        description: body.description ?? null,
        context: body.context ?? 'default',
        created_at: ctx.world.nowIso(),
        auth: callAuth(ctx),
      };
      ctx.world.state.statuses.push(status);
      const user = ctx.creds.kind === 'user' ? ctx.world.findUser(ctx.creds.login ?? '') : undefined;
      const creator = user ? { login: user.login, id: user.id, type: 'User' } : botAccount(ctx.shapes);
      return { status: 201, body: commitStatus(ctx.shapes, status, creator) };
    },
  },
};
