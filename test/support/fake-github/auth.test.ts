import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { generateAppCredentials, signAppJwt, verifyAppJwt } from './app-credentials.ts';
import { callApi } from './http-client.ts';
import { startFakeGitHub } from './server.ts';

const SHA = '3'.repeat(40);
const checkRun = { name: 'build', head_sha: SHA };

async function setup(t: TestContext, now?: () => number) {
  const fake = await startFakeGitHub(now ? { now } : {});
  t.after(() => fake.close());
  fake.addInstallation({ id: 11, account: 'acme', repositories: ['acme/one', 'acme/two'] });
  fake.addRepo('acme/private-elsewhere', { private: true });
  return fake;
}

const bearer = (jwt: string) => ({ authorization: `Bearer ${jwt}` });

test('an App JWT signed with the app key mints a token; one signed with another key is refused', async (t) => {
  const fake = await setup(t);
  const good = await callApi(fake, 'POST', '/app/installations/11/access_tokens', bearer(signAppJwt(fake.app)));
  assert.equal(good.status, 201);
  const token = good.json as { token: string; expires_at: string; permissions: Record<string, string> };
  assert.match(token.token, /^ghs_[A-Za-z0-9]{36}$/);
  const ttl = Date.parse(token.expires_at) - Date.now();
  assert.ok(ttl > 59 * 60_000 && ttl <= 60 * 60_000, `expires in an hour, got ${ttl} ms`);
  assert.equal(token.permissions.checks, 'write');

  const stranger = generateAppCredentials(fake.app.appId);
  const bad = await callApi(fake, 'POST', '/app/installations/11/access_tokens', bearer(signAppJwt(stranger)));
  assert.equal(bad.status, 401);
  assert.equal((bad.json as { message: string }).message, 'A JSON web token could not be decoded');
  const none = await callApi(fake, 'GET', '/app/installations/11');
  assert.equal(none.status, 401);
  const withInstallationToken = await callApi(fake, 'GET', '/app/installations/11', { token: token.token });
  assert.equal(withInstallationToken.status, 401);
  assert.equal(fake.state.tokens.size, 1);
});

