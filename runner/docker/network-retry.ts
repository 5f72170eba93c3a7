import { setTimeout as delay } from 'node:timers/promises';
import type { StepOutcome } from './step-context.ts';
import { findTransientFailure, OutputTail } from './transient-failure.ts';
import type { TransientFailure } from './transient-failure.ts';

/** A retry as the executor's caller is told of it (for metrics). */
export interface NetworkRetry {
  /** The step, from 0. */
  index: number;
  /** The attempt about to start: 2 for the first retry. */
  attempt: number;
  maxAttempts: number;
  failure: TransientFailure;
}

/** The first retry's wait; each next one waits twice as long. */
export const DEFAULT_NETWORK_RETRY_DELAY_MS = 2000;

export interface RetryPolicy {
  /** 1: run once, never again. */
  maxAttempts: number;
  /** Wait before the first retry, doubled for each next one. */
  delayMs: number;
  /** Cancel or timeout: no retry starts, and a wait in progress ends the step as aborted. */
  signal: AbortSignal;
  /** Before the wait of each retry: say so in the log, count it, forget the failed attempt's log. */
  onRetry: (retry: Omit<NetworkRetry, 'index'>) => void | Promise<void>;
}

export interface Attempts {
  /** The last attempt's. */
  outcome: StepOutcome;
  /** Attempts after the first. */
  retries: number;
  /** The end of the last attempt's output (for the first error of a failed step). */
  tail: string;
}

/** Waits `ms`; false if the signal fired first (or had already). */
const pause = (ms: number, signal: AbortSignal): Promise<boolean> => delay(ms, true, { signal }).catch(() => false);

const ONCE: RetryPolicy = { maxAttempts: 1, delayMs: 0, signal: new AbortController().signal, onRetry: () => undefined };

/**
 * Runs a step once, or, with a `retry` policy, again while it fails with a known transient network
 * failure at the end of its output (transient-failure.ts), up to `maxAttempts` in all. A failed
 * attempt commits nothing, so the next starts from the same parent image. Never retried: a step
 * that passed, was aborted or was killed for memory.
 */
export async function runAttempts(
  attempt: (output: (text: string) => void) => Promise<StepOutcome>,
  output: (text: string) => void,
  policy: RetryPolicy = ONCE,
): Promise<Attempts> {
  let tail = new OutputTail();
  const onOutput = (text: string): void => {
    tail.push(text);
    output(text);
  };
  for (let n = 1; ; n++) {
    const outcome = await attempt(onOutput);
    const done = (o: StepOutcome = outcome): Attempts => ({ outcome: o, retries: n - 1, tail: tail.toString() });
    if (outcome.kind !== 'failed' || outcome.oomKilled === true || n >= policy.maxAttempts || policy.signal.aborted) return done();
    const failure = findTransientFailure(tail.toString());
    if (failure === undefined) return done();
    await policy.onRetry({ attempt: n + 1, maxAttempts: policy.maxAttempts, failure });
    tail = new OutputTail();
    if (!(await pause(policy.delayMs * 2 ** (n - 1), policy.signal))) {
      return { outcome: { kind: 'aborted' }, retries: n, tail: '' };
    }
  }
}
