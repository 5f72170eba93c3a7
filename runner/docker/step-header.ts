import type { Step } from '../../lib/contract/index.ts';

/** An s-expression atom, quoted only when it must be, as OBuilder prints its specs. */
export function atom(s: string): string {
  if (s !== '' && /^[^\s()";\\]+$/.test(s)) return s;
  const escaped = s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  return `"${escaped}"`;
}

/** A step as OBuilder shows it in logs: "(run (network host) (shell \"make\"))". */
export function describeStep(step: Step): string {
  switch (step.op) {
    case 'run': {
      const parts: string[] = [];
      if (step.cache.length > 0) {
        parts.push(`(cache ${step.cache.map((c) => `(${atom(c.id)} (target ${atom(c.target)}))`).join(' ')})`);
      }
      if (step.network) parts.push('(network host)');
      parts.push(`(shell ${atom(step.shell)})`);
      return `(run ${parts.join(' ')})`;
    }
    case 'copy': {
      const exclude = step.exclude.length > 0 ? ` (exclude ${step.exclude.map(atom).join(' ')})` : '';
      return `(copy (src ${step.src.map(atom).join(' ')}) (dst ${atom(step.dst)})${exclude})`;
    }
    case 'env':
      return `(env ${step.name} ${atom(step.value)})`;
    case 'workdir':
      return `(workdir ${atom(step.path)})`;
    case 'user':
      return `(user (uid ${step.uid}) (gid ${step.gid}))`;
  }
}

/** The header line before a step: the working directory it runs in, then the step. */
export const stepHeader = (workdir: string, step: Step): string => `${workdir}: ${describeStep(step)}`;
