// Filters (`{os = "linux" & with-test}`, `available: …`) and their evaluation, following
// OpamFilter.reduce: three-valued logic where "undefined" propagates through comparisons and `!`,
// is absorbed by `false &` and `true |`, and is what `?` tests for.
import type { Location, RelOp, Value } from './ast.ts';
import { OpamFieldError } from './errors.ts';
import { expandString, interpolatedVariables } from './interpolation.ts';
import { checkRelOp, compareVersions } from './version-compare.ts';
import type { FilterIdent, VariableEnv, VariableValue } from './variables.ts';
import { formatFilterIdent, identVariableNames, parseFilterIdent, resolveIdent } from './variables.ts';

export type Filter =
  | { kind: 'bool'; value: boolean; loc?: Location }
  /** May contain `%{…}%`, expanded at evaluation. Int literals become strings, as in opam. */
  | { kind: 'string'; value: string; loc?: Location }
  | { kind: 'ident'; ident: FilterIdent; loc?: Location }
  | { kind: 'op'; op: RelOp; left: Filter; right: Filter; loc?: Location }
  | { kind: 'and' | 'or'; left: Filter; right: Filter; loc?: Location }
  | { kind: 'not'; operand: Filter; loc?: Location }
  | { kind: 'defined'; operand: Filter; loc?: Location };

/** Context for error messages when a value is not a filter. */
export interface ConvertContext {
  file?: string;
  field?: string;
}

function fieldError(ctx: ConvertContext, loc: Location, reason: string): OpamFieldError {
  return new OpamFieldError({ file: ctx.file ?? '<string>', field: ctx.field, line: loc.line, column: loc.column, reason });
}

/** Converts one syntax value to a filter (OpamFormat.V.filter's `aux`). */
export function valueToFilter(v: Value, ctx: ConvertContext = {}): Filter {
  switch (v.kind) {
    case 'bool':
      return { kind: 'bool', value: v.value, loc: v.loc };
    case 'string':
      return { kind: 'string', value: v.value, loc: v.loc };
    case 'int':
      return { kind: 'string', value: String(v.value), loc: v.loc };
    case 'ident':
      return { kind: 'ident', ident: parseFilterIdent(v.name), loc: v.loc };
    case 'group':
      return valuesToFilter(v.items, ctx, v.loc);
    case 'relop':
      return { kind: 'op', op: v.op, left: valueToFilter(v.left, ctx), right: valueToFilter(v.right, ctx), loc: v.loc };
    case 'pfxop':
      return { kind: v.op === '!' ? 'not' : 'defined', operand: valueToFilter(v.operand, ctx), loc: v.loc };
    case 'logop':
      return {
        kind: v.op === '&' ? 'and' : 'or',
        left: valueToFilter(v.left, ctx),
        right: valueToFilter(v.right, ctx),
        loc: v.loc,
      };
    default:
      throw fieldError(ctx, v.loc, `expected a filter expression, found ${describeValueKind(v)}`);
  }
}

/**
 * Converts the values of an option block or `available: [ … ]` into one filter: none means
 * `true`; more than one is an error, as in opam.
 */
export function valuesToFilter(values: Value[], ctx: ConvertContext = {}, loc?: Location): Filter {
  const first = values[0];
  if (first === undefined) return { kind: 'bool', value: true, loc };
  if (values.length > 1) {
    const second = values[1] ?? first;
    throw fieldError(ctx, second.loc, 'expected a single filter expression (join conditions with & or |)');
  }
  return valueToFilter(first, ctx);
}

export function describeValueKind(v: Value): string {
  switch (v.kind) {
    case 'list':
      return 'a list';
    case 'group':
      return 'a group';
    case 'option':
      return 'a value with options { }';
    case 'prefix-relop':
      return `a version constraint "${v.op} …"`;
    case 'env-binding':
      return `an environment update "${v.op}"`;
    case 'relop':
      return 'a comparison';
    case 'logop':
      return `a "${v.op}" expression`;
    case 'pfxop':
      return `a "${v.op}" expression`;
    case 'string':
      return 'a string';
    case 'ident':
      return `the ident ${v.name}`;
    case 'bool':
      return 'a bool';
    case 'int':
      return 'an int';
  }
}

