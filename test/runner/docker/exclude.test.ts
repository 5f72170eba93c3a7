import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeExcluder } from '../../../runner/docker/exclude.ts';

describe('makeExcluder', () => {
  it('always excludes .git, at any depth', () => {
    const ex = makeExcluder([]);
    assert.equal(ex('.git'), true);
    assert.equal(ex('vendor/lib/.git'), true);
    assert.equal(ex('.gitignore'), false);
    assert.equal(ex('src/main.ml'), false);
  });

  it('matches bare names at any depth and paths from the root', () => {
    const ex = makeExcluder(['_build', '*.install', 'docs/generated', './tmp/', 'a/**/z']);
    assert.equal(ex('_build'), true);
    assert.equal(ex('lib/_build'), true);
    assert.equal(ex('foo.install'), true);
    assert.equal(ex('lib/foo.install'), true);
    assert.equal(ex('docs/generated'), true);
    assert.equal(ex('x/docs/generated'), false, 'a path pattern is anchored at the root');
    assert.equal(ex('tmp'), true);
    assert.equal(ex('a/z'), true);
    assert.equal(ex('a/b/c/z'), true);
    assert.equal(ex('build'), false);
  });

  it('does not let * or ? cross a slash, and takes regex characters literally', () => {
    assert.equal(makeExcluder(['a*/c'])('ab/x/c'), false);
    assert.equal(makeExcluder(['x/a?c'])('x/a/c'), false);
    assert.equal(makeExcluder(['a.b'])('axb'), false);
    assert.equal(makeExcluder(['(x)+'])('(x)+'), true);
    assert.equal(makeExcluder(['a+b$'])('a+b$'), true);
  });

  it('matches dotfiles like any file; ! and # are plain characters, not negation or comments', () => {
    const ex = makeExcluder(['*.tmp', 'cache/*', '!keep', '#notes']);
    assert.equal(ex('.hidden.tmp'), true);
    assert.equal(ex('cache/.stamp'), true);
    assert.equal(ex('!keep'), true);
    assert.equal(ex('keep'), false, 'a leading ! does not turn the rule into "everything but"');
    assert.equal(ex('#notes'), true);
    assert.equal(ex('src/main.ml'), false);
  });

  it('supports character classes and braces (minimatch)', () => {
    const ex = makeExcluder(['*.{tmp,bak}', 'log[0-9]', 'out/**/*.o']);
    assert.equal(ex('a.tmp'), true);
    assert.equal(ex('d/a.bak'), true);
    assert.equal(ex('a.orig'), false);
    assert.equal(ex('log7'), true);
    assert.equal(ex('logx'), false);
    assert.equal(ex('out/x.o'), true);
    assert.equal(ex('out/a/b/x.o'), true);
    assert.equal(ex('src/x.o'), false);
  });
});
