import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalStack, type LocalStack } from '../../../infra/local-stack/index.ts';
import { createDynamo } from '../../../lib/aws/index.ts';
import { DEFAULT_RETENTION_DAYS, createStore, jobIdFor, type Store } from '../../../app/store/index.ts';
import { RUNNING_POOL_SHARDS, runningPoolKey } from '../../../lib/resources/index.ts';
import { ConflictError, NotFoundError } from '../../../lib/errors/index.ts';
import { pipelineId } from '../../../lib/contract/index.ts';

let stack: LocalStack;
let store: Store;
const sha = (c: string) => c.repeat(40);

before(async () => {
  stack = await startLocalStack({ tablePrefix: 'st', queuePrefix: 'st' });
  store = createStore(createDynamo({ region: stack.region, dynamoEndpoint: stack.dynamoEndpoint }), 'st');
});
after(async () => {
  store.db.destroy();
  await stack.stop();
});

test('repositories: add, duplicate, find, list in pages, remove', async () => {
  const base = { description: 'd', kind: 'git' as const, url: 'https://github.com/o/a', private: false, defaultBranch: 'main', active: true };
  await store.repositories.add({ ...base, name: 'o/a' });
  await assert.rejects(store.repositories.add({ ...base, name: 'o/a' }), ConflictError);
  for (let i = 0; i < 7; i++) await store.repositories.add({ ...base, name: `p/r${i}` });
  assert.equal((await store.repositories.find('o/a')).description, 'd');
  await assert.rejects(store.repositories.find('o/nope'), NotFoundError);
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.repositories.list({ limit: 3, ...(cursor ? { cursor } : {}) });
    assert.ok(page.items.length <= 3);
    seen.push(...page.items.map((r) => r.name));
    cursor = page.cursor;
  } while (cursor);
  assert.equal(new Set(seen).size, 8);
  await store.repositories.remove('o/a');
  await assert.rejects(store.repositories.remove('o/a'), NotFoundError);
});

test('pipelines: concurrent ensure creates one pipeline and collects every ref', async () => {
  const refs = Array.from({ length: 12 }, (_, i) => `refs/heads/b${i}`);
  const results = await Promise.all(refs.map((ref) => store.pipelines.ensure({ repo: 'o/p', sha: sha('1'), ref })));
  assert.equal(results.filter((r) => r.created).length, 1);
  const p = await store.pipelines.get(pipelineId('o/p', sha('1')));
  assert.deepEqual(p?.refs, [...refs].sort());
  assert.deepEqual(await store.pipelines.removeRef(p!.id, 'refs/heads/b0'), refs.slice(1).sort());
});

test('pipelines: only one holder of the sync lease at a time', async () => {
  const { pipeline } = await store.pipelines.ensure({ repo: 'o/l', sha: sha('2'), ref: 'refs/heads/main' });
  const a = await store.pipelines.acquireSyncLease(pipeline.id, 'a', 10_000);
  assert.ok(a);
  assert.equal(await store.pipelines.acquireSyncLease(pipeline.id, 'b', 10_000), undefined);
  await a();
  const b = await store.pipelines.acquireSyncLease(pipeline.id, 'b', 10_000);
  assert.ok(b);
  await b();
});

function newJob(name: string, s = sha('3')) {
  const pid = pipelineId('o/j', s);
  return {
    id: jobIdFor(pid, name),
    pipelineId: pid,
    repo: 'o/j',
    sha: s,
    name,
    kind: 'build' as const,
    pool: 'linux-x86_64' as const,
    priority: 'urgent' as const,
    source: { kind: 'local' as const, path: '/tmp/x', sha: s },
  };
}

