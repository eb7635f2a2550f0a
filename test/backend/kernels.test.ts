/**
 * Every wasm kernel against the js backend (the oracle) on seeded random
 * inputs: contiguous, offset, transposed, sliced and broadcast views, odd
 * sizes around the SIMD widths and GEMM tiles, empty tensors; float32 to
 * 1e-5 (summation order) or better, float64 exactly or to 1e-12.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsBackend, setWasmOptions, wasmBackend, wasmInfo, type BinaryOp, type CompareOp, type DType, type ReduceOp, type ScanOp, type Storage, type UnaryOp, type View } from '../../src/backend/index.js';
import { exp32, sigmoid32, tanh32 } from '../../src/backend/wasm/transcend.js';
import { EXACT, LAYOUTS, contiguous, expectAgree, pair, readBoth, rng, sizeOf, whole, type Layout, type Tol } from './helpers.js';

const FLOATS: DType[] = ['float32', 'float64'];
/** Shapes on both sides of the small-tensor cutoff (32 elements) and the SIMD widths. */
const SHAPES: number[][] = [[], [1], [7], [3, 17], [129], [2, 3, 65], [5, 1, 33]];

const uniform = (lo: number, hi: number, seed: number) => {
  const r = rng(seed);
  return () => lo + (hi - lo) * r();
};

