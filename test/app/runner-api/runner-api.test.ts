import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { RUNNER_SECRET } from '../../support/runner-harness.ts';
import { TEST_ADMIN_TOKEN, until } from '../../support/control-plane.ts';
import { RUNNER_CACHE_MS, bootstrapToken, issueRunnerCredential } from '../../../app/runner-api/index.ts';
import { tableNames } from '../../../app/store/index.ts';
import {
  ClaimAnswerSchema,
  HeartbeatAnswerSchema,
  RegisterAnswerSchema,
  logIdFor,
  type Job,
  type Lease,
  type Pool,
  type RegisterAnswer,
} from '../../../lib/contract/index.ts';

let h: Harness;
const REPO = 'api/repo';
const SHA = 'a'.repeat(40);
const POOL: Pool = 'linux-x86_64';
const MAX_CHUNKS = 50;

before(async () => {
  h = await startHarness(
    { CID_RUNNER_SECRET: RUNNER_SECRET, CID_RUNNER_STALE_SECONDS: '20', CID_RUNNER_HEARTBEAT_SECONDS: '0.5', CID_JOB_LOG_MAX_CHUNKS: String(MAX_CHUNKS) },
    { consumeResults: false, sweeper: false },
  );
  h.fake.addInstallation({ id: 77, account: 'api', repositories: [REPO, 'api/other'] });
});
after(() => h.stop());

interface Answer {
  status: number;
  json: Record<string, any>;
}

async function call(route: string, auth: string | undefined, body: unknown, raw = false): Promise<Answer> {
  const res = await fetch(`${h.cp.url}/api/runner/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function admin(method: string, path: string): Promise<Answer> {
  const res = await fetch(`${h.cp.url}/api/admin/runners${path}`, { method, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function register(runnerId: string, pool: Pool = POOL): Promise<RegisterAnswer> {
  const r = await call('register', bootstrapToken(RUNNER_SECRET, pool), { runnerId, pool, host: `${runnerId}.example`, version: '1.0.0', concurrency: 2 });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return RegisterAnswerSchema.parse(r.json);
}

let n = 0;
async function newJob(pool: Pool = POOL): Promise<Job> {
  const id = `japi${++n}-${randomBytes(3).toString('hex')}`;
  const { job } = await h.cp.svc.store.jobs.create({
    id,
    pipelineId: `${REPO}@${SHA}`,
    repo: REPO,
    sha: SHA,
    name: id,
    kind: 'build',
    pool,
    priority: 'urgent',
    source: { kind: 'github', repo: REPO, sha: SHA, cloneUrl: `https://github.com/${REPO}.git`, installationId: 77, fromFork: false },
  });
  return job;
}

async function claim(cred: string, job: Pick<Job, 'id' | 'generation'>): Promise<Lease> {
  const r = await call('claim', cred, { jobId: job.id, generation: job.generation });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const a = ClaimAnswerSchema.parse(r.json);
  assert.equal(a.result, 'claimed', JSON.stringify(a));
  return a.result === 'claimed' ? a.lease : assert.fail();
}

/** Every message on a queue now (received and deleted), as parsed bodies. */
async function drain(url: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (;;) {
    const ms = await h.cp.svc.queues.receive(url, { max: 10, waitSeconds: 0 });
    if (ms.length === 0) return out;
    for (const m of ms) {
      out.push(JSON.parse(m.Body ?? '{}') as Record<string, unknown>);
      await h.cp.svc.queues.delete(url, m.ReceiptHandle ?? '');
    }
  }
}
const resultsUrl = () => h.cp.svc.queues.url('results');
const poolUrl = (pool: Pool = POOL) => h.cp.svc.queues.jobQueueUrl(pool, 'urgent');

/** What a runner could have changed: job rows, their runs' logs, runners, GitHub. */
async function snapshot(jobIds: string[]): Promise<unknown> {
  const jobs = await Promise.all(jobIds.map((id) => h.cp.svc.store.jobs.get(id)));
  const logs: Record<string, string[]> = {};
  for (const j of jobs) {
    if (!j) continue;
    for (let attempt = 0; attempt <= j.attempt + 1; attempt++) {
      const id = logIdFor(j.id, j.generation, attempt);
      logs[id] = [];
      for await (const c of h.cp.svc.store.logs.read(id)) logs[id].push(`${c.seq}:${c.text}`);
    }
  }
  return { jobs, logs, runners: await h.cp.svc.store.runners.list(), github: h.fake.requests.length };
}

