import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../app/config/index.ts';
import { ConfigError } from '../../../lib/errors/index.ts';
import { SSM_PARAMETERS } from '../../../app/config/ssm-secrets.ts';

test('opam repositories: ocaml/opam-repository by default, a comma-separated list, each owner/repo', () => {
  assert.deepEqual(loadConfig({}).opamRepositories, ['ocaml/opam-repository']);
  assert.deepEqual(loadConfig({ CID_OPAM_REPOSITORIES: ' ocaml/opam-repository , acme/opam-overlay,' }).opamRepositories, ['ocaml/opam-repository', 'acme/opam-overlay']);
  assert.deepEqual(loadConfig({ CID_OPAM_REPOSITORIES: '' }).opamRepositories, []);
  assert.throws(() => loadConfig({ CID_OPAM_REPOSITORIES: 'ocaml/opam-repository,not a repo' }), (e: unknown) => e instanceof ConfigError && /CID_OPAM_REPOSITORIES/.test(e.message) && /owner\/repo/.test(e.message));
});

test('the revdeps cap: 500 unless set, a non-negative integer', () => {
  assert.equal(loadConfig({}).opamMaxRevdeps, 500);
  assert.equal(loadConfig({ CID_OPAM_MAX_REVDEPS: '0' }).opamMaxRevdeps, 0);
  assert.throws(() => loadConfig({ CID_OPAM_MAX_REVDEPS: '-1' }), /CID_OPAM_MAX_REVDEPS/);
});

test('the Slack webhook: read from the environment (SSM fills it as slack-webhook-url), a URL, optional', () => {
  assert.equal(SSM_PARAMETERS['slack-webhook-url'], 'CID_SLACK_WEBHOOK_URL');
  assert.equal(loadConfig({}).slackWebhookUrl, undefined);
  assert.equal(loadConfig({ CID_SLACK_WEBHOOK_URL: '' }).slackWebhookUrl, undefined);
  assert.equal(loadConfig({ CID_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x' }).slackWebhookUrl, 'https://hooks.slack.com/services/T/B/x');
  assert.throws(() => loadConfig({ CID_SLACK_WEBHOOK_URL: 'not a url' }), /CID_SLACK_WEBHOOK_URL/);
});
