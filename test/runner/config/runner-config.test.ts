import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRunnerConfig } from '../../../runner/config/index.ts';
import { ConfigError } from '../../../app/errors/index.ts';

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
