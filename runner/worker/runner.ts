import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Message } from '@aws-sdk/client-sqs';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { MAX_REPORTED_ANNOTATIONS, type Lease, type Priority, type RegisterAnswer, type RunnerJob } from '../../lib/contract/index.ts';
import { decodeJobMessage, isRejected } from '../../lib/queue/index.ts';
import { RunnerApiError, type RunnerApiClient } from '../../lib/runner-api/index.ts';
import type { RunnerConfig } from '../config/index.ts';
import type { RunnerMetrics } from '../metrics/index.ts';
import type { JobQueues } from '../queue/index.ts';
import { JobLog } from '../logs/job-log.ts';
import { fetchSource, SourceCache, sourceKey, SourceError, type JobToken, type SourceLease } from '../source/index.ts';
import { runAnalysisJob } from '../jobs/analysis-job.ts';
import { ocamlReleasesAt } from '../jobs/ocaml-releases.ts';
import { universeAt } from '../jobs/opam-repo-universe.ts';
import { runBuildJob } from '../jobs/build-job.ts';
import { checkBaseImage } from '../jobs/base-image-check.ts';
import type { JobOutcome } from '../jobs/job-outcome.ts';
import { keepAlive, type StopReason } from './job-keepalive.ts';
import { removeJobContainers, removeOrphanContainers } from './orphan-containers.ts';
import { annotationsFromLog } from '../report/index.ts';
import { CachePruner } from './cache-pruner.ts';
import { RUNNER_VERSION } from './runner-version.ts';

export interface RunnerDeps {
  config: RunnerConfig;
  api: RunnerApiClient;
  /** The pool's queues, once `register` named them. */
  queues: (urls: RegisterAnswer['queues']) => JobQueues;
  docker: Docker;
  log: Logger;
  metrics?: RunnerMetrics;
}

interface Running {
  job: RunnerJob;
  lease: Lease;
  abort: AbortController;
  stopWhy?: StopReason;
  done: Promise<void>;
}

