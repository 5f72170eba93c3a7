import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { TEST_ADMIN_TOKEN } from '../../support/control-plane.ts';
import { logLine, seedCommit, settled } from './support.ts';

let h: Harness;
const INST = 8181;
const REPO = 'apico/alpha';
let main: Awaited<ReturnType<typeof seedCommit>>;
const WRITER = 'gho_apiwriter000000000000000000000000';
const READER = 'gho_apireader000000000000000000000000';

before(async () => {
  h = await startHarness();
  h.fake.addInstallation({ id: INST, account: 'apico', repositories: [REPO] });
  h.fake.addUser({ login: 'apiwriter', token: WRITER, permissions: { [REPO]: 'write' } });
  h.fake.addUser({ login: 'apireader', token: READER, permissions: { [REPO]: 'read' } });
  main = await seedCommit(h, {
    repo: REPO,
    installationId: INST,
    jobs: [
      { name: 'debian-12-5.3_opam-2.3', status: 'passed', log: [logLine('one'), logLine('two'), logLine('three')] },
      { name: 'debian-12-4.14_opam-2.3', status: 'failed', reason: 'exit 1' },
    ],
    dropped: [{ variant: 'windows-5.3', reason: 'no pool' }],
  });
  await settled(h.cp, main.pipelineId, 'failed');
});
after(() => h.stop());

const api = async (path: string, init: RequestInit = {}) => {
  const res = await fetch(`${h.cp.url}/api/github${path}`, init);
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, res };
};

test('owners, repositories and a repository’s refs', async () => {
  const owners = await api('');
  assert.equal(owners.status, 200);
  assert.deepEqual(owners.json.owners, [{ owner: 'apico', repos: 1 }]);
  const repos = await api('/apico');
  assert.equal(repos.json.repos[0].name, REPO);
  assert.equal(repos.json.repos[0].private, false);
  const repo = await api(`/${REPO}`);
  assert.equal(repo.json.repo.name, REPO);
  assert.deepEqual(repo.json.refs.map((r: any) => [r.ref, r.kind, r.sha, r.status]), [['refs/heads/main', 'branch', main.sha, 'failed']]);
  assert.equal((await api('/nobody')).status, 404);
  assert.equal((await api('/apico/nothing')).json.error.code, 'not_found');
});

