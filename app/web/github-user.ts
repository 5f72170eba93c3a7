// GitHub calls made on a user's behalf: the OAuth code exchange, who the token belongs to, and
// the user's permission on a repository. Plain fetch: three endpoints need no client library.
import { z } from 'zod';
import { BadRequestError, CidError, UnauthorizedError } from '../../lib/errors/index.ts';

const TIMEOUT_MS = 10_000;

const headers = (token: string) => ({
  accept: 'application/vnd.github+json',
  authorization: `Bearer ${token}`,
  'x-github-api-version': '2022-11-28',
  'user-agent': 'cid',
});

class GitHubUnavailableError extends CidError {
  constructor(message: string, cause?: unknown) {
    super('github_unavailable', message, { status: 502, exitCode: 1, cause });
  }
}

async function call(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new GitHubUnavailableError(`GitHub did not answer: ${(err as Error).message}`, err);
  }
}

const TokenAnswer = z.union([
  z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive().optional() }),
  z.object({ error: z.string(), error_description: z.string().optional() }),
]);

/** Exchanges an OAuth code for the user's token (GitHub answers errors with 200 and `error`). */
export async function exchangeCode(
  oauth: { clientId: string; clientSecret: string; tokenUrl: string },
  code: string,
  redirectUri: string,
): Promise<{ token: string; expiresIn?: number }> {
  const res = await call(oauth.tokenUrl, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json', 'user-agent': 'cid' },
    body: JSON.stringify({ client_id: oauth.clientId, client_secret: oauth.clientSecret, code, redirect_uri: redirectUri }),
  });
  if (!res.ok) throw new GitHubUnavailableError(`GitHub's token exchange answered ${res.status}`);
  const parsed = TokenAnswer.safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw new GitHubUnavailableError("GitHub's token exchange gave an unexpected answer");
  if ('error' in parsed.data) throw new BadRequestError(`GitHub refused the sign-in: ${parsed.data.error_description ?? parsed.data.error}`);
  return { token: parsed.data.access_token, ...(parsed.data.expires_in ? { expiresIn: parsed.data.expires_in } : {}) };
}

const UserAnswer = z.object({ login: z.string().min(1) });

/** The login a token belongs to; a token GitHub does not accept is a 401. */
export async function authenticatedUser(apiUrl: string, token: string): Promise<string> {
  const res = await call(`${apiUrl}/user`, { headers: headers(token) });
  if (res.status === 401 || res.status === 403) throw new UnauthorizedError('GitHub does not accept this token');
  if (!res.ok) throw new GitHubUnavailableError(`GitHub answered ${res.status} for the token's user`);
  return UserAnswer.parse(await res.json()).login;
}

export type AccessLevel = 'none' | 'read' | 'write';

const PermissionAnswer = z.object({ permission: z.string() });

/**
 * The user's access to a repository, from GitHub's collaborator-permission endpoint called with
 * the user's own token. A repository the token cannot see answers 404: no access.
 */
export async function repoPermission(apiUrl: string, token: string, repo: string, login: string): Promise<AccessLevel> {
  const [owner, name] = repo.split('/') as [string, string];
  const url = `${apiUrl}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/collaborators/${encodeURIComponent(login)}/permission`;
  const res = await call(url, { headers: headers(token) });
  if (res.status === 404 || res.status === 403) return 'none';
  if (res.status === 401) throw new UnauthorizedError('GitHub no longer accepts your token: sign in again');
  if (!res.ok) throw new GitHubUnavailableError(`GitHub answered ${res.status} for the repository permission`);
  const { permission } = PermissionAnswer.parse(await res.json());
  if (permission === 'admin' || permission === 'write' || permission === 'maintain') return 'write';
  if (permission === 'read' || permission === 'triage') return 'read';
  return 'none';
}