describe('unary', () => {
  const ops: UnaryOp[] = [
    'neg', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'abs', 'log1p', 'expm1', 'erf', 'sign', 'isnan',
    'asin', 'acos', 'atan', 'floor', 'ceil', 'round', 'trunc',
  ];
  const exactOps = new Set<UnaryOp>(['neg', 'abs', 'sqrt', 'sign', 'isnan', 'floor', 'ceil', 'round', 'trunc']);
  /** Inputs in [lo, hi): inside the domain, and for the roundings around halves (ties to even). */
  const range = (op: UnaryOp): [number, number] => (op === 'log' || op === 'sqrt' ? [0.01, 4] : op === 'asin' || op === 'acos' ? [-1, 1] : [-4, 4]);
  for (const dtype of FLOATS) {
    for (const op of ops) {
      it(`${op} ${dtype}`, () => {
        const [lo, hi] = range(op);
        const tol: Tol = exactOps.has(op) ? EXACT : dtype === 'float64' ? { rtol: 1e-14, atol: 1e-300 } : { rtol: 1e-6, atol: 1e-38 };
        let seed = 1;
        for (const shape of SHAPES) {
          for (const layout of LAYOUTS) {
            const halves = op === 'round' && seed % 2 === 0;
            const gen = uniform(lo, hi, seed++);
            const x = pair(dtype, shape, layout, halves ? () => Math.round(gen() * 2) / 2 : gen);
            const out = op === 'isnan' ? 'bool' : dtype;
            const [w, j] = readBoth(wasmBackend.unary(op, x.wasm, out), jsBackend.unary(op, x.js, out), shape);
            expectAgree(w, j, tol, `${op} ${dtype} ${layout} [${shape}]`);
          }
        }
      });
    }
    it(`special values ${dtype}`, () => {
      const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 88, -88, 710, -710, 1e300, 0.5, -0.5, 1, -1, 6, -6, 20, -20, 1.5, 2.5, -2.5, 2 ** 23 + 1];
      const values = [...specials, ...specials, ...specials];
      const shape = [values.length];
      for (const op of ops) {
        const out = op === 'isnan' ? 'bool' : dtype;
        const w = wasmBackend.unary(op, whole(wasmBackend, dtype, shape, values), out);
        const j = jsBackend.unary(op, whole(jsBackend, dtype, shape, values), out);
        const tol = exactOps.has(op) ? EXACT : { rtol: dtype === 'float64' ? 1e-14 : 1e-6, atol: 1e-300 };
        expectAgree(...readBoth(w, j, shape), tol, `${op} ${dtype} specials`);
      }
    });
  }
  // float32 exp, sigmoid and tanh run four lanes at a time in float32 (assembly/transcend.ts): at
  // most 2 ulp from the correctly rounded value (float64, rounded once) over their whole range,
  // and one value gives one result wherever it sits (a lane, the tail, a strided row).
  const ulps = (a: number, b: number): number => {
    if (Number.isNaN(a) && Number.isNaN(b)) return 0;
    const i = new Int32Array(new Float32Array([a, b]).buffer);
    const ordered = (k: number): number => (k < 0 ? -2147483648 - k : k);
    return Math.abs(ordered(i[0]!) - ordered(i[1]!));
  };
  const sigmoid64 = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
  const sweeps: [UnaryOp, number, number, (x: number) => number, number][] = [
    ['exp', -104, 89, Math.exp, 1], ['exp', -1, 1, Math.exp, 1],
    ['sigmoid', -110, 110, sigmoid64, 2], ['sigmoid', -6, 6, sigmoid64, 2],
    ['tanh', -12, 12, Math.tanh, 1], ['tanh', -1, 1, Math.tanh, 1], ['tanh', -1e-3, 1e-3, Math.tanh, 1],
  ];
  for (const [op, lo, hi, f, maxUlps] of sweeps) {
    it(`${op} float32 within ${maxUlps} ulp on [${lo}, ${hi}]`, () => {
      const n = 1 << 16;
      const xs = Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / n);
      const y = wasmBackend.read({ storage: wasmBackend.unary(op, whole(wasmBackend, 'float32', [n], xs), 'float32'), shape: [n], strides: [1], offset: 0 });
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, ulps(y[i]!, Math.fround(f(xs[i]!))));
      expect(worst).toBeLessThanOrEqual(maxUlps);
    });
  }
  it('float32 exp, sigmoid and tanh: the JS twins (small tensors, compiled loops) equal the wasm lanes bit for bit', () => {
    const twins = { exp: exp32, sigmoid: sigmoid32, tanh: tanh32 } as const;
    const n = 1 << 15;
    for (const [lo, hi] of [[-110, 110], [-2, 2], [-1e-3, 1e-3]] as const) {
      const xs = Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / n);
      xs[0] = NaN; xs[1] = Infinity; xs[2] = -Infinity; xs[3] = -0; xs[4] = 2.5; xs[5] = -3.5;
      for (const [op, twin] of Object.entries(twins)) {
        const y = wasmBackend.read({ storage: wasmBackend.unary(op as UnaryOp, whole(wasmBackend, 'float32', [n], xs), 'float32'), shape: [n], strides: [1], offset: 0 });
        for (let i = 0; i < n; i++) if (!Object.is(y[i], Math.fround(twin(xs[i]!)))) expect(`${op}(${xs[i]}) = ${twin(xs[i]!)}`).toBe(`${y[i]}`);
      }
    }
  });
  it('float32 exp, sigmoid and tanh: one value, one result, in any position or layout', () => {
    // 32 values whose vector and float64 results differ in the last bit for some of them.
    const values = [...Array.from({ length: 29 }, (_, i) => -7 + i * 0.4837), 40, -90, -0];
    const V = values.length;
    for (const op of ['exp', 'sigmoid', 'tanh'] as const) {
      const alone = values.map((v) => wasmBackend.read({ storage: wasmBackend.unary(op, whole(wasmBackend, 'float32', [1], [v]), 'float32'), shape: [1], strides: [1], offset: 0 })[0]!);
      // A [V, 6] transposed view: each row is a strided column of the storage (four gathered lanes and a tail of two).
      const grid = Array.from({ length: 6 * V }, (_, i) => values[i % V]!);
      const x: View = { storage: wasmBackend.fromArray('float32', grid), shape: [V, 6], strides: [1, V], offset: 0 };
      const y = wasmBackend.read({ storage: wasmBackend.unary(op, x, 'float32'), shape: [V, 6], strides: [6, 1], offset: 0 });
      for (let i = 0; i < 6 * V; i++) expect(Object.is(y[i], alone[Math.floor(i / 6)]), `${op} strided at ${i}`).toBe(true);
      // Contiguous, starting one element in: every value meets every lane and the tail.
      const z: View = { storage: wasmBackend.fromArray('float32', [0, ...grid]), shape: [6 * V], strides: [1], offset: 1 };
      const flat = wasmBackend.read({ storage: wasmBackend.unary(op, z, 'float32'), shape: [6 * V], strides: [1], offset: 0 });
      for (let i = 0; i < 6 * V; i++) expect(Object.is(flat[i], alone[i % V]), `${op} contiguous at ${i}`).toBe(true);
    }
  });
  it('int32 and bool inputs run the js code over wasm memory', () => {
    const x = pair('int32', [40], 'sliced', uniform(-5, 5, 3));
    for (const op of ['neg', 'abs', 'sign'] as const) {
      expectAgree(...readBoth(wasmBackend.unary(op, x.wasm, 'int32'), jsBackend.unary(op, x.js, 'int32'), [40]), EXACT, op);
    }
    expectAgree(...readBoth(wasmBackend.unary('exp', x.wasm, 'float32'), jsBackend.unary('exp', x.js, 'float32'), [40]), EXACT, 'exp int32→float32');
  });
});

