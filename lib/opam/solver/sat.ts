// A small CDCL SAT solver (watched literals, first-UIP learning, assumptions) specialised for
// package problems: decisions follow the caller's preference (an unsatisfied "demand" clause's
// first free positive literal, so newest versions first), anything left free is not installed.
// Every learnt clause remembers the clauses it came from, so an UNSAT answer yields the original
// clauses behind it: the raw material of explanations.

/** A literal: variable v as 2v (true) or 2v+1 (false). */
export type Lit = number;
export const pos = (v: number): Lit => v << 1;
export const neg = (v: number): Lit => (v << 1) | 1;
const varOf = (l: Lit): number => l >> 1;
const not = (l: Lit): Lit => l ^ 1;

export interface Clause<T> {
  lits: Lit[];
  /** Why the clause exists (original clauses only). */
  origin?: T;
  /** The clauses a learnt clause was derived from. */
  parents?: Clause<T>[];
  /** The literals in the caller's order of preference (propagation reorders `lits`). */
  order?: Lit[];
}

export class BudgetExceeded extends Error {}

export interface SatResult<T> {
  sat: boolean;
  /** On UNSAT: original clauses that together with the assumptions admit no solution. */
  core?: Clause<T>[];
}

export class Sat<T> {
  private value: Int8Array = new Int8Array(0); // 0 free, 1 true, -1 false (per variable)
  private level: Int32Array = new Int32Array(0);
  private reason: (Clause<T> | undefined)[] = [];
  private watches: Clause<T>[][] = [];
  /** Clauses with a positive literal, per variable whose negation they contain (demands of v). */
  private demands: Clause<T>[][] = [];
  private topDemands: Clause<T>[] = [];
  private trail: Lit[] = [];
  private trailLim: number[] = [];
  private qhead = 0;
  /** Trail entries before this index have no unsatisfied demand (assignments only add to that). */
  private scanPos = 0;
  private nVars = 0;
  /** A clause falsified at level 0 when added: the problem has no solution at all. */
  private broken: Clause<T> | undefined;
  steps = 0;

  newVar(): number {
    const v = this.nVars++;
    if (v >= this.value.length) {
      const grow = Math.max(1024, this.value.length * 2);
      const value = new Int8Array(grow);
      value.set(this.value);
      this.value = value;
      const level = new Int32Array(grow);
      level.set(this.level);
      this.level = level;
    }
    this.watches.push([], []);
    this.demands.push([]);
    this.reason.push(undefined);
    return v;
  }

  get varCount(): number {
    return this.nVars;
  }

  isTrue(v: number): boolean {
    return this.value[v] === 1;
  }

  private litValue(l: Lit): number {
    const v = this.value[varOf(l)]!;
    return l & 1 ? -v : v;
  }

  private assign(l: Lit, reason: Clause<T> | undefined): void {
    const v = varOf(l);
    this.value[v] = l & 1 ? -1 : 1;
    this.level[v] = this.trailLim.length;
    this.reason[v] = reason;
    this.trail.push(l);
  }

  /** Adds a clause at level 0 (call between solves). */
  addClause(lits: Lit[], origin: T): Clause<T> | undefined {
    this.backtrack(0);
    const c: Clause<T> = { lits: [...new Set(lits)], origin };
    c.order = [...c.lits];
    if (c.lits.some((l) => c.lits.includes(not(l)))) return undefined;
    let posLit = false;
    for (const l of c.lits) {
      if (l & 1) this.demands[varOf(l)]!.push(c);
      else posLit = true;
    }
    if (!posLit) for (const l of c.lits) this.demands[varOf(l)]!.pop();
    else if (!c.lits.some((l) => l & 1)) this.topDemands.push(c);
    this.attach(c);
    return c;
  }

  private attach(c: Clause<T>): void {
    const lits = c.lits;
    if (lits.length === 0) {
      this.broken ??= c;
      return;
    }
    // Put non-false literals first so the watches are sound at level 0.
    lits.sort((a, b) => this.rank(b) - this.rank(a));
    if (lits.length === 1) {
      const val = this.litValue(lits[0]!);
      if (val === 0) {
        this.assign(lits[0]!, c);
        if (this.propagate()) this.broken ??= c;
      } else if (val < 0) this.broken ??= c;
      return;
    }
    this.watches[not(lits[0]!)]!.push(c);
    this.watches[not(lits[1]!)]!.push(c);
    const v0 = this.litValue(lits[0]!);
    const v1 = this.litValue(lits[1]!);
    if (v0 < 0) this.broken ??= c;
    else if (v0 === 0 && v1 < 0) {
      this.assign(lits[0]!, c);
      if (this.propagate()) this.broken ??= c;
    }
  }

