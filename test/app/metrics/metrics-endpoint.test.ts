import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { until } from '../../support/control-plane.ts';
import { makePushPayload, signedDelivery } from '../../support/webhooks.ts';
import { jobIdFor } from '../../../app/store/index.ts';
import { pipelineId } from '../../../lib/contract/index.ts';

const TOKEN = 'metrics-token-0123456789';
const INST = 5151;
const REPO = 'ocaml/metrics';
let h: Harness;

before(async () => {
  h = await startHarness({ CID_METRICS_TOKEN: TOKEN });
  h.fake.addInstallation({ id: INST, account: 'ocaml', repositories: [REPO] });
});
after(() => h.stop());

async function scrape(): Promise<string> {
  const res = await fetch(`${h.cp.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one sample in Prometheus text format; 0 when absent (a counter never incremented). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

test('/metrics needs the bearer token when CID_METRICS_TOKEN is set', async () => {
  const none = await fetch(`${h.cp.url}/metrics`);
  assert.equal(none.status, 401);
  assert.match(((await none.json()) as { error: { message: string } }).error.message, /Authorization: Bearer <CID_METRICS_TOKEN>/);
  for (const authorization of ['Bearer metrics-token-0123456780', 'Basic abc', 'Bearer']) {
    const wrong = await fetch(`${h.cp.url}/metrics`, { headers: { authorization } });
    assert.equal(wrong.status, 401, authorization);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /^Bearer\b/);
    assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'unauthorized');
  }
  const text = await scrape();
  assert.match(text, /# TYPE cid_webhook_deliveries_total counter/);
  assert.match(text, /# TYPE process_cpu_user_seconds_total counter/, 'default process metrics too');
});

test('deliveries are counted by event and status and timed; queue depth and queued jobs follow', async () => {
  const before = await scrape();
  const push = { event: 'push', status: '202' };
  const sha = 'b'.repeat(40);

  const r = await h.deliver('push', makePushPayload({ repo: REPO, sha, installationId: INST }));
  assert.equal(r.status, 202, JSON.stringify(r.json));
  const forged = await signedDelivery('not-the-secret', 'push', makePushPayload({ repo: REPO, sha, installationId: INST }));
  assert.equal((await fetch(`${h.cp.url}/api/github/webhooks`, { method: 'POST', headers: forged.headers, body: forged.body })).status, 401);
  const odd = await signedDelivery('not-the-secret', 'made-up-event-name', {});
  await fetch(`${h.cp.url}/api/github/webhooks`, { method: 'POST', headers: odd.headers, body: odd.body });

  // The events consumer makes the pipeline and queues its (analysis) job after the answer.
  const after = await until(async () => {
    const t = await scrape();
    return sample(t, 'cid_jobs_queued', { pool: 'linux-x86_64' }) === 1 && t;
  }, { what: 'the analysis job to be queued' });
  assert.equal(sample(after, 'cid_webhook_deliveries_total', push) - sample(before, 'cid_webhook_deliveries_total', push), 1);
  const denied = { event: 'push', status: '401' };
  assert.equal(sample(after, 'cid_webhook_deliveries_total', denied) - sample(before, 'cid_webhook_deliveries_total', denied), 1);
  assert.equal(sample(after, 'cid_webhook_deliveries_total', { event: 'other', status: '401' }), 1, 'unknown event names are folded into "other"');
  assert.doesNotMatch(after, /made-up-event-name/);
  assert.equal(sample(after, 'cid_webhook_duration_seconds_count', { event: 'push' }) - sample(before, 'cid_webhook_duration_seconds_count', { event: 'push' }), 2);
  assert.ok(sample(after, 'cid_webhook_duration_seconds_sum', { event: 'push' }) > sample(before, 'cid_webhook_duration_seconds_sum', { event: 'push' }));

  // The push queued its (analysis) job: the store and SQS both say so at scrape time.
  assert.equal(sample(after, 'cid_jobs_queued', { pool: 'linux-x86_64' }), 1);
  assert.equal(sample(after, 'cid_jobs_queued', { pool: 'linux-arm64' }), 0);
  assert.equal(sample(after, 'cid_queue_messages', { queue: 'jobs-linux-x86_64-urgent', state: 'visible' }), 1);
  assert.equal(sample(after, 'cid_queue_messages', { queue: 'results-dlq', state: 'visible' }), 0);
  assert.equal(sample(after, 'cid_scrape_source_up', { source: 'sqs' }), 1);
  assert.equal(sample(after, 'cid_scrape_source_up', { source: 'dynamodb' }), 1);
});

test('a finished job is counted and timed when its result arrives', async () => {
  const sha = 'b'.repeat(40);
  const id = jobIdFor(pipelineId(REPO, sha), '(analysis)');
  const labels = { pool: 'linux-x86_64', kind: 'analysis', status: 'failed' };
  const before = await scrape();

  const jobs = h.cp.svc.store.jobs;
  const claimed = await jobs.claim(id, { runnerId: 'runner-1', generation: 1, staleBefore: new Date().toISOString() });
  assert.ok(claimed, 'the analysis job could be claimed');
  assert.ok(await jobs.finish(id, 'runner-1', { status: 'failed', reason: 'opam file unreadable' }));
  await h.cp.svc.queues.sendResult({ type: 'job-updated', jobId: id, status: 'failed' });

  const after = await until(
    async () => {
      const t = await scrape();
      return sample(t, 'cid_jobs_finished_total', labels) > sample(before, 'cid_jobs_finished_total', labels) && t;
    },
    { what: 'the result to be counted' },
  );
  assert.equal(sample(after, 'cid_jobs_finished_total', labels) - sample(before, 'cid_jobs_finished_total', labels), 1);
  assert.equal(sample(after, 'cid_job_duration_seconds_count', labels) - sample(before, 'cid_job_duration_seconds_count', labels), 1);
  // Timed exactly as the store recorded the run, however short it was.
  const finished = await jobs.get(id);
  assert.ok(finished?.startedAt && finished.finishedAt);
  const seconds = (Date.parse(finished.finishedAt) - Date.parse(finished.startedAt)) / 1000;
  const timed = sample(after, 'cid_job_duration_seconds_sum', labels) - sample(before, 'cid_job_duration_seconds_sum', labels);
  assert.ok(Math.abs(timed - seconds) < 1e-9, `timed ${timed} s, ran ${seconds} s`);
  assert.equal(sample(after, 'cid_jobs_queued', { pool: 'linux-x86_64' }), 0, 'a claimed job is no longer queued');
});
