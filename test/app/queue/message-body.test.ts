// Every SQS message body must carry any valid JSON value, although SQS (and, more strictly,
// fauxqs) refuse some characters: GitHub does not redeliver a webhook that got a 500.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { TEST_WEBHOOK_SECRET } from '../../support/control-plane.ts';
import { makePushPayload, signedDelivery } from '../../support/webhooks.ts';
import { decodeEventMessage, decodeJobMessage, decodeResultMessage, encodeMessageBody, isRejected } from '../../../app/queue/index.ts';
import { processEventMessage } from '../../../app/events/index.ts';
import { pipelineId, type ResultMessage } from '../../../lib/contract/index.ts';
import { EVENTS_QUEUE_KEY, RESULTS_QUEUE_KEY } from '../../../lib/resources/index.ts';
import type { Message } from '@aws-sdk/client-sqs';

/** Characters SQS or fauxqs refuse raw, each where JSON allows it: emoji, noncharacters, a lone surrogate, NUL, DEL. */
const AWKWARD = '🐫 gitmoji ✨ \uffff \ufffe \ud800 lone \udfff \u0000 nul \u007f 日本';
/** A branch name: what git allows (no NUL), and what DynamoDB keys can hold (well-formed UTF-16). */
const BRANCH = 'refs/heads/feat/🐫-\uffff-\ufffe-日本';

let h: Harness;
const INST = 51;
const REPO = 'ocaml/unicode';
before(async () => {
  // The events consumer is driven by hand, so the test sees the very message it takes off the queue.
  h = await startHarness({}, { consumeEvents: false, consumeResults: false, sweeper: false });
  h.fake.addInstallation({ id: INST, account: 'ocaml', repositories: [REPO] });
});
after(() => h.stop());

async function receiveOne(url: string): Promise<Message> {
  const [m, ...rest] = await h.cp.svc.queues.receive(url, { max: 10, waitSeconds: 5 });
  assert.ok(m, 'a message on the queue');
  assert.equal(rest.length, 0);
  return m;
}

test('encoded bodies hold only characters SQS accepts, and parse back to the same value', () => {
  const value = { s: AWKWARD, [AWKWARD]: [BRANCH, 1, null, true] };
  const body = encodeMessageBody(value);
  assert.doesNotMatch(body, /[^\t\n\r\x20-\ud7ff\ue000-\ufffd]/);
  assert.deepEqual(JSON.parse(body), value);
});

test('a push whose commit message and branch name SQS would refuse is queued, and the consumer sees the exact strings', async () => {
  const sha = 'e'.repeat(40);
  const payload = makePushPayload({ repo: REPO, sha, ref: BRANCH, installationId: INST, message: AWKWARD });
  const d = await signedDelivery(TEST_WEBHOOK_SECRET, 'push', payload);
  assert.match(d.body, /\\ud800/, 'the lone surrogate is sent as JSON allows it, escaped');
  const res = await fetch(`${h.cp.url}/api/github/webhooks`, { method: 'POST', headers: d.headers, body: d.body });
  const json = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, 202, JSON.stringify(json));

  const m = await receiveOne(h.cp.svc.queues.url(EVENTS_QUEUE_KEY));
  const decoded = decodeEventMessage(m);
  assert.ok(!isRejected(decoded), JSON.stringify(decoded));
  const p = decoded.body.payload as { ref: string; head_commit: { message: string } };
  assert.equal(p.ref, BRANCH);
  assert.equal(p.head_commit.message, AWKWARD);

  // The consumer's own path: the pipeline is made for the branch, under its exact name.
  let result: unknown;
  assert.equal(await processEventMessage(h.cp.svc, m, (_id, r) => (result = r)), true);
  assert.equal((result as { body: { action: string } }).body.action, 'pipeline', JSON.stringify(result));
  assert.deepEqual((await h.cp.svc.store.pipelines.get(pipelineId(REPO, sha)))?.refs, [BRANCH]);
});

test('results and job messages carry the same strings through their queues', async () => {
  const q = h.cp.svc.queues;
  await q.sendResult({ type: 'slack', pipelineId: `${REPO}@${'f'.repeat(40)}`, event: 'branch-failed', payload: { text: AWKWARD, blocks: [{ text: AWKWARD }] }, attempt: 0 });
  // The push above also queued a pipeline-changed result: look for the slack one.
  let slack: ResultMessage | undefined;
  while (!slack) {
    for (const m of await q.receive(q.url(RESULTS_QUEUE_KEY), { max: 10, waitSeconds: 5 })) {
      const r = decodeResultMessage(m);
      assert.ok(!isRejected(r), JSON.stringify(r));
      if (r.body.type === 'slack') slack = r.body;
    }
  }
  assert.equal(slack.type === 'slack' && slack.payload.text, AWKWARD);
  assert.deepEqual(slack.type === 'slack' && slack.payload.blocks, [{ text: AWKWARD }]);

  const jobId = `${REPO}@${'f'.repeat(40)}/${AWKWARD}`;
  await q.sendJob({ id: jobId, pool: 'linux-x86_64', priority: 'urgent', generation: 1 });
  await q.sendJobs([{ id: `${jobId}/2`, pool: 'linux-x86_64', priority: 'urgent', generation: 2 }]);
  const url = q.jobQueueUrl('linux-x86_64', 'urgent');
  const got: string[] = [];
  while (got.length < 2) {
    for (const m of await q.receive(url, { max: 10, waitSeconds: 5 })) {
      const j = decodeJobMessage(m);
      assert.ok(!isRejected(j), JSON.stringify(j));
      if (j.body.jobId.startsWith(jobId)) got.push(j.body.jobId); // not the push's (analysis) job
    }
  }
  assert.deepEqual(got.sort(), [jobId, `${jobId}/2`].sort());
});
