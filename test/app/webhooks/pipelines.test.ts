import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { until } from '../../support/control-plane.ts';
import { makePullRequestPayload, makePushPayload, examplesFor } from '../../support/webhooks.ts';
import { jobIdFor } from '../../../app/store/index.ts';
import { pipelineId } from '../../../lib/contract/index.ts';

let h: Harness;
const INST = 4242;
const REPO = 'ocaml/alpha';

before(async () => {
  h = await startHarness({ CID_PUBLIC_URL: 'https://cid.example.org' });
  h.fake.addInstallation({ id: INST, account: 'ocaml', repositories: [REPO, 'ocaml/beta', 'ocaml/gamma'] });
});
after(() => h.stop());

let n = 0;
const newSha = () => (++n).toString(16).padStart(40, 'a');
const analysisId = (repo: string, sha: string) => jobIdFor(pipelineId(repo, sha), '(analysis)');

async function drainJobQueue(): Promise<string[]> {
  const q = h.cp.svc.queues;
  const url = q.jobQueueUrl('linux-x86_64', 'urgent');
  const ids: string[] = [];
  for (;;) {
    const ms = await q.receive(url, { max: 10, waitSeconds: 0 });
    if (ms.length === 0) return ids;
    for (const m of ms) {
      ids.push((JSON.parse(m.Body ?? '{}') as { jobId: string }).jobId);
      await q.delete(url, m.ReceiptHandle ?? '');
    }
  }
}

test('a push creates one pipeline, queues its (analysis) job and shows check runs on GitHub', async () => {
  const sha = newSha();
  const r = await h.deliver('push', makePushPayload({ repo: REPO, sha, installationId: INST }));
  assert.equal(r.status, 202, JSON.stringify(r.json));
  assert.equal(r.json.action, 'queued');
  assert.equal(r.result?.action, 'pipeline');
  const p = await h.cp.svc.store.pipelines.get(pipelineId(REPO, sha));
  assert.deepEqual(p?.refs, ['refs/heads/main']);
  assert.deepEqual(await drainJobQueue(), [analysisId(REPO, sha)]);
  assert.equal((await h.cp.svc.store.repositories.get(REPO))?.installationId, INST);

  const runs = await until(async () => {
    const rs = h.fake.state.checkRuns.filter((c) => c.head_sha === sha);
    return rs.length === 2 && rs;
  }, { what: 'two check runs' });
  const analysis = runs.find((c) => c.name === '(analysis)');
  const summary = runs.find((c) => c.name === 'cid');
  assert.equal(analysis?.status, 'queued');
  assert.equal(analysis?.details_url, `https://cid.example.org/github/${REPO}/commit/${sha}/variant/(analysis)`);
  assert.equal(analysis?.external_id, analysisId(REPO, sha));
  assert.match(summary?.output.summary ?? '', /🟠 \[\(analysis\) \(active\)\]\(https:\/\/cid\.example\.org\/github\/ocaml\/alpha\/commit\/[0-9a-f]+\/variant\/\(analysis\)\)/);
  assert.deepEqual(h.fake.state.invalidRequests, []);
  for (const run of runs) {
    for (const call of run.calls) {
      assert.equal(call.auth.kind, 'installation');
      assert.equal((call.auth as { installationId?: number }).installationId, INST);
    }
  }
});

test('the same delivery twice, and a PR for the pushed commit, make one pipeline with both refs', async () => {
  const sha = newSha();
  const payload = makePushPayload({ repo: REPO, sha, ref: 'refs/heads/feature', installationId: INST });
  const a = await h.deliver('push', payload, { deliveryId: 'same-delivery' });
  const b = await h.deliver('push', payload, { deliveryId: 'same-delivery' });
  assert.equal(a.result?.action, 'pipeline');
  assert.equal(b.result?.action, 'pipeline');
  const pr = await h.deliver('pull_request', makePullRequestPayload({ number: 5, headSha: sha, headRef: 'feature', baseRepo: REPO, installationId: INST }));
  assert.equal(pr.result?.action, 'pipeline');
  const p = await h.cp.svc.store.pipelines.get(pipelineId(REPO, sha));
  assert.deepEqual(p?.refs, ['pull/5', 'refs/heads/feature']);
  assert.deepEqual(await drainJobQueue(), [analysisId(REPO, sha)], 'one analysis job, queued once');
  const jobs = await h.cp.svc.store.jobs.listByPipeline(pipelineId(REPO, sha));
  assert.equal(jobs.length, 1);
});

