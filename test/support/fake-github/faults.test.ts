import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { Probot } from 'probot';
import { FastProbotOctokit } from './fast-octokit.ts';
import { callApi } from './http-client.ts';
import { startFakeGitHub } from './server.ts';

const SHA = '5'.repeat(40);
const run = { name: 'build', head_sha: SHA };

async function setup(t: TestContext) {
  const fake = await startFakeGitHub();
  t.after(() => fake.close());
  fake.addInstallation({ id: 41, account: 'acme', repositories: ['acme/widget'] });
  return fake;
}

test('failNext fails exactly `count` matching requests, then things work again', async (t) => {
  const fake = await setup(t);
  const token = fake.mintInstallationToken(41);
  fake.failNext({ method: 'POST', pathPattern: '/repos/{owner}/{repo}/check-runs', status: 500, count: 2 });
  // Not matching: other method / path.
  assert.equal((await callApi(fake, 'GET', '/repos/acme/widget', { token })).status, 200);
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await callApi(fake, 'POST', '/repos/acme/widget/check-runs', { token, body: run })).status);
  assert.deepEqual(statuses, [500, 500, 201]);
  assert.deepEqual(fake.requests.map((r) => r.injected), [false, true, true, false]);
  assert.equal(fake.state.checkRuns.length, 1, 'failed calls change nothing');
  assert.equal(fake.faults.pending(), 0);
});

test('patterns: globs, regular expressions and operation ids', async (t) => {
  const fake = await setup(t);
  const token = fake.mintInstallationToken(41);
  fake.failNext({ pathPattern: '/repos/*/widget/**', status: 502 });
  fake.failNext({ pathPattern: /\/statuses\//, status: 503 });
  fake.failNext({ operationId: 'issues/create-comment', status: 500 });
  assert.equal((await callApi(fake, 'GET', '/repos/acme/widget/contents/x', { token })).status, 502);
  assert.equal((await callApi(fake, 'POST', `/repos/acme/widget/statuses/${SHA}`, { token, body: { state: 'success' } })).status, 503);
  assert.equal((await callApi(fake, 'POST', '/repos/acme/widget/issues/1/comments', { token, body: { body: 'x' } })).status, 500);
  assert.equal((await callApi(fake, 'POST', '/repos/acme/widget/issues/1/comments', { token, body: { body: 'x' } })).status, 201);
});

test('a 403 rate limit carries GitHub rate-limit headers', async (t) => {
  const fake = await setup(t);
  const token = fake.mintInstallationToken(41);
  fake.failNext({ pathPattern: '/repos/acme/widget/check-runs', status: 403, retryAfter: 7 });
  const res = await callApi(fake, 'POST', '/repos/acme/widget/check-runs', { token, body: run });
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('x-ratelimit-remaining'), '0');
  assert.equal(res.headers.get('retry-after'), '7');
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  assert.ok(Math.abs(reset - (Date.now() / 1000 + 7)) < 3);
  assert.match((res.json as { message: string }).message, /^API rate limit exceeded for installation ID 41/);

  fake.failNext({ status: 403, rateLimit: 'secondary' });
  const secondary = await callApi(fake, 'GET', '/repos/acme/widget', { token });
  assert.equal(secondary.headers.get('x-ratelimit-remaining'), '4999');
  assert.match((secondary.json as { message: string }).message, /secondary rate limit/);
});

test("Octokit's retry and throttling plugins recover from injected faults", async (t) => {
  const fake = await setup(t);
  const probot = new Probot({ appId: fake.app.appId, privateKey: fake.app.privateKeyPem, baseUrl: fake.url, Octokit: FastProbotOctokit, logLevel: 'fatal' });
  const octokit = await probot.auth(41);
  fake.failNext({ operationId: 'checks/create', status: 502 });
  fake.failNext({ operationId: 'checks/create', status: 403 });
  const res = await octokit.rest.checks.create({ owner: 'acme', repo: 'widget', ...run });
  assert.equal(res.status, 201);
  assert.deepEqual(fake.requestsFor('checks/create').map((r) => r.status), [502, 403, 201]);
  assert.equal(fake.state.checkRuns.length, 1);

  // Probot gives up on secondary rate limits: the error reaches the caller.
  fake.failNext({ operationId: 'checks/create', status: 403, rateLimit: 'secondary' });
  await assert.rejects(octokit.rest.checks.create({ owner: 'acme', repo: 'widget', ...run }), { status: 403 });
});
