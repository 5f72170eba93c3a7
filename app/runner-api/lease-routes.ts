import type { Hono } from 'hono';
import { z } from 'zod';
import {
  RUNNER_ROUTES,
  RunnerJobSchema,
  isFinal,
  logIdFor,
  type ClaimAnswer,
  type HeartbeatAnswer,
  type Job,
  type TokenAnswer,
} from '../../lib/contract/index.ts';
import { ConflictError, NotConfiguredError, PayloadTooLargeError } from '../../lib/errors/index.ts';
import type { Services } from '../services.ts';
import { leaseCheck, leaseState, heldJob, refuseUnlessCurrent, staleBefore } from './lease-check.ts';
import { leaseHash, newLeaseToken } from './lease-tokens.ts';
import { requestBody } from './request-body.ts';
import { runnerDirectory } from './runner-directory.ts';

/** What a job's token may do: read the source. Check runs are the control plane's to write. */
export const JOB_TOKEN_PERMISSIONS = { contents: 'read', metadata: 'read' } as const;

/** A job's output is stored in its row: well under DynamoDB's 400 KB item limit. */
export const MAX_OUTPUT_BYTES = 300 * 1024;

const expiresAt = (svc: Services, heartbeatAt: string | undefined): string =>
  new Date(Date.parse(heartbeatAt ?? new Date().toISOString()) + svc.config.runnerApi.staleSeconds * 1000).toISOString();