/** Makes a job's heartbeat old, as if its runner had been silent that long. */
async function ageHeartbeat(jobId: string, seconds: number): Promise<void> {
  await h.cp.svc.store.db.send(
    new UpdateCommand({
      TableName: tableNames(h.cp.config.tablePrefix).jobs,
      Key: { id: jobId },
      UpdateExpression: 'SET heartbeatAt = :hb',
      ExpressionAttributeValues: { ':hb': new Date(Date.now() - seconds * 1000).toISOString() },
    }),
  );
}

test('register: a pool bootstrap token gives a runner its own credential, its pool queues and heartbeat settings', async () => {
  assert.equal((await call('register', undefined, {})).status, 401);
  const body = { runnerId: 'reg-1', pool: POOL, host: 'h', version: '1', concurrency: 1 };
  const forged = await call('register', `cidb1.${POOL}.${'x'.repeat(43)}`, body);
  assert.equal(forged.status, 401);
  assert.match(forged.json.error.message, /bad bootstrap token/);
  const otherPool = await call('register', bootstrapToken(RUNNER_SECRET, 'linux-arm64'), body);
  assert.equal(otherPool.status, 403);
  assert.match(otherPool.json.error.message, /for pool linux-arm64, not linux-x86_64/);
  const bad = await call('register', bootstrapToken(RUNNER_SECRET, POOL), { ...body, concurrency: 0, extra: 1 });
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.message, /concurrency/);
  assert.match(bad.json.error.message, /extra/);
  assert.equal((await call('register', bootstrapToken(RUNNER_SECRET, POOL), '{nope', true)).status, 400);

  const a = await register('reg-1');
  assert.deepEqual(a.queues, { urgent: h.cp.svc.queues.jobQueueUrl(POOL, 'urgent'), bulk: h.cp.svc.queues.jobQueueUrl(POOL, 'bulk') });
  assert.equal(a.staleSeconds, 20);
  assert.equal(a.heartbeatSeconds, 0.5);
  assert.deepEqual(a.handedBack, []);
  const lifetime = Date.parse(a.expiresAt) - Date.now();
  assert.ok(lifetime > 11.9 * 3600_000 && lifetime <= 12 * 3600_000, a.expiresAt);
  assert.ok(a.credential.startsWith(`cidr1.reg-1.${a.registrationId}.`));
  const stored = await h.cp.svc.store.runners.get('reg-1');
  assert.equal(stored?.registrationId, a.registrationId);
  assert.equal(stored?.pool, POOL);
  assert.deepEqual((await call('held', a.credential, {})).json, { jobs: [] });

  const renewed = await call('renew', a.credential, {});
  assert.equal(renewed.status, 200);
  assert.notEqual(renewed.json.credential, undefined);
  assert.equal((await call('held', renewed.json.credential as string, {})).status, 200);
});

