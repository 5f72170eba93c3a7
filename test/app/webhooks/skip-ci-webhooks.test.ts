import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLogSink } from '../../support/json-log-sink.ts';
import { pino } from 'pino';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { until } from '../../support/control-plane.ts';
import { makePullRequestPayload, makePushPayload } from '../../support/webhooks.ts';
import { jobIdFor } from '../../../app/store/index.ts';
import { pipelineId } from '../../../lib/contract/index.ts';
import { processEvent } from '../../../app/webhooks/index.ts';

// "[skip ci]" and friends in the head commit's message: read from the push payload, and for pull
// requests from GitHub (git/get-commit), which must never cost a build when it fails.
const { lines, sink } = jsonLogSink();

let h: Harness;
const INST = 5151;
const REPO = 'ocaml/skippy';
const FILES = { 'dune-project': '(lang dune 3.0)\n' };

before(async () => {
  h = await startHarness({}, { log: pino({ level: 'info' }, sink) });
  h.fake.addInstallation({ id: INST, account: 'ocaml', repositories: [REPO] });
});
after(() => h.stop());

let n = 0;
const newSha = () => (++n).toString(16).padStart(40, 'b');
const analysisId = (sha: string) => jobIdFor(pipelineId(REPO, sha), '(analysis)');
const pipelineOf = (sha: string) => h.cp.svc.store.pipelines.get(pipelineId(REPO, sha));
const headOf = async (ref: string) => (await h.cp.svc.store.refs.get(REPO, ref))?.sha;
const push = (sha: string, before: string, message: string) =>
  h.deliver('push', makePushPayload({ repo: REPO, sha, before, ref: 'refs/heads/main', installationId: INST, message }));
const pr = (action: string, number: number, headSha: string) =>
  h.deliver('pull_request', makePullRequestPayload({ action, number, headSha, headRef: `topic-${number}`, baseRepo: REPO, installationId: INST }));

test('a marked push makes no pipeline and leaves the branch’s pipeline alone; an unmarked one builds', async () => {
  const first = newSha();
  assert.equal((await push(first, '1'.repeat(40), 'Add a parser')).result?.action, 'pipeline');

  const skipped = newSha();
  const r = await push(skipped, first, 'Fix a typo in the docs [skip ci]');
  assert.equal(r.status, 202);
  assert.equal(r.result?.action, 'ignored');
  assert.match(r.result?.reason, /\[skip ci\]/);
  assert.equal(await pipelineOf(skipped), undefined);
  assert.equal((await h.cp.svc.store.jobs.get(analysisId(first)))?.status, 'queued', 'nothing is cancelled');
  assert.equal(await headOf('refs/heads/main'), first, 'the branch still shows its last built commit');
  const logged = await until(async () => lines.find((l) => l.msg === 'webhook handled' && l.event === 'push' && String(l.reason).includes('[skip ci]')), {
    what: 'the ignored push in the log',
  });
  assert.equal(logged.action, 'ignored');
  assert.equal(logged.repo, REPO);

  const markers: [string, string][] = [
    ['[CI Skip] regenerate the changelog', '[CI Skip]'],
    ['Release notes [no ci]', '[no ci]'],
    ['[skip cid] only for other CIs', '[skip cid]'],
    ['Bump the year [cid skip]', '[cid skip]'],
    ['Update the README\n\nNothing to test.\n\nskip-checks: true\n', 'skip-checks: true'],
  ];
  let before = skipped;
  for (const [message, marker] of markers) {
    const sha = newSha();
    const res = await push(sha, before, message);
    assert.equal(res.result?.action, 'ignored', message);
    assert.ok(String(res.result?.reason).includes(marker), `${res.result?.reason} names ${marker}`);
    assert.equal(await pipelineOf(sha), undefined, message);
    before = sha;
  }

  // A long message is queued cut to its start and end: its trailer still counts, and it fits SQS.
  const long = newSha();
  const body = `${'A very long explanation. '.repeat(15_000)}`;
  const cut = await push(long, before, `Rewrite the lexer\n\n${body}\n\nskip-checks:true`);
  assert.equal(cut.result?.action, 'ignored');
  assert.match(cut.result?.reason, /skip-checks:true/);

  const next = newSha();
  const built = await push(next, long, 'Skip the flaky test when offline (ci: tidy)');
  assert.equal(built.result?.action, 'pipeline');
  assert.equal(built.result?.superseded, first);
  assert.equal((await h.cp.svc.store.jobs.get(analysisId(first)))?.status, 'cancelled', 'the next built commit supersedes it');
  assert.equal((await h.cp.svc.store.jobs.get(analysisId(next)))?.status, 'queued');
});

