// The systemd unit's exact command line and env file start a real runner process against the
// local stack; killing it mid-job (SIGKILL) leaves the job to another runner, which completes it once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { startTestControlPlane, until } from '../../support/control-plane.ts';
import { ensureDocker, busyboxImage } from '../../support/images.ts';
import { RUNNER_CP_ENV, gitRepo, logText, plannedJob, runnerEnv, submitJobs, testRunner, waitJob } from '../../support/runner-harness.ts';
import type { ControlPlane } from '../../../local/start-control-plane.ts';

const ROOT = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
const UNIT = readFileSync(join(ROOT, 'infra/runner/cid-runner@.service'), 'utf8');
const ENV_EXAMPLE = readFileSync(join(ROOT, 'infra/runner/cid-runner.env.example'), 'utf8');

function parseEnvLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/** What systemd would run for `cid-runner@<pool>`: ExecStart with %i and ${VAR} expanded, and its environment. */
function unitCommand(pool: string, envFile: string): { argv: string[]; env: Record<string, string> } {
  const env: Record<string, string> = {};
  for (const m of UNIT.matchAll(/^Environment=([A-Za-z_][A-Za-z0-9_]*)=(.*)$/gm)) env[m[1]!] = m[2]!;
  Object.assign(env, parseEnvLines(readFileSync(envFile, 'utf8')));
  const exec = /^ExecStart=(.*)$/m.exec(UNIT)?.[1];
  assert.ok(exec, 'the unit has an ExecStart');
  const argv = exec
    .replaceAll('/opt/cid', ROOT)
    .replaceAll('%i', pool)
    .split(/\s+/)
    .map((a) => a.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, k: string) => env[k] ?? ''));
  return { argv, env };
}

let cp: ControlPlane | undefined;
let image = '';
let skip: string | false = false;
let child: ChildProcess | undefined;

before(async () => {
  skip = (await ensureDocker()).skip;
  if (skip) return;
  image = await busyboxImage('amd64');
  cp = await startTestControlPlane({ ...RUNNER_CP_ENV });
});
after(async () => {
  child?.kill('SIGKILL');
  await cp?.stop();
});

test("the unit's ExecStart and env file run a runner; SIGKILL mid-job → another runner completes the job once", { timeout: 120_000 }, async (t) => {
  if (skip || !cp) return t.skip(skip || 'no control plane');
  // The operator's env file: the example, filled in for this machine's local stack.
  const envFile = join(mkdtempSync(join(tmpdir(), 'cid-unit-')), 'runner.env');
  const local = runnerEnv(cp, 'unit-runner', {
    CID_BACKEND: 'embedded',
    CID_RUNNER_ID: 'unit-runner',
    CID_RUNNER_VISIBILITY_SECONDS: '5',
    CID_RUNNER_CONCURRENCY: '1',
    CID_RUNNER_METRICS_PORT: '0',
  });
  writeFileSync(envFile, `${ENV_EXAMPLE}\n# test overrides\n${Object.entries(local).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  const { argv, env } = unitCommand('linux-x86_64', envFile);
  assert.match(argv.join(' '), /runner\/bin\.js --pool linux-x86_64 --concurrency 1 --metrics-port 0$/);

  const src = gitRepo({ 'a.txt': 'a' });
  const [job] = await submitJobs(cp, {
    repo: 'local/unit',
    sha: src.sha,
    source: { kind: 'local', path: src.path, sha: src.sha },
    jobs: [plannedJob('survives-a-kill', 'linux-x86_64', image, ['echo begin; sleep 4; echo end'])],
  });
  let stderr = '';
  child = spawn(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const first = await waitJob(cp, job!.id, (j) => j.status === 'running', 30_000).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; runner stderr: ${stderr}`);
  });
  assert.equal(first.runnerId, 'unit-runner');
  assert.equal(first.attempt, 1);
  // Wait for the step container, then kill the runner: its container is left running.
  const docker = new Docker();
  const orphan = await until(async () => {
    const cs = await docker.listContainers({ all: true });
    return cs.find((c) => c.Names.some((n) => n.includes(`cid-${job!.id}-step`)));
  }, { timeoutMs: 30_000, what: 'the job container' });
  child.kill('SIGKILL');

  const second = await testRunner(cp, 'linux-x86_64', { id: 'takes-over', env: { CID_RUNNER_VISIBILITY_SECONDS: '5' } });
  try {
    const done = await waitJob(cp, job!.id, (j) => j.status === 'passed', 60_000);
    assert.equal(done.runnerId, 'takes-over');
    assert.equal(done.attempt, 2);
    assert.match(await logText(cp, done), /: end$/m);
    const left = await docker.listContainers({ all: true });
    assert.ok(!left.some((c) => c.Id === orphan.Id), "the dead runner's container was stopped by the runner that took the job over");
    // Completed once: the first attempt never finished, and once no message of the job is left on
    // its queue (the dead runner's included) nothing can claim it again.
    const url = cp.svc.queues.jobQueueUrl('linux-x86_64', 'urgent');
    await until(
      async () => {
        const d = await cp!.svc.queues.depth(url);
        return d.visible + d.inFlight + d.delayed === 0;
      },
      { timeoutMs: 30_000, what: 'no message of the job left on its queue' },
    );
    const later = await cp.svc.store.jobs.get(job!.id);
    assert.equal(later?.attempt, 2);
    assert.equal(later?.finishedAt, done.finishedAt);
  } finally {
    await second.stop(0);
  }
});

test('after too many attempts the job is dead-lettered and marked errored, not failed', { timeout: 60_000 }, async (t) => {
  if (skip || !cp) return t.skip(skip || 'no control plane');
  const src = gitRepo({ 'a.txt': 'a' });
  const [job] = await submitJobs(cp, {
    repo: 'local/dlq',
    sha: src.sha,
    source: { kind: 'local', path: src.path, sha: src.sha },
    jobs: [plannedJob('never-finishes', 'linux-s390x', image, ['true'])],
  });
  // Runners that take the message and die without finishing, as many times as SQS allows.
  const url = cp.svc.queues.jobQueueUrl('linux-s390x', 'urgent');
  for (let i = 0; i < 3; i++) {
    // A long poll returns the message as soon as its 1 s visibility has run out.
    const [m] = await cp.svc.queues.receive(url, { max: 1, waitSeconds: 5, visibilitySeconds: 1 });
    assert.ok(m, `receive ${i + 1}`);
  }
  // Visible again after too many receives, it goes to the dead-letter queue instead of a runner;
  // the sweeper then marks the job.
  const { sweepDeadLetters } = await import('../../../app/sweeper/index.ts');
  const swept = await until(
    async () => {
      assert.deepEqual(await cp!.svc.queues.receive(url, { max: 1, waitSeconds: 1 }), []);
      const r = await sweepDeadLetters(cp!.svc);
      return r.errored > 0 && r;
    },
    { timeoutMs: 30_000, what: 'the job message to be dead-lettered' },
  );
  assert.deepEqual(swept, { errored: 1 });
  const errored = await cp.svc.store.jobs.get(job!.id);
  assert.equal(errored?.status, 'errored');
  assert.match(errored?.reason ?? '', /infrastructure: no runner finished this job in 3 attempts/);
});
