/**
 * Gradient checking for tensor functions, in float64:
 *
 * - per element (small inputs): the Jacobian from central differences against
 *   the Jacobian from VJPs (one per output element) and from JVPs (one per
 *   input element);
 * - along random directions v, u: the JVP against the directional finite
 *   difference `(f(x+εv) − f(x−εv)) / 2ε`, the VJP by `⟨Jᵀu, v⟩ = ⟨u, J v⟩`
 *   against that difference, and VJP against JVP by the same identity.
 *
 * A failure names the op, the input and output index, their shapes and both
 * numbers. `gradgradcheck` applies the same checks to the function that
 * returns the VJP (built with `createGraph`), i.e. to second derivatives.
 */
import {
  autogradGrad, clearTangent, enableGrad, enterLevel, exitLevel, getTangent, noGrad, setTangent,
} from '../autograd/index.js';
import { AdjointError, DTypeError, fmtShape } from '../errors.js';
import { Tensor, tensor, zerosLike } from '../tensor/index.js';

/** A function of tensors returning a tensor or a list of tensors (non-float outputs are ignored). */
export type TensorFn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

/** Options of `gradcheck` and `gradgradcheck`. */
export interface TensorGradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Name used in failure messages (default: the function's name). */
  name?: string;
  /** Random directions to check (default 3). */
  directions?: number;
  /** Largest total number of input or output elements for the per-element check (default 256). */
  maxElements?: number;
  /** Check forward mode too (default true). */
  jvp?: boolean;
  /** Seed of the random directions (default 1). */
  seed?: number;
  /** Throw a `GradcheckError` on failure (default true); otherwise only report. */
  raise?: boolean;
}

/** The result of a check. */
export interface TensorGradcheckReport {
  passed: boolean;
  /** Number of comparisons made. */
  comparisons: number;
  /** The first failure, as a sentence naming op, indices, shapes and both numbers. */
  failure?: string;
}

/** Thrown by `gradcheck` / `gradgradcheck` when a derivative disagrees. @example try { gradcheck(f, xs); } catch (e) { if (e instanceof GradcheckError) console.log(e.message); } */
export class GradcheckError extends AdjointError {}

/** A small LCG so that directions do not disturb the global tensor RNG. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 4294967296) * 2 - 1;
  };
}

function valuesOf(t: Tensor): Float64Array {
  return Float64Array.from(t.toTypedArray());
}

function make(values: Float64Array, like: Tensor): Tensor {
  return tensor(values, { shape: like.shape, dtype: 'float64' });
}

function floatOutputs(r: Tensor | readonly Tensor[]): Tensor[] {
  const list = r instanceof Tensor ? [r] : [...r];
  return list.filter((t) => t instanceof Tensor && t._isFloat);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

interface Checker {
  report: TensorGradcheckReport;
  close(analytical: number, numerical: number, what: () => string): boolean;
}

function checker(name: string, atol: number, rtol: number): Checker {
  const report: TensorGradcheckReport = { passed: true, comparisons: 0 };
  return {
    report,
    close(a, n, what) {
      report.comparisons++;
      const ok = Math.abs(a - n) <= atol + rtol * Math.abs(n) || (a === n && Number.isFinite(a));
      if (!ok && report.passed) {
        report.passed = false;
        report.failure = `${name}: ${what()}: analytical ${a} vs numerical ${n} (atol ${atol}, rtol ${rtol})`;
      }
      return ok;
    },
  };
}

/**
 * Checks the VJP and JVP of `f` at `inputs` against central finite differences.
 * Float inputs must be float64; other inputs (indices, masks) are passed through.
 *
 * @example
 * gradcheck((x, y) => x.mul(y).sin(), [randn([3], { dtype: 'float64' }), randn([3], { dtype: 'float64' })]);
 */