test('a commit with its jobs, dropped platforms and page links; a hash prefix works too', async () => {
  const r = await api(`/${REPO}/commit/${main.sha}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.pipeline.status, 'failed');
  assert.deepEqual(r.json.pipeline.dropped, [{ variant: 'windows-5.3', reason: 'no pool' }]);
  assert.deepEqual(
    r.json.jobs.map((j: any) => [j.name, j.status]),
    [['(analysis)', 'passed'], ['debian-12-4.14_opam-2.3', 'failed'], ['debian-12-5.3_opam-2.3', 'passed']],
  );
  const failed = r.json.jobs.find((j: any) => j.status === 'failed');
  assert.equal(failed.reason, 'exit 1');
  assert.equal(failed.web, `/github/${REPO}/commit/${main.sha}/variant/debian-12-4.14_opam-2.3`);
  assert.equal(failed.spec, undefined, 'internals stay out');
  const short = await api(`/${REPO}/commit/${main.sha.slice(0, 8)}`);
  assert.equal(short.json.pipeline.sha, main.sha);
  assert.equal((await api(`/${REPO}/commit/zz`)).status, 400);
});

test('refs resolve from main, refs/heads/main, pull/N and a hash prefix of 6+ characters', async () => {
  const pr = await seedCommit(h, { repo: REPO, installationId: INST, pull: 12, jobs: [] });
  for (const input of ['main', 'refs/heads/main', 'heads/main']) {
    const r = await api(`/${REPO}/ref/${input}`);
    assert.equal(r.status, 200, input);
    assert.equal(r.json.sha, main.sha);
    assert.equal(r.json.ref, 'refs/heads/main');
    assert.equal(r.json.pipeline.status, 'failed');
  }
  for (const input of ['pull/12', 'refs/pull/12/head']) {
    const r = await api(`/${REPO}/ref/${input}`);
    assert.equal(r.json.sha, pr.sha, input);
    assert.equal(r.json.ref, 'pull/12');
  }
  const byHash = await api(`/${REPO}/ref/${pr.sha.slice(0, 6)}`);
  assert.equal(byHash.json.sha, pr.sha);
  assert.equal(byHash.json.ref, null);
  const full = await api(`/${REPO}/ref/${main.sha}`);
  assert.equal(full.json.sha, main.sha);
  const short = await api(`/${REPO}/ref/${main.sha.slice(0, 5)}`);
  assert.equal(short.status, 400);
  assert.match(short.json.error.message, /at least 6 characters/);
  assert.equal((await api(`/${REPO}/ref/no-such-branch`)).status, 404);
  assert.equal((await api(`/${REPO}/ref/pull/999`)).status, 404);
});

test('a job with its runs and the commands to reproduce it', async () => {
  const r = await api(`/${REPO}/commit/${main.sha}/variant/debian-12-5.3_opam-2.3`);
  assert.equal(r.status, 200);
  assert.equal(r.json.job.status, 'passed');
  assert.deepEqual(r.json.run, { run: '1.1', generation: 1, attempt: 1 });
  assert.deepEqual(r.json.runs, [{ run: '1.1', generation: 1, attempt: 1 }]);
  // In a fresh temporary directory, as ocaml-ci's block: the user's own checkout is never touched.
  assert.match(r.json.reproduce, /^cd "\$\(mktemp -d\)"\ngit clone --recursive 'https?:\/\/[^']+' 'alpha' && cd 'alpha'\n/);
  assert.match(r.json.reproduce, /FROM ocaml\/opam:debian-12-ocaml-5\.3/);
  const analysis = await api(`/${REPO}/commit/${main.sha}/variant/(analysis)`);
  assert.equal(analysis.json.reproduce, undefined);
  assert.equal((await api(`/${REPO}/commit/${main.sha}/variant/none`)).status, 404);
});

test('the log as NDJSON: a run line, chunks from ?from=, an end line', async () => {
  const base = `/${REPO}/commit/${main.sha}/variant/debian-12-5.3_opam-2.3/log`;
  const r = await api(base);
  assert.equal(r.status, 200);
  assert.match(r.res.headers.get('content-type') ?? '', /application\/x-ndjson/);
  const lines = r.text.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines[0], { type: 'run', job: 'debian-12-5.3_opam-2.3', status: 'passed', run: '1.1' });
  assert.equal(lines[1].type, 'chunk');
  assert.equal(lines[1].seq, 0);
  assert.match(lines[1].text, /: one\n.*: two\n.*: three\n$/);
  assert.deepEqual(lines.at(-1), { type: 'end', next: 1, done: true });
  const later = (await api(`${base}?from=1`)).text.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(later.map((l: any) => l.type), ['run', 'end']);
  assert.equal((await api(`${base}?from=-2`)).status, 400);
});

test('history of a branch and of a PR', async () => {
  const r = await api(`/${REPO}/history/branch/main`);
  assert.equal(r.status, 200);
  assert.equal(r.json.ref, 'refs/heads/main');
  assert.ok(r.json.pipelines.some((p: any) => p.sha === main.sha));
  const pr = await api(`/${REPO}/history/pull/12`);
  assert.equal(pr.json.ref, 'pull/12');
  assert.equal(pr.json.pipelines.length, 1);
});

test('actions need a bearer token: admin or a GitHub user with write access', async () => {
  const s = await seedCommit(h, { repo: REPO, installationId: INST, ref: 'refs/heads/act', jobs: [{ name: 'debian-12-5.3_opam-2.3', status: 'failed' }] });
  const path = `/${REPO}/commit/${s.sha}/variant/debian-12-5.3_opam-2.3/rebuild`;
  const none = await api(path, { method: 'POST' });
  assert.equal(none.status, 401);
  assert.match(none.json.error.message, /Authorization: Bearer/);
  assert.equal((await api(path, { method: 'POST', headers: { authorization: 'Basic abc' } })).status, 401);
  assert.equal((await api(path, { method: 'POST', headers: { authorization: 'Bearer gho_unknown' } })).status, 401);
  const reader = await api(path, { method: 'POST', headers: { authorization: `Bearer ${READER}` } });
  assert.equal(reader.status, 403);
  const writer = await api(path, { method: 'POST', headers: { authorization: `Bearer ${WRITER}` } });
  assert.equal(writer.status, 200);
  assert.deepEqual(writer.json, { action: 'rebuild', repo: REPO, sha: s.sha, job: 'debian-12-5.3_opam-2.3', changed: true });
  // Already queued: nothing to do.
  const again = await api(path, { method: 'POST', headers: { authorization: `Bearer ${WRITER}` } });
  assert.equal(again.json.changed, false);
  const cancel = await api(`/${REPO}/commit/${s.sha.slice(0, 10)}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  assert.equal(cancel.status, 200);
  assert.deepEqual(cancel.json, { action: 'cancel', repo: REPO, sha: s.sha, jobs: 1 });
  const failed = await api(`/${REPO}/commit/${s.sha}/rebuild-failed`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  assert.equal(failed.json.jobs, 1);
  assert.equal((await h.cp.svc.store.jobs.get(s.jobs.get('debian-12-5.3_opam-2.3')?.id ?? ''))?.status, 'queued');
});

test('ids and names from URLs and queries are bounded: long or forged ones are 400 on pages, API and badges, never a 500', async () => {
  const long = 'r'.repeat(5000);
  const paths = [
    `/github/apico/${long}`,
    `/github/${'o'.repeat(5000)}`,
    `/github/apico/${long}/commit/${main.sha}`,
    `/github/a_b/alpha`,
    `/api/github/apico/${long}`,
    `/api/github/${'o'.repeat(40)}`,
    `/api/github/${REPO}/ref/${'x'.repeat(3000)}`,
    `/api/github/${REPO}/ref/${encodeURIComponent('é'.repeat(400))}`,
    `/api/github/${REPO}/history/branch/${'b'.repeat(300)}`,
    `/badge/github/apico/${long}/main`,
  ];
  for (const path of paths) {
    const res = await fetch(h.cp.url + path);
    assert.equal(res.status, 400, path.slice(0, 80));
  }
  // A history cursor is a start key on the by-repo index: only one of this repository's is taken.
  const forge = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const other = { id: `other/repo@${main.sha}`, repo: 'other/repo', createdAt: new Date().toISOString() };
  const mine = { id: `${REPO}@${main.sha}`, repo: REPO, createdAt: new Date().toISOString() };
  for (const after of [forge(other), forge({ ...mine, extra: 1 }), forge({ ...mine, createdAt: 'x'.repeat(900) }), forge({ id: mine.id })]) {
    const r = await api(`/${REPO}/history/branch/main?after=${after}`);
    assert.equal(r.status, 400, Buffer.from(after, 'base64url').toString().slice(0, 80));
    assert.match(r.json.error.message, /cursor|after/);
  }
  assert.equal((await api(`/${REPO}/history/branch/main?after=${forge(mine)}`)).status, 200, 'a well-formed cursor of this repository is taken');
});