test('jobs: a job is created once and claimed by exactly one of many runners', async () => {
  const input = newJob('debian-12-5.3_opam-2.3');
  const creates = await Promise.all([1, 2, 3].map(() => store.jobs.create(input)));
  assert.equal(creates.filter((c) => c.created).length, 1);
  const staleBefore = new Date(Date.now() - 60_000).toISOString();
  const claims = await Promise.all(
    Array.from({ length: 10 }, (_, i) => store.jobs.claim(input.id, { runnerId: `r${i}`, generation: 1, staleBefore })),
  );
  const winners = claims.filter(Boolean);
  assert.equal(winners.length, 1);
  assert.equal(winners[0]?.attempt, 1);
  assert.equal(winners[0]?.status, 'running');
  // A stale message from an older generation never claims.
  assert.equal(await store.jobs.claim(input.id, { runnerId: 'x', generation: 0, staleBefore }), undefined);
});

test('jobs: a running job whose heartbeat went stale is claimed again with attempt + 1', async () => {
  const input = newJob('stale');
  await store.jobs.create(input);
  await store.jobs.claim(input.id, { runnerId: 'dead', generation: 1, staleBefore: new Date(0).toISOString() });
  const fresh = await store.jobs.claim(input.id, { runnerId: 'r2', generation: 1, staleBefore: new Date(0).toISOString() });
  assert.equal(fresh, undefined, 'a live heartbeat keeps the job');
  const retaken = await store.jobs.claim(input.id, { runnerId: 'r2', generation: 1, staleBefore: new Date(Date.now() + 1000).toISOString() });
  assert.equal(retaken?.attempt, 2);
  assert.equal(retaken?.runnerId, 'r2');
  assert.equal(await store.jobs.finish(input.id, 'dead', { status: 'passed' }), undefined, 'the old runner can no longer finish it');
  assert.equal((await store.jobs.finish(input.id, 'r2', { status: 'failed', reason: 'exit 1' }))?.status, 'failed');
});

test('jobs: cancel stops a queued job at once and asks a running one; rebuild starts a new generation', async () => {
  const q = newJob('queued');
  await store.jobs.create(q);
  assert.equal((await store.jobs.requestCancel(q.id))?.status, 'cancelled');
  const r = newJob('running');
  await store.jobs.create(r);
  await store.jobs.claim(r.id, { runnerId: 'r', generation: 1, staleBefore: new Date(0).toISOString() });
  const asked = await store.jobs.requestCancel(r.id);
  assert.equal(asked?.status, 'running');
  assert.equal(asked?.cancelRequested, true);
  assert.deepEqual(await store.jobs.heartbeat(r.id, 'r'), { owned: true, cancelRequested: true });
  await store.jobs.finish(r.id, 'r', { status: 'cancelled' });
  const again = await store.jobs.requeue(r.id);
  assert.equal(again?.status, 'queued');
  assert.equal(again?.generation, 2);
  assert.equal(again?.cancelRequested, false);
  assert.equal(await store.jobs.requeue(r.id), undefined, 'a queued job is not requeued twice');
  const listed = await store.jobs.listQueuedSince('linux-x86_64', new Date(Date.now() + 1000).toISOString());
  assert.ok(listed.some((j) => j.id === r.id));
  assert.ok(!listed.some((j) => j.id === q.id), 'a cancelled job is not listed as queued');
});

test('logs: chunks are read back in order from any point; oversized chunks are refused', async () => {
  for (let i = 0; i < 120; i++) await store.logs.append('L#1.1', i, `line ${i}\n`);
  const all: number[] = [];
  for await (const c of store.logs.read('L#1.1')) all.push(c.seq);
  assert.deepEqual(all, Array.from({ length: 120 }, (_, i) => i));
  const tail: string[] = [];
  for await (const c of store.logs.read('L#1.1', 118)) tail.push(c.text);
  assert.deepEqual(tail, ['line 118\n', 'line 119\n']);
  await assert.rejects(store.logs.append('L#1.1', 200, 'x'.repeat(64 * 1024 + 1)), RangeError);
  await assert.rejects(store.logs.append('L#1.1', 0, 'dup'), /ConditionalCheckFailed|conditional/i);
});

