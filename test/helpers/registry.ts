/**
 * The op registry type and the generic harness it drives. A registry maps a
 * golden op name to how to call the op; the harness then runs, for every
 * golden case of the given families and for the entry's extra samples:
 *
 * - conformance in float64 and float32: outputs, gradients (loss = Σ out·ct)
 *   and grad_of_grad (createGraph), against the PyTorch goldens;
 * - the same with non-contiguous inputs (float64), against the goldens;
 * - numeric checks in float64: gradcheck per element and along random
 *   directions (VJP and JVP against finite differences, the dot-product
 *   identity), and gradgradcheck where flagged;
 * - error inputs, asserting the error class and message.
 *
 * To cover a new family, add its entries to a registry and call these
 * functions from a test file (see test/tensor/conformance.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { GradcheckError, gradcheck, gradgradcheck } from '../../src/check/tensor.js';
import { DeviceError, Tensor, autogradGrad, cat, mul, narrow, reshape, sum, synchronize, zeros, type DType } from '../../src/index.js';
import { TOL, expectCloseAsync, isTensorArg, loadFamily, toTensor, type GoldenCase, type GoldenTensor, type Tol } from './golden.js';

/** An error input and the error it must raise. */
export interface ErrorCase {
  /** What is wrong, for the test name. */
  name: string;
  run: () => unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type: new (...args: any[]) => Error;
  message: string | RegExp;
  /** The inputs include a float64 tensor, so the case exists only on backends with float64 (not webgpu). */
  float64?: boolean;
}

/** An extra sample for the numeric checks: args as the op's `call` takes them (float64 tensors). */
export interface Sample {
  id: string;
  args: unknown[];
  kwargs?: Record<string, unknown>;
}

/** How to call one op, and what to check. */
export interface OpEntry {
  /** Calls the op with golden-style args (tensors already converted) and kwargs. */
  call(args: readonly unknown[], kwargs: Record<string, unknown>): Tensor | readonly Tensor[];
  /** Tolerances per dtype when the defaults do not fit (with the reason in a comment). */
  tol?: Partial<Record<'float32' | 'float64', Tol>>;
  /** Run gradcheck (VJP, JVP, dot-product identity); default true. */
  gradcheck?: boolean;
  /** Check forward mode; default true. */
  jvp?: boolean;
  /** Run gradgradcheck; default: when a golden case has grad_of_grad. */
  gradgrad?: boolean;
  /** gradcheck tolerances (defaults atol 1e-5, rtol 1e-3). */
  checkTol?: { atol?: number; rtol?: number; eps?: number };
  /** Samples for ops without goldens (or extra coverage), float64. */
  samples?: () => Sample[];
  /** Inputs that must throw, with the message. */
  errors?: ErrorCase[];
  /**
   * True for the args whose output shape the op reads from the values (e.g.
   * `oneHot` with numClasses −1): on a backend without synchronous reads (the
   * GPU) the case must throw a `DeviceError` instead.
   */
  readsShape?: (args: readonly unknown[], kwargs: Record<string, unknown>) => boolean;
}

/** Golden op name (or extra op name) → entry. */
export type Registry = Record<string, OpEntry>;

/** Converts golden args: `{tensor}` → Tensor of `dtype` (floats), requiring grad when `leaf`. */
export function convertArgs(args: readonly unknown[], dtype: DType, leaf: boolean, noncontig = false): unknown[] {
  return args.map((a) => {
    if (!isTensorArg(a)) return a;
    let t = toTensor(a.tensor, dtype);
    if (noncontig && t._isFloat) t = nonContiguous(t);
    if (leaf && t._isFloat) t.requiresGrad = true;
    return t;
  });
}

/**
 * The same values in a non-contiguous layout (every other element of a
 * buffer twice as long on the last dim).
 */
export function nonContiguous(t: Tensor): Tensor {
  if (t.ndim === 0) return t;
  const wide = cat([reshape(t, [...t.shape, 1]), zeros([...t.shape, 1], { dtype: t.dtype })], t.ndim);
  const v = reshape(narrow(wide, t.ndim, 0, 1), t.shape);
  return v.detach();
}

function asList<T>(v: T | readonly T[]): T[] {
  return Array.isArray(v) ? [...(v as readonly T[])] : [v as T];
}

function floatLeaves(args: readonly unknown[]): Tensor[] {
  return args.filter((a): a is Tensor => a instanceof Tensor && a.requiresGrad);
}

