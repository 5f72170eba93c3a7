// Builders for GitHub's response objects. Each carries every field GitHub's schema requires (a
// test validates them against it), with API URLs pointing back at the fake.
import type {
  FakeAccount,
  FakeCheckRun,
  FakeCommitStatus,
  FakeInstallation,
  FakeIssueComment,
  FakePullRequest,
  FakeRepo,
  FakeUser,
  PermissionSet,
} from './state.ts';
import type { RepoSnapshot } from './repo-snapshot.ts';

export interface ShapeContext {
  /** e.g. http://127.0.0.1:1234 or http://127.0.0.1:1234/api/v3 */
  apiBase: string;
  /** e.g. https://github.com */
  htmlBase: string;
  app: { id: number; slug: string; clientId: string; name: string; owner: FakeAccount; events: string[]; permissions: PermissionSet };
  /** Looks a repository up by full name (for PR heads in other repos). */
  repo(fullName: string): FakeRepo | undefined;
}

const EPOCH = '2020-01-01T00:00:00Z';

function nodeId(kind: string, id: number): string {
  return Buffer.from(`0:${kind}${id}`).toString('base64');
}

export function simpleUser(ctx: ShapeContext, account: FakeAccount | { login: string; id: number; type: string }) {
  const u = `${ctx.apiBase}/users/${account.login}`;
  return {
    login: account.login,
    id: account.id,
    node_id: nodeId(account.type, account.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${account.id}?v=4`,
    gravatar_id: '',
    url: u,
    html_url: `${ctx.htmlBase}/${account.login}`,
    followers_url: `${u}/followers`,
    following_url: `${u}/following{/other_user}`,
    gists_url: `${u}/gists{/gist_id}`,
    starred_url: `${u}/starred{/owner}{/repo}`,
    subscriptions_url: `${u}/subscriptions`,
    organizations_url: `${u}/orgs`,
    repos_url: `${u}/repos`,
    events_url: `${u}/events{/privacy}`,
    received_events_url: `${u}/received_events`,
    type: account.type,
    site_admin: false,
    user_view_type: 'public',
  };
}

/** The app's bot user, author of everything done with installation tokens. */
export function botAccount(ctx: ShapeContext): { login: string; id: number; type: string } {
  return { login: `${ctx.app.slug}[bot]`, id: 10_000_000 + ctx.app.id, type: 'Bot' };
}

/**
 * An installation's account. GitHub's list-installations schema combines simple-user and
 * enterprise with allOf, so the account carries the enterprise fields too.
 */
function installationAccount(ctx: ShapeContext, account: FakeAccount) {
  return {
    ...simpleUser(ctx, account),
    name: account.login,
    slug: account.login,
    created_at: EPOCH,
    updated_at: EPOCH,
    description: null,
    website_url: null,
  };
}

export function integration(ctx: ShapeContext) {
  const { app } = ctx;
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId('Integration', app.id),
    client_id: app.clientId,
    owner: simpleUser(ctx, app.owner),
    name: app.name,
    description: 'Continuous integration for OCaml projects (test app)',
    external_url: `${ctx.htmlBase}/apps/${app.slug}`,
    html_url: `${ctx.htmlBase}/apps/${app.slug}`,
    created_at: EPOCH,
    updated_at: EPOCH,
    permissions: app.permissions,
    events: app.events,
    installations_count: 1,
  };
}

export function installation(ctx: ShapeContext, inst: FakeInstallation) {
  return {
    id: inst.id,
    account: installationAccount(ctx, inst.account),
    repository_selection: inst.repositorySelection,
    access_tokens_url: `${ctx.apiBase}/app/installations/${inst.id}/access_tokens`,
    repositories_url: `${ctx.apiBase}/installation/repositories`,
    html_url: `${ctx.htmlBase}/${inst.account.type === 'Organization' ? `organizations/${inst.account.login}/` : ''}settings/installations/${inst.id}`,
    app_id: ctx.app.id,
    app_slug: ctx.app.slug,
    target_id: inst.account.id,
    target_type: inst.account.type,
    permissions: inst.permissions,
    events: inst.events,
    created_at: inst.createdAt,
    updated_at: inst.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: inst.suspended ? inst.createdAt : null,
  };
}

/** A full repository: satisfies both the `repository` and `full-repository` schemas. */
export function repository(ctx: ShapeContext, repo: FakeRepo) {
  const u = `${ctx.apiBase}/repos/${repo.fullName}`;
  const html = `${ctx.htmlBase}/${repo.fullName}`;
  const host = new URL(ctx.htmlBase).host;
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: repo.fullName,
    owner: simpleUser(ctx, repo.owner),
    private: repo.private,
    visibility: repo.private ? 'private' : 'public',
    html_url: html,
    description: null,
    fork: repo.fork,
    url: u,
    archive_url: `${u}/{archive_format}{/ref}`,
    assignees_url: `${u}/assignees{/user}`,
    blobs_url: `${u}/git/blobs{/sha}`,
    branches_url: `${u}/branches{/branch}`,
    collaborators_url: `${u}/collaborators{/collaborator}`,
    comments_url: `${u}/comments{/number}`,
    commits_url: `${u}/commits{/sha}`,
    compare_url: `${u}/compare/{base}...{head}`,
    contents_url: `${u}/contents/{+path}`,
    contributors_url: `${u}/contributors`,
    deployments_url: `${u}/deployments`,
    downloads_url: `${u}/downloads`,
    events_url: `${u}/events`,
    forks_url: `${u}/forks`,
    git_commits_url: `${u}/git/commits{/sha}`,
    git_refs_url: `${u}/git/refs{/sha}`,
    git_tags_url: `${u}/git/tags{/sha}`,
    git_url: `git://${host}/${repo.fullName}.git`,
    issue_comment_url: `${u}/issues/comments{/number}`,
    issue_events_url: `${u}/issues/events{/number}`,
    issues_url: `${u}/issues{/number}`,
    keys_url: `${u}/keys{/key_id}`,
    labels_url: `${u}/labels{/name}`,
    languages_url: `${u}/languages`,
    merges_url: `${u}/merges`,
    milestones_url: `${u}/milestones{/number}`,
    notifications_url: `${u}/notifications{?since,all,participating}`,
    pulls_url: `${u}/pulls{/number}`,
    releases_url: `${u}/releases{/id}`,
    ssh_url: `git@${host}:${repo.fullName}.git`,
    stargazers_url: `${u}/stargazers`,
    statuses_url: `${u}/statuses/{sha}`,
    subscribers_url: `${u}/subscribers`,
    subscription_url: `${u}/subscription`,
    tags_url: `${u}/tags`,
    teams_url: `${u}/teams`,
    trees_url: `${u}/git/trees{/sha}`,
    clone_url: `${html}.git`,
    mirror_url: null,
    hooks_url: `${u}/hooks`,
    svn_url: html,
    homepage: null,
    language: 'OCaml',
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues_count: 0,
    open_issues: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    pushed_at: repo.createdAt,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
    network_count: 0,
    subscribers_count: 0,
  };
}

export function checkRun(ctx: ShapeContext, run: FakeCheckRun) {
  const u = `${ctx.apiBase}/repos/${run.repo}/check-runs/${run.id}`;
  return {
    id: run.id,
    node_id: nodeId('CheckRun', run.id),
    head_sha: run.head_sha,
    external_id: run.external_id,
    url: u,
    html_url: `${ctx.htmlBase}/${run.repo}/runs/${run.id}`,
    details_url: run.details_url,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.started_at,
    completed_at: run.completed_at,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.annotations.length,
      annotations_url: `${u}/annotations`,
    },
    name: run.name,
    // One suite per head commit, as GitHub groups an app's runs.
    check_suite: { id: suiteId(run.repo, run.head_sha) },
    app: integration(ctx),
    pull_requests: [],
  };
}

