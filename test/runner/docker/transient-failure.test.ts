import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findTransientFailure, OutputTail, TAIL_LINES } from '../../../runner/docker/transient-failure.ts';

// Lines as the tools print them (hosts and paths vary; the wording is the tools').
const TRANSIENT: [tool: string, line: string][] = [
  ['curl', 'curl: (6) Could not resolve host: github.com'],
  ['curl', 'curl: (7) Failed to connect to opam.ocaml.org port 443 after 130 ms: Connection refused'],
  ['curl', 'curl: (28) Operation timed out after 300000 milliseconds with 1048576 out of 5242880 bytes received'],
  ['curl', 'curl: (28) Connection timed out after 10001 milliseconds'],
  ['curl', 'curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to github.com:443 '],
  ['curl', 'curl: (52) Empty reply from server'],
  ['curl', 'curl: (56) Recv failure: Connection reset by peer'],
  ['curl', 'curl: (18) transfer closed with 1638 bytes remaining to read'],
  ['curl', 'curl: (92) HTTP/2 stream 0 was not closed cleanly: INTERNAL_ERROR (err 2)'],
  ['curl', 'curl: (22) The requested URL returned error: 503'],
  ['curl', "Curl error (6): Couldn't resolve host name for https://mirrors.fedoraproject.org/metalink?repo=fedora-39 [Could not resolve host: mirrors.fedoraproject.org]"],
  ['wget', "wget: unable to resolve host address 'github.com'"],
  ['wget', 'Connecting to github.com (github.com)|140.82.121.4|:443... failed: Connection timed out.'],
  ['wget', 'Resolving github.com (github.com)... failed: Temporary failure in name resolution.'],
  ['wget', 'Read error (Connection reset by peer) in headers.'],
  ['wget', '2024-05-01 12:00:00 ERROR 503: Service Unavailable.'],
  ['wget', "wget: bad address 'dl-cdn.alpinelinux.org'"],
  ['wget', 'wget: download timed out'],
  ['apt', "Err:1 http://deb.debian.org/debian bookworm InRelease\n  Temporary failure resolving 'deb.debian.org'"],
  ['apt', 'E: Failed to fetch http://deb.debian.org/debian/pool/main/m/m4/m4_1.4.19-3_amd64.deb  Connection failed [IP: 151.101.2.132 80]'],
  ['apt', 'Could not connect to archive.ubuntu.com:80 (185.125.190.36), connection timed out'],
  ['apt', 'E: Failed to fetch http://archive.ubuntu.com/ubuntu/dists/jammy/InRelease  503  Service Unavailable [IP: 185.125.190.39 80]'],
  ['apt', 'E: Failed to fetch http://deb.debian.org/debian/dists/bookworm/main/binary-amd64/Packages.xz  File has unexpected size (8786140 != 8786024). Mirror sync in progress? [IP: 151.101.2.132 80]'],
  ['apk', 'WARNING: fetching https://dl-cdn.alpinelinux.org/alpine/v3.19/main: temporary error (try again later)'],
  ['git', "fatal: unable to access 'https://github.com/ocaml/opam-repository.git/': Could not resolve host: github.com"],
  ['git', "fatal: unable to access 'https://github.com/ocaml/dune.git/': Failed to connect to github.com port 443 after 129 ms: Couldn't connect to server"],
  ['git', "fatal: unable to access 'https://github.com/ocaml/dune.git/': The requested URL returned error: 502"],
  ['git', 'ssh: Could not resolve hostname github.com: Temporary failure in name resolution'],
  ['git', 'error: RPC failed; curl 56 GnuTLS recv error (-9): Error decoding the received TLS packet.'],
  ['git', 'fatal: early EOF'],
  ['git', 'fatal: the remote end hung up unexpectedly'],
  ['git', 'error: 4837 bytes of body are still expected\nfetch-pack: unexpected disconnect while reading sideband packet'],
  [
    'opam',
    '[ERROR] Failed to get sources of lwt.5.7.0 (https://github.com/ocsigen/lwt/archive/refs/tags/5.7.0.tar.gz): Curl failed: "/usr/bin/curl --write-out %{http_code}\\n --retry 3 --retry-delay 2 --user-agent opam/2.1.5 -L -o /home/opam/.opam/4.14/.opam-switch/sources/lwt.5.7.0/5.7.0.tar.gz.part -- https://github.com/ocsigen/lwt/archive/refs/tags/5.7.0.tar.gz" exited with code 6',
  ],
  ['opam', '[ERROR] Failed to get sources of dune.3.15.0: Download command failed: "wget --content-disposition -t 3 -O /tmp/x.part -- https://github.com/…" exited with code 4'],
  ['opam', '[ERROR] Failed to get sources of ocamlfind.1.9.6 (http://download.camlcity.org/download/findlib-1.9.6.tar.gz): curl error code 503'],
  ['opam', '[ERROR] curl: code 504 while downloading https://opam.ocaml.org/cache/md5/aa/aabbcc'],
  ['opam', '[ERROR] curl: empty response while downloading https://opam.ocaml.org/index.tar.gz'],
  ['dns', 'getaddrinfo: Temporary failure in name resolution'],
];

