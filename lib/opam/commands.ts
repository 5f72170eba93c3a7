// Turning `build:`-style commands into argv lists for an environment (OpamFilter.commands).
import type { Command } from './fields.ts';
import { evalFilterBool } from './filter.ts';
import { expandString } from './interpolation.ts';
import type { VariableEnv } from './variables.ts';
import { parseFilterIdent, resolveIdent } from './variables.ts';

/**
 * The commands that would run, as argv lists: commands and arguments whose filter is false or
 * undefined are dropped, strings are interpolated and variables substituted (undefined ones give
 * `""`, as opam does), and commands left without arguments are dropped.
 */
export function evalCommands(commands: Command[], env: VariableEnv): string[][] {
  const out: string[][] = [];
  for (const c of commands) {
    if (c.filter && !evalFilterBool(c.filter, env)) continue;
    const argv: string[] = [];
    for (const a of c.args) {
      if (a.filter && !evalFilterBool(a.filter, env)) continue;
      if (a.kind === 'string') argv.push(expandString(a.value, env));
      else {
        const v = resolveIdent(parseFilterIdent(a.value), env);
        argv.push(v === undefined ? '' : String(v));
      }
    }
    if (argv.length > 0) out.push(argv);
  }
  return out;
}
