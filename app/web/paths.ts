// URLs of the pages, built in one place (every segment encoded).
import { seg } from './html.ts';

const split = (repo: string): [string, string] => repo.split('/') as [string, string];

export const ownerPath = (owner: string): string => `/github/${seg(owner)}`;

export function repoPath(repo: string): string {
  const [o, r] = split(repo);
  return `/github/${seg(o)}/${seg(r)}`;
}

export const commitPath = (repo: string, sha: string): string => `${repoPath(repo)}/commit/${seg(sha)}`;

export const jobPath = (repo: string, sha: string, name: string): string => `${commitPath(repo, sha)}/variant/${seg(name)}`;

/** History of a branch ("refs/heads/feature/x") or PR ("pull/12"); undefined for other refs. */
export function historyPath(repo: string, ref: string): string | undefined {
  if (ref.startsWith('refs/heads/')) return `${repoPath(repo)}/history/branch/${ref.slice(11).split('/').map(seg).join('/')}`;
  const pr = /^pull\/(\d+)$/.exec(ref);
  return pr ? `${repoPath(repo)}/history/pull/${pr[1]}` : undefined;
}

export const apiPath = (path: string): string => `/api${path}`;

// Absolute URLs, for what cid shows outside itself (check runs, statuses, comments, Slack).
const absolute = (publicUrl: string, path: string): string => `${publicUrl.replace(/\/+$/, '')}${path}`;

export const commitUrl = (publicUrl: string, repo: string, sha: string): string => absolute(publicUrl, commitPath(repo, sha));

export const jobUrl = (publicUrl: string, job: { repo: string; sha: string; name: string }): string => absolute(publicUrl, jobPath(job.repo, job.sha, job.name));
