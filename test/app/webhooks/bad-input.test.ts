import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { startTestControlPlane, TEST_WEBHOOK_SECRET, until } from '../../support/control-plane.ts';
import { allExamples, makePullRequestPayload, makePushPayload, signedDelivery } from '../../support/webhooks.ts';
import { sign } from '@octokit/webhooks-methods';
import { pino } from 'pino';
import { jsonLogSink } from '../../support/json-log-sink.ts';

const { lines, sink } = jsonLogSink();
let h: Harness;
before(async () => {
  h = await startHarness({ CID_MAX_WEBHOOK_BYTES: String(256 * 1024) }, { consumeResults: false, sweeper: false, log: pino({ level: 'info' }, sink) });
});
after(() => h.stop());

const sha = 'c'.repeat(40);
const push = () => makePushPayload({ repo: 'bad/input', sha, installationId: 7 });

async function post(headers: Record<string, string>, body: string) {
  const res = await fetch(`${h.cp.url}/api/github/webhooks`, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as { error: { message: string } } };
}

async function nothingRecorded() {
  assert.equal(await h.cp.svc.store.repositories.get('bad/input'), undefined);
  assert.equal(await h.cp.svc.store.pipelines.get(`bad/input@${sha}`), undefined);
  const depth = await h.cp.svc.queues.depth(h.cp.svc.queues.jobQueueUrl('linux-x86_64', 'urgent'));
  assert.equal(depth.visible + depth.inFlight, 0);
}

test('a bad signature is 401 and records nothing', async () => {
  const d = await signedDelivery('not-the-secret', 'push', push());
  const r = await post(d.headers, d.body);
  assert.equal(r.status, 401);
  assert.match(r.json.error.message, /WEBHOOK_SECRET/);
  const tampered = await signedDelivery(TEST_WEBHOOK_SECRET, 'push', push());
  assert.equal((await post(tampered.headers, tampered.body.replace('"main"', '"evil"'))).status, 401);
  await nothingRecorded();
});

test('missing headers are 400 and record nothing', async () => {
  const d = await signedDelivery(TEST_WEBHOOK_SECRET, 'push', push());
  for (const h0 of ['x-hub-signature-256', 'x-github-event', 'x-github-delivery']) {
    const headers = { ...d.headers };
    delete headers[h0];
    const r = await post(headers, d.body);
    assert.equal(r.status, 400, h0);
    assert.match(r.json.error.message, new RegExp(h0));
  }
  await nothingRecorded();
});

test('malformed JSON, an unknown event and an oversized body are 4xx and record nothing', async () => {
  const body = '{"ref": "refs/heads/main",';
  const bad = await post({ 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'd1', 'x-hub-signature-256': await sign(TEST_WEBHOOK_SECRET, body) }, body);
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.message, /malformed JSON/);

  const d = await signedDelivery(TEST_WEBHOOK_SECRET, 'pushy', push());
  const unknown = await post(d.headers, d.body);
  assert.equal(unknown.status, 400);
  assert.match(unknown.json.error.message, /unknown event "pushy"/);

  const big = { ...push(), padding: 'x'.repeat(300 * 1024) };
  const large = await signedDelivery(TEST_WEBHOOK_SECRET, 'push', big);
  const tooBig = await post(large.headers, large.body);
  assert.equal(tooBig.status, 413);
  await nothingRecorded();
});

test('a payload without a field cid needs is 422 with the field named', async () => {
  const p = push() as unknown as Record<string, unknown>;
  delete p.after;
  const d = await signedDelivery(TEST_WEBHOOK_SECRET, 'push', p);
  const r = await post(d.headers, d.body);
  assert.equal(r.status, 422);
  assert.match(r.json.error.message, /push payload lacks what cid needs/);
  assert.match(r.json.error.message, /after/);
  await nothingRecorded();
});

test('a push whose head_commit.message is not a string is 422 with the field named, never a crash', async () => {
  for (const message of [42, null, { text: '[skip ci]' }]) {
    const p = push() as unknown as { head_commit: Record<string, unknown> };
    p.head_commit = { ...p.head_commit, message };
    const d = await signedDelivery(TEST_WEBHOOK_SECRET, 'push', p);
    const r = await post(d.headers, d.body);
    assert.equal(r.status, 422, JSON.stringify(message));
    assert.match(r.json.error.message, /head_commit\.message/);
  }
  await nothingRecorded();
  // Without a head commit at all the push is built: there is no message to skip it.
  const p = makePushPayload({ repo: 'bad/no-head-commit', sha, installationId: 7 }) as unknown as Record<string, unknown>;
  delete p.head_commit;
  const r = await h.deliver('push', p);
  assert.equal(r.status, 202);
  assert.equal(r.result?.action, 'pipeline');
});

test('every example payload of @octokit/webhooks-examples is answered without a 5xx', async () => {
  const examples = allExamples();
  assert.ok(examples.length > 300, `only ${examples.length} examples`);
  const statuses = new Map<number, number>();
  for (const ex of examples) {
    const r = await h.deliver(ex.event, ex.payload);
    assert.ok(r.status < 500, `${ex.event}.${ex.action ?? ''} answered ${r.status}: ${JSON.stringify(r.json)}`);
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  }
  assert.deepEqual([...statuses.keys()], [202], 'every example is acknowledged: queued or ignored');
});

