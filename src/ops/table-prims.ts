/**
 * The rules of the primitives with their own kernels added for PyTorch's
 * scans, sorting and the elementwise functions that need kernels (`asin acos
 * atan atan2 rounding mod scan sort`), spread into THE rule table of
 * `table.ts`. Same conventions: forward with raw kernels, VJP and JVP written
 * with differentiable ops (so they differentiate again), a batching rule.
 */
import { activeLevels, getTangent, isGradEnabled, isMasked } from '../autograd/index.js';
import { Tensor, raw } from '../tensor/index.js';
import { elementwise } from './batching.js';
import { add, compare, div, exp, expand, k, log, mul, neg, permute, reshape, scan, sqrt, sub, sum, where } from './blocks.js';
import { apply } from './dispatch.js';
import type { BatchRule, PrimParams, Rule } from './primitives.js';

type T = Tensor;
type Scan = PrimParams['scan'];

/** The most negative finite value of a float dtype: PyTorch's stand-in for log(0) in logcumsumexp's rules (−∞ − −∞ would be NaN). */
const lowest = (like: T): T => k(like.dtype === 'float32' ? -3.4028234663852886e38 : -Number.MAX_VALUE, like);

/** The physical dim of per-example dim `d` when the batch dim is at `b`. */
const past = (d: number, b: number): number => (d >= b ? d + 1 : d);

/** Primitives along one `dim` with the output shaped as the input (scan, sort): the dim shifted past the batch dim, which stays. */
function sameShapeAlong<P extends 'scan' | 'sort'>(prim: P): BatchRule<P> {
  return (x, p) => {
    const { value, bdim } = x[0]!;
    return { value: apply(prim, [value], { ...p, dim: past(p.dim, bdim!) } as PrimParams[P]), bdim: bdim! };
  };
}

/**
 * True when the derivative being computed from `x` will itself be
 * differentiated: `x` records for backward, or carries a tangent at an
 * unmasked forward level. Rules then pick a formula exact to every order.
 */
function differentiated(x: T): boolean {
  if (x._requiresGrad && isGradEnabled()) return true;
  return activeLevels().some((l) => !isMasked(l) && getTangent(x, l) !== null);
}

/** The parts of cumprod's O(n) rules: where no zero came yet, the first zero, safe divisors, and the scan with the first zero as 1. */
function zeroParts(x: T, p: Scan): { before: T; first: T; safe: T; skipFirst: T } {
  const zero = compare('eq', x, k(0, x));
  const count = scan(apply('cast', [zero], { dtype: x.dtype }), 'sum', p.dim, p.reverse);
  const first = where(zero, compare('eq', count, k(1, x)), zero);
  return {
    before: compare('eq', count, k(0, x)),
    first,
    safe: where(zero, k(1, x), x),
    skipFirst: scan(where(first, k(1, x), x), 'prod', p.dim, p.reverse),
  };
}

/**
 * cumprod's rules as O(n²) polynomials in `x` (exact to every order, zeros
 * included), with `dim` moved last: `E[k] = Π_{i before k} x_i` and
 * `C[k, j] = Π_{k < i ≤ j} x_i` (in scan order), and the mask `j ≥ k`.
 */
function prodTerms(x: T, p: Scan): { E: T; C: T; M: T; perm: number[]; inv: number[]; lead: number[] } {
  const n = x.shape[p.dim]!;
  const perm = [...x.shape.keys()].filter((d) => d !== p.dim).concat(p.dim);
  const inv = perm.map((_, i) => perm.indexOf(i));
  const xl = permute(x, perm);
  const lead = xl.shape.slice(0, -1);
  const xe = expand(reshape(xl, [...lead, 1, n]), [...lead, n, n]);
  const at = (i: number): number => (p.reverse ? n - 1 - i : i);
  const mask = (f: (i: number, kk: number) => boolean): T => {
    const v: number[] = [];
    for (let kk = 0; kk < n; kk++) for (let i = 0; i < n; i++) v.push(f(at(i), at(kk)) ? 1 : 0);
    return raw.fromValues(v, [n, n], 'bool', x.backend === 'webgpu' ? 'webgpu' : undefined);
  };
  const one = k(1, x);
  const last = lead.length + 1;
  const prefix = scan(where(mask((i, kk) => i < kk), xe, one), 'prod', last, p.reverse);
  const end = p.reverse ? 0 : n - 1;
  const E = apply('slice', [prefix], { start: [...lead.map(() => 0), 0, end], step: [...lead.map(() => 1), 1, 1], shape: [...lead, n, 1] });
  const C = scan(where(mask((i, kk) => i > kk), xe, one), 'prod', last, p.reverse);
  return { E, C, M: mask((j, kk) => j >= kk), perm, inv, lead };
}