describe('binary, compare, where', () => {
  const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'atan2', 'remainder', 'fmod'];
  for (const dtype of FLOATS) {
    for (const op of ops) {
      it(`${op} ${dtype}`, () => {
        const tol: Tol = op === 'pow' || op === 'atan2' ? { rtol: dtype === 'float64' ? 1e-14 : 1e-6, atol: 1e-300 } : EXACT;
        let seed = 100;
        for (const shape of SHAPES) {
          for (const la of LAYOUTS) {
            for (const lb of LAYOUTS) {
              const a = pair(dtype, shape, la, uniform(op === 'pow' ? 0.1 : -3, 3, seed++));
              const b = pair(dtype, shape, lb, uniform(-3, 3, seed++));
              const [w, j] = readBoth(wasmBackend.binary(op, a.wasm, b.wasm, dtype), jsBackend.binary(op, a.js, b.js, dtype), shape);
              expectAgree(w, j, tol, `${op} ${dtype} ${la}×${lb} [${shape}]`);
            }
          }
        }
      });
    }
    it(`NaN and ±0 through maximum/minimum ${dtype}`, () => {
      const a = [NaN, 1, NaN, 2, -1, 0, 5, -Infinity];
      const b = [1, NaN, NaN, 2, -2, 0, Infinity, 3];
      const va = [...a, ...a, ...a, ...a, ...a];
      const vb = [...b, ...b, ...b, ...b, ...b];
      for (const op of ['maximum', 'minimum'] as const) {
        const w = wasmBackend.binary(op, whole(wasmBackend, dtype, [40], va), whole(wasmBackend, dtype, [40], vb), dtype);
        const j = jsBackend.binary(op, whole(jsBackend, dtype, [40], va), whole(jsBackend, dtype, [40], vb), dtype);
        expectAgree(...readBoth(w, j, [40]), EXACT, op);
      }
    });
    it(`compare ${dtype}`, () => {
      const cmps: CompareOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];
      let seed = 7;
      // Small integers: many ties.
      const ints = (s: number) => {
        const r = rng(s);
        return () => Math.floor(r() * 3);
      };
      for (const op of cmps) {
        for (const shape of SHAPES) {
          for (const la of LAYOUTS) {
            const a = pair(dtype, shape, la, ints(seed++));
            const b = pair(dtype, shape, 'broadcast', ints(seed++));
            expectAgree(...readBoth(wasmBackend.compare(op, a.wasm, b.wasm), jsBackend.compare(op, a.js, b.js), shape), EXACT, `${op} ${la} [${shape}]`);
          }
        }
      }
    });
    it(`where ${dtype}`, () => {
      let seed = 9;
      for (const shape of SHAPES) {
        for (const layout of LAYOUTS) {
          for (const [la, lb] of [['sliced', 'broadcast'], ['contiguous', 'contiguous'], ['broadcast', 'offset']] as const) {
            const c = pair('bool', shape, layout, uniform(-1, 1, seed++));
            const a = pair(dtype, shape, la, uniform(-1, 1, seed++));
            const b = pair(dtype, shape, lb, uniform(-1, 1, seed++));
            const [w, j] = readBoth(wasmBackend.where(c.wasm, a.wasm, b.wasm, dtype), jsBackend.where(c.js, a.js, b.js, dtype), shape);
            expectAgree(w, j, EXACT, `where ${layout} ${la} ${lb} [${shape}]`);
          }
        }
      }
      // A 0-d condition and scalar branches broadcast over a long row.
      const c0 = pair('bool', [1], 'contiguous', () => 1);
      const x = pair(dtype, [100], 'contiguous', uniform(-1, 1, 1));
      const z = pair(dtype, [1], 'contiguous', () => 0);
      const bc = (v: typeof c0.js): typeof c0.js => ({ ...v, shape: [100], strides: [0] });
      expectAgree(...readBoth(wasmBackend.where(bc(c0.wasm), x.wasm, bc(z.wasm), dtype), jsBackend.where(bc(c0.js), x.js, bc(z.js), dtype), [100]), EXACT, 'where broadcast cond');
    });
  }
  it('int32 arithmetic and mixed dtypes', () => {
    const a = pair('int32', [50], 'contiguous', uniform(-9, 9, 1));
    const b = pair('int32', [50], 'sliced', uniform(1, 9, 2));
    for (const op of ops) {
      expectAgree(...readBoth(wasmBackend.binary(op, a.wasm, b.wasm, 'int32'), jsBackend.binary(op, a.js, b.js, 'int32'), [50]), EXACT, op);
    }
    const f = pair('float32', [50], 'offset', uniform(-2, 2, 3));
    expectAgree(...readBoth(wasmBackend.binary('mul', a.wasm, f.wasm, 'float32'), jsBackend.binary('mul', a.js, f.js, 'float32'), [50]), EXACT, 'int32×float32');
    expectAgree(...readBoth(wasmBackend.compare('lt', a.wasm, b.wasm), jsBackend.compare('lt', a.js, b.js), [50]), EXACT, 'lt int32');
  });
  it('in place (`into`): dst = op(dst, b) on both backends equals the out-of-place result; the rest of the storage is untouched', () => {
    let seed = 300;
    for (const dtype of [...FLOATS, 'int32'] as DType[]) {
      for (const op of ['add', 'sub', 'mul', 'div'] as BinaryOp[]) {
        if (dtype === 'int32' && op === 'div') continue;
        for (const shape of [[7], [3, 17], [129], [2, 3, 65]]) {
          for (const lb of LAYOUTS) {
            // dst: a contiguous view at offset 5 of a storage with 5 guard elements on each side.
            const n = sizeOf(shape);
            const r = uniform(-3, 3, seed++);
            const values = Array.from({ length: n + 10 }, () => (dtype === 'int32' ? Math.round(r() * 10) : r()));
            const b = pair(dtype, shape, lb, uniform(0.5, 3, seed++));
            const dst = (be: typeof jsBackend): View => ({ storage: be.fromArray(dtype, values), shape, strides: contiguous(shape), offset: 5 });
            const label = `${op}= ${dtype} ×${lb} [${shape}]`;
            const oracle = jsBackend.read({ storage: jsBackend.binary(op, dst(jsBackend), b.js, dtype), shape, strides: contiguous(shape), offset: 0 });
            for (const [be, other] of [[jsBackend, b.js], [wasmBackend, b.wasm]] as const) {
              const d = dst(be);
              expect(be.binary(op, d, other, dtype, d), label).toBe(d.storage);
              const all = be.read({ storage: d.storage, shape: [n + 10], strides: [1], offset: 0 });
              expect(Array.from(all.subarray(5, 5 + n)), `${label} on ${be.name}`).toEqual(Array.from(oracle));
              const guard = (a: ArrayLike<number>) => [...Array.from(a).slice(0, 5), ...Array.from(a).slice(n + 5)];
              expect(guard(all), `${label} on ${be.name}: guard elements`).toEqual(guard(be.read({ storage: be.fromArray(dtype, values), shape: [n + 10], strides: [1], offset: 0 })));
            }
          }
        }
      }
    }
  });
});

