import type { Services } from '../../services.ts';
import { InstallationPayload, InstallationRepositoriesPayload } from '../payload-schemas.ts';
import { forgetRepository } from '../repository-sync.ts';
import { acted, ignored, type WebhookResult } from '../webhook-result.ts';

async function addRepos(svc: Services, installationId: number, repos: { full_name: string; private: boolean }[]): Promise<number> {
  const web = svc.github?.config.webUrl ?? 'https://github.com';
  for (const r of repos) {
    forgetRepository(r.full_name);
    await svc.store.repositories.upsert({
      name: r.full_name,
      description: '',
      kind: 'git',
      url: `${web}/${r.full_name}`,
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

/** Keeps the repository index in step with where the App is installed. */
export async function onInstallation(svc: Services, raw: unknown): Promise<WebhookResult> {
  const p = InstallationPayload.parse(raw);
  const id = p.installation.id;
  switch (p.action) {
    case 'created':
      return acted('repositories-added', { count: await addRepos(svc, id, p.repositories ?? []) });
    case 'deleted': {
      const known = (await svc.store.repositories.listByInstallation(id)).map((r) => r.name);
      const names = [...new Set([...known, ...(p.repositories ?? []).map((r) => r.full_name)])];
      return acted('repositories-removed', { count: await removeRepos(svc, names) });
    }
    case 'suspend':
    case 'unsuspend': {
      const repos = await svc.store.repositories.listByInstallation(id);
      for (const r of repos) {
        forgetRepository(r.name);
        await svc.store.repositories.setActive(r.name, p.action === 'unsuspend');
      }
      return acted(p.action, { count: repos.length });
    }
    default:
      return ignored(`installation.${p.action}`);
  }
}

export async function onInstallationRepositories(svc: Services, raw: unknown): Promise<WebhookResult> {
  const p = InstallationRepositoriesPayload.parse(raw);
  if (p.action !== 'added' && p.action !== 'removed') return ignored(`installation_repositories.${p.action}`);
  const added = await addRepos(svc, p.installation.id, p.repositories_added);
  const removed = await removeRepos(svc, p.repositories_removed.map((r) => r.full_name));
  return acted('repositories-synced', { added, removed });
}