/**
 * Runs one golden case: outputs, gradients and grad_of_grad. Values are read
 * asynchronously, so the same harness runs on every backend, the GPU included.
 */
export async function runCase(entry: OpEntry, c: GoldenCase, dtype: 'float32' | 'float64', noncontig = false, syncReads = true): Promise<void> {
  const tol = entry.tol?.[dtype] ?? TOL[dtype];
  const args = convertArgs(c.args, dtype, true, noncontig);
  if (!syncReads && entry.readsShape?.(args, c.kwargs ?? {}) === true) {
    expect(() => entry.call(args, c.kwargs ?? {})).toThrow(DeviceError);
    return;
  }
  if (noncontig) {
    for (const a of args) if (a instanceof Tensor && a._isFloat && a.size > 1) expect(a.isContiguous()).toBe(false);
  }
  const outs = asList(entry.call(args, c.kwargs ?? {}));
  const goldOuts = asList(c.out);
  expect(outs.length).toBeGreaterThanOrEqual(goldOuts.length);
  for (const [i, g] of goldOuts.entries()) {
    const o = outs[i]!;
    if (g.dtype === 'int64' || g.dtype === 'bool') {
      expect(o.dtype, `${c.id} out ${i}`).toBe(g.dtype === 'bool' ? 'bool' : 'int32');
      await expectCloseAsync(o, g, { rtol: 0, atol: 0 }, `${c.id} out ${i} (${g.dtype === 'bool' ? 'bool' : 'indices'})`);
    } else {
      expect(o.dtype).toBe(dtype);
      await expectCloseAsync(o, g, tol, `${c.id} out ${i}`);
    }
  }
  const leaves = floatLeaves(args);
  const cts = asList(c.cotangent);
  const loss = (gradsOf: readonly (Tensor | null)[], weights: readonly (GoldenTensor | null)[]): Tensor | null => {
    let total: Tensor | null = null;
    weights.forEach((w, i) => {
      const o = gradsOf[i];
      if (w === null || w === undefined || o === null || o === undefined || !o.requiresGrad) return;
      const term = sum(mul(o, toTensor(w, dtype)));
      total = total === null ? term : total.add(term);
    });
    return total;
  };
  const l = loss(outs, cts);
  const tensorIdx = args.flatMap((a, i) => (a instanceof Tensor && a.requiresGrad ? [i] : []));
  const grads = l === null ? leaves.map(() => null) : autogradGrad(l, leaves, { createGraph: c.grad_of_grad !== undefined, allowUnused: true });
  for (const [i, g] of c.grads.entries()) {
    if (g === null) continue;
    const k = tensorIdx.indexOf(i);
    expect(k, `${c.id}: golden has a gradient for arg ${i}, which is not a float tensor here`).toBeGreaterThanOrEqual(0);
    await expectCloseAsync(grads[k] ?? null, g, tol, `${c.id} grad ${i}`);
  }
  if (c.grad_of_grad !== undefined) {
    const gog = c.grad_of_grad;
    const s = loss(tensorIdx.map((_i, k) => grads[k] ?? null), tensorIdx.map((i) => gog.v[i] ?? null));
    const gg = s === null ? leaves.map(() => null) : autogradGrad(s, leaves, { allowUnused: true });
    for (const [i, g] of gog.grads.entries()) {
      if (g === null) continue;
      await expectCloseAsync(gg[tensorIdx.indexOf(i)] ?? null, g, tol, `${c.id} grad_of_grad ${i}`);
    }
  }
}

/** Which dtypes the goldens run in (the GPU has no float64), and the dtype of the non-contiguous pass. */
export interface ConformanceOptions {
  dtypes?: readonly ('float32' | 'float64')[];
  noncontig?: 'float32' | 'float64';
  /** False on a backend that cannot read values synchronously (see `OpEntry.readsShape`). */
  syncReads?: boolean;
}