test('a PR whose head commit is marked makes no pipeline; its message is read from GitHub', async () => {
  const marked = newSha();
  h.fake.setRepoFiles(REPO, marked, FILES, { message: 'Update the changelog\n\n[no ci]\n' });
  const r = await pr('opened', 3, marked);
  assert.equal(r.result?.action, 'ignored');
  assert.match(r.result?.reason, /\[no ci\]/);
  assert.equal(await pipelineOf(marked), undefined);
  assert.equal(await headOf('pull/3'), undefined);
  const calls = h.fake.requestsFor('git/get-commit').filter((c) => c.path === `/repos/${REPO}/git/commits/${marked}`);
  assert.deepEqual(calls.map((c) => [c.status, c.auth.kind, c.auth.installationId]), [[200, 'installation', INST]]);

  // A new unmarked head builds; a marked one after it leaves that pipeline alone.
  const real = newSha();
  h.fake.setRepoFiles(REPO, real, FILES, { message: 'Handle empty input', parents: [marked] });
  assert.equal((await pr('synchronize', 3, real)).result?.action, 'pipeline');
  const again = newSha();
  h.fake.setRepoFiles(REPO, again, FILES, { message: 'Rename a variable\n\nskip-checks: true', parents: [real] });
  const sync = await pr('synchronize', 3, again);
  assert.equal(sync.result?.action, 'ignored');
  assert.match(sync.result?.reason, /skip-checks: true/);
  assert.equal(await headOf('pull/3'), real);
  assert.equal((await h.cp.svc.store.jobs.get(analysisId(real)))?.status, 'queued');
  assert.deepEqual(h.fake.state.invalidRequests, []);
  assert.deepEqual(h.fake.state.invalidResponses, []);
});

test('when the head commit cannot be read, the PR is built anyway, with a warning', async () => {
  const marked = newSha();
  h.fake.setRepoFiles(REPO, marked, FILES, { message: 'Tidy up [skip ci]' });
  h.fake.failNext({ operationId: 'git/get-commit', status: 500, count: 20 });
  try {
    const r = await pr('opened', 4, marked);
    assert.equal(r.result?.action, 'pipeline', JSON.stringify(r.result));
    assert.ok(await pipelineOf(marked));
  } finally {
    h.fake.faults.clear();
  }
  const failed = h.fake.requestsFor('git/get-commit').filter((c) => c.path.endsWith(marked));
  assert.ok(failed.length >= 1 && failed.every((c) => c.injected && c.status === 500), JSON.stringify(failed.map((c) => c.status)));
  const warning = lines.find((l) => l.level === 40 && l.sha === marked);
  assert.match(String(warning?.msg), /could not read the head commit's message; building it/);
  assert.equal(warning?.status, 500);

  // A commit GitHub does not know (404) is built too.
  const unknown = newSha();
  assert.equal((await pr('opened', 5, unknown)).result?.action, 'pipeline');

  // And without GitHub configured at all.
  const offline = newSha();
  const payload = makePullRequestPayload({ number: 6, headSha: offline, headRef: 'topic-6', baseRepo: REPO, installationId: INST });
  const msg = { type: 'webhook' as const, deliveryId: 'offline-1', event: 'pull_request', payload: payload as unknown as Record<string, unknown>, receivedAt: new Date().toISOString() };
  const { github: _github, ...withoutGitHub } = h.cp.svc;
  const result = await processEvent(withoutGitHub, msg);
  assert.equal(result.body.action, 'pipeline');
  assert.ok(await pipelineOf(offline));
  assert.ok(lines.some((l) => l.level === 40 && l.sha === offline && /GitHub is not configured/.test(String(l.msg))));
});
