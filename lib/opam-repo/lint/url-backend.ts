// Which of opam's backends fetches a URL (OpamUrl.parse), for opam lint's error 67: a checksum
// only makes sense on an archive, i.e. the `http` backend (http, https, ftp).

const VCS = new Set(['git', 'hg', 'darcs']);
const HTTP = new Set(['http', 'https', 'ftp', 'wget', 'curl']);

export type UrlBackend = 'http' | 'vcs' | 'local' | 'unknown';

/** The backend of a `url { src: … }`, as opam reads it (the `vcs+transport://` prefix, then the suffix). */
export function urlBackend(url: string): UrlBackend {
  const m = /^(?:(?:([^+:/]*)\+)?([^:/]*):\/\/)?([^#]*)/.exec(url);
  const [, vc, transport, rawPath = ''] = m ?? [];
  if (vc !== undefined) return VCS.has(vc) ? 'vcs' : 'unknown';
  const path = rawPath.replace(/\/+$/, '');
  // "…/repo.git", "…/repo.hg", "…/_darcs", "git@host:repo".
  const suffix = /(?:\.([^\\/.#]+)|\/_(darcs))$/.exec(path);
  const user = /^([^@/]+)@/.exec(path)?.[1];
  const bySuffix = [suffix?.[1], suffix?.[2], user].some((s) => s !== undefined && VCS.has(s));
  if (transport === undefined) {
    if (bySuffix) return 'vcs';
    // A local path; opam 2.1.2's lint lets a relative one ("x.tar.gz") through.
    return /^[/~.]/.test(path) ? 'local' : 'http';
  }
  if (VCS.has(transport) || bySuffix) return 'vcs';
  if (HTTP.has(transport)) return 'http';
  return ['file', 'path', 'local', 'rsync', 'ssh', 'scp', 'sftp'].includes(transport) ? 'local' : 'unknown';
}
