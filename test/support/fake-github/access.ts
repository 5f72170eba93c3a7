// Who is calling, and may they do this? Status codes and messages follow GitHub's.
import type { IncomingHttpHeaders } from 'node:http';
import { verifyAppJwt } from './app-credentials.ts';
import {
  GitHubHttpError,
  badCredentials,
  notAccessibleByIntegration,
  notFound,
  requiresAuthentication,
} from './errors.ts';
import type { AccessLevel, CallAuth, FakeRepo } from './state.ts';
import type { FakeWorld } from './world.ts';
import { LEVELS } from './world.ts';

export interface Credentials extends CallAuth {
  /** Why a presented JWT was rejected (GitHub's wording). */
  jwtError?: string;
}

const NONE: Credentials = { kind: 'none', token: null, installationId: null, login: null };

export function identify(world: FakeWorld, headers: IncomingHttpHeaders): Credentials {
  const header = headers.authorization;
  if (!header) return NONE;
  const m = /^(token|bearer)\s+(\S+)\s*$/i.exec(header);
  if (!m) return { ...NONE, kind: 'invalid' };
  const value = m[2] as string;
  if (value.split('.').length === 3 && !value.startsWith('gh')) {
    const check = verifyAppJwt(
      value,
      { appId: world.options.app.appId, clientId: world.options.app.clientId, publicKey: world.options.app.publicKeyPem },
      world.options.now(),
    );
    return check.ok
      ? { kind: 'jwt', token: value, installationId: null, login: null }
      : { kind: 'invalid', token: value, installationId: null, login: null, jwtError: check.message };
  }
  if (value.startsWith('ghs_')) {
    const t = world.liveToken(value);
    return t
      ? { kind: 'installation', token: value, installationId: t.installationId, login: null }
      : { kind: 'invalid', token: value, installationId: null, login: null };
  }
  const user = world.userByToken(value);
  return user
    ? { kind: 'user', token: value, installationId: null, login: user.login }
    : { kind: 'invalid', token: value, installationId: null, login: null };
}

/** /app/... endpoints: a valid App JWT and nothing else. */
export function requireAppJwt(creds: Credentials): void {
  if (creds.kind === 'jwt') return;
  throw new GitHubHttpError(401, creds.jwtError ?? 'A JSON web token could not be decoded');
}

/** /user: an OAuth user token. */
export function requireUser(creds: Credentials): void {
  if (creds.kind === 'user') return;
  if (creds.kind === 'none') throw requiresAuthentication();
  if (creds.kind === 'invalid') throw badCredentials();
  throw notAccessibleByIntegration();
}

export interface RepoRequirement {
  /** Any one of these app permissions suffices (e.g. issues or pull_requests for comments). */
  permissions: readonly string[];
  level: Exclude<AccessLevel, 'admin'>;
  /** Only GitHub Apps may call it (the Checks API refuses OAuth tokens). */
  appOnly?: boolean;
}

const ROLE_LEVEL = { admin: 3, maintain: 2, write: 2, triage: 1, read: 1 } as const;

/** Repository endpoints: an installation token covering the repo, or a user with access to it. */
export function requireRepoAccess(world: FakeWorld, creds: Credentials, repoName: string, need: RepoRequirement): FakeRepo {
  if (creds.kind === 'none') throw requiresAuthentication();
  if (creds.kind === 'invalid') throw badCredentials();
  if (creds.kind === 'jwt') throw notAccessibleByIntegration();
  const repo = world.findRepo(repoName);
  if (creds.kind === 'installation') {
    const token = world.liveToken(creds.token ?? '');
    if (!token) throw badCredentials();
    const inst = world.state.installations.get(token.installationId);
    if (inst?.suspended) throw new GitHubHttpError(403, 'This installation has been suspended');
    // GitHub hides repositories a token cannot see behind a 404.
    if (!repo || !world.tokenCoversRepo(token, repo)) throw notFound();
    const ok = need.permissions.some((p) => {
      const level = token.permissions[p];
      return level !== undefined && LEVELS[level] >= LEVELS[need.level];
    });
    if (!ok) throw notAccessibleByIntegration();
    return repo;
  }
  const user = world.findUser(creds.login ?? '');
  if (!repo || !user) throw notFound();
  const role = user.permissions[repo.fullName.toLowerCase()];
  if (role === undefined && repo.private) throw notFound();
  if (need.appOnly) throw new GitHubHttpError(403, 'You must authenticate via a GitHub App.');
  const level = role === undefined ? 1 : ROLE_LEVEL[role];
  if (level < LEVELS[need.level]) throw new GitHubHttpError(403, 'Must have push access to repository');
  return repo;
}
