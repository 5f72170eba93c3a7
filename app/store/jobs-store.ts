import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { JobSchema, type Job, type JobReport, type JobStatus, type Pool } from '../../lib/contract/index.ts';
import { isConditionFailed, nowIso, unlessConditionFails } from './dynamo-errors.ts';

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

// Attribute names that DynamoDB reserves, always written through these aliases.
const NAMES = { '#s': 'status', '#p': 'pool', '#o': 'output' };

/**
 * Jobs and their life cycle. Every transition is one conditional write on one item (dynalite has
 * no transactions), so concurrent runners, sweepers and users can never both win.
 */
export class JobsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
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
    const item: Record<string, unknown> = { ...job };
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

  async listByPipeline(pipelineId: string): Promise<Job[]> {
    const jobs: Job[] = [];
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
      jobs.push(...(out.Items ?? []).map(parse));
      start = out.LastEvaluatedKey;
    } while (start);
    return jobs;
  }

  /**
   * A runner takes a job: queued → running, or running with a stale heartbeat (its runner died)
   * → running again. The condition makes a duplicated or redelivered message harmless.
   */
  claim(id: string, opts: { runnerId: string; generation: number; staleBefore: string }): Promise<Job | undefined> {
    return this.transition(id, {
      update: 'SET #s = :running, runnerId = :r, attempt = attempt + :one, startedAt = :now, heartbeatAt = :now, runningPool = #p REMOVE queuedPool, queuedSince',
      condition: 'generation = :g AND cancelRequested <> :true AND (#s = :queued OR (#s = :running AND heartbeatAt < :stale))',
      values: {
        ':running': 'running',
        ':queued': 'queued',
        ':r': opts.runnerId,
        ':one': 1,
        ':now': nowIso(),
        ':g': opts.generation,
        ':true': true,
        ':stale': opts.staleBefore,
      },
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
  ): Promise<Job | undefined> {
    const values: Record<string, unknown> = { ':s': result.status, ':now': nowIso(), ':running': 'running', ':r': runnerId };
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
    return this.transition(id, { update: `SET ${sets.join(', ')} REMOVE runningPool`, condition: '#s = :running AND runnerId = :r', values });
  }

  /** Gives a running job back to the queue (runner shutting down); the next claim runs it again. */
  release(id: string, runnerId: string): Promise<Job | undefined> {
    return this.transition(id, {
      update: 'SET #s = :queued, queuedPool = #p, queuedSince = :now REMOVE runnerId, heartbeatAt, startedAt, runningPool',
      condition: '#s = :running AND runnerId = :r',
      values: { ':queued': 'queued', ':running': 'running', ':r': runnerId, ':now': nowIso() },
    });
  }

  /**
   * A restarted runner gives back a job its dead process left running: only while the job is
   * still this runner id's and its heartbeat is the one seen (nobody beats it any more).
   */
  releaseAbandoned(id: string, runnerId: string, heartbeatAt: string): Promise<Job | undefined> {
    return this.transition(id, {
      update: 'SET #s = :queued, queuedPool = #p, queuedSince = :now REMOVE runnerId, heartbeatAt, startedAt, runningPool',
      condition: '#s = :running AND runnerId = :r AND heartbeatAt = :hb',
      values: { ':queued': 'queued', ':running': 'running', ':r': runnerId, ':hb': heartbeatAt, ':now': nowIso() },
    });
  }

  /** Gives a running job whose runner went silent back to the queue; undefined if it moved on meanwhile. */
  releaseStale(id: string, staleBefore: string): Promise<Job | undefined> {
    return this.transition(id, {
      update: 'SET #s = :queued, queuedPool = #p, queuedSince = :now REMOVE runnerId, heartbeatAt, startedAt, runningPool',
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
        'SET #s = :queued, generation = generation + :one, cancelRequested = :false, queuedAt = :now, queuedPool = #p, queuedSince = :now ' +
        'REMOVE reason, startedAt, finishedAt, runnerId, heartbeatAt, report, #o',
      condition: 'attribute_exists(id) AND NOT (#s IN (:queued, :running))',
      values: { ':queued': 'queued', ':running': 'running', ':one': 1, ':false': false, ':now': now },
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

  private async listSparse(index: 'by-queued' | 'by-running', pool: Pool, before: string, limit: number): Promise<Job[]> {
    const [hash, range] = index === 'by-queued' ? ['queuedPool', 'queuedSince'] : ['runningPool', 'startedAt'];
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: index,
        KeyConditionExpression: `${hash} = :p AND ${range} < :b`,
        ExpressionAttributeValues: { ':p': pool, ':b': before },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(parse);
  }

  /** Queued jobs of a pool whose last enqueue is older than `before` (for the sweeper). */
  listQueuedSince(pool: Pool, before: string, limit = 100): Promise<Job[]> {
    return this.listSparse('by-queued', pool, before, limit);
  }

  /** Running jobs of a pool that started before `before` (for the sweeper's look at stale heartbeats). */
  listRunningSince(pool: Pool, before: string, limit = 100): Promise<Job[]> {
    return this.listSparse('by-running', pool, before, limit);
  }
}
