import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Message } from '@aws-sdk/client-sqs';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { isFinal, MAX_REPORTED_ANNOTATIONS, type Job, type Priority } from '../../lib/contract/index.ts';
import { decodeJobMessage, isRejected, type Queues } from '../../app/queue/index.ts';
import { logIdFor, type Store } from '../../app/store/index.ts';
import type { RunnerConfig } from '../config/index.ts';
import type { RunnerMetrics } from '../metrics/index.ts';
import { ControlPlaneClient, ControlPlaneError, type JobToken } from '../github/control-plane-client.ts';
import { JobLog } from '../logs/job-log.ts';
import { fetchSource, SourceCache, sourceKey, SourceError, type SourceLease } from '../source/index.ts';
import { runAnalysisJob } from '../jobs/analysis-job.ts';
import { ocamlReleasesAt } from '../jobs/ocaml-releases.ts';
import { runBuildJob } from '../jobs/build-job.ts';
import { checkBaseImage } from '../jobs/base-image-check.ts';
import type { JobOutcome } from '../jobs/job-outcome.ts';
import { keepAlive, type StopReason } from './job-keepalive.ts';
import { removeJobContainers, removeOrphanContainers } from './orphan-containers.ts';
import { handBackOwnDeadJobs } from './own-dead-jobs.ts';
import { annotationsFromLog } from '../report/index.ts';
import { CachePruner } from './cache-pruner.ts';

export interface RunnerDeps {
  config: RunnerConfig;
  store: Store;
  queues: Queues;
  docker: Docker;
  log: Logger;
  metrics?: RunnerMetrics;
}

interface Running {
  job: Job;
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
 * before bulk), claiming it in the store, running it and reporting it.
 */
export class Runner {
  private stopping = false;
  private readonly running = new Map<string, Running>();
  private slots: Promise<void>[] = [];
  private readonly client: ControlPlaneClient;
  private readonly urgentUrl: string;
  private readonly bulkUrl: string;
  /** Keeps the step cache within its age and size limits (at start, then every interval). */
  readonly cachePruner: CachePruner;
  /** Each commit's source, fetched once and shared by its jobs on this runner. */
  readonly sources: SourceCache;

