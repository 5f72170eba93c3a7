// opam's version ordering (OpamVersionCompare, itself Debian's): versions alternate non-digit and
// digit chunks; non-digits compare character-wise with `~` first, then letters, then everything
// else (by code); digit runs compare as numbers. The part after the last `-` is a revision,
// compared only when the upstream parts tie.
import type { RelOp } from './ast.ts';

const TILDE = 126;
const ZERO = 48;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** Character order for non-digit chunks: `~` < letters < anything else. */
function compareChars(a: number, b: number): number {
  if (a === b) return 0;
  if (a === TILDE) return -1;
  if (b === TILDE) return 1;
  const la = isLetter(a);
  const lb = isLetter(b);
  if (la && !lb) return -1;
  if (lb && !la) return 1;
  return a < b ? -1 : 1;
}

function skipZeros(s: string, i: number, end: number): number {
  while (i < end && s.charCodeAt(i) === ZERO) i++;
  return i;
}

/** Compares x[xi..xl) with y[yi..yl). */
function compareChunks(x: string, xi: number, xl: number, y: string, yi: number, yl: number): number {
  for (;;) {
    if (xi === xl || yi === yl) {
      if (xi === xl && yi === yl) return 0;
      // An exhausted side reads as 0: equal to trailing zeros, above a `~`, below anything else.
      if (xi === xl) {
        const ys = skipZeros(y, yi, yl);
        if (ys === yl) return 0;
        return y.charCodeAt(ys) === TILDE ? 1 : -1;
      }
      const xs = skipZeros(x, xi, xl);
      if (xs === xl) return 0;
      return x.charCodeAt(xs) === TILDE ? -1 : 1;
    }
    const cx = x.charCodeAt(xi);
    const cy = y.charCodeAt(yi);
    const dx = isDigit(cx);
    const dy = isDigit(cy);
    if (dx && dy) {
      xi = skipZeros(x, xi, xl);
      yi = skipZeros(y, yi, yl);
      let xe = xi;
      while (xe < xl && isDigit(x.charCodeAt(xe))) xe++;
      let ye = yi;
      while (ye < yl && isDigit(y.charCodeAt(ye))) ye++;
      // Without leading zeros, the longer digit run is the bigger number.
      if (xe - xi !== ye - yi) return xe - xi < ye - yi ? -1 : 1;
      for (; xi < xe; xi++, yi++) {
        const a = x.charCodeAt(xi);
        const b = y.charCodeAt(yi);
        if (a !== b) return a < b ? -1 : 1;
      }
    } else if (dx) {
      // A digit beats any non-digit except `~`.
      return cy === TILDE ? 1 : -1;
    } else if (dy) {
      return cx === TILDE ? -1 : 1;
    } else {
      const c = compareChars(cx, cy);
      if (c !== 0) return c;
      xi++;
      yi++;
    }
  }
}

/** -1, 0 or 1 as `a` sorts before, equal to, or after `b` in opam's version order. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  const ra = a.lastIndexOf('-');
  const rb = b.lastIndexOf('-');
  const ua = ra < 0 ? a.length : ra;
  const ub = rb < 0 ? b.length : rb;
  const upstream = compareChunks(a, 0, ua, b, 0, ub);
  if (upstream !== 0) return upstream < 0 ? -1 : 1;
  const rev = compareChunks(a, Math.min(ua + 1, a.length), a.length, b, Math.min(ub + 1, b.length), b.length);
  return rev === 0 ? 0 : rev < 0 ? -1 : 1;
}

/** Whether a comparison result satisfies `op` (OpamFormula.check_relop). */
export function checkRelOp(op: RelOp, comparison: number): boolean {
  switch (op) {
    case '=':
      return comparison === 0;
    case '!=':
      return comparison !== 0;
    case '<':
      return comparison < 0;
    case '<=':
      return comparison <= 0;
    case '>':
      return comparison > 0;
    case '>=':
      return comparison >= 0;
  }
}

/** `version op bound`, e.g. `versionSatisfies("4.14.1", ">=", "4.08")`. */
export function versionSatisfies(version: string, op: RelOp, bound: string): boolean {
  return checkRelOp(op, compareVersions(version, bound));
}

/** The relation that holds exactly when `op` does not (OpamFormula.neg_relop). */
export function negateRelOp(op: RelOp): RelOp {
  switch (op) {
    case '=':
      return '!=';
    case '!=':
      return '=';
    case '<':
      return '>=';
    case '<=':
      return '>';
    case '>':
      return '<=';
    case '>=':
      return '<';
  }
}