describe('copy and fill', () => {
  const DTYPES: DType[] = ['float32', 'float64', 'int32', 'bool'];
  for (const dtype of DTYPES) {
    it(`copy into strided destinations, ${dtype}`, () => {
      let seed = 20;
      for (const shape of SHAPES) {
        for (const ls of LAYOUTS) {
          for (const ld of ['contiguous', 'sliced', 'transposed'] as const) {
            const src = pair(dtype, shape, ls, uniform(-3, 3, seed++));
            const dst = pair(dtype, shape, ld, uniform(-3, 3, seed++));
            wasmBackend.copy(src.wasm, dst.wasm);
            jsBackend.copy(src.js, dst.js);
            // The whole destination storage, including the elements outside the view.
            const all = (v: typeof dst.js, be: typeof jsBackend) => be.read({ storage: v.storage, shape: [v.storage.length], strides: [1], offset: 0 });
            expectAgree(all(dst.wasm, wasmBackend), all(dst.js, jsBackend), EXACT, `copy ${ls}→${ld} [${shape}]`);
          }
        }
      }
    });
    it(`fill ${dtype}`, () => {
      for (const shape of SHAPES) {
        for (const layout of ['contiguous', 'sliced', 'transposed', 'offset'] as const) {
          const d = pair(dtype, shape, layout, uniform(-3, 3, 5));
          for (const value of [0, 2.7, -1, NaN]) {
            wasmBackend.fill(d.wasm, value);
            jsBackend.fill(d.js, value);
            const all = (v: typeof d.js, be: typeof jsBackend) => be.read({ storage: v.storage, shape: [v.storage.length], strides: [1], offset: 0 });
            expectAgree(all(d.wasm, wasmBackend), all(d.js, jsBackend), EXACT, `fill ${value} ${layout} [${shape}]`);
          }
        }
      }
    });
  }
  it('copy converts dtypes', () => {
    const pairs: [DType, DType][] = [['float32', 'float64'], ['float64', 'float32'], ['int32', 'float32'], ['float64', 'bool'], ['bool', 'int32'], ['float32', 'int32']];
    for (const [from, to] of pairs) {
      const src = pair(from, [3, 17], 'transposed', uniform(-3, 3, 8));
      const dst = pair(to, [3, 17], 'contiguous', uniform(0, 1, 9));
      wasmBackend.copy(src.wasm, dst.wasm);
      jsBackend.copy(src.js, dst.js);
      expectAgree(wasmBackend.read(dst.wasm), jsBackend.read(dst.js), EXACT, `${from}→${to}`);
    }
  });
  it('copy between overlapping views of one storage', () => {
    const values = Array.from({ length: 64 }, (_, i) => i);
    const w = whole(wasmBackend, 'float32', [64], values);
    const j = whole(jsBackend, 'float32', [64], values);
    const shifted = (v: typeof w) => ({ ...v, shape: [60], offset: 4 });
    const head = (v: typeof w) => ({ ...v, shape: [60] });
    wasmBackend.copy(head(w), shifted(w));
    jsBackend.copy(head(j), shifted(j));
    expectAgree(wasmBackend.read(w), jsBackend.read(j), EXACT, 'overlap');
  });
});

