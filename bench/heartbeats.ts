// Heartbeat write cost (issue #12): 300 running jobs on the local stack (dynalite) beat for a
// window, in today's design and in the old one side by side, in the same run and the same
// dynalite:
//  - old: a beat every second; the jobs table's indexes project ALL attributes; the running
//    index's key is the bare pool (every running job of a pool on one partition key);
//  - new: HEARTBEAT_DEFAULTS (every 15 s); keys-only / include-only projections; the running
//    index's key sharded over RUNNING_POOL_SHARDS keys.
// Both run JobsStore's real create, claim and heartbeat. dynalite does not meter capacity, so the
// write units are counted by DynamoDB's rules: a write costs 1 WCU per KB of the item (rounded
// up), plus, for each index the item is in whose keys or projected attributes the write changes,
// 1 WCU per KB of the projected item (2 writes when the index key itself changes).
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalStack } from '../infra/local-stack/index.ts';
import { createDynamo } from '../lib/aws/index.ts';
import { JobsStore, jobIdFor, type NewJob } from '../app/store/index.ts';
import { HEARTBEAT_DEFAULTS } from '../lib/contract/heartbeat.ts';
import { pipelineId, type BuildSpec } from '../lib/contract/index.ts';
import { RUNNING_POOL_SHARDS, TABLES, tableName, type IndexDef } from '../lib/resources/index.ts';
import { projectionOf } from '../infra/local-stack/create-resources.ts';
import { isMain, round } from './support/load.ts';

const POOL = 'linux-x86_64' as const;
const JOBS_TABLE = TABLES.find((t) => t.key === 'jobs')!;
/** The jobs table's indexes before issue #12: the same keys, ALL projected. */
const OLD_INDEXES: IndexDef[] = JOBS_TABLE.indexes.map((i) => ({ ...i, projection: { type: 'ALL' } as unknown as IndexDef['projection'] }));

/** A build job as the analysis plans it (opam prelude, pins, deps, build): a realistic item size. */
function buildSpec(n: number): BuildSpec {
  const run = (shell: string, network = false) => ({ op: 'run' as const, shell, network, cache: [] });
  return {
    from: 'ocaml/opam:debian-12-ocaml-5.3@sha256:' + 'ab'.repeat(32),
    steps: [
      { op: 'env', name: 'OPAMPRECISETRACKING', value: '1' },
      { op: 'workdir', path: '/home/opam/src' },
      run('cd ~/opam-repository && (git cat-file -e 97014be61691efb695da5de8e860cba5d74fa1f5 || git fetch origin master) && git reset -q --hard 97014be61691efb695da5de8e860cba5d74fa1f5 && git log --no-decorate -n1 --oneline && opam update -u', true),
      { op: 'copy', src: [`pkg${n}.opam`, `pkg${n}-lwt.opam`], dst: './', exclude: [] },
      run(`opam pin add -yn pkg${n}.dev './' && opam pin add -yn pkg${n}-lwt.dev './'`),
      run(`opam install --cli=2.1 --depext-only --with-test --with-doc pkg${n}.dev pkg${n}-lwt.dev && opam install --cli=2.1 --deps-only --with-test pkg${n}.dev pkg${n}-lwt.dev`, true),
      { op: 'copy', src: ['.'], dst: '/home/opam/src/', exclude: ['.git', '_build', '_opam'] },
      run('opam exec -- dune build @install @check @runtest && rm -rf _build'),
    ],
  };
}

function newJob(i: number): NewJob {
  const pid = pipelineId(`bench/repo${i % 30}`, (i % 30).toString(16).padStart(40, 'c'));
  const name = `debian-12-5.3_opam-2.3-${i}`;
  return {
    id: jobIdFor(pid, name),
    pipelineId: pid,
    repo: `bench/repo${i % 30}`,
    sha: (i % 30).toString(16).padStart(40, 'c'),
    name,
    kind: 'build',
    pool: POOL,
    priority: 'urgent',
    spec: buildSpec(i),
    source: { kind: 'github', repo: `bench/repo${i % 30}`, cloneUrl: `https://github.com/bench/repo${i % 30}.git`, sha: (i % 30).toString(16).padStart(40, 'c'), installationId: 1, fromFork: false },
  };
}

