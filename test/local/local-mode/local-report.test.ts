import { test } from 'node:test';
import assert from 'node:assert/strict';
import { localExitCode, localReport, summaryLines } from '../../../local/local-mode/local-report.ts';
import { REPO, SHA, head, job, snap } from './snapshots.ts';

const ctx = { repo: REPO, head, baseUrl: 'http://localhost:8080/', platforms: '/src/platforms.yml' };
const NO_IMAGE = 'image ocaml/opam:debian-13-ocaml-5.4 (linux/amd64) is unavailable: not found locally, and pulling it failed: no such host';

test('the JSON document: commit, every job with pool, status, duration, reason and links, dropped platforms', () => {
  const r = localReport(
    snap(
      [
        job('(analysis)', 'passed', { kind: 'analysis' }),
        job('debian-12-4.13_opam-2.5', 'failed', { reason: 'step 4 exited with 1' }),
        job('debian-12-4.13_arm64_opam-2.5', 'skipped', { pool: 'linux-arm64', reason: 'not run locally: no linux-arm64 runner on this machine' }),
      ],
      'failed',
      { dropped: [{ variant: '(lint-doc)', reason: 'no platform' }] },
    ),
    ctx,
  );
  assert.equal(r.repo, REPO);
  assert.deepEqual(r.commit, { sha: SHA, ref: 'refs/heads/main', subject: 'Fix it' });
  assert.equal(r.uncommitted, 1);
  assert.equal(r.status, 'failed');
  assert.equal(r.url, `http://localhost:8080/github/local/proj/commit/${SHA}`);
  const failed = r.jobs[1]!;
  assert.deepEqual(failed, {
    name: 'debian-12-4.13_opam-2.5',
    kind: 'build',
    pool: 'linux-x86_64',
    status: 'failed',
    experimental: false,
    duration: 12.5,
    reason: 'step 4 exited with 1',
    url: `http://localhost:8080/github/local/proj/commit/${SHA}/variant/debian-12-4.13_opam-2.5`,
    log: `http://localhost:8080/github/local/proj/commit/${SHA}/variant/debian-12-4.13_opam-2.5/raw`,
  });
  assert.equal(r.jobs[2]?.duration, null, 'a skipped job never ran');
  assert.equal(r.jobs[2]?.pool, 'linux-arm64');
  assert.deepEqual(r.dropped, [{ variant: '(lint-doc)', reason: 'no platform' }]);
  assert.equal(localExitCode(r), 1);
});

test('exit status: passed and skipped pass; failed, errored, cancelled and an unfinished run do not', () => {
  assert.equal(localExitCode({ status: 'passed' }), 0);
  assert.equal(localExitCode({ status: 'failed' }), 1);
  assert.equal(localExitCode({ status: 'errored' }), 1);
  assert.equal(localExitCode({ status: 'cancelled' }), 1);
  assert.equal(localExitCode({ status: 'running' }), 1);
});

test('summary: counts, each failure with its link, dropped platforms; missing images said once', () => {
  const jobs = [
    job('(analysis)', 'passed', { kind: 'analysis' }),
    job('a', 'failed', { reason: 'step 4 exited with 1' }),
    job('b', 'errored', { reason: NO_IMAGE }),
    job('c', 'errored', { reason: NO_IMAGE.replace('5.4', '4.14') }),
    job('(lint-opam)', 'errored', { kind: 'lint', experimental: true, reason: 'runner error: boom' }),
  ];
  const lines = summaryLines(localReport(snap(jobs, 'failed', { dropped: [{ variant: 'x', reason: 'why' }] }), ctx));
  assert.equal(lines[0], `failed: 1 passed, 1 failed, 3 errored — http://localhost:8080/github/local/proj/commit/${SHA}`);
  assert.ok(lines.includes(`a failed: step 4 exited with 1 — http://localhost:8080/github/local/proj/commit/${SHA}/variant/a`));
  assert.ok(lines.some((l) => l.startsWith('experimental job (lint-opam) errored: runner error: boom')));
  assert.ok(lines.includes('not built: x (why)'));
  assert.equal(lines.filter((l) => l.includes('ocaml/opam:')).length, 1, lines.join('\n'));
  assert.match(lines.at(-2)!, /^2 jobs errored because their base images are not on this machine and could not be pulled \(ocaml\/opam:debian-13-ocaml-5\.4, ocaml\/opam:debian-13-ocaml-4\.14\): pull them first, or use --platforms FILE/);
  // The engine's words, once for both jobs (the progress lines leave them out).
  assert.equal(lines.at(-1), '  not found locally, and pulling it failed: no such host');
});

test('a failed analysis is one sentence: "No opam files found!"', () => {
  const r = localReport(snap([job('(analysis)', 'failed', { kind: 'analysis', reason: 'No opam files found!' })], 'failed', { error: 'No opam files found!' }), ctx);
  assert.equal(r.error, 'No opam files found!');
  const lines = summaryLines(r);
  assert.deepEqual(lines.slice(1), [`the analysis of local/proj at ${SHA.slice(0, 12)} failed: No opam files found!`]);
});

test('the JSON document and the summary say which job leaves which root package out, and why', () => {
  const packages = { built: ['mainlib-compat'], leftOut: [{ name: 'mainlib', reason: 'ocaml >= 5.0 required' }], omitted: 0 };
  const r = localReport(
    snap([job('(analysis)', 'passed', { kind: 'analysis' }), job('debian-13-4.14_opam-2.5', 'passed', { packages })], 'passed', { roots: ['mainlib-compat', 'mainlib'], pinned: ['shim'] }),
    ctx,
  );
  assert.deepEqual(r.roots, ['mainlib-compat', 'mainlib']);
  assert.deepEqual(r.pinned, ['shim']);
  assert.deepEqual(r.jobs[1]?.packages, packages);
  assert.equal(r.jobs[0]?.packages, undefined);
  assert.ok(summaryLines(r).includes('debian-13-4.14_opam-2.5 leaves out mainlib (ocaml >= 5.0 required); builds mainlib-compat'), summaryLines(r).join('\n'));
});

test("a reason ending in a space (as Docker's errors do) is trimmed in the document", () => {
  const r = localReport(snap([job('a', 'errored', { reason: 'runner error: boom ' })], 'errored'), ctx);
  assert.equal(r.jobs[0]?.reason, 'runner error: boom');
});