const stamp = (text: string): string => {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  const prefix = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}.${p(d.getUTCSeconds())}: `;
  return text
    .split('\n')
    .map((l, i, all) => (i === all.length - 1 && l === '' ? '' : prefix + l))
    .join('\n');
};

/**
 * A runner: `concurrency` slots, each taking one job at a time from this pool's queues (urgent
 * before bulk), claiming it through the runner API, running it and finishing it there. The
 * control plane records and reports; the runner never touches the store or GitHub's checks.
 */
export class Runner {
  private stopping = false;
  private readonly running = new Map<string, Running>();
  /** Claims sent and not yet answered: stop() waits for them, so a job claimed meanwhile is handed back too. */
  private readonly claiming = new Set<Promise<unknown>>();
  private slots: Promise<void>[] = [];
  private q: JobQueues | undefined;
  private registration: RegisterAnswer | undefined;
  /** Keeps the step cache within its age and size limits (at start, then every interval). */
  readonly cachePruner: CachePruner;
  /** Each commit's source, fetched once and shared by its jobs on this runner. */
  readonly sources: SourceCache;

  constructor(private readonly d: RunnerDeps) {
    this.cachePruner = new CachePruner({ docker: d.docker, cache: d.config.cache, log: d.log, ...(d.metrics ? { metrics: d.metrics } : {}) });
    const observe = () => {
      d.metrics?.sourceCacheBytes.set(this.sources.usage.bytes);
      d.metrics?.sourceCacheEntries.set(this.sources.usage.entries);
    };
    this.sources = new SourceCache({
      dir: join(d.config.workDir, 'sources', d.config.runnerId),
      ...d.config.sourceCache,
      onFetch: (result) => {
        d.metrics?.sourceFetches.inc({ result });
        observe();
      },
      onEvict: (e) => {
        d.log.debug({ source: e.key, bytes: e.bytes, reason: e.reason }, 'source tree removed');
        observe();
      },
    });
  }

  get id(): string {
    return this.d.config.runnerId;
  }

  get activeJobs(): string[] {
    return [...this.running.keys()];
  }

  /** What `register` answered (queues, heartbeat period, jobs handed back). */
  get registered(): RegisterAnswer | undefined {
    return this.registration;
  }

  private get queues(): JobQueues {
    if (!this.q) throw new Error('the runner is not registered');
    return this.q;
  }

  private get heartbeatMs(): number {
    return (this.registration?.heartbeatSeconds ?? 1) * 1000;
  }

  async start(): Promise<void> {
    await mkdir(this.d.config.workDir, { recursive: true });
    const { config } = this.d;
    const reg = await this.d.api.register({ runnerId: this.id, pool: config.pool, host: hostname().slice(0, 255) || 'unknown', version: RUNNER_VERSION, concurrency: config.concurrency });
    this.registration = reg;
    this.q = this.d.queues(reg.queues);
    if (reg.handedBack.length > 0) this.d.log.warn({ handedBack: reg.handedBack }, 'jobs left running by an earlier process of this runner were queued again');
    // Containers of jobs this runner no longer holds (an earlier process of it was killed) go now.
    await this.d.api
      .held()
      .then((held) => removeOrphanContainers({ docker: this.d.docker, runnerId: this.id, held: new Set(held.jobs.map((j) => j.jobId)), log: this.d.log }))
      .catch((err: unknown) => this.d.log.warn({ err }, 'looking for orphaned containers failed'));
    // Before taking jobs: a runner restarted on a full disk frees it first.
    await this.cachePruner.start();
    this.d.log.info({ pool: config.pool, runnerId: this.id, registrationId: reg.registrationId, concurrency: config.concurrency }, 'runner started');
    this.slots = Array.from({ length: config.concurrency }, () => this.slotLoop());
  }

  /**
   * SIGTERM: stop taking jobs, let running ones finish within the grace period, then hand the
   * rest back to the queue for another runner.
   */
  async stop(graceMs = this.d.config.graceMs): Promise<{ handedBack: string[] }> {
    // Polls are not aborted: an aborted long poll can still take a message, which would then stay
    // invisible for the visibility timeout. A message that arrives while stopping is given back.
    this.stopping = true;
    await Promise.allSettled([...this.claiming]);
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    const inTime = await Promise.race([all.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs).unref())]);
    const handedBack: string[] = [];
    if (!inTime) {
      for (const r of this.running.values()) {
        r.stopWhy = 'handback';
        r.abort.abort();
        handedBack.push(r.job.id);
      }
      await all;
    }
    await Promise.all(this.slots);
    await this.cachePruner.stop();
    await this.sources.clear().catch((err: unknown) => this.d.log.warn({ err }, 'removing the kept source trees failed'));
    this.d.log.info({ runnerId: this.id, handedBack }, 'runner stopped');
    return { handedBack };
  }

  private async slotLoop(): Promise<void> {
    while (!this.stopping) {
      let got: { m: Message; priority: Priority } | undefined;
      try {
        got = await this.next();
      } catch (err) {
        if (this.stopping) return;
        this.d.log.error({ err }, 'receiving jobs failed; retrying in 1 s');
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (!got) continue;
      if (this.stopping) {
        await this.queues.extend(got.priority, got.m.ReceiptHandle ?? '', 0).catch(() => undefined);
        return;
      }
      try {
        await this.handle(got.m, got.priority);
      } catch (err) {
        // The message stays: SQS redelivers it, and after the retries it is dead-lettered.
        this.d.log.error({ err }, 'job handling failed');
      }
    }
  }

  /** Urgent first; bulk only when no urgent job waits; then a long poll on urgent. */
  private async next(): Promise<{ m: Message; priority: Priority } | undefined> {
    const opts = { visibilitySeconds: this.d.config.visibilitySeconds };
    const u = await this.queues.receive('urgent', { ...opts, waitSeconds: 0 });
    if (u) return { m: u, priority: 'urgent' };
    const b = await this.queues.receive('bulk', { ...opts, waitSeconds: 0 });
    if (b) return { m: b, priority: 'bulk' };
    if (this.stopping) return undefined;
    const l = await this.queues.receive('urgent', { ...opts, waitSeconds: this.d.config.pollSeconds });
    return l ? { m: l, priority: 'urgent' } : undefined;
  }

  /**
   * The control plane refuses our credential (revoked, or it could not be renewed): take no more
   * jobs; `done` resolves when the slots have ended, and the process exits to register again.
   */
  private refused(err: RunnerApiError): void {
    if (this.stopping) return;
    this.stopping = true;
    this.d.log.error({ err }, 'the control plane refuses this runner\'s credential (revoked?): it takes no more jobs');
  }

  /** Resolves when every slot has ended: after stop(), or when the credential was refused. */
  get done(): Promise<void> {
    return Promise.all(this.slots).then(() => undefined);
  }

  private async drop(priority: Priority, m: Message, why: string, extra: Record<string, unknown> = {}): Promise<void> {
    this.d.log.info({ ...extra, why }, 'job message dropped');
    await this.queues.delete(priority, m.ReceiptHandle ?? '');
  }

  async handle(m: Message, priority: Priority): Promise<void> {
    const decoded = decodeJobMessage(m);
    if (isRejected(decoded)) return this.drop(priority, m, `invalid job message: ${decoded.error}`);
    const { jobId, generation } = decoded.body;
    const receipt = m.ReceiptHandle ?? '';
    const retryAfter = Math.ceil(this.registration?.staleSeconds ?? 30) + 1;
    if (this.running.has(jobId)) {
      // Our own job's message again (a duplicate, or a redelivery): kept like a busy one, so it
      // comes back and is dropped once the run in progress has finished the job.
      await this.queues.extend(priority, receipt, retryAfter).catch(() => undefined);
      return;
    }
    const claim = this.d.api.claim({ jobId, generation });
    this.claiming.add(claim);
    let answer;
    try {
      answer = await claim;
    } catch (err) {
      // Another runner may take it at once: the message is not held for the visibility timeout.
      await this.queues.extend(priority, receipt, 0).catch(() => undefined);
      if (err instanceof RunnerApiError && err.status === 401) this.refused(err);
      throw err;
    } finally {
      this.claiming.delete(claim);
    }
    if (answer.result === 'drop') return this.drop(priority, m, answer.why, { jobId });
    if (answer.result === 'busy') {
      // Another runner holds it with a live heartbeat. Keep the message: if that runner dies, its
      // lease expires and this message lets someone take the job over.
      await this.queues.extend(priority, receipt, answer.retryAfterSeconds).catch(() => undefined);
      this.d.log.info({ jobId, retryInSeconds: answer.retryAfterSeconds }, 'job is running elsewhere; message kept');
      return;
    }
    const { job, lease } = answer;
    this.d.metrics?.observeQueueWait(priority, m.Attributes?.SentTimestamp);
    const abort = new AbortController();
    const entry: Running = { job, lease, abort, done: Promise.resolve() };
    // Known as running at once (no await in between): stop() must see it to hand it back.
    this.running.set(jobId, entry);
    entry.done = (job.attempt > 1 ? removeJobContainers(this.d.docker, jobId).then(
      (n) => void (n > 0 && this.d.log.warn({ jobId, removed: n }, "stopped an earlier attempt's containers")),
      () => undefined,
    ) : Promise.resolve()).then(() => this.run(entry, priority, receipt));
    try {
      await entry.done;
    } finally {
      this.running.delete(jobId);
    }
  }

  private async run(r: Running, priority: Priority, receiptHandle: string): Promise<void> {
    const { api } = this.d;
    const { job, lease } = r;
    const log = this.d.log.child({ jobId: job.id, pipelineId: job.pipelineId, repo: job.repo, attempt: job.attempt });
    const endMetric = this.d.metrics?.startJob(job.kind);
    const jobLog = new JobLog((chunks) => api.log({ lease, chunks }), this.d.config.logCapBytes);
    const write = (text: string) => jobLog.write(text);
    const stop = keepAlive({
      api,
      queues: this.queues,
      lease,
      priority,
      receiptHandle,
      heartbeatMs: this.heartbeatMs,
      visibilitySeconds: this.d.config.visibilitySeconds,
      onStop: (why) => {
        if (r.stopWhy) return;
        r.stopWhy = why;
        r.abort.abort();
      },
      onError: (err) => log.warn({ err }, 'heartbeat failed'),
    });
    let token: Promise<JobToken> | undefined;
    const jobToken = () => (token ??= api.token({ lease }));
    write(stamp(`[cid] ${job.name} on ${this.id} (${this.d.config.pool}), attempt ${job.attempt}\n`));

    let outcome: JobOutcome;
    let source: SourceLease | undefined;
    try {
      // The image first: a job that cannot run does not wait for (or pay for) its source.
      const unavailable = job.kind === 'analysis' ? undefined : await checkBaseImage(job, this.d.docker, { signal: r.abort.signal });
      if (unavailable) outcome = unavailable;
      else {
        source = await this.sources.acquire(sourceKey(job), (into) => {
          write(stamp(`[cid] fetching ${job.repo}@${job.sha.slice(0, 12)}\n`));
          return fetchSource(job, into, jobToken, { workDir: this.d.config.workDir });
        });
        if (source.reused) write(stamp(`[cid] ${job.repo}@${job.sha.slice(0, 12)}: the source fetched on this runner for another job of the commit\n`));
        outcome = await this.runJob(r, source.dir, write, jobToken);
      }
    } catch (err) {
      const infra = err instanceof SourceError || err instanceof RunnerApiError;
      log.error({ err }, 'job could not run');
      outcome = { status: 'errored', reason: infra ? (err as Error).message : `runner error: ${(err as Error).message}` };
    } finally {
      await source?.release().catch((err: unknown) => log.warn({ err }, 'releasing the source tree failed'));
    }
    // Heartbeats go on until the job is finished or released: a slow log flush or finish must not
    // let the lease go stale (and the job be taken over) after the work is done.
    try {
      await this.conclude(r, outcome, jobLog, priority, receiptHandle, log, endMetric);
    } finally {
      stop();
    }
  }

  private async conclude(
    r: Running,
    outcome: JobOutcome,
    jobLog: JobLog,
    priority: Priority,
    receiptHandle: string,
    log: Logger,
    endMetric: ((status: string) => void) | undefined,
  ): Promise<void> {
    const { api } = this.d;
    const { lease } = r;
    const write = (text: string) => jobLog.write(text);
    if (r.stopWhy === 'cancel') {
      // No reason of ours: the control plane keeps the one the cancel was recorded with.
      const { reason: _ignored, ...rest } = outcome;
      outcome = { ...rest, status: 'cancelled' };
    }
    if (outcome.cacheHits) this.d.metrics?.cacheHits.inc(outcome.cacheHits);
    if (outcome.cacheMisses) this.d.metrics?.cacheMisses.inc(outcome.cacheMisses);

    if (r.stopWhy === 'handback') {
      write(stamp('[cid] the runner is shutting down: this job goes back to the queue for another runner\n'));
      await jobLog.close();
      // The control plane queues it again; our message goes, so it is not run twice.
      await api.release({ lease }).catch((err: unknown) => log.warn({ err }, 'releasing the job failed; its lease will expire'));
      await this.queues.delete(priority, receiptHandle).catch(() => undefined);
      this.d.metrics?.handedBack.inc();
      endMetric?.('handed_back');
      return;
    }
    if (r.stopWhy === 'lost') {
      // Another runner has the job now (or our credential is gone): it finishes it, not us.
      await jobLog.close();
      endMetric?.('lost');
      log.warn('the job was lost (lease expired, taken over or credential revoked); its container was stopped');
      return;
    }

    write(stamp(`[cid] ${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''}\n`));
    await jobLog.close();
    if (jobLog.error) log.warn({ err: jobLog.error }, 'part of the log could not be sent');
    const annotations = annotationsFromLog(jobLog.scanText()).slice(0, MAX_REPORTED_ANNOTATIONS);
    let finished: { status: string } | undefined;
    try {
      finished = await api.finish({
        lease,
        status: outcome.status as 'passed' | 'failed' | 'errored' | 'cancelled',
        ...(outcome.reason ? { reason: outcome.reason.slice(0, 1000) } : {}),
        ...(outcome.output !== undefined ? { output: outcome.output } : {}),
        report: {
          annotations,
          ...(outcome.cacheHits !== undefined ? { cacheHits: outcome.cacheHits } : {}),
          ...(outcome.cacheMisses !== undefined ? { cacheMisses: outcome.cacheMisses } : {}),
          ...(outcome.timedOut ? { timedOut: true } : {}),
        },
      });
    } catch (err) {
      if (!(err instanceof RunnerApiError && err.refused)) throw err;
      // The lease is gone: another runner took the job over and finishes it.
      log.warn({ err }, 'job was taken over before it finished; result discarded');
    }
    endMetric?.(outcome.status);
    await this.queues.delete(priority, receiptHandle).catch((err: unknown) => log.warn({ err }, 'deleting the job message failed'));
    if (finished) log.info({ status: finished.status, reason: outcome.reason }, 'job finished');
  }

  /** The job itself, on its source tree (shared with the commit's other jobs: read, never written). */
  private runJob(r: Running, dir: string, write: (text: string) => void, jobToken: () => Promise<JobToken>): Promise<JobOutcome> {
    const job = r.job;
    if (job.kind === 'analysis') {
      const { workDir, opamRepoUrl } = this.d.config;
      const releasesAt = (commit: string) => ocamlReleasesAt(commit, { url: opamRepoUrl, workDir });
      const packagesAt = (commit: string) => universeAt(commit, { url: opamRepoUrl, workDir });
      return runAnalysisJob(job, dir, (line) => write(stamp(line)), { workDir, token: jobToken }, releasesAt, packagesAt);
    }
    return runBuildJob(job, {
      docker: this.d.docker,
      sourceDir: dir,
      limits: this.d.config.limits,
      cachePrefix: this.d.config.cachePrefix,
      signal: r.abort.signal,
      log: write,
      networkRetries: this.d.config.networkRetries,
      onNetworkRetry: (tool) => this.d.metrics?.networkRetries.inc({ tool }),
      runnerId: this.id,
    });
  }
}
