import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, loadRunnerConfig, parseByteSize } from '../../../runner/config/index.ts';
import { ConfigError } from '../../../lib/errors/index.ts';

const BASE = { CID_RUNNER_BOOTSTRAP_TOKEN: 'bootstrap-token-0123456789' };

test("defaults: this machine's pool, the embedded stack's fixed ports, the local API", () => {
  const c = loadRunnerConfig(BASE);
  assert.equal(c.pool, process.arch === 'arm64' ? 'linux-arm64' : 'linux-x86_64');
  assert.equal(c.aws.sqsEndpoint, 'http://127.0.0.1:4566');
  assert.equal(c.bootstrapToken, BASE.CID_RUNNER_BOOTSTRAP_TOKEN);
  assert.equal(c.apiUrl, 'http://127.0.0.1:8080');
  assert.equal(c.concurrency, 1);
  assert.equal(c.visibilitySeconds, 120);
  assert.equal(c.limits.noNewPrivileges, false, 'sudo works for opam depexts unless the operator says otherwise');
  assert.equal(loadRunnerConfig({ ...BASE, CID_JOB_NO_NEW_PRIVILEGES: 'true' }).limits.noNewPrivileges, true);
});

test('flags win over the environment, and bad values name the variable and its flag', () => {
  const c = loadRunnerConfig({ ...BASE, CID_RUNNER_POOL: 'linux-s390x', CID_RUNNER_CONCURRENCY: '3' }, { pool: 'linux-arm64', concurrency: 2 });
  assert.equal(c.pool, 'linux-arm64');
  assert.equal(c.concurrency, 2);
  assert.throws(() => loadRunnerConfig({}, { pool: 'linux-mips' }), (e: unknown) => e instanceof ConfigError && /CID_RUNNER_POOL \(--pool\)/.test(e.message));
  assert.throws(() => loadRunnerConfig({ ...BASE, CID_RUNNER_CONCURRENCY: '0' }), /CID_RUNNER_CONCURRENCY \(--concurrency\)/);
  assert.equal(loadRunnerConfig({ ...BASE, CID_RUNNER_ID: 'my-runner' }).runnerId, 'my-runner');
  assert.throws(() => loadRunnerConfig({ ...BASE, CID_RUNNER_ID: '-bad id' }), /CID_RUNNER_ID/);
  assert.equal(loadRunnerConfig({ ...BASE, CID_BACKEND: 'aws', CID_API_URL: 'https://cid.example.org' }).aws.sqsEndpoint, undefined, 'on AWS the SDK finds the endpoint');
  assert.throws(() => loadRunnerConfig({ ...BASE, CID_BACKEND: 'aws' }), /CID_API_URL: required with CID_BACKEND=aws/);
});

test('step cache limits: a size budget in human units, an age in days, a prune interval; 0 turns each off', () => {
  const d = loadRunnerConfig(BASE).cache;
  assert.deepEqual(d, { maxBytes: 50 * 1024 ** 3, maxAgeMs: 30 * 24 * 3600_000, pruneIntervalMs: 600_000 });
  const c = loadRunnerConfig({ ...BASE, CID_RUNNER_CACHE_MAX_BYTES: '200GB', CID_RUNNER_CACHE_MAX_AGE_DAYS: '0.5', CID_RUNNER_CACHE_PRUNE_INTERVAL_SECONDS: '60' }).cache;
  assert.deepEqual(c, { maxBytes: 200e9, maxAgeMs: 12 * 3600_000, pruneIntervalMs: 60_000 });
  assert.equal(loadRunnerConfig({ ...BASE, CID_RUNNER_CACHE_MAX_BYTES: '0' }).cache.maxBytes, 0, 'unlimited');
  assert.equal(loadRunnerConfig({ ...BASE, CID_RUNNER_CACHE_MAX_BYTES: '' }).cache.maxBytes, 50 * 1024 ** 3, 'empty is the default');
  assert.throws(() => loadRunnerConfig({ ...BASE, CID_RUNNER_CACHE_MAX_BYTES: '50 gigs' }), (e: unknown) => e instanceof ConfigError && /CID_RUNNER_CACHE_MAX_BYTES: not a size: "50 gigs"/.test(e.message));
  assert.throws(() => loadRunnerConfig({ ...BASE, CID_RUNNER_CACHE_MAX_AGE_DAYS: '-1' }), /CID_RUNNER_CACHE_MAX_AGE_DAYS/);
});

test('step cache repository: cid-cache by default; an invalid name fails at start, naming the variable', () => {
  assert.equal(loadRunnerConfig(BASE).cacheRepo, 'cid-cache');
  assert.equal(loadRunnerConfig({ ...BASE, CID_CACHE_REPO: '' }).cacheRepo, 'cid-cache', 'empty is the default');
  assert.equal(loadRunnerConfig({ ...BASE, CID_CACHE_REPO: 'ci/step-cache' }).cacheRepo, 'ci/step-cache');
  // It used to fall back to cid-cache without a word, mixing a runner's steps into another's cache.
  for (const bad of ['Cid-Cache', 'cache:tag', '-cache', 'a b']) {
    assert.throws(() => loadRunnerConfig({ ...BASE, CID_CACHE_REPO: bad }), (e: unknown) => e instanceof ConfigError && /CID_CACHE_REPO: an image repository name/.test(e.message), bad);
  }
});

