import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRunnerMetrics, startMetricsServer, type MetricsServer, type RunnerMetrics } from '../../../runner/metrics/index.ts';

let m: RunnerMetrics;
let server: MetricsServer;

before(async () => {
  m = createRunnerMetrics({ pool: 'linux-arm64', runnerId: 'ec2-linux-arm64', concurrency: 4 });
  server = await startMetricsServer(m.registry, { port: 0 });
});
after(() => server.close());

const scrape = async () => {
  const res = await fetch(server.url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  return res.text();
};

/** One sample's value, matching the given labels in any order; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

test('serves the runner metrics on /metrics, labelled with pool and runner', async () => {
  const text = await scrape();
  const ours = { pool: 'linux-arm64', runner: 'ec2-linux-arm64' };
  assert.equal(sample(text, 'cid_runner_slots', ours), 4);
  assert.equal(sample(text, 'cid_runner_jobs_running', ours), 0);
  assert.ok((sample(text, 'process_resident_memory_bytes', ours) ?? 0) > 0, 'default process metrics too');
  assert.equal((await fetch(server.url.replace('/metrics', '/other'))).status, 404);
  assert.equal((await fetch(server.url, { method: 'POST' })).status, 404);
});

test('jobs running, durations, queue wait and cache counters move as the runner reports them', async () => {
  const endA = m.startJob('build');
  const endB = m.startJob('analysis');
  assert.equal(sample(await scrape(), 'cid_runner_jobs_running'), 2);
  endA('passed');
  endA('passed'); // a second call must not count twice
  endB('failed');
  m.observeQueueWait('urgent', String(Date.now() - 42_000));
  m.observeQueueWait('bulk', undefined); // no SentTimestamp: nothing observed
  m.cacheHits.inc(3);
  m.cacheMisses.inc();
  m.handedBack.inc();

  const text = await scrape();
  assert.equal(sample(text, 'cid_runner_jobs_running'), 0);
  assert.equal(sample(text, 'cid_runner_job_duration_seconds_count', { kind: 'build', status: 'passed' }), 1);
  assert.equal(sample(text, 'cid_runner_job_duration_seconds_count', { kind: 'analysis', status: 'failed' }), 1);
  assert.equal(sample(text, 'cid_runner_queue_wait_seconds_bucket', { le: '30', priority: 'urgent' }), 0);
  assert.equal(sample(text, 'cid_runner_queue_wait_seconds_bucket', { le: '60', priority: 'urgent' }), 1);
  assert.equal(sample(text, 'cid_runner_queue_wait_seconds_count', { priority: 'bulk' }), undefined);
  assert.equal(sample(text, 'cid_runner_cache_hits_total'), 3);
  assert.equal(sample(text, 'cid_runner_cache_misses_total'), 1);
  assert.equal(sample(text, 'cid_runner_jobs_handed_back_total'), 1);
});

test('step cache: size, entries and budget as gauges, evictions by reason and bytes freed as counters', async () => {
  const budgeted = createRunnerMetrics({ pool: 'linux-x86_64', runnerId: 'r', concurrency: 1, cacheMaxBytes: 1000 });
  budgeted.observePrune({ bytes: 900, entries: 3, evicted: [{ reason: 'size', bytes: 200 }, { reason: 'age', bytes: 50 }, { reason: 'size', bytes: 0 }] }, 1_700_000_000_000);
  budgeted.observePrune({ bytes: 800, entries: 2, evicted: [{ reason: 'size', bytes: 100 }] });
  const text = await budgeted.registry.metrics();
  assert.equal(sample(text, 'cid_runner_cache_max_bytes'), 1000);
  assert.equal(sample(text, 'cid_runner_cache_bytes'), 800);
  assert.equal(sample(text, 'cid_runner_cache_entries'), 2);
  assert.equal(sample(text, 'cid_runner_cache_evictions_total', { reason: 'size' }), 3);
  assert.equal(sample(text, 'cid_runner_cache_evictions_total', { reason: 'age' }), 1);
  assert.equal(sample(text, 'cid_runner_cache_evicted_bytes_total'), 350);
  assert.ok((sample(text, 'cid_runner_cache_last_prune_timestamp_seconds') ?? 0) > 1_700_000_000);

  const fresh = await scrape();
  assert.equal(sample(fresh, 'cid_runner_cache_evictions_total', { reason: 'age' }), 0, 'both reasons are there before any eviction');
  assert.equal(sample(fresh, 'cid_runner_cache_max_bytes'), 0, 'no budget given: 0');
});

test('network retries are counted by the tool whose message matched', async () => {
  m.networkRetries.inc({ tool: 'curl' });
  m.networkRetries.inc({ tool: 'curl' });
  m.networkRetries.inc({ tool: 'apt' });
  const text = await scrape();
  assert.equal(sample(text, 'cid_runner_network_retries_total', { tool: 'curl', pool: 'linux-arm64' }), 2);
  assert.equal(sample(text, 'cid_runner_network_retries_total', { tool: 'apt' }), 1);
});