test('JWT claims are checked: issuer, expiry, issue time', () => {
  const app = generateAppCredentials(99);
  const now = Date.now();
  const s = Math.floor(now / 1000);
  const check = (claims: Parameters<typeof signAppJwt>[1]) =>
    verifyAppJwt(signAppJwt(app, claims, now), { appId: 99, clientId: app.clientId, publicKey: app.publicKeyPem }, now);
  assert.equal(check({}).ok, true);
  assert.equal(check({ iss: String(99) }).ok, true);
  assert.equal(check({ iss: app.clientId }).ok, true);
  assert.equal(check({ iss: 98 }).ok, false);
  assert.equal(check({ exp: s - 1 }).ok, false);
  assert.equal(check({ exp: s + 3600 }).ok, false);
  assert.equal(check({ iat: s + 600 }).ok, false);
  const tampered = signAppJwt(app, {}, now).replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ iss: 99, iat: s, exp: s + 60 })).toString('base64url')}.`);
  assert.equal(verifyAppJwt(tampered, { appId: 99, clientId: app.clientId, publicKey: app.publicKeyPem }, now).ok, false);
  assert.equal(verifyAppJwt('not.a.jwt', { appId: 99, clientId: app.clientId, publicKey: app.publicKeyPem }, now).ok, false);
});

test('token requests: unknown installation 404, repo outside the installation 422, excess permissions 422', async (t) => {
  const fake = await setup(t);
  const jwt = bearer(signAppJwt(fake.app));
  assert.equal((await callApi(fake, 'POST', '/app/installations/12/access_tokens', jwt)).status, 404);
  const outside = await callApi(fake, 'POST', '/app/installations/11/access_tokens', { ...jwt, body: { repositories: ['private-elsewhere'] } });
  assert.equal(outside.status, 422);
  const tooMuch = await callApi(fake, 'POST', '/app/installations/11/access_tokens', { ...jwt, body: { permissions: { administration: 'write' } } });
  assert.equal(tooMuch.status, 422);
  const badBody = await callApi(fake, 'POST', '/app/installations/11/access_tokens', { ...jwt, body: { repositories: 'one' } });
  assert.equal(badBody.status, 422);
  assert.equal(fake.state.tokens.size, 0);
  assert.equal(fake.state.invalidRequests.length, 3);
});

test('a token restricted to one repository cannot touch another of the same installation', async (t) => {
  const fake = await setup(t);
  const jwt = bearer(signAppJwt(fake.app));
  const minted = await callApi(fake, 'POST', '/app/installations/11/access_tokens', { ...jwt, body: { repositories: ['one'] } });
  assert.equal(minted.status, 201);
  const body = minted.json as { token: string; repository_selection: string; repositories: { full_name: string }[] };
  assert.equal(body.repository_selection, 'selected');
  assert.deepEqual(body.repositories.map((r) => r.full_name), ['acme/one']);
  assert.deepEqual(fake.tokenInfo(body.token)?.repositories, ['acme/one']);

  assert.equal((await callApi(fake, 'POST', '/repos/acme/one/check-runs', { token: body.token, body: checkRun })).status, 201);
  assert.equal((await callApi(fake, 'POST', '/repos/acme/two/check-runs', { token: body.token, body: checkRun })).status, 404);
  // Every call is recorded with the token and repository it used.
  const calls = fake.requestsFor('checks/create').map((r) => [r.repo, r.status, r.auth.token === body.token]);
  assert.deepEqual(calls, [
    ['acme/one', 201, true],
    ['acme/two', 404, true],
  ]);
  assert.equal(fake.state.checkRuns.length, 1);
});

test('by repository id too, and permissions can be narrowed', async (t) => {
  const fake = await setup(t);
  const two = fake.addRepo('acme/two');
  const jwt = bearer(signAppJwt(fake.app));
  const minted = await callApi(fake, 'POST', '/app/installations/11/access_tokens', {
    ...jwt,
    body: { repository_ids: [two.id], permissions: { statuses: 'write' } },
  });
  const token = (minted.json as { token: string }).token;
  assert.equal((await callApi(fake, 'POST', `/repos/acme/two/statuses/${SHA}`, { token, body: { state: 'success' } })).status, 201);
  const forbidden = await callApi(fake, 'POST', '/repos/acme/two/check-runs', { token, body: checkRun });
  assert.equal(forbidden.status, 403);
  assert.equal((forbidden.json as { message: string }).message, 'Resource not accessible by integration');
});

test('installation tokens only reach their installation, and expire', async (t) => {
  let now = Date.now();
  const fake = await setup(t, () => now);
  const token = fake.mintInstallationToken(11);
  assert.equal((await callApi(fake, 'GET', '/repos/acme/private-elsewhere', { token })).status, 404);
  assert.equal((await callApi(fake, 'GET', '/repos/acme/one', { token })).status, 200);
  assert.equal((await callApi(fake, 'GET', '/repos/acme/one', { token: `${token}x` })).status, 401);
  assert.equal((await callApi(fake, 'GET', '/repos/acme/one')).status, 401);
  now += 61 * 60_000;
  const expired = await callApi(fake, 'GET', '/repos/acme/one', { token });
  assert.equal(expired.status, 401);
  assert.equal((expired.json as { message: string }).message, 'Bad credentials');
  // Bearer works as well as token.
  const fresh = fake.mintInstallationToken(11);
  assert.equal((await callApi(fake, 'GET', '/repos/acme/one', { authorization: `Bearer ${fresh}` })).status, 200);
  fake.revokeToken(fresh);
  assert.equal((await callApi(fake, 'GET', '/repos/acme/one', { authorization: `Bearer ${fresh}` })).status, 401);
});

test('a suspended installation gets no tokens', async (t) => {
  const fake = await setup(t);
  fake.addInstallation({ id: 12, account: 'sleepy', repositories: ['sleepy/repo'], suspended: true });
  const res = await callApi(fake, 'POST', '/app/installations/12/access_tokens', bearer(signAppJwt(fake.app)));
  assert.equal(res.status, 403);
});

test('user tokens: /user, collaborator permission, and no check runs', async (t) => {
  const fake = await setup(t);
  const alice = fake.addUser({ login: 'alice', token: 'gho_alice000000000000000000000000000000', permissions: { 'acme/one': 'maintain' } });
  fake.addUser({ login: 'bob', permissions: { 'acme/one': 'triage' } });
  const me = await callApi(fake, 'GET', '/user', { token: alice.token ?? '' });
  assert.equal(me.status, 200);
  assert.equal((me.json as { login: string }).login, 'alice');
  const installation = fake.mintInstallationToken(11);
  assert.equal((await callApi(fake, 'GET', '/user', { token: installation })).status, 403);
  assert.equal((await callApi(fake, 'GET', '/user', { token: 'gho_nobody' })).status, 401);

  const perm = async (user: string) => {
    const r = await callApi(fake, 'GET', `/repos/acme/one/collaborators/${user}/permission`, { token: installation });
    return [r.status, (r.json as { permission?: string; role_name?: string }).permission, (r.json as { role_name?: string }).role_name];
  };
  assert.deepEqual(await perm('alice'), [200, 'write', 'maintain']);
  assert.deepEqual(await perm('bob'), [200, 'read', 'triage']);
  assert.equal((await perm('mallory'))[0], 404);

  const viaUser = await callApi(fake, 'POST', '/repos/acme/one/check-runs', { token: alice.token ?? '', body: checkRun });
  assert.equal(viaUser.status, 403);
  const comment = await callApi(fake, 'POST', '/repos/acme/one/issues/1/comments', { token: alice.token ?? '', body: { body: 'hi' } });
  assert.equal(comment.status, 201);
  assert.equal((comment.json as { user: { login: string } }).user.login, 'alice');
  assert.deepEqual(fake.state.invalidResponses, []);
});
