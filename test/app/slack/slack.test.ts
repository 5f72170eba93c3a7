// Slack notifications with a loopback stand-in for Slack: what is sent (Block Kit), when
// (default-branch failures and recoveries, opted-in repositories only, once), and how an outage
// is handled (retried later through the results queue, or dropped; pipelines never wait).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { TEST_ADMIN_TOKEN, until } from '../../support/control-plane.ts';
import { startSlackReceiver, type SlackReceiver } from '../../support/slack-receiver.ts';
import { pipelineId, type JobStatus } from '../../../lib/contract/index.ts';
import { RESULTS_QUEUE_KEY } from '../../../lib/resources/index.ts';
import { jobIdFor } from '../../../app/store/index.ts';
import { deliverSlack, postToSlack, SLACK_RETRY_DELAYS } from '../../../app/slack/index.ts';
import type { SlackMessage } from '../../../app/slack/index.ts';

let slack: SlackReceiver;
let h: Harness;
const REPO = 'acme/app';

before(async () => {
  slack = await startSlackReceiver();
  h = await startHarness({ CID_PUBLIC_URL: 'https://cid.example.org', CID_SLACK_WEBHOOK_URL: slack.url });
});
after(async () => {
  await h.stop();
  await slack.close();
});

const payload = { text: 'hello', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hello*' } }] };

describe('postToSlack', () => {
  test('a 200 is delivered; 5xx and 429 are worth a retry (with Retry-After), other 4xx are not; a hung Slack times out', async () => {
    assert.deepEqual(await postToSlack(slack.url, payload), { ok: true });
    assert.deepEqual(slack.requests.at(-1)?.body, payload);
    slack.answers.push({ status: 503 }, { status: 404, body: 'no_service' }, { status: 429, headers: { 'retry-after': '7' } }, { status: 200, hang: true });
    assert.deepEqual(await postToSlack(slack.url, payload), { ok: false, permanent: false, error: 'HTTP 503: error' });
    assert.deepEqual(await postToSlack(slack.url, payload), { ok: false, permanent: true, error: 'HTTP 404: no_service' });
    assert.deepEqual(await postToSlack(slack.url, payload), { ok: false, permanent: false, retryAfterSeconds: 7, error: 'HTTP 429: error' });
    const t0 = Date.now();
    const hung = await postToSlack(slack.url, payload, 300);
    assert.equal(hung.ok, false);
    assert.equal(!hung.ok && hung.permanent, false);
    assert.ok(Date.now() - t0 < 3000);
    assert.match(!hung.ok ? hung.error : '', /no answer within 300 ms/);
  });

  test('a redirect is not followed: the payload goes only to the configured hook', async () => {
    const before = slack.requests.length;
    slack.answers.push({ status: 302, headers: { location: `${slack.url}/moved` } });
    const r = await postToSlack(slack.url, payload);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.permanent, false);
    assert.equal(slack.requests.length, before + 1, 'one POST, to the hook itself');
  });
});

const admin = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${h.cp.url}/api/admin/repositories${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as Record<string, any> | undefined };
};

let n = 0;
/** A default-branch (or other) pipeline with one job that ends as `status`. */
async function pipelineEnding(status: JobStatus, ref = 'refs/heads/main', repo = REPO): Promise<string> {
  const svc = h.cp.svc;
  const sha = (++n).toString(16).padStart(40, 'e');
  await new Promise((r) => setTimeout(r, 5)); // distinct createdAt
  const { pipeline } = await svc.store.pipelines.ensure({ repo, sha, ref });
  const id = jobIdFor(pipeline.id, 'debian-13-5.4_opam-2.5');
  await svc.store.jobs.create({
    id,
    pipelineId: pipeline.id,
    repo,
    sha,
    name: 'debian-13-5.4_opam-2.5',
    kind: 'build',
    pool: 'linux-x86_64',
    priority: 'urgent',
    source: { kind: 'github', repo, sha, cloneUrl: `https://github.com/${repo}.git`, fromFork: false },
  });
  assert.ok(await svc.store.jobs.claim(id, { runnerId: 'r', generation: 1, staleBefore: new Date(0).toISOString() }));
  await svc.store.jobs.finish(id, 'r', { status: status as 'passed', ...(status === 'failed' ? { reason: 'exit 2' } : {}) });
  await svc.queues.sendResult({ type: 'job-updated', jobId: id, status });
  const want = status === 'passed' ? 'passed' : status === 'errored' ? 'errored' : 'failed';
  await until(async () => (await svc.store.pipelines.get(pipeline.id))?.status === want, { what: `pipeline ${want}` });
  return sha;
}

/** Waits for the results consumer to settle, then returns what Slack got since `from`. */
async function slackSince(from: number, settleMs = 1500): Promise<Array<Record<string, any>>> {
  await new Promise((r) => setTimeout(r, settleMs));
  return slack.requests.slice(from).filter((r) => r.status === 200).map((r) => r.body);
}

