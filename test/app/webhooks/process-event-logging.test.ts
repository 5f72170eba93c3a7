import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLogSink } from '../../support/json-log-sink.ts';
import { pino } from 'pino';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { until } from '../../support/control-plane.ts';
import { makePushPayload } from '../../support/webhooks.ts';

// Structured logs: what the events consumer logs for a delivery names the delivery, event and repository.
const { lines, sink } = jsonLogSink();
let h: Harness;

before(async () => {
  h = await startHarness({}, { log: pino({ level: 'info' }, sink) });
  h.fake.addInstallation({ id: 6161, account: 'ocaml', repositories: ['ocaml/logged'] });
});
after(() => h.stop());

test('a handled delivery is logged with its delivery id, event and repository', async () => {
  const r = await h.deliver('push', makePushPayload({ repo: 'ocaml/logged', sha: 'd'.repeat(40), installationId: 6161 }), { deliveryId: 'delivery-logged-1' });
  assert.equal(r.status, 202);
  const line = await until(async () => lines.find((l) => l.msg === 'webhook handled' && l.delivery === 'delivery-logged-1'), { what: 'the log line' });
  assert.equal(line.event, 'push');
  assert.equal(line.repo, 'ocaml/logged');
});