describe('reductions', () => {
  const ops: ReduceOp[] = ['sum', 'prod', 'max', 'min'];
  const shapes = [[4, 5, 17], [3, 65], [129], [2, 1, 40]];
  /** Every non-empty subset of the dims. */
  const subsets = (nd: number): number[][] => {
    const out: number[][] = [];
    for (let mask = 1; mask < 1 << nd; mask++) out.push([...Array(nd).keys()].filter((d) => mask & (1 << d)));
    return out;
  };
  for (const dtype of FLOATS) {
    for (const op of ops) {
      it(`${op} ${dtype}`, () => {
        // float32 sums accumulate in float64 on both backends; only the order differs.
        const tol: Tol = op === 'max' || op === 'min' ? EXACT : { rtol: dtype === 'float64' ? 1e-12 : 1e-6, atol: 1e-12 };
        let seed = 40;
        for (const shape of shapes) {
          for (const layout of LAYOUTS) {
            const x = pair(dtype, shape, layout, uniform(op === 'prod' ? 0.9 : -2, op === 'prod' ? 1.1 : 2, seed++));
            for (const dims of subsets(shape.length)) {
              const outShape = shape.map((d, i) => (dims.includes(i) ? 1 : d));
              const [w, j] = readBoth(wasmBackend.reduce(op, x.wasm, dims, dtype), jsBackend.reduce(op, x.js, dims, dtype), outShape);
              expectAgree(w, j, tol, `${op} ${dtype} ${layout} [${shape}] dims [${dims}]`);
            }
          }
        }
      });
    }
    it(`NaN propagates, empty dims give the identity (${dtype})`, () => {
      const values = Array.from({ length: 96 }, (_, i) => (i === 50 ? NaN : i));
      for (const op of ops) {
        const w = wasmBackend.reduce(op, whole(wasmBackend, dtype, [2, 48], values), [1], dtype);
        const j = jsBackend.reduce(op, whole(jsBackend, dtype, [2, 48], values), [1], dtype);
        expectAgree(...readBoth(w, j, [2, 1]), EXACT, `${op} NaN`);
        const we = wasmBackend.reduce(op, whole(wasmBackend, dtype, [40, 0], []), [1], dtype);
        const je = jsBackend.reduce(op, whole(jsBackend, dtype, [40, 0], []), [1], dtype);
        expectAgree(...readBoth(we, je, [40, 1]), EXACT, `${op} empty`);
      }
    });
  }
  it('bool and int32 reductions, argmax/argmin', () => {
    const b = pair('bool', [6, 20], 'sliced', uniform(-1, 1, 4));
    expectAgree(...readBoth(wasmBackend.reduce('sum', b.wasm, [1], 'int32'), jsBackend.reduce('sum', b.js, [1], 'int32'), [6, 1]), EXACT, 'sum bool');
    expectAgree(...readBoth(wasmBackend.reduce('max', b.wasm, [0, 1], 'bool'), jsBackend.reduce('max', b.js, [0, 1], 'bool'), [1, 1]), EXACT, 'any');
    const x = pair('float32', [7, 33], 'transposed', uniform(-1, 1, 5));
    for (const op of ['argmax', 'argmin'] as const) {
      for (const dim of [0, 1]) {
        const shape = dim === 0 ? [1, 33] : [7, 1];
        expectAgree(...readBoth(wasmBackend.argReduce(op, x.wasm, dim), jsBackend.argReduce(op, x.js, dim), shape), EXACT, `${op} ${dim}`);
      }
    }
  });
});

