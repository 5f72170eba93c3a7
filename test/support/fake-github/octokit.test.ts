// End to end through the same client production uses: probot's Octokit with App auth.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { Probot } from 'probot';
import { FastProbotOctokit } from './fast-octokit.ts';
import { startFakeGitHub } from './server.ts';

const SHA = '4'.repeat(40);

async function setup(t: TestContext) {
  const fake = await startFakeGitHub();
  t.after(() => fake.close());
  fake.addInstallation({ id: 21, account: 'acme', repositories: ['acme/widget', 'acme/gadget'] });
  fake.addInstallation({ id: 22, account: 'zeta', repositories: ['zeta/lib'] });
  return fake;
}

function probotFor(baseUrl: string, app: { appId: number; privateKeyPem: string }, opts: { fast?: boolean } = {}) {
  return new Probot({
    appId: app.appId,
    privateKey: app.privateKeyPem,
    baseUrl,
    logLevel: 'fatal',
    // Stock ProbotOctokit spaces writes 1-3 s apart; FastProbotOctokit does not wait.
    ...(opts.fast ? { Octokit: FastProbotOctokit } : {}),
  });
}

test('probot auth + checks.create/update work against the fake', async (t) => {
  const fake = await setup(t);
  const probot = probotFor(fake.url, fake.app);
  const octokit = await probot.auth(21);
  const created = await octokit.rest.checks.create({ owner: 'acme', repo: 'widget', name: 'build', head_sha: SHA, status: 'queued' });
  assert.equal(created.status, 201);
  const updated = await octokit.rest.checks.update({
    owner: 'acme',
    repo: 'widget',
    check_run_id: created.data.id,
    status: 'completed',
    conclusion: 'success',
    output: { title: 'OK', summary: 'all good' },
  });
  assert.equal(updated.data.conclusion, 'success');

  const [tokenRequest, ...calls] = fake.requests;
  assert.equal(tokenRequest?.operationId, 'apps/create-installation-access-token');
  assert.equal(tokenRequest?.tokenKind, 'jwt');
  // Each check-run call used a live token minted for installation 21.
  for (const call of calls) {
    assert.equal(call.tokenKind, 'installation');
    const info = fake.tokenInfo(call.auth.token ?? '');
    assert.equal(info?.installationId, 21);
  }
  assert.deepEqual(calls.map((c) => c.operationId), ['checks/create', 'checks/update']);
  assert.deepEqual(fake.state.invalidRequests, []);
  assert.deepEqual(fake.state.invalidResponses, []);
  assert.deepEqual(fake.state.unhandled, []);
});

test('a schema violation surfaces in Octokit as a 422 RequestError', async (t) => {
  const fake = await setup(t);
  const octokit = await probotFor(fake.url, fake.app).auth(21);
  // Octokit's types already forbid this; untyped (or cast) code would still send it.
  const bogus = 'bogus' as 'queued';
  await assert.rejects(
    octokit.request('POST /repos/{owner}/{repo}/check-runs', { owner: 'acme', repo: 'widget', name: 'x', head_sha: SHA, status: bogus }),
    (err: { status?: number; message?: string }) => err.status === 422 && /status/.test(err.message ?? ''),
  );
  assert.equal(fake.state.invalidRequests.length, 1);
});

test('GitHub Enterprise style base URL (/api/v3) works the same', async (t) => {
  const fake = await setup(t);
  const octokit = await probotFor(fake.enterpriseUrl, fake.app).auth(22);
  const res = await octokit.rest.repos.createCommitStatus({ owner: 'zeta', repo: 'lib', sha: SHA, state: 'success', context: 'cid' });
  assert.equal(res.status, 201);
  assert.ok(res.data.url.startsWith(`${fake.enterpriseUrl}/repos/zeta/lib/`));
  assert.ok(fake.requests.every((r) => r.enterprisePrefix));
  assert.deepEqual(fake.state.statuses.map((s) => s.repo), ['zeta/lib']);
});

test('a per-repository token (as production mints them) is restricted on the fake', async (t) => {
  const fake = await setup(t);
  const probot = probotFor(fake.url, fake.app);
  const appOctokit = await probot.auth();
  const { data } = await appOctokit.rest.apps.createInstallationAccessToken({ installation_id: 21, repositories: ['gadget'] });
  const octokit = new FastProbotOctokit({ auth: { token: data.token }, baseUrl: fake.url });
  await octokit.rest.checks.create({ owner: 'acme', repo: 'gadget', name: 'build', head_sha: SHA });
  await assert.rejects(octokit.rest.checks.create({ owner: 'acme', repo: 'widget', name: 'build', head_sha: SHA }), { status: 404 });
  const perRepo = fake.requestsFor('checks/create').map((r) => [r.repo, r.status, fake.tokenInfo(r.auth.token ?? '')?.repositories]);
  assert.deepEqual(perRepo, [
    ['acme/gadget', 201, ['acme/gadget']],
    ['acme/widget', 404, ['acme/gadget']],
  ]);
});

test('octokit.paginate follows the fake Link headers', async (t) => {
  const fake = await setup(t);
  const octokit = await probotFor(fake.url, fake.app, { fast: true }).auth(21);
  for (let i = 0; i < 7; i++) {
    await octokit.rest.issues.createComment({ owner: 'acme', repo: 'widget', issue_number: 5, body: `c${i}` });
  }
  const all = await octokit.paginate(octokit.rest.issues.listComments, { owner: 'acme', repo: 'widget', issue_number: 5, per_page: 3 });
  assert.deepEqual(all.map((c) => c.body), ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
  assert.equal(fake.requestsFor('issues/list-comments').length, 3);
  const installations = await (await probotFor(fake.url, fake.app).auth()).paginate('GET /app/installations', { per_page: 1 });
  assert.deepEqual(installations.map((i) => i.id), [21, 22]);
  assert.deepEqual(fake.state.invalidResponses, []);
});
