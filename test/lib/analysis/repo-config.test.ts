import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisResult, PlannedJob } from '../../../lib/contract/index.ts';
import { AnalysisError } from '../../../lib/analysis/errors.ts';
import { applyRepoConfig, parseRepoConfig, readRepoConfig } from '../../../lib/analysis/repo-config.ts';
import { memoryRepo } from './support.ts';

const spec = { from: 'img', steps: [] };
const job = (name: string, kind: PlannedJob['kind'] = 'build'): PlannedJob => ({ name, kind, pool: 'linux-x86_64', priority: 'urgent', spec, experimental: false });
const plan: AnalysisResult = {
  jobs: [job('(lint-doc)', 'lint'), job('(lower-bound)'), job('debian-13-5.4_opam-2.5'), job('debian-13-4.14_opam-2.5'), job('alpine-3.22-5.4_opam-2.5'), job('debian-13-5.4_s390x_opam-2.5'), job('debian-13-5.4_riscv64_opam-2.5')],
  dropped: [{ variant: 'debian-13-5.0_opam-2.5', reason: 'a: ocaml >= 5.1 required' }],
  info: { roots: ['a.dev'], pinned: [], monorepo: false },
};
const names = (r: AnalysisResult) => r.jobs.map((j) => j.name);

const rejects = (text: string, pattern: RegExp, where: { line?: number } = {}) =>
  assert.throws(
    () => parseRepoConfig(text),
    (err: unknown) => {
      assert.ok(err instanceof AnalysisError);
      assert.match(err.message, pattern);
      assert.equal(err.file, '.cid.yml');
      if (where.line !== undefined) assert.equal(err.line, where.line);
      return true;
    },
  );

describe('parseRepoConfig', () => {
  it('reads the three lists; an empty file is the default', () => {
    assert.deepEqual(parseRepoConfig('exclude: ["*_s390x_*"]\nonly:\n  - debian-*\nexperimental: ["*_riscv64_*"]\n'), {
      exclude: ['*_s390x_*'],
      only: ['debian-*'],
      experimental: ['*_riscv64_*'],
    });
    assert.deepEqual(parseRepoConfig(''), { exclude: [], experimental: [] });
    assert.deepEqual(parseRepoConfig('# nothing yet\n'), { exclude: [], experimental: [] });
  });

  it('says which key is wrong, where, and what the keys are', () => {
    rejects('exclude: ["a"]\nplatfroms: [x]\n', /line 2: \(top level\): Unrecognized key: "platfroms"/);
    rejects('exclude: "*_s390x_*"\n', /line 1: exclude: .*expected array/s, { line: undefined });
    rejects('exclude:\n  - ok\n  - 3\n', /line 3: exclude\.1: .*expected string/s);
    rejects('exclude: [""]\n', /a pattern cannot be empty/);
    rejects('- a\n- b\n', /must be a mapping with the keys exclude, only and experimental/);
  });

  it('a YAML syntax error names the line and column', () => {
    rejects('exclude: [a, b\nonly: [c]\n', /is not valid YAML/);
    assert.throws(() => parseRepoConfig('exclude: [a\n  b: c: d\n'), (err: AnalysisError) => err.line !== undefined && err.column !== undefined);
    rejects('exclude: [a]\nexclude: [b]\n', /not valid YAML: .*unique/is);
  });

  it('both .cid.yml and .cid.yaml is an error; none is no config', async () => {
    const both = memoryRepo({ '.cid.yml': '', '.cid.yaml': '' });
    await assert.rejects(readRepoConfig(both.files, both.readFile), /both \.cid\.yml and \.cid\.yaml exist; keep one/);
    const none = memoryRepo({ 'a.opam': '' });
    assert.equal(await readRepoConfig(none.files, none.readFile), undefined);
    const yaml = memoryRepo({ '.cid.yaml': 'only: [debian-*]' });
    assert.deepEqual(await readRepoConfig(yaml.files, yaml.readFile), { file: '.cid.yaml', config: { exclude: [], only: ['debian-*'], experimental: [] } });
  });
});

