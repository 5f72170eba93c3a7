import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { globToRegExp, makeExcluder } from '../../../runner/docker/exclude.ts';

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

  it('does not let * or ? cross a slash, and escapes regex characters', () => {
    assert.equal(globToRegExp('a*').test('ab/c'), false);
    assert.equal(globToRegExp('a?c').test('a/c'), false);
    assert.equal(globToRegExp('a.b').test('axb'), false);
    assert.equal(globToRegExp('(x)+').test('(x)+'), true);
  });
});
