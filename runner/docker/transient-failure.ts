/**
 * Recognises a step that failed because a download flaked (DNS, a dropped connection, a timeout,
 * a 502/503/504 from a mirror), from the tail of its output, so the executor can run it again
 * instead of making the user press "rebuild". Only messages real tools print for failures of the
 * network itself; an HTTP 404, a bad checksum, an unknown package or a failing test are the
 * build's own failures and must not match.
 *
 * Sources of the wording:
 * - curl: `curl: (N) <curl_easy_strerror / detail>` — 6 resolve, 7 connect, 16 HTTP/2 framing,
 *   18 partial transfer, 28 timeout, 35 TLS handshake, 52 empty reply, 56 recv failure, 92 HTTP/2
 *   stream reset; `curl: (22) The requested URL returned error: 503` with `--fail`.
 *   dnf/yum (librepo) say `Curl error (6): Couldn't resolve host name for …`.
 * - wget (GNU): `unable to resolve host address`, `failed: Connection timed out.`, `failed:
 *   Temporary failure in name resolution.`, `Read error (Connection reset by peer) in headers.`,
 *   `ERROR 503: Service Unavailable.`; busybox wget: `bad address`, `download timed out`.
 * - apt (methods/connect.cc, http.cc): `Temporary failure resolving 'deb.debian.org'`, `Could not
 *   connect to host:80 (ip), connection timed out`, `Failed to fetch <url>  … Connection failed`,
 *   `Unable to connect to`, `Could not resolve 'host'`, `Hash Sum mismatch` with `Mirror sync in
 *   progress?`, a `Failed to fetch` answered by 502/503/504.
 * - apk: `temporary error (try again later)`.
 * - git: `fatal: unable to access '<url>': Could not resolve host: github.com` (libcurl's text),
 *   `ssh: Could not resolve hostname …`, `error: RPC failed; curl 56 …`, `fatal: early EOF`,
 *   `fatal: the remote end hung up unexpectedly`, `fetch-pack: unexpected disconnect while
 *   reading sideband packet`, `gnutls_handshake() failed`.
 * - opam (src/repository/opamDownload.ml, src/client/opamAction.ml): `[ERROR] Failed to get sources
 *   of <pkg> (<url>): Curl failed: "<cmd>" exited with code N` / `Download command failed: … exited
 *   with code N` (retried for curl's network codes and wget's 4, "network failure"), `curl error
 *   code 50x` / `curl: code 50x while downloading`, `curl: empty response while downloading`.
 *   opam's own lines quote the failing command, so opam + curl lines match on the curl text too.
 */

export interface TransientFailure {
  /** Which family of messages matched: curl, wget, apt, apk, git, opam, dns. */
  tool: string;
  /** The output line that matched, trimmed and shortened for the log. */
  line: string;
}

/** Lines of the output's end that are searched: the error a failed download ends with, and what
 * follows it (opam's summary of failed actions, apt's "Unable to fetch some archives"). */
export const TAIL_LINES = 60;

const CURL_CODES = '6|7|16|18|28|35|52|56|92';
const GATEWAY = '50[234]';