// Failures of the build itself, some with network words in them: never retried.
const PERMANENT: string[] = [
  'curl: (22) The requested URL returned error: 404',
  'curl: (60) SSL certificate problem: unable to get local issuer certificate',
  'curl: (3) URL using bad/illegal format or missing URL',
  '[ERROR] Failed to get sources of foo.1.0 (https://example.org/foo-1.0.tbz): curl error code 404',
  '[ERROR] curl: code 404 while downloading https://example.org/foo-1.0.tbz',
  '[ERROR] Failed to get sources of foo.1.0: Bad checksum, expected sha256=0123abcd',
  '[ERROR] Failed to get sources of foo.1.0: Curl failed: "/usr/bin/curl … -- foo://bar" exited with code 1',
  '[ERROR] Failed to get sources of foo.1.0: Download command failed: "wget … -- https://example.org/x" exited with code 8',
  "[ERROR] No package named doesnotexist found.",
  'E: Unable to locate package libgmp-devv',
  'ERROR 404: Not Found.',
  "fatal: repository 'https://github.com/ocaml/nope.git/' not found",
  'fatal: Could not read from remote repository.',
  'File "src/main.ml", line 3, characters 8-15:\nError: Unbound value Foo.bar',
  '[ERROR] The compilation of lwt.5.7.0 failed at "dune build -p lwt -j 2".',
  'make: *** [Makefile:12: all] Error 2',
  'FAIL test/test_http.ml: expected "Could not resolve host" in the error message',
];

describe('findTransientFailure', () => {
  for (const [tool, text] of TRANSIENT) {
    it(`matches ${tool}: ${text.split('\n').at(-1)!.slice(0, 70)}`, () => {
      const m = findTransientFailure(`Processing 2/4: [lwt.5.7.0: http]\n${text}\n`);
      assert.ok(m, text);
      assert.equal(m.tool, tool);
      const last = text.split('\n').at(-1)!.trim();
      if (last.length <= 240) assert.equal(m.line, last, 'short lines are quoted whole');
      else assert.ok(m.line.length <= 240 && m.line.includes(' … '), m.line);
    });
  }

  for (const text of PERMANENT) {
    it(`does not match: ${text.split('\n').at(-1)!.slice(0, 70)}`, () => {
      assert.equal(findTransientFailure(`${text}\n`), undefined);
    });
  }

  it('reads opam\'s whole failure report: the error, then the summary of failed actions', () => {
    const log = [
      '<><> Processing actions <><><><><><><><><><><><><><><><><><><><><><><><><><>',
      '[ERROR] Failed to get sources of conf-gmp.4 (https://gmplib.org/download/gmp/gmp-6.3.0.tar.xz): Curl failed: "/usr/bin/curl --write-out %{http_code}\\n --retry 3 --retry-delay 2 --user-agent opam/2.1.5 -L -o /home/opam/.opam/download-cache/gmp.part -- https://gmplib.org/download/gmp/gmp-6.3.0.tar.xz" exited with code 28',
      '[ERROR] The sources of the following couldn\'t be obtained, aborting:',
      '          - conf-gmp.4',
      '',
      '<><> Error report <><><><><><><><><><><><><><><><><><><><><><><><><><><><><>',
      '┌─ The following actions failed',
      '│ λ fetch conf-gmp 4',
      '└─ ',
      '╶─ No changes have been performed',
      '',
    ].join('\n');
    const m = findTransientFailure(log);
    assert.equal(m?.tool, 'opam');
    assert.match(m.line, /^\[ERROR\] Failed to get sources of conf-gmp\.4 .*exited with code 28$/);
  });

  it('takes the line nearest to the end, and quotes a long one shortened', () => {
    const m = findTransientFailure(`curl: (6) Could not resolve host: a.example\nW: ${'x'.repeat(300)} Temporary failure in name resolution\n`);
    assert.equal(m?.tool, 'dns');
    assert.ok(m.line.length <= 240 && m.line.includes(' … ') && m.line.endsWith('Temporary failure in name resolution'), m.line);
  });

  it('ignores what scrolled out of the tail: the step failed for a later reason', () => {
    const old = 'curl: (6) Could not resolve host: github.com\n';
    const later = Array.from({ length: TAIL_LINES }, (_, i) => `  compiling module ${i}`).join('\n');
    assert.equal(findTransientFailure(`${old}${later}\nError: Unbound module Foo\n`), undefined);
    assert.equal(findTransientFailure(`${old}${later.split('\n').slice(2).join('\n')}\n`)?.tool, 'curl');
  });

  it('sees through colour codes and carriage returns (progress bars)', () => {
    const m = findTransientFailure('\x1b[31m[ERROR]\x1b[0m Failed to get sources of x.1: curl error code 502\r\n  0%\r 12%\rcurl: (56) Recv failure: Connection reset by peer\r\n');
    assert.equal(m?.line, 'curl: (56) Recv failure: Connection reset by peer');
  });
});

describe('OutputTail', () => {
  it('keeps the last characters of a stream', () => {
    const t = new OutputTail(10);
    for (const c of ['abc', 'defghij', 'klmnopqrstuvwxyz', '0123']) t.push(c);
    assert.equal(t.toString(), 'qrstuvwxyz0123'.slice(-10));
  });
});
