import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestControlPlane } from '../../support/control-plane.ts';

test('/healthz reports each component and turns 503 when the store is down', async () => {
  const cp = await startTestControlPlane({}, { consumeResults: false, sweeper: false });
  try {
    const ok = await fetch(`${cp.url}/healthz`);
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { status: string; components: Record<string, { ok: boolean; detail?: string }> };
    assert.equal(body.status, 'ok');
    assert.equal(body.components.dynamodb?.ok, true);
    assert.equal(body.components.sqs?.ok, true);
    assert.match(body.components.github?.detail ?? '', /not configured \(set APP_ID/);
    await cp.stack?.stop();
    const down = await fetch(`${cp.url}/healthz`);
    assert.equal(down.status, 503);
    const b2 = (await down.json()) as { status: string; components: Record<string, { ok: boolean }> };
    assert.equal(b2.status, 'degraded');
    assert.equal(b2.components.dynamodb?.ok, false);
  } finally {
    await cp.stop().catch(() => undefined);
  }
});