/** d cumprod: gᵀ·J, J[j, k] = Π_{i ≤ j, i ≠ k} x_i for k ≤ j. */
function cumprodVjp(g: T, x: T, y: T, p: Scan): T {
  if (differentiated(x)) {
    const { E, C, M, perm, inv, lead } = prodTerms(x, p);
    const n = x.shape[p.dim]!;
    const ge = reshape(permute(g, perm), [...lead, 1, n]);
    const r = sum(where(M, mul(ge, C), k(0, x)), [lead.length + 1], true);
    return permute(reshape(mul(E, r), [...lead, n]), inv);
  }
  // O(n): before the first zero Σ_{j≥k} g_j y_j / x_k; at it Σ_{j≥k} g_j Π_{i≤j, i≠k} x_i; after it 0.
  const { before, first, safe, skipFirst } = zeroParts(x, p);
  const atFirst = scan(mul(g, skipFirst), 'sum', p.dim, !p.reverse);
  return where(before, div(scan(mul(g, y), 'sum', p.dim, !p.reverse), safe), where(first, atFirst, k(0, x)));
}

/** d cumprod: J·dx. */
function cumprodJvp(dx: T, x: T, y: T, p: Scan): T {
  if (differentiated(x) || differentiated(dx)) {
    const { E, C, M, perm, inv, lead } = prodTerms(x, p);
    const n = x.shape[p.dim]!;
    const de = mul(reshape(permute(dx, perm), [...lead, n, 1]), E);
    return permute(sum(where(M, mul(de, C), k(0, x)), [lead.length], false), inv);
  }
  // O(n): before the first zero y_j Σ_{k≤j} dx_k / x_k; from it on dx_first · Π_{i≤j, i≠first} x_i.
  const { before, first, safe, skipFirst } = zeroParts(x, p);
  const dFirst = sum(where(first, dx, k(0, x)), [p.dim], true);
  return where(before, mul(y, scan(div(dx, safe), 'sum', p.dim, p.reverse)), mul(dFirst, skipFirst));
}

/**
 * `Σ_j w_j · e^{u_j}` over the scan (direction `reverse`), times `e^{shift}`,
 * computed in log space as PyTorch's logcumsumexp rules do: the positive and
 * negative weights each as `exp(logcumsumexp(log|w| + u) + shift)`, a weight
 * of the other sign entering as the lowest float (−∞ would give −∞ + ∞ = NaN).
 */
function signedExpScan(w: T, u: T | null, shift: T, p: Scan, reverse: boolean): T {
  const z = k(0, w);
  const part = (pos: boolean): T => {
    const m = compare(pos ? 'gt' : 'lt', w, z);
    // The log's argument is 1 where the branch is not taken: no infinite gradient there.
    const lw = where(m, log(where(m, pos ? w : neg(w), k(1, w))), lowest(w));
    return exp(add(scan(u === null ? lw : add(lw, u), 'logsumexp', p.dim, reverse), shift));
  };
  return sub(part(true), part(false));
}

/** d logcumsumexp: ∂y_j/∂x_k = e^{x_k − y_j} for k ≤ j, so grad_k = e^{x_k} Σ_{j≥k} g_j e^{−y_j}. */
function lseVjp(g: T, x: T, y: T, p: Scan): T {
  return signedExpScan(g, neg(y), x, p, !p.reverse);
}

/** dy_j = e^{−y_j} Σ_{k≤j} dx_k e^{x_k}. */
function lseJvp(dx: T, x: T, y: T, p: Scan): T {
  return signedExpScan(dx, x, neg(y), p, p.reverse);
}

/** An elementwise unary primitive with a diagonal Jacobian `t ↦ f'(x)·t`. */
function diagonal<P extends 'asin' | 'acos' | 'atan'>(op: P, scale: (t: T, x: T) => T): Rule<P> {
  return {
    forward: (x) => raw.rawUnary(op, x[0]!),
    save: 'x',
    vjp: (g, c) => [scale(g, c.x[0]!)],
    jvp: (dx, c) => (dx[0] ? scale(dx[0], c.x[0]!) : null),
    batch: elementwise(op),
  };
}

