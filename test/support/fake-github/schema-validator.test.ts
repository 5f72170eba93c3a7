import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateRequestBody, validateResponseBody } from './schema-validator.ts';

const sha = 'a'.repeat(40);

test('a valid checks.create body passes', () => {
  const r = validateRequestBody('checks/create', {
    name: 'build',
    head_sha: sha,
    status: 'completed',
    conclusion: 'failure',
    completed_at: '2024-05-01T10:00:00Z',
    output: {
      title: 'Build failed',
      summary: '1 error',
      annotations: [{ path: 'src/a.ml', start_line: 3, end_line: 3, annotation_level: 'failure', message: 'Error' }],
    },
  });
  assert.deepEqual(r, { valid: true, issues: [] });
});

test('wrong types, bad enums, bad formats and missing fields are all reported', () => {
  const r = validateRequestBody('checks/create', {
    head_sha: 42,
    status: 'bogus',
    started_at: 'yesterday',
    output: { title: 'x', summary: 'y', annotations: [{ path: 'a', start_line: '1', end_line: 1, annotation_level: 'error', message: 'm' }] },
  });
  assert.equal(r.valid, false);
  const paths = r.issues.map((i) => `${i.path} ${i.keyword}`).sort();
  assert.deepEqual(paths, [
    ' required',
    '/head_sha type',
    '/output/annotations/0/annotation_level enum',
    '/output/annotations/0/start_line type',
    '/started_at format',
    '/status enum',
  ]);
});

test('more than 50 annotations in one request is rejected, as GitHub does', () => {
  const a = { path: 'a', start_line: 1, end_line: 1, annotation_level: 'notice', message: 'm' };
  const body = { name: 'n', head_sha: sha, output: { title: 't', summary: 's', annotations: Array(51).fill(a) } };
  const r = validateRequestBody('checks/create', body);
  assert.equal(r.valid, false);
  assert.equal(r.issues[0]?.keyword, 'maxItems');
});

test('nullable fields accept null (OpenAPI nullable converted)', () => {
  assert.equal(validateRequestBody('repos/create-commit-status', { state: 'success', target_url: null, description: null }).valid, true);
  assert.equal(validateRequestBody('repos/create-commit-status', { state: 'success', context: null }).valid, false);
});

test('unknown body fields are rejected unless allowed', () => {
  const body = { name: 'n', head_sha: sha, conclsion: 'success', output: { title: 't', summary: 's', txt: 'x' } };
  const strict = validateRequestBody('checks/create', body);
  assert.deepEqual(
    strict.issues.map((i) => i.message),
    ['(body) must NOT have additional properties: conclsion', '/output must NOT have additional properties: txt'],
  );
  assert.equal(validateRequestBody('checks/create', body, { allowUnknownFields: true }).valid, true);
});

test('a required body must be present; an optional one may be absent', () => {
  assert.equal(validateRequestBody('checks/create', undefined).valid, false);
  assert.equal(validateRequestBody('apps/create-installation-access-token', undefined).valid, true);
  assert.equal(validateRequestBody('repos/get', undefined).valid, true);
});

test('response validation catches a malformed response', () => {
  const r = validateResponseBody('issues/create-comment', { id: 'x', body: 'hi' });
  assert.equal(r.valid, false);
  assert.ok(r.issues.some((i) => i.path === '/id' && i.keyword === 'type'));
  assert.ok(r.issues.some((i) => i.keyword === 'required' && i.params.missingProperty === 'html_url'));
});
