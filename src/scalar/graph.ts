/**
 * The slab layout of `Value` nodes and the walks over their graphs: the
 * topological sort, the fast numeric reverse sweep, and the sweep that builds
 * adjoints as differentiable `Value`s (second derivatives). Kept apart from the
 * `Value` class (value.ts) so that each file reads in one sitting; this file only
 * needs the node's shape.
 */
import {
  ADD, ADD_C, COS, DIV, DIV_C, EXP, LEAF, LOG, MUL, MUL_C, NEG, POW, POW_C, RELU, SIGMOID, SIN, SUB, TANH,
} from './cost.js';
import type { Value } from './value.js';

// The numbers of nodes live in slabs of 4096 nodes, STRIDE slots per node:
//   +0 data, +1 grad, +2 aux (the folded constant of a *_C op),
//   +3 adjoint and +4 mark (scratch of the graph walks), +5 op code.
// Marks: 0 at rest, and every walk puts them back to 0. During a topological sort
// -1 entered (on the depth-first path), i + 1 done at index i (so no Map from node
// to index is needed). During the numeric backward: the number of edges from
// parents not yet processed.
export const GRAD = 1;
export const AUX = 2;
const ADJ = 3;
const MARK = 4;
export const CODE = 5;
export const STRIDE = 6;
export const SLAB_SIZE = STRIDE * 4096;

const markOf = (v: Value): number => v._f[v._j + MARK]!;
const setMark = (v: Value, m: number): void => {
  v._f[v._j + MARK] = m;
};

/**
 * Iterative depth-first post-order from `root`: children before parents, `root`
 * last. `stops` are treated as leaves (not expanded) and come first. Leaves each
 * node's mark at its index + 1: call `clearMarks` after use.
 */
export function sortFrom(root: Value, stops: readonly Value[] | null): Value[] {
  const topo: Value[] = [];
  if (stops !== null) {
    for (const s of stops) {
      if (markOf(s) === 0) {
        topo.push(s);
        setMark(s, topo.length);
      }
    }
  }
  const stack: Value[] = [root];
  while (stack.length > 0) {
    const v = stack[stack.length - 1]!;
    const m = markOf(v);
    if (m === 0) {
      setMark(v, -1);
      const a = v._a;
      if (a !== null) {
        if (markOf(a) === 0) stack.push(a);
        const b = v._b;
        if (b !== null && markOf(b) === 0) stack.push(b);
      }
    } else {
      stack.pop();
      // An entered node on top has all its children done; a done node is a duplicate.
      if (m === -1) {
        topo.push(v);
        setMark(v, topo.length);
      }
    }
  }
  return topo;
}

/** Puts the marks of a sort back to 0. */
export function clearMarks(topo: readonly Value[]): void {
  for (let i = 0; i < topo.length; i++) setMark(topo[i]!, 0);
}

/**
 * The fast numeric reverse sweep, in two passes over explicit stacks and no
 * per-call arrays beyond them:
 * 1. count, for every node reachable from `root`, its edges from reachable
 *    parents (in its mark slot), zeroing its adjoint slot;
 * 2. Kahn's algorithm from the root: a node is processed once all its parents
 *    were (its count reaches 0), which is a reverse topological order. Processing
 *    adds the adjoint to `.grad` and pushes it into the children's slots.
 * Every count returns to 0, so no cleanup pass is needed. For a chain both
 * stacks hold one node.
 */