export function gradcheck(f: TensorFn, inputs: readonly Tensor[], opts: TensorGradcheckOptions = {}): TensorGradcheckReport {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, directions = 3, maxElements = 256, jvp = true, seed = 1, raise = true } = opts;
  const name = opts.name ?? (f.name || 'f');
  const diff = inputs.map((x, i) => {
    if (!(x instanceof Tensor)) throw new DTypeError('gradcheck', `input ${i} must be a Tensor`);
    if (x._isFloat && x.dtype !== 'float64') throw new DTypeError('gradcheck', `input ${i} must be float64 for a numerical check, got ${x.dtype}`);
    return x._isFloat;
  });
  const idx = diff.flatMap((d, i) => (d ? [i] : []));
  const x0 = inputs.map((x, i) => (diff[i] ? valuesOf(x) : null));
  const c = checker(name, atol, rtol);
  const rand = lcg(seed);

  /** Output values at inputs with float input k replaced by values. */
  const evalAt = (replace: Map<number, Float64Array>): Float64Array[] =>
    noGrad(() => floatOutputs(f(...inputs.map((x, i) => (replace.has(i) ? make(replace.get(i)!, x) : x.detach())))).map(valuesOf));
  const base = noGrad(() => floatOutputs(f(...inputs.map((x) => x.detach()))));
  const outShapes = base.map((t) => t.shape);
  const desc = (k: number, o: number): string => `input ${k} ${fmtShape(inputs[k]!.shape)} → output ${o} ${fmtShape(outShapes[o]!)}`;

  /** VJPs for cotangents `us` (one per output): gradients of every float input. */
  const vjpAt = (us: Float64Array[]): Float64Array[] => {
    const leaves = inputs.map((x, i) => (diff[i] ? x.detach().requiresGrad_() : x));
    const outs = floatOutputs(f(...leaves));
    const live = outs.map((o, j) => [o, j] as const).filter(([o]) => o.requiresGrad);
    if (live.length === 0) return idx.map((k) => new Float64Array(inputs[k]!.size));
    const gs = autogradGrad(live.map(([o]) => o), idx.map((k) => leaves[k]!), {
      gradOutputs: live.map(([o, j]) => make(us[j]!, o)),
      allowUnused: true,
    });
    return gs.map((g, n) => (g === null ? new Float64Array(inputs[idx[n]!]!.size) : valuesOf(g)));
  };

  /** JVP for tangents `vs` (per float input, in `idx` order): tangents of the outputs. */
  const jvpAt = (vs: Float64Array[]): Float64Array[] => {
    const level = enterLevel();
    try {
      const primals = inputs.map((x, i) => {
        if (!diff[i]) return x;
        const p = x.detach();
        setTangent(p, level, make(vs[idx.indexOf(i)]!, x));
        return p;
      });
      const outs = noGrad(() => floatOutputs(f(...primals)));
      return outs.map((o) => {
        const t = getTangent(o, level);
        clearTangent(o, level);
        return t === null ? new Float64Array(o.size) : valuesOf(t);
      });
    } finally {
      exitLevel(level);
    }
  };

  const central = (v: Float64Array[]): Float64Array[] => {
    const plus = new Map<number, Float64Array>();
    const minus = new Map<number, Float64Array>();
    idx.forEach((k, n) => {
      plus.set(k, x0[k]!.map((x, e) => x + eps * v[n]![e]!));
      minus.set(k, x0[k]!.map((x, e) => x - eps * v[n]![e]!));
    });
    const fp = evalAt(plus);
    const fm = evalAt(minus);
    return fp.map((p, o) => p.map((y, e) => (y - fm[o]![e]!) / (2 * eps)));
  };

  const inTotal = idx.reduce((s, k) => s + inputs[k]!.size, 0);
  const outTotal = base.reduce((s, o) => s + o.size, 0);
  // Per element: Jacobian columns by finite differences, rows by VJP, columns by JVP.
  if (inTotal <= maxElements && outTotal <= maxElements) {
    const numCols: Float64Array[][] = []; // [input-element][output] values
    const where: [number, number][] = [];
    idx.forEach((k, n) => {
      for (let e = 0; e < inputs[k]!.size; e++) {
        const v = idx.map((kk) => new Float64Array(inputs[kk]!.size));
        v[n]![e] = 1;
        numCols.push(central(v));
        where.push([k, e]);
      }
    });
    for (let o = 0; o < base.length && c.report.passed; o++) {
      for (let e = 0; e < base[o]!.size && c.report.passed; e++) {
        const us = base.map((b) => new Float64Array(b.size));
        us[o]![e] = 1;
        const row = vjpAt(us);
        numCols.forEach((col, j) => {
          const [k, ie] = where[j]!;
          c.close(row[idx.indexOf(k)]![ie]!, col[o]![e]!, () => `VJP, ${desc(k, o)}, d out[${e}] / d in[${ie}]`);
        });
      }
    }
    if (jvp) {
      numCols.forEach((col, j) => {
        if (!c.report.passed) return;
        const [k, ie] = where[j]!;
        const v = idx.map((kk) => new Float64Array(inputs[kk]!.size));
        v[idx.indexOf(k)]![ie] = 1;
        const t = jvpAt(v);
        col.forEach((vals, o) => vals.forEach((num, e) => c.close(t[o]![e]!, num, () => `JVP, ${desc(k, o)}, d out[${e}] / d in[${ie}]`)));
      });
    }
  }
  // Random directions: JVP vs finite difference, VJP vs finite difference, VJP vs JVP.
  for (let r = 0; r < directions && c.report.passed; r++) {
    const v = idx.map((k) => Float64Array.from({ length: inputs[k]!.size }, rand));
    const u = base.map((b) => Float64Array.from({ length: b.size }, rand));
    const fd = central(v);
    const g = vjpAt(u);
    const lhs = g.reduce((s, gk, n) => s + dot(gk, v[n]!), 0);
    const rhs = fd.reduce((s, d, o) => s + dot(u[o]!, d), 0);
    c.close(lhs, rhs, () => `VJP along a random direction, inputs [${idx.join(',')}] → outputs, ⟨Jᵀu, v⟩ vs ⟨u, (f(x+εv) − f(x−εv))/2ε⟩`);
    if (jvp) {
      const t = jvpAt(v);
      t.forEach((to, o) => to.forEach((val, e) => c.close(val, fd[o]![e]!, () => `JVP along a random direction, inputs [${idx.join(',')}] → output ${o} ${fmtShape(outShapes[o]!)}, element ${e}`)));
      const jt = t.reduce((s, to, o) => s + dot(u[o]!, to), 0);
      c.close(lhs, jt, () => `dot-product identity, inputs [${idx.join(',')}]: ⟨Jᵀu, v⟩ (VJP) vs ⟨u, J v⟩ (JVP)`);
    }
  }
  if (!c.report.passed && raise) throw new GradcheckError('gradcheck', c.report.failure!);
  return c.report;
}