test('a job goes through claim, heartbeat, log, token and finish under its lease', async () => {
  const r = await register('happy-1');
  await drain(resultsUrl());
  const job = await newJob();
  const lease = await claim(r.credential, job);
  assert.equal(lease.attempt, 1);
  const row = await h.cp.svc.store.jobs.get(job.id);
  assert.equal(row?.status, 'running');
  assert.equal(row?.runnerId, 'happy-1');
  assert.equal(row?.leaseHash, createHash('sha256').update(lease.token).digest('hex'));
  assert.deepEqual(await drain(resultsUrl()), [{ type: 'job-updated', jobId: job.id, status: 'running' }]);

  for (const [route, body, field] of [
    ['heartbeat', { lease: { ...lease, attempt: 0 } }, 'attempt'],
    ['heartbeat', { lease: { ...lease, token: 'short' } }, 'token'],
    ['log', { lease, chunks: [] }, 'chunks'],
    ['finish', { lease, status: 'running' }, 'status'],
    ['release', { lease, extra: true }, 'extra'],
  ] as const) {
    const bad = await call(route, r.credential, body);
    assert.equal(bad.status, 400, `${route} ${JSON.stringify(body)}`);
    assert.match(bad.json.error.message, new RegExp(field), JSON.stringify(bad.json));
  }
  assert.equal((await call('heartbeat', r.credential, '{"lease":', true)).status, 400);

  const beat = HeartbeatAnswerSchema.parse((await call('heartbeat', r.credential, { lease })).json);
  assert.equal(beat.stop, undefined);
  assert.ok(Date.parse(beat.expiresAt) > Date.now() + 15_000);

  const log1 = await call('log', r.credential, { lease, chunks: [{ seq: 0, text: 'one\n' }, { seq: 1, text: 'two\n' }] });
  assert.deepEqual(log1.json, { nextSeq: 2 });
  assert.equal((await call('log', r.credential, { lease, chunks: [{ seq: 1, text: 'two\n' }] })).status, 200, 'the same chunk again is fine');
  const rewrite = await call('log', r.credential, { lease, chunks: [{ seq: 1, text: 'other\n' }] });
  assert.equal(rewrite.status, 409);
  const capped = await call('log', r.credential, { lease, chunks: [{ seq: MAX_CHUNKS, text: 'x' }] });
  assert.equal(capped.status, 413);
  assert.match(capped.json.error.message, /CID_JOB_LOG_MAX_CHUNKS/);
  const big = await call('log', r.credential, { lease, chunks: [{ seq: 2, text: 'x'.repeat(64 * 1024 + 1) }] });
  assert.equal(big.status, 400);
  const chunks: string[] = [];
  for await (const c of h.cp.svc.store.logs.read(logIdFor(job.id, 1, 1))) chunks.push(c.text);
  assert.deepEqual(chunks, ['one\n', 'two\n']);

  const tok = await call('token', r.credential, { lease });
  assert.equal(tok.status, 200, JSON.stringify(tok.json));
  const info = h.fake.tokenInfo(tok.json.token as string);
  assert.deepEqual(info?.repositories, [REPO]);
  assert.deepEqual(info?.permissions, { contents: 'read', metadata: 'read' });

  await h.cp.svc.store.jobs.requestCancel(job.id);
  assert.equal(HeartbeatAnswerSchema.parse((await call('heartbeat', r.credential, { lease })).json).stop, 'cancel');

  const report = { annotations: [{ path: 'a.ml', start_line: 1, end_line: 1, annotation_level: 'failure', title: 'Error', message: 'boom' }], cacheHits: 3 };
  const fin = await call('finish', r.credential, { lease, status: 'cancelled', reason: 'cancelled', report });
  assert.deepEqual(fin.json, { status: 'cancelled' });
  const done = await h.cp.svc.store.jobs.get(job.id);
  assert.equal(done?.status, 'cancelled');
  assert.deepEqual(done?.report, report);
  assert.deepEqual(await drain(resultsUrl()), [{ type: 'job-updated', jobId: job.id, status: 'cancelled' }]);
  const again = await call('finish', r.credential, { lease, status: 'passed' });
  assert.deepEqual(again.json, { status: 'cancelled' }, 'a repeated finish answers what was stored');
  assert.equal((await h.cp.svc.store.jobs.get(job.id))?.status, 'cancelled');
});

