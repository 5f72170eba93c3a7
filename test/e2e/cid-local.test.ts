// `cid local` as a user runs it: the real command (cli/bin.js) on a git repository made from
// the fixture project, building with local Docker and the locally made OCaml image.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { busyboxImage, canEmulateArm64, ensureDocker, ocamlImage } from '../support/images.ts';
import { jobIdFor } from '../../app/store/index.ts';
import { pipelineId } from '../../lib/contract/index.ts';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/ocaml-project/', import.meta.url));
const OK = 'debian-12-4.13_opam-2.5';
const FAILING = 'debian-12-failing-4.13_opam-2.5';
const ARM = 'debian-12-4.13_arm64_opam-2.5';

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function cid(args: string[], env: Record<string, string> = {}): Run {
  let out = '';
  let err = '';
  const child = spawn(process.execPath, [BIN, 'local', ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
      // Step-cache images of these runs under a name of their own.
      CID_CACHE_PREFIX: 'cid-test-local',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

async function waitFor<T>(what: string, run: Run, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void run.exit.then(() => (ended = true));
  for (;;) {
    const v = await f();
    if (v) return v;
    if (ended) throw new Error(`cid local ended before ${what}:\n${run.stdout()}\n${run.stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${run.stdout()}\n${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-C', dir, '-c', 'user.name=cid', '-c', 'user.email=cid@example.org', ...args], { encoding: 'utf8' }).trim();

/** The fixture as a fresh repository; the nonce keeps the step cache from answering for its builds. */
function project(): { path: string; sha: string; repo: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'cid-local-')), 'ocaml-project');
  cpSync(FIXTURE, path, { recursive: true });
  writeFileSync(join(path, '.nonce'), randomBytes(8).toString('hex'));
  git(path, 'init', '-q', '-b', 'main');
  git(path, 'add', '-A');
  git(path, 'commit', '-q', '-m', 'the fixture project');
  return { path, sha: git(path, 'rev-parse', 'HEAD'), repo: `local/${basename(path)}` };
}

function catalogue(image: string, which: ('ok' | 'failing' | 'arm64')[]): string {
  const entries = {
    ok: `- { distro: debian-12, ocamlVersion: "4.13", image: "${image}", preinstalled: true }`,
    failing: `- { distro: debian-12-failing, ocamlVersion: "4.13", image: "${image}", preinstalled: true, env: { CID_FIXTURE_FAIL: "1" } }`,
    arm64: `- { distro: debian-12, ocamlVersion: "4.13", arch: arm64, image: "${image}", preinstalled: true }`,
  };
  const file = join(mkdtempSync(join(tmpdir(), 'cid-local-platforms-')), 'platforms.yml');
  writeFileSync(file, which.map((w) => entries[w]).join('\n') + '\n');
  return file;
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

// One at a time: builds in parallel contend for the engine (vfs copies whole images) and all slow down.
describe('cid local with Docker', () => {
  let skip: string | false = false;
  let image = '';
  let docker: Docker | undefined;
  before(async () => {
    const engine = await ensureDocker();
    skip = engine.skip;
    docker = engine.docker;
    if (!skip) image = await ocamlImage();
  });

  test('a failing platform fails the run: the --json document, plain progress, logs served while --serve keeps the UI up', { timeout: 600_000 }, async (t) => {
    if (skip) return t.skip(skip);
    const p = project();
    const run = cid([p.path, '--platforms', catalogue(image, ['ok', 'failing', 'arm64']), '--port', '0', '--jobs', '2', '--json', '--serve']);
    try {
      await waitFor('the run to end', run, () => run.stderr().includes('serving the UI at'), 540_000);
      // stdout is the document and nothing else.
      const doc = JSON.parse(run.stdout());
      assert.equal(doc.repo, p.repo);
      assert.equal(doc.path, git(p.path, 'rev-parse', '--show-toplevel'));
      assert.deepEqual(doc.commit, { sha: p.sha, ref: 'refs/heads/main', subject: 'the fixture project' });
      assert.equal(doc.uncommitted, 0);
      assert.equal(doc.status, 'failed');
      const byName = Object.fromEntries((doc.jobs as any[]).map((j) => [j.name, j]));
      assert.deepEqual(Object.keys(byName).sort(), ['(analysis)', ARM, OK, FAILING].sort());
      assert.equal(byName['(analysis)'].status, 'passed');
      assert.equal(byName[OK].status, 'passed', byName[OK].reason);
      assert.equal(byName[OK].pool, 'linux-x86_64');
      assert.ok(byName[OK].duration > 0);
      assert.equal(byName[FAILING].status, 'failed');
      assert.match(byName[FAILING].reason, /^test\/platform-check\/needs_ounit\.ml:2: Error: Unbound module OUnit2 \(step \d+ exited with 1\)$/);
      assert.equal(byName[ARM].status, 'skipped');
      assert.equal(byName[ARM].pool, 'linux-arm64');
      assert.equal(byName[ARM].duration, null);
      assert.match(byName[ARM].reason, /^not run locally: no linux-arm64 runner on this machine/);
      assert.deepEqual((doc.dropped as any[]).map((d) => d.variant).sort(), ['(lint-doc)', '(lint-opam)']);

      // Every job's page and log answer while the UI is kept up.
      const logs: Record<string, string> = {};
      for (const j of doc.jobs as any[]) {
        assert.match(j.url, new RegExp(`^http://localhost:\\d+/github/${p.repo}/commit/${p.sha}/variant/`));
        const page = await fetch(j.url);
        assert.equal(page.status, 200, j.url);
        const log = await fetch(j.log);
        assert.equal(log.status, 200, j.log);
        logs[j.name] = await log.text();
      }
      assert.match(logs[FAILING]!, /FAIL platform check/);
      assert.doesNotMatch(logs[OK]!, /FAIL platform check/);
      assert.match(logs[ARM]!, /not run locally: no linux-arm64 runner on this machine/);
      assert.equal((await fetch(doc.url)).status, 200);

      // With --json, progress goes to stderr as plain lines, one per change.
      const err = run.stderr();
      assert.match(err, /^UI: http:\/\/localhost:\d+\/github\/local\/ocaml-project\/commit\/[0-9a-f]{40}$/m);
      assert.match(err, new RegExp(`^running {3}${FAILING.replace(/\./g, '\\.')}$`, 'm'));
      assert.match(err, new RegExp(`^failed {4}${FAILING.replace(/\./g, '\\.')} in \\d[\\dhms]*: test/platform-check/needs_ounit\\.ml:2: Error: Unbound module OUnit2 \\(step \\d+ exited with 1\\)$`, 'm'));
      assert.match(err, new RegExp(`^passed {4}${OK.replace(/\./g, '\\.')} in \\d[\\dhms]*$`, 'm'));
      assert.match(err, new RegExp(`^skipped {3}${ARM.replace(/\./g, '\\.')}: not run locally`, 'm'));
      assert.equal(lines(err).filter((l) => l.startsWith(`failed    ${FAILING}`)).length, 1, 'one line per state change');
      assert.match(err, /^failed: .*1 failed/m);
    } finally {
      run.child.kill('SIGINT');
    }
    assert.equal(await run.exit, 1, 'a required job failed');
  });

  test('a passing catalogue exits 0; uncommitted changes are left out with one warning', { timeout: 600_000 }, async (t) => {
    if (skip) return t.skip(skip);
    const p = project();
    // Were it built, this would break the build: the run must build HEAD only.
    writeFileSync(join(p.path, 'alpha', 'alpha.ml'), 'this is not OCaml\n');
    const run = cid([p.path, '--platforms', catalogue(image, ['ok']), '--port', '0']);
    const code = await run.exit;
    const out = lines(run.stdout());
    assert.equal(code, 0, `${run.stdout()}\n${run.stderr()}`);
    assert.equal(out[0], `cid local: ${p.repo} @ ${p.sha.slice(0, 12)} (main) the fixture project`);
    assert.match(out[1]!, new RegExp(`^UI: http://localhost:\\d+/github/${p.repo}/commit/${p.sha}$`));
    assert.ok(out.some((l) => /^passed {4}\(analysis\) in \d[\dhms]*$/.test(l)), run.stdout());
    assert.ok(out.some((l) => new RegExp(`^passed {4}${OK.replace(/\./g, '\\.')} in \\d[\\dhms]*$`).test(l)), run.stdout());
    assert.ok(out.some((l) => l.startsWith(`passed: 2 passed — http://localhost:`)));
    assert.deepEqual(lines(run.stderr()), [`cid: warning: 1 uncommitted change is not included: cid local builds the last commit, ${p.sha.slice(0, 12)}`]);
    assert.doesNotMatch(run.stdout(), /\x1b\[/, 'no cursor movement or colour when stdout is not a terminal');
  });

  test('Ctrl-C cancels the run: its containers are stopped and it exits with 130', { timeout: 300_000 }, async (t) => {
    if (skip || !docker) return t.skip(skip || 'no docker');
    const d = docker;
    const p = project();
    const run = cid([p.path, '--platforms', catalogue(image, ['failing']), '--port', '0']);
    const prefix = `cid-${jobIdFor(pipelineId(p.repo, p.sha), FAILING)}`;
    const ours = async (all: boolean) => d.listContainers({ all, filters: { name: [prefix] } });
    await waitFor('a build container to run', run, async () => (await ours(false)).some((c) => c.State === 'running'), 240_000);
    run.child.kill('SIGINT');
    const code = await Promise.race([run.exit, new Promise((r) => setTimeout(() => r('still running'), 60_000))]);
    assert.equal(code, 130, `${run.stdout()}\n${run.stderr()}`);
    assert.match(run.stderr(), /^cid: interrupted: cancelling the jobs/m);
    assert.match(run.stdout(), new RegExp(`^cancelled ${FAILING.replace(/\./g, '\\.')} ?(?:in \\d[\\dhms]*)?: cancelled: cid local was interrupted$`, 'm'));
    assert.deepEqual(await ours(true), [], 'no container of the run is left');
  });

  test('--emulate runs linux-arm64 jobs under qemu on a runner of that pool instead of skipping them', { timeout: 300_000 }, async (t) => {
    if (skip) return t.skip(skip);
    if (!canEmulateArm64()) {
      await ensureDocker({ arm64: true }); // fails in CI, where emulation must be there
      return t.skip('no qemu for arm64');
    }
    // Busybox has no dune: the job fails in its build step, which shows it ran (an arm64 binary, emulated).
    const arm = await busyboxImage('arm64');
    const file = join(mkdtempSync(join(tmpdir(), 'cid-local-platforms-')), 'arm.yml');
    writeFileSync(file, `- { distro: debian-12, ocamlVersion: "4.13", arch: arm64, image: "${arm}", preinstalled: true }\n`);
    const p = project();
    const run = cid([p.path, '--platforms', file, '--port', '0', '--json', '--emulate', '--serve']);
    try {
      await waitFor('the run to end', run, () => run.stderr().includes('serving the UI at'), 240_000);
      const doc = JSON.parse(run.stdout());
      const job = (doc.jobs as any[]).find((j) => j.name === ARM);
      assert.equal(job.status, 'failed', job.reason);
      assert.match(job.reason, /^step \d+ exited with 127$/);
      const log = await (await fetch(job.log)).text();
      assert.match(log, /\[cid\] debian-12-4\.13_arm64_opam-2\.5 on local-linux-arm64 \(linux-arm64\)/);
    } finally {
      run.child.kill('SIGINT');
    }
    assert.equal(await run.exit, 1);
  });

  test('a repository without opam files: the analysis says so in one sentence, exit 1', { timeout: 120_000 }, async (t) => {
    if (skip) return t.skip(skip);
    const dir = mkdtempSync(join(tmpdir(), 'cid-local-noopam-'));
    writeFileSync(join(dir, 'README.md'), 'no OCaml here\n');
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'docs');
    const run = cid([dir, '--port', '0', '--json']);
    assert.equal(await run.exit, 1);
    const doc = JSON.parse(run.stdout());
    assert.equal(doc.status, 'failed');
    assert.equal(doc.error, 'No opam files found!');
    assert.deepEqual((doc.jobs as any[]).map((j) => [j.name, j.status]), [['(analysis)', 'failed']]);
    const sha = git(dir, 'rev-parse', 'HEAD');
    assert.ok(lines(run.stderr()).includes(`the analysis of local/${basename(dir)} at ${sha.slice(0, 12)} failed: No opam files found!`), run.stderr());
  });
});

test('no Docker engine: one sentence, exit 6, nothing started', async () => {
  const p = project();
  const run = cid([p.path], { DOCKER_HOST: 'unix:///nonexistent.sock' });
  assert.equal(await run.exit, 6);
  assert.equal(run.stdout(), '');
  assert.deepEqual(lines(run.stderr()), [
    'cid: no Docker engine answers at unix:///nonexistent.sock (ENOENT): start Docker, or point DOCKER_HOST at one, and run cid local again',
  ]);
});

test('a path that is not a git repository, or has no commits: one sentence, exit 2', async () => {
  const plain = mkdtempSync(join(tmpdir(), 'cid-local-plain-'));
  const notGit = cid([plain]);
  assert.equal(await notGit.exit, 2);
  assert.deepEqual(lines(notGit.stderr()), [`cid: ${plain} is not a git repository: cid local builds the HEAD commit of one (git init, then commit)`]);
  assert.equal(notGit.stdout(), '');
  git(plain, 'init', '-q');
  const empty = cid([plain]);
  assert.equal(await empty.exit, 2);
  assert.deepEqual(lines(empty.stderr()), [`cid: ${plain} has no commits yet: commit your work first, since cid local builds HEAD`]);
});