/**
 * Checks second derivatives: `gradcheck` of `x ↦ Jᵀ(x)·u` for a fixed random
 * cotangent `u` (the VJP built with `createGraph`).
 *
 * @example
 * gradgradcheck((x) => x.pow(3), [randn([4], { dtype: 'float64' })]);
 */
export function gradgradcheck(f: TensorFn, inputs: readonly Tensor[], opts: TensorGradcheckOptions = {}): TensorGradcheckReport {
  const name = opts.name ?? (f.name || 'f');
  const rand = lcg((opts.seed ?? 1) + 7919);
  const diff = inputs.map((x) => x._isFloat);
  const base = noGrad(() => floatOutputs(f(...inputs.map((x) => x.detach()))));
  const us = base.map((b) => tensor(Float64Array.from({ length: b.size }, rand), { shape: b.shape, dtype: 'float64' }));
  // A fresh leaf that keeps forward-mode tangents (so the JVP check sees through the VJP).
  const leaf = (x: Tensor): Tensor => {
    const t = x.detach();
    if (x._tangents !== null) t._tangents = new Map(x._tangents);
    return t.requiresGrad_();
  };
  const vjpFn = (...xs: Tensor[]): Tensor[] => enableGrad(() => {
    const leaves = xs.map((x, i) => (diff[i] && !x.requiresGrad ? leaf(x) : x));
    const outs = floatOutputs(f(...leaves));
    const live = outs.map((o, j) => [o, j] as const).filter(([o]) => o.requiresGrad);
    const ins = leaves.filter((_, i) => diff[i]);
    if (live.length === 0) return ins.map((x) => zerosLike(x));
    const gs = autogradGrad(live.map(([o]) => o), ins, {
      gradOutputs: live.map(([, j]) => us[j]!),
      createGraph: true,
      allowUnused: true,
    });
    return gs.map((g, n) => g ?? zerosLike(ins[n]!));
  });
  return gradcheck(vjpFn, inputs, { ...opts, name: `${name} (second order)` });
}