describe('matmul', () => {
  const SIZES = [1, 3, 7, 17, 65, 129];
  /** `[n, k]` in a layout: row-major, transposed (column-major) or sliced. */
  const operand = (dtype: DType, batch: number[], r: number, c: number, layout: 'contiguous' | 'transposed' | 'sliced', seed: number) => {
    const shape = [...batch, r, c];
    const p = pair(dtype, shape, layout, uniform(-1, 1, seed));
    return p;
  };
  /** float32 tolerance: relative to Σ|a||b| ≤ k for entries in [-1, 1]. */
  const tolFor = (dtype: DType, k: number): Tol => (dtype === 'float64' ? EXACT : { rtol: 1e-5, atol: 2e-6 * k });
  // float32 runs with relaxed SIMD (FMA, the default where the runtime has it) and without.
  const variants: [DType, boolean][] = [['float32', true], ['float32', false], ['float64', false]];
  for (const [dtype, fma] of variants) describe(`${dtype}${dtype === 'float32' ? (fma ? ', FMA' : ', no FMA') : ''}`, () => {
    beforeAll(() => {
      if (fma) expect(wasmInfo().relaxedAvailable, 'relaxed SIMD validates on this runtime').toBe(true);
      setWasmOptions({ relaxed: fma });
    });
    afterAll(() => setWasmOptions({ relaxed: true }));
    it(`sizes around the tiles, ${dtype}`, () => {
      let seed = 60;
      for (const n of SIZES) {
        for (const k of SIZES) {
          for (const m of SIZES) {
            const a = operand(dtype, [], n, k, 'contiguous', seed++);
            const b = operand(dtype, [], k, m, 'contiguous', seed++);
            const [w, j] = readBoth(wasmBackend.matmul(a.wasm, b.wasm, dtype), jsBackend.matmul(a.js, b.js, dtype), [n, m]);
            expectAgree(w, j, tolFor(dtype, k), `${n}×${k}×${m}`);
          }
        }
      }
    });
    it(`transposed and sliced operands, ${dtype}`, () => {
      let seed = 80;
      for (const la of ['contiguous', 'transposed', 'sliced'] as const) {
        for (const lb of ['contiguous', 'transposed', 'sliced'] as const) {
          for (const [n, k, m] of [[33, 17, 65], [5, 300, 9], [70, 260, 20]]) {
            const a = operand(dtype, [], n!, k!, la, seed++);
            const b = operand(dtype, [], k!, m!, lb, seed++);
            const [w, j] = readBoth(wasmBackend.matmul(a.wasm, b.wasm, dtype), jsBackend.matmul(a.js, b.js, dtype), [n!, m!]);
            expectAgree(w, j, tolFor(dtype, k!), `${la}×${lb} ${n}×${k}×${m}`);
          }
        }
      }
    });
    it(`blocking edges: k past KC, m past NC, ${dtype}`, () => {
      for (const [n, k, m] of [[9, 513, 11], [6, 40, 1100], [67, 257, 70]]) {
        const a = operand(dtype, [], n!, k!, 'contiguous', n!);
        const b = operand(dtype, [], k!, m!, 'transposed', m!);
        const [w, j] = readBoth(wasmBackend.matmul(a.wasm, b.wasm, dtype), jsBackend.matmul(a.js, b.js, dtype), [n!, m!]);
        expectAgree(w, j, tolFor(dtype, k!), `${n}×${k}×${m}`);
      }
    });
    it(`batched, with a broadcast batch dim, ${dtype}`, () => {
      const a = operand(dtype, [2, 3], 17, 20, 'contiguous', 1);
      const b = pair(dtype, [2, 3, 20, 9], 'broadcast', uniform(-1, 1, 2)); // batch dim 0 has stride 0
      const [w, j] = readBoth(wasmBackend.matmul(a.wasm, b.wasm, dtype), jsBackend.matmul(a.js, b.js, dtype), [2, 3, 17, 9]);
      expectAgree(w, j, tolFor(dtype, 20), 'batched');
      const many = operand(dtype, [12], 40, 8, 'sliced', 3);
      const rhs = operand(dtype, [12], 8, 50, 'transposed', 4);
      expectAgree(...readBoth(wasmBackend.matmul(many.wasm, rhs.wasm, dtype), jsBackend.matmul(many.js, rhs.js, dtype), [12, 40, 50]), tolFor(dtype, 8), 'batch 12');
    });
    it(`empty products, ${dtype}`, () => {
      for (const [n, k, m] of [[0, 5, 40], [40, 0, 40], [40, 5, 0]]) {
        const a = operand(dtype, [], n!, k!, 'contiguous', 1);
        const b = operand(dtype, [], k!, m!, 'contiguous', 2);
        const [w, j] = readBoth(wasmBackend.matmul(a.wasm, b.wasm, dtype), jsBackend.matmul(a.js, b.js, dtype), [n!, m!]);
        expectAgree(w, j, EXACT, `${n}×${k}×${m}`);
      }
    });
  });
  it('int32 matmul runs the js code', () => {
    const a = pair('int32', [9, 8], 'contiguous', uniform(-3, 3, 1));
    const b = pair('int32', [8, 7], 'transposed', uniform(-3, 3, 2));
    expectAgree(...readBoth(wasmBackend.matmul(a.wasm, b.wasm, 'int32'), jsBackend.matmul(a.js, b.js, 'int32'), [9, 7]), EXACT, 'int32');
  });
});

describe('indexing', () => {
  it('gather and scatterAdd', () => {
    const x = pair('float32', [6, 40], 'sliced', uniform(-1, 1, 1));
    const idxValues = Array.from({ length: 6 * 30 }, (_, i) => (i * 7) % 40);
    const iw = whole(wasmBackend, 'int32', [6, 30], idxValues);
    const ij = whole(jsBackend, 'int32', [6, 30], idxValues);
    expectAgree(...readBoth(wasmBackend.gather(x.wasm, 1, iw, 'float32'), jsBackend.gather(x.js, 1, ij, 'float32'), [6, 30]), EXACT, 'gather');
    const src = pair('float64', [6, 30], 'transposed', uniform(-1, 1, 2));
    const w = wasmBackend.scatterAdd([6, 40], 1, iw, src.wasm, 'float64');
    const j = jsBackend.scatterAdd([6, 40], 1, ij, src.js, 'float64');
    expectAgree(...readBoth(w, j, [6, 40]), EXACT, 'scatterAdd');
    expect(() => wasmBackend.gather(x.wasm, 1, whole(wasmBackend, 'int32', [6, 1], [0, 1, 2, 3, 4, 40]), 'float32')).toThrow('gather: index 40 is out of range for dim 1 of size 40');
  });
});

