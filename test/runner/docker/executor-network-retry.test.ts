import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxImage, ensureDocker } from '../../support/images.ts';
import type { NetworkRetry } from '../../../runner/docker/index.ts';
import { nonce, Sandbox, shell } from './harness.ts';

const engine = await ensureDocker();

// The steps below never use the network: a cache mount (a named volume, kept between attempts)
// tells an attempt whether an earlier one ran, and the "network failure" is only printed.
const FLAKE = 'curl: (6) Could not resolve host: example.org';
const flakyOnce = (n: string, message = FLAKE): string =>
  `if [ -f /cache/tried-${n} ]; then echo ok-${n}; else touch /cache/tried-${n}; echo "fetching-${n}"; echo "${message}"; exit 1; fi`;
const countAttempts = (n: string, message: string, code = 6): string =>
  `echo x >> /cache/attempts-${n}; echo "attempt $(wc -l < /cache/attempts-${n})"; echo "${message}"; exit ${code}`;
const cache = [{ id: 'retry', target: '/cache' }];
const lines = (log: string, re: RegExp): string[] => log.split('\n').filter((l) => re.test(l));

describe('executeBuild: network failures are retried', { skip: engine.skip, timeout: 600_000 }, () => {
  const box = new Sandbox(engine.docker);
  let image = '';
  before(async () => {
    image = await busyboxImage('amd64', engine.docker);
  });
  after(() => box.cleanup());

  it('runs a networked step again after a transient failure, and the job passes', async () => {
    const n = nonce();
    const retries: NetworkRetry[] = [];
    const spec = { from: image, steps: [shell(`echo before-${n}`), shell(flakyOnce(n), { network: true, cache }), shell(`echo after-${n}`)] };
    const run = await box.run(spec, { networkRetries: 2, networkRetryDelayMs: 10, onNetworkRetry: (r) => retries.push(r) });
    assert.equal(run.result.status, 'passed', run.log);
    const retry = lines(run.log, /\[cid\] retrying/);
    assert.equal(retry.length, 1, run.log);
    assert.match(retry[0]!, /\[cid\] retrying step 2 \(run \(cache .*\(network host\) .*\) after a network failure: curl: \(6\) Could not resolve host: example\.org, attempt 2 of 3$/);
    // Both attempts are in the job log, in order.
    const first = run.log.indexOf(`: fetching-${n}\n`);
    const second = run.log.indexOf(`: ok-${n}\n`);
    assert.ok(first > 0 && run.log.indexOf('[cid] retrying') > first && second > run.log.indexOf('[cid] retrying'), run.log);
    assert.ok(run.log.indexOf(`: after-${n}\n`) > second, run.log);
    assert.deepEqual(retries.map((r) => [r.index, r.attempt, r.maxAttempts, r.failure.tool]), [[1, 2, 3, 'curl']]);
    assert.equal(run.result.steps[1]!.networkRetries, 1);
    assert.equal(run.result.steps[0]!.networkRetries, undefined);

    // The successful attempt is what the cache keeps, its log without the failed attempt's output.
    const again = await box.run(spec, { networkRetries: 2, networkRetryDelayMs: 10 });
    assert.equal(again.result.status, 'passed', again.log);
    assert.ok(again.result.steps.every((s) => s.cached), again.log);
    assert.match(again.log, new RegExp(`: ok-${n}\\n`));
    // (The step's header quotes the script: output lines are "<timestamp>: <text>".)
    assert.doesNotMatch(again.log, new RegExp(`: (?:fetching-${n}|curl: \\(6\\) .*)\\n|\\[cid\\] retrying`), again.log);
  });

  it('does not retry a failure that is not a network one', async () => {
    const n = nonce();
    const run = await box.run(
      { from: image, steps: [shell(flakyOnce(n, 'Error: Unbound value Foo.bar'), { network: true, cache })] },
      { networkRetries: 2, networkRetryDelayMs: 10 },
    );
    assert.equal(run.result.status, 'failed', run.log);
    assert.equal(run.result.exitCode, 1);
    assert.equal(run.result.failedStep, 0);
    assert.doesNotMatch(run.log, /\[cid\] retrying/);
    assert.doesNotMatch(run.log, new RegExp(`: ok-${n}\\n`));
  });

  it('does not retry a step without network, whatever it prints', async () => {
    const n = nonce();
    const run = await box.run({ from: image, steps: [shell(flakyOnce(n), { cache })] }, { networkRetries: 2, networkRetryDelayMs: 10 });
    assert.equal(run.result.status, 'failed', run.log);
    assert.doesNotMatch(run.log, /\[cid\] retrying/);
    assert.equal(run.result.steps[0]!.networkRetries, undefined);
  });

  it('runs a step that keeps failing 1 + N times, then fails the job with the last status', async () => {
    const n = nonce();
    const run = await box.run(
      { from: image, steps: [shell(countAttempts(n, 'E: Failed to fetch http://deb.debian.org/debian/pool/main/m/m4/m4_1.4.19-3_amd64.deb  Temporary failure resolving \'deb.debian.org\'', 100), { network: true, cache })] },
      { networkRetries: 2, networkRetryDelayMs: 10 },
    );
    assert.equal(run.result.status, 'failed', run.log);
    assert.equal(run.result.exitCode, 100);
    assert.equal(run.result.failedStep, 0);
    assert.deepEqual(lines(run.log, /: attempt \d+$/).map((l) => l.replace(/^.*: /, '')), ['attempt 1', 'attempt 2', 'attempt 3']);
    assert.deepEqual(
      lines(run.log, /\[cid\] retrying/).map((l) => / attempt (\d of \d)$/.exec(l)?.[1]),
      ['2 of 3', '3 of 3'],
    );
    assert.match(run.log, /Job failed: step 1\/1 \(run\) exited with status 100\n$/);
    assert.equal(run.result.steps[0]!.networkRetries, 2);
  });

  it('retries nothing when the budget is 0 (the default)', async () => {
    const n = nonce();
    const run = await box.run({ from: image, steps: [shell(flakyOnce(n), { network: true, cache })] });
    assert.equal(run.result.status, 'failed', run.log);
    assert.doesNotMatch(run.log, /\[cid\] retrying/);
  });

  it('a cancel during the wait before a retry ends the job as cancelled', async () => {
    const n = nonce();
    const controller = new AbortController();
    const run = await box.run(
      { from: image, steps: [shell(countAttempts(n, FLAKE), { network: true, cache })] },
      {
        networkRetries: 3,
        networkRetryDelayMs: 60_000,
        signal: controller.signal,
        onNetworkRetry: () => setTimeout(() => controller.abort(), 100),
      },
    );
    assert.equal(run.result.status, 'cancelled', run.log);
    assert.equal(run.result.failedStep, 0);
    assert.equal(lines(run.log, /: attempt \d+$/).length, 1, run.log);
    assert.match(run.log, /Job cancelled\n$/);
  });
});