test('claim drops what is not this runner’s to run and says busy while another runner holds the job', async () => {
  const r = await register('drop-1');
  const other = await register('drop-2');
  const unknown = ClaimAnswerSchema.parse((await call('claim', r.credential, { jobId: 'jnope', generation: 1 })).json);
  assert.equal(unknown.result, 'drop');
  const arm = await newJob('linux-arm64');
  const wrongPool = ClaimAnswerSchema.parse((await call('claim', r.credential, { jobId: arm.id, generation: 1 })).json);
  assert.deepEqual(wrongPool.result, 'drop');
  assert.equal((await h.cp.svc.store.jobs.get(arm.id))?.status, 'queued');
  const job = await newJob();
  const stale = ClaimAnswerSchema.parse((await call('claim', r.credential, { jobId: job.id, generation: 2 })).json);
  assert.equal(stale.result, 'drop');
  await claim(other.credential, job);
  const busy = ClaimAnswerSchema.parse((await call('claim', r.credential, { jobId: job.id, generation: 1 })).json);
  assert.deepEqual(busy, { result: 'busy', retryAfterSeconds: 21 });
  await h.cp.svc.store.jobs.requestCancel(job.id);
  assert.equal(ClaimAnswerSchema.parse((await call('claim', r.credential, { jobId: job.id, generation: 1 })).json).result, 'drop');
  assert.equal((await call('claim', r.credential, { jobId: job.id })).status, 400);
});

test('two runners claiming one job at once: exactly one gets it', async () => {
  const a = await register('race-a');
  const b = await register('race-b');
  for (let i = 0; i < 5; i++) {
    const job = await newJob();
    const answers = await Promise.all([a, b].map((r) => call('claim', r.credential, { jobId: job.id, generation: 1 })));
    const results = answers.map((x) => ClaimAnswerSchema.parse(x.json).result).sort();
    assert.deepEqual(results, ['busy', 'claimed']);
    assert.equal((await h.cp.svc.store.jobs.get(job.id))?.attempt, 1);
  }
});

test('an expired lease stops its runner; another runner takes the job over and the old lease gets nowhere', async () => {
  const a = await register('exp-a');
  const b = await register('exp-b');
  const job = await newJob();
  const old = await claim(a.credential, job);
  await ageHeartbeat(job.id, 30);
  assert.equal((await call('finish', a.credential, { lease: old, status: 'passed' })).status, 409);
  assert.equal((await call('log', a.credential, { lease: old, chunks: [{ seq: 0, text: 'x' }] })).status, 409);
  assert.equal(HeartbeatAnswerSchema.parse((await call('heartbeat', a.credential, { lease: old })).json).stop, 'lost');
  const lease = await claim(b.credential, job);
  assert.equal(lease.attempt, 2);
  assert.equal(HeartbeatAnswerSchema.parse((await call('heartbeat', a.credential, { lease: old })).json).stop, 'lost');
  assert.equal((await call('finish', a.credential, { lease: old, status: 'passed' })).status, 403);
  assert.equal((await call('heartbeat', b.credential, { lease })).json.stop, undefined);
});