test('logs: a reader stops at a gap (a later request of the runner stored first), and reads on once it is filled', async () => {
  for (const i of [0, 1, 3, 4]) await store.logs.append('G#1.1', i, `line ${i}\n`);
  const seqs = async (from: number) => {
    const out: number[] = [];
    for await (const c of store.logs.read('G#1.1', from, 2)) out.push(c.seq);
    return out;
  };
  assert.deepEqual(await seqs(0), [0, 1], 'chunk 3 is not read past the missing 2');
  assert.deepEqual(await seqs(2), []);
  await store.logs.append('G#1.1', 2, 'line 2\n');
  assert.deepEqual(await seqs(2), [2, 3, 4]);
});

test('deliveries: the same delivery id is begun once', async () => {
  const results = await Promise.all([1, 2, 3, 4].map(() => store.deliveries.begin('d-1', 'check_run')));
  assert.equal(results.filter(Boolean).length, 1);
  await store.deliveries.forget('d-1');
  assert.equal(await store.deliveries.begin('d-1', 'check_run'), true);
});

test('reports: a report record is created once; an edit that lands after the record is lost does not half-recreate it', async () => {
  const id = 'comment#o/r#1';
  const now = Date.now();
  const claims = await Promise.all([1, 2, 3].map(() => store.reports.claimCreate(id, now, 30_000)));
  assert.equal(claims.filter(Boolean).length, 1, 'one creator');
  await store.reports.created(id, 42, now, 'h1');
  assert.equal(await store.reports.claimCreate(id, now + 60_000, 30_000), false, 'never created twice');
  assert.equal(await store.reports.claimEdit(id, now, now + 1), true);
  assert.equal(await store.reports.claimEdit(id, now, now + 2), false, 'one editor per interval');
  await store.reports.edited(id, 'h2');
  assert.equal((await store.reports.get(id))?.hash, 'h2');

  await store.db.send(new DeleteCommand({ TableName: 'st-reports', Key: { id } }));
  await store.reports.edited(id, 'h3');
  assert.equal(await store.reports.get(id), undefined, 'still lost, so the next report looks the comment up again');
});

test('jobs: running jobs are spread over the by-running shards; listing queries them all, oldest first, bounded', async () => {
  const pool = 'linux-arm64' as const;
  const ids: string[] = [];
  for (let i = 0; i < 40; i++) {
    const j = { ...newJob(`shard-${i}`, sha('4')), pool };
    await store.jobs.create(j);
    await store.jobs.claim(j.id, { runnerId: 'r', generation: 1, staleBefore: new Date(0).toISOString() });
    ids.push(j.id);
  }
  const keys = new Set<string>();
  for (const id of ids) {
    const item = (await store.db.send(new GetCommand({ TableName: 'st-jobs', Key: { id } }))).Item!;
    assert.equal(item.runningPool, runningPoolKey(pool, id));
    keys.add(String(item.runningPool));
  }
  assert.ok(keys.size >= RUNNING_POOL_SHARDS - 1, `40 jobs on ${keys.size} of ${RUNNING_POOL_SHARDS} partition keys, not one`);
  for (const k of keys) assert.match(k, new RegExp(`^${pool}#\\d+$`));

  // A row claimed before sharding carries the bare pool name: still listed, so still swept.
  const legacy = { ...newJob('pre-shard', sha('4')), pool };
  await store.jobs.create(legacy);
  await store.db.send(new UpdateCommand({ TableName: 'st-jobs', Key: { id: legacy.id }, UpdateExpression: 'REMOVE runningShard' }));
  const claimedOld = await store.jobs.claim(legacy.id, { runnerId: 'r', generation: 1, staleBefore: new Date(0).toISOString() });
  assert.equal(claimedOld?.status, 'running', 'a row without runningShard is still claimed');
  const oldItem = (await store.db.send(new GetCommand({ TableName: 'st-jobs', Key: { id: legacy.id } }))).Item!;
  assert.equal(oldItem.runningPool, pool);

  const later = new Date(Date.now() + 1000).toISOString();
  const all = await store.jobs.listRunningSince(pool, later, 1000);
  assert.deepEqual(all.map((j) => j.id).sort(), [...ids, legacy.id].sort());
  assert.ok(all.every((j) => j.status === 'running' && j.heartbeatAt), 'whole jobs, read from the table');
  const starts = all.map((j) => j.startedAt!);
  assert.deepEqual(starts, [...starts].sort(), 'oldest first across shards');
  const first = await store.jobs.listRunningSince(pool, later, 5);
  assert.deepEqual(
    first.map((j) => j.id),
    all.slice(0, 5).map((j) => j.id),
    'the bound keeps the oldest',
  );
  await store.jobs.finish(ids[0]!, 'r', { status: 'passed' });
  assert.ok(!(await store.jobs.listRunningSince(pool, later, 1000)).some((j) => j.id === ids[0]), 'a finished job leaves the index');
});

