import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { POOLS } from '../../lib/contract/index.ts';
import { QUEUES, dlqKey, tableName } from '../../lib/resources/index.ts';
import type { Services } from '../services.ts';
import { jobsQueued, queueMessages, scrapeSourceUp } from './registry.ts';

const TIMEOUT_MS = 3000;
/** Counting stops here: past a few thousand queued jobs the exact number no longer matters. */
const MAX_COUNT_PAGES = 10;

function timed<T>(p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref())]);
}

async function collectQueues(svc: Services): Promise<void> {
  const keys = QUEUES.flatMap((q) => [q.key, dlqKey(q.key)]);
  await Promise.all(
    keys.map(async (key) => {
      const d = await svc.queues.depth(svc.queues.url(key));
      queueMessages.set({ queue: key, state: 'visible' }, d.visible);
      queueMessages.set({ queue: key, state: 'in_flight' }, d.inFlight);
      queueMessages.set({ queue: key, state: 'delayed' }, d.delayed);
    }),
  );
}

/** Queued jobs per pool, from the sparse by-queued index (only queued jobs are in it). */
async function collectQueuedJobs(svc: Services): Promise<void> {
  const TableName = tableName(svc.config.tablePrefix, 'jobs');
  await Promise.all(
    POOLS.map(async (pool) => {
      let count = 0;
      let start: Record<string, unknown> | undefined;
      for (let page = 0; page < MAX_COUNT_PAGES; page++) {
        const out = await svc.store.db.send(
          new QueryCommand({
            TableName,
            IndexName: 'by-queued',
            KeyConditionExpression: 'queuedPool = :p',
            ExpressionAttributeValues: { ':p': pool },
            Select: 'COUNT',
            ExclusiveStartKey: start,
          }),
        );
        count += out.Count ?? 0;
        start = out.LastEvaluatedKey;
        if (!start) break;
      }
      jobsQueued.set({ pool }, count);
    }),
  );
}

/**
 * Refreshes the scrape-time gauges. A source that fails is marked down and its gauges keep their
 * last values; the scrape itself still answers.
 */
export async function collectOnScrape(svc: Services): Promise<void> {
  const sources: [string, () => Promise<void>][] = [
    ['sqs', () => collectQueues(svc)],
    ['dynamodb', () => collectQueuedJobs(svc)],
  ];
  await Promise.all(
    sources.map(async ([source, f]) => {
      try {
        await timed(f());
        scrapeSourceUp.set({ source }, 1);
      } catch (err) {
        scrapeSourceUp.set({ source }, 0);
        svc.log.warn({ err, source }, 'metrics: reading a scrape-time source failed');
      }
    }),
  );
}
