/**
 * THE rule table: for each primitive its forward (raw kernel calls), its VJP
 * and its JVP, side by side. Rules are written with differentiable ops (the
 * primitives themselves, through `apply`; the common ones in blocks.ts), so differentiating a rule gives
 * higher derivatives. In rules: `x` inputs, `y` output, `g` cotangent, `dx`
 * tangents, `p` params. No rule undoes broadcasting (the engine does) or
 * touches a typed array.
 */
import { installGradMath } from '../autograd/index.js';
import type { UnaryOp } from '../backend/index.js';
import { Tensor, deviceOf, raw } from '../tensor/index.js';
import { alongDim, argReduction, batchedMatmul, elementwise, reduction, views, windows } from './batching.js';
import { add, compare, cos, div, exp, expand, k, log, matmul, mT, mul, neg, permute, pow, reshape, sign, sin, sub, sum, where } from './blocks.js';
import { apply, defineRules } from './dispatch.js';
import { LINALG_RULES } from './linalg-rules.js';
import {
  catForward, expandForward, permuteForward, reshapeForward, sliceForward, unsliceForward,
} from './kernels.js';
import type { Ctx, PrimParams, Primitive, Rule, RuleTable, Save } from './primitives.js';
import { RULES_PRIMS } from './table-prims.js';

type T = Tensor;
type MaybeT = Tensor | null;

/**
 * The rule of `maximum` (`wins` = gt) or `minimum` (lt), as PyTorch's: an
 * input gets g where the other does not win, halved at a tie (a NaN wins
 * nothing, so both inputs get g); the tangent is the winner's, the mean at
 * a tie, and the second input's otherwise.
 */
function extremeRule<P extends 'maximum' | 'minimum'>(op: P, wins: 'gt' | 'lt'): Rule<P> {
  const beats = (a: T, b: T): T => apply('compare', [a, b], { op: wins });
  return {
    forward: (x) => raw.rawBinary(op, x[0]!, x[1]!),
    save: 'x',
    vjp: (g, { x: [a, b], needs }) => {
      const share = where(compare('eq', a!, b!), mul(g, k(0.5, g)), g);
      const z = k(0, g);
      return [needs[0] ? where(beats(b!, a!), z, share) : null, needs[1] ? where(beats(a!, b!), z, share) : null];
    },
    jvp: (dx, { x: [a, b] }) => {
      if (!dx[0] && !dx[1]) return null;
      const da = dx[0] ?? k(0, a!);
      const db = dx[1] ?? k(0, b!);
      return where(compare('eq', a!, b!), mul(add(da, db), k(0.5, da)), where(beats(a!, b!), da, db));
    },
    batch: elementwise(op),
  };
}

/**
 * The weight of each element of `x` in `extreme`'s result `y`: 1/count on the
 * elements equal to it, 0 elsewhere (NaN everywhere when `y` is NaN and
 * `nanPicks` is off: 0/0, as PyTorch's amax gives).
 */
function tieWeights(x: T, y: T, p: PrimParams['extreme']): T {
  const yk = p.keepdim ? y : reshape(y, keptShape(x.shape, p.dims));
  let ties = compare('eq', x, yk);
  if (p.nanPicks) ties = where(apply('compare', [yk, yk], { op: 'ne' }), apply('compare', [x, x], { op: 'ne' }), ties);
  const w = apply('cast', [ties], { dtype: x.dtype });
  return div(w, sum(w, p.dims, true));
}

/** Sum of the non-null terms (null when all are null: a zero tangent). */
function addT(...terms: MaybeT[]): MaybeT {
  let acc: MaybeT = null;
  for (const t of terms) if (t !== null) acc = acc === null ? t : add(acc, t);
  return acc;
}

/** Elementwise unary op with a diagonal Jacobian: both VJP and JVP are `t ↦ f'(x)·t`; batched as elementwise. */
function diagonal<P extends Primitive & UnaryOp>(op: P, save: Save, scale: (t: T, c: Ctx<P>) => T): Rule<P> {
  return {
    forward: (x) => raw.rawUnary(op, x[0]!),
    save,
    vjp: (g, c) => [scale(g, c)],
    jvp: (dx, c) => (dx[0] ? scale(dx[0], c) : null),
    batch: elementwise(op),
  };
}

