import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { appRegistry, jobMetrics, jobUpdateRecorder } from '../../../app/metrics/index.ts';

// Each test counts into a registry of its own: no other test, nor the order they run in, shows.
let jobsFinished: ReturnType<typeof jobMetrics>['jobsFinished'];
let jobDuration: ReturnType<typeof jobMetrics>['jobDuration'];
let recordJobUpdate: ReturnType<typeof jobUpdateRecorder>;
beforeEach(() => {
  const metrics = jobMetrics(new Registry());
  ({ jobsFinished, jobDuration } = metrics);
  recordJobUpdate = jobUpdateRecorder(metrics);
});

const value = async (labels: Record<string, string>) => (await jobsFinished.get()).values.find((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x))?.value ?? 0;
const durationCount = async (labels: Record<string, string>) =>
  (await jobDuration.get()).values.find((v) => v.metricName === 'cid_job_duration_seconds_count' && Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x))?.value ?? 0;

const job = {
  id: 'j-record-1',
  generation: 1,
  attempt: 1,
  pool: 'linux-arm64' as const,
  kind: 'build' as const,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:02:30.000Z',
};
const labels = { pool: 'linux-arm64', kind: 'build', status: 'passed' };

test('a final result is counted once, however often it is handled; a running one not at all', async () => {
  recordJobUpdate({ ...job, status: 'running' });
  assert.equal(await value(labels), 0);
  recordJobUpdate({ ...job, status: 'passed' });
  recordJobUpdate({ ...job, status: 'passed' });
  assert.equal(await value(labels), 1);
  assert.equal(await durationCount(labels), 1);
  const sum = (await jobDuration.get()).values.find((v) => v.metricName === 'cid_job_duration_seconds_sum' && v.labels.pool === 'linux-arm64');
  assert.equal(sum?.value, 150);
  // A rebuild (next generation) is a new run and counts again.
  recordJobUpdate({ ...job, generation: 2, status: 'passed' });
  assert.equal(await value(labels), 2);
});

test('a job that never started is counted but not timed', async () => {
  const l = { pool: 'linux-s390x', kind: 'build', status: 'cancelled' };
  recordJobUpdate({ ...job, id: 'j-record-2', pool: 'linux-s390x', startedAt: undefined, status: 'cancelled' });
  assert.equal(await value(l), 1);
  assert.equal(await durationCount(l), 0);
});

test("a recorder counts into its own registry only, with its own memory of what it counted", async () => {
  const l = { pool: 'linux-ppc64le', kind: 'build', status: 'failed' };
  const failed = { ...job, id: 'j-record-3', pool: 'linux-ppc64le' as const, status: 'failed' as const };
  recordJobUpdate(failed);
  assert.equal(await value(l), 1);
  const app = await appRegistry.getSingleMetric('cid_jobs_finished_total')?.get();
  assert.equal(app?.values.find((v) => v.labels.pool === 'linux-ppc64le')?.value ?? 0, 0, "the app's /metrics registry is untouched");
  const other = jobMetrics(new Registry());
  jobUpdateRecorder(other)(failed);
  assert.equal((await other.jobsFinished.get()).values.find((v) => v.labels.pool === 'linux-ppc64le')?.value, 1);
  assert.equal(await value(l), 1);
});