test('a new push cancels the superseded commit, unless another ref still points at it', async () => {
  const old = newSha();
  await h.deliver('push', makePushPayload({ repo: 'ocaml/beta', sha: old, installationId: INST }));
  const shared = newSha();
  await h.deliver('push', makePushPayload({ repo: 'ocaml/beta', sha: shared, ref: 'refs/heads/dev', installationId: INST }));
  await h.deliver('pull_request', makePullRequestPayload({ number: 9, headSha: shared, headRef: 'dev', baseRepo: 'ocaml/beta', installationId: INST }));
  await drainJobQueue();

  const next = newSha();
  await h.deliver('push', makePushPayload({ repo: 'ocaml/beta', sha: next, before: old, installationId: INST }));
  const oldJob = await h.cp.svc.store.jobs.get(analysisId('ocaml/beta', old));
  assert.equal(oldJob?.status, 'cancelled');
  assert.match(oldJob?.reason ?? '', /superseded/);

  // dev moves on, but pull/9 still points at `shared`: its work goes on.
  await h.deliver('push', makePushPayload({ repo: 'ocaml/beta', sha: newSha(), ref: 'refs/heads/dev', before: shared, installationId: INST }));
  assert.equal((await h.cp.svc.store.jobs.get(analysisId('ocaml/beta', shared)))?.status, 'queued');
  // Closing the PR leaves no ref on it: now it is cancelled.
  const closed = await h.deliver('pull_request', makePullRequestPayload({ action: 'closed', number: 9, headSha: shared, headRef: 'dev', baseRepo: 'ocaml/beta', installationId: INST }));
  assert.equal(closed.result?.action, 'pull-request-closed');
  assert.equal((await h.cp.svc.store.jobs.get(analysisId('ocaml/beta', shared)))?.status, 'cancelled');
  await drainJobQueue();
});

test('a running job is asked to stop when superseded; tags are ignored; a deleted branch cancels', async () => {
  const sha = newSha();
  await h.deliver('push', makePushPayload({ repo: 'ocaml/gamma', sha, ref: 'refs/heads/tmp', installationId: INST }));
  const id = analysisId('ocaml/gamma', sha);
  await h.cp.svc.store.jobs.claim(id, { runnerId: 'r1', generation: 1, staleBefore: new Date(0).toISOString() });
  const tag = await h.deliver('push', makePushPayload({ repo: 'ocaml/gamma', sha: newSha(), ref: 'refs/tags/v1.0', installationId: INST }));
  assert.equal(tag.status, 202);
  assert.match(tag.json.reason, /tag/);
  const del = await h.deliver('push', makePushPayload({ repo: 'ocaml/gamma', sha: '0'.repeat(40), ref: 'refs/heads/tmp', before: sha, installationId: INST }));
  assert.equal(del.result?.action, 'branch-deleted');
  const job = await h.cp.svc.store.jobs.get(id);
  assert.equal(job?.status, 'running');
  assert.equal(job?.cancelRequested, true);
  await drainJobQueue();
});