test('retention: jobs, pipelines and log chunks get an expiresAt (epoch seconds) from the configured days', async () => {
  const days = 7;
  const short = createStore(store.db, 'st', { retentionDays: days });
  const around = (v: unknown, t0: number, t1: number) => {
    assert.equal(typeof v, 'number');
    const lo = Math.floor(t0 / 1000) + days * 86_400;
    const hi = Math.floor(t1 / 1000) + days * 86_400;
    assert.ok((v as number) >= lo && (v as number) <= hi, `${String(v)} within [${lo}, ${hi}]`);
  };
  const t0 = Date.now();
  const job = newJob('retained', sha('5'));
  await short.jobs.create(job);
  const { pipeline } = await short.pipelines.ensure({ repo: 'o/ttl', sha: sha('5'), ref: 'refs/heads/main' });
  await short.logs.append('L#ttl', 0, 'hello\n');
  const t1 = Date.now();
  const get = async (table: string, key: Record<string, unknown>) => (await store.db.send(new GetCommand({ TableName: `st-${table}`, Key: key }))).Item!;
  around((await get('jobs', { id: job.id })).expiresAt, t0, t1);
  around((await get('pipelines', { id: pipeline.id })).expiresAt, t0, t1);
  around((await get('logs', { logId: 'L#ttl', seq: 0 })).expiresAt, t0, t1);
  // The default is 90 days.
  const dflt = newJob('retained-default', sha('5'));
  await store.jobs.create(dflt);
  const exp = (await get('jobs', { id: dflt.id })).expiresAt as number;
  assert.ok(Math.abs(exp - (Math.floor(Date.now() / 1000) + DEFAULT_RETENTION_DAYS * 86_400)) < 60);
  assert.equal(DEFAULT_RETENTION_DAYS, 90);
});

test('keys-only indexes: listing by installation and by pipeline gives whole records, in index order', async () => {
  const base = { description: 'whole', kind: 'git' as const, url: 'https://github.com/i/a', private: true, defaultBranch: 'main', active: true };
  for (const [name, installationId] of [['i/a', 77], ['i/b', 77], ['i/c', 78]] as const) await store.repositories.add({ ...base, name, installationId });
  const listed = await store.repositories.listByInstallation(77);
  assert.deepEqual(listed.map((r) => r.name).sort(), ['i/a', 'i/b']);
  assert.ok(listed.every((r) => r.description === 'whole' && r.private === true && r.defaultBranch === 'main'));
  const names = ['a-first', 'b-second', 'c-third'];
  for (const n of names) await store.jobs.create(newJob(n, sha('6')));
  const jobs = await store.jobs.listByPipeline(pipelineId('o/j', sha('6')));
  assert.deepEqual(
    jobs.map((j) => j.name),
    names,
  );
  assert.ok(jobs.every((j) => j.source.kind === 'local' && j.status === 'queued'));
});
