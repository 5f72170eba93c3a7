import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../app/config/index.ts';
import { ConfigError } from '../../../lib/errors/index.ts';
import { throwawayPrivateKey } from '../../support/control-plane.ts';

test('defaults run everything embedded on port 8080 with data in .cid', () => {
  const c = loadConfig({});
  assert.equal(c.backend, 'embedded');
  assert.equal(c.port, 8080);
  assert.match(c.dataDir, /\.cid$/);
  assert.equal(c.tablePrefix, 'cid-local');
  assert.equal(c.github, undefined);
  assert.deepEqual(c.githubMissing, ['APP_ID', 'PRIVATE_KEY or PRIVATE_KEY_PATH', 'WEBHOOK_SECRET']);
  assert.equal(c.publicUrl, 'http://localhost:8080');
});

test('a bad value fails at start naming the variable', () => {
  assert.throws(() => loadConfig({ PORT: 'eighty' }), (e: unknown) => e instanceof ConfigError && /PORT/.test(e.message));
  assert.throws(() => loadConfig({ CID_BACKEND: 'mysql' }), /CID_BACKEND/);
  assert.throws(() => loadConfig({ DYNAMODB_ENDPOINT: 'not a url' }), /DYNAMODB_ENDPOINT/);
  assert.throws(() => loadConfig({ CID_ADMIN_TOKEN: 'short' }), /CID_ADMIN_TOKEN: .*16/);
  // A token no Authorization header could carry would lock the operator out without a word.
  assert.throws(() => loadConfig({ CID_METRICS_TOKEN: 'has spaces and !! in it' }), /CID_METRICS_TOKEN: .*bearer token/);
  assert.throws(() => loadConfig({ APP_ID: '12', PRIVATE_KEY: 'nope', WEBHOOK_SECRET: 's' }), /PRIVATE_KEY: not a PEM/);
  assert.throws(() => loadConfig({ PRIVATE_KEY_PATH: '/nonexistent/key.pem' }), /PRIVATE_KEY_PATH: cannot read/);
});

test("probot's App settings configure GitHub, GHE_HOST switches to an Enterprise API", () => {
  const key = throwawayPrivateKey();
  const c = loadConfig({ APP_ID: '42', PRIVATE_KEY: key.replace(/\n/g, '\\n'), WEBHOOK_SECRET: 's3cret', GHE_HOST: 'ghe.example.com' });
  assert.equal(c.github?.appId, 42);
  assert.equal(c.github?.privateKey, key);
  assert.equal(c.github?.baseUrl, 'https://ghe.example.com/api/v3');
  assert.equal(c.github?.webUrl, 'https://ghe.example.com');
  const d = loadConfig({ APP_ID: '42', PRIVATE_KEY: key, WEBHOOK_SECRET: 's', GHE_HOST: '127.0.0.1:9999', GHE_PROTOCOL: 'http' });
  assert.equal(d.github?.baseUrl, 'http://127.0.0.1:9999/api/v3');
});

test('production settings name the AWS backend and its resources', () => {
  const c = loadConfig({ CID_BACKEND: 'aws', CID_STAGE: 'prod', AWS_REGION: 'eu-west-1' });
  assert.equal(c.backend, 'aws');
  assert.equal(c.tablePrefix, 'cid-prod');
  assert.equal(c.queuePrefix, 'cid-prod');
  assert.equal(c.region, 'eu-west-1');
});

test("the stale-running sweep follows the runners' heartbeat settings unless set; (runners are told them by register)", () => {
  assert.equal(loadConfig({}).sweepStaleRunningSeconds, 75, 'not 10 minutes: a job is dead once its heartbeat is stale for the runners');
  for (const [env, stale] of [[{}, 75], [{ CID_RUNNER_STALE_SECONDS: '90' }, 90], [{ CID_RUNNER_HEARTBEAT_SECONDS: '5', CID_RUNNER_STALE_SECONDS: '45' }, 45]] as const) {
    assert.equal(loadConfig(env).sweepStaleRunningSeconds, stale, JSON.stringify(env));
  }
  assert.equal(loadConfig({ CID_RUNNER_STALE_SECONDS: '90', CID_SWEEP_STALE_RUNNING_SECONDS: '600' }).sweepStaleRunningSeconds, 600, 'an explicit setting wins');
  assert.throws(() => loadConfig({ CID_RUNNER_STALE_SECONDS: 'soon' }), /CID_RUNNER_STALE_SECONDS/);
});
