import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { testAppCredentials } from '../../support/fake-github/index.ts';
import { oauthClientSecret } from '../../support/fake-github/handlers/oauth.ts';
import { setCookies, signIn } from './support.ts';

let h: Harness;
const app = testAppCredentials();

before(async () => {
  h = await startHarness({ CID_SESSION_SECRET: 'r'.repeat(40), GITHUB_CLIENT_ID: app.clientId, GITHUB_CLIENT_SECRET: oauthClientSecret(app) });
  h.fake.addUser({ login: 'octo', token: 'gho_octo0000000000000000000000000000000' });
  h.fake.addUser({ login: 'other', token: 'gho_other000000000000000000000000000000' });
});
after(() => h.stop());

const get = (path: string, init: RequestInit = {}) => fetch(h.cp.config.publicUrl + path, { redirect: 'manual', ...init });

test('/login sends the browser to GitHub with the client id, the callback and a state bound to a cookie', async () => {
  const res = await get('/login?return_to=/github/x');
  assert.equal(res.status, 302);
  const to = new URL(res.headers.get('location') ?? '');
  assert.equal(to.origin + to.pathname, `${h.fake.url}/login/oauth/authorize`);
  assert.equal(to.searchParams.get('client_id'), app.clientId);
  assert.equal(to.searchParams.get('redirect_uri'), `${h.cp.config.publicUrl}/login/callback`);
  assert.match(to.searchParams.get('state') ?? '', /^[\w-]{16,}$/);
  const raw = res.headers.getSetCookie().find((c) => c.startsWith('cid_oauth='));
  assert.match(raw ?? '', /HttpOnly/i);
  assert.match(raw ?? '', /SameSite=Lax/i);
  // Two sign-ins get two states.
  const again = new URL((await get('/login')).headers.get('location') ?? '');
  assert.notEqual(again.searchParams.get('state'), to.searchParams.get('state'));
});

test('the OAuth flow against GitHub signs the user in and returns to where they were', async () => {
  const s = await signIn(h, 'octo', '/github/somewhere?x=1');
  assert.equal(s.location, '/github/somewhere?x=1');
  const home = await (await get('/', { headers: { cookie: s.cookie } })).text();
  assert.match(home, /<span>octo<\/span>/);
  assert.match(home, /Sign out/);
  // The code was traded with the App's credentials, and the token named its user.
  const exchanged = h.fake.requests.filter((r) => r.path === '/login/oauth/access_token');
  assert.ok(exchanged.length > 0);
  assert.ok(h.fake.requests.some((r) => r.path === '/user' && r.auth.login === 'octo'));
});

test('/login on another host name first moves to the public URL, where the state cookie must live', async () => {
  const res = await fetch(`${h.cp.url}/login?return_to=/x`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), `${h.cp.config.publicUrl}/login?return_to=/x`);
  assert.equal(setCookies(res).has('cid_oauth'), false);
});

test('behind a proxy for the public host (X-Forwarded-Host), /login signs in on the spot', async () => {
  const publicHost = new URL(h.cp.config.publicUrl).host;
  assert.notEqual(new URL(h.cp.url).host, publicHost, 'the test needs the two hosts to differ');
  const res = await fetch(`${h.cp.url}/login?return_to=/x`, { redirect: 'manual', headers: { 'x-forwarded-host': publicHost } });
  assert.equal(res.status, 302);
  assert.equal(new URL(res.headers.get('location') ?? '').pathname, '/login/oauth/authorize');
  assert.equal(setCookies(res).has('cid_oauth'), true);
  // A proxy for another host is sent to the public URL like any other host.
  const other = await fetch(`${h.cp.url}/login`, { redirect: 'manual', headers: { 'x-forwarded-host': 'elsewhere.example' } });
  assert.equal(other.headers.get('location'), `${h.cp.config.publicUrl}/login`);
});

test('a return_to off the site is ignored', async () => {
  assert.equal((await signIn(h, 'octo', '//evil.example/x')).location, '/');
  assert.equal((await signIn(h, 'octo', 'https://evil.example/')).location, '/');
});

