import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { runAttempts } from '../../../runner/docker/network-retry.ts';
import type { NetworkRetry, RetryPolicy } from '../../../runner/docker/network-retry.ts';
import type { StepOutcome } from '../../../runner/docker/step-context.ts';

// The retry wrapper on its own: attempts are functions that print and end as a step would, no
// container. (executor-network-retry.test.ts runs the same through Docker.)
const FLAKE = 'curl: (6) Could not resolve host: example.org\n';
const failed = (exitCode = 1, extra: Partial<Extract<StepOutcome, { kind: 'failed' }>> = {}): StepOutcome => ({
  kind: 'failed',
  exitCode,
  message: `exited with status ${exitCode}`,
  ...extra,
});

/** Attempts that print `outputs[i]` and end with `outcomes[i]`; records when each began. */
function script(steps: { output: string; outcome: StepOutcome }[]) {
  const started: number[] = [];
  const attempt = async (output: (text: string) => void): Promise<StepOutcome> => {
    const s = steps[started.length];
    if (s === undefined) throw new Error(`attempt ${started.length + 1} was not expected`);
    started.push(performance.now());
    output(s.output);
    return s.outcome;
  };
  return { attempt, started };
}

function policy(over: Partial<RetryPolicy> = {}) {
  const retries: Omit<NetworkRetry, 'index'>[] = [];
  const p: RetryPolicy = { maxAttempts: 3, delayMs: 1, signal: new AbortController().signal, onRetry: (r) => void retries.push(r), ...over };
  return { p, retries };
}

describe('runAttempts (network retries)', () => {
  it('runs a step that passes once', async () => {
    const s = script([{ output: 'ok\n', outcome: { kind: 'ok' } }]);
    const { p, retries } = policy();
    const out: string[] = [];
    const r = await runAttempts(s.attempt, (t) => out.push(t), p);
    assert.deepEqual(r, { outcome: { kind: 'ok' }, retries: 0, tail: 'ok\n' });
    assert.deepEqual(out, ['ok\n']);
    assert.deepEqual(retries, []);
  });

  it('runs a step again after a transient network failure; output of both attempts goes on, the tail is the last one', async () => {
    const s = script([
      { output: `fetching\n${FLAKE}`, outcome: failed(6) },
      { output: 'fetched\n', outcome: { kind: 'ok', imageId: 'sha256:x' } },
    ]);
    const { p, retries } = policy();
    const out: string[] = [];
    const r = await runAttempts(s.attempt, (t) => out.push(t), p);
    assert.deepEqual(r, { outcome: { kind: 'ok', imageId: 'sha256:x' }, retries: 1, tail: 'fetched\n' });
    assert.deepEqual(out, [`fetching\n${FLAKE}`, 'fetched\n']);
    assert.deepEqual(
      retries.map((x) => [x.attempt, x.maxAttempts, x.failure.tool, x.failure.line]),
      [[2, 3, 'curl', FLAKE.trim()]],
    );
  });

  it('gives up after maxAttempts with the last attempt’s outcome', async () => {
    const s = script([1, 2, 3].map((n) => ({ output: `attempt ${n}\n${FLAKE}`, outcome: failed(n) })));
    const { p, retries } = policy();
    const r = await runAttempts(s.attempt, () => undefined, p);
    assert.deepEqual(r.outcome, failed(3));
    assert.equal(r.retries, 2);
    assert.equal(r.tail, `attempt 3\n${FLAKE}`);
    assert.deepEqual(retries.map((x) => x.attempt), [2, 3]);
  });

  it('does not retry a failure that is not a network one, nor a step killed for memory, nor without a policy', async () => {
    for (const [steps, withPolicy] of [
      [[{ output: 'Error: Unbound value Foo.bar\n', outcome: failed(2) }], true],
      [[{ output: FLAKE, outcome: failed(137, { oomKilled: true }) }], true],
      [[{ output: FLAKE, outcome: failed(6) }], false],
    ] as const) {
      const s = script([...steps]);
      const { p, retries } = policy();
      const r = await runAttempts(s.attempt, () => undefined, withPolicy ? p : undefined);
      assert.equal(r.retries, 0);
      assert.equal(r.outcome.kind, 'failed');
      assert.equal(s.started.length, 1);
      assert.deepEqual(retries, []);
    }
  });

  it('does not retry once the job is cancelled, and a cancel during the wait ends the step as aborted', async () => {
    const cancelled = new AbortController();
    cancelled.abort();
    const before = script([{ output: FLAKE, outcome: failed(6) }]);
    const r1 = await runAttempts(before.attempt, () => undefined, policy({ signal: cancelled.signal }).p);
    assert.deepEqual([r1.outcome.kind, r1.retries, before.started.length], ['failed', 0, 1]);

    // A wait of a minute, cut short by the cancel that comes with the retry's notice.
    const during = new AbortController();
    const s = script([{ output: FLAKE, outcome: failed(6) }]);
    const t0 = performance.now();
    const r2 = await runAttempts(s.attempt, () => undefined, {
      maxAttempts: 3,
      delayMs: 60_000,
      signal: during.signal,
      onRetry: () => during.abort(),
    });
    assert.deepEqual(r2, { outcome: { kind: 'aborted' }, retries: 1, tail: '' });
    assert.equal(s.started.length, 1, 'no second attempt');
    assert.ok(performance.now() - t0 < 30_000);
  });

  it('waits delayMs before the first retry, twice that before the next, after onRetry has finished', async () => {
    const s = script([
      { output: FLAKE, outcome: failed(6) },
      { output: FLAKE, outcome: failed(6) },
      { output: 'ok\n', outcome: { kind: 'ok' } },
    ]);
    const order: string[] = [];
    const r = await runAttempts(
      async (output) => {
        order.push('attempt');
        return s.attempt(output);
      },
      () => undefined,
      {
        maxAttempts: 3,
        delayMs: 50,
        signal: new AbortController().signal,
        onRetry: async () => {
          order.push('retry');
          await Promise.resolve();
          order.push('retry done');
        },
      },
    );
    assert.equal(r.retries, 2);
    assert.deepEqual(order, ['attempt', 'retry', 'retry done', 'attempt', 'retry', 'retry done', 'attempt']);
    const [a, b, c] = s.started as [number, number, number];
    assert.ok(b - a >= 49, `first wait ${b - a} ms`);
    assert.ok(c - b >= 99, `second wait ${c - b} ms`);
  });
});
