// Reporting an opam-repository PR through the real results consumer against the fake GitHub:
// statuses once per change, one comment created once and edited in place, edits coalesced to
// one per 10 s with a deferred (DelaySeconds) edit, the comment found again by its marker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { until } from '../../support/control-plane.ts';
import { pipelineId, type Job, type OpamRepoAnalysis, type ResultMessage } from '../../../lib/contract/index.ts';
import { handleResult } from '../../../app/results/index.ts';
import { jobIdFor, tableNames } from '../../../app/store/index.ts';
import { COMMENT_MARKER } from '../../../app/opam-repo-pr/report/index.ts';
import { COMMENT_EDIT_INTERVAL_MS } from '../../../app/opam-repo-pr/index.ts';

let h: Harness;
const INST = 5151;
const REPO = 'ocaml/opam-repository';
const SHA = 'c'.repeat(40);
const BASE = 'd'.repeat(40);
const PID = pipelineId(REPO, SHA);

before(async () => {
  h = await startHarness({ CID_PUBLIC_URL: 'https://cid.example.org', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' });
  h.fake.addInstallation({ id: INST, account: 'ocaml', repositories: [REPO] });
});
after(() => h.stop());

const source = { kind: 'github' as const, repo: REPO, sha: SHA, cloneUrl: `https://github.com/${REPO}.git`, fetchRef: 'refs/pull/7/head', installationId: INST, fromFork: true, baseSha: BASE };

const plan: OpamRepoAnalysis = {
  baseSha: BASE,
  packages: [{ pkg: 'fmt.0.10.0', change: 'new-release', hasTests: false }],
  lint: [{ level: 'warning', pkg: 'fmt.0.10.0', message: "Warning in fmt.0.10.0: Missing field 'license'" }],
  jobs: [
    { name: 'compilers,5.4,fmt.0.10.0', variant: 'debian-13-5.4_opam-2.5', pkg: 'fmt.0.10.0', type: 'build', experimental: false },
    { name: 'compilers,4.14,fmt.0.10.0', variant: 'debian-13-4.14_opam-2.5', pkg: 'fmt.0.10.0', type: 'build', experimental: false },
  ],
  revdeps: [],
};

async function finish(name: string, status: 'passed' | 'failed'): Promise<void> {
  const store = h.cp.svc.store;
  const id = jobIdFor(PID, name);
  const claimed = await store.jobs.claim(id, { runnerId: 'r', generation: 1, staleBefore: new Date(0).toISOString() });
  assert.ok(claimed, `claimed ${name}`);
  await store.jobs.finish(id, 'r', { status });
  await h.cp.svc.queues.sendResult({ type: 'job-updated', jobId: id, status });
}

/** Applies a message here and now (again while the harness's own consumer holds the pipeline). */
const applied = (msg: ResultMessage) => until(async () => (await handleResult(h.cp.svc, msg)) === 'done', { what: `${msg.type} applied` });
const comments = () => h.fake.state.comments.filter((c) => c.repo === REPO && c.issue_number === 7);
const statuses = (context: string) => h.fake.state.statuses.filter((s) => s.sha === SHA && s.context === context).map((s) => `${s.state}: ${s.description}`);

test('statuses follow the pipeline; one comment, created once, edited at most every 10 s', async () => {
  const svc = h.cp.svc;
  const { pipeline } = await svc.store.pipelines.ensure({ repo: REPO, sha: SHA, ref: 'pull/7', installationId: INST });
  await svc.store.refs.set(REPO, 'pull/7', SHA);
  const analysis: Partial<Job> = { output: { jobs: [], dropped: [], info: { roots: [], pinned: [], monorepo: false }, opamRepo: plan } };
  await svc.store.jobs.create({
    id: jobIdFor(PID, '(analysis)'),
    pipelineId: PID,
    repo: REPO,
    sha: SHA,
    name: '(analysis)',
    kind: 'analysis',
    pool: 'linux-x86_64',
    priority: 'urgent',
    source,
    params: svc.analysisParams,
  });
  assert.ok(await svc.store.jobs.claim(jobIdFor(PID, '(analysis)'), { runnerId: 'r', generation: 1, staleBefore: new Date(0).toISOString() }));
  // Configured as an opam repository: pending statuses before the analysis says anything.
  await svc.queues.sendResult({ type: 'pipeline-changed', pipelineId: pipeline.id });
  await until(async () => statuses('opam-ci').length === 1 && statuses('opam-repo-ci (linter)').length === 1, { timeoutMs: 40_000, what: 'pending statuses' });
  assert.deepEqual(statuses('opam-ci'), ['pending: Analysing the changes']);
  assert.deepEqual(statuses('opam-repo-ci (linter)'), ['pending: Linting']);

  const created = await until(async () => comments().length === 1 && comments()[0], { timeoutMs: 40_000, what: 'the comment' });
  const createdAt = Date.now();
  assert.ok(created.body.startsWith(COMMENT_MARKER));
  assert.match(created.body, /⏳ analysing/);
  assert.equal(created.auth.kind, 'installation');

  // The analysis passes: the control plane creates its jobs from the plan.
  assert.ok(await svc.store.jobs.finish(jobIdFor(PID, '(analysis)'), 'r', { status: 'passed', ...analysis } as never));
  await svc.queues.sendResult({ type: 'job-updated', jobId: jobIdFor(PID, '(analysis)'), status: 'passed' });
  await until(async () => (await svc.store.jobs.listByPipeline(PID)).length === 3, { timeoutMs: 40_000, what: 'the planned jobs' });
  const jobs = await svc.store.jobs.listByPipeline(PID);
  assert.deepEqual(jobs.filter((j) => j.kind === 'opam-repo').map((j) => [j.name, j.status]).sort(), [
    ['compilers,4.14,fmt.0.10.0', 'queued'],
    ['compilers,5.4,fmt.0.10.0', 'queued'],
  ]);

  // Both jobs finish within the interval: no edit yet, one deferred edit with the final state.
  await finish('compilers,5.4,fmt.0.10.0', 'passed');
  await finish('compilers,4.14,fmt.0.10.0', 'failed');
  await until(async () => statuses('opam-ci').length === 3 && statuses('opam-repo-ci (linter)').length === 2, { timeoutMs: 40_000, what: 'the final statuses' });
  assert.deepEqual(statuses('opam-ci'), ['pending: Analysing the changes', 'pending: Running', 'failure: Failed - 1 job failed, 0 jobs skipped, 1 job passed']);
  assert.deepEqual(statuses('opam-repo-ci (linter)'), ['pending: Linting', 'failure: Failed - 1 warning']);
  assert.equal(comments()[0]?.history.length, 1, 'not edited within 10 s of the last write');

  const edited = await until(async () => (comments()[0]?.history.length ?? 0) > 1 && comments()[0], { timeoutMs: 25_000, what: 'the deferred edit' });
  assert.ok(Date.now() - createdAt >= COMMENT_EDIT_INTERVAL_MS - 1500, 'the edit waited for the interval');
  assert.equal(comments().length, 1, 'one comment, edited in place');
  assert.equal(edited.history.length, 2, 'the results in between were coalesced into one edit');
  assert.match(edited.body, /## opam-repo-ci: ❌ failed/);
  assert.match(edited.body, /\| compilers,4\.14 \| \[❌\]\(https:\/\/cid\.example\.org\/github\/ocaml\/opam-repository\/commit\/c+\/variant\/compilers%2C4\.14%2Cfmt\.0\.10\.0\) \|/);

  // The opam-repo jobs have no check run of their own.
  assert.ok(!h.fake.state.checkRuns.some((c) => c.name.startsWith('compilers,')));
  assert.deepEqual(h.fake.state.invalidRequests, []);
});

test('a lost record: the comment is found again by its marker (ours, not a person quoting it), never duplicated', async () => {
  const svc = h.cp.svc;
  const forget = () => svc.store.db.send(new DeleteCommand({ TableName: tableNames(svc.config.tablePrefix).reports, Key: { id: `comment#${REPO}#7` } }));
  // Our comment was deleted on GitHub, and someone quotes the marker in theirs.
  h.fake.state.comments.splice(0, h.fake.state.comments.length);
  h.fake.addUser({ login: 'someone', token: 'gho_someone', permissions: { [REPO.toLowerCase()]: 'write' } });
  const res = await fetch(`${h.fake.url}/repos/${REPO}/issues/7/comments`, {
    method: 'POST',
    headers: { authorization: 'token gho_someone', 'content-type': 'application/json' },
    body: JSON.stringify({ body: `> ${COMMENT_MARKER}\nwhy does it fail?` }),
  });
  assert.equal(res.status, 201);
  await forget();
  await svc.queues.sendResult({ type: 'pipeline-changed', pipelineId: PID });
  const ours = await until(async () => comments().find((c) => c.user !== 'someone'), { timeoutMs: 40_000, what: 'a new comment of ours' });
  assert.equal(comments().find((c) => c.user === 'someone')?.history.length, 1, "a person's comment is never edited");

  // The record is lost again, once the consumer has written it: the comment is found by its
  // marker and edited, not duplicated.
  await until(async () => (await svc.store.reports.get(`comment#${REPO}#7`))?.targetId === ours.id, { timeoutMs: 10_000, what: 'the record of the new comment' });
  await forget();
  const edits = ours.history.length;
  await svc.queues.sendResult({ type: 'pipeline-changed', pipelineId: PID });
  await until(async () => ours.history.length > edits, { timeoutMs: 40_000, what: 'an edit of our comment' });
  assert.equal(comments().length, 2);
  // Unchanged since: nothing more is written.
  const n = h.fake.requestsFor('issues/update-comment').length;
  await applied({ type: 'pipeline-changed', pipelineId: PID });
  assert.equal(h.fake.requestsFor('issues/update-comment').length, n);
  assert.deepEqual(h.fake.state.invalidRequests, []);
});

test('a comment only for the PR head: an older commit of the PR leaves it alone', async () => {
  const svc = h.cp.svc;
  await svc.store.refs.set(REPO, 'pull/7', 'e'.repeat(40));
  const n = h.fake.requestsFor('issues/update-comment').length + h.fake.requestsFor('issues/create-comment').length;
  await applied({ type: 'pipeline-changed', pipelineId: PID });
  assert.equal(h.fake.requestsFor('issues/update-comment').length + h.fake.requestsFor('issues/create-comment').length, n);
});
