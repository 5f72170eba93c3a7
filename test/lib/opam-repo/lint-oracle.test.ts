// cid's lint against `opam lint` itself (Debian's opam 2.1.2) on a seeded corpus of real opam
// files from the snapshot and broken copies of them: every error opam reports must be an error of
// cid's lint, under opam's number where cid has the rule; warning 62 (SPDX) must be reported too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { lintRelease } from '../../../lib/opam-repo/index.ts';
import { listOpamFiles, opamSnapshotDir } from '../../support/opam-snapshot.ts';

/** opam's error numbers cid implements under the same number (lib/opam-repo/lint/opam-lint.ts). */
const SAME_NUMBER = new Set([3, 21, 22, 23, 39, 46, 57, 67]);

/** SPDX ids newer than opam 2.1.2's licence list (it warns about them; current opam does not). */
const NEWER_SPDX_IDS = ['LGPL-3.0-linking-exception'];

function opamAvailable(t: TestContext): boolean {
  const r = spawnSync('opam', ['--version'], { encoding: 'utf8' });
  if (!r.error && r.status === 0) return true;
  const why = 'opam is not installed: apt-get install -y opam (infra/bootstrap.sh does it)';
  if (process.env.CI === 'true') throw new Error(`${why} (CI=true, so this is a failure, not a skip)`);
  t.skip(why);
  return false;
}