/** claim, heartbeat, log, finish, release, token, held: every one checked against the stored lease. */
export function mountLeaseRoutes(r: Hono, svc: Services): void {
  const dir = runnerDirectory(svc);
  const busy = (): ClaimAnswer => ({ result: 'busy', retryAfterSeconds: Math.ceil(svc.config.runnerApi.staleSeconds) + 1 });
  const dropOrBusy = (job: Job | undefined, generation: number): ClaimAnswer | undefined => {
    if (!job) return { result: 'drop', why: 'unknown job' };
    if (job.generation !== generation) return { result: 'drop', why: `stale message: the job is at generation ${job.generation}, not ${generation}` };
    if (isFinal(job.status)) return { result: 'drop', why: `the job has finished (${job.status})` };
    if (job.cancelRequested) return { result: 'drop', why: 'the job is being cancelled' };
    if (job.status === 'running' && (job.heartbeatAt ?? '') >= staleBefore(svc)) return busy();
    return undefined;
  };

  r.post('/claim', async (c) => {
    const runner = await dir.authenticate(c);
    const { jobId, generation } = await requestBody(c, RUNNER_ROUTES.claim.request);
    const job = await svc.store.jobs.get(jobId);
    if (job && job.pool !== runner.pool) return c.json<ClaimAnswer>({ result: 'drop', why: `the job is of pool ${job.pool}; runner ${runner.id} serves ${runner.pool}` });
    const early = dropOrBusy(job, generation);
    if (early || !job) return c.json(early);
    const attempt = job.attempt + 1;
    const token = newLeaseToken(dir.secret(), job.id, attempt, runner.id);
    const claimed = await svc.store.jobs.claim(job.id, { runnerId: runner.id, generation, staleBefore: staleBefore(svc), lease: { attempt, hash: leaseHash(token) } });
    if (!claimed) return c.json(dropOrBusy(await svc.store.jobs.get(job.id), generation) ?? busy());
    // Only shows the start (check run, UI): were it lost, the claim still stands and finish reports.
    await svc.queues.sendResult({ type: 'job-updated', jobId: job.id, status: 'running' }).catch((err: unknown) => svc.log.error({ err, jobId: job.id }, 'the running message was not sent'));
    svc.log.info({ jobId: job.id, runnerId: runner.id, attempt }, 'job claimed');
    const answer: ClaimAnswer = {
      result: 'claimed',
      lease: { jobId: job.id, attempt, token },
      expiresAt: expiresAt(svc, claimed.heartbeatAt),
      job: RunnerJobSchema.parse(claimed),
    };
    return c.json(answer);
  });

  r.post('/heartbeat', async (c) => {
    const runner = await dir.authenticate(c);
    const { lease } = await requestBody(c, RUNNER_ROUTES.heartbeat.request);
    const { state } = await leaseState(svc, dir.secret(), runner, lease);
    // A lease that was really this runner's but is gone: the runner stops quietly, no error.
    const lost = (): HeartbeatAnswer => ({ expiresAt: new Date().toISOString(), stop: 'lost' });
    if (state !== 'current') return c.json(lost());
    const beaten = await svc.store.jobs.beat(lease.jobId, runner.id, leaseCheck(svc, lease));
    if (!beaten) return c.json(lost());
    return c.json<HeartbeatAnswer>({ expiresAt: expiresAt(svc, beaten.heartbeatAt), ...(beaten.cancelRequested ? { stop: 'cancel' as const } : {}) });
  });

  r.post('/log', async (c) => {
    const runner = await dir.authenticate(c);
    const { lease, chunks } = await requestBody(c, RUNNER_ROUTES.log.request);
    const job = await heldJob(svc, dir.secret(), runner, lease);
    const max = svc.config.runnerApi.maxLogChunks;
    const over = chunks.find((ch) => ch.seq >= max);
    if (over) throw new PayloadTooLargeError(`log chunk ${over.seq} is past this control plane's cap of ${max} chunks per run (CID_JOB_LOG_MAX_CHUNKS): truncate the log`);
    const logId = logIdFor(job.id, job.generation, lease.attempt);
    const results = await Promise.all(chunks.map(async (ch) => ({ seq: ch.seq, result: await svc.store.logs.appendOnce(logId, ch.seq, ch.text) })));
    const conflicts = results.filter((x) => x.result === 'conflict').map((x) => x.seq);
    if (conflicts.length > 0) throw new ConflictError(`log chunks ${conflicts.join(', ')} of job ${job.id} were stored with other text; a chunk is never rewritten`);
    return c.json({ nextSeq: Math.max(...chunks.map((ch) => ch.seq)) + 1 });
  });

  r.post('/finish', async (c) => {
    const runner = await dir.authenticate(c);
    const body = await requestBody(c, RUNNER_ROUTES.finish.request);
    const { lease } = body;
    if (body.output !== undefined && Buffer.byteLength(JSON.stringify(body.output)) > MAX_OUTPUT_BYTES) {
      throw new PayloadTooLargeError(`a job's output is at most ${MAX_OUTPUT_BYTES} bytes of JSON`);
    }
    const { job, state } = await leaseState(svc, dir.secret(), runner, lease);
    let finished: Job | undefined;
    if (state === 'current') {
      finished = await svc.store.jobs.finish(
        job.id,
        runner.id,
        { status: body.status, ...(body.reason !== undefined ? { reason: body.reason } : {}), ...(body.output !== undefined ? { output: body.output } : {}), report: body.report },
        leaseCheck(svc, lease),
      );
      if (!finished) {
        // The lease moved on between the read and the write: answer for where it stands now.
        const now = await leaseState(svc, dir.secret(), runner, lease);
        if (now.state !== 'finished') refuseUnlessCurrent(now.job, now.state === 'current' ? 'lost' : now.state, lease);
        finished = now.job;
      }
    } else if (state === 'finished') {
      // The same lease finishing again (its answer was lost): the stored outcome, reported again.
      finished = job;
    } else {
      refuseUnlessCurrent(job, state, lease);
    }
    const status = (finished as Job).status;
    await svc.queues.sendResult({ type: 'job-updated', jobId: job.id, status });
    svc.log.info({ jobId: job.id, runnerId: runner.id, attempt: lease.attempt, status }, 'job finished');
    return c.json({ status });
  });

  r.post('/release', async (c) => {
    const runner = await dir.authenticate(c);
    const { lease } = await requestBody(c, RUNNER_ROUTES.release.request);
    await heldJob(svc, dir.secret(), runner, lease);
    const released = await svc.store.jobs.release(lease.jobId, runner.id, leaseCheck(svc, lease));
    if (!released) {
      const now = await leaseState(svc, dir.secret(), runner, lease);
      refuseUnlessCurrent(now.job, now.state === 'current' ? 'lost' : now.state, lease);
    }
    await svc.queues.sendJob(released as Job);
    svc.log.info({ jobId: lease.jobId, runnerId: runner.id }, 'job handed back by its runner');
    return c.json({ requeued: true });
  });

  r.post('/token', async (c) => {
    const raw = await requestBody(c, z.unknown());
    const runner = await dir.authenticate(c);
    const { lease } = RUNNER_ROUTES.token.request.parse(raw);
    const job = await heldJob(svc, dir.secret(), runner, lease);
    if (job.source.kind !== 'github' || job.source.installationId === undefined) {
      throw new ConflictError(`job ${job.id} has no GitHub installation to make a token for`);
    }
    if (!svc.github) throw new NotConfiguredError(`the GitHub App is not configured: set ${svc.config.githubMissing.join(', ')}`);
    const t = await svc.github.mintToken(job.source.installationId, job.repo, JOB_TOKEN_PERMISSIONS);
    svc.log.info({ runnerId: runner.id, jobId: job.id, repo: job.repo }, 'job token minted');
    return c.json<TokenAnswer>({ token: t.token, expiresAt: t.expiresAt, apiUrl: svc.github.config.baseUrl, repo: job.repo });
  });

  r.post('/held', async (c) => {
    const runner = await dir.authenticate(c);
    await requestBody(c, RUNNER_ROUTES.held.request);
    const jobs = await svc.store.jobs.listHeldBy(runner.pool, runner.id);
    return c.json({ jobs: jobs.map((j) => ({ jobId: j.id, attempt: j.attempt })) });
  });
}
