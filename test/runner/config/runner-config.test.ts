import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, loadRunnerConfig, parseByteSize } from '../../../runner/config/index.ts';
import { ConfigError } from '../../../lib/errors/index.ts';

test("defaults: this machine's pool, the embedded stack's fixed ports, the local API", () => {
  const c = loadRunnerConfig({});
  assert.equal(c.pool, process.arch === 'arm64' ? 'linux-arm64' : 'linux-x86_64');
  assert.equal(c.app.dynamoEndpoint, 'http://127.0.0.1:4567');
  assert.equal(c.app.sqsEndpoint, 'http://127.0.0.1:4566');
  assert.equal(c.apiUrl, 'http://127.0.0.1:8080');
  assert.equal(c.concurrency, 1);
  assert.equal(c.visibilitySeconds, 120);
  assert.equal(c.limits.noNewPrivileges, false, 'sudo works for opam depexts unless the operator says otherwise');
  assert.equal(loadRunnerConfig({ CID_JOB_NO_NEW_PRIVILEGES: 'true' }).limits.noNewPrivileges, true);
});

test('flags win over the environment, and bad values name the variable and its flag', () => {
  const c = loadRunnerConfig({ CID_RUNNER_POOL: 'linux-s390x', CID_RUNNER_CONCURRENCY: '3' }, { pool: 'linux-arm64', concurrency: 2 });
  assert.equal(c.pool, 'linux-arm64');
  assert.equal(c.concurrency, 2);
  assert.throws(() => loadRunnerConfig({}, { pool: 'linux-mips' }), (e: unknown) => e instanceof ConfigError && /CID_RUNNER_POOL \(--pool\)/.test(e.message));
  assert.throws(() => loadRunnerConfig({ CID_RUNNER_CONCURRENCY: '0' }), /CID_RUNNER_CONCURRENCY \(--concurrency\)/);
  assert.throws(() => loadRunnerConfig({ CID_RUNNER_ID: 'a', CID_RUNNER_TOKEN: 'b.sig' }), /differs from the id in CID_RUNNER_TOKEN/);
  assert.equal(loadRunnerConfig({ CID_RUNNER_TOKEN: 'my-runner.sig' }).runnerId, 'my-runner');
  assert.equal(loadRunnerConfig({ CID_BACKEND: 'aws' }).app.dynamoEndpoint, undefined, 'on AWS the SDK finds the endpoints');
});

test('step cache limits: a size budget in human units, an age in days, a prune interval; 0 turns each off', () => {
  const d = loadRunnerConfig({}).cache;
  assert.deepEqual(d, { maxBytes: 50 * 1024 ** 3, maxAgeMs: 30 * 24 * 3600_000, pruneIntervalMs: 600_000 });
  const c = loadRunnerConfig({ CID_RUNNER_CACHE_MAX_BYTES: '200GB', CID_RUNNER_CACHE_MAX_AGE_DAYS: '0.5', CID_RUNNER_CACHE_PRUNE_INTERVAL_SECONDS: '60' }).cache;
  assert.deepEqual(c, { maxBytes: 200e9, maxAgeMs: 12 * 3600_000, pruneIntervalMs: 60_000 });
  assert.equal(loadRunnerConfig({ CID_RUNNER_CACHE_MAX_BYTES: '0' }).cache.maxBytes, 0, 'unlimited');
  assert.equal(loadRunnerConfig({ CID_RUNNER_CACHE_MAX_BYTES: '' }).cache.maxBytes, 50 * 1024 ** 3, 'empty is the default');
  assert.throws(() => loadRunnerConfig({ CID_RUNNER_CACHE_MAX_BYTES: '50 gigs' }), (e: unknown) => e instanceof ConfigError && /CID_RUNNER_CACHE_MAX_BYTES: not a size: "50 gigs"/.test(e.message));
  assert.throws(() => loadRunnerConfig({ CID_RUNNER_CACHE_MAX_AGE_DAYS: '-1' }), /CID_RUNNER_CACHE_MAX_AGE_DAYS/);
});

test('step cache repository: cid-cache by default; an invalid name fails at start, naming the variable', () => {
  assert.equal(loadRunnerConfig({}).cacheRepo, 'cid-cache');
  assert.equal(loadRunnerConfig({ CID_CACHE_REPO: '' }).cacheRepo, 'cid-cache', 'empty is the default');
  assert.equal(loadRunnerConfig({ CID_CACHE_REPO: 'ci/step-cache' }).cacheRepo, 'ci/step-cache');
  // It used to fall back to cid-cache without a word, mixing a runner's steps into another's cache.
  for (const bad of ['Cid-Cache', 'cache:tag', '-cache', 'a b']) {
    assert.throws(() => loadRunnerConfig({ CID_CACHE_REPO: bad }), (e: unknown) => e instanceof ConfigError && /CID_CACHE_REPO: an image repository name/.test(e.message), bad);
  }
});

test('step logs: CID_STEP_LOG_DIR, else under XDG_CACHE_HOME; a relative path names the variable', () => {
  assert.equal(loadRunnerConfig({ CID_STEP_LOG_DIR: '/var/cache/cid-runner/logs' }).stepLogDir, '/var/cache/cid-runner/logs');
  assert.equal(loadRunnerConfig({ XDG_CACHE_HOME: '/x/cache' }).stepLogDir, '/x/cache/cid/step-logs');
  assert.equal(loadRunnerConfig({ CID_STEP_LOG_DIR: '', XDG_CACHE_HOME: '/x/cache' }).stepLogDir, '/x/cache/cid/step-logs', 'empty is the default');
  assert.throws(() => loadRunnerConfig({ CID_STEP_LOG_DIR: 'logs' }), (e: unknown) => e instanceof ConfigError && /CID_STEP_LOG_DIR: an absolute path/.test(e.message));
});

