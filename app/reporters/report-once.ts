import { createHash } from 'node:crypto';
import type { ReportState } from '../store/index.ts';
import type { Services } from '../services.ts';

// Report once, coalesce, defer: the bookkeeping every reporter shares. A target (a check run, a
// status, a comment, a Slack message) is created once, updated only when what it shows changed,
// and at most once per interval; a change that comes sooner schedules one deferred update (a
// `pipeline-changed` message delayed with SQS's DelaySeconds), which writes whatever happened
// meanwhile. Two consumers never create or update the same target at once (conditional writes).

/** How long a consumer may take to find or create a target before another may try. */
const CREATE_LEASE_MS = 30_000;
/** SQS's longest delay. */
const MAX_DELAY_SECONDS = 900;

export interface Report {
  /** The target's record in the reports table ("check#…", "status#…", "comment#…", "slack#…"). */
  key: string;
  /** A deferred update is a delayed `pipeline-changed` message for this pipeline. */
  pipelineId: string;
  /** What the target shows now (hashed): an unchanged report costs no call. */
  content: string;
  /** A coarse shape of the content (a check's status and job count): a new shape is written at once. */
  shape?: string;
  /** Updates of the same shape are at most this far apart (ms); 0 (the default) writes every change at once. */
  intervalMs?: number;
  /** Finds a target made before its record was (a lost record, another deployment). */
  find?: () => Promise<number | undefined>;
  /** Creates the target; returns its id (0 for targets without one). */
  create: () => Promise<number>;
  update: (targetId: number) => Promise<void>;
}

export type ReportOutcome = 'created' | 'updated' | 'unchanged' | 'deferred';

const hashOf = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 32);

/**
 * Brings one target up to date. `known` is its record when the caller read many at once
 * (null: known to be absent); `now` is injectable for tests.
 */
export async function reportOnce(
  svc: Pick<Services, 'store' | 'queues'>,
  r: Report,
  opts: { known?: ReportState | null; now?: number } = {},
): Promise<ReportOutcome> {
  const reports = svc.store.reports;
  const now = opts.now ?? Date.now();
  const interval = r.intervalMs ?? 0;
  const hash = hashOf(r.content);
  const state = opts.known === undefined ? await reports.get(r.key) : (opts.known ?? undefined);
  if (state?.targetId !== undefined && state.hash === hash) return 'unchanged';

  const defer = async (due: number): Promise<'deferred'> => {
    if (await reports.scheduleDeferred(r.key, due, now)) {
      const seconds = Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.ceil((due - now) / 1000)));
      await svc.queues.sendResult({ type: 'pipeline-changed', pipelineId: r.pipelineId }, seconds);
    }
    return 'deferred';
  };
  // Someone else holds the target for now: look again a little later.
  const retryLater = (): Promise<'deferred'> => defer(now + Math.max(interval, 1000));

  if (state?.targetId === undefined) {
    if (!(await reports.claimCreate(r.key, now, CREATE_LEASE_MS))) return retryLater();
    let targetId: number;
    try {
      const found = await r.find?.();
      if (found !== undefined) await r.update(found);
      targetId = found ?? (await r.create());
    } catch (err) {
      await reports.releaseCreate(r.key);
      throw err;
    }
    await reports.created(r.key, targetId, now, hash, r.shape);
    return 'created';
  }
  const newShape = r.shape !== undefined && state.shape !== r.shape;
  const last = state.lastAt ?? 0;
  if (!newShape && now - last < interval) return defer(last + interval);
  if (!(await reports.claimEdit(r.key, state.lastAt, now))) return retryLater();
  await r.update(state.targetId);
  await reports.edited(r.key, hash, r.shape);
  return 'updated';
}