/**
 * A primitive linear in its first input (the others are indices): the JVP is
 * the primitive applied to the tangent; the VJP is its transpose, given.
 */
function linear<P extends Primitive>(prim: P, forward: Rule<P>['forward'], save: Save, vjp: Rule<P>['vjp'], batch: Rule<P>['batch']): Rule<P> {
  return {
    forward,
    save,
    vjp,
    jvp: (dx, c) => (dx[0] ? apply(prim, [dx[0], ...c.x.slice(1)], c.p) : null),
    batch,
  };
}

/** A primitive whose output has zero derivative (bool/int outputs, sign). */
function zeroGrad<P extends Primitive>(forward: Rule<P>['forward'], batch: Rule<P>['batch']): Rule<P> {
  return { forward, save: 'none', vjp: (_g, c) => c.shapes.map(() => null), jvp: () => null, batch };
}

const binary = (op: 'add' | 'sub' | 'mul' | 'div' | 'pow') => (x: readonly T[]) => raw.rawBinary(op, x[0]!, x[1]!);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** The shape `x` had with the reduced dims kept as size 1. */
function keptShape(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((d, i) => (dims.includes(i) ? 1 : d));
}

const RULES: RuleTable = {
  add: {
    forward: binary('add'),
    save: 'none',
    vjp: (g, c) => [c.needs[0] ? g : null, c.needs[1] ? g : null],
    jvp: (dx) => addT(dx[0] ?? null, dx[1] ?? null),
    batch: elementwise('add'),
  },
  sub: {
    forward: binary('sub'),
    save: 'none',
    vjp: (g, c) => [c.needs[0] ? g : null, c.needs[1] ? neg(g) : null],
    jvp: (dx) => (dx[1] ? (dx[0] ? sub(dx[0], dx[1]) : neg(dx[1])) : dx[0] ?? null),
    batch: elementwise('sub'),
  },
  // d(a·b) = da·b + a·db
  mul: {
    forward: binary('mul'),
    save: 'x',
    keep: (needs) => [needs[1]!, needs[0]!],
    vjp: (g, { x: [a, b], needs }) => [needs[0] ? mul(g, b!) : null, needs[1] ? mul(g, a!) : null],
    jvp: (dx, { x: [a, b] }) => addT(dx[0] && mul(dx[0], b!), dx[1] && mul(a!, dx[1])),
    batch: elementwise('mul'),
  },
  // d(a/b) = da/b − y·db/b
  div: {
    forward: binary('div'),
    save: 'xy',
    keep: () => [false, true],
    vjp: (g, { x: [, b], y, needs }) => [needs[0] ? div(g, b!) : null, needs[1] ? neg(mul(div(g, b!), y)) : null],
    jvp: (dx, { x: [, b], y }) => addT(dx[0] && div(dx[0], b!), dx[1] && neg(div(mul(dx[1], y), b!))),
    batch: elementwise('div'),
  },
  // d(a^b) = b·a^(b−1)·da + y·log(a)·db   (log taken as 0 where a = 0, like PyTorch)
  pow: {
    forward: binary('pow'),
    save: 'xy',
    vjp: (g, { x: [a, b], y, needs }) => [
      needs[0] ? mul(g, mul(b!, pow(a!, sub(b!, k(1, b!))))) : null,
      needs[1] ? mul(g, mul(y, log(where(compare('eq', a!, k(0, a!)), k(1, a!), a!)))) : null,
    ],
    jvp: (dx, { x: [a, b], y }) =>
      addT(
        dx[0] && mul(dx[0], mul(b!, pow(a!, sub(b!, k(1, b!))))),
        dx[1] && mul(dx[1], mul(y, log(where(compare('eq', a!, k(0, a!)), k(1, a!), a!)))),
      ),
    batch: elementwise('pow'),
  },
  neg: linear('neg', (x) => raw.rawUnary('neg', x[0]!), 'none', (g) => [neg(g)], elementwise('neg')),
  // d exp(x) = exp(x)·dx
  exp: diagonal('exp', 'y', (t, c) => mul(t, c.y)),
  // d log(x) = dx / x
  log: diagonal('log', 'x', (t, c) => div(t, c.x[0]!)),
  // d sqrt(x) = dx / (2 sqrt(x))
  sqrt: diagonal('sqrt', 'y', (t, c) => div(t, mul(c.y, k(2, c.y)))),
  sin: diagonal('sin', 'x', (t, c) => mul(t, cos(c.x[0]!))),
  cos: diagonal('cos', 'x', (t, c) => neg(mul(t, sin(c.x[0]!)))),
  // d tanh(x) = (1 − y²)·dx
  tanh: diagonal('tanh', 'y', (t, c) => mul(t, sub(k(1, c.y), mul(c.y, c.y)))),
  // d σ(x) = y·(1 − y)·dx
  sigmoid: diagonal('sigmoid', 'y', (t, c) => mul(t, mul(c.y, sub(k(1, c.y), c.y)))),
  // d |x| = sign(x)·dx
  abs: diagonal('abs', 'x', (t, c) => mul(t, sign(c.x[0]!))),
  // d log(1+x) = dx / (1 + x)
  log1p: diagonal('log1p', 'x', (t, c) => div(t, add(c.x[0]!, k(1, c.x[0]!)))),
  // d (e^x − 1) = (y + 1)·dx
  expm1: diagonal('expm1', 'y', (t, c) => mul(t, add(c.y, k(1, c.y)))),
  // d erf(x) = 2/√π · e^(−x²)·dx
  erf: diagonal('erf', 'x', (t, c) => mul(t, mul(k(TWO_OVER_SQRT_PI, t), exp(neg(mul(c.x[0]!, c.x[0]!)))))),
  sign: zeroGrad((x) => raw.rawUnary('sign', x[0]!), elementwise('sign')),
  compare: zeroGrad((x, p) => raw.rawCompare(p.op, x[0]!, x[1]!), elementwise('compare')),
  // d where(c, a, b) = where(c, da, db)
  where: {
    forward: (x) => raw.rawWhere(x[0]!, x[1]!, x[2]!),
    save: 'x',
    keep: () => [true, false, false],
    vjp: (g, { x: [cond], needs }) => {
      const z = k(0, g);
      return [null, needs[1] ? where(cond!, g, z) : null, needs[2] ? where(cond!, z, g) : null];
    },
    jvp: (dx, { x: [cond, a] }) => (dx[1] || dx[2] ? where(cond!, dx[1] ?? k(0, a!), dx[2] ?? k(0, a!)) : null),
    batch: elementwise('where'),
  },
  maximum: extremeRule('maximum', 'gt'),
  minimum: extremeRule('minimum', 'lt'),
  extreme: {
    forward: (x, p) => raw.rawReduce(p.op, x[0]!, p.dims, p.keepdim, x[0]!.dtype),
    save: 'xy',
    vjp: (g, { x: [x], y, p, shapes }) => [mul(expand(reshape(g, keptShape(shapes[0]!, p.dims)), shapes[0]!), tieWeights(x!, y, p))],
    jvp: (dx, { x: [x], y, p }) => (dx[0] ? sum(mul(dx[0], tieWeights(x!, y, p)), p.dims, p.keepdim) : null),
    batch: reduction('extreme'),
  },
  // The transpose of a sum broadcasts g back over the reduced dims.
  sum: linear(
    'sum',
    (x, p) => raw.rawReduce('sum', x[0]!, p.dims, p.keepdim, x[0]!.dtype === 'bool' ? 'int32' : x[0]!.dtype),
    'none',
    (g, { p, shapes }) => [expand(reshape(g, keptShape(shapes[0]!, p.dims)), shapes[0]!)],
    reduction('sum'),
  ),
  argReduce: zeroGrad((x, p) => raw.rawArgReduce(p.op, x[0]!, p.dim, p.keepdim), argReduction),
  reshape: linear('reshape', (x, p) => reshapeForward(x[0]!, p.shape), 'none', (g, { shapes }) => [reshape(g, shapes[0]!)], views.reshape),
  permute: linear('permute', (x, p) => permuteForward(x[0]!, p.dims), 'none', (g, { p }) => {
    const inverse = new Array<number>(p.dims.length);
    p.dims.forEach((d, i) => (inverse[d] = i));
    return [apply('permute', [g], { dims: inverse })];
  }, views.permute),
  // The engine sums g back to the input's shape: the transpose of a broadcast.
  expand: linear('expand', (x, p) => expandForward(x[0]!, p.shape), 'none', (g) => [g], views.expand),
  slice: linear('slice', (x, p) => sliceForward(x[0]!, p.start, p.step, p.shape), 'none', (g, { p, shapes }) => [
    apply('unslice', [g], { shape: shapes[0]!, start: p.start, step: p.step, value: 0 }),
  ], views.slice),
  unslice: {
    forward: (x, p) => unsliceForward(x[0]!, p.shape, p.start, p.step, p.value),
    save: 'none',
    vjp: (g, { p, shapes }) => [apply('slice', [g], { start: p.start, step: p.step, shape: shapes[0]! })],
    jvp: (dx, { p }) => (dx[0] ? apply('unslice', [dx[0]], { ...p, value: 0 }) : null),
    batch: views.unslice,
  },
  cat: {
    forward: (x, p) => catForward(x, p.dim, x[0]!.dtype),
    save: 'none',
    vjp: (g, { p, shapes, needs }) => {
      let at = 0;
      return shapes.map((s, i) => {
        const start = s.map((_, d) => (d === p.dim ? at : 0));
        at += s[p.dim]!;
        return needs[i] ? apply('slice', [g], { start, step: s.map(() => 1), shape: s }) : null;
      });
    },
    jvp: (dx, { x, p }) =>
      dx.some((t) => t !== null) ? apply('cat', dx.map((t, i) => t ?? raw.filled(x[i]!.shape, x[i]!.dtype, 0, deviceOf(x[i]!))), p) : null,
    batch: alongDim('cat'),
  },
  gather: {
    ...linear('gather', (x, p) => raw.rawGather(x[0]!, p.dim, x[1]!), 'x', (g, { x: [, index], p, shapes, needs }) => [
      needs[0] ? apply('scatterAdd', [g, index!], { dim: p.dim, shape: shapes[0]! }) : null,
      null,
    ], alongDim('gather')),
    keep: () => [false, true],
  },
  scatterAdd: {
    ...linear('scatterAdd', (x, p) => raw.rawScatterAdd(p.shape, p.dim, x[1]!, x[0]!), 'x', (g, { x: [, index], p }) => [
      apply('gather', [g, index!], { dim: p.dim }),
      null,
    ], alongDim('scatterAdd')),
    keep: () => [false, true],
  },
  // d(a@b) = da@b + a@db; the transposes act on the last two dims.
  matmul: {
    forward: (x) => raw.rawMatmul(x[0]!, x[1]!),
    save: 'x',
    keep: (needs) => [needs[1]!, needs[0]!],
    layout: true,
    vjp: (g, { x: [a, b], needs, shapes, strides }) => [
      needs[0] ? matmulGradA(g, b!, columnMajor(shapes[0]!, strides[0]!)) : null,
      needs[1] ? matmulGradB(g, a!, shapes[1]!.length, columnMajor(shapes[1]!, strides[1]!)) : null,
    ],
    jvp: (dx, { x: [a, b] }) => addT(dx[0] && matmul(dx[0], b!), dx[1] && matmul(a!, dx[1])),
    batch: batchedMatmul,
  },
  ...LINALG_RULES,
  // im2col and col2im are linear and each other's transpose.
  im2col: linear('im2col', (x, p) => raw.rawIm2col(x[0]!, p), 'none', (g, { p, shapes }) => [
    apply('col2im', [g], { window: p, spatial: shapes[0]!.slice(2) }),
  ], windows('im2col')),
  col2im: linear('col2im', (x, p) => raw.rawCol2im(x[0]!, p.spatial, p.window), 'none', (g, { p }) => [apply('im2col', [g], p.window)], windows('col2im')),
  // The engine casts each gradient to its input's dtype.
  cast: linear('cast', (x, p) => raw.copyAs(x[0]!, p.dtype), 'none', (g) => [g], elementwise('cast')),
  contiguous: linear('contiguous', (x) => raw.copyAs(x[0]!), 'none', (g) => [g], elementwise('contiguous')),
  // A copy to another backend is linear; its transpose copies the cotangent back.
  transfer: linear('transfer', (x, p) => raw.copyAs(x[0]!, x[0]!.dtype, p.backend), 'none', (g, { p }) => [
    apply('transfer', [g], { backend: p.from, from: p.backend }),
  ], elementwise('transfer')),
  // asin acos atan atan2 rounding mod scan sort
  ...RULES_PRIMS,
};

