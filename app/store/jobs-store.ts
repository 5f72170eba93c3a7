import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { JobSchema, type Job, type JobReport, type JobStatus, type Pool, type Priority } from '../../lib/contract/index.ts';
import { runningPoolKey, runningPoolKeys } from '../../lib/resources/index.ts';
import { batchGetInOrder } from './batch-get.ts';
import { isConditionFailed, nowIso, unlessConditionFails } from './dynamo-errors.ts';
import { expiresAt } from './retention.ts';

/** Job ids are derived from pipeline and variant, so creating the same job twice is a no-op. */
export function jobIdFor(pipelineId: string, name: string): string {
  return 'j' + createHash('sha256').update(`${pipelineId}\0${name}`).digest('hex').slice(0, 24);
}

const parse = (item: Record<string, unknown> | undefined): Job => JobSchema.parse(item);

export type NewJob = Omit<Job, 'attempt' | 'generation' | 'status' | 'queuedAt' | 'cancelRequested' | 'experimental' | 'timeoutSeconds'> &
  Partial<Pick<Job, 'experimental' | 'timeoutSeconds' | 'status' | 'reason'>>;

interface ConditionalUpdate {
  update: string;
  condition: string;
  names?: Record<string, string>;
  values: Record<string, unknown>;
}

/** A queued job as the by-queued index holds it: enough to send its message again. */
export interface QueuedJobRef {
  id: string;
  pool: Pool;
  priority: Priority;
  generation: number;
  queuedSince: string;
}

// Attribute names that DynamoDB reserves, always written through these aliases.
const NAMES = { '#s': 'status', '#p': 'pool', '#o': 'output' };

/** What a job given back to the queue loses: its runner, heartbeat and lease. */
const RELEASED = 'runnerId, heartbeatAt, startedAt, runningPool, leaseHash';

/** A runner API lease, checked in the same conditional write that acts on it. */
export interface LeaseCheck {
  attempt: number;
  /** sha256 of the lease's token, as stored on the job. */
  hash: string;
  /** The lease has expired when the heartbeat is older than this. */
  staleBefore: string;
}

/**
 * Jobs and their life cycle. Every transition is one conditional write on one item (dynalite has
 * no transactions), so concurrent runners, sweepers and users can never both win.
 */