test('a return_to a browser would read as another site (tabs, newlines, backslashes, raw or percent-encoded) stays on the site', async () => {
  const site = new URL(h.cp.config.publicUrl);
  // signIn percent-encodes return_to once: "/\t/…" arrives as "/%09/…", "/%09/…" as "/%2509/…".
  const tricks = ['/\t/evil.example', '/\n/evil.example', '/\r/evil.example', '/\\evil.example', '/\\/evil.example', '/.//evil.example', '/\t\\evil.example'];
  for (const t of [...tricks, ...tricks.map((x) => x.replace(/[\t\n\r\\]/g, (c) => encodeURIComponent(c)))]) {
    const { location } = await signIn(h, 'octo', t);
    // Where the browser goes, resolving the Location as it does (dropping tabs and newlines, "\\" as "/").
    const target = new URL(location, site);
    assert.equal(target.origin, site.origin, `${JSON.stringify(t)} → ${location}`);
    assert.doesNotMatch(location, /^\/\/|[\t\n\r\\]/, JSON.stringify(t));
  }
  assert.equal((await signIn(h, 'octo', '/github/x?y=1#z')).location, '/github/x?y=1#z', 'same-site paths are kept');
});

test('a callback without the state cookie, with another state, or with a bad code is refused', async () => {
  const start = await get('/login');
  const cookie = `cid_oauth=${setCookies(start).get('cid_oauth')}`;
  const auth = new URL(start.headers.get('location') ?? '');
  auth.searchParams.set('login', 'octo');
  const back = new URL((await fetch(auth, { redirect: 'manual' })).headers.get('location') ?? '');
  const code = back.searchParams.get('code') ?? '';
  const state = back.searchParams.get('state') ?? '';

  const noCookie = await get(`/login/callback?code=${code}&state=${state}`);
  assert.equal(noCookie.status, 400);
  assert.match(await noCookie.text(), /sign-in expired or was started elsewhere/);
  const otherState = await get(`/login/callback?code=${code}&state=${'A'.repeat(32)}`, { headers: { cookie } });
  assert.equal(otherState.status, 400);
  const badCode = await get(`/login/callback?code=nope&state=${state}`, { headers: { cookie } });
  assert.equal(badCode.status, 400);
  assert.match(await badCode.text(), /GitHub refused the sign-in: The code passed is incorrect or expired/);
  assert.equal(setCookies(badCode).has('cid_session'), false);
  const denied = await get(`/login/callback?error=access_denied&state=${state}`, { headers: { cookie } });
  assert.equal(denied.status, 403);
  assert.equal((await get('/login/callback')).status, 400);
});

test('a forged or altered session cookie counts as signed out', async () => {
  const s = await signIn(h, 'octo');
  const value = s.cookie.slice('cid_session='.length);
  const flipped = value.slice(0, 20) + (value[20] === 'A' ? 'B' : 'A') + value.slice(21);
  const page = await (await get('/', { headers: { cookie: `cid_session=${flipped}` } })).text();
  assert.ok(!page.includes('octo'));
  assert.match(page, /Sign in with GitHub/);
});

test('sign-out needs the CSRF token, then clears the session', async () => {
  const s = await signIn(h, 'other');
  const refused = await get('/logout', { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: '_csrf=wrong' });
  assert.equal(refused.status, 403);
  const ok = await get('/logout', { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${s.csrf}` });
  assert.equal(ok.status, 303);
  const cleared = ok.headers.getSetCookie().find((c) => c.startsWith('cid_session='));
  assert.match(cleared ?? '', /Max-Age=0/i);
});

test('without OAuth settings, /login explains what to configure', async () => {
  const bare = await startHarness();
  try {
    const res = await fetch(`${bare.cp.url}/login`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /CID_SESSION_SECRET, GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET/);
    assert.ok(!(await (await fetch(`${bare.cp.url}/`)).text()).includes('Sign in'));
  } finally {
    await bare.stop();
  }
});