/** A small seeded PRNG (mulberry32), so the corpus is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mutations: those from issue #10 (cid missed them) and kinds cid already caught. */
const MUTATIONS: Record<string, (text: string, name: string) => string> = {
  original: (s) => s,
  'unknown field': (s) => `${s}\nhomepag: "https://example.org"\n`,
  'misspelt field': (s) => (/^synopsis:/m.test(s) ? s.replace(/^synopsis:/m, 'synopsys:') : s.replace(/^maintainer:/m, 'maintainers:')),
  'bad checksum hex': (s) => s.replace(/(sha256|sha512|md5)=[0-9a-f]+/, '$1=nothex'),
  'sha1 checksum': (s) => s.replace(/(sha256|sha512|md5)=[0-9a-f]+/, `sha1=${'a'.repeat(40)}`),
  'checksum on a git URL': (s, name) => s.replace(/(^\s*(?:src|archive|http):\s*)"[^"]*"/m, `$1"git+https://github.com/example/${name}.git#v1"`),
  'checksum on a .git URL': (s, name) => s.replace(/(^\s*(?:src|archive|http):\s*)"[^"]*"/m, `$1"https://github.com/example/${name}.git"`),
  'non-SPDX licence': (s) => (/^license:/m.test(s) ? s.replace(/^license:.*$/m, 'license: "GPL v2"') : `${s}\nlicense: "BSD"\n`),
  'incomplete licence expression': (s) => (/^license:/m.test(s) ? s.replace(/^license:.*$/m, 'license: "MIT OR"') : `${s}\nlicense: "MIT AND"\n`),
  'unknown section': (s) => s.replace(/^url \{/m, 'urls {'),
  'unknown url field': (s) => s.replace(/^url \{/m, 'url {\n  mirror: "https://example.org/x.tgz"'),
  'empty homepage': (s) => (/^homepage:/m.test(s) ? s.replace(/^homepage:.*$/m, 'homepage: ""') : `${s}\nhomepage: ""\n`),
  'no maintainer': (s) => s.replace(/^maintainer:[^\n]*(\n\s+"[^"\n]*")*\]?/m, ''),
  'make called directly': (s) => (/^remove:/m.test(s) ? s : `${s}\nremove: [["make" "uninstall"]]\n`),
  'patch opam-version': (s) => s.replace(/^opam-version: "2.0"/m, 'opam-version: "2.0.1"'),
  'conf with a source': (s) => `${s}\nflags: conf\n`,
  'syntax error': (s) => `${s}\ndepends: [\n`,
};

interface Report {
  errors: number[];
  warnings: number[];
}

/** `opam lint F…` output: "F: Errors." then "  error  3: …" / "warning 62: …" lines. */
function parseOpamLint(out: string): Map<string, Report> {
  const reports = new Map<string, Report>();
  let cur: Report | undefined;
  for (const line of out.split('\n')) {
    const head = /^(\/.*): (Errors|Warnings|Passed)\.$/.exec(line);
    if (head?.[1] !== undefined) {
      cur = { errors: [], warnings: [] };
      reports.set(head[1], cur);
      continue;
    }
    const m = /^\s+(error|warning)\s+(\d+):/.exec(line);
    if (m && cur) (m[1] === 'error' ? cur.errors : cur.warnings).push(Number(m[2]));
  }
  return reports;
}

test('every error of opam lint is an error of cid lint (oracle: opam 2.1.2 on a seeded corpus)', async (t) => {
  const dir = await opamSnapshotDir(t);
  if (!dir || !opamAvailable(t)) return;
  // The newest release of 20 seeded packages, each with every mutation.
  const latest = new Map<string, string>();
  for (const f of listOpamFiles(dir)) latest.set(basename(dirname(dirname(f))), f);
  const names = [...latest.keys()];
  const rand = random(10);
  const bases = new Set<string>();
  while (bases.size < 20) bases.add(names[Math.floor(rand() * names.length)] as string);

  const work = mkdtempSync(join(tmpdir(), 'cid-lint-oracle-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const cases: Array<{ path: string; name: string; version: string; text: string; what: string }> = [];
  for (const name of bases) {
    const file = latest.get(name) as string;
    const pkg = basename(dirname(file));
    const original = readFileSync(file, 'utf8');
    for (const [what, mutate] of Object.entries(MUTATIONS)) {
      const text = mutate(original, name);
      if (what !== 'original' && text === original) continue; // nothing to mutate in this file
      const caseDir = join(work, String(cases.length));
      mkdirSync(caseDir);
      const path = join(caseDir, 'opam');
      writeFileSync(path, text);
      cases.push({ path, name, version: pkg.slice(name.length + 1), text, what: `${pkg} (${what})` });
    }
  }

  // One opam call for the whole corpus; an empty OPAMROOT is enough for linting files.
  const r = spawnSync('opam', ['lint', ...cases.map((c) => c.path)], {
    encoding: 'utf8',
    env: { ...process.env, OPAMROOT: join(work, 'root'), OPAMYES: '1', OPAMCOLOR: 'never' },
    maxBuffer: 64 << 20,
  });
  const reports = parseOpamLint(r.stdout);
  assert.equal(reports.size, cases.length, `opam lint reported on every file: ${r.stderr.slice(0, 500)}`);

  const missed: string[] = [];
  let opamErrors = 0;
  for (const c of cases) {
    const report = reports.get(c.path) as Report;
    const msgs = lintRelease({ name: c.name, version: c.version, text: c.text, dirFiles: new Map([['opam', '100644']]) });
    const errors = msgs.filter((m) => m.level === 'error').map((m) => m.message);
    const unparsable = errors.some((m) => m.includes('Failed to parse the opam file'));
    for (const code of report.errors) {
      opamErrors++;
      if (errors.length === 0) missed.push(`${c.what}: opam error ${code}, cid no error`);
      else if (SAME_NUMBER.has(code) && !unparsable && !errors.some((m) => m.includes(`Opam lint error ${String(code).padStart(2)}:`))) {
        missed.push(`${c.what}: opam error ${code}, cid: ${errors.join(' | ')}`);
      }
    }
    // Where opam 2.1.2 is out of date, cid follows the opam opam-repo-ci runs: SPDX expressions
    // (AND, OR, LicenseRef-; ocaml/opam#4768, opam 2.2) and ids SPDX added after opam 2.1.2's list.
    const licences = /^license:(.*)$/m.exec(c.text)?.[1] ?? '';
    const newer = /\s(?:AND|OR)\s|LicenseRef-/.test(licences) && !/"[^"]*(?:AND|OR)"/.test(licences);
    const newerIds = NEWER_SPDX_IDS.some((id) => licences.includes(id));
    if (report.warnings.includes(62) && !newer && !newerIds && !unparsable && !msgs.some((m) => m.message.includes('Opam lint warning 62:'))) {
      missed.push(`${c.what}: opam warning 62, cid none`);
    }
  }
  assert.ok(opamErrors > cases.length / 2, `the corpus exercises opam's errors (${opamErrors} on ${cases.length} files)`);
  assert.deepEqual(missed, []);
});
