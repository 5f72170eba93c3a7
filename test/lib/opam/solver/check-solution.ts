// An independent checker of solutions for the solver tests: it reads the opam files again with
// app/opam's formula evaluation (not the solver's clause encoding) and checks every constraint.
import { evalFilterBool, filterPackageFormula, formulaAtoms, isFormulaSatisfied, versionMatches } from '../../../../lib/opam/index.ts';
import type { VariableEnv } from '../../../../lib/opam/index.ts';
import type { Release, Selected, Universe } from '../../../../lib/opam/solver/index.ts';

export interface CheckOptions {
  vars: Record<string, string | boolean>;
  requested: Array<{ name: string; version?: string }>;
  withTest?: boolean;
}

/** The broken rules of a selection; empty when it is a valid opam installation. */
export function checkSolution(u: Universe, selection: Selected[], o: CheckOptions): string[] {
  const problems: string[] = [];
  const chosen = new Map<string, string>();
  for (const s of selection) {
    if (chosen.has(s.name)) problems.push(`two versions of ${s.name}`);
    chosen.set(s.name, s.version);
  }
  const requestedNames = new Set(o.requested.map((r) => r.name));
  for (const r of o.requested) {
    const v = chosen.get(r.name);
    if (v === undefined || (r.version !== undefined && v !== r.version)) problems.push(`request ${r.name}${r.version ? `.${r.version}` : ''} not met (got ${v})`);
  }
  const classes = new Map<string, string>();
  for (const s of selection) {
    const rel: Release | undefined = u.get(s.name, s.version);
    if (!rel) {
      problems.push(`${s.name}.${s.version} is not in the repository`);
      continue;
    }
    const req = requestedNames.has(s.name);
    const env: VariableEnv = (v) =>
      v === 'name' ? s.name : v === 'version' ? s.version : v === 'build' || v === 'post' ? true : v === 'with-test' ? req && (o.withTest ?? false) : v === 'with-doc' || v === 'with-dev-setup' ? false : v === 'dev' ? rel.dev : o.vars[v];
    if (!evalFilterBool(rel.available, env)) problems.push(`${s.name}.${s.version} is not available`);
    if (!isFormulaSatisfied(rel.depends, env, (n) => chosen.get(n))) problems.push(`${s.name}.${s.version}: depends not satisfied`);
    for (const a of formulaAtoms(filterPackageFormula(rel.conflicts, env))) {
      const v = chosen.get(a.name);
      if (v !== undefined && a.name !== s.name && versionMatches(a.constraint, v)) problems.push(`${s.name}.${s.version} conflicts with ${a.name}.${v}`);
    }
    for (const c of rel.conflictClass) {
      const other = classes.get(c);
      if (other !== undefined && other !== s.name) problems.push(`conflict-class ${c}: ${other} and ${s.name}`);
      classes.set(c, s.name);
    }
  }
  return problems;
}
