import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { busyboxImage, ensureDocker } from '../../support/images.ts';
import { copy, makeSource, Sandbox, shell } from './harness.ts';

const engine = await ensureDocker();

// The cache keys a fixed spec gets, derived here by hand from the documented scheme
// (sha256 of "cid-step-v1\n" + parent key + "\n" + canonical JSON of what a step hashes), not by
// calling the executor's own key code: a change in what the executor feeds the key (the order of
// the chain, the owner of a copy, a config step folded in or not) makes the job's keys differ and
// every runner's cache go cold. The spec is fixed (no nonce), so a later run may find it cached:
// the keys must be the same either way.
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const chain = (base: string, hashed: readonly string[]): string[] => {
  const keys: string[] = [];
  let parent = base;
  for (const json of hashed) keys.push((parent = sha256(`cid-step-v1\n${parent}\n${json}`)));
  return keys;
};

const FILES = { 'a.ml': 'let a = 1\n', 'lib/b.ml': 'let b = 2\n', 'run.sh': '#!/bin/sh\necho run\n', '.git/HEAD': 'ref\n', '_build/x': 'junk\n' };
const file = (path: string, content: string, mode = 420): string =>
  `{"mode":${mode},"path":"${path}","sha256":"${sha256(content)}","type":"file"}`;

const SPEC_STEPS = [
  { op: 'env', name: 'OPAMYES', value: '1' },
  { op: 'workdir', path: '/src' },
  { op: 'user', uid: 1000, gid: 1000 },
  copy(['.'], './', ['_build']),
  shell('cat a.ml > copy.ml'),
  shell('echo net', { network: true, cache: [{ id: 'keys', target: '/home/keys' }] }),
  copy(['lib/b.ml'], 'lib2'),
  { op: 'user', uid: 0, gid: 0 },
  shell('true'),
] as const;

const HASHED = [
  '{"name":"OPAMYES","op":"env","value":"1"}',
  '{"op":"workdir","path":"/src"}',
  '{"gid":1000,"op":"user","uid":1000}',
  `{"files":[${[
    file('/src/a.ml', FILES['a.ml']),
    '{"mode":493,"path":"/src/lib","type":"dir"}',
    file('/src/lib/b.ml', FILES['lib/b.ml']),
    file('/src/run.sh', FILES['run.sh'], 493),
  ].join(',')}],"gid":1000,"op":"copy","uid":1000}`,
  '{"network":false,"op":"run","shell":"cat a.ml > copy.ml"}',
  '{"network":true,"op":"run","shell":"echo net"}',
  `{"files":[${file('/src/lib2/b.ml', FILES['lib/b.ml'])}],"gid":1000,"op":"copy","uid":1000}`,
  '{"gid":0,"op":"user","uid":0}',
  '{"network":false,"op":"run","shell":"true"}',
];

describe('executeBuild: cache keys of a fixed spec', { skip: engine.skip, timeout: 600_000 }, () => {
  const box = new Sandbox(engine.docker);
  let image = '';
  let source = '';
  before(async () => {
    image = await busyboxImage('amd64', engine.docker);
    source = await makeSource(FILES);
    await chmod(join(source, 'run.sh'), 0o755);
  });
  after(() => box.cleanup());

  it('chains the keys as before the executor was split into step kinds, cached or not', async () => {
    const expected = chain((await engine.docker.getImage(image).inspect()).Id, HASHED);
    const spec = { from: image, steps: [...SPEC_STEPS] };
    const first = await box.run(spec, { sourceDir: source });
    assert.equal(first.result.status, 'passed', first.log);
    assert.deepEqual(first.result.steps.map((s) => s.key), expected);
    const warm = await box.run(spec, { sourceDir: source });
    assert.equal(warm.result.status, 'passed', warm.log);
    assert.deepEqual(warm.result.steps.map((s) => s.cached), expected.map(() => true), warm.log);
    assert.deepEqual(warm.result.steps.map((s) => s.key), expected);
    const uncached = await box.run(spec, { sourceDir: source, cache: false });
    assert.equal(uncached.result.status, 'passed', uncached.log);
    assert.deepEqual(uncached.result.steps.map((s) => s.key), expected);
  });
});
