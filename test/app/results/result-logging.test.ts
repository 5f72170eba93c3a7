import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLogSink } from '../../support/json-log-sink.ts';
import { pino } from 'pino';
import { startTestControlPlane, until } from '../../support/control-plane.ts';
import type { ControlPlane } from '../../../local/start-control-plane.ts';

// Structured logs: a line written while applying a result carries the job, pipeline and repository.
const { lines, sink } = jsonLogSink();
let cp: ControlPlane;

before(async () => {
  cp = await startTestControlPlane({}, { log: pino({ level: 'info' }, sink), sweeper: false });
});
after(() => cp.stop());

test('a result for a job of an unknown pipeline is logged with job, pipeline and repository ids', async () => {
  const sha = 'c'.repeat(40);
  const { job } = await cp.svc.store.jobs.create({
    id: 'j-logging-1',
    pipelineId: `ocaml/logs@${sha}`,
    repo: 'ocaml/logs',
    sha,
    name: '(analysis)',
    kind: 'analysis',
    pool: 'linux-x86_64',
    priority: 'urgent',
    source: { kind: 'local', path: '/tmp/nowhere', sha },
  });
  await cp.svc.queues.sendResult({ type: 'job-updated', jobId: job.id, status: 'queued' });
  const line = await until(async () => lines.find((l) => l.msg === 'change for an unknown pipeline ignored'), { what: 'the warning' });
  assert.equal(line.jobId, 'j-logging-1');
  assert.equal(line.pipelineId, `ocaml/logs@${sha}`);
  assert.equal(line.repo, 'ocaml/logs');
  assert.equal(line.level, 40);
});