  private rank(l: Lit): number {
    return this.litValue(l) + 1;
  }

  /** Unit propagation; returns the conflicting clause, if any. */
  private propagate(): Clause<T> | undefined {
    while (this.qhead < this.trail.length) {
      const p = this.trail[this.qhead++]!; // p became true: clauses watching ¬p … watched under key p
      const ws = this.watches[p]!;
      let i = 0;
      let j = 0;
      const falseLit = not(p);
      while (i < ws.length) {
        const c = ws[i++]!;
        this.steps++;
        const lits = c.lits;
        if (lits.length === 1) {
          ws[j++] = c;
          if (lits[0] === falseLit) {
            while (i < ws.length) ws[j++] = ws[i++]!;
            ws.length = j;
            return c;
          }
          continue;
        }
        if (lits[0] === falseLit) {
          lits[0] = lits[1]!;
          lits[1] = falseLit;
        }
        if (this.litValue(lits[0]!) > 0) {
          ws[j++] = c;
          continue;
        }
        let moved = false;
        for (let k = 2; k < lits.length; k++) {
          if (this.litValue(lits[k]!) >= 0) {
            lits[1] = lits[k]!;
            lits[k] = falseLit;
            this.watches[not(lits[1])]!.push(c);
            moved = true;
            break;
          }
        }
        if (moved) continue;
        ws[j++] = c;
        if (this.litValue(lits[0]!) < 0) {
          while (i < ws.length) ws[j++] = ws[i++]!;
          ws.length = j;
          return c;
        }
        this.assign(lits[0]!, c);
      }
      ws.length = j;
    }
    return undefined;
  }

  /** The assumptions decided at levels 1…n of the current trail, so a next solve can keep them. */
  private assumed: Lit[] = [];

  private backtrack(lvl: number): void {
    if (this.trailLim.length <= lvl) return;
    if (this.assumed.length > lvl) this.assumed.length = lvl;
    const stop = this.trailLim[lvl]!;
    for (let i = this.trail.length - 1; i >= stop; i--) {
      const v = varOf(this.trail[i]!);
      this.value[v] = 0;
      this.reason[v] = undefined;
    }
    this.trail.length = stop;
    this.trailLim.length = lvl;
    this.qhead = stop;
    // An undone assignment may have been what satisfied an earlier variable's demand: rescan.
    this.scanPos = 0;
  }

  /** First-UIP analysis: the learnt clause (asserting literal first) and the level to return to. */
  private seenBuf = new Uint8Array(0);

  private analyze(conflict: Clause<T>): { learnt: Clause<T>; back: number } {
    // One buffer reused across conflicts (the universe may have 10^5 variables), cleared after.
    if (this.seenBuf.length < this.nVars) this.seenBuf = new Uint8Array(this.nVars * 2);
    const seen = this.seenBuf;
    const touched: number[] = [];
    const parents: Clause<T>[] = [conflict];
    const out: Lit[] = [0];
    let counter = 0;
    let p: Lit | undefined;
    let idx = this.trail.length - 1;
    let c: Clause<T> = conflict;
    const cur = this.trailLim.length;
    for (;;) {
      for (const q of c.lits) {
        if (p !== undefined && q === p) continue;
        const v = varOf(q);
        if (seen[v]) continue;
        seen[v] = 1;
        touched.push(v);
        if (this.level[v] === cur) counter++;
        else if (this.level[v]! > 0) out.push(q);
        else if (this.reason[v]) parents.push(this.reason[v]); // dropped level-0 literal
      }
      while (!seen[varOf(this.trail[idx]!)]) idx--;
      p = this.trail[idx--]!;
      counter--;
      if (counter === 0) break;
      c = this.reason[varOf(p)]!;
      parents.push(c);
    }
    for (const v of touched) seen[v] = 0;
    out[0] = not(p);
    let back = 0;
    let bi = 1;
    for (let k = 1; k < out.length; k++) {
      const l = this.level[varOf(out[k]!)]!;
      if (l > back) {
        back = l;
        bi = k;
      }
    }
    if (out.length > 1) [out[1], out[bi]] = [out[bi]!, out[1]!];
    return { learnt: { lits: out, parents }, back };
  }

