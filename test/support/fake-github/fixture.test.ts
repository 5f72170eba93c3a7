import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { OPERATION_IDS, extractOperations, loadInstalledSpec, serializeFixture } from './extract-schemas.ts';
import { OPERATIONS_FIXTURE_PATH, loadOperationsFixture } from './openapi-fixture.ts';

test('the committed operations fixture matches the installed @octokit/openapi spec', () => {
  const regenerated = serializeFixture(extractOperations(loadInstalledSpec()));
  const committed = readFileSync(OPERATIONS_FIXTURE_PATH, 'utf8');
  assert.ok(
    regenerated === committed,
    'test/fixtures/github/openapi-operations.json is stale: run npx tsx test/support/fake-github/extract-schemas.ts',
  );
});

test('the fixture holds exactly the operations the fake serves, with GitHub routes', () => {
  const fixture = loadOperationsFixture();
  assert.deepEqual(Object.keys(fixture.operations), [...OPERATION_IDS]);
  const route = (id: string) => {
    const op = fixture.operations[id];
    assert.ok(op, id);
    return `${op.method} ${op.path}`;
  };
  assert.equal(route('apps/create-installation-access-token'), 'POST /app/installations/{installation_id}/access_tokens');
  assert.equal(route('checks/create'), 'POST /repos/{owner}/{repo}/check-runs');
  assert.equal(route('checks/update'), 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}');
  assert.equal(route('repos/create-commit-status'), 'POST /repos/{owner}/{repo}/statuses/{sha}');
  assert.equal(route('issues/update-comment'), 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}');
  assert.equal(
    route('repos/get-collaborator-permission-level'),
    'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
  );
  assert.deepEqual(fixture.operations['repos/get-content']?.multiSegmentParams, ['path']);
});

test('the fixture is plain JSON Schema: no OpenAPI-only keywords, no dangling refs', () => {
  const fixture = loadOperationsFixture();
  const text = JSON.stringify(fixture);
  assert.doesNotMatch(text, /"nullable":/);
  assert.doesNotMatch(text, /#\/components\//);
  for (const m of text.matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) {
    assert.ok(m[1] && m[1] in fixture.definitions, `dangling ref ${m[1]}`);
  }
});

test('extraction converts nullable and copies only referenced components', () => {
  const spec = {
    version: 'x',
    spec: {
      paths: {
        '/things/{id}': {
          patch: {
            operationId: 'things/update',
            parameters: [{ name: 'id', in: 'path' }],
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    description: 'dropped',
                    properties: {
                      note: { type: 'string', nullable: true },
                      kind: { type: 'string', nullable: true, enum: ['a', 'b'] },
                      owner: { nullable: true, allOf: [{ $ref: '#/components/schemas/user' }] },
                      description: { type: 'string' },
                    },
                  },
                },
              },
            },
            responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/thing' } } } } },
          },
        },
      },
      components: {
        parameters: {},
        schemas: {
          user: { type: 'object', properties: { login: { type: 'string' } } },
          thing: { type: 'object', properties: { owner: { $ref: '#/components/schemas/user' } } },
          unused: { type: 'string' },
        },
      },
    },
  };
  const out = extractOperations(spec, ['things/update']);
  const body = out.operations['things/update']?.requestBody?.schema as { properties: Record<string, unknown> };
  assert.deepEqual(body.properties.note, { type: ['string', 'null'] });
  assert.deepEqual(body.properties.kind, { type: ['string', 'null'], enum: ['a', 'b', null] });
  assert.deepEqual(body.properties.owner, { anyOf: [{ type: 'null' }, { allOf: [{ $ref: '#/definitions/user' }] }] });
  // A property called "description" is data, not an annotation.
  assert.deepEqual(body.properties.description, { type: 'string' });
  assert.equal('description' in body, false);
  assert.deepEqual(Object.keys(out.definitions), ['thing', 'user']);
  assert.throws(() => extractOperations(spec, ['things/missing']), /things\/missing/);
});
