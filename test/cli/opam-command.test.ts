// `cid opam …` as a user runs it: the real binary on a small opam repository in a temp dir.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));
let repo = '';

function cid(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, 'opam', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function pkg(name: string, version: string, body: string): void {
  const dir = join(repo, 'packages', name, `${name}.${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'opam'), `opam-version: "2.0"\n${body}\n`);
}

describe('cid opam', () => {
  before(() => {
    repo = mkdtempSync(join(tmpdir(), 'cid-opam-'));
    writeFileSync(join(repo, 'repo'), 'opam-version: "2.0"\n');
    pkg('ocaml', '5.3.0', '');
    pkg('oseq', '0.4', '');
    pkg('oseq', '0.5.1', 'depends: ["ocaml" {>= "4.08"}]');
    pkg('daypack-lib', '0.0.6', 'depends: ["oseq" {< "0.5"}]');
    pkg('timere', '0.8.0', 'depends: ["oseq" {>= "0.5"}]');
    pkg('armonly', '1', 'available: arch = "arm64"');
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  test('solve prints the selection; --var sets platform variables', () => {
    const r = cid('solve', 'oseq', '--ocaml', '5.3', '--repo', repo);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), 'ocaml.5.3.0\noseq.0.5.1');
    assert.equal(cid('solve', 'armonly', '--repo', repo).code, 1);
    assert.equal(cid('solve', 'armonly', '--var', 'arch=arm64', '--repo', repo).code, 0);
  });

  test('no solution: exit 1 with the clashing constraints, also as JSON', () => {
    const r = cid('solve', 'daypack-lib', 'oseq.0.5.1', '--repo', repo, '--json');
    assert.equal(r.code, 1);
    const body = JSON.parse(r.out) as { ok: boolean; explanation: string[] };
    assert.equal(body.ok, false);
    assert.ok(body.explanation.includes('daypack-lib.0.0.6 requires oseq {< "0.5"}'), body.explanation.join('\n'));
  });

  test('bad input: malformed name 2, unknown package 4, not a repository 2, bad --timeout 2', () => {
    assert.equal(cid('solve', 'Bad Name', '--repo', repo).code, 2);
    const unknown = cid('solve', 'nope', '--repo', repo);
    assert.equal(unknown.code, 4);
    assert.match(unknown.err, /unknown package "nope"/);
    const notRepo = cid('solve', 'oseq', '--repo', tmpdir());
    assert.equal(notRepo.code, 2);
    assert.match(notRepo.err, /not an opam repository/);
    assert.equal(cid('solve', 'oseq', '--repo', repo, '--timeout', 'soon').code, 2);
  });

  test('revdeps --coinstallable and lint', () => {
    const r = cid('revdeps', 'oseq.0.4', '--repo', repo);
    assert.equal(r.out.trim(), 'daypack-lib.0.0.6');
    assert.equal(cid('revdeps', 'oseq.0.5.1', '--coinstallable', '--repo', repo).out.trim(), 'timere.0.8.0');
    const lint = cid('lint', join(repo, 'packages', 'oseq', 'oseq.0.4'), '--json');
    const messages = JSON.parse(lint.out) as Array<{ level: string; message: string }>;
    assert.ok(messages.some((m) => m.level === 'error'), lint.out);
    assert.equal(lint.code, 1);
  });
});
