import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GetParametersCommand } from '@aws-sdk/client-ssm';
import { withSsmSecrets, type SsmLike } from '../../../app/config/ssm-secrets.ts';
import { loadConfig } from '../../../app/config/index.ts';
import { throwawayPrivateKey } from '../../support/control-plane.ts';

/** A Parameter Store holding `values`; records what was asked. */
function fakeSsm(values: Record<string, string>, calls: GetParametersCommand[] = []): SsmLike {
  return {
    send: (async (cmd: GetParametersCommand) => {
      calls.push(cmd);
      const names = cmd.input.Names ?? [];
      return {
        Parameters: names.filter((n) => n in values).map((n) => ({ Name: n, Value: values[n], Type: 'SecureString' })),
        InvalidParameters: names.filter((n) => !(n in values)),
      };
    }) as SsmLike['send'],
  };
}

test('without CID_SSM_PATH the environment is used as it is and SSM is not called', async () => {
  const calls: GetParametersCommand[] = [];
  const env = { CID_STAGE: 'x', WEBHOOK_SECRET: 'from-env' };
  assert.deepEqual(await withSsmSecrets(env, fakeSsm({}, calls)), env);
  assert.equal(calls.length, 0);
});

test('secrets under the path fill the environment, decrypted, and loadConfig gets a configured App', async () => {
  const calls: GetParametersCommand[] = [];
  const key = throwawayPrivateKey();
  const env = await withSsmSecrets(
    { CID_SSM_PATH: '/cid/prod/', CID_STAGE: 'prod', CID_PUBLIC_URL: 'https://default.example', WEBHOOK_SECRET: 'template-default' },
    fakeSsm(
      {
        '/cid/prod/app-id': '1234',
        '/cid/prod/private-key': key,
        '/cid/prod/webhook-secret': 'from-ssm',
        '/cid/prod/admin-token': 'admin-token-0123456789abcdef',
        '/cid/prod/public-url': 'https://ci.example.org',
        '/cid/prod/session-secret': 'session-secret-0123456789abcdef0123456789',
        '/cid/other/runner-secret': 'not for this stage',
      },
      calls,
    ),
  );
  assert.equal(calls.length, 2, 'twelve names, ten a call');
  for (const c of calls) {
    assert.equal(c.input.WithDecryption, true);
    assert.ok((c.input.Names ?? []).length <= 10, 'GetParameters takes at most 10 names');
  }
  assert.equal(env.WEBHOOK_SECRET, 'from-ssm', 'Parameter Store wins over the template default');
  assert.equal(env.CID_PUBLIC_URL, 'https://ci.example.org');
  assert.equal(env.CID_RUNNER_SECRET, undefined);
  const config = loadConfig(env);
  assert.equal(config.github?.appId, 1234);
  assert.equal(config.github?.webhookSecret, 'from-ssm');
  assert.equal(config.adminToken, 'admin-token-0123456789abcdef');
  assert.equal(config.publicUrl, 'https://ci.example.org');
  assert.equal(env.CID_SESSION_SECRET, 'session-secret-0123456789abcdef0123456789', 'found in the second batch');
});

test('an unreadable path fails naming CID_SSM_PATH', async () => {
  const denied: SsmLike = {
    send: (async () => {
      throw new Error('AccessDeniedException: not authorized to perform ssm:GetParameters');
    }) as SsmLike['send'],
  };
  await assert.rejects(withSsmSecrets({ CID_SSM_PATH: '/cid/prod' }, denied), /CID_SSM_PATH: cannot read parameters under \/cid\/prod.*AccessDenied/);
  await assert.rejects(withSsmSecrets({ CID_SSM_PATH: 'cid prod' }, fakeSsm({})), /not an SSM parameter path/);
});
