import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasEnded } from '../../../local/local-mode/watch-pipeline.ts';
import { job, snap } from './snapshots.ts';

const planned = (n: number) => ({
  jobs: Array.from({ length: n }, (_, i) => ({ name: `j${i}`, kind: 'build', pool: 'linux-x86_64', spec: { from: 'img', steps: [] } })),
  dropped: [],
});

test('the run has ended only when every job is final and every planned job is there', () => {
  const analysisOk = (n: number) => job('(analysis)', 'passed', { kind: 'analysis', output: planned(n) });
  assert.equal(hasEnded(snap([], 'pending')), false);
  assert.equal(hasEnded(snap([job('(analysis)', 'running', { kind: 'analysis' })], 'running')), false);
  // A passed analysis whose jobs the results consumer has not added yet: not over.
  assert.equal(hasEnded(snap([analysisOk(2)], 'passed')), false);
  assert.equal(hasEnded(snap([analysisOk(2), job('a', 'passed')], 'running')), false);
  assert.equal(hasEnded(snap([analysisOk(2), job('a', 'passed'), job('b', 'running')], 'running')), false);
  assert.equal(hasEnded(snap([analysisOk(2), job('a', 'passed'), job('b', 'skipped')], 'passed')), true);
  // An analysis result the consumer cannot read adds no jobs (the pipeline gets an error instead).
  assert.equal(hasEnded(snap([job('(analysis)', 'passed', { kind: 'analysis', output: { jobs: [{}] } })], 'failed')), true);
  assert.equal(hasEnded(snap([job('(analysis)', 'failed', { kind: 'analysis', reason: 'No opam files found!' })], 'failed', { error: 'No opam files found!' })), true);
});
