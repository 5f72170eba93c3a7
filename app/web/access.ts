// Who may see and act on a repository. Public repositories are readable by anyone; private ones
// need a reader. Acting (rebuild, cancel) needs write access. GitHub is asked with the user's own
// token, and answers are remembered for a minute so pages and polls stay cheap.
import { createHash } from 'node:crypto';
import type { Repository } from '../../lib/contract/index.ts';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../../lib/errors/index.ts';
import { authenticatedUser, repoPermission, type AccessLevel } from './github-user.ts';

export type Viewer =
  | { kind: 'anonymous' }
  /** Signed in on the web (session cookie) or calling the API with a GitHub token. */
  | { kind: 'user'; login: string; token: string }
  /** The operator's CID_ADMIN_TOKEN: everything. */
  | { kind: 'admin' };

export const ANONYMOUS: Viewer = { kind: 'anonymous' };

const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

/** A small expiring map; cleared wholesale when full, which is rare and only costs a re-check. */
class TtlCache<V> {
  private readonly map = new Map<string, { value: V; until: number }>();
  constructor(private readonly ttlMs: number) {}
  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.until < Date.now()) {
      this.map.delete(key);
      return undefined;
    }
    return e.value;
  }
  set(key: string, value: V): void {
    if (this.map.size >= MAX_ENTRIES) this.map.clear();
    this.map.set(key, { value, until: Date.now() + this.ttlMs });
  }
}

const tokenKey = (token: string): string => createHash('sha256').update(token).digest('base64url').slice(0, 22);

export class AccessChecker {
  private readonly levels = new TtlCache<AccessLevel>(TTL_MS);
  private readonly logins = new TtlCache<string>(5 * TTL_MS);

  constructor(private readonly apiUrl: string) {}

  async level(viewer: Viewer, repo: Pick<Repository, 'name' | 'private'>): Promise<AccessLevel> {
    if (viewer.kind === 'admin') return 'write';
    const base: AccessLevel = repo.private ? 'none' : 'read';
    if (viewer.kind === 'anonymous') return base;
    const key = `${tokenKey(viewer.token)}:${repo.name.toLowerCase()}`;
    let level = this.levels.get(key);
    if (level === undefined) {
      level = await repoPermission(this.apiUrl, viewer.token, repo.name, viewer.login);
      this.levels.set(key, level);
    }
    // A public repository stays readable even when GitHub says "none" for this user.
    return level === 'none' ? base : level;
  }

  /** Private repositories the viewer cannot read are hidden: they answer 404, not 403. */
  async requireRead(viewer: Viewer, repo: Pick<Repository, 'name' | 'private'>): Promise<AccessLevel> {
    const level = await this.level(viewer, repo);
    if (level === 'none') throw new NotFoundError(`repository ${repo.name} not found`);
    return level;
  }

  async requireWrite(viewer: Viewer, repo: Pick<Repository, 'name' | 'private'>): Promise<void> {
    const level = await this.requireRead(viewer, repo);
    if (viewer.kind === 'anonymous') throw new UnauthorizedError('sign in to rebuild or cancel jobs');
    if (level !== 'write') throw new ForbiddenError(`${viewer.kind === 'user' ? viewer.login : 'you'} may not act on ${repo.name}: write access is needed`);
  }

  /** The user behind a GitHub token (API calls with a bearer token). */
  async userOfToken(token: string): Promise<Viewer> {
    const key = tokenKey(token);
    let login = this.logins.get(key);
    if (login === undefined) {
      login = await authenticatedUser(this.apiUrl, token);
      this.logins.set(key, login);
    }
    return { kind: 'user', login, token };
  }
}