/** An attribute value's size by DynamoDB's rules (names and UTF-8 strings in bytes, numbers ≈ digits/2 + 1, 3 bytes of overhead per map or list). */
function valueBytes(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (typeof v === 'number') return Math.ceil(String(Math.abs(v)).replace(/[.-]/g, '').length / 2) + 1;
  if (typeof v === 'boolean' || v === null) return 1;
  if (Array.isArray(v)) return 3 + v.reduce((n: number, x) => n + 1 + valueBytes(x), 0);
  if (v instanceof Set) return [...(v as Set<unknown>)].reduce((n: number, x) => n + valueBytes(x), 0);
  if (v && typeof v === 'object') return 3 + Object.entries(v).reduce((n, [k, x]) => n + Buffer.byteLength(k) + 1 + valueBytes(x), 0);
  return 0;
}
const itemBytes = (item: Record<string, unknown>, only?: readonly string[]): number =>
  Object.entries(item)
    .filter(([k]) => !only || only.includes(k))
    .reduce((n, [k, v]) => n + Buffer.byteLength(k) + valueBytes(v), 0);
const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/** WCUs one heartbeat (SET heartbeatAt) costs on an item, and which indexes it writes. */
function heartbeatCost(item: Record<string, unknown>, indexes: IndexDef[]): { wcu: number; indexesWritten: string[] } {
  let wcu = kb(itemBytes(item));
  const written: string[] = [];
  const tableKeys = [JOBS_TABLE.hash.name, ...(JOBS_TABLE.range ? [JOBS_TABLE.range.name] : [])];
  for (const i of indexes) {
    const keys = [i.hash.name, ...(i.range ? [i.range.name] : [])];
    if (!keys.every((k) => item[k] !== undefined)) continue; // sparse: not in this index
    const p = i.projection as { type: string; attributes?: readonly string[] };
    const projected = p.type === 'ALL' ? Object.keys(item) : [...tableKeys, ...keys, ...(p.type === 'INCLUDE' ? (p.attributes ?? []) : [])];
    if (!projected.includes('heartbeatAt')) continue;
    wcu += kb(itemBytes(item, p.type === 'ALL' ? undefined : projected));
    written.push(i.name);
  }
  return { wcu, indexesWritten: written };
}

interface Design {
  name: string;
  table: string;
  indexes: IndexDef[];
  heartbeatSeconds: number;
  /** Before #12 claims wrote the bare pool as runningPool. */
  legacyClaim: boolean;
}

