#!/usr/bin/env node
// Runs every test file under test/ with node's own test runner and tsx, so the output ends with
// node's standard summary. Node 20 has no glob support in --test, hence the walk here.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'fixtures' || name === 'node_modules') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = walk(join(root, 'test'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const concurrency = process.env.CID_TEST_CONCURRENCY ?? '2';
// Build steps cached by the tests go to a repository of their own, removed when the run ends: on
// the vfs storage driver every cached step is a full copy of its image.
const cacheRepo = process.env.CID_CACHE_REPO ?? 'cid-test-cache';
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  // Tests never reach the internet: runners read no opam-repository unless a test gives one
  // (a file:// copy of the snapshot); a network that hangs instead of refusing cannot slow CI.
  { cwd: root, stdio: 'inherit', env: { ...process.env, CID_CACHE_REPO: cacheRepo, CID_OPAM_REPO_URL: process.env.CID_OPAM_REPO_URL ?? 'none' } },
);
child.on('exit', (code, signal) => {
  if (cacheRepo.startsWith('cid-test')) {
    const ids = spawnSync('docker', ['images', '-q', cacheRepo], { encoding: 'utf8' }).stdout?.split('\n').filter(Boolean) ?? [];
    if (ids.length > 0) spawnSync('docker', ['rmi', '-f', ...new Set(ids)], { stdio: 'ignore' });
  }
  process.exit(code ?? (signal ? 1 : 0));
});
