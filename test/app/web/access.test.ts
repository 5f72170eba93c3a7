import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { testAppCredentials } from '../../support/fake-github/index.ts';
import { oauthClientSecret } from '../../support/fake-github/handlers/oauth.ts';
import { logLine, seedCommit, signIn } from './support.ts';

// Logs of public repositories are public; a private repository's pages need a signed-in user
// with read access, checked with GitHub's collaborator-permission endpoint and the user's token.
let h: Harness;
const app = testAppCredentials();
const INST = 6161;
const SECRET = 'hidden/secret';
const PUBLIC = 'hidden/open';
let sha = '';
const tokens = { reader: 'gho_reader00000000000000000000000000000', stranger: 'gho_stranger000000000000000000000000000' };

before(async () => {
  h = await startHarness({ CID_SESSION_SECRET: 'a'.repeat(40), GITHUB_CLIENT_ID: app.clientId, GITHUB_CLIENT_SECRET: oauthClientSecret(app) });
  h.fake.addRepo(SECRET, { private: true });
  h.fake.addInstallation({ id: INST, account: 'hidden', repositories: [SECRET, PUBLIC] });
  h.fake.addUser({ login: 'reader', token: tokens.reader, permissions: { [SECRET]: 'read' } });
  h.fake.addUser({ login: 'stranger', token: tokens.stranger });
  const s = await seedCommit(h, { repo: SECRET, installationId: INST, private: true, jobs: [{ name: 'debian-12-5.3_opam-2.3', status: 'passed', log: [logLine('top secret output')] }] });
  sha = s.sha;
  await seedCommit(h, { repo: PUBLIC, installationId: INST, jobs: [] });
  assert.equal((await h.cp.svc.store.repositories.get(SECRET))?.private, true);
});
after(() => h.stop());

const paths = () => [
  `/github/${SECRET}`,
  `/github/${SECRET}/commit/${sha}`,
  `/github/${SECRET}/commit/${sha}/variant/debian-12-5.3_opam-2.3`,
  `/github/${SECRET}/commit/${sha}/variant/debian-12-5.3_opam-2.3/raw`,
  `/github/${SECRET}/history/branch/main`,
  `/api/github/${SECRET}`,
  `/api/github/${SECRET}/commit/${sha}`,
  `/api/github/${SECRET}/commit/${sha}/variant/debian-12-5.3_opam-2.3/log`,
];

test('anonymous visitors see public repositories and get 404 for private ones, with a way to sign in', async () => {
  for (const p of paths()) {
    const res = await fetch(h.cp.url + p);
    const body = await res.text();
    assert.equal(res.status, 404, p);
    assert.ok(!body.includes('top secret'), p);
  }
  const page = await (await fetch(`${h.cp.url}/github/${SECRET}`)).text();
  assert.match(page, /sign in with GitHub/);
  const owner = await (await fetch(`${h.cp.url}/github/hidden`)).text();
  assert.ok(owner.includes('/github/hidden/open'));
  assert.ok(!owner.includes('/github/hidden/secret'));
  assert.equal((await fetch(`${h.cp.url}/github/${PUBLIC}`)).status, 200);
  assert.equal((await fetch(`${h.cp.url}/badge/github/${SECRET}/main`)).status, 404);
});

test('a signed-in reader sees the private repository, its commit, log and raw log', async () => {
  const s = await signIn(h, 'reader');
  for (const p of paths().filter((x) => !x.startsWith('/api'))) {
    const res = await fetch(h.cp.url + p, { headers: { cookie: s.cookie } });
    assert.equal(res.status, 200, p);
    await res.text();
  }
  const log = await (await fetch(`${h.cp.url}/github/${SECRET}/commit/${sha}/variant/debian-12-5.3_opam-2.3`, { headers: { cookie: s.cookie } })).text();
  assert.ok(log.includes('top secret output'));
  // A reader may look but not act: no buttons.
  assert.ok(!log.includes('/rebuild'));
  const owner = await (await fetch(`${h.cp.url}/github/hidden`, { headers: { cookie: s.cookie } })).text();
  assert.ok(owner.includes('/github/hidden/secret'));
  assert.ok(h.fake.requests.some((r) => r.operationId === 'repos/get-collaborator-permission-level' && r.auth.login === 'reader'));
});

test('the API accepts the reader’s GitHub token as a bearer token', async () => {
  for (const p of paths().filter((x) => x.startsWith('/api'))) {
    const res = await fetch(h.cp.url + p, { headers: { authorization: `Bearer ${tokens.reader}` } });
    assert.equal(res.status, 200, p);
    await res.text();
  }
  const bad = await fetch(`${h.cp.url}/api/github/${SECRET}`, { headers: { authorization: 'Bearer gho_notatoken' } });
  assert.equal(bad.status, 401);
});

test('a signed-in user without access to the private repository still gets 404', async () => {
  const s = await signIn(h, 'stranger');
  for (const p of paths()) {
    const res = await fetch(h.cp.url + p, { headers: { cookie: s.cookie } });
    assert.equal(res.status, 404, p);
    await res.text();
  }
  const api = await fetch(`${h.cp.url}/api/github/${SECRET}`, { headers: { authorization: `Bearer ${tokens.stranger}` } });
  assert.equal(api.status, 404);
});