describe('applyRepoConfig', () => {
  it('exclude drops any job, with the pattern as the reason', () => {
    const r = applyRepoConfig(plan, parseRepoConfig('exclude: ["*_S390X_*", "(lint-doc)"]'), '.cid.yml');
    assert.deepEqual(names(r), ['(lower-bound)', 'debian-13-5.4_opam-2.5', 'debian-13-4.14_opam-2.5', 'alpine-3.22-5.4_opam-2.5', 'debian-13-5.4_riscv64_opam-2.5']);
    assert.deepEqual(r.dropped.slice(1), [
      { variant: '(lint-doc)', reason: 'excluded by .cid.yml ("(lint-doc)")' },
      { variant: 'debian-13-5.4_s390x_opam-2.5', reason: 'excluded by .cid.yml ("*_S390X_*")' },
    ]);
    assert.deepEqual(r.dropped[0], plan.dropped[0], 'what the analysis dropped stays');
  });

  it('only keeps the platform builds it names; lint jobs and (lower-bound) are not affected', () => {
    const r = applyRepoConfig(plan, parseRepoConfig('only: ["debian-13-*"]\nexclude: ["*_riscv64_*"]'), '.cid.yml');
    assert.deepEqual(names(r), ['(lint-doc)', '(lower-bound)', 'debian-13-5.4_opam-2.5', 'debian-13-4.14_opam-2.5', 'debian-13-5.4_s390x_opam-2.5']);
    assert.ok(r.dropped.some((d) => d.variant === 'alpine-3.22-5.4_opam-2.5' && d.reason === 'not in the "only" list of .cid.yml'));
  });

  it('experimental jobs may fail without failing the commit', () => {
    const r = applyRepoConfig(plan, parseRepoConfig('experimental: ["*_riscv64_*", "(lint-*)"]'), '.cid.yml');
    assert.deepEqual(r.jobs.filter((j) => j.experimental).map((j) => j.name), ['(lint-doc)', 'debian-13-5.4_riscv64_opam-2.5']);
  });

  it('a pattern that matches nothing is noted, as it is most often a typo', () => {
    const notes: string[] = [];
    applyRepoConfig(plan, parseRepoConfig('exclude: ["*_s390_*"]'), '.cid.yml', (l) => notes.push(l));
    assert.deepEqual(notes, ['.cid.yml: the pattern "*_s390_*" matches no job']);
  });

  it('a config that leaves no build is refused, naming them', () => {
    assert.throws(() => applyRepoConfig(plan, parseRepoConfig('only: ["ubuntu-*"]'), '.cid.yml'), /\.cid\.yml leaves no platform to build: .*debian-13-5\.4_opam-2\.5/);
  });
});

describe('analyze with a .cid.yml', () => {
  it('the plan follows the file; a bad file fails the analysis with its message', async () => {
    const { analyze } = await import('../../../lib/analysis/analyze.ts');
    const { presetPlatforms } = await import('../../../lib/analysis/platforms.ts');
    const { COMMIT, opamFile } = await import('./support.ts');
    const files = { 'a.opam': opamFile({ depends: '"ocaml" {>= "4.08"} "dune"' }), 'dune-project': '(lang dune 3.0)' };
    const run = (extra: Record<string, string>, log?: (l: string) => void) => {
      const repo = memoryRepo({ ...files, ...extra });
      return analyze({ files: repo.files, readFile: repo.readFile, platforms: presetPlatforms('all'), opamRepoCommit: COMMIT, ...(log ? { log } : {}) });
    };
    const plain = await run({});
    const lines: string[] = [];
    const r = await run({ '.cid.yml': 'exclude: ["*_s390x_*", "*_ppc64le_*"]\nexperimental: ["*_riscv64_*"]\n' }, (l) => lines.push(l));
    assert.deepEqual(
      names(r),
      names(plain).filter((n) => !/_(s390x|ppc64le)_/.test(n)),
    );
    assert.ok(r.jobs.find((j) => j.name.includes('_riscv64_'))?.experimental);
    assert.ok(lines.some((l) => /^Dropped debian-13-5\.5_s390x_opam-2\.5: excluded by \.cid\.yml \("\*_s390x_\*"\)$/.test(l)), lines.join('\n'));
    // The likely mistake: an unquoted pattern starting with * is a YAML alias.
    await assert.rejects(run({ '.cid.yml': 'exclude: *_s390x_*\n' }), (err: unknown) => err instanceof AnalysisError && /^\.cid\.yml is not valid YAML: .*must be quoted, e\.g\. "\*_s390x_\*"/s.test(err.message));
  });
});
