// The one report-once / coalesce / defer helper every reporter uses (check runs, statuses, the
// PR comment, Slack), against the real reports table and results queue, with an injected clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestControlPlane, webhookOnlyEnv } from '../../support/control-plane.ts';
import type { ControlPlane } from '../../../local/start-control-plane.ts';
import { RESULTS_QUEUE_KEY } from '../../../lib/resources/index.ts';
import { reportOnce, type Report } from '../../../app/reporters/index.ts';

let cp: ControlPlane;
before(async () => {
  // No results consumer: the test reads the deferred messages itself.
  cp = await startTestControlPlane(webhookOnlyEnv(), { consumeResults: false, sweeper: false });
});
after(() => cp.stop());

/** A target that counts its writes (the GitHub side of a reporter). */
function target(key: string, over: Partial<Report> = {}) {
  const calls: string[] = [];
  const r = (content: string, more: Partial<Report> = {}): Report => ({
    key,
    pipelineId: `o/r@${'a'.repeat(40)}`,
    content,
    create: async () => {
      calls.push(`create ${content}`);
      return 7;
    },
    update: async (id) => {
      calls.push(`update ${id} ${content}`);
    },
    ...over,
    ...more,
  });
  return { calls, r };
}

async function deferredMessages(): Promise<{ pipelineId: string }[]> {
  const url = cp.svc.queues.url(RESULTS_QUEUE_KEY);
  const out: { pipelineId: string }[] = [];
  // Delayed messages become visible after their delay: wait for the one expected, then drain.
  for (let i = 0; i < 30 && out.length === 0; i++) {
    for (const m of await cp.svc.queues.receive(url, { max: 10, waitSeconds: 1 })) {
      out.push(JSON.parse(m.Body ?? '') as { pipelineId: string });
      await cp.svc.queues.delete(url, m.ReceiptHandle ?? '');
    }
  }
  return out;
}

test('created once, unchanged content costs nothing, a change is written', async () => {
  const { calls, r } = target('t#once');
  const t0 = 1_000_000;
  assert.equal(await reportOnce(cp.svc, r('a'), { now: t0 }), 'created');
  assert.equal(await reportOnce(cp.svc, r('a'), { now: t0 + 1 }), 'unchanged');
  assert.equal(await reportOnce(cp.svc, r('b'), { now: t0 + 2 }), 'updated');
  assert.deepEqual(calls, ['create a', 'update 7 b']);
});

test('changes within the interval are coalesced into one deferred update; a new shape is written at once', async () => {
  const { calls, r } = target('t#coalesce', { intervalMs: 2_000, shape: 'running:3' });
  const t0 = 2_000_000;
  assert.equal(await reportOnce(cp.svc, r('a'), { now: t0 }), 'created');
  // Two changes soon after: neither is written, one delayed message is scheduled (not two).
  assert.equal(await reportOnce(cp.svc, r('b'), { now: t0 + 1000 }), 'deferred');
  assert.equal(await reportOnce(cp.svc, r('c'), { now: t0 + 1500 }), 'deferred');
  assert.deepEqual(calls, ['create a']);
  const msgs = await deferredMessages();
  assert.deepEqual(msgs.map((m) => m.pipelineId), [`o/r@${'a'.repeat(40)}`]);
  // The delayed message arrives after the interval: the latest content is written once.
  assert.equal(await reportOnce(cp.svc, r('c'), { now: t0 + 2_000 }), 'updated');
  assert.deepEqual(calls, ['create a', 'update 7 c']);
  // Within the next interval, but a new shape: written at once.
  assert.equal(await reportOnce(cp.svc, r('d', { shape: 'completed:3' }), { now: t0 + 2_500 }), 'updated');
  assert.deepEqual(calls, ['create a', 'update 7 c', 'update 7 d']);
});

test('a failed create is given back, so the redelivery creates it; a target found from before is reused', async () => {
  const failing = target('t#fail', {
    create: async () => {
      throw new Error('GitHub said 502');
    },
  });
  await assert.rejects(reportOnce(cp.svc, failing.r('a'), { now: 3_000_000 }), /502/);
  const ok = target('t#fail');
  assert.equal(await reportOnce(cp.svc, ok.r('a'), { now: 3_000_001 }), 'created');
  assert.deepEqual(ok.calls, ['create a']);

  const found = target('t#found', { find: async () => 42 });
  assert.equal(await reportOnce(cp.svc, found.r('x'), { now: 3_000_002 }), 'created');
  assert.deepEqual(found.calls, ['update 42 x']);
  assert.equal((await cp.svc.store.reports.get('t#found'))?.targetId, 42);
});

test('two consumers at once: the target is created once', async () => {
  const { calls, r } = target('t#race');
  const outcomes = await Promise.all([1, 2, 3].map((i) => reportOnce(cp.svc, r('a'), { now: 4_000_000 + i })));
  assert.equal(outcomes.filter((o) => o === 'created').length, 1);
  assert.deepEqual(calls, ['create a']);
});