const PATTERNS: readonly { tool: string; re: RegExp }[] = [
  // curl's own error line, also quoted by opam and other wrappers.
  { tool: 'curl', re: new RegExp(`\\bcurl: \\((?:${CURL_CODES})\\) `) },
  { tool: 'curl', re: new RegExp(`\\bcurl: \\(22\\) The requested URL returned error: ${GATEWAY}\\b`) },
  { tool: 'curl', re: new RegExp(`\\bCurl error \\((?:${CURL_CODES})\\): `) },
  // opam: the download tool failed with a network exit status, or the server answered 502/503/504.
  { tool: 'opam', re: new RegExp(`\\bCurl failed: .*exited with code (?:${CURL_CODES})\\b`) },
  { tool: 'opam', re: /\bDownload command failed: .*exited with code (?:4)\b/ },
  { tool: 'opam', re: new RegExp(`\\bcurl(?: error code |: code )${GATEWAY}\\b`) },
  { tool: 'opam', re: /\bcurl: empty response while downloading\b/ },
  // wget, GNU and busybox.
  { tool: 'wget', re: /\bunable to resolve host address\b/ },
  { tool: 'wget', re: /\bwget: bad address '/ },
  { tool: 'wget', re: /\bwget: download timed out\b/ },
  { tool: 'wget', re: /\.\.\. failed: (?:Connection timed out|Connection refused|Temporary failure in name resolution|Network is unreachable|No route to host)\.?$/ },
  { tool: 'wget', re: /\bRead error \((?:Connection reset by peer|Connection timed out)\)/ },
  { tool: 'wget', re: new RegExp(`\\bERROR ${GATEWAY}: `) },
  // apt (and apt-get).
  { tool: 'apt', re: /\bTemporary failure resolving '/ },
  { tool: 'apt', re: /\bCould not connect to \S+:\d+ \(/ },
  { tool: 'apt', re: /\bCould not resolve '[^']+'/ },
  { tool: 'apt', re: /\bUnable to connect to \S+:\S+:/ },
  { tool: 'apt', re: /\bFailed to fetch .*(?:Connection failed|Connection timed out|Connection reset|Hash Sum mismatch|Mirror sync in progress|Temporary failure|Could not connect)/ },
  { tool: 'apt', re: new RegExp(`\\bFailed to fetch .*\\b${GATEWAY} `) },
  { tool: 'apt', re: /\bMirror sync in progress\?/ },
  // apk.
  { tool: 'apk', re: /\btemporary error \(try again later\)/ },
  // git (over https: libcurl's messages; over ssh: the resolver's).
  { tool: 'git', re: /\bunable to access '[^']*': (?:Could not resolve host|Failed to connect to|Operation timed out|Connection timed out|Recv failure|OpenSSL SSL_(?:read|connect)|GnuTLS recv error|gnutls_handshake\(\) failed|Empty reply from server|HTTP\/2 stream \d+ was not closed cleanly)/ },
  { tool: 'git', re: new RegExp(`\\bunable to access '[^']*': The requested URL returned error: ${GATEWAY}\\b`) },
  { tool: 'git', re: /\bssh: Could not resolve hostname \S+: (?:Temporary failure in name resolution|Name or service not known)/ },
  { tool: 'git', re: /\bRPC failed; (?:curl \d+|HTTP 50[234])/ },
  { tool: 'git', re: /^(?:fatal|error): early EOF\b/ },
  { tool: 'git', re: /^fatal: the remote end hung up unexpectedly\b/ },
  { tool: 'git', re: /\bunexpected disconnect while reading sideband packet\b/ },
  // The C library's resolver, whoever prints it: EAI_AGAIN is "try again" by definition.
  { tool: 'dns', re: /\bTemporary failure in name resolution\b/ },
];

// Colour and cursor sequences (opam, apt and curl progress bars) would split the words.
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;

const MAX_LINE = 240;

/** A long line keeps its start (what failed) and its end (opam's exit code, the cause). */
function shorten(line: string): string {
  if (line.length <= MAX_LINE) return line;
  const head = Math.floor(MAX_LINE / 2) - 2;
  return `${line.slice(0, head)} … ${line.slice(line.length - (MAX_LINE - head - 3))}`;
}

/**
 * The last line of the output's tail that a network flake explains, or undefined. Lines are read
 * from the end: the nearest error is the one that failed the step.
 */
export function findTransientFailure(output: string, tailLines: number = TAIL_LINES): TransientFailure | undefined {
  const lines = output.replace(ANSI, '').split(/\r\n|\r|\n/);
  let seen = 0;
  for (let i = lines.length - 1; i >= 0 && seen < tailLines; i--) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    seen++;
    for (const p of PATTERNS) {
      if (p.re.test(line)) {
        return { tool: p.tool, line: shorten(line) };
      }
    }
  }
  return undefined;
}

/** Keeps the last `maxChars` of a stream of text: what the matcher reads when the step fails. */
export class OutputTail {
  private text = '';
  constructor(private readonly maxChars: number = 64 * 1024) {}

  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > 2 * this.maxChars) this.text = this.text.slice(-this.maxChars);
  }

  toString(): string {
    return this.text.length > this.maxChars ? this.text.slice(-this.maxChars) : this.text;
  }
}