test('a hostile runner with a valid credential changes nothing through other leases, old leases, forged ones or bad credentials', async () => {
  const victim = await register('victim');
  const hostile = await register('hostile');
  const spare = await register('spare');

  // Another runner's running job.
  const running = await newJob();
  const victimLease = await claim(victim.credential, running);
  // A finished attempt, the victim's, and one of the hostile runner's own.
  const finishedV = await newJob();
  const finishedVLease = await claim(victim.credential, finishedV);
  assert.equal((await call('finish', victim.credential, { lease: finishedVLease, status: 'passed' })).status, 200);
  const finishedH = await newJob();
  const finishedHLease = await claim(hostile.credential, finishedH);
  assert.equal((await call('finish', hostile.credential, { lease: finishedHLease, status: 'failed' })).status, 200);
  // A superseded attempt: the hostile runner released it, the spare runner holds it now.
  const superseded = await newJob();
  const oldLease = await claim(hostile.credential, superseded);
  assert.deepEqual((await call('release', hostile.credential, { lease: oldLease })).json, { requeued: true });
  await claim(spare.credential, superseded);
  // A queued job nobody claimed.
  const queued = await newJob();
  // Credentials: expired, revoked, of a previous registration.
  const expired = issueRunnerCredential(RUNNER_SECRET, { runnerId: 'hostile', registrationId: hostile.registrationId, expiresAt: Math.floor(Date.now() / 1000) - 1 });
  const revoked = await register('hostile-revoked');
  assert.equal((await admin('POST', '/hostile-revoked/revoke')).status, 200);
  const previous = await register('hostile-prev');
  await register('hostile-prev');

  const ids = [running, finishedV, finishedH, superseded, queued].map((j) => j.id);
  await drain(resultsUrl());
  await drain(poolUrl());
  const before = await snapshot(ids);

  const forged: Lease = { ...victimLease, token: `${victimLease.token.split('.')[0]}.${'A'.repeat(43)}` };
  const neverClaimed: Lease = { jobId: queued.id, attempt: 1, token: `${randomBytes(16).toString('base64url')}.${'B'.repeat(43)}` };
  const bodies = (lease: Lease): Record<string, unknown> => ({
    heartbeat: { lease },
    log: { lease, chunks: [{ seq: 0, text: 'pwned\n' }] },
    finish: { lease, status: 'passed', output: { pwned: true } },
    release: { lease },
    token: { lease },
  });
  const cases: { what: string; cred: string; lease: Lease; want: number; heartbeat?: number | 'lost' }[] = [
    { what: "another runner's lease", cred: hostile.credential, lease: victimLease, want: 403 },
    { what: "another runner's lease of a finished attempt", cred: hostile.credential, lease: finishedVLease, want: 403 },
    { what: 'its own lease of a finished attempt', cred: hostile.credential, lease: finishedHLease, want: 409, heartbeat: 'lost' },
    { what: 'its own superseded lease', cred: hostile.credential, lease: oldLease, want: 403, heartbeat: 'lost' },
    { what: 'a forged token', cred: hostile.credential, lease: forged, want: 403 },
    { what: 'a job it never claimed', cred: hostile.credential, lease: neverClaimed, want: 403 },
    { what: 'an unknown job', cred: hostile.credential, lease: { ...neverClaimed, jobId: 'jnope' }, want: 404 },
    { what: 'an expired credential', cred: expired, lease: victimLease, want: 401 },
    { what: 'a revoked credential', cred: revoked.credential, lease: victimLease, want: 401 },
    { what: 'a previous registration', cred: previous.credential, lease: victimLease, want: 401 },
    { what: 'a forged credential', cred: `${hostile.credential.slice(0, -4)}AAAA`, lease: victimLease, want: 401 },
  ];
  for (const c of cases) {
    for (const [route, body] of Object.entries(bodies(c.lease))) {
      if (route === 'finish' && c.lease === finishedHLease) continue; // answered from the store: see the test above
      const r = await call(route, c.cred, body);
      if (route === 'heartbeat' && c.heartbeat === 'lost') {
        assert.equal(r.status, 200, `${c.what}: ${route}`);
        assert.equal(r.json.stop, 'lost', `${c.what}: ${route}`);
      } else {
        assert.equal(r.status, c.want, `${c.what}: ${route} answered ${r.status} ${JSON.stringify(r.json)}`);
      }
    }
  }
  for (const cred of [expired, revoked.credential, previous.credential]) {
    assert.equal((await call('claim', cred, { jobId: queued.id, generation: 1 })).status, 401);
    assert.equal((await call('held', cred, {})).status, 401);
    assert.equal((await call('renew', cred, {})).status, 401);
  }

  assert.deepEqual(await snapshot(ids), before, 'nothing changed in the store or on GitHub');
  assert.deepEqual(await drain(resultsUrl()), [], 'no results message');
  assert.deepEqual(await drain(poolUrl()), [], 'no job requeued');
});