  /** The original clauses behind literal l being false now (l's negation was implied). */
  private collectCore(start: Clause<T>[], core: Set<Clause<T>>): void {
    const seenVar = new Uint8Array(this.nVars);
    const seenClause = new Set<Clause<T>>();
    const stack = [...start];
    while (stack.length > 0) {
      const c = stack.pop()!;
      if (seenClause.has(c)) continue;
      seenClause.add(c);
      if (c.origin !== undefined) core.add(c);
      if (c.parents) stack.push(...c.parents);
      for (const l of c.lits) {
        const v = varOf(l);
        if (seenVar[v]) continue;
        seenVar[v] = 1;
        const r = this.reason[v];
        if (r) stack.push(r);
      }
    }
  }

  /**
   * Solves under assumptions (literals taken as decisions, in order). `order` ranks literals of a
   * demand clause; `check` is called now and then and may throw to stop the search.
   */
  solve(assumptions: Lit[], check: () => void = () => {}): SatResult<T> {
    // Keep the levels of a common prefix of assumptions (revdeps asks P with Q1, P with Q2, …).
    let keep = 0;
    while (keep < assumptions.length && keep < this.assumed.length && this.assumed[keep] === assumptions[keep]) keep++;
    this.backtrack(keep);
    if (this.broken) {
      const core = new Set<Clause<T>>();
      this.collectCore([this.broken], core);
      return { sat: false, core: [...core] };
    }
    for (;;) {
      const conflict = this.propagate();
      if (conflict) {
        if (this.trailLim.length === 0) {
          const core = new Set<Clause<T>>();
          this.collectCore([conflict], core);
          this.broken = conflict;
          return { sat: false, core: [...core] };
        }
        const { learnt, back } = this.analyze(conflict);
        this.backtrack(back);
        this.watches[not(learnt.lits[0]!)]!.push(learnt);
        if (learnt.lits.length > 1) this.watches[not(learnt.lits[1]!)]!.push(learnt);
        this.assign(learnt.lits[0]!, learnt);
        check();
        continue;
      }
      // Assumptions first, one decision level each.
      const lvl = this.trailLim.length;
      if (lvl < assumptions.length) {
        const a = assumptions[lvl]!;
        const val = this.litValue(a);
        if (val < 0) {
          // Implied false by earlier assumptions: collect why.
          const core = new Set<Clause<T>>();
          const r = this.reason[varOf(a)];
          if (r) this.collectCore([r], core);
          return { sat: false, core: [...core] };
        }
        this.trailLim.push(this.trail.length);
        this.assumed.push(a);
        if (val === 0) this.assign(a, undefined);
        continue;
      }
      const next = this.pickDecision();
      if (next === undefined) return { sat: true };
      this.trailLim.push(this.trail.length);
      this.assign(next, undefined);
      check();
    }
  }

  /** The first free positive literal of an unsatisfied demand (of the request or of a true variable). */
  private pickDecision(): Lit | undefined {
    const tryClause = (c: Clause<T>): Lit | undefined => {
      let free: Lit | undefined;
      for (const l of c.order ?? c.lits) {
        const val = this.litValue(l);
        if (val > 0) return undefined;
        if (val === 0) {
          if (l & 1) return undefined; // setting it false satisfies the clause
          free ??= l;
        }
      }
      return free;
    };
    for (const c of this.topDemands) {
      const l = tryClause(c);
      if (l !== undefined) return l;
    }
    // A demand, once satisfied, stays so until a backtrack (which rescans); one that was fine because of a free
    // negative literal is a demand of that variable too, so it is seen again when it turns true.
    for (let i = this.scanPos; i < this.trail.length; i++) {
      const t = this.trail[i]!;
      if (!(t & 1)) {
        for (const c of this.demands[varOf(t)]!) {
          const l = tryClause(c);
          if (l !== undefined) {
            this.scanPos = i;
            return l;
          }
        }
      }
      this.scanPos = i + 1;
    }
    return undefined;
  }
}
