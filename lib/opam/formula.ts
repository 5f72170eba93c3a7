// Generic boolean formulas over atoms (OpamFormula.formula), the shape of `depends`, version
// constraints and the like. `empty` is the neutral element: it vanishes from `&` and `|`.

export type Formula<A> =
  | { kind: 'empty' }
  | { kind: 'atom'; atom: A }
  | { kind: 'and' | 'or'; left: Formula<A>; right: Formula<A> }
  /** Parentheses as written; kept so formulas print back as they were. */
  | { kind: 'block'; formula: Formula<A> };

export const EMPTY: Formula<never> = { kind: 'empty' };

export function atom<A>(a: A): Formula<A> {
  return { kind: 'atom', atom: a };
}

/** `a & b`, dropping empties (OpamFormula.make_and). */
export function and<A>(a: Formula<A>, b: Formula<A>): Formula<A> {
  if (a.kind === 'empty') return b;
  if (b.kind === 'empty') return a;
  return { kind: 'and', left: a, right: b };
}

/** `a | b`, dropping empties (OpamFormula.make_or: an empty side is not taken as "true"). */
export function or<A>(a: Formula<A>, b: Formula<A>): Formula<A> {
  if (a.kind === 'empty') return b;
  if (b.kind === 'empty') return a;
  return { kind: 'or', left: a, right: b };
}

export function block<A>(f: Formula<A>): Formula<A> {
  return f.kind === 'empty' ? f : { kind: 'block', formula: f };
}

/** Left-nested conjunction of a list, as opam builds `[a b c]` → `(a & b) & c`. */
export function ands<A>(fs: Formula<A>[]): Formula<A> {
  return fs.reduce<Formula<A>>((acc, f) => and(acc, f), EMPTY);
}

export function ors<A>(fs: Formula<A>[]): Formula<A> {
  return fs.reduce<Formula<A>>((acc, f) => or(acc, f), EMPTY);
}

/** Replaces each atom by a formula, re-simplifying empties (OpamFormula.map). */
export function mapFormula<A, B>(f: Formula<A>, fn: (a: A) => Formula<B>): Formula<B> {
  switch (f.kind) {
    case 'empty':
      return EMPTY;
    case 'atom':
      return fn(f.atom);
    case 'and':
      return and(mapFormula(f.left, fn), mapFormula(f.right, fn));
    case 'or':
      return or(mapFormula(f.left, fn), mapFormula(f.right, fn));
    case 'block':
      return block(mapFormula(f.formula, fn));
  }
}

/** Evaluates with `empty` as true (OpamFormula.eval). */
export function evalFormula<A>(f: Formula<A>, test: (a: A) => boolean): boolean {
  switch (f.kind) {
    case 'empty':
      return true;
    case 'atom':
      return test(f.atom);
    case 'and':
      return evalFormula(f.left, test) && evalFormula(f.right, test);
    case 'or':
      return evalFormula(f.left, test) || evalFormula(f.right, test);
    case 'block':
      return evalFormula(f.formula, test);
  }
}

export type PartialResult<A> = true | false | Formula<A>;

/**
 * Evaluates what can be and keeps the rest (OpamFormula.partial_eval): `false` absorbs `&`,
 * `true` absorbs `|`, and each is the identity of the other operator.
 */
export function partialEval<A, B>(f: Formula<A>, fn: (a: A) => PartialResult<B>): PartialResult<B> {
  switch (f.kind) {
    case 'empty':
      return EMPTY;
    case 'atom':
      return fn(f.atom);
    case 'block':
      return partialEval(f.formula, fn);
    case 'and': {
      const l = partialEval(f.left, fn);
      const r = partialEval(f.right, fn);
      if (l === false || r === false) return false;
      if (l === true) return r;
      if (r === true) return l;
      return { kind: 'and', left: l, right: r };
    }
    case 'or': {
      const l = partialEval(f.left, fn);
      const r = partialEval(f.right, fn);
      if (l === true || r === true) return true;
      if (l === false) return r;
      if (r === false) return l;
      return { kind: 'or', left: l, right: r };
    }
  }
}

/** The atoms in writing order. */
export function formulaAtoms<A>(f: Formula<A>): A[] {
  const out: A[] = [];
  const walk = (g: Formula<A>): void => {
    switch (g.kind) {
      case 'empty':
        return;
      case 'atom':
        out.push(g.atom);
        return;
      case 'and':
      case 'or':
        walk(g.left);
        walk(g.right);
        return;
      case 'block':
        walk(g.formula);
        return;
    }
  };
  walk(f);
  return out;
}

/** De Morgan negation, negating each atom with `negAtom` (OpamFormula.neg). */
export function negateFormula<A>(f: Formula<A>, negAtom: (a: A) => A): Formula<A> {
  switch (f.kind) {
    case 'empty':
      return f;
    case 'atom':
      return atom(negAtom(f.atom));
    case 'and':
      return { kind: 'or', left: negateFormula(f.left, negAtom), right: negateFormula(f.right, negAtom) };
    case 'or':
      return { kind: 'and', left: negateFormula(f.left, negAtom), right: negateFormula(f.right, negAtom) };
    case 'block':
      return { kind: 'block', formula: negateFormula(f.formula, negAtom) };
  }
}

/**
 * Prints with `&`/`|`, parenthesising `|` under `&` and keeping written blocks. A whole empty
 * formula prints as `""`; an empty part inside one (partialEval can leave them) as `true`.
 */
export function formatFormula<A>(f: Formula<A>, fmtAtom: (a: A) => string): string {
  if (f.kind === 'empty') return '';
  const go = (g: Formula<A>, inAnd: boolean): string => {
    switch (g.kind) {
      case 'empty':
        return 'true';
      case 'atom':
        return fmtAtom(g.atom);
      case 'and':
        return `${go(g.left, true)} & ${go(g.right, true)}`;
      case 'or': {
        const s = `${go(g.left, false)} | ${go(g.right, false)}`;
        return inAnd ? `(${s})` : s;
      }
      case 'block':
        return `(${go(g.formula, false)})`;
    }
  };
  return go(f, false);
}
