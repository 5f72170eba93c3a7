import type { Repository } from '../../lib/contract/index.ts';
import type { Services } from '../services.ts';
import type { RepositoryPayload } from './payload-schemas.ts';

// Pushes arrive in bursts for the same repositories; a short-lived cache saves a read per delivery.
const CACHE_MS = 30_000;
const cache = new Map<string, { repo: Repository; until: number }>();

export function forgetRepository(name: string): void {
  cache.delete(name);
}

/**
 * The index record for a repository an event is about, created from the payload when missing
 * (an installation event cid never saw). Returns undefined when the repository is inactive.
 */
export async function repositoryForEvent(svc: Services, r: RepositoryPayload, installationId: number | undefined): Promise<Repository | undefined> {
  const hit = cache.get(r.full_name);
  let repo = hit && hit.until > Date.now() ? hit.repo : await svc.store.repositories.get(r.full_name);
  if (!repo || (installationId !== undefined && repo.installationId !== installationId)) {
    repo = await svc.store.repositories.upsert({
      name: r.full_name,
      description: r.description ?? '',
      kind: 'git',
      url: r.html_url,
      private: r.private,
      defaultBranch: r.default_branch ?? 'main',
      active: repo?.active ?? true,
      ...(installationId !== undefined ? { installationId } : {}),
    });
  }
  cache.set(r.full_name, { repo, until: Date.now() + CACHE_MS });
  return repo.active ? repo : undefined;
}
