import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import { bundleLambda } from '../../../infra/deploy/bundle-lambda.ts';
import { startLocalStack, type LocalStack } from '../../../infra/local-stack/index.ts';
import { throwawayPrivateKey } from '../../support/control-plane.ts';
import { functionUrlEvent, installLambdaRuntime, invokeStreaming } from '../../support/lambda-runtime.ts';

// The bundled http handler, configured as serverless.yml configures it (CID_SSM_PATH and no
// secret in its environment), gets its App settings and tokens from Parameter Store. A stand-in
// SSM endpoint answers GetParameters (AWS_ENDPOINT_URL_SSM points the SDK at it).
const ADMIN_TOKEN = 'admin-token-from-ssm-0123456789';
const PARAMS: Record<string, string> = {
  '/cid/ssmtest/app-id': '4321',
  '/cid/ssmtest/private-key': throwawayPrivateKey(),
  '/cid/ssmtest/webhook-secret': 'webhook-secret-from-ssm',
  '/cid/ssmtest/admin-token': ADMIN_TOKEN,
};
const requests: { target: string | undefined; body: { Names: string[]; WithDecryption: boolean } }[] = [];
let ssm: Server;
let stack: LocalStack;
let dir: string;

before(async () => {
  ssm = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { Names: string[]; WithDecryption: boolean };
      requests.push({ target: req.headers['x-amz-target'] as string | undefined, body });
      const found = body.Names.filter((n) => n in PARAMS);
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          Parameters: found.map((Name) => ({ Name, Value: PARAMS[Name], Type: 'SecureString', Version: 1 })),
          InvalidParameters: body.Names.filter((n) => !(n in PARAMS)),
        }),
      );
    });
  });
  await new Promise<void>((r) => ssm.listen(0, '127.0.0.1', r));
  dir = mkdtempSync(join(tmpdir(), 'cid-ssm-'));
  await bundleLambda({ outDir: join(dir, 'lambda'), artifact: join(dir, 'lambda.zip') });
  stack = await startLocalStack({ tablePrefix: 'cid-ssmtest', queuePrefix: 'cid-ssmtest' });
  Object.assign(process.env, {
    CID_STAGE: 'ssmtest',
    CID_SSM_PATH: '/cid/ssmtest',
    DYNAMODB_ENDPOINT: stack.dynamoEndpoint,
    SQS_ENDPOINT: stack.sqsEndpoint,
    AWS_REGION: stack.region,
    AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${(ssm.address() as AddressInfo).port}`,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    LOG_LEVEL: 'silent',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  installLambdaRuntime();
});
after(async () => {
  await stack?.stop();
  await new Promise((r) => ssm?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const event = (path: string, headers: Record<string, string> = {}) => functionUrlEvent('GET', path, { headers });

test('the Lambda reads its secrets from SSM once, at cold start', async () => {
  const { main } = (await import(pathToFileURL(join(dir, 'lambda/app/handlers/http.mjs')).href)) as { main: unknown };
  const health = await invokeStreaming(main, event('/healthz'));
  assert.equal(health.statusCode, 200, health.body.toString());
  assert.match(JSON.parse(health.body.toString()).components.github.detail, /^App 4321 /);

  assert.equal((await invokeStreaming(main, event('/api/admin/repositories'))).statusCode, 401);
  const admin = await invokeStreaming(main, event('/api/admin/repositories', { authorization: `Bearer ${ADMIN_TOKEN}` }));
  assert.equal(admin.statusCode, 200, admin.body.toString());

  // Twelve names, ten a call: two calls, for the container's lifetime.
  assert.equal(requests.length, 2);
  for (const r of requests) {
    assert.equal(r.target, 'AmazonSSM.GetParameters');
    assert.equal(r.body.WithDecryption, true);
    assert.ok(r.body.Names.length <= 10 && r.body.Names.every((n) => n.startsWith('/cid/ssmtest/')));
  }
});
