import type { BuildSpec, CacheMount, Step } from '../contract/index.ts';

// A BuildSpec as an equivalent Dockerfile, for the "To reproduce locally" block of a job page.
// Modelled on OBuilder's own conversion (lib_spec/docker.ml): USER changes make COPY chown and
// cache mounts belong to that user; long commands wrap with `\`. BuildKit syntax is needed for
// cache mounts and `--network=none`.

export interface DockerfileOptions {
  /** A first comment line, e.g. the variant name. */
  title?: string;
}

const quoteEnv = (v: string): string => v.replace(/[\\"]/g, (c) => `\\${c}`);

/** Multi-line shell commands keep their lines, joined with Dockerfile continuations. */
const wrap = (shell: string): string =>
  shell
    .split('\n')
    .map((l) => l.trim())
    .join(' \\\n    ');

function mount(c: CacheMount, uid: number | undefined): string {
  const owner = uid === undefined || uid === 0 ? '' : `,uid=${uid}`;
  return `--mount=type=cache,id=${c.id},target=${c.target}${owner}`;
}

/** Renders the spec; each `copy` step's src list becomes one COPY line. */
export function renderDockerfile(spec: BuildSpec, opts: DockerfileOptions = {}): string {
  const lines: string[] = ['# syntax=docker/dockerfile:1'];
  if (opts.title !== undefined) lines.push(`# ${opts.title}`);
  lines.push(`FROM ${spec.from}`);
  let uid: number | undefined;
  let gid: number | undefined;
  for (const step of spec.steps) lines.push(...renderStep(step));
  return `${lines.join('\n')}\n`;

  function renderStep(step: Step): string[] {
    switch (step.op) {
      case 'user':
        uid = step.uid;
        gid = step.gid;
        return [`USER ${step.uid}:${step.gid}`];
      case 'env':
        return [`ENV ${step.name}="${quoteEnv(step.value)}"`];
      case 'workdir':
        return [`WORKDIR ${step.path}`];
      case 'copy': {
        const chown = uid === undefined || uid === 0 ? '' : `--chown=${uid}:${gid ?? uid} `;
        const dst = step.src.length > 1 && !step.dst.endsWith('/') ? `${step.dst}/` : step.dst;
        // Dockerfile COPY has no stable exclude flag: .dockerignore is where those belong.
        const note = step.exclude.length > 0 ? [`# Not copied (list them in .dockerignore): ${step.exclude.join(' ')}`] : [];
        return [...note, `COPY ${chown}${step.src.join(' ')} ${dst}`];
      }
      case 'run': {
        const flags = [...step.cache.map((c) => mount(c, uid)), ...(step.network ? [] : ['--network=none'])];
        return [`RUN ${flags.map((f) => `${f} `).join('')}${wrap(step.shell)}`];
      }
    }
  }
}
