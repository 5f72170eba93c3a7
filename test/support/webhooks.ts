// Webhook deliveries for tests: GitHub's own example payloads (@octokit/webhooks-examples),
// payload builders that start from those examples so the shape stays GitHub's, and signed
// deliveries exactly as GitHub sends them.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { sign } from '@octokit/webhooks-methods';
import type { Context } from 'probot';

export type PushPayload = Context<'push'>['payload'];
export type PullRequestPayload = Context<'pull_request'>['payload'];
export type WebhookPayload = Record<string, unknown>;

export interface WebhookExample {
  event: string;
  /** The payload's `action`, or null for events without actions (push). */
  action: string | null;
  payload: WebhookPayload;
}

interface ExampleDefinition {
  name: string;
  actions: string[];
  examples: WebhookPayload[];
}

let definitions: ExampleDefinition[] | undefined;

function load(): ExampleDefinition[] {
  // 4 MB of JSON: load once per process, and only when asked.
  definitions ??= createRequire(import.meta.url)('@octokit/webhooks-examples') as ExampleDefinition[];
  return definitions;
}

/** Event names that have examples (push, pull_request, check_run, …). */
export function exampleEvents(): string[] {
  return load().map((d) => d.name);
}

/** Deep copies of GitHub's example payloads for an event, optionally of one action. */
export function examplesFor(event: string, action?: string): WebhookPayload[] {
  const def = load().find((d) => d.name === event);
  if (!def) throw new Error(`no webhook examples for event ${event}`);
  return def.examples.filter((p) => action === undefined || p.action === action).map((p) => structuredClone(p));
}

/** Every example payload, each a deep copy. */
export function allExamples(): WebhookExample[] {
  return load().flatMap((d) =>
    d.examples.map((p) => ({
      event: d.name,
      action: typeof p.action === 'string' ? p.action : null,
      payload: structuredClone(p),
    })),
  );
}

export interface SignedDelivery {
  id: string;
  headers: Record<string, string>;
  body: string;
}

/** The HTTP request GitHub would send for this event, signed with `secret`. */
export async function signedDelivery(
  secret: string,
  event: string,
  payload: unknown,
  options: { deliveryId?: string; hookId?: number; installationTargetId?: number } = {},
): Promise<SignedDelivery> {
  const body = JSON.stringify(payload);
  const id = options.deliveryId ?? randomUUID();
  return {
    id,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/cid-test',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-github-hook-id': String(options.hookId ?? 1),
      'x-github-hook-installation-target-type': 'integration',
      'x-github-hook-installation-target-id': String(options.installationTargetId ?? 1),
      'x-hub-signature-256': await sign(secret, body),
    },
  };
}

// ---- payload builders ----

type Json = Record<string, unknown>;

function pick(event: string, want: (p: Json) => boolean): Json {
  const found = examplesFor(event).find(want);
  if (!found) throw new Error(`no suitable ${event} example`);
  return found;
}

/** Replaces every occurrence of `from` with `to` in the strings of a JSON value. */
function replaceStrings<T>(value: T, from: string, to: string): T {
  if (from === to) return value;
  if (typeof value === 'string') return value.split(from).join(to) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => replaceStrings(v, from, to)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceStrings(v, from, to)])) as T;
  }
  return value;
}

function splitRepo(fullName: string): [string, string] {
  const [owner, name, ...rest] = fullName.split('/');
  if (!owner || !name || rest.length > 0) throw new Error(`repository must be owner/name: ${fullName}`);
  return [owner, name];
}

/** A stable fake numeric id for a name, so payloads built twice agree. */
function idFor(name: string): number {
  let h = 7;
  for (const c of name.toLowerCase()) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 1_000_000 + (h % 900_000_000);
}

/** Rewrites an example user object to another login. */
function retargetUser(user: Json, login: string, opts: { id?: number; type?: string } = {}): Json {
  const old = String(user.login);
  const out = replaceStrings(user, `/${old}`, `/${login}`);
  out.login = login;
  out.id = opts.id ?? idFor(login);
  out.node_id = Buffer.from(`04:User${String(out.id)}`).toString('base64');
  if ('name' in out) out.name = login;
  if ('email' in out) out.email = `${login}@users.noreply.github.com`;
  if (opts.type) out.type = opts.type;
  return out;
}