/** 1 − x², the argument of asin's and acos's derivative. */
const oneMinusSq = (x: T): T => sub(k(1, x), mul(x, x));

/** The quotient a/b rounded as `mod`'s rule needs: floor for remainder, trunc for fmod (zero gradient). */
const quotient = (a: T, b: T, op: PrimParams['mod']['op']): T => apply('rounding', [div(a, b)], { op: op === 'remainder' ? 'floor' : 'trunc' });

type Added = 'asin' | 'acos' | 'atan' | 'atan2' | 'rounding' | 'mod' | 'scan' | 'sort';

/** The rules of the added primitives (spread into the table of table.ts). */
export const RULES_PRIMS: { readonly [P in Added]: Rule<P> } = {
  // d asin(x) = dx / √(1 − x²)
  asin: diagonal('asin', (t, x) => div(t, sqrt(oneMinusSq(x)))),
  // d acos(x) = −dx / √(1 − x²)
  acos: diagonal('acos', (t, x) => neg(div(t, sqrt(oneMinusSq(x))))),
  // d atan(x) = dx / (1 + x²)
  atan: diagonal('atan', (t, x) => div(t, add(k(1, x), mul(x, x)))),
  // d atan2(a, b) = (b·da − a·db) / (a² + b²)
  atan2: {
    forward: (x) => raw.rawBinary('atan2', x[0]!, x[1]!),
    save: 'x',
    vjp: (g, { x: [a, b], needs }) => {
      const r = div(g, add(mul(a!, a!), mul(b!, b!)));
      return [needs[0] ? mul(r, b!) : null, needs[1] ? neg(mul(r, a!)) : null];
    },
    jvp: (dx, { x: [a, b] }) => {
      const r2 = add(mul(a!, a!), mul(b!, b!));
      const num = dx[0] ? (dx[1] ? sub(mul(dx[0], b!), mul(dx[1], a!)) : mul(dx[0], b!)) : neg(mul(dx[1]!, a!));
      return div(num, r2);
    },
    batch: elementwise('atan2'),
  },
  // Piecewise constant: zero gradient (PyTorch's floor/ceil/round/trunc).
  rounding: {
    forward: (x, p) => raw.rawUnary(p.op, x[0]!),
    save: 'none',
    vjp: () => [null],
    jvp: () => null,
    batch: elementwise('rounding'),
  },
  // d mod(a, b) = da − q·db with q = floor(a/b) (remainder) or trunc(a/b) (fmod), as PyTorch.
  mod: {
    forward: (x, p) => raw.rawBinary(p.op, x[0]!, x[1]!),
    save: 'x',
    keep: (needs) => [needs[1]!, needs[1]!],
    vjp: (g, { x: [a, b], p, needs }) => [needs[0] ? g : null, needs[1] ? neg(mul(g, quotient(a!, b!, p.op))) : null],
    jvp: (dx, { x: [a, b], p }) => {
      const db = dx[1] ? neg(mul(dx[1], quotient(a!, b!, p.op))) : null;
      return dx[0] ? (db ? add(dx[0], db) : dx[0]) : db;
    },
    batch: elementwise('mod'),
  },
  scan: {
    forward: (x, p) => {
      const d = x[0]!.dtype;
      return raw.rawScan(p.op, x[0]!, p.dim, p.reverse, d === 'bool' ? 'int32' : d);
    },
    save: 'xy',
    vjp: (g, { x: [x], y, p }) => {
      // The transpose of a cumsum is the cumsum in the other direction.
      if (p.op === 'sum') return [scan(g, 'sum', p.dim, !p.reverse)];
      return [p.op === 'prod' ? cumprodVjp(g, x!, y, p) : lseVjp(g, x!, y, p)];
    },
    jvp: (dx, { x: [x], y, p }) => {
      if (!dx[0]) return null;
      if (p.op === 'sum') return scan(dx[0], 'sum', p.dim, p.reverse);
      return p.op === 'prod' ? cumprodJvp(dx[0], x!, y, p) : lseJvp(dx[0], x!, y, p);
    },
    batch: sameShapeAlong('scan'),
  },
  // Integer output: no derivative (the values' gradient is gather's).
  sort: {
    forward: (x, p) => raw.rawSort(x[0]!, p.dim, p.descending),
    save: 'none',
    vjp: () => [null],
    jvp: () => null,
    batch: sameShapeAlong('sort'),
  },
};