test('a repository name GitHub would refuse is 422 at once, never queued for the consumer', async () => {
  const names = [
    '../x', // the owner ".." made cid call GitHub at normalised paths
    'x/..',
    'x/.',
    '<b>x</b>/y', // HTML
    'ünïcode/repo',
    'under_score/repo', // owners are letters, digits and "-"
    `${'o'.repeat(40)}/repo`,
    `owner/${'r'.repeat(101)}`,
    'owner/re po',
  ];
  for (const name of names) {
    const p = push() as unknown as { repository: Record<string, unknown> };
    p.repository = { ...p.repository, full_name: name };
    const d = await signedDelivery(TEST_WEBHOOK_SECRET, 'push', p);
    const r = await post(d.headers, d.body);
    assert.equal(r.status, 422, name);
    assert.match(r.json.error.message, /repository\.full_name/, name);
  }
  // GitHub's longest names are fine.
  const longest = makePushPayload({ repo: `${'o'.repeat(39)}/${'r.-_'.repeat(25)}`, sha, installationId: 7 });
  assert.equal((await h.deliver('push', longest)).result?.action, 'pipeline');
  // An installation listing such a repository is refused too, before the consumer upserts it.
  const inst = await signedDelivery(TEST_WEBHOOK_SECRET, 'installation_repositories', {
    action: 'added',
    installation: { id: 7 },
    repositories_added: [{ full_name: '../..', private: false }],
    repositories_removed: [],
  });
  assert.equal((await post(inst.headers, inst.body)).status, 422);
  const recorded: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await h.cp.svc.store.repositories.list({ limit: 100, ...(cursor ? { cursor } : {}) });
    recorded.push(...page.items.map((r) => r.name));
    cursor = page.cursor;
  } while (cursor);
  assert.ok(recorded.includes(longest.repository.full_name), 'the index was read');
  for (const name of [...names, '../..']) assert.ok(!recorded.includes(name), `${name} is not in the index`);
});

test('webhooks are JSON or form-encoded with a payload field, as GitHub sends them; any other type is 415', async () => {
  const d = await signedDelivery(TEST_WEBHOOK_SECRET, 'push', push());
  for (const type of ['text/plain', 'application/xml', undefined]) {
    const headers: Record<string, string> = { ...d.headers };
    delete headers['content-type'];
    // Without a content type fetch would label a string body text/plain: a Blob without a type sends none.
    const res = await fetch(`${h.cp.url}/api/github/webhooks`, {
      method: 'POST',
      headers: type ? { ...headers, 'content-type': type } : headers,
      body: type ? d.body : new Blob([d.body]),
    });
    assert.equal(res.status, 415, String(type));
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /application\/json or application\/x-www-form-urlencoded/);
  }
  assert.equal(await h.cp.svc.store.repositories.get('bad/input'), undefined);

  // The App's "Content type: application/x-www-form-urlencoded": the JSON is the payload field, the signature covers the form.
  const formRepo = 'bad/form-encoded';
  const form = `payload=${encodeURIComponent(JSON.stringify(makePushPayload({ repo: formRepo, sha, installationId: 7 })))}`;
  const formHeaders = { ...d.headers, 'content-type': 'application/x-www-form-urlencoded', 'x-hub-signature-256': await sign(TEST_WEBHOOK_SECRET, form) };
  const ok = await post(formHeaders, form);
  assert.equal(ok.status, 202);
  const created = await until(async () => h.cp.svc.store.pipelines.get(`${formRepo}@${sha}`), { what: 'the form-encoded push pipeline' });
  assert.equal(created.repo, formRepo);

  const noField = 'data=%7B%7D';
  const missing = await post({ ...formHeaders, 'x-hub-signature-256': await sign(TEST_WEBHOOK_SECRET, noField) }, noField);
  assert.equal(missing.status, 400);
  assert.match(missing.json.error.message, /"payload" field/);
});

test('a push or pull request without an installation is acknowledged, ignored with a logged reason, and never queued', async () => {
  const p = makePushPayload({ repo: 'bad/no-installation', sha, installationId: 7 }) as unknown as Record<string, unknown>;
  delete p.installation;
  const d = await signedDelivery(TEST_WEBHOOK_SECRET, 'push', p);
  const r = await post(d.headers, d.body);
  assert.equal(r.status, 202);
  const body = r.json as unknown as { action: string; reason: string };
  assert.equal(body.action, 'ignored');
  assert.match(body.reason, /no installation/);
  const line = await until(async () => lines.find((l) => l.msg === 'webhook ignored' && l.delivery === d.id), { what: 'the logged reason' });
  assert.match(String(line.reason), /no installation/);

  const pr = makePullRequestPayload({ number: 3, headSha: sha, headRef: 'topic', baseRepo: 'bad/no-installation', installationId: 7 }) as unknown as Record<string, unknown>;
  delete pr.installation;
  const prResult = await h.deliver('pull_request', pr);
  assert.equal(prResult.json.action, 'ignored');
  assert.match(String(prResult.json.reason), /no installation/);
  assert.equal(await h.cp.svc.store.repositories.get('bad/no-installation'), undefined);
  assert.equal(await h.cp.svc.store.pipelines.get(`bad/no-installation@${sha}`), undefined);
});

test('without App settings the webhook endpoint answers 503 naming what to set', async () => {
  const cp = await startTestControlPlane({}, { consumeResults: false, sweeper: false });
  try {
    const d = await signedDelivery(TEST_WEBHOOK_SECRET, 'push', push());
    const res = await fetch(`${cp.url}/api/github/webhooks`, { method: 'POST', headers: d.headers, body: d.body });
    assert.equal(res.status, 503);
    assert.match(await res.text(), /APP_ID.*PRIVATE_KEY.*WEBHOOK_SECRET/);
  } finally {
    await cp.stop();
  }
});
