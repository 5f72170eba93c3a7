// App-level endpoints, authenticated with the App JWT.
import { GitHubHttpError, invalidRequest, notFound } from '../errors.ts';
import { paginate } from '../pagination.ts';
import { installation, integration, repository } from '../shapes.ts';
import type { PermissionSet } from '../state.ts';
import type { HandlerTable } from './types.ts';

interface TokenBody {
  repositories?: string[];
  repository_ids?: number[];
  permissions?: PermissionSet;
}

function installationId(raw: string | undefined): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id)) throw notFound();
  return id;
}

export const appHandlers: HandlerTable = {
  'apps/get-authenticated': {
    auth: 'app',
    handle: ({ shapes, world }) => ({
      status: 200,
      body: { ...integration(shapes), installations_count: world.state.installations.size },
    }),
  },

  'apps/create-installation-access-token': {
    auth: 'app',
    handle: ({ world, shapes, params, body }) => {
      const req = (body ?? {}) as TokenBody;
      const result = world.requestToken(installationId(params.installation_id), {
        ...(req.repositories !== undefined ? { repositories: req.repositories } : {}),
        ...(req.repository_ids !== undefined ? { repositoryIds: req.repository_ids } : {}),
        ...(req.permissions !== undefined ? { permissions: req.permissions } : {}),
      });
      if (!result.ok) {
        throw result.status === 422 ? invalidRequest(result.message) : new GitHubHttpError(result.status, result.message);
      }
      const t = result.token;
      const inst = world.state.installations.get(t.installationId);
      const restricted = t.repositories?.map((n) => world.findRepo(n)).filter((r) => r !== undefined) ?? null;
      return {
        status: 201,
        body: {
          token: t.token,
          expires_at: t.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
          permissions: t.permissions,
          repository_selection: restricted ? 'selected' : (inst?.repositorySelection ?? 'selected'),
          ...(restricted ? { repositories: restricted.map((r) => repository(shapes, r)) } : {}),
        },
      };
    },
  },

  'apps/get-installation': {
    auth: 'app',
    handle: ({ world, shapes, params }) => {
      const inst = world.state.installations.get(installationId(params.installation_id));
      if (!inst) throw notFound();
      return { status: 200, body: installation(shapes, inst) };
    },
  },

  'apps/list-installations': {
    auth: 'app',
    handle: ({ world, shapes, url }) => {
      const page = paginate([...world.state.installations.values()], url);
      return { status: 200, body: page.items.map((i) => installation(shapes, i)), headers: page.headers };
    },
  },

  'apps/get-repo-installation': {
    auth: 'app',
    handle: ({ world, shapes, params }) => {
      const repo = world.findRepo(`${params.owner}/${params.repo}`);
      const inst = repo && world.installationForRepo(repo);
      if (!inst) throw notFound();
      return { status: 200, body: installation(shapes, inst) };
    },
  },
};
