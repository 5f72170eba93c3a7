import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { until } from '../../support/control-plane.ts';
import { rebuildJob } from '../../../app/pipelines/index.ts';
import { jobIdFor, logIdFor } from '../../../app/store/index.ts';
import { appendLog, logLine, newSha, runJob, seedCommit, settled } from './support.ts';

let h: Harness;
const INST = 5151;
const REPO = 'webco/alpha';
const EVIL = '<img src=x onerror=alert(1)>';
let main: Awaited<ReturnType<typeof seedCommit>>;

const get = (path: string, init: RequestInit = {}) => fetch(h.cp.url + path, { redirect: 'manual', ...init });
const page = async (path: string) => {
  const res = await get(path);
  return { status: res.status, body: await res.text(), res };
};

before(async () => {
  h = await startHarness({ CID_SESSION_SECRET: 's'.repeat(40) });
  h.fake.addInstallation({ id: INST, account: 'webco', repositories: [REPO] });
  main = await seedCommit(h, {
    repo: REPO,
    installationId: INST,
    jobs: [
      { name: 'debian-12-5.3_opam-2.3', status: 'passed', log: [logLine('\x1b[1;32mok\x1b[0m all good'), logLine(`echo ${EVIL}`)] },
      { name: 'debian-12-4.14_opam-2.3', status: 'failed', reason: `exit 2 ${EVIL}` },
      { name: '(lint-fmt)', status: 'passed', experimental: true },
    ],
    dropped: [{ variant: 'macos-homebrew-5.3_opam-2.3', reason: `no runner pool ${EVIL}` }],
  });
  await settled(h.cp, main.pipelineId, 'failed');
});
after(() => h.stop());