export interface RepoOverrides {
  id?: number;
  private?: boolean;
  fork?: boolean;
  defaultBranch?: string;
  ownerId?: number;
  ownerType?: 'User' | 'Organization';
}

/** Rewrites an example repository object to another owner/name, URLs included. */
function retargetRepo(repo: Json, fullName: string, o: RepoOverrides = {}): Json {
  const [owner, name] = splitRepo(fullName);
  let out = replaceStrings(repo, String(repo.full_name), fullName);
  out.owner = retargetUser(out.owner as Json, owner, {
    ...(o.ownerId !== undefined ? { id: o.ownerId } : {}),
    ...(o.ownerType ? { type: o.ownerType } : {}),
  });
  out = { ...out, name, full_name: fullName, id: o.id ?? idFor(fullName) };
  out.node_id = Buffer.from(`010:Repository${String(out.id)}`).toString('base64');
  out.private = o.private ?? false;
  out.visibility = out.private ? 'private' : 'public';
  out.fork = o.fork ?? false;
  out.default_branch = o.defaultBranch ?? 'main';
  if ('master_branch' in out) out.master_branch = out.default_branch;
  return out;
}

const ZERO_SHA = '0'.repeat(40);

export interface PushPayloadOptions extends RepoOverrides {
  /** owner/name */
  repo: string;
  /** The pushed commit (`after`). All zeros for a branch deletion. */
  sha: string;
  /** Default refs/heads/main. */
  ref?: string;
  /** Previous tip; all zeros for a new branch. Default: some other commit. */
  before?: string;
  installationId?: number;
  /** Login of the pusher. Default: the owner. */
  sender?: string;
  message?: string;
  forced?: boolean;
}

/** A push event, built from GitHub's example branch push. */
export function makePushPayload(o: PushPayloadOptions): PushPayload {
  const example = pick('push', (p) => String(p.ref).startsWith('refs/heads/') && Array.isArray(p.commits) && p.commits.length === 1);
  const oldFull = String((example.repository as Json).full_name);
  const oldSha = String(example.after);
  const [owner] = splitRepo(o.repo);
  const before = o.before ?? '1'.repeat(40);
  const ref = o.ref ?? 'refs/heads/main';
  const deleted = o.sha === ZERO_SHA;
  let p = replaceStrings(example, `github.com/${oldFull}/`, `github.com/${o.repo}/`);
  p = replaceStrings(p, oldSha, o.sha);
  const senderLogin = o.sender ?? owner;
  const commit = (p.head_commit ?? {}) as Json;
  const author = { name: senderLogin, email: `${senderLogin}@users.noreply.github.com`, username: senderLogin };
  Object.assign(commit, { id: o.sha, message: o.message ?? 'Update', author, committer: author });
  const payload: Json = {
    ...p,
    ref,
    before,
    after: o.sha,
    created: before === ZERO_SHA,
    deleted,
    forced: o.forced ?? false,
    base_ref: null,
    compare:
      before === ZERO_SHA
        ? `https://github.com/${o.repo}/commit/${o.sha}`
        : `https://github.com/${o.repo}/compare/${before.slice(0, 12)}...${o.sha.slice(0, 12)}`,
    commits: deleted ? [] : [commit],
    head_commit: deleted ? null : commit,
    pusher: { name: senderLogin, email: `${senderLogin}@users.noreply.github.com` },
    sender: retargetUser(p.sender as Json, senderLogin),
    repository: retargetRepo(p.repository as Json, o.repo, o),
  };
  if (o.installationId !== undefined) payload.installation = installationRef(o.installationId);
  else delete payload.installation;
  return payload as unknown as PushPayload;
}

function installationRef(id: number): Json {
  return { id, node_id: Buffer.from(`023:IntegrationInstallation${id}`).toString('base64') };
}

