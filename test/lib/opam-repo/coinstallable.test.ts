// Revdep jobs of an opam-repository PR are only those that can be installed together with the
// changed release (`opam list --coinstallable-with`), decided by the solver on the merged tree.
// The case from issue #14, on the snapshot: a PR adding oseq 0.5.1. telltime depends on oseq
// (any version) and on daypack-lib, which needs oseq < 0.5: it cannot install with 0.5.1, so it
// gets no job (the graph walk alone planned it).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { presetPlatforms } from '../../../lib/analysis/index.ts';
import { analyzeChanges } from '../../../lib/opam-repo/index.ts';
import { ensureOpamSnapshot, listOpamFiles, opamSnapshotDir } from '../../support/opam-snapshot.ts';
import { memoryTree } from './support.ts';

const ORACLE = new URL('../../fixtures/opam-oracle/oracle.jsonl', import.meta.url);
const CHANGED = 'packages/oseq/oseq.0.5.1/opam';

let merged: Map<string, string> | undefined;
before(async () => {
  const snap = await ensureOpamSnapshot();
  if (!snap.ok) return;
  merged = new Map(listOpamFiles(snap.dir).map((f) => [relative(snap.dir, f), readFileSync(f, 'utf8')]));
});

/** opam 2.1.2's `--depends-on oseq.0.5.1 --coinstallable-with oseq.0.5.1` set, recorded in the oracle fixture. */
function opamSet(): string[] {
  const line = readFileSync(ORACLE, 'utf8')
    .split('\n')
    .find((l) => l.includes('"key":"revdeps oseq.0.5.1 coinstallable"'));
  assert.ok(line, 'the oracle fixture records oseq.0.5.1');
  return (JSON.parse(line) as { result: string[] }).result;
}

test('oseq 0.5.1: a revdep that needs oseq < 0.5 through daypack-lib is not planned; every planned one is in opam\'s set', async (t) => {
  if (!(await opamSnapshotDir(t)) || !merged) return;
  const base = new Map(merged);
  base.delete(CHANGED);
  const lines: string[] = [];
  const r = await analyzeChanges({ changedPaths: [CHANGED], base: memoryTree(base), merged: memoryTree(merged), platforms: presetPlatforms('minimal'), log: (l) => lines.push(l) });
  const plan = r.analysis.revdeps.find((p) => p.pkg === 'oseq.0.5.1');
  assert.ok(plan, lines.join('\n'));
  assert.deepEqual(plan.builds.map((b) => b.variant), ['debian-13-4.14_opam-2.5', 'debian-13-5.5_opam-2.5']);
  const planned = new Set(plan.builds.flatMap((b) => b.packages));
  assert.ok(![...planned].some((p) => p.startsWith('telltime.')), [...planned].join(' '));
  // Direct revdeps are opam's set (newest per package and host); recursive ones come on top.
  const opam = new Set(opamSet());
  const direct = [...planned].filter((p) => opam.has(p));
  assert.ok(direct.some((p) => p.startsWith('timedesc.')) && direct.some((p) => p.startsWith('docfd.')), [...planned].join(' '));
  for (const b of plan.builds) {
    for (const p of b.packages) {
      const name = p.slice(0, p.indexOf('.'));
      if (opam.has(p) || ![...opam].some((o) => o.startsWith(`${name}.`))) continue;
      assert.fail(`${p} on ${b.variant}: opam lists other releases of ${name} as co-installable, not this one`);
    }
  }
});
