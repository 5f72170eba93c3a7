// Every URL cid shows outside itself (check runs, Slack, opam-repository comments) is built by
// app/web/paths.ts, so a name with URL syntax in it cannot break out of its segment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, Pipeline } from '../../../lib/contract/index.ts';
import { commitUrl, jobUrl } from '../../../app/web/paths.ts';
import { summaryCheck } from '../../../app/github/check-run-format.ts';
import { branchFailed } from '../../../app/slack/messages.ts';

const SHA = 'a'.repeat(40);
// Valid as GitHub allows them, but full of characters that mean something in a URL.
const REPO = 'x-1/..a.b_c';
const NAME = 'debian #1?x=y&z/../(lint)%20';
const at = '2026-01-01T00:00:00.000Z';
const PUBLIC = 'https://ci.example.org';

const job: Job = {
  id: 'j1',
  pipelineId: `${REPO}@${SHA}`,
  repo: REPO,
  sha: SHA,
  name: NAME,
  kind: 'build',
  pool: 'linux-x86_64',
  priority: 'urgent',
  source: { kind: 'github', repo: REPO, sha: SHA, cloneUrl: 'https://github.com/x/y.git', fromFork: false },
  experimental: false,
  attempt: 1,
  generation: 1,
  status: 'failed',
  timeoutSeconds: 3600,
  cancelRequested: false,
  queuedAt: at,
};
const pipeline: Pipeline = { id: job.pipelineId, repo: REPO, sha: SHA, refs: ['refs/heads/main'], status: 'failed', dropped: [], createdAt: at, updatedAt: at };

test('URLs encode every segment: a name with URL syntax stays one segment', () => {
  const url = jobUrl(PUBLIC, job);
  assert.equal(url, `${PUBLIC}/github/x-1/..a.b_c/commit/${SHA}/variant/debian%20%231%3Fx%3Dy%26z%2F..%2F(lint)%2520`);
  const parsed = new URL(url);
  assert.equal(parsed.search, '');
  assert.equal(parsed.hash, '');
  assert.equal(decodeURIComponent(parsed.pathname.split('/').at(-1) ?? ''), NAME);
  assert.equal(commitUrl(PUBLIC, REPO, SHA), `${PUBLIC}/github/x-1/..a.b_c/commit/${SHA}`);
});

test('the check-run summary and Slack use the same URLs', () => {
  assert.ok(summaryCheck(pipeline, [job], PUBLIC).summary.includes(`](${jobUrl(PUBLIC, job)})`));
  const slack = JSON.stringify(branchFailed(pipeline, 'main', [job], { publicUrl: PUBLIC, webUrl: 'https://github.com' }));
  assert.ok(slack.includes(jobUrl(PUBLIC, job)));
  assert.ok(slack.includes(commitUrl(PUBLIC, REPO, SHA)));
});
