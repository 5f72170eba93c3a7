import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { logIdFor, MAX_LOG_CHUNK_BYTES } from '../../../app/store/index.ts';
import { lambdaEnv, lambdaServices } from '../../../app/handlers/lambda-services.ts';
import { publicUrlDefault } from '../../../app/handlers/public-url.ts';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { TEST_WEBHOOK_SECRET } from '../../support/control-plane.ts';
import { functionUrlEvent, installLambdaRuntime, invokeStreaming } from '../../support/lambda-runtime.ts';
import { makePushPayload, signedDelivery } from '../../support/webhooks.ts';
import { seedCommit } from '../web/support.ts';

// The http Lambda handler behind a Function URL in RESPONSE_STREAM mode, run by a stand-in of
// Lambda's Node.js runtime (test/support/lambda-runtime.ts). It builds its services from the
// environment as on Lambda (app/handlers/lambda-services.ts), pointed at the tables and queues of
// a control plane on loopback that seeds the data through the real paths.
const INST = 4242;
const REPO = 'lambda/streams';
const JOB = 'debian-12-5.3_opam-2.3';
const DOMAIN = 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws';
const LOG_CHUNKS = 128; // 8 MiB: more than a buffered Lambda response (6 MB) may hold
let h: Harness;
let main: unknown;
let rawPath = '';
let log = '';

