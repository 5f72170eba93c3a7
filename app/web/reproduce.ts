// "To reproduce locally": fetch the commit into a fresh temporary directory, then build the job's
// spec as a Dockerfile there (as ocaml-ci's job pages do), so the user's own checkout is never
// touched. Docker's BuildKit is needed for the cache mounts.
import type { Job } from '../../lib/contract/index.ts';
import { renderDockerfile } from '../../lib/analysis/index.ts';

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Shell commands, or undefined for a job without a build spec (the analysis). */
export function reproduceScript(job: Job): string | undefined {
  if (!job.spec) return undefined;
  const dockerfile = renderDockerfile(job.spec, { title: job.name });
  // opam-repository jobs build the PR merged into its base, as the runner did.
  const base = job.kind === 'opam-repo' ? job.source.baseSha : undefined;
  const checkout = base
    ? [`git -c advice.detachedHead=false checkout ${base}`, `git -c user.name=cid -c user.email=cid@localhost merge --no-edit ${job.sha}`]
    : [`git -c advice.detachedHead=false checkout ${job.sha}`];
  const lines: string[] = [];
  if (job.source.kind === 'github') {
    const dir = job.repo.split('/')[1] ?? 'src';
    lines.push('cd "$(mktemp -d)"', `git clone --recursive ${sq(job.source.cloneUrl)} ${sq(dir)} && cd ${sq(dir)}`);
    if (job.source.fetchRef) lines.push(`git fetch origin ${sq(job.source.fetchRef)}`);
  } else {
    // A `cid local` run: the commit is in the repository at this path on the machine that ran it.
    lines.push(
      `# The commit of the local repository ${job.source.path}, cloned from that path (your checkout is left as it is)`,
      'cd "$(mktemp -d)"',
      `git clone --recursive ${sq(job.source.path)} src && cd src`,
    );
  }
  lines.push(...checkout);
  lines.push(`cat > ../Dockerfile <<'END-OF-DOCKERFILE'`, dockerfile.trimEnd(), 'END-OF-DOCKERFILE', 'docker build -f ../Dockerfile .');
  return `${lines.join('\n')}\n`;
}