describe('scan and sort', () => {
  const shapes: number[][] = [[7], [3, 17], [2, 3, 65], [5, 1, 33]];
  for (const dtype of [...FLOATS, 'int32'] as DType[]) {
    it(`scans along every dim, both directions, ${dtype}`, () => {
      let seed = 300;
      for (const shape of shapes) {
        for (const layout of LAYOUTS) {
          const x = pair(dtype, shape, layout, uniform(-2, 2, seed++));
          for (let dim = 0; dim < shape.length; dim++) {
            for (const op of (dtype === 'int32' ? ['sum', 'prod'] : ['sum', 'prod', 'logsumexp']) as ScanOp[]) {
              for (const reverse of [false, true]) {
                const [w, j] = readBoth(wasmBackend.scan(op, x.wasm, dim, reverse, dtype), jsBackend.scan(op, x.js, dim, reverse, dtype), shape);
                expectAgree(w, j, EXACT, `${op} ${dtype} ${layout} [${shape}] dim ${dim}${reverse ? ' reversed' : ''}`);
              }
            }
          }
        }
      }
    });
    it(`sorts along every dim, both directions, with ties and NaN, ${dtype}`, () => {
      let seed = 400;
      for (const shape of shapes) {
        for (const layout of LAYOUTS) {
          const gen = uniform(-3, 3, seed++);
          // Few distinct values: many ties; NaN among the floats.
          const x = pair(dtype, shape, layout, () => { const v = Math.round(gen()); return dtype !== 'int32' && v === 3 ? NaN : v; });
          for (let dim = 0; dim < shape.length; dim++) {
            for (const descending of [false, true]) {
              const [w, j] = readBoth(wasmBackend.sort(x.wasm, dim, descending), jsBackend.sort(x.js, dim, descending), shape);
              expectAgree(w, j, EXACT, `sort ${dtype} ${layout} [${shape}] dim ${dim}${descending ? ' descending' : ''}`);
            }
          }
        }
      }
    });
  }
  it('the js kernels: stable ties, NaN last ascending and first descending, a running logsumexp past exp overflow', () => {
    const x = whole(jsBackend, 'float64', [6], [2, NaN, 1, 2, -Infinity, 1]);
    expect(Array.from(jsBackend.read({ ...x, storage: jsBackend.sort(x, 0, false) }))).toEqual([4, 2, 5, 0, 3, 1]);
    expect(Array.from(jsBackend.read({ ...x, storage: jsBackend.sort(x, 0, true) }))).toEqual([1, 0, 3, 2, 5, 4]);
    const l = whole(jsBackend, 'float64', [3], [1000, 1000, -Infinity]);
    const y = jsBackend.read({ ...l, storage: jsBackend.scan('logsumexp', l, 0, false, 'float64') });
    expect(Array.from(y)).toEqual([1000, 1000 + Math.LN2, 1000 + Math.LN2]);
    const r = jsBackend.read({ ...l, storage: jsBackend.scan('sum', whole(jsBackend, 'float64', [3], [1, 2, 3]), 0, true, 'float64') });
    expect(Array.from(r)).toEqual([6, 5, 3]);
  });
});

describe('im2col and col2im', () => {
  const cases = [
    { spatial: [9, 11], kernel: [3, 3], stride: [1, 1], padding: [0, 0], dilation: [1, 1] },
    { spatial: [10, 7], kernel: [3, 2], stride: [2, 1], padding: [1, 2], dilation: [1, 2] },
    { spatial: [8, 8], kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1] },
    { spatial: [6, 13], kernel: [5, 4], stride: [1, 3], padding: [2, 2], dilation: [2, 1] },
    { spatial: [30], kernel: [4], stride: [1], padding: [2], dilation: [1] },
    { spatial: [31], kernel: [3], stride: [3], padding: [1], dilation: [2] },
  ];
  const outOf = (s: number, k: number, st: number, p: number, d: number) => Math.floor((s + 2 * p - d * (k - 1) - 1) / st) + 1;
  for (const dtype of FLOATS) {
    for (const c of cases) {
      it(`${dtype} spatial [${c.spatial}] kernel [${c.kernel}] stride [${c.stride}] padding [${c.padding}] dilation [${c.dilation}]`, () => {
        const out = c.spatial.map((s, i) => outOf(s, c.kernel[i]!, c.stride[i]!, c.padding[i]!, c.dilation[i]!));
        const win = { ...c, out };
        for (const layout of ['contiguous', 'sliced', 'transposed'] as const) {
          const shape = [2, 3, ...c.spatial];
          const x = pair(dtype, shape, layout, uniform(-1, 1, 11));
          const colShape = [2, 3, ...c.kernel, ...out];
          const [w, j] = readBoth(wasmBackend.im2col(x.wasm, win, dtype), jsBackend.im2col(x.js, win, dtype), colShape);
          expectAgree(w, j, EXACT, `im2col ${layout}`);
          const cols = pair(dtype, colShape, layout, uniform(-1, 1, 12));
          const [w2, j2] = readBoth(wasmBackend.col2im(cols.wasm, c.spatial, win, dtype), jsBackend.col2im(cols.js, c.spatial, win, dtype), shape);
          // float64 sums in the js order; float32 accumulates in float32 (js: float64).
          expectAgree(w2, j2, dtype === 'float64' ? EXACT : { rtol: 1e-6, atol: 1e-6 }, `col2im ${layout}`);
        }
      });
    }
  }
});

describe('small and empty tensors', () => {
  it('0-d, one-element and empty views agree for every kernel family', () => {
    for (const shape of [[], [1], [0], [3, 0], [0, 40]]) {
      const a = pair('float32', shape, 'contiguous', uniform(-1, 1, 1));
      const b = pair('float32', shape, 'broadcast', uniform(-1, 1, 2));
      expectAgree(...readBoth(wasmBackend.binary('add', a.wasm, b.wasm, 'float32'), jsBackend.binary('add', a.js, b.js, 'float32'), shape), EXACT, `add [${shape}]`);
      expectAgree(...readBoth(wasmBackend.unary('exp', a.wasm, 'float32'), jsBackend.unary('exp', a.js, 'float32'), shape), EXACT, `exp [${shape}]`);
      expect(sizeOf(shape) === 0 ? wasmBackend.read(a.wasm).length : 1).toBe(sizeOf(shape) === 0 ? 0 : 1);
    }
    expect(Array.from(wasmBackend.read(whole(wasmBackend, 'float64', [0], [])))).toEqual([]);
    expect(wasmBackend.alloc('float32', 0).length).toBe(0);
    const z = wasmBackend.alloc('float64', 1000);
    expect(wasmBackend.read({ storage: z, shape: [1000], strides: [1], offset: 0 }).every((v) => v === 0)).toBe(true);
    expect(contiguous([2, 3])).toEqual([3, 1]);
  });
});