test('the start page lists organisations, each linking to its repositories', async () => {
  const r = await page('/');
  assert.equal(r.status, 200);
  assert.match(r.res.headers.get('content-type') ?? '', /text\/html/);
  assert.match(r.res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.match(r.body, /<a href="\/github\/webco"><b>webco<\/b><\/a>/);
});

test('an owner page lists its repositories; an unknown owner is a 404 page', async () => {
  const r = await page('/github/webco');
  assert.equal(r.status, 200);
  assert.match(r.body, /href="\/github\/webco\/alpha"/);
  const missing = await page('/github/nobody-here');
  assert.equal(missing.status, 404);
  assert.match(missing.body, /<h1>Not found<\/h1>/);
  assert.equal((await page('/github/bad%20owner')).status, 400);
});

test('the repository page shows branches and PRs with their latest pipeline status', async () => {
  const pr = await seedCommit(h, { repo: REPO, installationId: INST, pull: 7, jobs: [{ name: 'debian-12-5.3_opam-2.3', status: 'passed' }] });
  await settled(h.cp, pr.pipelineId, 'passed');
  const r = await page(`/github/${REPO}`);
  assert.equal(r.status, 200);
  const [branches, pulls] = r.body.split('<h2>Pull requests</h2>') as [string, string];
  assert.match(branches, /<b>main<\/b><span class="tag">default<\/span>/);
  assert.match(branches, /st-failed/);
  assert.ok(branches.includes(`/commit/${main.sha}`));
  assert.match(pulls, /PR #7/);
  assert.match(pulls, /st-passed/);
  assert.ok(pulls.includes(`/commit/${pr.sha}`));
  assert.ok(pulls.includes(`/github/${REPO}/history/pull/7`));
});

test('the commit page lists every job with state, queue time and run time, and the platforms not built', async () => {
  const r = await page(`/github/${REPO}/commit/${main.sha}`);
  assert.equal(r.status, 200);
  for (const name of ['(analysis)', 'debian-12-5.3_opam-2.3', 'debian-12-4.14_opam-2.3', '(lint-fmt)']) {
    assert.ok(r.body.includes(`href="/github/${REPO}/commit/${main.sha}/variant/${encodeURIComponent(name)}"`), name);
  }
  // Order: analysis, builds by name, lints.
  const order = ['(analysis)', 'debian-12-4.14_opam-2.3', 'debian-12-5.3_opam-2.3', '(lint-fmt)'].map((n) => r.body.indexOf(`>${n}</a>`));
  assert.deepEqual([...order].sort((a, b) => a - b), order);
  assert.match(r.body, /st-failed/);
  assert.match(r.body, /experimental/);
  assert.match(r.body, /<td class="num">\d+s<\/td>/);
  assert.match(r.body, /<time datetime="\d{4}-\d\d-\d\dT/);
  assert.match(r.body, /Platforms not built/);
  assert.ok(r.body.includes('macos-homebrew-5.3_opam-2.3'));
  // Reasons from runners and the analysis are escaped.
  assert.ok(!r.body.includes(EVIL));
  assert.ok(r.body.includes('exit 2 &lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(r.body.includes('no runner pool &lt;img'));
  // Anonymous visitors get no action buttons, only the way to sign in (sign-in is not configured here).
  assert.ok(!r.body.includes('rebuild-failed'));
});

test('a failed analysis shows the pipeline error', async () => {
  const s = await seedCommit(h, { repo: REPO, installationId: INST, ref: 'refs/heads/broken', analysisError: 'No opam files found!' });
  const r = await page(`/github/${REPO}/commit/${s.sha}`);
  assert.equal(r.status, 200);
  assert.match(r.body, /<b>Pipeline error:<\/b> No opam files found!/);
});

test('a commit hash prefix redirects to the full hash; a malformed one is a 400, an unknown one a 404', async () => {
  const r = await get(`/github/${REPO}/commit/${main.sha.slice(0, 7)}`);
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), `/github/${REPO}/commit/${main.sha}`);
  const j = await get(`/github/${REPO}/commit/${main.sha.slice(0, 9)}/variant/(analysis)?run=1.1`);
  assert.equal(j.status, 302);
  assert.equal(j.headers.get('location'), `/github/${REPO}/commit/${main.sha}/variant/(analysis)?run=1.1`);
  assert.equal((await page(`/github/${REPO}/commit/xyz`)).status, 400);
  assert.equal((await page(`/github/${REPO}/commit/${'f'.repeat(40)}`)).status, 404);
  assert.equal((await page(`/github/${REPO}/commit/${main.sha}/variant/nope`)).status, 404);
  assert.equal((await page(`/github/webco/none/commit/${main.sha}`)).status, 404);
});

test('the job page shows the log with numbered lines, times, ANSI colours, escaped text, and how to reproduce it', async () => {
  const r = await page(`/github/${REPO}/commit/${main.sha}/variant/debian-12-5.3_opam-2.3`);
  assert.equal(r.status, 200);
  assert.match(r.body, /<div class="l" id="L1"><a href="#L1" data-n="1"><\/a><time title="\d{4}-\d\d-\d\d">\d\d:\d\d\.\d\d<\/time><span><span class="a-b a-f2">ok<\/span> all good<\/span><\/div>/);
  // The date shows (as a tooltip) where it changes, not on every line.
  assert.match(r.body, /<div class="l" id="L2"><a href="#L2" data-n="2"><\/a><time>\d\d:\d\d\.\d\d<\/time>/);
  assert.ok(!r.body.includes(EVIL));
  assert.ok(r.body.includes('echo &lt;img src=x onerror=alert(1)&gt;'));
  assert.match(r.body, /To reproduce locally/);
  assert.match(r.body, /FROM ocaml\/opam:debian-12-ocaml-5.3@sha256:/);
  assert.match(r.body, /RUN --mount=type=cache,id=opam-archives,target=\/home\/opam\/.opam\/download-cache,uid=1000 opam install/);
  assert.match(r.body, /git -c advice.detachedHead=false checkout [0-9a-f]{40}/);
  assert.match(r.body, /st-passed/);
  // A finished job's page does not poll.
  assert.ok(!r.body.includes('data-live='));
  assert.match(r.body, /<script src="\/static\/log.js" defer><\/script>/);
});

test('raw logs: ?raw=1 and /raw give plain text without colour codes; ?ansi=1 keeps them', async () => {
  const base = `/github/${REPO}/commit/${main.sha}/variant/debian-12-5.3_opam-2.3`;
  for (const path of [`${base}?raw=1`, `${base}/raw`]) {
    const r = await page(path);
    assert.equal(r.status, 200);
    assert.match(r.res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(r.body, /^\d{4}-\d\d-\d\d \d\d:\d\d\.\d\d: ok all good\n/);
    assert.ok(r.body.includes(`echo ${EVIL}\n`), 'plain text is not HTML-escaped');
    assert.ok(!r.body.includes('\x1b'));
  }
  const coloured = await page(`${base}/raw?ansi=1`);
  assert.ok(coloured.body.includes('\x1b[1;32mok\x1b[0m'));
});

test('a running job streams what exists; the live endpoint returns new lines from a cursor and holds back a partial line', async () => {
  const s = await seedCommit(h, { repo: REPO, installationId: INST, ref: 'refs/heads/live', jobs: [{ name: 'debian-12-5.3_opam-2.3', status: 'running', log: [logLine('first'), logLine('\x1b[33mstill yellow')] }] });
  const job = s.jobs.get('debian-12-5.3_opam-2.3');
  assert.ok(job);
  const base = `/github/${REPO}/commit/${s.sha}/variant/debian-12-5.3_opam-2.3`;
  const r = await page(base);
  assert.ok(r.body.includes(`data-live="${base}/live"`));
  assert.match(r.body, /id="log-end" data-seq="1" data-offset="0" data-line="2" data-sgr="33" data-run="1.1"/);
  assert.match(r.body, /<noscript><meta http-equiv="refresh" content="10"><\/noscript>/);

  const live = async (q: string) => (await (await get(`${base}/live?${q}`)).json()) as Record<string, any>;
  let u = await live('seq=1&offset=0&line=2&sgr=33&run=1.1');
  assert.equal(u.html, '');
  assert.equal(u.done, false);

  await h.cp.svc.store.logs.append(logIdFor(job.id, 1, 1), 1, logLine('third') + '2026-01-01 00:00.00: part');
  u = await live('seq=1&offset=0&line=2&sgr=33&run=1.1');
  assert.match(u.html, /id="L3".*<span class="a-f3">third<\/span>/);
  assert.ok(!u.html.includes('part'), 'the unfinished line waits');
  assert.equal(u.cursor.line, 3);
  assert.equal(u.cursor.seq, 1);
  assert.ok(u.cursor.offset > 0);
  assert.equal(u.cursor.sgr, '33');

  await h.cp.svc.store.logs.append(logIdFor(job.id, 1, 1), 2, 'ial line\n');
  const c = u.cursor as { seq: number; offset: number; line: number; sgr: string };
  u = await live(`seq=${c.seq}&offset=${c.offset}&line=${c.line}&sgr=${c.sgr}&run=1.1`);
  assert.match(u.html, /id="L4".*partial line/);
  assert.equal(u.cursor.seq, 3);

  // A cursor from another run (the page was opened before a rebuild) asks for a reload.
  assert.equal((await live('seq=0&offset=0&line=0&sgr=&run=')).reload, true);

  await h.cp.svc.store.jobs.finish(job.id, 'test-runner', { status: 'passed' });
  u = await live(`seq=3&offset=0&line=4&sgr=33&run=1.1`);
  assert.equal(u.done, true);
  assert.match(u.stateHtml, /st-passed/);
  assert.equal((await get(`${base}/live?seq=-1`)).status, 400);
});

test('a rebuilt job lists its runs, and each run keeps its own log', async () => {
  const s = await seedCommit(h, { repo: REPO, installationId: INST, ref: 'refs/heads/again', jobs: [{ name: 'debian-12-5.3_opam-2.3', status: 'failed', reason: 'flaky', log: [logLine('first attempt fails')] }] });
  const id = jobIdFor(s.pipelineId, 'debian-12-5.3_opam-2.3');
  await rebuildJob(h.cp.svc, id);
  const base = `/github/${REPO}/commit/${s.sha}/variant/debian-12-5.3_opam-2.3`;
  const queued = await page(base);
  assert.match(queued.body, /Waiting for a runner/);
  assert.match(queued.body, /st-queued/);
  await runJob(h.cp, id, { status: 'passed', log: [logLine('second attempt passes')] });
  const r = await page(base);
  assert.match(r.body, /<h2>Runs<\/h2>/);
  assert.match(r.body, /href="[^"]+\?run=2\.2" class="current">Attempt 2<\/a>/);
  assert.match(r.body, /href="[^"]+\?run=1\.1">Attempt 1<\/a>/);
  assert.ok(r.body.includes('second attempt passes'));
  const old = await page(`${base}?run=1.1`);
  assert.ok(old.body.includes('first attempt fails'));
  assert.ok(!old.body.includes('second attempt passes'));
  assert.ok((await page(`${base}/raw?run=1.1`)).body.includes('first attempt fails'));
  assert.equal((await page(`${base}?run=9.9`)).status, 404);
  assert.equal((await page(`${base}?run=x`)).status, 400);
});

test('history pages list every commit a branch or PR pointed at, newest first', async () => {
  const first = await seedCommit(h, { repo: REPO, installationId: INST, ref: 'refs/heads/feature/x', jobs: [] });
  const second = await seedCommit(h, { repo: REPO, installationId: INST, ref: 'refs/heads/feature/x', jobs: [] });
  await until(async () => (await h.cp.svc.store.pipelines.get(first.pipelineId))?.refs.length === 0, { what: 'first commit superseded' });
  const r = await page(`/github/${REPO}/history/branch/feature/x`);
  assert.equal(r.status, 200);
  assert.match(r.body, /History of feature\/x/);
  const a = r.body.indexOf(`/commit/${second.sha}`);
  const b = r.body.indexOf(`/commit/${first.sha}`);
  assert.ok(a > 0 && b > a, 'both commits, newest first');
  assert.ok(!r.body.includes(`/commit/${main.sha}`), 'other branches are not listed');
  const pr = await page(`/github/${REPO}/history/pull/7`);
  assert.equal(pr.status, 200);
  assert.match(pr.body, /History of PR #7/);
  assert.equal((await page(`/github/${REPO}/history/pull/abc`)).status, 400);
  const none = await page(`/github/${REPO}/history/branch/${newSha()}`);
  assert.match(none.body, /Nothing built for this ref/);
});

test('static assets are served with caching headers', async () => {
  const css = await get('/static/cid.css');
  assert.equal(css.status, 200);
  assert.match(css.headers.get('content-type') ?? '', /text\/css/);
  const etag = css.headers.get('etag') ?? '';
  assert.ok(etag);
  assert.equal((await get('/static/cid.css', { headers: { 'if-none-match': etag } })).status, 304);
  const js = await get('/static/log.js');
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  assert.match(await js.text(), /#L\(\\d\+\)/);
});

test('a job page of a large log starts arriving before the log is read to its end', async () => {
  const s = await seedCommit(h, { repo: REPO, installationId: INST, ref: 'refs/heads/big', jobs: [{ name: 'debian-12-5.3_opam-2.3', status: 'running', log: [] }] });
  const job = s.jobs.get('debian-12-5.3_opam-2.3');
  assert.ok(job);
  const lines = Array.from({ length: 40_000 }, (_, i) => logLine(`line ${i} ${'x'.repeat(80)}`));
  await appendLog(h.cp, job, lines, 0, 500);
  const res = await get(`/github/${REPO}/commit/${s.sha}/variant/debian-12-5.3_opam-2.3`);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  const head = new TextDecoder().decode(first.value);
  assert.match(head, /<!doctype html>/);
  assert.ok(!head.includes('id="L40000"'), 'the first bytes come before the end of the log');
  let rest = '';
  const dec = new TextDecoder();
  for (let r = await reader.read(); !r.done; r = await reader.read()) rest += dec.decode(r.value, { stream: true });
  assert.ok(rest.includes('id="L40000"'));
  assert.ok(rest.includes('line 39999 '));
  assert.match(rest, /<\/html>\n$/);
});