export function backwardNumeric(root: Value, seed: number): void {
  const stack: Value[] = [root];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const a = v._a;
    if (a === null) continue;
    const fa = a._f;
    const ja = a._j;
    if (fa[ja + MARK]++ === 0) {
      fa[ja + ADJ] = 0;
      stack.push(a);
    }
    const b = v._b;
    if (b !== null) {
      const fb = b._f;
      const jb = b._j;
      if (fb[jb + MARK]++ === 0) {
        fb[jb + ADJ] = 0;
        stack.push(b);
      }
    }
  }
  root._f[root._j + ADJ] = seed;
  stack.push(root);
  while (stack.length > 0) {
    const v = stack.pop()!;
    const f = v._f;
    const j = v._j;
    const g = f[j + ADJ]!;
    f[j + GRAD] += g;
    const code = f[j + CODE]!;
    if (code === LEAF) continue;
    const a = v._a!;
    const fa = a._f;
    const ja = a._j;
    // g is the adjoint of v, y = f[j] its value; rules as in cost.ts's table.
    switch (code) {
      case ADD_C:
        fa[ja + ADJ] += g;
        break;
      case MUL_C:
        fa[ja + ADJ] += g * f[j + AUX]!;
        break;
      case ADD: {
        const b = v._b!;
        fa[ja + ADJ] += g;
        b._f[b._j + ADJ] += g;
        if (--b._f[b._j + MARK]! === 0) stack.push(b);
        break;
      }
      case MUL: {
        const b = v._b!;
        const fb = b._f;
        const jb = b._j;
        fa[ja + ADJ] += g * fb[jb]!;
        fb[jb + ADJ] += g * fa[ja]!;
        if (--b._f[b._j + MARK]! === 0) stack.push(b);
        break;
      }
      // d tanh a = (1 − y²) da
      case TANH: {
        const t = f[j]!;
        fa[ja + ADJ] += g * (1 - t * t);
        break;
      }
      case SUB: {
        const b = v._b!;
        fa[ja + ADJ] += g;
        b._f[b._j + ADJ] -= g;
        if (--b._f[b._j + MARK]! === 0) stack.push(b);
        break;
      }
      // d(a/b) = da/b − y·db/b
      case DIV: {
        const b = v._b!;
        const bd = b._f[b._j]!;
        fa[ja + ADJ] += g / bd;
        b._f[b._j + ADJ] -= (g * f[j]!) / bd;
        if (--b._f[b._j + MARK]! === 0) stack.push(b);
        break;
      }
      // d(a^b) = b·a^(b−1) da + y·ln a db, the db term 0 at a = 0, b ≥ 0 (PyTorch)
      case POW: {
        const b = v._b!;
        const x = fa[ja]!;
        const p = b._f[b._j]!;
        fa[ja + ADJ] += g * (p * Math.pow(x, p - 1));
        if (!(x === 0 && p >= 0)) b._f[b._j + ADJ] += g * (f[j]! * Math.log(x));
        if (--b._f[b._j + MARK]! === 0) stack.push(b);
        break;
      }
      case DIV_C:
        fa[ja + ADJ] += g / f[j + AUX]!;
        break;
      // d(a^c) = c·a^(c−1) da, and 0 for c = 0 (even at a = 0)
      case POW_C: {
        const c = f[j + AUX]!;
        if (c !== 0) fa[ja + ADJ] += g * (Math.pow(fa[ja]!, c - 1) * c);
        break;
      }
      case NEG:
        fa[ja + ADJ] -= g;
        break;
      // d e^a = y da
      case EXP:
        fa[ja + ADJ] += g * f[j]!;
        break;
      // d ln a = da / a
      case LOG:
        fa[ja + ADJ] += g / fa[ja]!;
        break;
      // d relu a = (a <= 0 ? 0 : 1) da (NaN passes, as in PyTorch)
      case RELU:
        if (!(fa[ja]! <= 0)) fa[ja + ADJ] += g;
        break;
      // dσ(a) = y(1 − y) da
      case SIGMOID: {
        const s = f[j]!;
        fa[ja + ADJ] += g * (s * (1 - s));
        break;
      }
      // d sin a = cos a da
      case SIN:
        fa[ja + ADJ] += g * Math.cos(fa[ja]!);
        break;
      // d cos a = −sin a da
      case COS:
        fa[ja + ADJ] -= g * Math.sin(fa[ja]!);
        break;
    }
    // Every op has a first child; push it once its last parent is done.
    if (--fa[ja + MARK]! === 0) stack.push(a);
  }
}

/**
 * @internal The adjoints of `root` as differentiable `Value`s, one per node of the
 * returned topological order (`null` where structurally zero), and one per entry
 * of `stops` (`stopAdj`). Each rule is the fast path's, written with `Value` ops
 * in the same association order, so each contribution is bit for bit the same
 * number (sums of several may round differently, as they are added in another
 * order). `stops` are treated as leaves (the inputs of `grad`).
 */
export function adjointValues(root: Value, seed: Value, stops: readonly Value[] | null): {
  topo: Value[];
  adj: (Value | null)[];
  stopAdj: (Value | null)[];
} {
  const topo = sortFrom(root, stops);
  try {
    const n = topo.length;
    let nStops = 0;
    while (nStops < n && stops !== null && stops.includes(topo[nStops]!)) nStops++;
    const adj: (Value | null)[] = new Array<Value | null>(n).fill(null);
    adj[markOf(root) - 1] = seed;
    const acc = (child: Value, c: Value): void => {
      const i = markOf(child) - 1;
      const p = adj[i]!;
      adj[i] = p === null ? c : p.add(c);
    };
    for (let i = n - 1; i >= nStops; i--) {
      const v = topo[i]!;
      const g = adj[i]!;
      if (g === null || v._code === LEAF) continue;
      const a = v._a!;
      const b = v._b;
      const c = v._aux;
      switch (v._code) {
        case ADD: acc(a, g); acc(b!, g); break;
        case SUB: acc(a, g); acc(b!, g.neg()); break;
        case MUL: acc(a, g.mul(b!)); acc(b!, g.mul(a)); break;
        // d(a/b) = da/b - (a/b)·db/b
        case DIV: acc(a, g.div(b!)); acc(b!, g.mul(v).div(b!).neg()); break;
        // d(a^b) = b·a^(b-1)·da + a^b·ln a·db
        case POW:
          acc(a, g.mul(b!.mul(a.pow(b!.sub(1)))));
          if (!(a.data === 0 && b!.data >= 0)) acc(b!, g.mul(v.mul(a.log())));
          break;
        case ADD_C: acc(a, g); break;
        case MUL_C: acc(a, g.mul(c)); break;
        case DIV_C: acc(a, g.div(c)); break;
        case POW_C: if (c !== 0) acc(a, g.mul(a.pow(c - 1).mul(c))); break;
        case NEG: acc(a, g.neg()); break;
        case EXP: acc(a, g.mul(v)); break; // d e^a = e^a da (reuses y)
        case LOG: acc(a, g.div(a)); break;
        case TANH: acc(a, g.mul(v.mul(v).neg().add(1))); break; // d tanh a = (1 - y²) da
        case RELU: if (!(a.data <= 0)) acc(a, g); break;
        case SIGMOID: acc(a, g.mul(v.mul(v.neg().add(1)))); break; // dσ = σ(1 - σ) da
        case SIN: acc(a, g.mul(a.cos())); break;
        case COS: acc(a, g.mul(a.sin()).neg()); break;
      }
    }
    const stopAdj = stops === null ? [] : stops.map((s) => adj[markOf(s) - 1]!);
    return { topo, adj, stopAdj };
  } finally {
    clearMarks(topo);
  }
}