test('step logs: CID_STEP_LOG_DIR, else under XDG_CACHE_HOME; a relative path names the variable', () => {
  assert.equal(loadRunnerConfig({ ...BASE, CID_STEP_LOG_DIR: '/var/cache/cid-runner/logs' }).stepLogDir, '/var/cache/cid-runner/logs');
  assert.equal(loadRunnerConfig({ ...BASE, XDG_CACHE_HOME: '/x/cache' }).stepLogDir, '/x/cache/cid/step-logs');
  assert.equal(loadRunnerConfig({ ...BASE, CID_STEP_LOG_DIR: '', XDG_CACHE_HOME: '/x/cache' }).stepLogDir, '/x/cache/cid/step-logs', 'empty is the default');
  assert.throws(() => loadRunnerConfig({ ...BASE, CID_STEP_LOG_DIR: 'logs' }), (e: unknown) => e instanceof ConfigError && /CID_STEP_LOG_DIR: an absolute path/.test(e.message));
});

test('network retries: 2 by default, 0 turns them off, a bad value names the variable', () => {
  assert.equal(loadRunnerConfig(BASE).networkRetries, 2);
  assert.equal(loadRunnerConfig({ ...BASE, CID_RUNNER_NETWORK_RETRIES: '' }).networkRetries, 2, 'empty is the default');
  assert.equal(loadRunnerConfig({ ...BASE, CID_RUNNER_NETWORK_RETRIES: '0' }).networkRetries, 0);
  assert.equal(loadRunnerConfig({ ...BASE, CID_RUNNER_NETWORK_RETRIES: '5' }).networkRetries, 5);
  for (const bad of ['-1', '1.5', 'three', '11']) {
    assert.throws(() => loadRunnerConfig({ ...BASE, CID_RUNNER_NETWORK_RETRIES: bad }), (e: unknown) => e instanceof ConfigError && /CID_RUNNER_NETWORK_RETRIES/.test(e.message), bad);
  }
});

test('source cache: 16 trees and 2 GiB by default, 0 entries turns it off, a bad value names the variable', () => {
  assert.deepEqual(loadRunnerConfig(BASE).sourceCache, { maxEntries: 16, maxBytes: 2 * 1024 ** 3 });
  assert.deepEqual(loadRunnerConfig({ ...BASE, CID_RUNNER_SOURCE_CACHE_ENTRIES: '0', CID_RUNNER_SOURCE_CACHE_MAX_BYTES: '500MB' }).sourceCache, { maxEntries: 0, maxBytes: 500e6 });
  assert.equal(loadRunnerConfig({ ...BASE, CID_RUNNER_SOURCE_CACHE_ENTRIES: '' }).sourceCache.maxEntries, 16, 'empty is the default');
  for (const bad of ['-1', '2.5', 'many']) {
    assert.throws(() => loadRunnerConfig({ ...BASE, CID_RUNNER_SOURCE_CACHE_ENTRIES: bad }), (e: unknown) => e instanceof ConfigError && /CID_RUNNER_SOURCE_CACHE_ENTRIES/.test(e.message), bad);
  }
  assert.throws(() => loadRunnerConfig({ ...BASE, CID_RUNNER_SOURCE_CACHE_MAX_BYTES: 'lots' }), /CID_RUNNER_SOURCE_CACHE_MAX_BYTES: not a size: "lots"/);
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

test('the bootstrap token is required, and the error names the variable; no app setting is read', () => {
  assert.throws(() => loadRunnerConfig({}), (e: unknown) => e instanceof ConfigError && /CID_RUNNER_BOOTSTRAP_TOKEN: required/.test(e.message));
  assert.throws(() => loadRunnerConfig({ CID_RUNNER_BOOTSTRAP_TOKEN: 'short' }), /CID_RUNNER_BOOTSTRAP_TOKEN/);
  assert.throws(() => loadRunnerConfig({ ...BASE, SQS_ENDPOINT: 'not a url' }), /SQS_ENDPOINT/);
  assert.equal(loadRunnerConfig({ ...BASE, SQS_ENDPOINT: 'http://127.0.0.1:9324', AWS_REGION: 'eu-west-1' }).aws.region, 'eu-west-1');
  assert.equal(loadRunnerConfig({ ...BASE, LOG_LEVEL: 'debug' }).logLevel, 'debug');
});

test('CID_OPAM_REPO_URL: GitHub by default, a file:// URL or path, or none; anything else names the variable', () => {
  assert.equal(loadRunnerConfig(BASE).opamRepoUrl, 'https://github.com/ocaml/opam-repository.git');
  assert.equal(loadRunnerConfig({ ...BASE, CID_OPAM_REPO_URL: '' }).opamRepoUrl, 'https://github.com/ocaml/opam-repository.git');
  assert.equal(loadRunnerConfig({ ...BASE, CID_OPAM_REPO_URL: 'none' }).opamRepoUrl, 'none');
  assert.equal(loadRunnerConfig({ ...BASE, CID_OPAM_REPO_URL: 'file:///srv/opam-repository' }).opamRepoUrl, 'file:///srv/opam-repository');
  assert.equal(loadRunnerConfig({ ...BASE, CID_OPAM_REPO_URL: '/srv/opam-repository' }).opamRepoUrl, '/srv/opam-repository');
  assert.throws(
    () => loadRunnerConfig({ ...BASE, CID_OPAM_REPO_URL: 'git@github.com:ocaml/opam-repository' }),
    (e: unknown) => e instanceof ConfigError && /CID_OPAM_REPO_URL: must be an https:\/\/ or file:\/\/ URL, an absolute path, or "none"/.test(e.message),
  );
});
