import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startHarness, type Harness } from '../support/github-harness.ts';
import { TEST_ADMIN_TOKEN, until } from '../support/control-plane.ts';
import { appendLog, logLine, seedCommit, settled } from '../app/web/support.ts';

// The real `cid` command (cli/bin.js, as npm installs it) against a running control plane.
const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
let h: Harness;
const INST = 2121;
const REPO = 'clico/alpha';
const WRITER = 'gho_cliwriter000000000000000000000000';
let main: Awaited<ReturnType<typeof seedCommit>>;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cid(args: string[], env: Record<string, string> = {}, onStdout?: (text: string) => void): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CID_API_URL: h.cp.url, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

before(async () => {
  h = await startHarness();
  h.fake.addInstallation({ id: INST, account: 'clico', repositories: [REPO] });
  h.fake.addUser({ login: 'cliwriter', token: WRITER, permissions: { [REPO]: 'write' } });
  main = await seedCommit(h, {
    repo: REPO,
    installationId: INST,
    jobs: [
      { name: 'debian-12-5.3_opam-2.3', status: 'passed', log: [logLine('\x1b[32mbuilt\x1b[0m ok'), logLine('tests passed')] },
      { name: 'debian-12-4.14_opam-2.3', status: 'failed', reason: 'exit 1' },
    ],
    dropped: [{ variant: 'windows-5.3', reason: 'no pool' }],
  });
  await settled(h.cp, main.pipelineId, 'failed');
});
after(() => h.stop());