before(async () => {
  h = await startHarness();
  h.fake.addInstallation({ id: INST, account: 'lambda', repositories: [REPO] });
  const s = await seedCommit(h, { repo: REPO, installationId: INST, jobs: [{ name: JOB, status: 'running', log: [] }] });
  const job = s.jobs.get(JOB);
  assert.ok(job);
  const line = `2026-01-01 00:00.00: ${'z'.repeat(100)}\n`;
  const chunk = line.repeat(Math.floor(MAX_LOG_CHUNK_BYTES / line.length));
  const parts: string[] = [];
  for (let seq = 0; seq < LOG_CHUNKS; seq++) {
    const text = chunk.replace('z', String(seq % 10));
    parts.push(text);
    await h.cp.svc.store.logs.append(logIdFor(job.id, job.generation, job.attempt), seq, text);
  }
  log = parts.join('');
  rawPath = `/github/${REPO}/commit/${s.sha}/variant/${JOB}/raw?ansi=1`;

  // The function's environment as serverless.yml sets it (no CID_PUBLIC_URL), with the App's
  // settings Parameter Store would supply, and endpoints pointing at the loopback stack.
  const github = h.cp.config.github;
  assert.ok(github && h.cp.stack);
  Object.assign(process.env, {
    CID_STAGE: 'test',
    DYNAMODB_ENDPOINT: h.cp.stack.dynamoEndpoint,
    SQS_ENDPOINT: h.cp.stack.sqsEndpoint,
    AWS_REGION: h.cp.config.region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    APP_ID: String(h.fake.app.appId),
    PRIVATE_KEY: h.fake.app.privateKeyPem,
    WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    GHE_HOST: new URL(h.fake.url).host,
    GHE_PROTOCOL: 'http',
    LOG_LEVEL: 'silent',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  delete process.env.CID_PUBLIC_URL;
  // The runtime defines `awslambda` before it loads the handler's module.
  installLambdaRuntime();
  ({ main } = await import('../../../app/handlers/http.ts'));
});
after(async () => {
  (await lambdaServices().catch(() => undefined))?.store.db.destroy();
  await h?.stop();
});

test('a configuration error fails the invocation (Errors metric, 502), and the next request tries again', async () => {
  process.env.CID_SWEEP_AFTER_SECONDS = 'soon';
  await assert.rejects(invokeStreaming(main, functionUrlEvent('GET', '/healthz', { domain: DOMAIN })), /CID_SWEEP_AFTER_SECONDS/);
  delete process.env.CID_SWEEP_AFTER_SECONDS;
  const res = await invokeStreaming(main, functionUrlEvent('GET', '/healthz', { domain: DOMAIN }));
  assert.equal(res.statusCode, 200, res.body.toString());
});

test('/healthz streams its status, headers and JSON body; the public URL is the Function URL', async () => {
  const res = await invokeStreaming(main, functionUrlEvent('GET', '/healthz', { domain: DOMAIN }));
  assert.equal(res.statusCode, 200, res.body.toString());
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  const body = JSON.parse(res.body.toString()) as { status: string; components: Record<string, { ok: boolean; detail?: string }> };
  assert.equal(body.status, 'ok');
  assert.equal(body.components.dynamodb?.ok, true);
  assert.match(body.components.github?.detail ?? '', new RegExp(`^App ${h.fake.app.appId} `));
  // Used for sign-in's callback and secure cookies: the URL the requests come through.
  assert.equal((await lambdaServices()).config.publicUrl, `https://${DOMAIN}`);
  // It reaches the config as a default; the process's environment is left as it was.
  assert.equal(process.env.CID_PUBLIC_URL, undefined);
});

test('the public URL an event implies only fills an unset or empty CID_PUBLIC_URL; odd domains are ignored', () => {
  const implied = publicUrlDefault({ requestContext: { domainName: 'abc.lambda-url.eu-west-1.on.aws' } });
  assert.deepEqual(implied, { CID_PUBLIC_URL: 'https://abc.lambda-url.eu-west-1.on.aws' });
  assert.deepEqual(publicUrlDefault({ requestContext: { domainName: 'evil/path' } }), {});
  assert.deepEqual(publicUrlDefault(undefined), {});
  assert.equal(lambdaEnv({}, implied).CID_PUBLIC_URL, 'https://abc.lambda-url.eu-west-1.on.aws');
  assert.equal(lambdaEnv({ CID_PUBLIC_URL: '' }, implied).CID_PUBLIC_URL, 'https://abc.lambda-url.eu-west-1.on.aws');
  assert.equal(lambdaEnv({ CID_PUBLIC_URL: 'https://ci.example.org' }, implied).CID_PUBLIC_URL, 'https://ci.example.org');
  assert.equal(lambdaEnv({}).CID_BACKEND, 'aws');
});

test('a job’s 8 MiB raw log arrives whole, as many chunks', async () => {
  const res = await invokeStreaming(main, functionUrlEvent('GET', rawPath, { domain: DOMAIN }));
  assert.equal(res.statusCode, 200, res.body.subarray(0, 500).toString());
  assert.match(res.headers['content-type'] ?? '', /^text\/plain/);
  assert.ok(res.body.length > 6 * 1024 * 1024, `${res.body.length} bytes`);
  assert.ok(res.body.equals(Buffer.from(log)), 'every byte, in order');
  assert.ok(res.chunks.length > 10, `${res.chunks.length} chunks`);
  assert.ok(Math.max(...res.chunks.map((c) => c.length)) < 1024 * 1024, 'no chunk holds the whole log');
});

test('a signed webhook through the Function URL is verified and queued', async () => {
  const d = await signedDelivery(TEST_WEBHOOK_SECRET, 'push', makePushPayload({ repo: REPO, sha: 'c'.repeat(40), ref: 'refs/heads/main', installationId: INST }));
  const res = await invokeStreaming(main, functionUrlEvent('POST', '/api/github/webhooks', { domain: DOMAIN, headers: d.headers, body: d.body }));
  assert.equal(res.statusCode, 202, res.body.toString());
  assert.deepEqual(JSON.parse(res.body.toString()), { ok: true, action: 'queued', delivery: d.id });

  const forged = await invokeStreaming(main, functionUrlEvent('POST', '/api/github/webhooks', { domain: DOMAIN, headers: { ...d.headers, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, body: d.body }));
  assert.equal(forged.statusCode, 401);
});
