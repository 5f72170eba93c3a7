import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { seedCommit, settled } from './support.ts';

let h: Harness;
const INST = 9191;
const REPO = 'badges/alpha';

before(async () => {
  h = await startHarness();
  h.fake.addRepo('badges/private', { private: true });
  h.fake.addInstallation({ id: INST, account: 'badges', repositories: [REPO, 'badges/private'] });
});
after(() => h.stop());

const badge = async (path: string) => {
  const res = await fetch(`${h.cp.url}/badge/github/${path}`);
  return { status: res.status, json: (await res.json()) as Record<string, unknown>, res };
};

test('a branch’s badge follows its latest pipeline, in shields.io endpoint format', async () => {
  const ok = await seedCommit(h, { repo: REPO, installationId: INST, jobs: [{ name: 'debian-12-5.3_opam-2.3', status: 'passed' }] });
  await settled(h.cp, ok.pipelineId, 'passed');
  const b = await badge(`${REPO}/main`);
  assert.equal(b.status, 200);
  assert.deepEqual(b.json, { schemaVersion: 1, label: 'cid', message: 'passing', color: 'brightgreen' });
  assert.match(b.res.headers.get('cache-control') ?? '', /max-age=60/);

  const bad = await seedCommit(h, { repo: REPO, installationId: INST, ref: 'refs/heads/feature/x', jobs: [{ name: 'debian-12-5.3_opam-2.3', status: 'failed' }] });
  await settled(h.cp, bad.pipelineId, 'failed');
  assert.deepEqual((await badge(`${REPO}/feature/x`)).json, { schemaVersion: 1, label: 'cid', message: 'failing', color: 'red' });

  const busy = await seedCommit(h, { repo: REPO, installationId: INST, ref: 'refs/heads/busy', jobs: [{ name: 'debian-12-5.3_opam-2.3', status: 'running' }] });
  await settled(h.cp, busy.pipelineId, 'running');
  assert.equal((await badge(`${REPO}/busy`)).json.message, 'running');
});

test('an unknown branch is "unknown"; unknown and private repositories are 404', async () => {
  assert.deepEqual((await badge(`${REPO}/nope`)).json, { schemaVersion: 1, label: 'cid', message: 'unknown', color: 'lightgrey' });
  await seedCommit(h, { repo: 'badges/private', installationId: INST, private: true, jobs: [] });
  assert.equal((await badge('badges/private/main')).status, 404);
  assert.equal((await badge('badges/none/main')).status, 404);
  assert.equal((await badge('bad%20name/x/main')).status, 400);
});
