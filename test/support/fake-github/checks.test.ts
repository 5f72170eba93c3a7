import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { callApi } from './http-client.ts';
import { startFakeGitHub } from './server.ts';

const SHA = '1'.repeat(40);

async function setup(t: TestContext) {
  const fake = await startFakeGitHub();
  t.after(() => fake.close());
  fake.addInstallation({ id: 7, account: 'acme', repositories: ['acme/widget'] });
  const token = fake.mintInstallationToken(7);
  return { fake, token };
}

test('a valid checks.create is accepted and shaped like GitHub', async (t) => {
  const { fake, token } = await setup(t);
  const res = await callApi(fake, 'POST', '/repos/acme/widget/check-runs', {
    token,
    body: { name: 'build', head_sha: SHA, status: 'in_progress', details_url: 'https://ci.example/1', external_id: 'job-1' },
  });
  assert.equal(res.status, 201);
  const run = res.json as Record<string, unknown>;
  assert.equal(typeof run.id, 'number');
  assert.equal(run.status, 'in_progress');
  assert.equal(run.conclusion, null);
  assert.equal(run.head_sha, SHA);
  assert.equal(run.details_url, 'https://ci.example/1');
  assert.equal(run.html_url, `https://github.com/acme/widget/runs/${String(run.id)}`);
  assert.equal((run.app as { id: number }).id, fake.app.appId);
  assert.deepEqual(fake.state.invalidRequests, []);
  assert.deepEqual(fake.state.invalidResponses, []);
  assert.equal(fake.state.checkRuns.length, 1);
  assert.equal(fake.state.checkRuns[0]?.calls[0]?.auth.token, token);
});

test('a body with a wrong type is rejected with 422 and recorded', async (t) => {
  const { fake, token } = await setup(t);
  const res = await callApi(fake, 'POST', '/repos/acme/widget/check-runs', {
    token,
    body: { name: 'build', head_sha: SHA, status: 'bogus' },
  });
  assert.equal(res.status, 422);
  const body = res.json as { message: string; errors: unknown[] };
  assert.match(body.message, /^Invalid request\./);
  assert.match(body.message, /\/status must be equal to one of the allowed values/);
  assert.equal(fake.state.invalidRequests.length, 1);
  assert.equal(fake.state.invalidRequests[0]?.operationId, 'checks/create');
  assert.equal(fake.state.invalidRequests[0]?.issues[0]?.path, '/status');
  assert.equal(fake.state.checkRuns.length, 0);
});

test('unparsable JSON is a 400 and recorded', async (t) => {
  const { fake, token } = await setup(t);
  const res = await callApi(fake, 'POST', '/repos/acme/widget/check-runs', { token, rawBody: '{"name":' });
  assert.equal(res.status, 400);
  assert.equal((res.json as { message: string }).message, 'Problems parsing JSON');
  assert.equal(fake.state.invalidRequests.length, 1);
});

test('updates merge into the run and annotations accumulate across updates', async (t) => {
  const { fake, token } = await setup(t);
  const created = await callApi(fake, 'POST', '/repos/acme/widget/check-runs', {
    token,
    body: { name: 'build', head_sha: SHA, output: { title: 'Building', summary: 'started', text: 'log' } },
  });
  const id = (created.json as { id: number }).id;
  const ann = (line: number) => ({ path: 'src/a.ml', start_line: line, end_line: line, annotation_level: 'warning', message: `w${line}` });
  const first = await callApi(fake, 'PATCH', `/repos/acme/widget/check-runs/${id}`, {
    token,
    body: { status: 'in_progress', output: { title: 'Building', summary: 'half', annotations: [ann(1), ann(2)] } },
  });
  assert.equal(first.status, 200);
  const second = await callApi(fake, 'PATCH', `/repos/acme/widget/check-runs/${id}`, {
    token,
    body: { conclusion: 'failure', output: { title: 'Failed', summary: 'done', annotations: [ann(3)] } },
  });
  assert.equal(second.status, 200);
  const run = second.json as { status: string; conclusion: string; completed_at: string; output: Record<string, unknown>; name: string };
  assert.equal(run.status, 'completed', 'a conclusion completes the run');
  assert.equal(run.conclusion, 'failure');
  assert.ok(run.completed_at);
  assert.equal(run.name, 'build');
  assert.equal(run.output.title, 'Failed');
  assert.equal(run.output.text, 'log', 'fields not in the update are kept');
  assert.equal(run.output.annotations_count, 3);
  const stored = fake.state.checkRuns[0];
  assert.deepEqual(stored?.annotations.map((a) => a.message), ['w1', 'w2', 'w3']);
  assert.deepEqual(stored?.calls.map((c) => c.operationId), ['checks/create', 'checks/update', 'checks/update']);
  assert.deepEqual(fake.state.invalidResponses, []);
});

