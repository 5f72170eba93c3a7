// The fake's model of GitHub: what tests set up and the lookups handlers need. No HTTP here.
import { randomBytes } from 'node:crypto';
import type { AppCredentials } from './app-credentials.ts';
import { buildSnapshot } from './repo-snapshot.ts';
import type { RepoFiles, RepoSnapshot } from './repo-snapshot.ts';
import { emptyState } from './state.ts';
import type {
  AccessLevel,
  FakeAccount,
  FakeGitHubState,
  FakeInstallation,
  FakePullRequest,
  FakeRepo,
  FakeToken,
  FakeUser,
  PermissionSet,
  RepoRole,
} from './state.ts';

export interface WorldOptions {
  app: AppCredentials;
  /** Clock for token expiry and JWT checks, in ms since the epoch. */
  now: () => number;
  tokenTtlMs: number;
  /** Permissions new installations get unless the test says otherwise. */
  defaultPermissions: PermissionSet;
  events: string[];
}

export interface InstallationSetup {
  id: number;
  /** Login of the user or organization the app is installed on, or the account itself. */
  account: string | { login: string; id?: number; type?: 'User' | 'Organization' };
  /** Full names (owner/repo) of the repositories the installation can access. */
  repositories?: string[];
  /** 'all' also covers repositories of the account added later. Default 'selected'. */
  repositorySelection?: 'all' | 'selected';
  permissions?: PermissionSet;
  events?: string[];
  suspended?: boolean;
}

export interface RepoSetup {
  id?: number;
  private?: boolean;
  fork?: boolean;
  defaultBranch?: string;
  ownerType?: 'User' | 'Organization';
}

export interface UserSetup {
  login: string;
  id?: number;
  name?: string;
  /** OAuth user token the user calls the API with; must look like one (gho_…, ghu_…). */
  token?: string;
  /** Role per repository full name. */
  permissions?: Record<string, RepoRole>;
}

export interface PullRequestSetup {
  number: number;
  headSha: string;
  headRef: string;
  /** Full name of the head repository, for pull requests from forks. Default: the base repo. */
  headRepo?: string;
  baseRef?: string;
  baseSha?: string;
  title?: string;
  body?: string | null;
  /** Login of the author. Default: the head repository's owner. */
  user?: string;
  state?: 'open' | 'closed';
  draft?: boolean;
  merged?: boolean;
}

export interface SnapshotSetup {
  /** Branches or tags (e.g. 'main') to point at the commit. */
  refs?: string[];
  /** The commit's message (git/get-commit). Default 'Update'. */
  message?: string;
  /** Parent commit SHAs. Default none. */
  parents?: string[];
}

export interface TokenRequest {
  /** Repository names (without owner) or full names to restrict the token to. */
  repositories?: string[];
  repositoryIds?: number[];
  permissions?: PermissionSet;
}

export type TokenRequestResult = { ok: true; token: FakeToken } | { ok: false; status: 404 | 403 | 422; message: string };

export const LEVELS: Record<AccessLevel, number> = { read: 1, write: 2, admin: 3 };

const USER_TOKEN = /^(gho|ghu|ghp)_[A-Za-z0-9]+$|^github_pat_\w+$/;

function key(fullName: string): string {
  return fullName.toLowerCase();
}

function splitFullName(fullName: string): [string, string] {
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(fullName);
  if (!m) throw new Error(`repository must be owner/name: ${JSON.stringify(fullName)}`);
  return [m[1] as string, m[2] as string];
}

export class FakeWorld {
  readonly state: FakeGitHubState = emptyState();
  /** Short-lived tickets in tarball redirect URLs, like codeload's `?token=`. */
  readonly downloadTickets = new Map<string, { repo: string; sha: string; expiresAt: number }>();
  private readonly accounts = new Map<string, FakeAccount>();
  private nextIds = {
    account: 100_001,
    repo: 500_001,
    checkRun: 1_000_001,
    status: 2_000_001,
    comment: 3_000_001,
    pull: 4_000_001,
  };

  constructor(readonly options: WorldOptions) {}

  now(): Date {
    return new Date(this.options.now());
  }

