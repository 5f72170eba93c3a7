// Every operation the fake serves answers with a body that GitHub's response schema accepts,
// so code written against the fake reads the same fields it will get from GitHub.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Probot } from 'probot';
import { OPERATION_IDS } from './extract-schemas.ts';
import { FastProbotOctokit } from './fast-octokit.ts';
import { startFakeGitHub } from './server.ts';

const SHA = '6'.repeat(40);

test('all operations respond with schema-valid bodies', async (t) => {
  const fake = await startFakeGitHub();
  t.after(() => fake.close());
  fake.addInstallation({ id: 51, account: 'acme', repositories: ['acme/widget'] });
  fake.setRepoFiles('acme/widget', SHA, { 'README.md': '# hi\n', 'src/a.ml': 'let a = 1\n' }, { refs: ['main'] });
  fake.addPullRequest('acme/widget', { number: 9, headSha: SHA, headRef: 'feature', headRepo: 'forker/widget', user: 'forker' });
  const user = fake.addUser({ login: 'alice', token: 'gho_alice111111111111111111111111111111', permissions: { 'acme/widget': 'admin' } });

  const probot = new Probot({ appId: fake.app.appId, privateKey: fake.app.privateKeyPem, baseUrl: fake.url, Octokit: FastProbotOctokit, logLevel: 'fatal' });
  const app = await probot.auth();
  const o = await probot.auth(51);
  const repo = { owner: 'acme', repo: 'widget' };

  await app.rest.apps.getAuthenticated();
  await app.rest.apps.getInstallation({ installation_id: 51 });
  await app.rest.apps.getRepoInstallation(repo);
  await app.rest.apps.listInstallations();
  await app.rest.apps.createInstallationAccessToken({ installation_id: 51, repositories: ['widget'] });
  const run = await o.rest.checks.create({ ...repo, name: 'build', head_sha: SHA, external_id: 'x', started_at: new Date().toISOString() });
  await o.rest.checks.update({ ...repo, check_run_id: run.data.id, conclusion: 'neutral', output: { title: 't', summary: 's' } });
  await o.rest.checks.get({ ...repo, check_run_id: run.data.id });
  await o.rest.checks.listForRef({ ...repo, ref: 'main' });
  await o.rest.repos.createCommitStatus({ ...repo, sha: SHA, state: 'error', description: 'd' });
  const c = await o.rest.issues.createComment({ ...repo, issue_number: 9, body: 'hello' });
  await o.rest.issues.updateComment({ ...repo, comment_id: c.data.id, body: 'bye' });
  await o.rest.issues.listComments({ ...repo, issue_number: 9 });
  await o.rest.repos.getContent({ ...repo, path: 'src/a.ml' });
  await o.rest.repos.getContent({ ...repo, path: 'src' });
  await o.rest.git.getTree({ ...repo, tree_sha: SHA, recursive: 'true' });
  await o.rest.git.getCommit({ ...repo, commit_sha: SHA });
  await o.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: 'alice' });
  await o.rest.repos.get(repo);
  const pr = await o.rest.pulls.get({ ...repo, pull_number: 9 });
  assert.equal(pr.data.head.repo?.full_name, 'forker/widget');
  assert.equal(pr.data.head.repo?.fork, true);
  await o.rest.repos.downloadTarballArchive({ ...repo, ref: 'main' });
  const asUser = new FastProbotOctokit({ auth: { token: user.token }, baseUrl: fake.url });
  await asUser.rest.users.getAuthenticated();

  const succeeded = new Set(fake.requests.filter((r) => r.status < 400).map((r) => r.operationId));
  assert.deepEqual(OPERATION_IDS.filter((id) => !succeeded.has(id)), [], 'every operation was exercised');
  assert.deepEqual(fake.state.invalidResponses.map((r) => [r.operationId, r.issues.slice(0, 3)]), []);
  assert.deepEqual(fake.state.invalidRequests, []);
  assert.deepEqual(fake.state.unhandled, []);
});