test('completing without a conclusion, or columns across lines, is refused like GitHub', async (t) => {
  const { fake, token } = await setup(t);
  const noConclusion = await callApi(fake, 'POST', '/repos/acme/widget/check-runs', {
    token,
    body: { name: 'build', head_sha: SHA, status: 'completed' },
  });
  assert.equal(noConclusion.status, 422);
  const created = await callApi(fake, 'POST', '/repos/acme/widget/check-runs', { token, body: { name: 'b', head_sha: SHA } });
  const id = (created.json as { id: number }).id;
  const columns = await callApi(fake, 'PATCH', `/repos/acme/widget/check-runs/${id}`, {
    token,
    body: {
      output: {
        title: 't',
        summary: 's',
        annotations: [{ path: 'a', start_line: 1, end_line: 2, start_column: 1, end_column: 3, annotation_level: 'notice', message: 'm' }],
      },
    },
  });
  assert.equal(columns.status, 422);
  assert.equal(fake.state.invalidRequests.length, 2);
  assert.equal(fake.state.checkRuns[0]?.annotations.length, 0, 'a refused update changes nothing');
});

test('updating a run of another repository is a 404', async (t) => {
  const { fake } = await setup(t);
  fake.addInstallation({ id: 8, account: 'other', repositories: ['other/thing'] });
  const otherToken = fake.mintInstallationToken(8);
  const token = fake.mintInstallationToken(7);
  const created = await callApi(fake, 'POST', '/repos/acme/widget/check-runs', { token, body: { name: 'b', head_sha: SHA } });
  const id = (created.json as { id: number }).id;
  const res = await callApi(fake, 'PATCH', `/repos/other/thing/check-runs/${id}`, { token: otherToken, body: { status: 'in_progress' } });
  assert.equal(res.status, 404);
});

test('list-for-ref returns the latest run per name by default, all with filter=all', async (t) => {
  const { fake, token } = await setup(t);
  fake.setRef('acme/widget', 'main', SHA);
  for (const name of ['build', 'build', 'lint']) {
    await callApi(fake, 'POST', '/repos/acme/widget/check-runs', { token, body: { name, head_sha: SHA } });
  }
  await callApi(fake, 'POST', '/repos/acme/widget/check-runs', { token, body: { name: 'build', head_sha: '2'.repeat(40) } });
  const latest = await callApi(fake, 'GET', `/repos/acme/widget/commits/${SHA}/check-runs`, { token });
  const body = latest.json as { total_count: number; check_runs: { id: number; name: string }[] };
  assert.equal(body.total_count, 2);
  assert.deepEqual(body.check_runs.map((r) => r.name).sort(), ['build', 'lint']);
  const buildId = body.check_runs.find((r) => r.name === 'build')?.id;
  assert.equal(buildId, fake.state.checkRuns[1]?.id);
  const all = await callApi(fake, 'GET', `/repos/acme/widget/commits/main/check-runs?filter=all&check_name=build`, { token });
  assert.equal((all.json as { total_count: number }).total_count, 2, 'a branch name resolves to its commit');
  assert.deepEqual(fake.state.invalidResponses, []);
});

test('commit statuses and issue comments are kept and listed', async (t) => {
  const { fake, token } = await setup(t);
  const st = await callApi(fake, 'POST', `/repos/acme/widget/statuses/${SHA}`, {
    token,
    body: { state: 'pending', context: 'cid/build', target_url: 'https://ci.example/2', description: 'queued' },
  });
  assert.equal(st.status, 201);
  assert.equal((st.json as { creator: { login: string } }).creator.login, `${fake.app.slug}[bot]`);
  assert.deepEqual(
    fake.state.statuses.map((s) => [s.sha, s.state, s.context]),
    [[SHA, 'pending', 'cid/build']],
  );
  const badState = await callApi(fake, 'POST', `/repos/acme/widget/statuses/${SHA}`, { token, body: { state: 'done' } });
  assert.equal(badState.status, 422);

  const c = await callApi(fake, 'POST', '/repos/acme/widget/issues/12/comments', { token, body: { body: 'first' } });
  assert.equal(c.status, 201);
  const id = (c.json as { id: number }).id;
  const u = await callApi(fake, 'PATCH', `/repos/acme/widget/issues/comments/${id}`, { token, body: { body: 'second' } });
  assert.equal(u.status, 200);
  assert.equal((u.json as { body: string }).body, 'second');
  await callApi(fake, 'POST', '/repos/acme/widget/issues/13/comments', { token, body: { body: 'elsewhere' } });
  const list = await callApi(fake, 'GET', '/repos/acme/widget/issues/12/comments', { token });
  assert.deepEqual((list.json as { id: number; body: string }[]).map((x) => [x.id, x.body]), [[id, 'second']]);
  assert.deepEqual(fake.state.comments.find((x) => x.id === id)?.history, ['first', 'second']);
  const missing = await callApi(fake, 'PATCH', '/repos/acme/widget/issues/comments/999', { token, body: { body: 'x' } });
  assert.equal(missing.status, 404);
  assert.deepEqual(fake.state.invalidResponses, []);
});

test('unknown routes are 404 and recorded as unhandled', async (t) => {
  const { fake, token } = await setup(t);
  const res = await callApi(fake, 'DELETE', '/repos/acme/widget/check-runs/1', { token });
  assert.equal(res.status, 404);
  const other = await callApi(fake, 'GET', '/repos/acme/widget/releases?per_page=1', { token });
  assert.equal(other.status, 404);
  assert.deepEqual(fake.state.unhandled, [
    { method: 'DELETE', path: '/repos/acme/widget/check-runs/1' },
    { method: 'GET', path: '/repos/acme/widget/releases?per_page=1' },
  ]);
});
