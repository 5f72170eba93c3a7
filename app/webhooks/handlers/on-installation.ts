import type { Services } from '../../services.ts';
import { repoUrlPath } from '../../../lib/contract/index.ts';
import { InstallationPayload, InstallationRepositoriesPayload } from '../payload-schemas.ts';
import { forgetRepository } from '../repository-sync.ts';
import { acted } from '../webhook-result.ts';
import { defineHandler } from '../event-handler.ts';

async function addRepos(svc: Services, installationId: number, repos: { full_name: string; private: boolean }[]): Promise<number> {
  const web = svc.github?.config.webUrl ?? 'https://github.com';
  for (const r of repos) {
    forgetRepository(r.full_name);
    await svc.store.repositories.upsert({
      name: r.full_name,
      description: '',
      kind: 'git',
      url: `${web}/${repoUrlPath(r.full_name)}`,
      private: r.private,
      defaultBranch: 'main',
      active: true,
      installationId,
    });
  }
  return repos.length;
}

async function removeRepos(svc: Services, names: string[]): Promise<number> {
  let n = 0;
  for (const name of names) {
    forgetRepository(name);
    try {
      await svc.store.repositories.remove(name);
      n++;
    } catch {
      // already gone: removal is idempotent
    }
  }
  return n;
}

const INSTALLATION_ACTIONS = new Set(['created', 'deleted', 'suspend', 'unsuspend']);

/** Keeps the repository index in step with where the App is installed. */
export const onInstallation = defineHandler({
  schema: InstallationPayload,
  dedupe: true,
  ignore: (p) => (INSTALLATION_ACTIONS.has(p.action) ? undefined : `installation.${p.action}`),
  async handle(svc: Services, p) {
    const id = p.installation.id;
    switch (p.action) {
      case 'created':
        return acted('repositories-added', { count: await addRepos(svc, id, p.repositories ?? []) });
      case 'deleted': {
        const known = (await svc.store.repositories.listByInstallation(id)).map((r) => r.name);
        const names = [...new Set([...known, ...(p.repositories ?? []).map((r) => r.full_name)])];
        return acted('repositories-removed', { count: await removeRepos(svc, names) });
      }
      default: {
        const repos = await svc.store.repositories.listByInstallation(id);
        for (const r of repos) {
          forgetRepository(r.name);
          await svc.store.repositories.setActive(r.name, p.action === 'unsuspend');
        }
        return acted(p.action, { count: repos.length });
      }
    }
  },
});

export const onInstallationRepositories = defineHandler({
  schema: InstallationRepositoriesPayload,
  dedupe: true,
  ignore: (p) => (p.action === 'added' || p.action === 'removed' ? undefined : `installation_repositories.${p.action}`),
  async handle(svc: Services, p) {
    const added = await addRepos(svc, p.installation.id, p.repositories_added);
    const removed = await removeRepos(svc, p.repositories_removed.map((r) => r.full_name));
    return acted('repositories-synced', { added, removed });
  },
});
