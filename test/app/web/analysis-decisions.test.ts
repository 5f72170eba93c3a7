// What the analysis decided (issue #11), end to end through the real paths: a push, the real
// analysis of a fixture whose main package is left out on an OCaml 4.14 platform, the results
// consumer adding the jobs; then the exclusion and its reason on the commit page, in the JSON API,
// in the `cid` CLI (text and --json) and in the `cid` summary check run (validated by the fake
// GitHub against GitHub's schema).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { analyze } from '../../../lib/analysis/analyze.ts';
import { platformsFromEntries } from '../../../lib/analysis/index.ts';
import { pipelineId } from '../../../lib/contract/index.ts';
import { jobIdFor } from '../../../app/store/index.ts';
import { startHarness, type Harness } from '../../support/github-harness.ts';
import { until } from '../../support/control-plane.ts';
import { makePushPayload } from '../../support/webhooks.ts';
import { diskRepo, FIXTURES } from '../../lib/analysis/support.ts';
import { newSha, runJob, settled } from './support.ts';

const BIN = fileURLToPath(new URL('../../../cli/bin.js', import.meta.url));
const INST = 1111;
const REPO = 'decided/mainlib';
const V414 = 'debian-13-4.14_opam-2.5';
const V54 = 'debian-13-5.4_opam-2.5';
const WHY = 'ocaml >= 5.0 required';
let h: Harness;
let sha: string;

before(async () => {
  h = await startHarness();
  h.fake.addInstallation({ id: INST, account: 'decided', repositories: [REPO] });
  sha = newSha();
  const r = await h.deliver('push', makePushPayload({ repo: REPO, sha, installationId: INST }));
  assert.ok(r.status < 300, JSON.stringify(r.json));
  const pid = pipelineId(REPO, sha);
  const analysisId = jobIdFor(pid, '(analysis)');
  await until(async () => (await h.cp.svc.store.jobs.get(analysisId)) !== undefined, { what: 'the analysis job' });
  const repo = diskRepo(join(FIXTURES, 'analysis/left-out'));
  const platforms = platformsFromEntries([{ distro: 'debian-13', ocamlVersion: '5.4' }, { distro: 'debian-13', ocamlVersion: '4.14' }], 'test');
  const output = await analyze({ files: repo.files, readFile: repo.readFile, platforms, opamRepoCommit: 'master', lint: false });
  await runJob(h.cp, analysisId, { status: 'passed' }, output);
  await until(async () => (await h.cp.svc.store.jobs.listByPipeline(pid)).length === 3, { what: 'the build jobs' });
  for (const name of [V54, V414]) await runJob(h.cp, jobIdFor(pid, name), { status: 'passed' });
  await settled(h.cp, pid, 'passed');
});
after(() => h.stop());

test('the commit page lists the roots and pins, and the job that leaves the main package out, with why', async () => {
  const page = await (await fetch(`${h.cp.url}/github/${REPO}/commit/${sha}`)).text();
  assert.match(page, /<h2>Packages<\/h2>/);
  assert.match(page, /Root packages: <span class="mono">mainlib-compat, mainlib<\/span> · pinned: <span class="mono">shim<\/span>/);
  const row = /<tr id="packages-[^"]+">(.*?)<\/tr>/s.exec(page)?.[1] ?? '';
  assert.ok(row.includes(`>${V414}</a>`), row);
  assert.ok(row.includes('<td class="mono">mainlib-compat</td>'), row);
  assert.ok(row.includes('<span class="mono">mainlib</span>: <span class="muted">ocaml &gt;= 5.0 required</span>'), row);
  assert.equal(page.match(/<tr id="packages-/g)?.length, 1, 'only the job that leaves something out has a row');
});

test('the JSON API gives every job its packages, and the pipeline its roots and pins', async () => {
  const a = (await (await fetch(`${h.cp.url}/api/github/${REPO}/commit/${sha}`)).json()) as {
    pipeline: { roots: string[]; pinned: string[] };
    jobs: Array<{ name: string; packages?: unknown }>;
  };
  assert.deepEqual(a.pipeline.roots, ['mainlib-compat', 'mainlib']);
  assert.deepEqual(a.pipeline.pinned, ['shim']);
  const byName = new Map(a.jobs.map((j) => [j.name, j]));
  assert.deepEqual(byName.get(V414)?.packages, { built: ['mainlib-compat'], leftOut: [{ name: 'mainlib', reason: WHY }], omitted: 0 });
  assert.deepEqual(byName.get(V54)?.packages, { built: ['mainlib-compat', 'mainlib'], leftOut: [], omitted: 0 });
  assert.equal(byName.get('(analysis)')?.packages, undefined);
});

function cid(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CID_API_URL: h.cp.url },
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

test('the cid CLI says which job leaves which package out, in text and in --json', async () => {
  const text = await cid([REPO, 'main']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^${V414.replace(/\./g, '\\.')} leaves out mainlib \\(ocaml >= 5\\.0 required\\); builds mainlib-compat$`, 'm'));
  const json = await cid([REPO, 'main', '--json']);
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as { pipeline: { roots: string[] }; jobs: Array<{ name: string; packages?: { leftOut: unknown } }> };
  assert.deepEqual(doc.pipeline.roots, ['mainlib-compat', 'mainlib']);
  assert.deepEqual(doc.jobs.find((j) => j.name === V414)?.packages?.leftOut, [{ name: 'mainlib', reason: WHY }]);
});

test('the cid summary check run names the roots and the left-out package with its reason', async () => {
  const summary = await until(
    async () => {
      const s = h.fake.state.checkRuns.find((c) => c.head_sha === sha && c.name === 'cid' && c.conclusion === 'success')?.output.summary;
      return s?.includes('Root packages') ? s : undefined;
    },
    { what: 'the summary check run' },
  );
  assert.match(summary, /^\*\*Root packages:\*\* `mainlib-compat`, `mainlib` · \*\*pinned:\*\* `shim`$/m);
  assert.match(summary, new RegExp(`^- ${V414.replace(/\./g, '\\.')} builds \`mainlib-compat\`; leaves out \`mainlib\` \\(ocaml >= 5\\.0 required\\)$`, 'm'));
  assert.doesNotMatch(summary, new RegExp(`^- ${V54.replace(/\./g, '\\.')}`, 'm'), 'a job that builds every root has no line');
});
