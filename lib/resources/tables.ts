/**
 * DynamoDB tables, defined once: the local stack creates them from here and serverless.yml's
 * CloudFormation is generated from here, so local and production never drift apart.
 */
export interface KeyAttr {
  name: string;
  type: 'S' | 'N';
}

/**
 * What an index copies besides its keys. Never ALL: an index is written whenever an attribute it
 * projects changes, so projecting `heartbeatAt` (ALL does) made every heartbeat write each index
 * the job is in. Queries that need whole items read them from the table (BatchGetItem).
 */
export type Projection = { type: 'KEYS_ONLY' } | { type: 'INCLUDE'; attributes: readonly string[] };

export interface IndexDef {
  name: string;
  hash: KeyAttr;
  range?: KeyAttr;
  projection: Projection;
}

export interface TableDef {
  /** Logical name used by the code; the physical name is `${prefix}-${key}`. */
  key: TableKey;
  hash: KeyAttr;
  range?: KeyAttr;
  indexes: IndexDef[];
  /** Attribute holding an epoch-seconds expiry. DynamoDB deletes on its own; dynalite has no TTL, so readers filter too. */
  ttlAttribute?: string;
}

export type TableKey = 'repositories' | 'pipelines' | 'refs' | 'jobs' | 'logs' | 'deliveries' | 'reports' | 'runners';

export const TABLES: readonly TableDef[] = [
  {
    key: 'repositories',
    hash: { name: 'name', type: 'S' },
    indexes: [{ name: 'by-installation', hash: { name: 'installationId', type: 'N' }, projection: { type: 'KEYS_ONLY' } }],
  },
  {
    key: 'pipelines',
    hash: { name: 'id', type: 'S' },
    indexes: [
      {
        name: 'by-repo',
        hash: { name: 'repo', type: 'S' },
        range: { name: 'createdAt', type: 'S' },
        // The history and sha-prefix queries filter on these; the pages' pipelines are then read whole.
        projection: { type: 'INCLUDE', attributes: ['sha', 'refs', 'seenRefs'] },
      },
    ],
    ttlAttribute: 'expiresAt',
  },
  {
    // The commit each branch or PR points at now.
    key: 'refs',
    hash: { name: 'repo', type: 'S' },
    range: { name: 'ref', type: 'S' },
    indexes: [],
  },
  {
    key: 'jobs',
    hash: { name: 'id', type: 'S' },
    indexes: [
      { name: 'by-pipeline', hash: { name: 'pipelineId', type: 'S' }, range: { name: 'name', type: 'S' }, projection: { type: 'KEYS_ONLY' } },
      // Sparse: only queued jobs carry `queuedSince`, so the sweeper reads just those. Written once
      // per enqueue, claim or re-send (not per heartbeat), so one key per pool is enough.
      {
        name: 'by-queued',
        hash: { name: 'queuedPool', type: 'S' },
        range: { name: 'queuedSince', type: 'S' },
        projection: { type: 'INCLUDE', attributes: ['generation', 'priority'] },
      },
      // Sparse likewise: running jobs carry `runningPool` (`<pool>#<shard>`, runningPoolKey), so the
      // sweeper finds those whose runner died. Keys only: a heartbeat changes none of its attributes.
      { name: 'by-running', hash: { name: 'runningPool', type: 'S' }, range: { name: 'startedAt', type: 'S' }, projection: { type: 'KEYS_ONLY' } },
    ],
    ttlAttribute: 'expiresAt',
  },
  {
    key: 'logs',
    hash: { name: 'logId', type: 'S' },
    range: { name: 'seq', type: 'N' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  {
    key: 'deliveries',
    hash: { name: 'id', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  {
    // What was last reported where: a PR's status comment (its id, last edit, a deferred edit),
    // the commit statuses set, Slack messages sent. Keeps reports idempotent and edits coalesced.
    key: 'reports',
    hash: { name: 'id', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  {
    // Registered runners (the runner API): pool, current registration, last seen, revocation.
    key: 'runners',
    hash: { name: 'id', type: 'S' },
    indexes: [],
  },
];

/**
 * Shards of the running-jobs index's partition key: a pool's running jobs are spread over
 * `<pool>#0` … `<pool>#<S-1>` by a hash of the job id, so claims and finishes of hundreds of jobs
 * do not all write one partition key (a partition takes at most 1,000 writes a second). Readers
 * query every shard and merge. Changing it moves no existing row: see runningPoolKeys.
 */
export const RUNNING_POOL_SHARDS = 8;

/** The running-jobs index key of a job: its pool and a shard fixed by its id. */
export function runningPoolKey(pool: string, jobId: string, shards = RUNNING_POOL_SHARDS): string {
  let h = 0;
  for (let i = 0; i < jobId.length; i++) h = (Math.imul(h, 31) + jobId.charCodeAt(i)) >>> 0;
  return `${pool}#${h % shards}`;
}

/**
 * Every key a pool's running jobs may carry: its shards, and the bare pool name that rows claimed
 * before sharding carry (so a job running across the upgrade is still found by the sweeper).
 */
export function runningPoolKeys(pool: string, shards = RUNNING_POOL_SHARDS): string[] {
  return [...Array.from({ length: shards }, (_, n) => `${pool}#${n}`), pool];
}

export function tableName(prefix: string, key: TableKey): string {
  return `${prefix}-${key}`;
}
