import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LinePrefixer, logTimestamp, stampLine, TIMESTAMP_PREFIX } from '../../../runner/docker/log-lines.ts';
import { atom, describeStep, stepHeader } from '../../../runner/docker/step-header.ts';
import { DockerStreamDemuxer } from '../../../runner/docker/demux.ts';
import { StepSchema } from '../../../lib/contract/index.ts';

const at = new Date('2024-05-01T12:03:09.500Z');

describe('log lines', () => {
  it('formats timestamps as ocaml-ci does, in UTC', () => {
    assert.equal(logTimestamp(at), '2024-05-01 12:03.09');
    assert.equal(stampLine('hello', at), '2024-05-01 12:03.09: hello\n');
    assert.match(stampLine('x', at), TIMESTAMP_PREFIX);
  });

  it('prefixes each line once, across chunks, passing partial lines on at once', () => {
    const p = new LinePrefixer(() => at);
    const s = '2024-05-01 12:03.09: ';
    assert.equal(p.push('one\ntw'), `${s}one\n${s}tw`);
    assert.equal(p.push('o\n'), 'o\n');
    assert.equal(p.push('\nthree'), `${s}\n${s}three`);
    assert.equal(p.flush(), '\n');
    assert.equal(p.flush(), '');
    assert.equal(p.push(''), '');
  });
});

describe('step headers', () => {
  const step = (s: unknown) => StepSchema.parse(s);
  it('prints steps as OBuilder s-expressions', () => {
    assert.equal(describeStep(step({ op: 'run', shell: 'opam install -y "dune"' })), '(run (shell "opam install -y \\"dune\\""))');
    assert.equal(
      describeStep(step({ op: 'run', shell: 'make', network: true, cache: [{ id: 'opam-archives', target: '/home/opam/.opam/download-cache' }] })),
      '(run (cache (opam-archives (target /home/opam/.opam/download-cache))) (network host) (shell make))',
    );
    assert.equal(describeStep(step({ op: 'copy', src: ['a.opam', 'b c'], dst: './', exclude: ['_build'] })), '(copy (src a.opam "b c") (dst ./) (exclude _build))');
    assert.equal(describeStep(step({ op: 'env', name: 'OPAMYES', value: '1' })), '(env OPAMYES 1)');
    assert.equal(describeStep(step({ op: 'env', name: 'E', value: '' })), '(env E "")');
    assert.equal(describeStep(step({ op: 'user', uid: 1000, gid: 1000 })), '(user (uid 1000) (gid 1000))');
    assert.equal(stepHeader('/src', step({ op: 'workdir', path: '/x' })), '/src: (workdir /x)');
    assert.equal(atom('a\nb'), '"a\\nb"');
  });
});

describe('DockerStreamDemuxer', () => {
  const frame = (stream: number, payload: Buffer | string): Buffer => {
    const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
    const h = Buffer.alloc(8);
    h[0] = stream;
    h.writeUInt32BE(body.length, 4);
    return Buffer.concat([h, body]);
  };

  it('splits frames cut anywhere, and UTF-8 characters cut in two', () => {
    const got: [string, string][] = [];
    const d = new DockerStreamDemuxer((text, stream) => got.push([stream, text]));
    const euro = Buffer.from('€'); // 3 bytes
    const all = Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(1, euro.subarray(0, 1)), frame(1, euro.subarray(1)), frame(1, 'x')]);
    for (let i = 0; i < all.length; i += 3) d.push(all.subarray(i, i + 3));
    d.end();
    assert.deepEqual(got, [
      ['stdout', 'out\n'],
      ['stderr', 'err\n'],
      ['stdout', '€'],
      ['stdout', 'x'],
    ]);
  });
});