export interface PullRequestPayloadOptions {
  /** Default 'opened'. */
  action?: string;
  number: number;
  headSha: string;
  headRef: string;
  /** owner/name of the repository the pull request is against. */
  baseRepo: string;
  /** owner/name the head branch lives in; set a different one for a pull request from a fork. */
  headRepo?: string;
  baseRef?: string;
  baseSha?: string;
  installationId?: number;
  /** Author and sender login. Default: the head repository's owner. */
  user?: string;
  title?: string;
  body?: string | null;
  draft?: boolean;
  /** For action 'synchronize': the previous head. */
  before?: string;
  baseRepoOverrides?: RepoOverrides;
  headRepoOverrides?: RepoOverrides;
}

/** A pull_request event, built from GitHub's example of the same action when there is one. */
export function makePullRequestPayload(o: PullRequestPayloadOptions): PullRequestPayload {
  const action = o.action ?? 'opened';
  const candidates = examplesFor('pull_request');
  const example =
    candidates.find((p) => p.action === action && p.installation && !p.organization) ??
    candidates.find((p) => p.action === action) ??
    pick('pull_request', (p) => p.action === 'opened' && p.installation !== undefined);
  const pr0 = example.pull_request as Json;
  const oldFull = String((example.repository as Json).full_name);
  const oldHead = pr0.head as Json;
  const oldNumber = Number(example.number);
  const headFull = o.headRepo ?? o.baseRepo;
  const fork = headFull.toLowerCase() !== o.baseRepo.toLowerCase();
  const [headOwner] = splitRepo(headFull);
  const [baseOwner] = splitRepo(o.baseRepo);
  const userLogin = o.user ?? headOwner;

  let pr = replaceStrings(pr0, String(oldHead.sha), o.headSha);
  pr = replaceStrings(pr, `/${oldFull}/`, `/${o.baseRepo}/`);
  for (const segment of ['pull', 'pulls', 'issues']) {
    pr = replaceStrings(pr, `/${o.baseRepo}/${segment}/${oldNumber}`, `/${o.baseRepo}/${segment}/${o.number}`);
  }
  const baseRepo = retargetRepo((pr0.base as Json).repo as Json, o.baseRepo, o.baseRepoOverrides);
  const headRepo = fork
    ? retargetRepo(oldHead.repo as Json, headFull, { fork: true, ...o.headRepoOverrides })
    : baseRepo;
  const user = retargetUser(pr0.user as Json, userLogin);
  const baseRef = o.baseRef ?? String(baseRepo.default_branch);
  pr = {
    ...pr,
    number: o.number,
    id: idFor(`${o.baseRepo}#${o.number}`),
    title: o.title ?? (pr.title as string),
    body: o.body === undefined ? (pr.body as string | null) : o.body,
    draft: o.draft ?? false,
    state: action === 'closed' ? 'closed' : 'open',
    user,
    // The example's other people become the author, so no stray example logins remain.
    assignee: pr.assignee ? retargetUser(pr.assignee as Json, userLogin) : null,
    assignees: (pr.assignees as Json[]).map((a) => retargetUser(a, userLogin)),
    head: {
      ...(pr.head as Json),
      label: `${headOwner}:${o.headRef}`,
      ref: o.headRef,
      sha: o.headSha,
      user: retargetUser((pr.head as Json).user as Json, headOwner),
      repo: headRepo,
    },
    base: {
      ...(pr.base as Json),
      label: `${baseOwner}:${baseRef}`,
      ref: baseRef,
      sha: o.baseSha ?? (pr.base as Json).sha,
      user: retargetUser((pr.base as Json).user as Json, baseOwner),
      repo: baseRepo,
    },
  };
  const payload: Json = {
    ...example,
    action,
    number: o.number,
    pull_request: pr,
    repository: baseRepo,
    sender: retargetUser(example.sender as Json, userLogin),
  };
  if (payload.assignee) payload.assignee = retargetUser(payload.assignee as Json, userLogin);
  if (action === 'synchronize') {
    payload.before = o.before ?? '1'.repeat(40);
    payload.after = o.headSha;
  }
  delete payload.organization;
  if (o.installationId !== undefined) payload.installation = installationRef(o.installationId);
  else delete payload.installation;
  return payload as unknown as PullRequestPayload;
}
