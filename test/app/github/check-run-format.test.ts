// The `cid` summary check run of a huge project stays within GitHub's limit, and what the
// analysis decided about packages keeps its room next to thousands of job lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundPackages, type Job, type Pipeline } from '../../../lib/contract/index.ts';
import { MAX_CHECK_TEXT, summaryCheck } from '../../../app/github/check-run-format.ts';

const SHA = 'c'.repeat(40);
const at = '2026-01-01T00:00:00.000Z';

function job(i: number): Job {
  const names = Array.from({ length: 150 }, (_, k) => `package-number-${k}`);
  return {
    id: `j${i}`,
    pipelineId: `big/project@${SHA}`,
    repo: 'big/project',
    sha: SHA,
    name: `platform-${String(i).padStart(4, '0')}`,
    kind: 'build',
    pool: 'linux-x86_64',
    priority: 'urgent',
    source: { kind: 'github', repo: 'big/project', sha: SHA, cloneUrl: 'https://github.com/big/project.git', fromFork: false },
    experimental: false,
    attempt: 1,
    generation: 1,
    status: 'passed',
    timeoutSeconds: 3600,
    cancelRequested: false,
    queuedAt: at,
    packages: boundPackages(names.slice(0, 75), names.slice(75).map((name) => ({ name, reason: `ocaml >= 5.0 required, and ${'x'.repeat(280)}` }))),
  };
}

test('a huge project: the summary stays within 65,535 characters, keeps lines about packages, and says what it cut', () => {
  const jobs = Array.from({ length: 3000 }, (_, i) => job(i));
  const pipeline: Pipeline = {
    id: `big/project@${SHA}`,
    repo: 'big/project',
    sha: SHA,
    refs: ['refs/heads/main'],
    status: 'passed',
    dropped: [],
    roots: Array.from({ length: 100 }, (_, k) => `root-${k}`),
    pinned: [],
    createdAt: at,
    updatedAt: at,
  };
  const s = summaryCheck(pipeline, jobs, 'https://ci.example.org');
  assert.ok(s.summary.length <= MAX_CHECK_TEXT, `${s.summary.length} characters`);
  assert.match(s.summary, /^… and \d+ more jobs: see https:\/\/ci\.example\.org\/github\/big\/project\/commit\/c+$/m);
  assert.match(s.summary, /^\*\*Root packages:\*\* `root-0`/m);
  assert.match(s.summary, /^- platform-0000 builds `package-number-0`.*; leaves out `package-number-75` \(ocaml >= 5\.0 required/m);
  assert.match(s.summary, /^… and \d+ more lines about packages: see https:\/\/ci\.example\.org\/github\/big\/project\/commit\/c+$/m);
});