test('cid <repo> lists branches and PRs with their state', async () => {
  const r = await cid([REPO]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^main\\s+${main.sha.slice(0, 12)}\\s+failed$`, 'm'));
});

test('cid <repo> <ref> lists every job; the exit status says the commit failed', async () => {
  for (const ref of ['main', 'refs/heads/main', main.sha.slice(0, 7), main.sha]) {
    const r = await cid([REPO, ref]);
    assert.equal(r.code, 1, `${ref}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^${REPO} @ ${main.sha.slice(0, 12)}: failed \\(refs/heads/main\\)$`, 'm'));
    assert.match(r.stdout, /^failed\s+debian-12-4\.14_opam-2\.3\s+\d+s\s+exit 1$/m);
    assert.match(r.stdout, /^passed\s+debian-12-5\.3_opam-2\.3\s+\d+s$/m);
    assert.match(r.stdout, /^not built: windows-5\.3 \(no pool\)$/m);
    assert.ok(!r.stdout.includes('\x1b['), 'no colour when not on a terminal');
  }
  const json = await cid([REPO, 'main', '--json']);
  const parsed = JSON.parse(json.stdout) as { pipeline: { sha: string; status: string }; jobs: { name: string }[] };
  assert.equal(parsed.pipeline.sha, main.sha);
  assert.equal(parsed.jobs.length, 3);
});

test('cid <repo> <ref> <variant> [status] says how one job went', async () => {
  const ok = await cid([REPO, 'main', 'debian-12-5.3_opam-2.3']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^debian-12-5\.3_opam-2\.3: passed \(\d+s\)$/m);
  const bad = await cid([REPO, 'main', 'debian-12-4.14_opam-2.3', 'status']);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /failed .* — exit 1/);
});

test('cid … log prints a finished job’s log without colour codes when piped', async () => {
  const r = await cid([REPO, 'main', 'debian-12-5.3_opam-2.3', 'log']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\d{4}-\d\d-\d\d \d\d:\d\d\.\d\d: built ok\n\d{4}-\d\d-\d\d \d\d:\d\d\.\d\d: tests passed\n$/);
});

test('cid … log follows a running job until it ends, and exits with its result', async () => {
  const s = await seedCommit(h, { repo: REPO, installationId: INST, ref: 'refs/heads/follow', jobs: [{ name: 'debian-12-5.3_opam-2.3', status: 'running', log: [logLine('step 1')] }] });
  const job = s.jobs.get('debian-12-5.3_opam-2.3');
  assert.ok(job);
  let seen = '';
  const running = cid([REPO, 'follow', 'debian-12-5.3_opam-2.3', 'log', '--interval', '0.2'], {}, (out) => (seen = out));
  await until(async () => seen.includes('step 1'), { what: 'the first line', timeoutMs: 20_000 });
  await appendLog(h.cp, job, [logLine('step 2')], 1);
  await until(async () => seen.includes('step 2'), { what: 'the appended line', timeoutMs: 20_000 });
  await appendLog(h.cp, job, [logLine('step 3: failing')], 2);
  await h.cp.svc.store.jobs.finish(job.id, 'test-runner', { status: 'failed', reason: 'exit 2' });
  const r = await running;
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(r.stdout.split('\n').filter(Boolean).map((l) => l.replace(/^[^:]+:\d\d\.\d\d: /, '')), ['step 1', 'step 2', 'step 3: failing']);
});

test('status of an unfinished job exits 8, or waits with --wait', async () => {
  const s = await seedCommit(h, { repo: REPO, installationId: INST, ref: 'refs/heads/slow', jobs: [{ name: 'debian-12-5.3_opam-2.3', status: 'running' }] });
  const r = await cid([REPO, 'slow', 'debian-12-5.3_opam-2.3']);
  assert.equal(r.code, 8);
  assert.match(r.stdout, /running/);
  const job = s.jobs.get('debian-12-5.3_opam-2.3');
  assert.ok(job);
  // The job finishes once the server has shown it running to the waiting CLI twice: it polls.
  const jobs = h.cp.svc.store.jobs;
  const get = jobs.get.bind(jobs);
  let shownRunning = 0;
  const polled = new Promise<void>((resolve) => {
    jobs.get = async (...args: Parameters<typeof get>) => {
      const j = await get(...args);
      if (args[0] === job.id && j?.status === 'running' && ++shownRunning === 2) resolve();
      return j;
    };
  });
  const waiting = cid([REPO, 'slow', 'debian-12-5.3_opam-2.3', '--wait', '--interval', '0.2']);
  const ended = waiting.then((w) => Promise.reject(new Error(`the CLI ended without waiting (exit ${w.code}): ${w.stdout}${w.stderr}`)));
  ended.catch(() => undefined); // it rejects once the CLI exits, also after it has waited as it should
  await Promise.race([polled, ended]).finally(() => (jobs.get = get));
  await h.cp.svc.store.jobs.finish(job.id, 'test-runner', { status: 'passed' });
  const w = await waiting;
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout, /passed/);
});

test('rebuild and cancel need a token with write access', async () => {
  const s = await seedCommit(h, { repo: REPO, installationId: INST, ref: 'refs/heads/acts', jobs: [{ name: 'debian-12-5.3_opam-2.3', status: 'failed' }, { name: 'debian-12-4.14_opam-2.3', status: 'passed' }] });
  const denied = await cid([REPO, 'acts', 'rebuild']);
  assert.equal(denied.code, 3);
  assert.match(denied.stderr, /Authorization: Bearer/);
  const failedOnly = await cid([REPO, 'acts', 'rebuild', '--failed'], { CID_TOKEN: WRITER });
  assert.equal(failedOnly.code, 0, failedOnly.stderr);
  assert.match(failedOnly.stdout, /1 job queued again/);
  const id = (n: string) => s.jobs.get(n)?.id ?? '';
  assert.equal((await h.cp.svc.store.jobs.get(id('debian-12-5.3_opam-2.3')))?.status, 'queued');
  assert.equal((await h.cp.svc.store.jobs.get(id('debian-12-4.14_opam-2.3')))?.status, 'passed');
  const cancel = await cid([REPO, 'acts', 'debian-12-5.3_opam-2.3', 'cancel', '--token', TEST_ADMIN_TOKEN]);
  assert.equal(cancel.code, 0, cancel.stderr);
  assert.match(cancel.stdout, /debian-12-5\.3_opam-2\.3: cancelling/);
  assert.equal((await h.cp.svc.store.jobs.get(id('debian-12-5.3_opam-2.3')))?.status, 'cancelled');
  const job = await cid([REPO, 'acts', 'debian-12-4.14_opam-2.3', 'rebuild', '--json'], { CID_TOKEN: TEST_ADMIN_TOKEN });
  assert.equal((JSON.parse(job.stdout) as { changed: boolean }).changed, true);
});

test('unknown things exit 4; usage mistakes exit 2', async () => {
  const missing = [
    await cid(['clico/none']),
    await cid([REPO, 'no-such-branch']),
    await cid([REPO, 'main', 'no-such-variant']),
    await cid([REPO, 'pull/99', 'status']),
  ];
  for (const r of missing) {
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /^cid: /);
  }
  const usage = [await cid([]), await cid(['not-a-repo']), await cid([REPO, 'abc12']), await cid([REPO, 'main', 'log']), await cid([REPO, 'a', 'b', 'c', 'd']), await cid([REPO, '--bogus'])];
  for (const r of usage) assert.equal(r.code, 2, `${r.stdout}${r.stderr}`);
  // Names GitHub would not allow and over-long refs or variants are usage mistakes, said before any request.
  for (const args of [['../..'], ['a_b/repo'], [REPO, 'x'.repeat(3000)], [REPO, 'main', 'v'.repeat(3000)]]) {
    const r = await cid(args);
    assert.equal(r.code, 2, `${args.join(' ').slice(0, 60)}: ${r.stderr}`);
    assert.match(r.stderr, /owner\/repo|at most/);
  }
  const help = await cid(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: cid <owner\/repo> \[ref\|sha\] \[variant\] \[status\|log\|rebuild\|cancel\]/);
});
