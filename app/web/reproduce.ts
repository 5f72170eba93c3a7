// "To reproduce locally": fetch the commit, then build the job's spec as a Dockerfile (as
// ocaml-ci's job pages do). Docker's BuildKit is needed for the cache mounts.
import type { Job } from '../contract/index.ts';
import { renderDockerfile } from '../analysis/index.ts';

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Shell commands, or undefined for a job without a build spec (the analysis). */
export function reproduceScript(job: Job): string | undefined {
  if (!job.spec) return undefined;
  const dockerfile = renderDockerfile(job.spec, { title: job.name });
  const lines: string[] = [];
  // opam-repository jobs build the PR merged into its base, as the runner did.
  const base = job.kind === 'opam-repo' ? job.source.baseSha : undefined;
  const checkout = base
    ? [`git -c advice.detachedHead=false checkout ${base}`, `git -c user.name=cid -c user.email=cid@localhost merge --no-edit ${job.sha}`]
    : [`git -c advice.detachedHead=false checkout ${job.sha}`];
  if (job.source.kind === 'github') {
    const dir = job.repo.split('/')[1] ?? 'src';
    lines.push(`git clone --recursive ${sq(job.source.cloneUrl)} ${sq(dir)} && cd ${sq(dir)}`);
    if (job.source.fetchRef) lines.push(`git fetch origin ${sq(job.source.fetchRef)}`);
    lines.push(...checkout);
  } else {
    lines.push(`cd ${sq(job.source.path)} && ${checkout.join(' && ')}`);
  }
  lines.push(`cat > ../Dockerfile <<'END-OF-DOCKERFILE'`, dockerfile.trimEnd(), 'END-OF-DOCKERFILE', 'docker build -f ../Dockerfile .');
  return `${lines.join('\n')}\n`;
}
