import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '../../../runner/docker/canonical-json.ts';
import { hashedStep, stepKey } from '../../../runner/docker/cache-key.ts';
import { StepSchema } from '../../../lib/contract/index.ts';

const step = (s: unknown) => StepSchema.parse(s);
const BASE = 'sha256:' + 'a'.repeat(64);

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: undefined }], c: 'x' } }), '{"a":{"c":"x","d":[1,{"z":0}]},"b":1}');
    assert.equal(canonicalJson({ a: 1, b: 2 }), canonicalJson({ b: 2, a: 1 }));
  });
});

describe('stepKey', () => {
  it('is a sha256 of the parent and the step, chained', () => {
    const run = step({ op: 'run', shell: 'make' });
    const k1 = stepKey(BASE, hashedStep(run));
    assert.match(k1, /^[0-9a-f]{64}$/);
    assert.equal(stepKey(BASE, hashedStep(run)), k1, 'deterministic');
    assert.notEqual(stepKey('sha256:' + 'b'.repeat(64), hashedStep(run)), k1, 'another base image, another key');
    assert.notEqual(stepKey(k1, hashedStep(run)), k1, 'the same step after itself is another state');
  });

  it('covers shell and network, not cache mounts', () => {
    const plain = stepKey(BASE, hashedStep(step({ op: 'run', shell: 'make' })));
    assert.equal(stepKey(BASE, hashedStep(step({ op: 'run', shell: 'make', cache: [{ id: 'dl', target: '/dl' }] }))), plain);
    assert.notEqual(stepKey(BASE, hashedStep(step({ op: 'run', shell: 'make', network: true }))), plain);
    assert.notEqual(stepKey(BASE, hashedStep(step({ op: 'run', shell: 'make ' }))), plain);
  });

  it('keys config steps by their values', () => {
    const env = (value: string) => stepKey(BASE, hashedStep(step({ op: 'env', name: 'A', value })));
    assert.notEqual(env('1'), env('2'));
    const user = (uid: number) => stepKey(BASE, hashedStep(step({ op: 'user', uid, gid: 0 })));
    assert.notEqual(user(0), user(1000));
  });

  it('keys copies by their manifest and owner; src spelling and timestamps do not matter', () => {
    const manifest = [{ path: '/src/a.ml', type: 'file' as const, mode: 0o644, sha256: 'f'.repeat(64) }];
    const copyA = step({ op: 'copy', src: ['.'], dst: '/src' });
    const copyB = step({ op: 'copy', src: ['./'], dst: '/src/' });
    const k = stepKey(BASE, hashedStep(copyA, { manifest, uid: 0, gid: 0 }));
    assert.equal(stepKey(BASE, hashedStep(copyB, { manifest, uid: 0, gid: 0 })), k);
    assert.notEqual(stepKey(BASE, hashedStep(copyA, { manifest, uid: 1000, gid: 1000 })), k);
    assert.notEqual(stepKey(BASE, hashedStep(copyA, { manifest: [{ ...manifest[0]!, sha256: 'e'.repeat(64) }], uid: 0, gid: 0 })), k);
    assert.throws(() => hashedStep(copyA), TypeError);
  });
});