defineRules(RULES);

/** True when a 2-d input is stored column by column (a transposed view of a row-major matrix). */
function columnMajor(shape: readonly number[], strides: readonly number[]): boolean {
  return shape.length === 2 && shape[0]! > 1 && shape[1]! > 1 && strides[0] === 1 && strides[1] === shape[0];
}

/**
 * `g·bᵀ`, the cotangent of matmul's first input. For a column-major 2-d
 * input (a weight used as `wᵀ`) it is made as `(b·gᵀ)ᵀ`, so that it reaches
 * `w` row-major and accumulates by a contiguous add (PyTorch's mm backward
 * chooses the same way).
 */
function matmulGradA(g: T, b: T, colMajor: boolean): T {
  return colMajor && b.ndim === 2 ? mT(matmul(b, mT(g))) : matmul(g, mT(b));
}

/**
 * `aᵀ·g`, the cotangent of matmul's second input (of `bDims` dims). A 2-d
 * input broadcast over the batch dims of `a` (`linear` over a sequence) gets
 * one product over the flattened batch, `a[N·n, k]ᵀ · g[N·n, m]`, rather
 * than a batch of products summed afterwards; a column-major one gets
 * `(gᵀ·a)ᵀ` (see `matmulGradA`).
 */
function matmulGradB(g: T, a: T, bDims: number, colMajor: boolean): T {
  if (bDims !== 2 || a.ndim < 2) return matmul(mT(a), g);
  let a2 = a;
  let g2 = g;
  if (a.ndim > 2) {
    const rows = a.shape.slice(0, -1).reduce((x, y) => x * y, 1);
    a2 = reshape(a, [rows, a.shape[a.ndim - 1]!]);
    g2 = reshape(g, [rows, g.shape[g.ndim - 1]!]);
  }
  return colMajor ? mT(matmul(mT(g2), a2)) : matmul(mT(a2), g2);
}

/** Sums `g` over the dims that broadcasting added or stretched, back to `shape`. */
function sumTo(g: T, shape: readonly number[]): T {
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  return reshape(dims.length > 0 ? sum(g, dims, true) : g, shape);
}

installGradMath({
  add,
  sumTo,
  cast: (x, dtype) => apply('cast', [x], { dtype }),
  alias: (x) => apply('reshape', [x], { shape: x.shape }),
  stack: (ts) => apply('cat', ts.map((t) => reshape(t, [1, ...t.shape])), { dim: 0 }),
  reshape,
  permute,
  expand,
  sum,
});

/** The rule of a primitive (for tests and documentation). @example ruleOf('mul').save; // 'x' */
export function ruleOf<P extends Primitive>(p: P): Rule<P> {
  return RULES[p] as Rule<P>;
}

/** Every primitive name. @example PRIMITIVES.includes('matmul'); // true */
export const PRIMITIVES = Object.keys(RULES) as Primitive[];

export type { PrimParams };
