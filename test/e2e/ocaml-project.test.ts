// End to end: a signed push webhook → (analysis) on a runner → build jobs → real OCaml compiled
// and tested in Docker, reported as check runs by the control plane alone (runners never write to GitHub).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startHarness, type Harness } from '../support/github-harness.ts';
import { until } from '../support/control-plane.ts';
import { ensureDocker, ocamlImage } from '../support/images.ts';
import { RUNNER_CP_ENV, logText, testRunner } from '../support/runner-harness.ts';
import { makePushPayload } from '../support/webhooks.ts';
import { pipelineId } from '../../lib/contract/index.ts';

const FIXTURE = new URL('../fixtures/ocaml-project/', import.meta.url).pathname;
const REPO = 'ocaml-e2e/project';
const INST = 31337;
const SHA = 'e2e0000000000000000000000000000000000001';

function fixtureFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(FIXTURE, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(FIXTURE);
  return out;
}

let h: Harness | undefined;
let skip: string | false = false;
let image = '';

before(async () => {
  skip = (await ensureDocker()).skip;
  if (skip) return;
  image = await ocamlImage();
  const dir = mkdtempSync(join(tmpdir(), 'cid-e2e-'));
  const catalogue = join(dir, 'platforms.yml');
  writeFileSync(
    catalogue,
    [
      `- { distro: debian-12, ocamlVersion: "4.13", image: "${image}", preinstalled: true }`,
      `- { distro: debian-12-failing, ocamlVersion: "4.13", image: "${image}", preinstalled: true, env: { CID_FIXTURE_FAIL: "1" } }`,
      '',
    ].join('\n'),
  );
  h = await startHarness({ CID_PLATFORMS: catalogue, ...RUNNER_CP_ENV });
  h.fake.addInstallation({ id: INST, account: 'ocaml-e2e', repositories: [REPO] });
  h.fake.setRepoFiles(REPO, SHA, fixtureFiles(), { refs: ['main'] });
});
after(async () => {
  await h?.stop();
});

test('a push builds and tests a two-package OCaml project on two platforms; one fails on purpose', { timeout: 600_000 }, async (t) => {
  if (skip || !h) return t.skip(skip || 'no harness');
  const { cp, fake } = h;
  const runner = await testRunner(cp, 'linux-x86_64', { env: { CID_RUNNER_CONCURRENCY: '2' } });
  try {
    const r = await h.deliver('push', makePushPayload({ repo: REPO, sha: SHA, installationId: INST }));
    assert.equal(r.result?.action, 'pipeline');
    const pid = pipelineId(REPO, SHA);
    const pipeline = await until(
      async () => {
        const p = await cp.svc.store.pipelines.get(pid);
        return p && ['passed', 'failed', 'errored', 'cancelled'].includes(p.status) && p;
      },
      { timeoutMs: 540_000, what: 'the pipeline to finish' },
    );
    const jobs = await cp.svc.store.jobs.listByPipeline(pid);
    const byName = Object.fromEntries(jobs.map((j) => [j.name, j]));
    assert.deepEqual(Object.keys(byName).sort(), ['(analysis)', 'debian-12-4.13_opam-2.5', 'debian-12-failing-4.13_opam-2.5']);
    assert.equal(byName['(analysis)']?.status, 'passed');
    const ok = byName['debian-12-4.13_opam-2.5']!;
    const bad = byName['debian-12-failing-4.13_opam-2.5']!;
    assert.equal(ok.status, 'passed', `${ok.reason}\n${await logText(cp, ok)}`);
    assert.equal(bad.status, 'failed');
    // The reason says why, as the first error of the failed step (then the step and its status).
    assert.match(bad.reason ?? '', /^test\/platform-check\/needs_ounit\.ml:2: Error: Unbound module OUnit2 \(step \d+ exited with 1\)$/);
    assert.equal(pipeline.status, 'failed');
    assert.match(await logText(cp, bad), /FAIL platform check/);
    const okLog = await logText(cp, ok);
    assert.match(okLog, /dune build/);
    assert.doesNotMatch(okLog, /FAIL platform check/);

    // GitHub: every job's check run completed with its conclusion, and the summary.
    const runs = await until(
      async () => {
        const rs = fake.state.checkRuns.filter((c) => c.head_sha === SHA);
        const summary = rs.find((c) => c.name === 'cid');
        return rs.length === 4 && summary?.status === 'completed' && rs.every((c) => c.status === 'completed') && rs;
      },
      { timeoutMs: 30_000, what: 'completed check runs' },
    );
    const conclusion = (name: string) => runs.find((c) => c.name === name)?.conclusion;
    assert.equal(conclusion('(analysis)'), 'success');
    assert.equal(conclusion('debian-12-4.13_opam-2.5'), 'success');
    assert.equal(conclusion('debian-12-failing-4.13_opam-2.5'), 'failure');
    assert.equal(conclusion('cid'), 'failure');
    const summary = runs.find((c) => c.name === 'cid')?.output.summary ?? '';
    assert.match(summary, /✅ \[debian-12-4\.13_opam-2\.5 \(passed\)\]/);
    assert.match(summary, /❌ \[debian-12-failing-4\.13_opam-2\.5 \(failed: test\/platform-check\/needs_ounit\.ml:2: Error: Unbound module OUnit2 \(step \d+ exited with 1\)\)\]/);
    // The failing job's own check run says it too.
    assert.match(
      runs.find((c) => c.name === 'debian-12-failing-4.13_opam-2.5')?.output.summary ?? '',
      /failed \(test\/platform-check\/needs_ounit\.ml:2: Error: Unbound module OUnit2 \(step \d+ exited with 1\)\)/,
    );
    // The control plane completed the failing job's check run with its log's tail (from the logs
    // store) and the compiler's diagnostic the runner found, as an annotation.
    const failing = runs.find((c) => c.name === 'debian-12-failing-4.13_opam-2.5');
    assert.match(failing?.output.text ?? '', /FAIL platform check/);
    assert.ok(failing?.annotations.some((a) => a.path === 'test/platform-check/needs_ounit.ml' && a.start_line === 2), JSON.stringify(failing?.annotations));

    // Every check-run call was the App's own (its installation token, for every repository):
    // no token minted for a runner wrote to GitHub.
    const calls = runs.flatMap((c) => c.calls);
    for (const c of calls) {
      assert.equal(c.auth.kind, 'installation');
      assert.equal(fake.tokenInfo(c.auth.token!)?.repositories, null, `${c.operationId} made with a restricted (runner) token`);
    }
    assert.deepEqual(fake.state.invalidRequests, []);
  } finally {
    await runner.stop(0);
  }
});
