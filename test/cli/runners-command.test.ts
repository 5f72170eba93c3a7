import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestControlPlane, TEST_ADMIN_TOKEN } from '../support/control-plane.ts';
import { RUNNER_SECRET } from '../support/runner-harness.ts';
import { bootstrapToken } from '../../app/runner-api/index.ts';
import type { ControlPlane } from '../../local/start-control-plane.ts';

// `cid runners …` (cli/bin.js) against a control plane's admin API.
const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
let cp: ControlPlane;

before(async () => {
  cp = await startTestControlPlane({ CID_RUNNER_SECRET: RUNNER_SECRET }, { sweeper: false, consumeResults: false, consumeEvents: false });
});
after(() => cp.stop());

function cid(args: string[], token = TEST_ADMIN_TOKEN): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CID_API_URL: cp.url, CID_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('cid runners prints a pool bootstrap token, lists the runners and revokes one', async () => {
  const tok = await cid(['runners', 'bootstrap-token', 'linux-arm64']);
  assert.equal(tok.code, 0, tok.stderr);
  assert.equal(tok.stdout.trim(), bootstrapToken(RUNNER_SECRET, 'linux-arm64'));
  assert.equal((await cid(['runners', 'bootstrap-token', 'vax'])).code, 2);

  const res = await fetch(`${cp.url}/api/runner/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tok.stdout.trim()}` },
    body: JSON.stringify({ runnerId: 'arm-7', pool: 'linux-arm64', host: 'arm-7.example', version: '1.2.3', concurrency: 4 }),
  });
  assert.equal(res.status, 200);

  const list = await cid(['runners']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /arm-7\s+linux-arm64\s+arm-7\.example\s+1\.2\.3/);
  const revoked = await cid(['runners', 'revoke', 'arm-7']);
  assert.equal(revoked.code, 0, revoked.stderr);
  assert.match(revoked.stdout, /runner arm-7 revoked at .*; 0 jobs queued again/);
  const json = JSON.parse((await cid(['--json', 'runners'])).stdout) as { runners: { id: string; revoked: boolean }[] };
  assert.deepEqual(json.runners.map((r) => [r.id, r.revoked]), [['arm-7', true]]);
  assert.equal((await cid(['runners', 'revoke', 'nobody'])).code, 4);
  const denied = await cid(['runners'], 'not-the-admin-token-000');
  assert.equal(denied.code, 3);
  assert.match(denied.stderr, /bad admin token/);
});