/** Every golden op of `families` must have an entry; each case runs in float64 and float32 (by default). */
export function conformanceTests(families: readonly string[], registry: Registry, opts: ConformanceOptions = {}): void {
  const dtypes = opts.dtypes ?? (['float64', 'float32'] as const);
  const nc = opts.noncontig ?? 'float64';
  for (const family of families) {
    const file = loadFamily(family);
    describe(`conformance: ${family}`, () => {
      it('has a registry entry for every golden op', () => {
        const missing = Object.keys(file.ops).filter((op) => !(op in registry));
        expect(missing).toEqual([]);
      });
      for (const dtype of dtypes) {
        describe(dtype, () => {
          for (const c of file.cases) {
            it(c.id, () => runCase(registry[c.op]!, c, dtype, false, opts.syncReads));
          }
        });
      }
      describe(`non-contiguous inputs (${nc})`, () => {
        for (const c of file.cases) {
          if (!c.args.some((a) => isTensorArg(a) && a.tensor.dtype === undefined && a.tensor.shape.length > 0)) continue;
          it(c.id, () => runCase(registry[c.op]!, c, nc, true, opts.syncReads));
        }
      });
    });
  }
}

interface CheckSample {
  id: string;
  f: (...ts: Tensor[]) => Tensor | readonly Tensor[];
  inputs: Tensor[];
}

/** The op as a function of its tensor args, the other args fixed. */
function asFunction(entry: OpEntry, args: readonly unknown[], kwargs: Record<string, unknown>): CheckSample['f'] {
  const pos = args.flatMap((a, i) => (a instanceof Tensor ? [i] : []));
  return (...ts: Tensor[]) => {
    const full = args.slice();
    pos.forEach((p, k) => (full[p] = ts[k]));
    return entry.call(full, kwargs);
  };
}

function samplesOf(op: string, entry: OpEntry, cases: readonly GoldenCase[]): CheckSample[] {
  const out: CheckSample[] = cases
    .filter((c) => c.op === op)
    .map((c) => {
      const args = convertArgs(c.args, 'float64', false);
      return { id: c.id, f: asFunction(entry, args, c.kwargs ?? {}), inputs: args.filter((a): a is Tensor => a instanceof Tensor) };
    });
  for (const s of entry.samples?.() ?? []) {
    out.push({ id: `${op}/${s.id}`, f: asFunction(entry, s.args, s.kwargs ?? {}), inputs: s.args.filter((a): a is Tensor => a instanceof Tensor) });
  }
  return out;
}

/**
 * Numeric checks in float64 for every entry: gradcheck (VJP and JVP against
 * finite differences, per element and along random directions, and the
 * dot-product identity) and gradgradcheck where flagged.
 */
export function numericTests(families: readonly string[], registry: Registry, extraOps: readonly string[] = []): void {
  const cases = families.flatMap((f) => loadFamily(f).cases);
  const ops = [...new Set([...cases.map((c) => c.op), ...extraOps])];
  describe('numeric checks (float64)', () => {
    for (const op of ops) {
      const entry = registry[op];
      if (entry === undefined) continue;
      const hasGog = cases.some((c) => c.op === op && c.grad_of_grad !== undefined);
      if (entry.gradcheck === false && !(entry.gradgrad ?? hasGog)) continue;
      describe(op, () => {
        for (const s of samplesOf(op, entry, cases)) {
          if (entry.gradcheck !== false) {
            it(`gradcheck ${s.id}`, () => {
              const r = gradcheck(s.f, s.inputs, { name: op, jvp: entry.jvp !== false, ...entry.checkTol });
              expect(r.passed).toBe(true);
            });
          }
          if (entry.gradgrad ?? hasGog) {
            it(`gradgradcheck ${s.id}`, () => {
              const r = gradgradcheck(s.f, s.inputs, { name: op, jvp: entry.jvp !== false, maxElements: 48, ...entry.checkTol });
              expect(r.passed).toBe(true);
            });
          }
        }
      });
    }
  });
}

/**
 * Every error case of every entry: the error class and message. An error may
 * come at the op or, for checks of values on the GPU (index ranges), at the
 * next read: `synchronize()` after the op surfaces those.
 */
export function errorTests(registry: Registry, opts: { float64?: boolean } = {}): void {
  describe('error inputs', () => {
    for (const [op, entry] of Object.entries(registry)) {
      for (const e of entry.errors ?? []) {
        if (e.float64 === true && opts.float64 === false) continue;
        it(`${op}: ${e.name}`, async () => {
          let caught: unknown = null;
          try {
            e.run();
            await synchronize();
          } catch (err) {
            caught = err;
          }
          expect(caught, 'expected an error').toBeInstanceOf(e.type);
          if (typeof e.message === 'string') expect((caught as Error).message).toBe(e.message);
          else expect((caught as Error).message).toMatch(e.message);
        });
      }
    }
  });
}

export { GradcheckError };
