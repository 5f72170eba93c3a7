import type Docker from 'dockerode';
import { LinePrefixer, stampLine } from './log-lines.ts';
import type { StepLogStore, StepLogWriter } from './log-store.ts';
import type { StepOutcome } from './step-context.ts';
import { leaseStep, lookupStep, tagStep } from './step-cache.ts';

/** What a step being built writes to the job log, and to the cache's copy of its log. */
export interface StepLog {
  /** The step's output: every line stamped, sent to the job log and kept for replay. */
  write(text: string): void;
  /** A line of cid's own, in the job log only. */
  note(line: string): void;
  /** Forgets what the cache would keep so far: the step starts again (a retry). */
  restart(): Promise<void>;
}

export type Built<R> =
  /** From the cache: `imageId` is the step's result; the step did not run, its log was replayed. */
  | { cached: true; imageId: string }
  /** Ran: `imageId` is its result when one was committed (absent: unchanged, or not committed). */
  | { cached: false; result: R; imageId?: string };

export interface StepCacheOptions {
  docker: Docker;
  store: StepLogStore;
  /** Off: nothing is looked up or kept, and images made on the way are removed by `close`. */
  enabled: boolean;
  /** The job log. */
  emit: (text: string) => void;
}

/**
 * The step cache of one job, in the shape of OBuilder's `Store.build`: `build` leases the key,
 * looks it up, and on a hit replays the step's log; on a miss it runs the step, then records the
 * result (image tag and log) when it passed, and nothing when it failed. Keys are computed by the
 * caller (cache-key.ts); images are tagged and committed by step-cache.ts.
 */
export class StepCache {
  private readonly leases: (() => void)[] = [];
  /** Images made with the cache off, removed by `close`. */
  private readonly ephemeral: string[] = [];

  constructor(private readonly opts: StepCacheOptions) {}

  get enabled(): boolean {
    return this.opts.enabled;
  }

  /**
   * A config step (env, workdir, user) has no image: a marker log records that its key was
   * reached, so a later job can tell it apart from a new one. Cached when every step before it
   * was (`chainCached`) and the marker is there. Emits the step's header.
   */
  async mark(key: string, header: string, chainCached: boolean): Promise<boolean> {
    const { store, emit } = this.opts;
    const cached = chainCached && (await store.has(key));
    emit(stampLine(cached ? `${header} [cached]` : header));
    if (cached) await store.touch(key);
    else if (this.enabled) await (await store.writer(key)).commit();
    return cached;
  }

  /**
   * The result of the step `key` on `parentImage`: from the cache, else from `run`. Emits the
   * step's header, its log (replayed or live) and where the result is kept. `run` resolves with
   * its outcome; it rejects only on infrastructure errors (nothing is kept then either).
   */
  async build<R extends { outcome: StepOutcome }>(p: {
    key: string;
    header: string;
    parentImage: string;
    run: (log: StepLog) => Promise<R>;
  }): Promise<Built<R>> {
    const { docker, store, emit } = this.opts;
    const { key } = p;
    if (this.enabled) {
      // Held until the job ends, so the pruner never removes what this job starts from.
      this.leases.push(await leaseStep(key));
      const hit = await lookupStep(docker, key);
      if (hit !== undefined) {
        emit(stampLine(`${p.header} [cached]`));
        await this.replay(key);
        emit(stampLine(`---> using "${key}" from cache`));
        return { cached: true, imageId: hit };
      }
    }
    emit(stampLine(p.header));
    // The step's log for the cache: only an attempt that succeeds is kept.
    const openWriter = async (): Promise<StepLogWriter | undefined> => (this.enabled ? store.writer(key) : undefined);
    let writer = await openWriter();
    const prefixer = new LinePrefixer();
    const flush = (): void => {
      const rest = prefixer.flush();
      emit(rest);
      writer?.write(rest);
    };
    const log: StepLog = {
      write: (text) => {
        const stamped = prefixer.push(text);
        emit(stamped);
        writer?.write(stamped);
      },
      note: (line) => {
        flush();
        emit(stampLine(line));
      },
      restart: async () => {
        flush();
        await writer?.discard();
        writer = await openWriter();
      },
    };
    let result: R;
    try {
      result = await p.run(log);
    } catch (e) {
      await writer?.discard();
      throw e;
    }
    flush();
    const { outcome } = result;
    if (outcome.kind !== 'ok') {
      // Failed and aborted steps are never cached: the next job runs them again.
      await writer?.discard();
      return { cached: false, result };
    }
    if (outcome.unchanged && this.enabled) await tagStep(docker, p.parentImage, key);
    await writer?.commit();
    if (outcome.imageId !== undefined && !this.enabled) this.ephemeral.push(outcome.imageId);
    if (this.enabled) emit(stampLine(`---> saved as "${key}"`));
    return { cached: false, result, ...(outcome.imageId === undefined ? {} : { imageId: outcome.imageId }) };
  }

  /** Replays a hit's log; a lost log is said, and replaced by that note, recording this use. */
  private async replay(key: string): Promise<void> {
    const { store, emit } = this.opts;
    if (await store.replay(key, emit)) return;
    const note = stampLine('(the log of this cached step was not kept)');
    emit(note);
    // The log file's mtime is the step's last use, for the pruner: record this one.
    await store
      .writer(key)
      .then(async (w) => {
        w.write(note);
        await w.commit();
      })
      .catch(() => undefined);
  }

  /** When the job ends (its containers removed): lets the pruner have its keys, removes uncached images. */
  async close(): Promise<void> {
    for (const release of this.leases.splice(0)) release();
    // Newest first: a parent cannot go before its children.
    for (const id of this.ephemeral.splice(0).reverse()) {
      await this.opts.docker.getImage(id).remove({ noprune: false }).catch(() => undefined);
    }
  }
}