/** Result of evaluating a filter: a bool, a string, or `undefined` (some variable was undefined). */
export type FilterValue = VariableValue;

function toBool(v: FilterValue): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

/**
 * Evaluates a filter to a bool, a string or `undefined`. Strings are interpolated, undefined
 * references inside them reading as `""`. A comparison is undefined if either side is; a string
 * other than "true"/"false" used as a bool makes its `&`/`|`/`!` undefined.
 */
export function evalFilter(f: Filter, env: VariableEnv): FilterValue {
  switch (f.kind) {
    case 'bool':
      return f.value;
    case 'string':
      return expandString(f.value, env);
    case 'ident':
      return resolveIdent(f.ident, env);
    case 'op': {
      const l = evalFilter(f.left, env);
      const r = evalFilter(f.right, env);
      if (l === undefined || r === undefined) return undefined;
      return checkRelOp(f.op, compareVersions(String(l), String(r)));
    }
    case 'and':
    case 'or': {
      const absorb = f.kind === 'or';
      const l = evalFilter(f.left, env);
      const r = evalFilter(f.right, env);
      // `false & x` and `true | x` hold whatever x is, even undefined (OpamFilter.logop2).
      if (r === absorb || l === absorb) return absorb;
      const lb = toBool(l);
      const rb = toBool(r);
      if (lb === undefined || rb === undefined) return undefined;
      return absorb ? lb || rb : lb && rb;
    }
    case 'not': {
      const b = toBool(evalFilter(f.operand, env));
      return b === undefined ? undefined : !b;
    }
    case 'defined':
      return evalFilter(f.operand, env) !== undefined;
  }
}

/**
 * Evaluates a filter as a condition. An undefined result (or a string that is not "true" or
 * "false") gives `fallback`, `false` by default — what opam does for command, dependency and
 * `available` filters.
 */
export function evalFilterBool(f: Filter, env: VariableEnv, fallback = false): boolean {
  return toBool(evalFilter(f, env)) ?? fallback;
}

/** Full names of the variables a filter reads, including inside interpolated strings. */
export function filterVariables(f: Filter): string[] {
  const out: string[] = [];
  const walk = (g: Filter): void => {
    switch (g.kind) {
      case 'bool':
        return;
      case 'string':
        out.push(...interpolatedVariables(g.value));
        return;
      case 'ident':
        out.push(...identVariableNames(g.ident));
        return;
      case 'op':
      case 'and':
      case 'or':
        walk(g.left);
        walk(g.right);
        return;
      case 'not':
      case 'defined':
        walk(g.operand);
        return;
    }
  };
  walk(f);
  return out;
}

const PREC = { or: 1, and: 2, op: 3, not: 4, defined: 4 } as const;

/** Prints a filter in opam syntax, with only the parentheses precedence requires. */
export function formatFilter(f: Filter): string {
  const wrap = (g: Filter, min: number): string => {
    const s = formatFilter(g);
    const p = g.kind in PREC ? PREC[g.kind as keyof typeof PREC] : 5;
    return p < min ? `(${s})` : s;
  };
  switch (f.kind) {
    case 'bool':
      return String(f.value);
    case 'string':
      return JSON.stringify(f.value);
    case 'ident':
      return formatFilterIdent(f.ident);
    case 'op':
      return `${wrap(f.left, 5)} ${f.op} ${wrap(f.right, 5)}`;
    case 'and':
      return `${wrap(f.left, 2)} & ${wrap(f.right, 3)}`;
    case 'or':
      return `${wrap(f.left, 1)} | ${wrap(f.right, 2)}`;
    case 'not':
      return `!${wrap(f.operand, 4)}`;
    case 'defined':
      return `?${wrap(f.operand, 4)}`;
  }
}