test('re-running a check run on GitHub rebuilds that job once per delivery; its buttons cancel', async () => {
  const sha = newSha();
  await h.deliver('push', makePushPayload({ repo: REPO, sha, ref: 'refs/heads/rr', installationId: INST }));
  const id = analysisId(REPO, sha);
  await h.cp.svc.store.jobs.claim(id, { runnerId: 'r', generation: 1, staleBefore: new Date(0).toISOString() });
  await h.cp.svc.store.jobs.finish(id, 'r', { status: 'failed', reason: 'boom' });
  await drainJobQueue();

  const [example] = examplesFor('check_run', 'rerequested');
  assert.ok(example);
  const payload = {
    ...example,
    repository: { ...(example.repository as object), full_name: REPO, clone_url: `https://github.com/${REPO}.git`, html_url: `https://github.com/${REPO}` },
    installation: { id: INST },
    check_run: { ...(example.check_run as object), name: '(analysis)', head_sha: sha, external_id: id, app: { id: h.fake.app.appId } },
  };
  const first = await h.deliver('check_run', payload, { deliveryId: 'rr-1' });
  assert.equal(first.result?.action, 'rebuild');
  const again = await h.deliver('check_run', payload, { deliveryId: 'rr-1' });
  assert.match(again.result?.reason, /already handled/);
  const job = await h.cp.svc.store.jobs.get(id);
  assert.equal(job?.status, 'queued');
  assert.equal(job?.generation, 2);
  assert.deepEqual(await drainJobQueue(), [id]);

  const cancel = await h.deliver('check_run', { ...payload, action: 'requested_action', requested_action: { identifier: 'cancel' } }, { deliveryId: 'rr-2' });
  assert.equal(cancel.result?.action, 'cancel');
  assert.equal((await h.cp.svc.store.jobs.get(id))?.status, 'cancelled');

  const other = await h.deliver('check_run', { ...payload, check_run: { ...payload.check_run, app: { id: 1 } } }, { deliveryId: 'rr-3' });
  assert.equal(other.result?.action, 'ignored', 'check runs of other apps are not ours to rebuild');
});

test('installation events keep the repository index in step', async () => {
  const [created] = examplesFor('installation', 'created');
  assert.ok(created);
  const inst = { ...(created.installation as object), id: 777 };
  const repos = [
    { id: 1, node_id: 'x', name: 'one', full_name: 'acme/one', private: false },
    { id: 2, node_id: 'y', name: 'two', full_name: 'acme/two', private: true },
  ];
  assert.equal((await h.deliver('installation', { ...created, installation: inst, repositories: repos })).result?.action, 'repositories-added');
  assert.equal((await h.cp.svc.store.repositories.get('acme/two'))?.private, true);
  assert.equal((await h.cp.svc.store.repositories.get('acme/one'))?.installationId, 777);

  await h.deliver('installation', { ...created, action: 'suspend', installation: inst });
  assert.equal((await h.cp.svc.store.repositories.get('acme/one'))?.active, false);
  const ignored = await h.deliver('push', makePushPayload({ repo: 'acme/one', sha: newSha(), installationId: 777 }));
  assert.equal(ignored.result?.action, 'ignored', 'pushes to a suspended installation are ignored');
  await h.deliver('installation', { ...created, action: 'unsuspend', installation: inst });
  assert.equal((await h.cp.svc.store.repositories.get('acme/one'))?.active, true);

  const [added] = examplesFor('installation_repositories', 'added');
  assert.ok(added);
  await h.deliver('installation_repositories', {
    ...added,
    installation: inst,
    repositories_added: [{ id: 3, node_id: 'z', name: 'three', full_name: 'acme/three', private: false }],
    repositories_removed: [],
  });
  assert.ok(await h.cp.svc.store.repositories.get('acme/three'));
  await h.deliver('installation_repositories', {
    ...added,
    action: 'removed',
    installation: inst,
    repositories_added: [],
    repositories_removed: [{ id: 1, node_id: 'x', name: 'one', full_name: 'acme/one', private: false }],
  });
  assert.equal(await h.cp.svc.store.repositories.get('acme/one'), undefined);

  await h.deliver('installation', { ...created, action: 'deleted', installation: inst, repositories: [] });
  assert.equal(await h.cp.svc.store.repositories.get('acme/two'), undefined);
  assert.equal(await h.cp.svc.store.repositories.get('acme/three'), undefined);
  await drainJobQueue();
});
