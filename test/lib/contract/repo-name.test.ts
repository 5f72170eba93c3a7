import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobSchema, OwnerNameSchema, RepoNameSchema, repoUrlPath, RepositorySchema } from '../../../lib/contract/index.ts';

// One rule for "owner/repo", GitHub's: the webhook, admin API, web routes, store and runner share it.
test('GitHub names are accepted, up to 39-character owners and 100-character repositories', () => {
  for (const name of ['ocaml/dune', 'ocaml/opam-repository', 'a/b', 'Code-r/.github', 'o/_x', 'o/a..b', `${'o'.repeat(39)}/${'r'.repeat(100)}`]) {
    assert.equal(RepoNameSchema.parse(name), name);
  }
});

test('anything GitHub would refuse is refused, "." and ".." first', () => {
  for (const name of ['../x', 'x/..', 'x/.', './x', '..', 'x', 'a/b/c', '/b', 'a/', 'a_b/c', 'a.b/c', '<b>/c', 'ünï/c', 'a/ü', 'a/b c', 'a/b\n', `${'o'.repeat(40)}/r`, `o/${'r'.repeat(101)}`, `o/${'r'.repeat(5000)}`]) {
    assert.equal(RepoNameSchema.safeParse(name).success, false, JSON.stringify(name));
  }
  assert.equal(OwnerNameSchema.safeParse('[bot]').success, false, 'bot logins are senders, never owners');
});

test('records and jobs use the same rule, so the store and the runner refuse such names too', () => {
  const now = new Date().toISOString();
  assert.equal(RepositorySchema.safeParse({ name: '../..', url: 'https://github.com/x', createdAt: now, updatedAt: now }).success, false);
  const job = JobSchema.safeParse({ id: 'j1', pipelineId: 'p', repo: '../x', sha: 'a'.repeat(40), name: 'b', kind: 'build', pool: 'linux-x86_64', priority: 'urgent', source: { kind: 'local', path: '/x', sha: 'a'.repeat(40) }, attempt: 0, status: 'queued', queuedAt: now });
  assert.equal(job.success, false);
  assert.match(JSON.stringify(job.error?.issues), /repo/);
});

test('repoUrlPath encodes each segment and refuses names that are not GitHub names', () => {
  assert.equal(repoUrlPath('ocaml/dune'), 'ocaml/dune');
  assert.throws(() => repoUrlPath('../x'));
  assert.throws(() => repoUrlPath('a/b/c'));
});