function suiteId(repo: string, sha: string): number {
  let h = 0;
  for (const c of `${repo.toLowerCase()}@${sha}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 1 + (h % 2_000_000_000);
}

export function commitStatus(ctx: ShapeContext, s: FakeCommitStatus, creator: { login: string; id: number; type: string }) {
  return {
    url: `${ctx.apiBase}/repos/${s.repo}/statuses/${s.sha}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${creator.id}?v=4`,
    id: s.id,
    node_id: nodeId('StatusContext', s.id),
    state: s.state,
    description: s.description,
    target_url: s.target_url,
    context: s.context,
    created_at: s.created_at,
    updated_at: s.created_at,
    creator: simpleUser(ctx, creator),
  };
}

export function issueComment(ctx: ShapeContext, c: FakeIssueComment, author: { login: string; id: number; type: string }, viaApp: boolean) {
  return {
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    url: `${ctx.apiBase}/repos/${c.repo}/issues/comments/${c.id}`,
    html_url: `${ctx.htmlBase}/${c.repo}/pull/${c.issue_number}#issuecomment-${c.id}`,
    body: c.body,
    user: simpleUser(ctx, author),
    created_at: c.created_at,
    updated_at: c.updated_at,
    issue_url: `${ctx.apiBase}/repos/${c.repo}/issues/${c.issue_number}`,
    author_association: 'NONE',
    performed_via_github_app: viaApp ? integration(ctx) : null,
    reactions: {
      url: `${ctx.apiBase}/repos/${c.repo}/issues/comments/${c.id}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0,
    },
  };
}

export function privateUser(ctx: ShapeContext, user: FakeUser) {
  return {
    ...simpleUser(ctx, { login: user.login, id: user.id, type: 'User' }),
    name: user.name,
    company: null,
    blog: '',
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: EPOCH,
    updated_at: EPOCH,
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: true,
  };
}

export function pullRequest(ctx: ShapeContext, pr: FakePullRequest, author: FakeAccount) {
  const baseRepo = ctx.repo(pr.base.repo);
  const headRepo = ctx.repo(pr.head.repo);
  if (!baseRepo || !headRepo) throw new Error(`pull request ${pr.repo}#${pr.number} names an unknown repository`);
  const u = `${ctx.apiBase}/repos/${baseRepo.fullName}/pulls/${pr.number}`;
  const issue = `${ctx.apiBase}/repos/${baseRepo.fullName}/issues/${pr.number}`;
  const html = `${ctx.htmlBase}/${baseRepo.fullName}/pull/${pr.number}`;
  const side = (s: { ref: string; sha: string }, repo: FakeRepo) => ({
    label: `${repo.owner.login}:${s.ref}`,
    ref: s.ref,
    sha: s.sha,
    user: simpleUser(ctx, repo.owner),
    repo: repository(ctx, repo),
  });
  return {
    url: u,
    id: pr.id,
    node_id: nodeId('PullRequest', pr.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${u}/commits`,
    review_comments_url: `${u}/comments`,
    review_comment_url: `${ctx.apiBase}/repos/${baseRepo.fullName}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: `${ctx.apiBase}/repos/${baseRepo.fullName}/statuses/${pr.head.sha}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: simpleUser(ctx, author),
    body: pr.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.createdAt,
    closed_at: pr.state === 'closed' ? pr.createdAt : null,
    merged_at: pr.merged ? pr.createdAt : null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pr.head, headRepo),
    base: side(pr.base, baseRepo),
    _links: {
      self: { href: u },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${u}/comments` },
      review_comment: { href: `${ctx.apiBase}/repos/${baseRepo.fullName}/pulls/comments{/number}` },
      commits: { href: `${u}/commits` },
      statuses: { href: `${ctx.apiBase}/repos/${baseRepo.fullName}/statuses/${pr.head.sha}` },
    },
    author_association: 'CONTRIBUTOR',
    auto_merge: null,
    draft: pr.draft,
    merged: pr.merged,
    mergeable: pr.state === 'open' ? true : null,
    rebaseable: pr.state === 'open' ? true : null,
    mergeable_state: 'clean',
    merged_by: null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: headRepo.id !== baseRepo.id,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

/** git/get-commit: a commit set with setRepoFiles, authored and committed by the repository's owner. */
export function gitCommit(ctx: ShapeContext, repo: FakeRepo, snapshot: RepoSnapshot) {
  const api = `${ctx.apiBase}/repos/${repo.fullName}`;
  const html = `${ctx.htmlBase}/${repo.fullName}`;
  const person = { name: repo.owner.login, email: `${repo.owner.login}@users.noreply.github.com`, date: snapshot.commit.date };
  return {
    sha: snapshot.commitSha,
    node_id: Buffer.from(`06:Commit${repo.id}:${snapshot.commitSha}`).toString('base64'),
    url: `${api}/git/commits/${snapshot.commitSha}`,
    html_url: `${html}/commit/${snapshot.commitSha}`,
    author: person,
    committer: person,
    tree: { sha: snapshot.treeSha, url: `${api}/git/trees/${snapshot.treeSha}` },
    message: snapshot.commit.message,
    parents: snapshot.commit.parents.map((sha) => ({ sha, url: `${api}/git/commits/${sha}`, html_url: `${html}/commit/${sha}` })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}
