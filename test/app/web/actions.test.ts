import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { testAppCredentials } from '../../support/fake-github/index.ts';
import { oauthClientSecret } from '../../support/fake-github/handlers/oauth.ts';
import { seedCommit, signIn } from './support.ts';

// Rebuild and cancel from the pages: POST forms with a CSRF token, for signed-in users with
// write access on GitHub.
let h: Harness;
const app = testAppCredentials();
const INST = 7171;
const REPO = 'acts/alpha';
let writer: { cookie: string; csrf: string };
let reader: { cookie: string; csrf: string };

before(async () => {
  h = await startHarness({ CID_SESSION_SECRET: 'b'.repeat(40), GITHUB_CLIENT_ID: app.clientId, GITHUB_CLIENT_SECRET: oauthClientSecret(app) });
  h.fake.addInstallation({ id: INST, account: 'acts', repositories: [REPO] });
  h.fake.addUser({ login: 'writer', token: 'gho_writer0000000000000000000000000000', permissions: { [REPO]: 'write' } });
  h.fake.addUser({ login: 'reader', token: 'gho_reader0000000000000000000000000000', permissions: { [REPO]: 'read' } });
  writer = await signIn(h, 'writer');
  reader = await signIn(h, 'reader');
});
after(() => h.stop());

const post = (path: string, o: { cookie?: string; csrf?: string; origin?: string } = {}) =>
  fetch(h.cp.url + path, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(o.cookie ? { cookie: o.cookie } : {}),
      ...(o.origin ? { origin: o.origin } : {}),
    },
    body: o.csrf === undefined ? '' : `_csrf=${encodeURIComponent(o.csrf)}`,
  });

const seed = () =>
  seedCommit(h, {
    repo: REPO,
    installationId: INST,
    ref: `refs/heads/b${Math.random().toString(36).slice(2, 8)}`,
    jobs: [
      { name: 'debian-12-5.3_opam-2.3', status: 'passed' },
      { name: 'debian-12-4.14_opam-2.3', status: 'failed', reason: 'exit 1' },
      { name: 'fedora-42-5.3_opam-2.3', status: 'running' },
    ],
  });

test('a writer sees the buttons; rebuilding a failed job queues it again and redirects back', async () => {
  const s = await seed();
  const base = `/github/${REPO}/commit/${s.sha}`;
  const page = await (await fetch(h.cp.url + base, { headers: { cookie: writer.cookie } })).text();
  assert.ok(page.includes(`action="${base}/rebuild-failed"`));
  assert.ok(page.includes(`action="${base}/cancel"`));
  assert.ok(page.includes(`name="_csrf" value="${writer.csrf}"`));
  const res = await post(`${base}/variant/debian-12-4.14_opam-2.3/rebuild`, { ...writer, origin: h.cp.url });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `${base}/variant/debian-12-4.14_opam-2.3`);
  const job = await h.cp.svc.store.jobs.get(s.jobs.get('debian-12-4.14_opam-2.3')?.id ?? '');
  assert.equal(job?.status, 'queued');
  assert.equal(job?.generation, 2);
});

test('forms without the CSRF token, with another session’s token, or from another site are refused', async () => {
  const s = await seed();
  const path = `/github/${REPO}/commit/${s.sha}/variant/debian-12-4.14_opam-2.3/rebuild`;
  const cases = [
    await post(path, { cookie: writer.cookie }),
    await post(path, { cookie: writer.cookie, csrf: 'x'.repeat(32) }),
    await post(path, { cookie: writer.cookie, csrf: reader.csrf }),
    await post(path, { ...writer, origin: 'https://evil.example' }),
    // Not URLs at all: refused like another site, never a 500.
    await post(path, { ...writer, origin: '::::' }),
    await post(path, { ...writer, origin: 'null' }),
    await post(path, { ...writer, origin: 'file://' }),
  ];
  for (const r of cases) {
    assert.equal(r.status, 403);
    assert.match(await r.text(), /CSRF|cross-site/);
  }
  assert.equal((await h.cp.svc.store.jobs.get(s.jobs.get('debian-12-4.14_opam-2.3')?.id ?? ''))?.generation, 1, 'nothing was rebuilt');
});

test('signed-out posts are 401; a reader is 403 (GitHub says read, not write)', async () => {
  const s = await seed();
  const path = `/github/${REPO}/commit/${s.sha}/rebuild-all`;
  const anon = await post(path, { csrf: 'whatever' });
  assert.equal(anon.status, 401);
  const r = await post(path, reader);
  assert.equal(r.status, 403);
  assert.match(await r.text(), /reader may not act on acts\/alpha: write access is needed/);
  const page = await (await fetch(`${h.cp.url}/github/${REPO}/commit/${s.sha}`, { headers: { cookie: reader.cookie } })).text();
  assert.ok(!page.includes('rebuild-all'));
  assert.ok(h.fake.requests.some((q) => q.operationId === 'repos/get-collaborator-permission-level' && q.auth.login === 'reader'));
});

test('rebuild failed, rebuild all, cancel commit and cancel job act on the right jobs', async () => {
  const s = await seed();
  const base = `/github/${REPO}/commit/${s.sha}`;
  const id = (n: string) => s.jobs.get(n)?.id ?? '';
  const status = async (n: string) => (await h.cp.svc.store.jobs.get(id(n)))?.status;

  assert.equal((await post(`${base}/rebuild-failed`, writer)).status, 303);
  assert.equal(await status('debian-12-4.14_opam-2.3'), 'queued');
  assert.equal(await status('debian-12-5.3_opam-2.3'), 'passed');

  assert.equal((await post(`${base}/variant/debian-12-4.14_opam-2.3/cancel`, writer)).status, 303);
  const cancelled = await h.cp.svc.store.jobs.get(id('debian-12-4.14_opam-2.3'));
  assert.equal(cancelled?.status, 'cancelled');
  assert.equal(cancelled?.reason, 'cancelled by writer');

  assert.equal((await post(`${base}/cancel`, writer)).status, 303);
  const running = await h.cp.svc.store.jobs.get(id('fedora-42-5.3_opam-2.3'));
  assert.equal(running?.cancelRequested, true, 'a running job is asked to stop');

  assert.equal((await post(`${base}/rebuild-all`, writer)).status, 303);
  assert.equal(await status('debian-12-5.3_opam-2.3'), 'queued');
  assert.equal(await status('(analysis)'), 'queued');
  assert.equal((await post(`/github/${REPO}/commit/${'0'.repeat(40)}/cancel`, writer)).status, 404);
});
