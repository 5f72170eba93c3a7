// The fake's state: what tests configure (installations, repos, users, files) and what the code
// under test did (tokens minted, check runs, statuses, comments, every request).
import type { RepoSnapshot } from './repo-snapshot.ts';
import type { SchemaIssue } from './schema-validator.ts';

/** Installation/token permission level, as in GitHub's app permissions. */
export type AccessLevel = 'read' | 'write' | 'admin';
export type PermissionSet = Record<string, AccessLevel>;
/** A user's role on a repository. */
export type RepoRole = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface FakeAccount {
  login: string;
  id: number;
  type: 'User' | 'Organization';
}

export interface FakeRepo {
  id: number;
  owner: FakeAccount;
  name: string;
  /** owner/name as given when it was added (lookups ignore case, like GitHub). */
  fullName: string;
  private: boolean;
  fork: boolean;
  defaultBranch: string;
  createdAt: string;
  /** Branch and tag names (without refs/heads/ or refs/tags/) → commit SHA. */
  refs: Map<string, string>;
  /** Commit SHA → files, as set with setRepoFiles. */
  snapshots: Map<string, RepoSnapshot>;
  /** The most recently set snapshot, used when no ref is given and the default branch is unset. */
  latestSha: string | null;
}

export interface FakeInstallation {
  id: number;
  account: FakeAccount;
  repositorySelection: 'all' | 'selected';
  /** Full names of the selected repositories (for 'all': every repo of the account). */
  repositories: string[];
  permissions: PermissionSet;
  events: string[];
  suspended: boolean;
  createdAt: string;
}

export interface FakeToken {
  token: string;
  installationId: number;
  /** Full names the token is restricted to, or null for every repository of the installation. */
  repositories: string[] | null;
  permissions: PermissionSet;
  createdAt: Date;
  expiresAt: Date;
  revoked: boolean;
}

export interface FakeUser {
  login: string;
  id: number;
  name: string | null;
  /** OAuth user token (gho_…) if the user can call the API. */
  token: string | null;
  /** Role per repository full name. */
  permissions: Record<string, RepoRole>;
}

export interface FakePullRequest {
  repo: string;
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  user: string;
  head: { ref: string; sha: string; repo: string };
  base: { ref: string; sha: string; repo: string };
  createdAt: string;
}

/** Which credential a call used. */
export interface CallAuth {
  kind: 'none' | 'jwt' | 'installation' | 'user' | 'invalid';
  token: string | null;
  installationId: number | null;
  login: string | null;
}

export interface FakeCheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

export interface FakeCheckRun {
  id: number;
  repo: string;
  name: string;
  head_sha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  details_url: string | null;
  external_id: string | null;
  started_at: string | null;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Accumulated over create and every update, as GitHub does. */
  annotations: FakeCheckRunAnnotation[];
  images: unknown[];
  actions: unknown[];
  /** The create call and each update, in order, with the token each used. */
  calls: { operationId: 'checks/create' | 'checks/update'; auth: CallAuth; body: Record<string, unknown> }[];
}

export interface FakeCommitStatus {
  id: number;
  repo: string;
  sha: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  target_url: string | null;
  description: string | null;
  context: string;
  created_at: string;
  auth: CallAuth;
}

export interface FakeIssueComment {
  id: number;
  repo: string;
  issue_number: number;
  body: string;
  /** Login of the author: the app's bot for installation tokens, else the user. */
  user: string;
  created_at: string;
  updated_at: string;
  /** Every body the comment had, oldest first. */
  history: string[];
  auth: CallAuth;
}

export interface RecordedRequest {
  seq: number;
  method: string;
  /** Path without the /api/v3 prefix and without the query string. */
  path: string;
  query: Record<string, string>;
  /** Whether it came in under /api/v3 (GitHub Enterprise style). */
  enterprisePrefix: boolean;
  operationId: string | null;
  /** owner/name for repository-scoped calls, as written in the URL. */
  repo: string | null;
  tokenKind: CallAuth['kind'];
  auth: CallAuth;
  body: unknown;
  status: number;
  /** Set when the response came from failNext. */
  injected: boolean;
  /** x-github-delivery: probot's context clients send it with each call made for a delivery. */
  delivery: string | null;
}

export interface InvalidRequest {
  method: string;
  path: string;
  operationId: string | null;
  body: unknown;
  message: string;
  issues: SchemaIssue[];
}

export interface InvalidResponse {
  operationId: string;
  path: string;
  body: unknown;
  issues: SchemaIssue[];
}

export interface FakeGitHubState {
  installations: Map<number, FakeInstallation>;
  /** Keyed by lower-cased full name. */
  repos: Map<string, FakeRepo>;
  tokens: Map<string, FakeToken>;
  users: Map<string, FakeUser>;
  pullRequests: FakePullRequest[];
  checkRuns: FakeCheckRun[];
  statuses: FakeCommitStatus[];
  comments: FakeIssueComment[];
  requests: RecordedRequest[];
  /** Requests GitHub would reject (schema or semantic violations, unparsable JSON). */
  invalidRequests: InvalidRequest[];
  /** Responses of the fake itself that do not match GitHub's response schema (a fake bug). */
  invalidResponses: InvalidResponse[];
  /** Requests no route matched. */
  unhandled: { method: string; path: string }[];
}

export function emptyState(): FakeGitHubState {
  return {
    installations: new Map(),
    repos: new Map(),
    tokens: new Map(),
    users: new Map(),
    pullRequests: [],
    checkRuns: [],
    statuses: [],
    comments: [],
    requests: [],
    invalidRequests: [],
    invalidResponses: [],
    unhandled: [],
  };
}
