import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { RUNNER_SECRET } from '../../support/runner-harness.ts';
import { runnerCredential, verifyLegacyRunnerCredential } from '../../../app/runner-api/index.ts';
import { jobIdFor } from '../../../app/store/index.ts';
import { UnauthorizedError } from '../../../lib/errors/index.ts';

let h: Harness;
const REPO = 'tok/repo';
const sha = 'f'.repeat(40);
before(async () => {
  h = await startHarness({ CID_RUNNER_SECRET: RUNNER_SECRET }, { consumeResults: false });
  h.fake.addInstallation({ id: 55, account: 'tok', repositories: [REPO, 'tok/other'] });
});
after(() => h.stop());

async function ask(credential: string | undefined, body: unknown) {
  const res = await fetch(`${h.cp.url}/api/runner/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(credential ? { authorization: `Bearer ${credential}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

test('legacy credentials (CID_RUNNER_TOKEN) are per runner and checked with the secret', () => {
  const c = runnerCredential(RUNNER_SECRET, 'r-1');
  assert.equal(verifyLegacyRunnerCredential(RUNNER_SECRET, c), 'r-1');
  assert.throws(() => verifyLegacyRunnerCredential('another-secret-0123456789', c), UnauthorizedError);
  assert.throws(() => verifyLegacyRunnerCredential(RUNNER_SECRET, c.replace('r-1', 'r-2')), /bad credential for runner r-2/);
  assert.throws(() => verifyLegacyRunnerCredential(RUNNER_SECRET, undefined), /CID_RUNNER_TOKEN/);
});

test('a legacy runner ({jobId} request) gets a token restricted to the repository of a job running on it, and only then', async () => {
  const pid = `${REPO}@${sha}`;
  const id = jobIdFor(pid, 'build');
  await h.cp.svc.store.jobs.create({
    id,
    pipelineId: pid,
    repo: REPO,
    sha,
    name: 'build',
    kind: 'build',
    pool: 'linux-x86_64',
    priority: 'urgent',
    source: { kind: 'github', repo: REPO, sha, cloneUrl: `https://github.com/${REPO}.git`, installationId: 55, fromFork: false },
  });
  const mine = runnerCredential(RUNNER_SECRET, 'runner-a');
  const theirs = runnerCredential(RUNNER_SECRET, 'runner-b');
  const queued = await ask(mine, { jobId: id });
  assert.equal(queued.status, 403, 'a queued job gets no token');
  await h.cp.svc.store.jobs.claim(id, { runnerId: 'runner-a', generation: 1, staleBefore: new Date(0).toISOString() });

  const other = await ask(theirs, { jobId: id });
  assert.equal(other.status, 403);
  assert.match(other.json.error.message, /not running on runner runner-b/);
  assert.equal((await ask('runner-a.forged', { jobId: id })).status, 401);
  assert.equal((await ask(undefined, { jobId: id })).status, 401);
  assert.equal((await ask(mine, { job: id })).status, 400);
  assert.equal((await ask(mine, { jobId: 'nope' })).status, 404);
  // DynamoDB refuses keys over 2,048 bytes: a long id is the client's mistake, a 400, not a 500.
  for (const jobId of ['j'.repeat(3000), '', 'has space', 'ünï']) {
    const r = await ask(mine, { jobId });
    assert.equal(r.status, 400, jobId.slice(0, 20));
    assert.match(r.json.error.message, /jobId/);
  }

  const ok = await ask(mine, { jobId: id });
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
  const info = h.fake.tokenInfo(ok.json.token);
  assert.deepEqual(info?.repositories, [REPO]);
  assert.deepEqual(info?.permissions, { contents: 'read', checks: 'write', metadata: 'read' });
  assert.equal(ok.json.apiUrl, h.cp.config.github?.baseUrl);
});
