import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { repoUrlPath, type RunnerJob } from '../../lib/contract/index.ts';
import type { JobToken } from './job-token.ts';
import { SourceError } from './source-error.ts';
import { fetchMergedSource, hasBase } from './pr-commits.ts';

export { SourceError };

// Runs `cmd`, feeding it `stdin`. The command's own exit status and stderr decide: when it fails,
// the broken pipe its exit causes upstream is a symptom, not the error to report; when it succeeds,
// having stopped reading (tar ignores what follows the end-of-archive blocks) is no failure. The
// caller checks the producer's own status (git's exit code, the HTTP response).
function run(cmd: string, args: string[], opts: { stdin?: NodeJS.ReadableStream; cwd?: string } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: [opts.stdin ? 'pipe' : 'ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let feedError: (Error & { code?: string }) | undefined;
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', (err) => reject(new SourceError(`${cmd}: ${err.message}`)));
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new SourceError(`${cmd} ${args.join(' ')} exited with ${code ?? signal}: ${stderr.trim()}`));
      const stoppedReading = feedError?.code === 'EPIPE' || feedError?.code === 'ERR_STREAM_PREMATURE_CLOSE';
      if (feedError && !stoppedReading) return reject(new SourceError(`${cmd}: its input failed: ${feedError.message}`));
      resolve();
    });
    if (opts.stdin && child.stdin) {
      pipeline(opts.stdin, child.stdin).catch((err: unknown) => (feedError = err as Error));
    }
  });
}

/** A local repository's commit, exactly as committed (git archive), into `dir`. */
export async function fetchLocalSource(path: string, sha: string, dir: string): Promise<void> {
  const archive = spawn('git', ['-C', path, 'archive', '--format=tar', sha], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  archive.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((resolve) => archive.on('close', (code) => resolve(code ?? 1)));
  const extracted = run('tar', ['-x', '-C', dir], { stdin: archive.stdout }).then(
    () => undefined,
    (err: unknown) => err,
  );
  const [code, tarError] = await Promise.all([exited, extracted]);
  // Either side's failure can cause the other's (an empty archive; a write to a closed pipe): both are told.
  const tarMessage = tarError instanceof Error ? tarError.message : undefined;
  if (code !== 0) throw new SourceError(`git archive ${sha} in ${path} failed: ${stderr.trim()}${tarMessage ? ` (and ${tarMessage})` : ''}`);
  if (tarError) throw tarError;
}

/** A GitHub commit as GitHub's tarball, with a token restricted to the repository. No full clone. */
export async function fetchGitHubSource(token: JobToken, repo: string, sha: string, dir: string): Promise<void> {
  const res = await fetch(`${token.apiUrl}/repos/${repoUrlPath(repo)}/tarball/${encodeURIComponent(sha)}`, {
    headers: { authorization: `token ${token.token}`, accept: 'application/vnd.github+json' },
    redirect: 'follow',
    signal: AbortSignal.timeout(10 * 60_000),
  });
  if (!res.ok || !res.body) throw new SourceError(`downloading ${repo}@${sha.slice(0, 12)} failed: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  await run('tar', ['-xz', '--strip-components=1', '-C', dir], { stdin: Readable.fromWeb(res.body as never) });
}

/**
 * What decides the content fetchSource puts in a directory: where the commit comes from and which
 * commit (and, for an opam-repository job, the base it is merged into). Not the job, nor its token.
 */
export function sourceKey(job: RunnerJob): string {
  const merged = job.kind === 'opam-repo' && hasBase(job.source) ? ['merged', job.source.baseSha] : ['commit'];
  const origin = job.source.kind === 'local' ? ['local', job.source.path] : ['github', job.repo];
  return JSON.stringify([...origin, job.source.sha, ...merged]);
}

export async function fetchSource(job: RunnerJob, dir: string, token: () => Promise<JobToken>, opts: { workDir?: string } = {}): Promise<void> {
  // An opam-repository job builds the PR merged into its base, as opam-repo-ci does.
  if (job.kind === 'opam-repo' && hasBase(job.source)) return fetchMergedSource(job.source, dir, { workDir: opts.workDir ?? tmpdir(), token });
  if (job.source.kind === 'local') return fetchLocalSource(job.source.path, job.source.sha, dir);
  return fetchGitHubSource(await token(), job.repo, job.source.sha, dir);
}
