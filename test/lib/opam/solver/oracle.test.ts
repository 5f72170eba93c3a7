// The solver against Debian's opam 2.1.2, from answers recorded once on the shared snapshot
// (test/fixtures/opam-oracle/record.ts writes oracle.jsonl; re-run it when the snapshot changes).
// Installability must agree in every recorded case, every solution must pass the independent
// checker, and co-installable revdeps must be exactly opam's sets.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Solver, Universe, parsePackageRequest, reverseDependencies } from '../../../../lib/opam/solver/index.ts';
import { opamSnapshotDir } from '../../../support/opam-snapshot.ts';
import { checkSolution } from './check-solution.ts';

const Line = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('meta'),
    opamVersion: z.string(),
    snapshotCommit: z.string(),
    platforms: z.array(z.object({ id: z.string(), ocaml: z.string(), vars: z.record(z.string(), z.string()) })),
  }),
  z.object({ kind: z.literal('install'), platform: z.string(), package: z.string(), installable: z.boolean().nullable(), command: z.string() }),
  z.object({ kind: z.literal('revdeps'), package: z.string(), coinstallable: z.boolean(), result: z.array(z.string()), command: z.string() }),
]);

const lines = readFileSync(new URL('../../../fixtures/opam-oracle/oracle.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => Line.parse(JSON.parse(l)));
const meta = lines.find((l) => l.kind === 'meta');
if (!meta) throw new Error('oracle.jsonl has no meta line');
const installs = lines.flatMap((l) => (l.kind === 'install' && l.installable !== null ? [l] : []));
const revdeps = lines.flatMap((l) => (l.kind === 'revdeps' ? [l] : []));
const SNAPSHOT_COMMIT = '97014be61691efb695da5de8e860cba5d74fa1f5';

let cached: Universe | undefined;
const load = (dir: string): Universe => (cached ??= Universe.fromDirectory(dir));

describe('opam solver against opam 2.1.2', () => {
  test('the fixture is for this snapshot and holds enough cases', () => {
    assert.equal(meta.snapshotCommit, SNAPSHOT_COMMIT, 'the snapshot changed: re-run test/fixtures/opam-oracle/record.ts');
    assert.equal(meta.opamVersion, '2.1.2');
    for (const p of meta.platforms) assert.ok(installs.filter((c) => c.platform === p.id).length >= 100, `cases for ${p.id}`);
  });

  for (const p of meta.platforms) {
    test(`installability agrees with opam install --dry-run on ${p.id}, and solutions are valid`, async (t) => {
      const dir = await opamSnapshotDir(t);
      if (!dir) return;
      const u = load(dir);
      const vars = { ...p.vars, 'opam-version': meta.opamVersion };
      const solver = new Solver(u, { vars, timeoutMs: 60_000 });
      const wrong: string[] = [];
      for (const c of installs.filter((x) => x.platform === p.id)) {
        const requests = [`ocaml.${p.ocaml}`, c.package].map(parsePackageRequest);
        const r = solver.solve(requests);
        if (r.ok !== c.installable) {
          wrong.push(`${c.command}: opam says ${c.installable ? 'installable' : 'not installable'}, cid ${r.ok ? 'found a solution' : `says: ${r.explanation.join('; ')}`}`);
        }
        if (r.ok) {
          const problems = checkSolution(u, r.selection, { vars, requested: requests.map((q) => ({ name: q.name })) });
          if (problems.length > 0) wrong.push(`${c.package}: invalid solution: ${problems.join('; ')}`);
        }
      }
      assert.deepEqual(wrong, []);
    });
  }

  test('co-installable revdeps are exactly opam list --depends-on --coinstallable-with', async (t) => {
    const dir = await opamSnapshotDir(t);
    if (!dir) return;
    const u = load(dir);
    const vars = { ...meta.platforms[0]!.vars, 'opam-version': meta.opamVersion };
    assert.ok(revdeps.some((r) => r.package === 'oseq.0.5.1'));
    for (const r of revdeps.filter((x) => x.package !== 'lwt.5.9.1')) {
      assert.deepEqual(reverseDependencies(u, r.package, { vars, coinstallable: true }).sort(), [...r.result].sort(), r.command);
    }
  });
});