describe('unary and matmul into `out`', () => {
  const UNARY_OPS: UnaryOp[] = ['neg', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'abs', 'log1p', 'expm1', 'erf', 'sign', 'isnan', 'asin', 'acos', 'atan', 'floor', 'ceil', 'round', 'trunc'];
  const bytes = (a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  /** `run(out)` into a contiguous view at offset 5 of a storage with 5 guard elements each side: the bytes of `run()`, the guards untouched. */
  const expectInto = (be: typeof jsBackend, dtype: DType, shape: number[], run: (out?: View) => Storage, label: string) => {
    const n = sizeOf(shape);
    const fresh = be.read({ storage: run(), shape: [n], strides: [1], offset: 0 });
    const values = Array.from({ length: n + 10 }, (_, i) => (dtype === 'bool' ? i % 2 : 1000 + i));
    const out: View = { storage: be.fromArray(dtype, values), shape, strides: contiguous(shape), offset: 5 };
    expect(run(out), label).toBe(out.storage);
    const all = be.read({ storage: out.storage, shape: [n + 10], strides: [1], offset: 0 });
    expect(bytes(all.subarray(5, 5 + n)), `${label} on ${be.name}: bit for bit`).toEqual(bytes(fresh));
    expect([...Array.from(all.subarray(0, 5)), ...Array.from(all.subarray(n + 5))], `${label} on ${be.name}: guards`).toEqual([...values.slice(0, 5), ...values.slice(n + 5)]);
  };
  afterAll(() => setWasmOptions({ elementwiseThreadMin: 1 << 15, threadMinFlops: 2 * 64 ** 3, relaxed: true }));

  it('unary: every op and float dtype, every path (js, JS twins, tanhContiguous, SIMD, threads), bit for bit', () => {
    let seed = 700;
    for (const threadMin of [1 << 15, 64]) {
      setWasmOptions({ elementwiseThreadMin: threadMin });
      for (const dtype of FLOATS) {
        for (const op of UNARY_OPS) {
          for (const shape of [[7], [3, 17], [129], [2, 3, 65]]) {
            for (const layout of ['contiguous', 'offset', 'transposed', 'sliced'] as const) {
              const x = pair(dtype, shape, layout, uniform(op === 'acos' || op === 'asin' ? -1 : -4, op === 'acos' || op === 'asin' ? 1 : 4, seed++));
              const to = op === 'isnan' ? 'bool' : dtype;
              const label = `${op} ${dtype} ${layout} [${shape}]`;
              expectInto(jsBackend, to, shape, (out) => jsBackend.unary(op, x.js, to, out), label);
              expectInto(wasmBackend, to, shape, (out) => wasmBackend.unary(op, x.wasm, to, out), label);
            }
          }
        }
      }
    }
  });

  it('matmul: small (js code), GEMM, batched/broadcast/transposed/sliced, threads, k = 0, with and without FMA, bit for bit', () => {
    let seed = 800;
    const cases: [number[], number[], Layout, Layout][] = [
      [[3, 4], [4, 5], 'contiguous', 'contiguous'], [[33, 17], [17, 65], 'transposed', 'sliced'], [[5, 300], [300, 9], 'sliced', 'transposed'],
      [[70, 260], [260, 20], 'contiguous', 'transposed'], [[2, 3, 17, 20], [2, 3, 20, 9], 'contiguous', 'broadcast'],
      [[12, 40, 8], [12, 8, 50], 'sliced', 'transposed'], [[40, 0], [0, 40], 'contiguous', 'contiguous'],
    ];
    for (const [relaxed, threadMinFlops] of [[true, 2 * 64 ** 3], [false, 2 * 64 ** 3], [true, 1000]] as const) {
      setWasmOptions({ relaxed, threadMinFlops });
      for (const dtype of FLOATS) {
        for (const [sa, sb, la, lb] of cases) {
          const a = pair(dtype, sa, la, uniform(-1, 1, seed++));
          const b = pair(dtype, sb, lb, uniform(-1, 1, seed++));
          const shape = [...sa.slice(0, -1), sb.at(-1)!];
          const label = `matmul ${dtype} ${la}×${lb} [${sa}]@[${sb}] relaxed ${relaxed}`;
          expectInto(jsBackend, dtype, shape, (out) => jsBackend.matmul(a.js, b.js, dtype, out), label);
          expectInto(wasmBackend, dtype, shape, (out) => wasmBackend.matmul(a.wasm, b.wasm, dtype, out), label);
        }
      }
    }
  });
});
