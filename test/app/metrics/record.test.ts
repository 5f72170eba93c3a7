import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobDuration, jobsFinished, recordJobUpdate } from '../../../app/metrics/index.ts';

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
