// SendMessageBatch takes at most 10 entries and 256 KiB of bodies in all: large webhook payloads
// sent together must be split by size too, or SQS refuses the whole batch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { createSqs } from '../../../lib/aws/index.ts';
import { BatchSender, batchesOf, MAX_BATCH_BYTES } from '../../../app/queue/batch-sender.ts';
import { RESULTS_QUEUE_KEY } from '../../../lib/resources/index.ts';

let h: Harness;
before(async () => {
  h = await startHarness({}, { consumeEvents: false, consumeResults: false, sweeper: false });
});
after(() => h.stop());

test('batchesOf keeps order and both limits; a message alone is never split', () => {
  const big = (n: number) => ({ body: 'x'.repeat(n) });
  const list = [big(100_000), big(100_000), big(100_000), ...Array.from({ length: 12 }, () => big(10)), big(300_000)];
  const batches = batchesOf(list);
  assert.deepEqual(batches.flat(), list);
  for (const b of batches) {
    assert.ok(b.length <= 10);
    assert.ok(b.length === 1 || b.reduce((n, p) => n + Buffer.byteLength(p.body), 0) <= MAX_BATCH_BYTES);
  }
  assert.deepEqual(batches.map((b) => b.length), [2, 10, 3, 1]);
});

test('ten 60 KiB messages sent at once all reach the queue, in batches SQS accepts', async () => {
  const sqs = createSqs({ region: h.cp.svc.config.region, sqsEndpoint: h.cp.svc.config.sqsEndpoint });
  const sizes: number[] = [];
  sqs.middlewareStack.add(
    (next) => async (args) => {
      const input = (args as { input: unknown }).input;
      if (input && typeof input === 'object' && 'Entries' in input) {
        sizes.push(((input as SendMessageBatchCommand['input']).Entries ?? []).reduce((n, e) => n + Buffer.byteLength(e.MessageBody ?? ''), 0));
      }
      return next(args);
    },
    { step: 'initialize' },
  );
  const url = h.cp.svc.queues.url(RESULTS_QUEUE_KEY);
  const sender = new BatchSender(sqs);
  const bodies = Array.from({ length: 10 }, (_, i) => JSON.stringify({ i, pad: 'p'.repeat(60 * 1024) }));
  await Promise.all(bodies.map((b) => sender.send(url, b)));
  assert.ok(sizes.length >= 3, `several batches (${sizes.join(', ')})`);
  for (const s of sizes) assert.ok(s <= MAX_BATCH_BYTES, `a batch of ${s} bytes`);
  const got = new Set<number>();
  while (got.size < 10) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    assert.ok((out.Messages ?? []).length > 0, `only ${got.size} of 10 messages arrived`);
    for (const m of out.Messages ?? []) got.add((JSON.parse(m.Body ?? '') as { i: number }).i);
  }
  sqs.destroy();
});
