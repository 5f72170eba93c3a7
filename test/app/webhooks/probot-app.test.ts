import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Probot } from 'probot';
import { pino } from 'pino';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { makePullRequestPayload } from '../../support/webhooks.ts';
import { FastProbotOctokit } from '../../support/fake-github/fast-octokit.ts';
import { pipelineId } from '../../../lib/contract/index.ts';
import { processEvent } from '../../../app/webhooks/index.ts';
import cidApp from '../../../app/webhooks/app.ts';

// The events consumer hands each delivery to probot, which runs cid's app function.
let h: Harness;
const INST = 7171;
const REPO = 'ocaml/probotic';

before(async () => {
  h = await startHarness();
  h.fake.addInstallation({ id: INST, account: 'ocaml', repositories: [REPO] });
});
after(() => h.stop());

const message = (deliveryId: string, payload: unknown) => ({
  type: 'webhook' as const,
  deliveryId,
  event: 'pull_request',
  payload: payload as Record<string, unknown>,
  receivedAt: new Date().toISOString(),
});

test("a handler calls GitHub with probot's context client for the delivery", async () => {
  const sha = 'a1'.repeat(20);
  h.fake.setRepoFiles(REPO, sha, { 'dune-project': '(lang dune 3.0)\n' }, { message: 'Add a lexer' });
  const payload = makePullRequestPayload({ number: 1, headSha: sha, headRef: 'lexer', baseRepo: REPO, installationId: INST });
  const r = await h.deliver('pull_request', payload, { deliveryId: 'probot-context-1' });
  assert.equal(r.result?.action, 'pipeline', JSON.stringify(r));
  // probot's Context tags every request of its client with the delivery it handles.
  const calls = h.fake.requestsFor('git/get-commit').filter((c) => c.path.endsWith(sha));
  assert.deepEqual(
    calls.map((c) => [c.status, c.auth.installationId, c.delivery]),
    [[200, INST, 'probot-context-1']],
  );
});

test('a queued delivery the app has no listener for changes nothing', async () => {
  // The request path never queues an edited PR; should one be queued, the app has no listener for it.
  const sha = 'b2'.repeat(20);
  const payload = makePullRequestPayload({ action: 'edited', number: 2, headSha: sha, headRef: 'edit', baseRepo: REPO, installationId: INST });
  const result = await processEvent(h.cp.svc, message('probot-unheard-1', payload));
  assert.equal(result.body.action, 'ignored');
  assert.match(String(result.body.reason), /pull_request\.edited has no listener in the cid app/);
  assert.equal(await h.cp.svc.store.pipelines.get(pipelineId(REPO, sha)), undefined);
});

test("the app loads into a plain Probot, as probot's own adapters load apps", async () => {
  const probot = new Probot({
    appId: h.fake.app.appId, privateKey: h.fake.app.privateKeyPem, baseUrl: `${h.fake.url}/api/v3`,
    Octokit: FastProbotOctokit,
    log: pino({ level: 'silent' }),
  });
  await probot.load(cidApp);
  // Outside processEvent a delivery has no services: the listener says so, loudly.
  const payload = makePullRequestPayload({ number: 3, headSha: 'c3'.repeat(20), headRef: 'plain', baseRepo: REPO, installationId: INST });
  await assert.rejects(probot.receive({ id: 'plain-1', name: 'pull_request', payload } as never), /without going through processEvent/);
});
