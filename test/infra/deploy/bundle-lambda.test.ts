import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleLambda } from '../../../infra/deploy/bundle-lambda.ts';
import { startLocalStack, type LocalStack } from '../../../infra/local-stack/index.ts';
import { functionUrlEvent, installLambdaRuntime, invokeStreaming } from '../../support/lambda-runtime.ts';

// The bundled handlers, as Lambda would load them (.mjs, no TypeScript, no node_modules), run
// against the local stack: a bundling mistake (a missing require shim, a dynamic import esbuild
// could not follow) shows here rather than on the first deploy.
let dir: string;
let stack: LocalStack;
type Handler = (event: unknown, context?: unknown) => Promise<any>;
const load = async (fn: string): Promise<Handler> =>
  ((await import(pathToFileURL(join(dir, 'lambda', 'app/handlers', `${fn}.mjs`)).href)) as { main: Handler }).main;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cid-bundle-'));
  const out = await bundleLambda({ outDir: join(dir, 'lambda'), artifact: join(dir, 'lambda.zip') });
  assert.ok(out.entries.includes('app/handlers/http.mjs'));
  stack = await startLocalStack({ tablePrefix: 'cid-bundle', queuePrefix: 'cid-bundle' });
  Object.assign(process.env, {
    CID_STAGE: 'bundle',
    DYNAMODB_ENDPOINT: stack.dynamoEndpoint,
    SQS_ENDPOINT: stack.sqsEndpoint,
    AWS_REGION: stack.region,
    LOG_LEVEL: 'silent',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  // The http handler streams its responses: it needs the runtime's `awslambda` when it loads.
  installLambdaRuntime();
});
after(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('bundled Lambda handlers', () => {
  test('the zip holds only the bundles, well under Lambda’s 50 MB limit', async () => {
    const out = await bundleLambda({ outDir: join(dir, 'again'), artifact: join(dir, 'again.zip') });
    assert.ok(out.entries.every((e) => e.startsWith('app/') && e.endsWith('.mjs')), out.entries.join(', '));
    assert.ok(out.bytes < 50e6);
  });

  test('http streams its answer to a Function URL request for /healthz', async () => {
    const res = await invokeStreaming(await load('http'), functionUrlEvent('GET', '/healthz'));
    assert.equal(res.statusCode, 200, res.body.toString());
    assert.equal(JSON.parse(res.body.toString()).components.dynamodb.ok, true);
  });

  test('results and events drop invalid records rather than retry them; sweeper sweeps', async () => {
    const results = await load('results');
    const out = await results({
      Records: [
        { messageId: 'm1', receiptHandle: 'r1', body: 'not json', attributes: {} },
        { messageId: 'm2', receiptHandle: 'r2', body: JSON.stringify({ type: 'pipeline-changed', pipelineId: 'o/r@x' }), attributes: {} },
      ],
    });
    assert.deepEqual(out, { batchItemFailures: [] });
    const events = await load('events');
    assert.deepEqual(await events({ Records: [{ messageId: 'e1', receiptHandle: 'r', body: '{"type":"nonsense"}', attributes: {} }] }), {
      batchItemFailures: [],
    });
    const sweeper = await load('sweeper');
    assert.equal((await sweeper({})).resent, 0);
  });
});
