// What the analysis decided about packages (issue #11): roots, pins, and per job the packages it
// builds and those it leaves out, with why; in the result and in the (analysis) log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { AnalysisResultSchema, MAX_LISTED_PACKAGES } from '../../../lib/contract/index.ts';
import { analyze } from '../../../lib/analysis/analyze.ts';
import { COMMIT, FIXTURES, diskRepo, memoryRepo, opamFile, platforms } from './support.ts';

const LEFT_OUT = join(FIXTURES, 'analysis/left-out');
const PS = platforms({ distro: 'debian-13', ocamlVersion: '5.4', lowerBound: true }, { distro: 'debian-13', ocamlVersion: '4.14', lowerBound: true });

test('a main package left out on a platform: each job says what it builds and what it leaves out, and why', async () => {
  const repo = diskRepo(LEFT_OUT);
  const log: string[] = [];
  const r = await analyze({ files: repo.files, readFile: repo.readFile, platforms: PS, opamRepoCommit: COMMIT, log: (l) => log.push(l) });
  assert.doesNotThrow(() => AnalysisResultSchema.parse(r));
  const byName = new Map(r.jobs.map((j) => [j.name, j]));
  const v54 = byName.get('debian-13-5.4_opam-2.5');
  const v414 = byName.get('debian-13-4.14_opam-2.5');
  assert.deepEqual(v54?.packages, { built: ['mainlib-compat', 'mainlib'], leftOut: [], omitted: 0 });
  assert.deepEqual(v414?.packages, { built: ['mainlib-compat'], leftOut: [{ name: 'mainlib', reason: 'ocaml >= 5.0 required' }], omitted: 0 });
  // Jobs hosted on the 4.14 platform leave it out too: (lower-bound), (lint-doc).
  assert.deepEqual(byName.get('(lower-bound)')?.packages?.leftOut, [{ name: 'mainlib', reason: 'ocaml >= 5.0 required' }]);
  assert.deepEqual(byName.get('(lint-doc)')?.packages?.built, ['mainlib-compat']);
  assert.deepEqual(r.info.roots, ['mainlib-compat.dev', 'mainlib.dev']);
  assert.deepEqual(r.info.pinned, ['shim.dev']);

  assert.ok(log.includes('Root packages: mainlib-compat, mainlib'), log.join('\n'));
  assert.ok(log.includes('Pinned packages: shim'), log.join('\n'));
  assert.ok(log.includes('debian-13-4.14_opam-2.5: builds mainlib-compat; leaves out mainlib (ocaml >= 5.0 required)'), log.join('\n'));
  assert.ok(log.includes('debian-13-5.4_opam-2.5: builds mainlib-compat, mainlib'), log.join('\n'));
});

test('a project with more roots than the cap: the lists are cut and what is cut is counted', async () => {
  const n = MAX_LISTED_PACKAGES + 20;
  const files: Record<string, string> = { 'dune-project': '(lang dune 3.0)' };
  for (let i = 0; i < n; i++) files[`p${String(i).padStart(3, '0')}.opam`] = opamFile({ depends: i % 2 ? '"ocaml" {>= "5.0"}' : '"ocaml"' });
  const repo = memoryRepo(files);
  const r = await analyze({ files: repo.files, readFile: repo.readFile, platforms: PS, opamRepoCommit: COMMIT, lint: false });
  const p = r.jobs.find((j) => j.name === 'debian-13-4.14_opam-2.5')?.packages;
  assert.equal(p?.built.length, n / 2);
  assert.equal(p?.leftOut.length, n / 2);
  const all = r.jobs.find((j) => j.name === 'debian-13-5.4_opam-2.5')?.packages;
  assert.equal(all?.built.length, MAX_LISTED_PACKAGES);
  assert.equal(all?.omitted, 20);
});
