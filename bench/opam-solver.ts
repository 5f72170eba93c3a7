// Benchmark: the opam solver side by side with opam 2.1.2 in the same run.
// - Installability of 20 sampled versions (the first 20 x86_64 / OCaml 5.3 cases of the oracle
//   fixture), both run live: cid's total against opam's (`opam install --dry-run`). Goal ≥ 50×.
// - Co-installable revdeps of lwt.5.9.1 (opam list --depends-on --coinstallable-with took
//   9 min 46 s here). Goal: < 10 s, the same set as opam's when the fixture holds it.
// opam runs need CID_OPAM_ORACLE_ROOT: an opam root with an empty switch "oracle" over the snapshot
// (see test/fixtures/opam-oracle/record.ts, which makes one); without it only cid is measured.
// Run: npx tsx bench/opam-solver.ts
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Solver, Universe, parsePackageRequest, reverseDependencies } from '../lib/opam/solver/index.ts';
import { ensureOpamSnapshot } from '../test/support/opam-snapshot.ts';

interface Case {
  kind: string;
  platform?: string;
  package: string;
  installable?: boolean | null;
  result?: string[];
}

export interface OpamSolverBenchFigures {
  releases: number;
  loadMs: number;
  installability: {
    cases: number;
    cidTotalMs: number;
    opamTotalMs: number | null;
    speedup: number | null;
    agree: number;
    goal: string;
  };
  lwtRevdeps: { cidMs: number; count: number; sameAsOpam: boolean | null; opamMs: number | null; goalMs: number };
}

const round = (x: number): number => Math.round(x * 10) / 10;

export async function run(): Promise<OpamSolverBenchFigures> {
  const snap = await ensureOpamSnapshot();
  if (!snap.ok) throw new Error(snap.reason);
  const fixture = readFileSync(new URL('../test/fixtures/opam-oracle/oracle.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Case & { ms?: number; platforms?: Array<{ id: string; ocaml: string; vars: Record<string, string> }> });
  const platform = fixture.find((l) => l.kind === 'meta')!.platforms![0]!;
  const cases = fixture.filter((l) => l.kind === 'install' && l.platform === platform.id && l.installable !== null).slice(0, 20);
  const vars = { ...platform.vars, 'opam-version': '2.1.2' };

  const t0 = performance.now();
  const universe = Universe.fromDirectory(snap.dir);
  const loadMs = performance.now() - t0;

  const solver = new Solver(universe, { vars });
  let agree = 0;
  const t1 = performance.now();
  for (const c of cases) {
    const r = solver.solve([`ocaml.${platform.ocaml}`, c.package].map(parsePackageRequest));
    if (r.ok === c.installable) agree++;
  }
  const cidTotalMs = performance.now() - t1;

  let opamTotalMs: number | null = null;
  const root = process.env.CID_OPAM_ORACLE_ROOT;
  if (root && existsSync(root)) {
    const env: NodeJS.ProcessEnv = { ...process.env, OPAMROOT: root, OPAMYES: '1', OPAMSWITCH: 'oracle', OPAMNODEPEXTS: '1', OPAMNOENVNOTICE: '1' };
    for (const [k, v] of Object.entries(platform.vars)) env[`OPAMVAR_${k.replace(/-/g, '_')}`] = v;
    opamTotalMs = 0;
    for (const c of cases) {
      const s = performance.now();
      spawnSync('opam', ['install', '--dry-run', `ocaml.${platform.ocaml}`, c.package], { env, stdio: 'ignore' });
      opamTotalMs += performance.now() - s;
    }
  }

  const t2 = performance.now();
  const lwt = reverseDependencies(universe, 'lwt.5.9.1', { vars, coinstallable: true });
  const lwtMs = performance.now() - t2;
  const recorded = fixture.find((l) => l.kind === 'revdeps' && l.package === 'lwt.5.9.1');
  const sameAsOpam = recorded?.result ? JSON.stringify([...recorded.result].sort()) === JSON.stringify([...lwt].sort()) : null;

  return {
    releases: universe.size,
    loadMs: round(loadMs),
    installability: {
      cases: cases.length,
      cidTotalMs: round(cidTotalMs),
      opamTotalMs: opamTotalMs === null ? null : round(opamTotalMs),
      speedup: opamTotalMs === null ? null : round(opamTotalMs / cidTotalMs),
      agree,
      goal: '≥ 50× faster than opam',
    },
    lwtRevdeps: { cidMs: round(lwtMs), count: lwt.length, sameAsOpam, opamMs: recorded?.ms ?? null, goalMs: 10_000 },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(JSON.stringify(await run(), null, 2));