describe('notifications', () => {
  test('the admin API opts a repository in and out', async () => {
    assert.equal((await admin('POST', '', { name: REPO })).status, 201);
    assert.equal((await admin('GET', `/${REPO}`)).json?.slack, undefined);
    const on = await admin('PATCH', `/${REPO}`, { slack: true });
    assert.equal(on.status, 200);
    assert.equal(on.json?.slack, true);
    assert.equal((await admin('GET', `/${REPO}`)).json?.slack, true);
    assert.equal((await admin('PATCH', '/acme/nope', { slack: true })).status, 404);
    assert.equal((await admin('PATCH', `/${REPO}`, { slack: 'yes' })).status, 400);
    assert.equal((await admin('PATCH', `/${REPO}`, { slack: true, active: false })).status, 400);
    // GitHub's view of the repository (a push) leaves the opt-in alone.
    await h.cp.svc.store.repositories.upsert({ name: REPO, description: 'x', kind: 'git', url: 'https://github.com/acme/app', private: false, defaultBranch: 'main', active: true });
    assert.equal((await h.cp.svc.store.repositories.get(REPO))?.slack, true);
  });

  test('the default branch: failing is announced once, staying red is not, recovering is', async () => {
    let from = slack.requests.length;
    await pipelineEnding('passed');
    assert.deepEqual(await slackSince(from), [], 'passing from the start is news to nobody');

    from = slack.requests.length;
    const red = await pipelineEnding('failed');
    const [failed] = await until(async () => {
      const got = slack.delivered().slice(slack.delivered().length - (slack.requests.length - from));
      return got.length > 0 && got;
    }, { what: 'a Slack message' });
    assert.match(failed?.text, /^❌ acme\/app main is failing at eeeee/);
    const blocks = failed?.blocks as Array<Record<string, any>>;
    assert.equal(blocks[0]?.type, 'section');
    // GitHub's web base is the fake's here (GHE_HOST).
    assert.match(blocks[0]?.text.text, /<http:\/\/127\.0\.0\.1:\d+\/acme\/app\|acme\/app> `main` is failing at <https:\/\/cid\.example\.org\/github\/acme\/app\/commit\/[0-9a-f]{40}\|[0-9a-f]{7}>/);
    assert.match(JSON.stringify(blocks), /debian-13-5\.4_opam-2\.5.*exit 2/);
    assert.equal(blocks.at(-1)?.type, 'actions');
    assert.equal(blocks.at(-1)?.elements[0].url, `https://cid.example.org/github/acme/app/commit/${red}`);

    // The same pipeline changing again, and a second failure, say nothing.
    from = slack.requests.length;
    await h.cp.svc.queues.sendResult({ type: 'pipeline-changed', pipelineId: pipelineId(REPO, red) });
    await pipelineEnding('errored');
    assert.deepEqual(await slackSince(from), []);

    from = slack.requests.length;
    await pipelineEnding('passed');
    const back = await until(async () => slack.requests.slice(from).find((r) => r.status === 200)?.body, { what: 'a recovery message' });
    assert.match(back.text, /^✅ acme\/app main is passing again/);
  });

  test('other branches, and repositories that did not opt in, are not announced', async () => {
    const from = slack.requests.length;
    await pipelineEnding('failed', 'refs/heads/feature');
    await h.cp.svc.store.repositories.add({ name: 'acme/quiet', description: '', kind: 'git', url: 'https://github.com/acme/quiet', private: false, defaultBranch: 'main', active: true });
    await pipelineEnding('failed', 'refs/heads/main', 'acme/quiet');
    assert.deepEqual(await slackSince(from), []);
  });

  test('a Slack outage: the pipeline is not held up; the message is retried later, or dropped', async () => {
    // Red again (the last one was green), while Slack answers 503 once.
    slack.answers.push({ status: 503 });
    const from = slack.requests.length;
    const t0 = Date.now();
    await pipelineEnding('failed');
    const settled = Date.now() - t0;
    const delivered = await until(async () => slack.requests.slice(from).find((r) => r.status === 200), { timeoutMs: 20_000, what: 'the retried message' }).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(slack.requests.slice(from))}`);
    });
    const first = slack.requests[from];
    assert.equal(first?.status, 503);
    assert.ok(delivered.at - (first?.at ?? 0) >= (SLACK_RETRY_DELAYS[0] - 0.5) * 1000, 'retried after the backoff delay');
    assert.ok(settled < (delivered.at - t0), 'the pipeline settled before Slack got the message');
    assert.match(delivered.body.text, /is failing/);

    // A permanent refusal is dropped at once.
    slack.answers.push({ status: 404, body: 'no_service' });
    const from2 = slack.requests.length;
    await pipelineEnding('passed');
    await until(async () => slack.requests.length > from2, { what: 'the refused message' });
    await new Promise((r) => setTimeout(r, SLACK_RETRY_DELAYS[0] * 1000 + 1500));
    assert.equal(slack.requests.length, from2 + 1, 'not retried');
  });

  test('after the last retry a message is dropped; before it, it is queued again with a delay', async () => {
    const svc = h.cp.svc;
    const url = svc.queues.url(RESULTS_QUEUE_KEY);
    const msg = (attempt: number): SlackMessage => ({ type: 'slack', pipelineId: 'acme/app@x', event: 'branch-failed', payload: { text: 'x', blocks: [] }, attempt });
    slack.answers.push({ status: 500 }, { status: 500 });
    const before = (await svc.queues.depth(url)).delayed;
    await deliverSlack(svc, msg(SLACK_RETRY_DELAYS.length - 1));
    assert.equal((await svc.queues.depth(url)).delayed, before + 1, `retried in ${SLACK_RETRY_DELAYS.at(-1)} s`);
    await deliverSlack(svc, msg(SLACK_RETRY_DELAYS.length));
    assert.equal((await svc.queues.depth(url)).delayed, before + 1, 'dropped');
  });
});
