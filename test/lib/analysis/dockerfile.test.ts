import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderDockerfile } from '../../../lib/analysis/dockerfile.ts';
import { OPAM_ARCHIVES, copy, env, run, user, workdir } from '../../../lib/analysis/steps.ts';

describe('renderDockerfile', () => {
  it('renders each kind of step', () => {
    const text = renderDockerfile(
      {
        from: 'ocaml/opam:debian-12-ocaml-5.3@sha256:' + 'a'.repeat(64),
        steps: [
          env('A', 'say "hi" \\ bye'),
          workdir('/src'),
          copy(['a.opam', 'b.opam'], '/src'),
          run('echo root', { network: true }),
          user(1000, 1000),
          copy(['.'], '/src/', ['.git', '_build']),
          run('opam install x', { network: true, cache: [OPAM_ARCHIVES] }),
          run('dune build && \nrm -rf _build'),
        ],
      },
      { title: 'debian-12-5.3_opam-2.3' },
    );
    assert.equal(
      text,
      [
        '# syntax=docker/dockerfile:1',
        '# debian-12-5.3_opam-2.3',
        `FROM ocaml/opam:debian-12-ocaml-5.3@sha256:${'a'.repeat(64)}`,
        'ENV A="say \\"hi\\" \\\\ bye"',
        'WORKDIR /src',
        'COPY a.opam b.opam /src/',
        'RUN echo root',
        'USER 1000:1000',
        '# Not copied (list them in .dockerignore): .git _build',
        'COPY --chown=1000:1000 . /src/',
        'RUN --mount=type=cache,id=opam-archives,target=/home/opam/.opam/download-cache,uid=1000 opam install x',
        'RUN --network=none dune build && \\',
        '    rm -rf _build',
        '',
      ].join('\n'),
    );
  });

  it('keeps cache mounts root-owned before any USER step', () => {
    const text = renderDockerfile({ from: 'img', steps: [run('x', { cache: [OPAM_ARCHIVES] })] });
    assert.match(text, /^RUN --mount=type=cache,id=opam-archives,target=\/home\/opam\/\.opam\/download-cache --network=none x$/m);
  });
});
