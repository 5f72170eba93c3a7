// `npm start` as a user runs it: a real process, its data directory surviving a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_ADMIN_TOKEN, until } from '../support/control-plane.ts';
import { ensureDocker } from '../support/images.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

function start(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let out = '';
  // Not NODE_TEST_CONTEXT: the child is a server, not a test file of this run.
  const { NODE_TEST_CONTEXT: _ctx, ...parent } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: ROOT,
    env: { ...parent, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
}

const port = () => String(20000 + Math.floor(Math.random() * 20000));

test('npm start serves health, keeps its data across a restart, and starts a local runner when Docker answers', { timeout: 120_000 }, async () => {
  const docker = await ensureDocker();
  const dataDir = mkdtempSync(join(tmpdir(), 'cid-start-'));
  const env = { CID_DATA_DIR: dataDir, PORT: port(), CID_LOCAL_DYNAMODB_PORT: port(), CID_LOCAL_SQS_PORT: port(), CID_ADMIN_TOKEN: TEST_ADMIN_TOKEN };
  const url = `http://127.0.0.1:${env.PORT}`;
  const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' };

  const first = start(env);
  try {
    const health = await until(async () => {
      const r = await fetch(`${url}/healthz`).catch(() => undefined);
      const h = r?.ok && ((await r.json()) as { components: Record<string, { ok: boolean; detail?: string }> });
      return h && !/starting/.test(h.components.runner?.detail ?? '') && h;
    }, { timeoutMs: 60_000, what: `npm start to answer (${first.output()})` });
    assert.equal(health.components.dynamodb?.ok, true);
    if (docker.skip) assert.match(health.components.runner?.detail ?? '', /no local runner/);
    else assert.match(health.components.runner?.detail ?? '', /local runner on local/);
    const added = await fetch(`${url}/api/admin/repositories`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'keep/me' }) });
    assert.equal(added.status, 201);
    const webhook = await fetch(`${url}/api/github/webhooks`, { method: 'POST', body: '{}' });
    assert.equal(webhook.status, 503, 'without App settings webhooks say what to set');
  } finally {
    const code = await stop(first.child);
    assert.equal(code, 0, `exit ${code}: ${first.output().slice(-1500)}`);
  }

  const second = start(env);
  try {
    const found = await until(async () => {
      const r = await fetch(`${url}/api/admin/repositories/keep/me`, { headers: auth }).catch(() => undefined);
      return r?.status === 200 && r;
    }, { timeoutMs: 60_000, what: 'the restarted server' });
    assert.equal(((await found.json()) as { name: string }).name, 'keep/me');
  } finally {
    await stop(second.child);
  }
});

test('a bad setting stops npm start at once, naming the variable', async () => {
  const { child, output } = start({ PORT: 'eighty', CID_DATA_DIR: mkdtempSync(join(tmpdir(), 'cid-bad-')) });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.equal(code, 78);
  assert.match(output(), /PORT: /);
});