async function createJobsTable(db: ReturnType<typeof createDynamo>, name: string, indexes: IndexDef[]): Promise<void> {
  const attrs = new Map<string, 'S' | 'N'>([[JOBS_TABLE.hash.name, JOBS_TABLE.hash.type]]);
  for (const i of indexes) for (const k of [i.hash, i.range]) if (k) attrs.set(k.name, k.type);
  await db.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attrs].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
      KeySchema: [{ AttributeName: JOBS_TABLE.hash.name, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: indexes.map((i) => ({
        IndexName: i.name,
        KeySchema: [{ AttributeName: i.hash.name, KeyType: 'HASH' as const }, ...(i.range ? [{ AttributeName: i.range.name, KeyType: 'RANGE' as const }] : [])],
        Projection: (i.projection as { type: string }).type === 'ALL' ? { ProjectionType: 'ALL' as const } : projectionOf(i.projection),
      })),
    }),
  );
  for (let n = 0; n < 400; n++) {
    const d = await db.send(new DescribeTableCommand({ TableName: name }));
    if (d.Table?.TableStatus === 'ACTIVE' && (d.Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE')) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function run(opts: { jobs?: number; windowSeconds?: number } = {}) {
  const jobs = opts.jobs ?? Number(process.env.BENCH_HEARTBEAT_JOBS ?? 300);
  const windowSeconds = opts.windowSeconds ?? Number(process.env.BENCH_HEARTBEAT_WINDOW_SECONDS ?? 30);
  const stack = await startLocalStack({ tablePrefix: 'hb', queuePrefix: 'hb' });
  const db = createDynamo({ region: stack.region, dynamoEndpoint: stack.dynamoEndpoint });
  try {
    const designs: Design[] = [
      { name: 'before #12 (1 s, ALL, one pool key)', table: 'hb-old-jobs', indexes: OLD_INDEXES, heartbeatSeconds: 1, legacyClaim: true },
      { name: `now (${HEARTBEAT_DEFAULTS.heartbeatSeconds} s, keys/include-only, ${RUNNING_POOL_SHARDS} shards)`, table: tableName('hb', 'jobs'), indexes: JOBS_TABLE.indexes, heartbeatSeconds: HEARTBEAT_DEFAULTS.heartbeatSeconds, legacyClaim: false },
    ];
    await createJobsTable(db, 'hb-old-jobs', OLD_INDEXES);

    // Create and claim every job in both designs (the claims are the running index's other writes).
    const prepared = await Promise.all(
      designs.map(async (d) => {
        const store = new JobsStore(db, d.table, 90);
        const ids: string[] = [];
        const claimsPerKey = new Map<string, number>();
        let cost = 0;
        const indexesWritten = new Set<string>();
        for (let i = 0; i < jobs; i++) {
          const input = newJob(i);
          await store.create(input);
          if (d.legacyClaim) {
            await db.send(new UpdateCommand({ TableName: d.table, Key: { id: input.id }, UpdateExpression: 'REMOVE runningShard, expiresAt' }));
          }
          await store.claim(input.id, { runnerId: `runner-${i % 75}`, generation: 1, staleBefore: new Date(0).toISOString() });
          const item = (await db.send(new GetCommand({ TableName: d.table, Key: { id: input.id } }))).Item!;
          const key = String(item.runningPool);
          claimsPerKey.set(key, (claimsPerKey.get(key) ?? 0) + 1);
          const c = heartbeatCost(item, d.indexes);
          cost += c.wcu;
          for (const n of c.indexesWritten) indexesWritten.add(n);
          ids.push(input.id);
        }
        return { d, store, ids, claimsPerKey, meanBeatWcu: cost / jobs, indexesWritten: [...indexesWritten], itemBytes: 0 };
      }),
    );
    for (const p of prepared) {
      const item = (await db.send(new GetCommand({ TableName: p.d.table, Key: { id: p.ids[0] } }))).Item!;
      p.itemBytes = itemBytes(item);
    }

    // Every job beats on its own timer, starting at a random point of its first interval, both
    // designs at once. Beats are counted per second of the window.
    const results = await Promise.all(
      prepared.map(async (p) => {
        const perSecond: number[] = [];
        let beats = 0;
        let late = 0;
        const t0 = performance.now();
        const end = t0 + windowSeconds * 1000;
        await Promise.all(
          p.ids.map(async (id, i) => {
            let next = t0 + Math.random() * p.d.heartbeatSeconds * 1000;
            for (;;) {
              const wait = next - performance.now();
              if (next >= end || performance.now() >= end) return;
              if (wait > 0) await new Promise((r) => setTimeout(r, wait));
              else if (wait < -p.d.heartbeatSeconds * 1000) late++;
              const out = await p.store.heartbeat(id, `runner-${i % 75}`);
              if (!out.owned) throw new Error(`${p.d.name}: job ${id} lost`);
              const sec = Math.floor((performance.now() - t0) / 1000);
              perSecond[sec] = (perSecond[sec] ?? 0) + 1;
              beats++;
              next += p.d.heartbeatSeconds * 1000;
            }
          }),
        );
        const elapsed = Math.max(windowSeconds, (performance.now() - t0) / 1000);
        const nominalBeats = jobs / p.d.heartbeatSeconds;
        const runningKeys = p.indexesWritten.includes('by-running') ? p.claimsPerKey.size : 0;
        return {
          design: p.d.name,
          jobs,
          heartbeatSeconds: p.d.heartbeatSeconds,
          jobItemBytes: p.itemBytes,
          wcuPerHeartbeat: round(p.meanBeatWcu, 2),
          indexesEachHeartbeatWrites: p.indexesWritten,
          // What DynamoDB would meter at the design's rate.
          heartbeatsPerSecond: round(nominalBeats),
          writeUnitsPerSecond: round(nominalBeats * p.meanBeatWcu),
          // Heartbeats land on the running index only when it projects heartbeatAt; then a pool's
          // beats are spread over its keys (one key before #12).
          runningIndexWritesPerSecondOnBusiestKey: runningKeys ? round(nominalBeats / runningKeys) : 0,
          runningIndexWcuPerSecondOnBusiestKey: runningKeys ? round((nominalBeats / runningKeys) * kb(p.itemBytes)) : 0,
          runningIndexKeys: p.claimsPerKey.size,
          claimsOnBusiestRunningKey: Math.max(...p.claimsPerKey.values()),
          // What dynalite on this machine managed (every beat is a real UpdateItem).
          measured: {
            heartbeats: beats,
            seconds: round(elapsed),
            heartbeatsPerSecond: round(beats / elapsed),
            busiestSecond: Math.max(0, ...Array.from(perSecond, (n) => n ?? 0)),
            beatsMoreThanAnIntervalLate: late,
          },
        };
      }),
    );
    const [old, now] = results;
    return { windowSeconds, results, writeUnitsRatio: round(old!.writeUnitsPerSecond / now!.writeUnitsPerSecond) };
  } finally {
    db.destroy();
    await stack.stop();
  }
}

if (isMain(import.meta.url)) console.log(JSON.stringify(await run(), null, 2));