  constructor(private readonly d: RunnerDeps) {
    this.client = new ControlPlaneClient(d.config.apiUrl, d.config.token);
    this.urgentUrl = d.queues.jobQueueUrl(d.config.pool, 'urgent');
    this.bulkUrl = d.queues.jobQueueUrl(d.config.pool, 'bulk');
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

  async start(): Promise<void> {
    await mkdir(this.d.config.workDir, { recursive: true });
    await removeOrphanContainers({ docker: this.d.docker, jobs: this.d.store.jobs, runnerId: this.id, staleMs: this.d.config.staleMs, log: this.d.log }).catch(
      (err: unknown) => this.d.log.warn({ err }, 'looking for orphaned containers failed'),
    );
    // After its containers are gone: the jobs a killed process of ours left running go back now.
    await handBackOwnDeadJobs({ jobs: this.d.store.jobs, queues: this.d.queues, runnerId: this.id, heartbeatMs: this.d.config.heartbeatMs, log: this.d.log }).catch(
      (err: unknown) => this.d.log.warn({ err }, 'looking for jobs left running by this runner failed; the stale sweep will queue them'),
    );
    // Before taking jobs: a runner restarted on a full disk frees it first.
    await this.cachePruner.start();
    this.d.log.info({ pool: this.d.config.pool, runnerId: this.id, concurrency: this.d.config.concurrency }, 'runner started');
    this.slots = Array.from({ length: this.d.config.concurrency }, () => this.slotLoop());
  }

  /**
   * SIGTERM: stop taking jobs, let running ones finish within the grace period, then hand the
   * rest back to the queue for another runner.
   */
  async stop(graceMs = this.d.config.graceMs): Promise<{ handedBack: string[] }> {
    // Polls are not aborted: an aborted long poll can still take a message, which would then stay
    // invisible for the visibility timeout. A message that arrives while stopping is given back.
    this.stopping = true;
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
      let got: { m: Message; url: string; priority: Priority } | undefined;
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
        await this.d.queues.extend(got.url, got.m.ReceiptHandle ?? '', 0).catch(() => undefined);
        return;
      }
      try {
        await this.handle(got.m, got.url, got.priority);
      } catch (err) {
        // The message stays: SQS redelivers it, and after the retries it is dead-lettered.
        this.d.log.error({ err }, 'job handling failed');
      }
    }
  }

  /** Urgent first; bulk only when no urgent job waits; then a long poll on urgent. */
  private async next(): Promise<{ m: Message; url: string; priority: Priority } | undefined> {
    const q = this.d.queues;
    const opts = { max: 1, visibilitySeconds: this.d.config.visibilitySeconds };
    const [u] = await q.receive(this.urgentUrl, { ...opts, waitSeconds: 0 });
    if (u) return { m: u, url: this.urgentUrl, priority: 'urgent' };
    const [b] = await q.receive(this.bulkUrl, { ...opts, waitSeconds: 0 });
    if (b) return { m: b, url: this.bulkUrl, priority: 'bulk' };
    if (this.stopping) return undefined;
    const [l] = await q.receive(this.urgentUrl, { ...opts, waitSeconds: this.d.config.pollSeconds });
    return l ? { m: l, url: this.urgentUrl, priority: 'urgent' } : undefined;
  }

  private async drop(url: string, m: Message, why: string, extra: Record<string, unknown> = {}): Promise<void> {
    this.d.log.info({ ...extra, why }, 'job message dropped');
    await this.d.queues.delete(url, m.ReceiptHandle ?? '');
  }

  async handle(m: Message, url: string, priority: Priority): Promise<void> {
    const decoded = decodeJobMessage(m);
    if (isRejected(decoded)) return this.drop(url, m, `invalid job message: ${decoded.error}`);
    const { jobId, generation } = decoded.body;
    const job = await this.d.store.jobs.get(jobId);
    if (!job) return this.drop(url, m, 'unknown job', { jobId });
    if (job.generation !== generation) return this.drop(url, m, 'stale message from before a rebuild', { jobId });
    if (isFinal(job.status)) return this.drop(url, m, `job already ${job.status}`, { jobId });
    if (job.pool !== this.d.config.pool) return this.drop(url, m, `job of pool ${job.pool} on a ${this.d.config.pool} queue`, { jobId });
    const claimed = await this.d.store.jobs.claim(jobId, {
      runnerId: this.id,
      generation,
      staleBefore: new Date(Date.now() - this.d.config.staleMs).toISOString(),
    });
    if (!claimed) {
      const now = await this.d.store.jobs.get(jobId);
      if (now?.status === 'running') {
        // Another runner holds it with a fresh heartbeat. Keep the message: if that runner dies,
        // its heartbeat goes stale and this message lets someone take the job over.
        const wait = Math.ceil(this.d.config.staleMs / 1000) + 1;
        await this.d.queues.extend(url, m.ReceiptHandle ?? '', wait).catch(() => undefined);
        this.d.log.info({ jobId, holder: now.runnerId, retryInSeconds: wait }, 'job is running elsewhere; message kept');
        return;
      }
      return this.drop(url, m, `job is ${now?.status ?? 'gone'}`, { jobId });
    }
    this.d.metrics?.observeQueueWait(priority, m.Attributes?.SentTimestamp);
    if (claimed.attempt > 1) {
      const n = await removeJobContainers(this.d.docker, jobId).catch(() => 0);
      if (n > 0) this.d.log.warn({ jobId, removed: n }, "stopped the previous attempt's containers");
    }
    const abort = new AbortController();
    const entry: Running = { job: claimed, abort, done: Promise.resolve() };
    entry.done = this.run(entry, url, m.ReceiptHandle ?? '');
    this.running.set(jobId, entry);
    try {
      await entry.done;
    } finally {
      this.running.delete(jobId);
    }
  }

  private async run(r: Running, url: string, receiptHandle: string): Promise<void> {
    const { store, queues } = this.d;
    const job = r.job;
    const log = this.d.log.child({ jobId: job.id, pipelineId: job.pipelineId, repo: job.repo, attempt: job.attempt });
    const endMetric = this.d.metrics?.startJob(job.kind);
    const jobLog = new JobLog(store.logs, logIdFor(job.id, job.generation, job.attempt), this.d.config.logCapBytes);
    const write = (text: string) => jobLog.write(text);
    const stop = keepAlive({
      jobs: store.jobs,
      queues,
      jobId: job.id,
      runnerId: this.id,
      queueUrl: url,
      receiptHandle,
      heartbeatMs: this.d.config.heartbeatMs,
      visibilitySeconds: this.d.config.visibilitySeconds,
      onStop: (why) => {
        if (r.stopWhy) return;
        r.stopWhy = why;
        r.abort.abort();
      },
      onError: (err) => log.warn({ err }, 'heartbeat failed'),
    });
    let token: Promise<JobToken> | undefined;
    const jobToken = () => (token ??= this.client.jobToken(job.id));
    // The control plane marks the job's check run in progress when it handles this.
    await queues.sendResult({ type: 'job-updated', jobId: job.id, status: 'running' });
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
      const infra = err instanceof SourceError || err instanceof ControlPlaneError;
      log.error({ err }, 'job could not run');
      outcome = { status: 'errored', reason: infra ? (err as Error).message : `runner error: ${(err as Error).message}` };
    } finally {
      stop();
      await source?.release().catch((err: unknown) => log.warn({ err }, 'releasing the source tree failed'));
    }
    if (r.stopWhy === 'cancel') {
      const why = (await store.jobs.get(job.id).catch(() => undefined))?.reason;
      outcome = { ...outcome, status: 'cancelled', reason: why ?? 'cancelled' };
    }
    if (outcome.cacheHits) this.d.metrics?.cacheHits.inc(outcome.cacheHits);
    if (outcome.cacheMisses) this.d.metrics?.cacheMisses.inc(outcome.cacheMisses);

    if (r.stopWhy === 'handback') {
      write(stamp('[cid] the runner is shutting down: this job goes back to the queue for another runner\n'));
      await jobLog.close();
      const released = await store.jobs.release(job.id, this.id);
      if (released) await queues.sendJob(released);
      await queues.delete(url, receiptHandle).catch(() => undefined);
      this.d.metrics?.handedBack.inc();
      endMetric?.('handed_back');
      return;
    }
    if (r.stopWhy === 'lost') {
      // Another runner took the job over (our heartbeat went stale): it reports, not us.
      await jobLog.close();
      endMetric?.('lost');
      return;
    }

    write(stamp(`[cid] ${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''}\n`));
    await jobLog.close();
    // What the control plane shows on the job's check run besides the log's tail (it alone writes to GitHub).
    const report = {
      annotations: annotationsFromLog(jobLog.scanText()).slice(0, MAX_REPORTED_ANNOTATIONS),
      ...(outcome.cacheHits !== undefined ? { cacheHits: outcome.cacheHits } : {}),
      ...(outcome.cacheMisses !== undefined ? { cacheMisses: outcome.cacheMisses } : {}),
      ...(outcome.timedOut ? { timedOut: true } : {}),
    };
    const finished = await store.jobs.finish(job.id, this.id, {
      status: outcome.status,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.output !== undefined ? { output: outcome.output } : {}),
      report,
    });
    endMetric?.(outcome.status);
    if (!finished) {
      log.warn('job was taken over before it finished; result discarded');
      return;
    }
    await queues.sendResult({ type: 'job-updated', jobId: job.id, status: finished.status });
    await queues.delete(url, receiptHandle).catch((err: unknown) => log.warn({ err }, 'deleting the job message failed'));
    log.info({ status: finished.status, reason: finished.reason }, 'job finished');
  }

  /** The job itself, on its source tree (shared with the commit's other jobs: read, never written). */
  private runJob(r: Running, dir: string, write: (text: string) => void, jobToken: () => Promise<JobToken>): Promise<JobOutcome> {
    const job = r.job;
    if (job.kind === 'analysis') {
      const { workDir, opamRepoUrl } = this.d.config;
      const releasesAt = (commit: string) => ocamlReleasesAt(commit, { url: opamRepoUrl, workDir });
      return runAnalysisJob(job, dir, (line) => write(stamp(line)), { workDir, token: jobToken }, releasesAt);
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
    });
  }
}