test('a revoked runner cannot claim; its running job is requeued and claimed by exactly one other runner', async () => {
  const bad = await register('revoke-me');
  const job = await newJob();
  await claim(bad.credential, job);
  await drain(poolUrl());
  const list = await admin('GET', '');
  assert.equal(list.status, 200);
  const listed = (list.json.runners as Record<string, unknown>[]).find((x) => x.id === 'revoke-me');
  assert.equal(listed?.jobsHeld, 1);
  assert.equal(listed?.revoked, false);
  assert.equal(listed?.pool, POOL);

  const rev = await admin('POST', '/revoke-me/revoke');
  assert.equal(rev.status, 200);
  assert.deepEqual(rev.json.requeued, [job.id]);
  assert.equal((await admin('POST', '/nobody/revoke')).status, 404);
  assert.equal((await call('claim', bad.credential, { jobId: job.id, generation: 1 })).status, 401);
  const forbidden = await call('register', bootstrapToken(RUNNER_SECRET, POOL), { runnerId: 'revoke-me', pool: POOL, host: 'h', version: '1', concurrency: 1 });
  assert.equal(forbidden.status, 403, 'a revoked runner id stays revoked');
  const queued = await h.cp.svc.store.jobs.get(job.id);
  assert.equal(queued?.status, 'queued');
  assert.equal(queued?.leaseHash, undefined);
  assert.deepEqual(await drain(poolUrl()), [{ jobId: job.id, generation: 1 }]);
  assert.equal(((await admin('GET', '')).json.runners as Record<string, unknown>[]).find((x) => x.id === 'revoke-me')?.revoked, true);

  const others = await Promise.all(['take-a', 'take-b', 'take-c'].map((id) => register(id)));
  const answers = await Promise.all(others.map((r) => call('claim', r.credential, { jobId: job.id, generation: 1 })));
  assert.deepEqual(answers.map((a) => a.json.result).sort(), ['busy', 'busy', 'claimed']);
  assert.equal((await h.cp.svc.store.jobs.get(job.id))?.attempt, 2);
});

test('registering again hands back the jobs the previous process held, and its credential stops working', async () => {
  const first = await register('restarts');
  const jobs = [await newJob(), await newJob()];
  for (const j of jobs) await claim(first.credential, j);
  const other = await newJob();
  const stranger = await register('stranger');
  await claim(stranger.credential, other);
  await drain(poolUrl());

  const second = await register('restarts');
  assert.deepEqual(second.handedBack, jobs.map((j) => j.id).sort());
  assert.notEqual(second.registrationId, first.registrationId);
  for (const j of jobs) assert.equal((await h.cp.svc.store.jobs.get(j.id))?.status, 'queued');
  assert.equal((await h.cp.svc.store.jobs.get(other.id))?.runnerId, 'stranger', "another runner's job is left alone");
  const requeued = (await drain(poolUrl())).map((m) => m.jobId).sort();
  assert.deepEqual(requeued, jobs.map((j) => j.id).sort());
  assert.equal((await call('held', first.credential, {})).status, 401);
  await claim(second.credential, jobs[0] as Job);
  assert.deepEqual((await call('held', second.credential, {})).json, { jobs: [{ jobId: jobs[0]?.id, attempt: 2 }] });
});

test('a revocation made by another control-plane instance holds here within the runner cache bound', async () => {
  const r = await register('revoked-elsewhere');
  assert.equal((await call('held', r.credential, {})).status, 200);
  // Written to the store directly, as another instance would: this one learns it from its cache's expiry.
  const revokedAt = Date.now();
  await h.cp.svc.store.runners.revoke('revoked-elsewhere');
  await until(async () => (await call('held', r.credential, {})).status === 401, { timeoutMs: RUNNER_CACHE_MS + 3000, what: 'the revocation to hold' });
  assert.ok(Date.now() - revokedAt <= RUNNER_CACHE_MS + 1000, `took ${Date.now() - revokedAt} ms`);
});

test('a runner is marked seen at most once a minute', async () => {
  const store = h.cp.svc.store.runners;
  const r = await register('seen');
  const registered = (await store.get('seen'))?.lastSeenAt;
  await store.touch('seen', r.registrationId);
  assert.equal((await store.get('seen'))?.lastSeenAt, registered, 'seen less than a minute ago: no write');
  await h.cp.svc.store.db.send(
    new UpdateCommand({
      TableName: tableNames(h.cp.config.tablePrefix).runners,
      Key: { id: 'seen' },
      UpdateExpression: 'SET lastSeenAt = :t',
      ExpressionAttributeValues: { ':t': new Date(Date.now() - 61_000).toISOString() },
    }),
  );
  await store.touch('seen', 'another-registration');
  assert.ok(((await store.get('seen'))?.lastSeenAt ?? '') < new Date(Date.now() - 60_000).toISOString(), 'only the current registration counts');
  await store.touch('seen', r.registrationId);
  assert.ok(((await store.get('seen'))?.lastSeenAt ?? '') > new Date(Date.now() - 10_000).toISOString());
});
