// Tests of test/support/webhooks.ts (kept with the fake's tests: both stand in for GitHub).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verify } from '@octokit/webhooks-methods';
import { allExamples, examplesFor, makePullRequestPayload, makePushPayload, signedDelivery } from '../webhooks.ts';

const SHA = '7'.repeat(40);

/** Key paths of a JSON value (array items collapsed), to compare shapes. */
function shape(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length > 0 ? shape(value[0], `${prefix}[]`) : [`${prefix}[]`];
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...shape(v, `${prefix}.${k}`)]);
  }
  return [];
}

test('signed deliveries verify with the secret and fail with another', async () => {
  const payload = makePushPayload({ repo: 'acme/widget', sha: SHA, installationId: 3 });
  const d = await signedDelivery('s3cret', 'push', payload, { deliveryId: 'd-1' });
  assert.equal(d.headers['x-github-event'], 'push');
  assert.equal(d.headers['x-github-delivery'], 'd-1');
  assert.equal(d.headers['content-type'], 'application/json');
  assert.match(d.headers['x-hub-signature-256'] ?? '', /^sha256=[0-9a-f]{64}$/);
  assert.equal(await verify('s3cret', d.body, d.headers['x-hub-signature-256'] ?? ''), true);
  assert.equal(await verify('other', d.body, d.headers['x-hub-signature-256'] ?? ''), false);
  assert.equal(await verify('s3cret', d.body.replace(SHA, '8'.repeat(40)), d.headers['x-hub-signature-256'] ?? ''), false);
  const fresh = await signedDelivery('s3cret', 'push', payload);
  assert.match(fresh.id, /^[0-9a-f-]{36}$/);
  assert.notEqual(fresh.id, (await signedDelivery('s3cret', 'push', payload)).id);
});

test('examples come from @octokit/webhooks-examples, filtered by event and action', () => {
  const opened = examplesFor('pull_request', 'opened');
  assert.ok(opened.length > 0);
  assert.ok(opened.every((p) => p.action === 'opened'));
  assert.ok(examplesFor('push').length > 0);
  assert.throws(() => examplesFor('no_such_event'));
  const all = allExamples();
  assert.ok(all.some((e) => e.event === 'check_run' && e.action === 'rerequested'));
  assert.ok(all.some((e) => e.event === 'push' && e.action === null));
  // Copies: mutating one does not leak into the next.
  (examplesFor('push')[0] as { ref: string }).ref = 'mutated';
  assert.notEqual(examplesFor('push')[0]?.ref, 'mutated');
});

test('makePushPayload keeps the example shape and points everything at the repo', () => {
  const p = makePushPayload({ repo: 'acme/widget', sha: SHA, ref: 'refs/heads/dev', before: '9'.repeat(40), installationId: 12, id: 777 });
  const example = examplesFor('push').find((e) => Array.isArray(e.commits) && e.commits.length === 1);
  assert.deepEqual(new Set(shape(p)), new Set(shape(example)));
  assert.equal(p.after, SHA);
  assert.equal(p.ref, 'refs/heads/dev');
  assert.equal(p.created, false);
  assert.equal(p.head_commit?.id, SHA);
  assert.equal(p.repository.full_name, 'acme/widget');
  assert.equal(p.repository.owner?.login, 'acme');
  assert.equal(p.repository.id, 777);
  assert.equal(p.installation?.id, 12);
  assert.ok(!/Codertocat|Hello-World/.test(JSON.stringify(p)), 'no example names left');
  const created = makePushPayload({ repo: 'acme/widget', sha: SHA, before: '0'.repeat(40) });
  assert.equal(created.created, true);
  assert.equal(created.installation, undefined);
});

test('makePullRequestPayload builds same-repo and fork pull requests', () => {
  const same = makePullRequestPayload({ number: 42, headSha: SHA, headRef: 'feature', baseRepo: 'acme/widget', installationId: 5 });
  const example = examplesFor('pull_request', 'opened').find((e) => e.installation && !e.organization);
  assert.deepEqual(new Set(shape(same)), new Set(shape(example)));
  assert.equal(same.action, 'opened');
  assert.equal(same.number, 42);
  assert.equal(same.pull_request.head.sha, SHA);
  assert.equal(same.pull_request.head.ref, 'feature');
  assert.equal(same.pull_request.head.repo?.full_name, 'acme/widget');
  assert.equal(same.pull_request.base.repo.full_name, 'acme/widget');
  assert.equal(same.pull_request.html_url, 'https://github.com/acme/widget/pull/42');
  assert.equal(same.installation?.id, 5);
  assert.ok(!/Codertocat|Hello-World/.test(JSON.stringify(same)), 'no example names left');

  const fork = makePullRequestPayload({
    action: 'synchronize',
    number: 7,
    headSha: SHA,
    headRef: 'patch-1',
    baseRepo: 'acme/widget',
    headRepo: 'mallory/widget',
    installationId: 5,
    before: '2'.repeat(40),
  });
  assert.equal(fork.action, 'synchronize');
  assert.equal(fork.pull_request.head.repo?.full_name, 'mallory/widget');
  assert.equal(fork.pull_request.head.repo?.fork, true);
  assert.equal(fork.pull_request.head.label, 'mallory:patch-1');
  assert.equal(fork.pull_request.user?.login, 'mallory');
  assert.equal(fork.repository.full_name, 'acme/widget');
  assert.equal(fork.sender.login, 'mallory');
  assert.equal((fork as { before?: string }).before, '2'.repeat(40));
  assert.notEqual(fork.pull_request.head.repo?.id, fork.pull_request.base.repo.id);
  assert.ok(!/Codertocat|Hello-World/.test(JSON.stringify(fork)), 'no example names left');
});
