import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { JobSchema, type Job, type JobStatus, type Pool } from '../contract/index.ts';
import { isConditionFailed, nowIso } from './dynamo-errors.ts';

/** Job ids are derived from pipeline and variant, so creating the same job twice is a no-op. */
export function jobIdFor(pipelineId: string, name: string): string {
  return 'j' + createHash('sha256').update(`${pipelineId}\0${name}`).digest('hex').slice(0, 24);
}

const parse = (item: Record<string, unknown> | undefined): Job => JobSchema.parse(item);

export type NewJob = Omit<Job, 'attempt' | 'generation' | 'status' | 'queuedAt' | 'cancelRequested' | 'experimental' | 'timeoutSeconds'> &
  Partial<Pick<Job, 'experimental' | 'timeoutSeconds' | 'status' | 'reason'>>;

export class JobsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

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
  async claim(id: string, opts: { runnerId: string; generation: number; staleBefore: string }): Promise<Job | undefined> {
    const now = nowIso();
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression:
            'SET #s = :running, runnerId = :r, attempt = attempt + :one, startedAt = :now, heartbeatAt = :now, runningPool = #p REMOVE queuedPool, queuedSince',
          ConditionExpression:
            'generation = :g AND cancelRequested <> :true AND (#s = :queued OR (#s = :running AND heartbeatAt < :stale))',
          ExpressionAttributeNames: { '#s': 'status', '#p': 'pool' },
          ExpressionAttributeValues: {
            ':running': 'running',
            ':queued': 'queued',
            ':r': opts.runnerId,
            ':one': 1,
            ':now': now,
            ':g': opts.generation,
            ':true': true,
            ':stale': opts.staleBefore,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parse(out.Attributes);
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  /** Refreshes the heartbeat; false when the job is no longer this runner's (or was cancelled). */
  async heartbeat(id: string, runnerId: string): Promise<{ owned: boolean; cancelRequested: boolean }> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: 'SET heartbeatAt = :now',
          ConditionExpression: '#s = :running AND runnerId = :r',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':now': nowIso(), ':running': 'running', ':r': runnerId },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { owned: true, cancelRequested: out.Attributes?.cancelRequested === true };
    } catch (err) {
      if (isConditionFailed(err)) return { owned: false, cancelRequested: false };
      throw err;
    }
  }

  /** A runner records the end of its run; ignored if the job is no longer its own. */
  async finish(
    id: string,
    runnerId: string,
    result: { status: Exclude<JobStatus, 'queued' | 'running'>; reason?: string; output?: unknown },
  ): Promise<Job | undefined> {
    const values: Record<string, unknown> = { ':s': result.status, ':now': nowIso(), ':running': 'running', ':r': runnerId };
    const sets = ['#s = :s', 'finishedAt = :now'];
    const removes = ' REMOVE runningPool';
    if (result.reason !== undefined) {
      sets.push('reason = :reason');
      values[':reason'] = result.reason;
    }
    if (result.output !== undefined) {
      sets.push('#o = :o');
      values[':o'] = result.output;
    }
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: `SET ${sets.join(', ')}${removes}`,
          ConditionExpression: '#s = :running AND runnerId = :r',
          ExpressionAttributeNames: { '#s': 'status', ...(result.output !== undefined ? { '#o': 'output' } : {}) },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parse(out.Attributes);
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  /** Gives a running job back to the queue (runner shutting down); the next claim runs it again. */
  async release(id: string, runnerId: string): Promise<Job | undefined> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: 'SET #s = :queued, queuedPool = #p, queuedSince = :now REMOVE runnerId, heartbeatAt, startedAt, runningPool',
          ConditionExpression: '#s = :running AND runnerId = :r',
          ExpressionAttributeNames: { '#s': 'status', '#p': 'pool' },
          ExpressionAttributeValues: { ':queued': 'queued', ':running': 'running', ':r': runnerId, ':now': nowIso() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parse(out.Attributes);
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  /** Cancels a job: a queued one at once, a running one by asking its runner. */
  async requestCancel(id: string, reason = 'cancelled'): Promise<Job | undefined> {
    const now = nowIso();
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: 'SET #s = :cancelled, finishedAt = :now, reason = :reason REMOVE queuedPool, queuedSince',
          ConditionExpression: '#s = :queued',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':cancelled': 'cancelled', ':queued': 'queued', ':now': now, ':reason': reason },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parse(out.Attributes);
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: 'SET cancelRequested = :true, reason = :reason',
          ConditionExpression: '#s = :running',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':true': true, ':running': 'running', ':reason': reason },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parse(out.Attributes);
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    return undefined;
  }

  /** Queues a finished job again (rebuild): a new generation with a fresh check run. */
  async requeue(id: string): Promise<Job | undefined> {
    const now = nowIso();
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression:
            'SET #s = :queued, generation = generation + :one, cancelRequested = :false, queuedAt = :now, queuedPool = #p, queuedSince = :now ' +
            'REMOVE reason, startedAt, finishedAt, runnerId, heartbeatAt, checkRunId, checkReported, #o',
          ConditionExpression: 'attribute_exists(id) AND NOT (#s IN (:queued, :running))',
          ExpressionAttributeNames: { '#s': 'status', '#o': 'output', '#p': 'pool' },
          ExpressionAttributeValues: { ':queued': 'queued', ':running': 'running', ':one': 1, ':false': false, ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parse(out.Attributes);
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  /** An infrastructure failure (dead-lettered message): shown apart from build failures. */
  async markErrored(id: string, reason: string): Promise<Job | undefined> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: 'SET #s = :errored, reason = :reason, finishedAt = :now REMOVE queuedPool, queuedSince, runningPool',
          ConditionExpression: '#s IN (:queued, :running)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':errored': 'errored', ':reason': reason, ':now': nowIso(), ':queued': 'queued', ':running': 'running' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parse(out.Attributes);
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  async setCheckRunId(id: string, checkRunId: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: 'SET checkRunId = :c',
          ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(checkRunId)',
          ExpressionAttributeValues: { ':c': checkRunId },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  async setCheckReported(id: string, reported: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { id },
        UpdateExpression: 'SET checkReported = :c',
        ConditionExpression: 'attribute_exists(id)',
        ExpressionAttributeValues: { ':c': reported },
      }),
    );
  }

  /** Queued jobs of a pool whose last enqueue is older than `before` (for the sweeper). */
  async listQueuedSince(pool: Pool, before: string, limit = 100): Promise<Job[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'by-queued',
        KeyConditionExpression: 'queuedPool = :p AND queuedSince < :b',
        ExpressionAttributeValues: { ':p': pool, ':b': before },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(parse);
  }

  /** Running jobs of a pool that started before `before` (for the sweeper's look at stale heartbeats). */
  async listRunningSince(pool: Pool, before: string, limit = 100): Promise<Job[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'by-running',
        KeyConditionExpression: 'runningPool = :p AND startedAt < :b',
        ExpressionAttributeValues: { ':p': pool, ':b': before },
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(parse);
  }

  /** Gives a running job whose runner went silent back to the queue; false if it moved on meanwhile. */
  async releaseStale(id: string, staleBefore: string): Promise<Job | undefined> {
    try {
      const out = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: 'SET #s = :queued, queuedPool = #p, queuedSince = :now REMOVE runnerId, heartbeatAt, startedAt, runningPool',
          ConditionExpression: '#s = :running AND heartbeatAt < :stale',
          ExpressionAttributeNames: { '#s': 'status', '#p': 'pool' },
          ExpressionAttributeValues: { ':queued': 'queued', ':running': 'running', ':now': nowIso(), ':stale': staleBefore },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parse(out.Attributes);
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  /** Marks a queued job as enqueued again now; false if it is no longer queued. */
  async touchQueued(id: string, generation: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: 'SET queuedSince = :now',
          ConditionExpression: '#s = :queued AND generation = :g',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':now': nowIso(), ':queued': 'queued', ':g': generation },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }
}
