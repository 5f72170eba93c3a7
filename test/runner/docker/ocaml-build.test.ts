// End to end on a real OCaml toolchain: a dune project built by the executor in the locally made
// Debian image, its log turned into check-run annotations.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureDocker, ocamlImage } from '../../support/images.ts';
import { annotationsFromLog } from '../../../runner/report/index.ts';
import { copy, makeSource, nonce, Sandbox, shell, writeSource } from './harness.ts';

const engine = await ensureDocker();

describe('executeBuild: a dune project in cid-test/ocaml', { skip: engine.skip, timeout: 900_000 }, () => {
  const box = new Sandbox(engine.docker);
  let image = '';
  before(async () => {
    image = await ocamlImage(engine.docker);
  });
  after(() => box.cleanup());

  it('fails on a warning (dev profile), annotates it, then passes once fixed', async () => {
    const n = nonce();
    const src = await makeSource({
      'dune-project': '(lang dune 2.9)\n',
      'lib/dune': '(library (name demo))\n',
      'lib/demo.ml': `let tag = "${n}"\n\nlet greet name =\n  let unused = 42 in\n  "Hello, " ^ name\n`,
      'bin/dune': '(executable (name main) (libraries demo))\n',
      'bin/main.ml': 'let () = print_endline (Demo.greet Demo.tag)\n',
    });
    const spec = {
      from: image,
      steps: [
        { op: 'user', uid: 1000, gid: 1000 } as const,
        { op: 'env', name: 'HOME', value: '/home/opam' } as const,
        { op: 'workdir', path: '/src' } as const,
        copy(['.'], '/src'),
        shell('ocaml -version && dune build 2>&1 && ./_build/default/bin/main.exe'),
      ],
    };
    const broken = await box.run(spec, { sourceDir: src, limits: { memoryBytes: 1024 * 1024 * 1024, nanoCpus: 2_000_000_000, pidsLimit: 512 } });
    assert.equal(broken.result.status, 'failed', broken.log);
    assert.match(broken.log, /The OCaml toplevel, version 4\.\d+/);
    // The job's reason starts with this (build-job.ts): the first error, where it is.
    assert.equal(broken.result.error, 'lib/demo.ml:4: Error (warning 26 [unused-var]): unused variable unused.');
    assert.deepEqual(annotationsFromLog(broken.log), [
      {
        path: 'lib/demo.ml',
        start_line: 4,
        end_line: 4,
        start_column: 7,
        end_column: 12,
        annotation_level: 'failure',
        title: 'Error (warning 26 [unused-var])',
        message: 'unused variable unused.',
      },
    ]);

    await writeSource(src, { 'lib/demo.ml': `let tag = "${n}"\n\nlet greet name = "Hello, " ^ name\n` });
    const fixed = await box.run(spec, { sourceDir: src, limits: { memoryBytes: 1024 * 1024 * 1024, nanoCpus: 2_000_000_000, pidsLimit: 512 } });
    assert.equal(fixed.result.status, 'passed', fixed.log);
    assert.equal(fixed.result.error, undefined);
    assert.match(fixed.log, new RegExp(`: Hello, ${n}\\n`));
    assert.deepEqual(
      fixed.result.steps.map((s) => s.cached),
      [true, true, true, false, false],
    );
    assert.deepEqual(annotationsFromLog(fixed.log), []);
  });
});
