import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestControlPlane, TEST_ADMIN_TOKEN } from '../../support/control-plane.ts';
import type { ControlPlane } from '../../../local/start-control-plane.ts';

let cp: ControlPlane;
before(async () => {
  cp = await startTestControlPlane({}, { consumeResults: false, sweeper: false });
});
after(() => cp.stop());

const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = auth) {
  const res = await fetch(`${cp.url}/api/admin/repositories${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

test('no token or a wrong token is 401 with a message saying what to send', async () => {
  const none = await call('GET', '', undefined, {});
  assert.equal(none.status, 401);
  assert.match(none.json?.error.message, /Authorization: Bearer/);
  for (const authorization of ['Bearer wrong-token-wrong-token', 'Basic abc', `bearer${TEST_ADMIN_TOKEN}`, `Bearer ${TEST_ADMIN_TOKEN}x`]) {
    const wrong = await call('GET', '', undefined, { authorization });
    assert.equal(wrong.status, 401, authorization);
    assert.equal(wrong.json?.error.code, 'unauthorized');
  }
});

test('add, find, exists, list, remove; duplicates 409, unknown 404', async () => {
  const added = await call('POST', '', { name: 'ocaml/dune', description: 'A build system' });
  assert.equal(added.status, 201);
  assert.equal(added.json?.url, 'https://github.com/ocaml/dune');
  assert.equal(added.json?.kind, 'git');
  assert.equal((await call('POST', '', { name: 'ocaml/dune' })).status, 409);
  assert.equal((await call('GET', '/ocaml/dune')).json?.description, 'A build system');
  assert.deepEqual((await call('GET', '/ocaml/dune/exists')).json, { exists: true });
  assert.deepEqual((await call('GET', '/ocaml/nope/exists')).json, { exists: false });
  const missing = await call('GET', '/ocaml/nope');
  assert.equal(missing.status, 404);
  assert.match(missing.json?.error.message, /ocaml\/nope is not in the index/);
  assert.equal((await call('DELETE', '/ocaml/dune')).status, 204);
  assert.equal((await call('DELETE', '/ocaml/dune')).status, 404);
});

test('list is paginated with an opaque cursor', async () => {
  for (let i = 0; i < 5; i++) assert.equal((await call('POST', '', { name: `page/r${i}` })).status, 201);
  const names: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const r = await call('GET', `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    names.push(...(r.json?.items as { name: string }[]).map((x) => x.name));
    cursor = r.json?.cursor;
    pages++;
  } while (cursor);
  assert.ok(pages >= 3);
  assert.deepEqual(names.filter((n) => n.startsWith('page/')).sort(), ['page/r0', 'page/r1', 'page/r2', 'page/r3', 'page/r4']);
  assert.equal((await call('GET', '?cursor=garbage')).status, 400);
  assert.equal((await call('GET', '?limit=1000')).status, 400);
});

test('bad bodies are 400 with the reason', async () => {
  const cases: [unknown, RegExp][] = [
    ['{not json', /malformed JSON/],
    [{ name: 'no-slash' }, /owner\/repo/],
    [{ name: 'a/b', kind: 'svn' }, /kind/],
    [{ name: 'a/b', extra: 1 }, /extra/],
    [{}, /name/],
  ];
  for (const [body, msg] of cases) {
    const r = await call('POST', '', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(JSON.stringify(r.json), msg);
  }
  assert.equal((await call('GET', '/a/b')).status, 404, 'nothing was recorded by the bad requests');
});

test('names GitHub would refuse are 400 on every route, whatever their length, and never recorded', async () => {
  const bad = ['../..', '<b>x</b>/y', 'ünï/repo', 'a_b/repo', `${'o'.repeat(40)}/r`, `o/${'r'.repeat(101)}`, `o/${'r'.repeat(5000)}`, `${'o'.repeat(5000)}/r`];
  for (const name of bad) {
    const created = await call('POST', '', { name });
    assert.equal(created.status, 400, `create ${name.slice(0, 40)}`);
    assert.match(created.json?.error.message, /owner\/repo/);
  }
  // The same names in the URL: a 5,000-character one used to reach DynamoDB as a key (a 500).
  for (const path of [`/o/${'r'.repeat(5000)}`, `/${'o'.repeat(5000)}/r`, '/a_b/repo', `/o/${encodeURIComponent('<b>')}`]) {
    for (const [method, suffix, body] of [['GET', ''], ['GET', '/exists'], ['PATCH', '', { slack: true }], ['DELETE', '']] as const) {
      const r = await call(method, path + suffix, body);
      assert.equal(r.status, 400, `${method} ${path.slice(0, 40)}${suffix}`);
    }
  }
  // GitHub's longest names are accepted.
  const longest = `${'o'.repeat(39)}/${'r'.repeat(100)}`;
  assert.equal((await call('POST', '', { name: longest })).status, 201);
  assert.equal((await call('GET', `/${longest}`)).json?.url, `https://github.com/${longest}`);
  const items: { name: string }[] = [];
  let cursor: string | undefined;
  do {
    const r = await call('GET', `?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    items.push(...(r.json?.items as { name: string }[]));
    cursor = r.json?.cursor;
  } while (cursor);
  assert.ok(items.some((r) => r.name === longest));
  for (const name of bad) assert.ok(!items.some((r) => r.name === name), name.slice(0, 40));
});

test('a list cursor is only what the API returned: forged start keys are 400', async () => {
  const forge = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const forged = [
    forge({ name: 'page/r0', installationId: 1 }), // another attribute in the start key
    forge({ name: 'x'.repeat(3000) }), // over DynamoDB's key size
    forge({ name: '../..' }),
    forge({ name: 42 }),
    forge(['page/r0']),
    'A'.repeat(3000),
    'not base64!',
  ];
  for (const cursor of forged) {
    const r = await call('GET', `?limit=2&cursor=${encodeURIComponent(cursor)}`);
    assert.equal(r.status, 400, cursor.slice(0, 60));
    assert.match(r.json?.error.message, /cursor/);
  }
});

test('without CID_ADMIN_TOKEN the admin API answers 503 naming the setting', async () => {
  const other = await startTestControlPlane({ CID_ADMIN_TOKEN: '' }, { consumeResults: false, sweeper: false });
  try {
    const res = await fetch(`${other.url}/api/admin/repositories`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /CID_ADMIN_TOKEN/);
  } finally {
    await other.stop();
  }
});