  nowIso(): string {
    return this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  nextId(kind: keyof FakeWorld['nextIds']): number {
    const id = this.nextIds[kind];
    this.nextIds[kind] = id + 1;
    return id;
  }

  account(login: string, opts: { id?: number; type?: 'User' | 'Organization' } = {}): FakeAccount {
    let acc = this.accounts.get(login.toLowerCase());
    if (!acc) {
      acc = { login, id: opts.id ?? this.nextId('account'), type: opts.type ?? 'Organization' };
      this.accounts.set(login.toLowerCase(), acc);
    } else {
      if (opts.id !== undefined) acc.id = opts.id;
      if (opts.type !== undefined) acc.type = opts.type;
    }
    return acc;
  }

  /** Adds a repository, or updates the given settings of an existing one. */
  addRepo(fullName: string, setup: RepoSetup = {}): FakeRepo {
    const [owner, name] = splitFullName(fullName);
    const existing = this.state.repos.get(key(fullName));
    if (existing) {
      if (setup.id !== undefined) existing.id = setup.id;
      if (setup.private !== undefined) existing.private = setup.private;
      if (setup.fork !== undefined) existing.fork = setup.fork;
      if (setup.defaultBranch !== undefined) existing.defaultBranch = setup.defaultBranch;
      if (setup.ownerType !== undefined) existing.owner.type = setup.ownerType;
      return existing;
    }
    const repo: FakeRepo = {
      id: setup.id ?? this.nextId('repo'),
      owner: this.account(owner, setup.ownerType ? { type: setup.ownerType } : {}),
      name,
      fullName,
      private: setup.private ?? false,
      fork: setup.fork ?? false,
      defaultBranch: setup.defaultBranch ?? 'main',
      createdAt: '2021-01-01T00:00:00Z',
      refs: new Map(),
      snapshots: new Map(),
      latestSha: null,
    };
    this.state.repos.set(key(fullName), repo);
    return repo;
  }

  findRepo(fullName: string): FakeRepo | undefined {
    return this.state.repos.get(key(fullName));
  }

  findRepoById(id: number): FakeRepo | undefined {
    for (const r of this.state.repos.values()) if (r.id === id) return r;
    return undefined;
  }

  addInstallation(setup: InstallationSetup): FakeInstallation {
    if (this.state.installations.has(setup.id)) throw new Error(`installation ${setup.id} already exists`);
    const accSetup = typeof setup.account === 'string' ? { login: setup.account } : setup.account;
    const account = this.account(accSetup.login, accSetup);
    const repositories = (setup.repositories ?? []).map((fullName) => {
      const [owner] = splitFullName(fullName);
      if (owner.toLowerCase() !== account.login.toLowerCase()) {
        throw new Error(`installation ${setup.id} is on ${account.login}; it cannot include ${fullName}`);
      }
      return this.addRepo(fullName).fullName;
    });
    const inst: FakeInstallation = {
      id: setup.id,
      account,
      repositorySelection: setup.repositorySelection ?? 'selected',
      repositories,
      permissions: { ...(setup.permissions ?? this.options.defaultPermissions) },
      events: setup.events ?? this.options.events,
      suspended: setup.suspended ?? false,
      createdAt: '2022-01-01T00:00:00Z',
    };
    this.state.installations.set(inst.id, inst);
    return inst;
  }

  /** The repositories an installation covers right now. */
  installationRepos(inst: FakeInstallation): FakeRepo[] {
    if (inst.repositorySelection === 'all') {
      return [...this.state.repos.values()].filter((r) => r.owner.login.toLowerCase() === inst.account.login.toLowerCase());
    }
    return inst.repositories.map((n) => this.findRepo(n)).filter((r): r is FakeRepo => r !== undefined);
  }

  installationCovers(inst: FakeInstallation, repo: FakeRepo): boolean {
    return this.installationRepos(inst).some((r) => r.id === repo.id);
  }

  installationForRepo(repo: FakeRepo): FakeInstallation | undefined {
    for (const inst of this.state.installations.values()) if (this.installationCovers(inst, repo)) return inst;
    return undefined;
  }

  addUser(setup: UserSetup): FakeUser {
    if (setup.token !== undefined && !USER_TOKEN.test(setup.token)) {
      throw new Error(`user token should look like GitHub's (gho_…, ghu_…, ghp_…): ${setup.token}`);
    }
    const acc = this.account(setup.login, { type: 'User', ...(setup.id !== undefined ? { id: setup.id } : {}) });
    const user: FakeUser = {
      login: acc.login,
      id: acc.id,
      name: setup.name ?? null,
      token: setup.token ?? null,
      permissions: Object.fromEntries(Object.entries(setup.permissions ?? {}).map(([r, role]) => [key(r), role])),
    };
    this.state.users.set(user.login.toLowerCase(), user);
    return user;
  }

  findUser(login: string): FakeUser | undefined {
    return this.state.users.get(login.toLowerCase());
  }

  userByToken(token: string): FakeUser | undefined {
    for (const u of this.state.users.values()) if (u.token === token) return u;
    return undefined;
  }

  addPullRequest(repoName: string, setup: PullRequestSetup): FakePullRequest {
    const base = this.findRepo(repoName) ?? this.addRepo(repoName);
    const head = setup.headRepo ? (this.findRepo(setup.headRepo) ?? this.addRepo(setup.headRepo, { fork: true })) : base;
    const pr: FakePullRequest = {
      repo: base.fullName,
      number: setup.number,
      id: this.nextId('pull'),
      title: setup.title ?? `Pull request #${setup.number}`,
      body: setup.body ?? null,
      state: setup.state ?? 'open',
      draft: setup.draft ?? false,
      merged: setup.merged ?? false,
      user: setup.user ?? head.owner.login,
      head: { ref: setup.headRef, sha: setup.headSha, repo: head.fullName },
      base: { ref: setup.baseRef ?? base.defaultBranch, sha: setup.baseSha ?? '0'.repeat(40), repo: base.fullName },
      createdAt: this.nowIso(),
    };
    this.account(pr.user, { type: 'User' });
    this.state.pullRequests = this.state.pullRequests.filter(
      (p) => !(key(p.repo) === key(base.fullName) && p.number === setup.number),
    );
    this.state.pullRequests.push(pr);
    return pr;
  }

  findPullRequest(repo: FakeRepo, number: number): FakePullRequest | undefined {
    return this.state.pullRequests.find((p) => key(p.repo) === key(repo.fullName) && p.number === number);
  }

  setRepoFiles(repoName: string, sha: string, files: RepoFiles, opts: SnapshotSetup = {}): RepoSnapshot {
    const repo = this.findRepo(repoName) ?? this.addRepo(repoName);
    const snapshot = buildSnapshot(sha, files, {
      date: this.nowIso(),
      ...(opts.message !== undefined ? { message: opts.message } : {}),
      ...(opts.parents !== undefined ? { parents: opts.parents } : {}),
    });
    repo.snapshots.set(sha, snapshot);
    repo.latestSha = sha;
    for (const ref of opts.refs ?? []) this.setRef(repoName, ref, sha);
    return snapshot;
  }

  setRef(repoName: string, ref: string, sha: string): void {
    const repo = this.findRepo(repoName) ?? this.addRepo(repoName);
    repo.refs.set(ref.replace(/^refs\/(heads|tags)\//, ''), sha);
  }

  /** Resolves a commit SHA, branch or tag name (optionally refs/…-qualified); no ref = default branch. */
  resolveRef(repo: FakeRepo, ref: string | undefined): string | undefined {
    if (ref === undefined || ref === '') return repo.refs.get(repo.defaultBranch) ?? repo.latestSha ?? undefined;
    const short = ref.replace(/^refs\/(heads|tags)\//, '');
    const named = repo.refs.get(short);
    if (named) return named;
    if (/^[0-9a-f]{40}$/.test(ref)) return ref;
    // GitHub accepts an abbreviated SHA too.
    if (/^[0-9a-f]{7,39}$/.test(ref)) {
      for (const sha of repo.snapshots.keys()) if (sha.startsWith(ref)) return sha;
    }
    return undefined;
  }

  /** Mints an installation access token; the checks mirror GitHub's. */
  requestToken(installationId: number, req: TokenRequest = {}): TokenRequestResult {
    const inst = this.state.installations.get(installationId);
    if (!inst) return { ok: false, status: 404, message: 'Not Found' };
    if (inst.suspended) return { ok: false, status: 403, message: 'This installation has been suspended' };
    const covered = this.installationRepos(inst);
    let repositories: string[] | null = null;
    if (req.repositories !== undefined || req.repositoryIds !== undefined) {
      const chosen = new Map<number, FakeRepo>();
      for (const name of req.repositories ?? []) {
        const full = name.includes('/') ? name : `${inst.account.login}/${name}`;
        const repo = covered.find((r) => key(r.fullName) === key(full));
        if (!repo) return { ok: false, status: 422, message: 'There is at least one repository that does not exist or is not accessible to the parent installation.' };
        chosen.set(repo.id, repo);
      }
      for (const id of req.repositoryIds ?? []) {
        const repo = covered.find((r) => r.id === id);
        if (!repo) return { ok: false, status: 422, message: 'There is at least one repository that does not exist or is not accessible to the parent installation.' };
        chosen.set(repo.id, repo);
      }
      repositories = [...chosen.values()].map((r) => r.fullName);
    }
    let permissions = { ...inst.permissions };
    if (req.permissions !== undefined) {
      for (const [name, level] of Object.entries(req.permissions)) {
        const granted = inst.permissions[name];
        if (!granted || LEVELS[granted] < LEVELS[level]) {
          return { ok: false, status: 422, message: 'The permissions requested are not granted to this installation.' };
        }
      }
      permissions = { ...req.permissions };
    }
    const now = this.now();
    const token: FakeToken = {
      token: `ghs_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`,
      installationId,
      repositories,
      permissions,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.options.tokenTtlMs),
      revoked: false,
    };
    this.state.tokens.set(token.token, token);
    return { ok: true, token };
  }

  /** The token if it exists, is not revoked and has not expired. */
  liveToken(token: string): FakeToken | undefined {
    const t = this.state.tokens.get(token);
    if (!t || t.revoked || t.expiresAt.getTime() <= this.options.now()) return undefined;
    return t;
  }

  /** Whether a token may act on a repository, ignoring permissions. */
  tokenCoversRepo(t: FakeToken, repo: FakeRepo): boolean {
    const inst = this.state.installations.get(t.installationId);
    if (!inst || !this.installationCovers(inst, repo)) return false;
    return t.repositories === null || t.repositories.some((n) => key(n) === key(repo.fullName));
  }

  /** Makes an access token for this installation — for tests that skip the JWT exchange. */
  mintToken(installationId: number, req: TokenRequest = {}): FakeToken {
    const result = this.requestToken(installationId, req);
    if (!result.ok) throw new Error(`cannot mint a token for installation ${installationId}: ${result.message}`);
    return result.token;
  }

  /** Generates a random user token string in GitHub's OAuth format. */
  static userToken(): string {
    return `gho_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`;
  }
}