test('network retries: 2 by default, 0 turns them off, a bad value names the variable', () => {
  assert.equal(loadRunnerConfig({}).networkRetries, 2);
  assert.equal(loadRunnerConfig({ CID_RUNNER_NETWORK_RETRIES: '' }).networkRetries, 2, 'empty is the default');
  assert.equal(loadRunnerConfig({ CID_RUNNER_NETWORK_RETRIES: '0' }).networkRetries, 0);
  assert.equal(loadRunnerConfig({ CID_RUNNER_NETWORK_RETRIES: '5' }).networkRetries, 5);
  for (const bad of ['-1', '1.5', 'three', '11']) {
    assert.throws(() => loadRunnerConfig({ CID_RUNNER_NETWORK_RETRIES: bad }), (e: unknown) => e instanceof ConfigError && /CID_RUNNER_NETWORK_RETRIES/.test(e.message), bad);
  }
});

test('source cache: 16 trees and 2 GiB by default, 0 entries turns it off, a bad value names the variable', () => {
  assert.deepEqual(loadRunnerConfig({}).sourceCache, { maxEntries: 16, maxBytes: 2 * 1024 ** 3 });
  assert.deepEqual(loadRunnerConfig({ CID_RUNNER_SOURCE_CACHE_ENTRIES: '0', CID_RUNNER_SOURCE_CACHE_MAX_BYTES: '500MB' }).sourceCache, { maxEntries: 0, maxBytes: 500e6 });
  assert.equal(loadRunnerConfig({ CID_RUNNER_SOURCE_CACHE_ENTRIES: '' }).sourceCache.maxEntries, 16, 'empty is the default');
  for (const bad of ['-1', '2.5', 'many']) {
    assert.throws(() => loadRunnerConfig({ CID_RUNNER_SOURCE_CACHE_ENTRIES: bad }), (e: unknown) => e instanceof ConfigError && /CID_RUNNER_SOURCE_CACHE_ENTRIES/.test(e.message), bad);
  }
  assert.throws(() => loadRunnerConfig({ CID_RUNNER_SOURCE_CACHE_MAX_BYTES: 'lots' }), /CID_RUNNER_SOURCE_CACHE_MAX_BYTES: not a size: "lots"/);
});

test('sizes: IEC units and bare letters are powers of 1024, SI units of 1000', () => {
  const cases: [string, number | undefined][] = [
    ['0', 0],
    ['1048576', 1048576],
    ['512B', 512],
    ['50GiB', 50 * 1024 ** 3],
    ['50gi', 50 * 1024 ** 3],
    ['50G', 50 * 1024 ** 3],
    ['50GB', 50e9],
    ['1.5 TiB', 1.5 * 1024 ** 4],
    ['500mb', 500e6],
    ['2k', 2048],
    ['1.5', undefined],
    ['', undefined],
    ['-1GB', undefined],
    ['GB', undefined],
    ['10 XB', undefined],
  ];
  for (const [text, bytes] of cases) assert.equal(parseByteSize(text), bytes, text);
  assert.equal(formatBytes(50 * 1024 ** 3), '50 GiB');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(12), '12 B');
});

test('a staleness shorter than three heartbeats is refused, naming both variables', () => {
  assert.throws(
    () => loadRunnerConfig({ CID_RUNNER_HEARTBEAT_SECONDS: '30' }),
    (e: unknown) => e instanceof ConfigError && /CID_RUNNER_STALE_SECONDS \(75\) must be at least 3 heartbeats \(CID_RUNNER_HEARTBEAT_SECONDS=30\)/.test(e.message),
  );
  assert.equal(loadRunnerConfig({ CID_RUNNER_HEARTBEAT_SECONDS: '25' }).staleMs, 75_000);
  assert.equal(loadRunnerConfig({}).heartbeatMs, 15_000, 'a beat every 15 s by default (issue #12: cheaper heartbeats)');
});

test('CID_OPAM_REPO_URL: GitHub by default, a file:// URL or path, or none; anything else names the variable', () => {
  assert.equal(loadRunnerConfig({}).opamRepoUrl, 'https://github.com/ocaml/opam-repository.git');
  assert.equal(loadRunnerConfig({ CID_OPAM_REPO_URL: '' }).opamRepoUrl, 'https://github.com/ocaml/opam-repository.git');
  assert.equal(loadRunnerConfig({ CID_OPAM_REPO_URL: 'none' }).opamRepoUrl, 'none');
  assert.equal(loadRunnerConfig({ CID_OPAM_REPO_URL: 'file:///srv/opam-repository' }).opamRepoUrl, 'file:///srv/opam-repository');
  assert.equal(loadRunnerConfig({ CID_OPAM_REPO_URL: '/srv/opam-repository' }).opamRepoUrl, '/srv/opam-repository');
  assert.throws(
    () => loadRunnerConfig({ CID_OPAM_REPO_URL: 'git@github.com:ocaml/opam-repository' }),
    (e: unknown) => e instanceof ConfigError && /CID_OPAM_REPO_URL: must be an https:\/\/ or file:\/\/ URL, an absolute path, or "none"/.test(e.message),
  );
});