export class JobsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    /** Jobs expire (DynamoDB TTL on `expiresAt`) this long after they were created or rebuilt. */
    private readonly retentionDays: number,
  ) {}

  /** One transition: the job after it, or undefined when its condition did not hold. */
  private async transition(id: string, u: ConditionalUpdate): Promise<Job | undefined> {
    const text = `${u.update} ${u.condition}`;
    const names = Object.fromEntries(Object.entries({ ...NAMES, ...u.names }).filter(([alias]) => text.includes(alias)));
    const out = await unlessConditionFails(
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: u.update,
          ConditionExpression: u.condition,
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: u.values,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out ? parse(out.Attributes) : undefined;
  }

  /** Creates the job unless it exists; true when this call created it. */
  async create(input: NewJob): Promise<{ job: Job; created: boolean }> {
    const now = nowIso();
    const job = JobSchema.parse({ ...input, attempt: 0, generation: 1, status: input.status ?? 'queued', queuedAt: now });
    // runningShard: the by-running key a claim copies into runningPool (a claim does not know the
    // pool; rows written before sharding lack it and are claimed under the bare pool name).
    const item: Record<string, unknown> = { ...job, runningShard: runningPoolKey(job.pool, job.id), expiresAt: expiresAt(this.retentionDays) };
    if (job.status === 'queued') Object.assign(item, { queuedPool: job.pool, queuedSince: now });
    else item.finishedAt = now;
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(id)' }));
      return { job, created: true };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      return { job: (await this.get(job.id)) ?? job, created: false };
    }
  }

  async get(id: string): Promise<Job | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }));
    return out.Item ? parse(out.Item) : undefined;
  }

  /** The index holds keys only (heartbeats would write it otherwise): the jobs are read whole after. */
  async listByPipeline(pipelineId: string): Promise<Job[]> {
    const keys: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'by-pipeline',
          KeyConditionExpression: 'pipelineId = :p',
          ExpressionAttributeValues: { ':p': pipelineId },
          ExclusiveStartKey: start,
        }),
      );
      keys.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return (await batchGetInOrder(this.db, this.table, keys, ['id'])).map(parse);
  }

  /**
   * A runner takes a job: queued → running, or running with a stale heartbeat (its runner died)
   * → running again. The condition makes a duplicated or redelivered message harmless.
   */
  claim(
    id: string,
    opts: { runnerId: string; generation: number; staleBefore: string; lease?: { attempt: number; hash: string } },
  ): Promise<Job | undefined> {
    const values: Record<string, unknown> = {
      ':running': 'running',
      ':queued': 'queued',
      ':r': opts.runnerId,
      ':one': 1,
      ':now': nowIso(),
      ':g': opts.generation,
      ':true': true,
      ':stale': opts.staleBefore,
    };
    let condition = 'generation = :g AND cancelRequested <> :true AND (#s = :queued OR (#s = :running AND heartbeatAt < :stale))';
    // A lease names its attempt: the claim holds only if nobody claimed in between.
    if (opts.lease) {
      condition += ' AND attempt = :prev';
      values[':prev'] = opts.lease.attempt - 1;
      values[':lh'] = opts.lease.hash;
    }
    const lease = opts.lease ? ', leaseHash = :lh' : '';
    return this.transition(id, {
      update: `SET #s = :running, runnerId = :r, attempt = attempt + :one, startedAt = :now, heartbeatAt = :now, runningPool = if_not_exists(runningShard, #p)${lease} REMOVE queuedPool, queuedSince${opts.lease ? '' : ', leaseHash'}`,
      condition,
      values,
    });
  }

  /** The lease conditions of the runner API: this runner, this attempt, this lease, not expired. */
  private static leaseCondition(values: Record<string, unknown>, lease: LeaseCheck | undefined): string {
    if (!lease) return '';
    values[':a'] = lease.attempt;
    values[':lh'] = lease.hash;
    values[':stale'] = lease.staleBefore;
    return ' AND attempt = :a AND leaseHash = :lh AND heartbeatAt >= :stale';
  }

  /** Refreshes the heartbeat of the lease holder; undefined if the lease no longer holds. */
  beat(id: string, runnerId: string, lease: LeaseCheck): Promise<Job | undefined> {
    const values: Record<string, unknown> = { ':now': nowIso(), ':running': 'running', ':r': runnerId };
    return this.transition(id, {
      update: 'SET heartbeatAt = :now',
      condition: `#s = :running AND runnerId = :r${JobsStore.leaseCondition(values, lease)}`,
      values,
    });
  }

  /** Refreshes the heartbeat; tells whether the job is still this runner's and whether it was cancelled. */
  async heartbeat(id: string, runnerId: string): Promise<{ owned: boolean; cancelRequested: boolean }> {
    const job = await this.transition(id, {
      update: 'SET heartbeatAt = :now',
      condition: '#s = :running AND runnerId = :r',
      values: { ':now': nowIso(), ':running': 'running', ':r': runnerId },
    });
    return { owned: job !== undefined, cancelRequested: job?.cancelRequested === true };
  }

  /** A runner records the end of its run; ignored if the job is no longer its own. */
  finish(
    id: string,
    runnerId: string,
    result: { status: Exclude<JobStatus, 'queued' | 'running'>; reason?: string; output?: unknown; report?: JobReport },
    lease?: LeaseCheck,
  ): Promise<Job | undefined> {
    const values: Record<string, unknown> = { ':s': result.status, ':now': nowIso(), ':running': 'running', ':r': runnerId };
    const leased = JobsStore.leaseCondition(values, lease);
    const sets = ['#s = :s', 'finishedAt = :now'];
    if (result.reason !== undefined) {
      sets.push('reason = :reason');
      values[':reason'] = result.reason;
    }
    if (result.output !== undefined) {
      sets.push('#o = :o');
      values[':o'] = result.output;
    }
    if (result.report !== undefined) {
      sets.push('report = :report');
      values[':report'] = result.report;
    }
    // leaseHash stays: a finish repeated by the same lease is recognised and answered.
    return this.transition(id, { update: `SET ${sets.join(', ')} REMOVE runningPool`, condition: `#s = :running AND runnerId = :r${leased}`, values });
  }

  /** Gives a running job back to the queue (runner shutting down); the next claim runs it again. */
  release(id: string, runnerId: string, lease?: LeaseCheck): Promise<Job | undefined> {
    const values: Record<string, unknown> = { ':queued': 'queued', ':running': 'running', ':r': runnerId, ':now': nowIso() };
    return this.transition(id, {
      update: `SET #s = :queued, queuedPool = #p, queuedSince = :now REMOVE ${RELEASED}`,
      condition: `#s = :running AND runnerId = :r${JobsStore.leaseCondition(values, lease)}`,
      values,
    });
  }

  /**
   * A restarted runner gives back a job its dead process left running: only while the job is
   * still this runner id's and its heartbeat is the one seen (nobody beats it any more).
   */
  releaseAbandoned(id: string, runnerId: string, heartbeatAt: string): Promise<Job | undefined> {
    return this.transition(id, {
      update: `SET #s = :queued, queuedPool = #p, queuedSince = :now REMOVE ${RELEASED}`,
      condition: '#s = :running AND runnerId = :r AND heartbeatAt = :hb',
      values: { ':queued': 'queued', ':running': 'running', ':r': runnerId, ':hb': heartbeatAt, ':now': nowIso() },
    });
  }

  /** Gives a running job whose runner went silent back to the queue; undefined if it moved on meanwhile. */
  releaseStale(id: string, staleBefore: string): Promise<Job | undefined> {
    return this.transition(id, {
      update: `SET #s = :queued, queuedPool = #p, queuedSince = :now REMOVE ${RELEASED}`,
      condition: '#s = :running AND heartbeatAt < :stale',
      values: { ':queued': 'queued', ':running': 'running', ':now': nowIso(), ':stale': staleBefore },
    });
  }

  /** Cancels a job: a queued one at once, a running one by asking its runner. */
  async requestCancel(id: string, reason = 'cancelled'): Promise<Job | undefined> {
    const queued = await this.transition(id, {
      update: 'SET #s = :cancelled, finishedAt = :now, reason = :reason REMOVE queuedPool, queuedSince',
      condition: '#s = :queued',
      values: { ':cancelled': 'cancelled', ':queued': 'queued', ':now': nowIso(), ':reason': reason },
    });
    return (
      queued ??
      this.transition(id, {
        update: 'SET cancelRequested = :true, reason = :reason',
        condition: '#s = :running',
        values: { ':true': true, ':running': 'running', ':reason': reason },
      })
    );
  }

  /** Queues a finished job again (rebuild): a new generation with a fresh check run. */
  requeue(id: string): Promise<Job | undefined> {
    const now = nowIso();
    return this.transition(id, {
      update:
        'SET #s = :queued, generation = generation + :one, cancelRequested = :false, queuedAt = :now, queuedPool = #p, queuedSince = :now, expiresAt = :exp ' +
        'REMOVE reason, startedAt, finishedAt, runnerId, heartbeatAt, leaseHash, report, #o',
      condition: 'attribute_exists(id) AND NOT (#s IN (:queued, :running))',
      values: { ':queued': 'queued', ':running': 'running', ':one': 1, ':false': false, ':now': now, ':exp': expiresAt(this.retentionDays) },
    });
  }

  /** An infrastructure failure (dead-lettered message): shown apart from build failures. */
  markErrored(id: string, reason: string): Promise<Job | undefined> {
    return this.transition(id, {
      update: 'SET #s = :errored, reason = :reason, finishedAt = :now REMOVE queuedPool, queuedSince, runningPool',
      condition: '#s IN (:queued, :running)',
      values: { ':errored': 'errored', ':reason': reason, ':now': nowIso(), ':queued': 'queued', ':running': 'running' },
    });
  }

  /** Marks a queued job as enqueued again now; false if it is no longer queued. */
  async touchQueued(id: string, generation: number): Promise<boolean> {
    const job = await this.transition(id, {
      update: 'SET queuedSince = :now',
      condition: '#s = :queued AND generation = :g',
      values: { ':now': nowIso(), ':queued': 'queued', ':g': generation },
    });
    return job !== undefined;
  }

  /** Queued jobs of a pool whose last enqueue is older than `before` (for the sweeper), from the by-queued index alone. */
  async listQueuedSince(pool: Pool, before: string, limit = 100): Promise<QueuedJobRef[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'by-queued',
        KeyConditionExpression: 'queuedPool = :p AND queuedSince < :b',
        ExpressionAttributeValues: { ':p': pool, ':b': before },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => ({
      id: String(i.id),
      pool,
      priority: i.priority as Priority,
      generation: Number(i.generation),
      queuedSince: String(i.queuedSince),
    }));
  }

  /**
   * Running jobs of a pool that started before `before`, oldest first, at most `limit` (for the
   * sweeper's look at stale heartbeats). The pool's running jobs are spread over the index's shard
   * keys (runningPoolKeys): each is queried for at most `limit` keys, the keys merged by start,
   * and only the first `limit` jobs read whole.
   */
  async listRunningSince(pool: Pool, before: string, limit = 100): Promise<Job[]> {
    const pages = await Promise.all(
      runningPoolKeys(pool).map(async (key) => {
        const out = await this.db.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: 'by-running',
            KeyConditionExpression: 'runningPool = :p AND startedAt < :b',
            ExpressionAttributeValues: { ':p': key, ':b': before },
            Limit: limit,
          }),
        );
        return out.Items ?? [];
      }),
    );
    const keys = pages
      .flat()
      .sort((a, b) => String(a.startedAt).localeCompare(String(b.startedAt)))
      .slice(0, limit);
    return (await batchGetInOrder(this.db, this.table, keys, ['id'])).map(parse).filter((j) => j.status === 'running');
  }

  /**
   * The running jobs one runner holds in a pool (at most `limit`): the pool's running index (all
   * its shard keys), read whole and filtered by runner.
   */
  listHeldBy(pool: Pool, runnerId: string, limit = 1000): Promise<Job[]> {
    return this.listRunning(pool, limit, runnerId);
  }

  /** The running jobs of a pool (at most `limit`), of one runner if `runnerId` is given. */
  async listRunning(pool: Pool, limit = 10_000, runnerId?: string): Promise<Job[]> {
    const jobs: Job[] = [];
    for (const key of runningPoolKeys(pool)) {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await this.db.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: 'by-running',
            KeyConditionExpression: 'runningPool = :p',
            ExpressionAttributeValues: { ':p': key },
            ExclusiveStartKey: start,
          }),
        );
        // The index holds keys only: the items are read whole, then filtered.
        const items = (await batchGetInOrder(this.db, this.table, out.Items ?? [], ['id'])).map(parse);
        jobs.push(...items.filter((j) => j.status === 'running' && (runnerId === undefined || j.runnerId === runnerId)));
        start = out.LastEvaluatedKey;
      } while (start && jobs.length < limit);
      if (jobs.length >= limit) break;
    }
    return jobs.slice(0, limit);
  }
}
