import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLocalStack, type LocalStack } from '../../../infra/local-stack/index.ts';
import { createDynamo } from '../../../lib/aws/index.ts';
import { createStore, type Store } from '../../../app/store/index.ts';
import { BadRequestError } from '../../../lib/errors/index.ts';
import { pipelineId } from '../../../lib/contract/index.ts';

// The pipelines store's reads for the web UI: per-ref history and commit-hash prefixes.
let stack: LocalStack;
let store: Store;
const hex = (n: number, lead: string) => (lead + n.toString(16)).padEnd(40, '0');

before(async () => {
  stack = await startLocalStack({ tablePrefix: 'ph', queuePrefix: 'ph' });
  store = createStore(createDynamo({ region: stack.region, dynamoEndpoint: stack.dynamoEndpoint }), 'ph');
});
after(async () => {
  store.db.destroy();
  await stack.stop();
});

test('a ref keeps its history after it moves on, newest first, in pages', async () => {
  const repo = 'h/one';
  const shas: string[] = [];
  for (let i = 0; i < 7; i++) {
    const sha = hex(i, 'a');
    shas.push(sha);
    await store.pipelines.ensure({ repo, sha, ref: 'refs/heads/main' });
    // The ref moves on: the commit no longer has it among its current refs.
    if (i > 0) await store.pipelines.removeRef(pipelineId(repo, shas[i - 1] as string), 'refs/heads/main');
    await store.pipelines.ensure({ repo, sha: hex(i, 'b'), ref: 'refs/heads/other' });
    await new Promise((r) => setTimeout(r, 2));
  }
  await store.pipelines.addRef(pipelineId(repo, shas[2] as string), 'pull/4');
  assert.deepEqual((await store.pipelines.get(pipelineId(repo, shas[0] as string)))?.refs, []);

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.pipelines.listByRef(repo, 'refs/heads/main', { limit: 3, ...(cursor ? { cursor } : {}) });
    assert.ok(page.items.length <= 3);
    seen.push(...page.items.map((p) => p.sha));
    cursor = page.cursor;
    pages++;
  } while (cursor && pages < 10);
  assert.deepEqual(seen, [...shas].reverse());
  assert.deepEqual((await store.pipelines.listByRef(repo, 'pull/4', { limit: 10 })).items.map((p) => p.sha), [shas[2]]);
  assert.deepEqual((await store.pipelines.listByRef(repo, 'refs/heads/none', { limit: 10 })).items, []);
  await assert.rejects(store.pipelines.listByRef(repo, 'refs/heads/main', { limit: 3, cursor: 'garbage' }), BadRequestError);
});

test('commits are found by a prefix of their hash, within their repository only', async () => {
  await store.pipelines.ensure({ repo: 'h/two', sha: 'abc123'.padEnd(40, '1'), ref: 'refs/heads/main' });
  await store.pipelines.ensure({ repo: 'h/two', sha: 'abc124'.padEnd(40, '2'), ref: 'refs/heads/x' });
  await store.pipelines.ensure({ repo: 'h/three', sha: 'abc125'.padEnd(40, '3'), ref: 'refs/heads/main' });
  assert.deepEqual((await store.pipelines.findByShaPrefix('h/two', 'abc123')).map((p) => p.sha), ['abc123'.padEnd(40, '1')]);
  assert.equal((await store.pipelines.findByShaPrefix('h/two', 'abc12')).length, 2);
  assert.equal((await store.pipelines.findByShaPrefix('h/two', 'abc125')).length, 0);
});
