// The webgpu backend against the js oracle: every kernel on random inputs in every layout
// the frontend produces, on the real WebGPU API (SwiftShader where there is no GPU).
import { describe, expect, it } from 'vitest';
import { DTypeError, DeviceError, RangeArgError } from '../../src/errors.js';
import type { BinaryOp, CompareOp, DType, ReduceOp, ScanOp, Storage, TypedArray, UnaryOp, View, Window } from '../../src/backend/types.js';
import { flushWebGPU, setWebGPUOptions, webgpuMemory, webgpuProfile } from '../../src/backend/webgpu/index.js';
import { Params, grid } from '../../src/backend/webgpu/kernels/strided.js';
import { gpu as device } from '../../src/backend/webgpu/device.js';
import { dispatch } from '../../src/backend/webgpu/encoder.js';
import type { GpuStorage } from '../../src/backend/webgpu/memory.js';
import { ENTRY_ARGS, flatIndex, paramsDecl } from '../../src/backend/webgpu/wgsl.js';
import { LAYOUTS, contiguous, rng, sizeOf } from './helpers.js';
import { expectClose, expectSame, gpu, gpuPair, js, rowMajor, setupWebGPU, type GpuTol } from './webgpu-helpers.js';

const skip = await setupWebGPU();

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-3, -1e-3, 20, -20, 90, -90];
/** Uniform in [-3, 3), with a special value every 7th draw. */
function values(seed: number): () => number {
  const r = rng(seed);
  let i = 0;
  return () => (++i % 7 === 0 ? SPECIAL[(i / 7) % SPECIAL.length]! : r() * 6 - 3);
}

// Transcendentals: within ~2e-6 relative / 1e-6 absolute of js's float64 results rounded to float32
// (the GPU computes in float32: argument reduction and polynomials, a few ulp).
const TRANSCENDENTAL: GpuTol = { ulps: 4, rtol: 2e-6, atol: 1e-6 };
// Arithmetic: the same float32 rounding, within 1 ulp where the GPU rounds differently (division).
const ARITH: GpuTol = { ulps: 1 };
const EXACT: GpuTol = {};

describe.skipIf(skip !== null)('webgpu backend', () => {
  describe('unary', () => {
    const ops: UnaryOp[] = ['neg', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'abs', 'log1p', 'expm1', 'erf', 'sign', 'isnan'];
    for (const op of ops) {
      it(`${op} float32 in every layout, with NaN and ±Inf`, async () => {
        const tol = ['neg', 'abs', 'sign', 'isnan', 'sqrt'].includes(op) ? EXACT : TRANSCENDENTAL;
        const out: DType = op === 'isnan' ? 'bool' : 'float32';
        for (const layout of LAYOUTS) {
          const p = gpuPair('float32', [3, 37], layout, values(op.length * 31 + layout.length));
          await expectSame(gpu.unary(op, p.gpu, out), js.unary(op, p.js, out), [3, 37], tol, `${op} ${layout}`);
        }
      });
    }

    it('large |x|: tanh and sigmoid saturate instead of NaN, exp overflows to Inf', async () => {
      const xs = [-1e4, -200, -89, -50, 50, 89, 200, 1e4, 1e-30, -1e-30];
      for (const op of ['tanh', 'sigmoid', 'exp', 'expm1', 'erf'] as UnaryOp[]) {
        const g = gpu.unary(op, rowMajor(gpu.fromArray('float32', xs), [xs.length]), 'float32');
        const j = js.unary(op, rowMajor(js.fromArray('float32', xs), [xs.length]), 'float32');
        await expectSame(g, j, [xs.length], TRANSCENDENTAL, op);
      }
    });

    it('int32 and bool inputs: neg/abs/sign stay int32, others compute in float32', async () => {
      for (const [op, inT, outT] of [['neg', 'int32', 'int32'], ['abs', 'int32', 'int32'], ['sign', 'int32', 'int32'], ['exp', 'int32', 'float32'], ['isnan', 'int32', 'bool'], ['neg', 'bool', 'int32'], ['sqrt', 'bool', 'float32']] as [UnaryOp, DType, DType][]) {
        const p = gpuPair(inT, [4, 5], 'transposed', values(3));
        await expectSame(gpu.unary(op, p.gpu, outT), js.unary(op, p.js, outT), [4, 5], TRANSCENDENTAL, `${op} ${inT}`);
      }
      // INT_MIN wraps like JS's ToInt32.
      const m = rowMajor(gpu.fromArray('int32', [-2147483648, 2147483647, -5]), [3]);
      expect(Array.from(await gpu.readAsync(rowMajor(gpu.unary('neg', m, 'int32'), [3])))).toEqual([-2147483648, -2147483647, 5]);
    });
  });

  describe('binary', () => {
    const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum'];
    for (const op of ops) {
      it(`${op} float32 over every layout pair and broadcast operands`, async () => {
        const tol = op === 'pow' ? TRANSCENDENTAL : ARITH;
        for (const la of LAYOUTS) {
          const a = gpuPair('float32', [4, 9], la, values(7 + la.length));
          const b = gpuPair('float32', [4, 9], LAYOUTS[(LAYOUTS.indexOf(la) + 2) % LAYOUTS.length]!, values(11));
          await expectSame(gpu.binary(op, a.gpu, b.gpu, 'float32'), js.binary(op, a.js, b.js, 'float32'), [4, 9], tol, `${op} ${la}`);
        }
        // A 0-d scalar broadcast (all strides 0).
        const s = gpuPair('float32', [], 'contiguous', () => 1.5);
        const x = gpuPair('float32', [5, 3], 'sliced', values(5));
        const sv = (v: View): View => ({ ...v, shape: [5, 3], strides: [0, 0] });
        await expectSame(gpu.binary(op, x.gpu, sv(s.gpu), 'float32'), js.binary(op, x.js, sv(s.js), 'float32'), [5, 3], tol, `${op} scalar`);
      });
    }

    it('pow: negative bases with integer exponents, 0 and ±Inf, NaN rules of Math.pow', async () => {
      const bases = [-2, -2, -2, -0.5, -3, 0, -0, 0, -0, Infinity, -Infinity, -Infinity, 1, 1, NaN, -1, 2, 2, -8];
      const exps = [2, 3, -3, 4, 0.5, -1, -1, 2, 3, -2, 3, 2, NaN, Infinity, 0, Infinity, 10, -126, 1 / 3];
      const g = gpu.binary('pow', rowMajor(gpu.fromArray('float32', bases), [19]), rowMajor(gpu.fromArray('float32', exps), [19]), 'float32');
      const j = js.binary('pow', rowMajor(js.fromArray('float32', bases), [19]), rowMajor(js.fromArray('float32', exps), [19]), 'float32');
      await expectSame(g, j, [19], TRANSCENDENTAL, 'pow specials');
    });

    it('int32: wrapping, division truncates (x / 0 → 0), integer pow', async () => {
      const a = [7, -7, 5, 0, -2147483648, 2147483647, 3, -2, 1, -1, 2, 46341];
      const b = [2, 2, 0, 0, -1, 1, 20, 3, -5, -3, -1, 46341];
      for (const op of ops) {
        const g = gpu.binary(op, rowMajor(gpu.fromArray('int32', a), [12]), rowMajor(gpu.fromArray('int32', b), [12]), 'int32');
        const j = js.binary(op, rowMajor(js.fromArray('int32', a), [12]), rowMajor(js.fromArray('int32', b), [12]), 'int32');
        await expectSame(g, j, [12], EXACT, `int32 ${op}`);
      }
    });

    it('mixed dtypes: int32 with float32, bool with int32', async () => {
      const a = gpuPair('int32', [3, 4], 'offset', values(1));
      const b = gpuPair('float32', [3, 4], 'transposed', values(2));
      const c = gpuPair('bool', [3, 4], 'broadcast', values(3));
      await expectSame(gpu.binary('mul', a.gpu, b.gpu, 'float32'), js.binary('mul', a.js, b.js, 'float32'), [3, 4], ARITH, 'int*float');
      await expectSame(gpu.binary('add', c.gpu, a.gpu, 'int32'), js.binary('add', c.js, a.js, 'int32'), [3, 4], EXACT, 'bool+int');
      await expectSame(gpu.binary('div', b.gpu, b.gpu, 'int32'), js.binary('div', b.js, b.js, 'int32'), [3, 4], EXACT, 'float→int32 store');
    });

    it('in place: out is a, or b, or a fresh offset view', async () => {
      for (const which of ['a', 'b'] as const) {
        const x = gpuPair('float32', [6, 5], 'contiguous', values(9));
        const y = gpuPair('float32', [6, 5], 'transposed', values(10));
        const outG = which === 'a' ? x.gpu : y.gpu;
        const [ja, jb] = [js.read(x.js), js.read(y.js)];
        const r = gpu.binary('sub', x.gpu, which === 'b' ? { ...y.gpu, strides: contiguous([6, 5]) } : y.gpu, 'float32', which === 'a' ? outG : { ...y.gpu, strides: contiguous([6, 5]) });
        expect(r).toBe(outG.storage);
        const bj = which === 'b' ? js.read({ ...y.js, strides: contiguous([6, 5]) }) : jb;
        const expected = Float32Array.from(ja, (v, i) => v - bj[i]!);
        expectClose(await gpu.readAsync(which === 'a' ? x.gpu : { ...y.gpu, strides: contiguous([6, 5]) }), expected, ARITH, `in place ${which}`);
      }
      // Into an offset view of a bigger storage.
      const big = gpu.fromArray('float32', Array.from({ length: 20 }, (_, i) => i));
      const a = rowMajor(gpu.fromArray('float32', [1, 2, 3, 4]), [4]);
      gpu.binary('mul', a, a, 'float32', { storage: big, shape: [4], strides: [1], offset: 10 });
      expect(Array.from(await gpu.readAsync(rowMajor(big, [20])))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 4, 9, 16, 14, 15, 16, 17, 18, 19]);
    });
  });

  it('compare: every op over float32 (NaN, ±0), int32 and bool', async () => {
    const ops: CompareOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];
    const fa = [NaN, 1, NaN, 0, -0, Infinity, 2, -1];
    const fb = [NaN, NaN, 1, -0, 0, Infinity, 1, 3];
    for (const op of ops) {
      const g = gpu.compare(op, rowMajor(gpu.fromArray('float32', fa), [8]), rowMajor(gpu.fromArray('float32', fb), [8]));
      const j = js.compare(op, rowMajor(js.fromArray('float32', fa), [8]), rowMajor(js.fromArray('float32', fb), [8]));
      await expectSame(g, j, [8], EXACT, `compare ${op} specials`);
      for (const dt of ['int32', 'bool', 'float32'] as DType[]) {
        const a = gpuPair(dt, [3, 7], 'sliced', values(4));
        const b = gpuPair(dt, [3, 7], 'broadcast', values(4));
        await expectSame(gpu.compare(op, a.gpu, b.gpu), js.compare(op, a.js, b.js), [3, 7], EXACT, `compare ${op} ${dt}`);
      }
    }
  });

  it('where: bool/float/int conditions, dtype conversions', async () => {
    for (const [ct, vt, out] of [['bool', 'float32', 'float32'], ['float32', 'int32', 'int32'], ['int32', 'float32', 'int32'], ['bool', 'int32', 'float32']] as DType[][]) {
      const c = gpuPair(ct!, [4, 6], 'transposed', values(12));
      const a = gpuPair(vt!, [4, 6], 'contiguous', values(13));
      const b = gpuPair(vt!, [4, 6], 'broadcast', values(14));
      await expectSame(gpu.where(c.gpu, a.gpu, b.gpu, out!), js.where(c.js, a.js, b.js, out!), [4, 6], EXACT, `where ${ct} ${vt} ${out}`);
    }
  });

  describe('reduce', () => {
    const ops: ReduceOp[] = ['sum', 'prod', 'max', 'min'];
    const dimSets = [[0], [1], [2], [0, 2], [1, 2], [0, 1, 2], []];
    for (const op of ops) {
      it(`${op} over several dim sets, layouts and dtypes`, async () => {
        const checks: Promise<void>[] = [];
        for (const dims of dimSets) {
          for (const layout of ['contiguous', 'transposed', 'sliced', 'broadcast'] as const) {
            for (const [dt, out] of [['float32', 'float32'], ['int32', 'int32'], ['bool', 'int32']] as DType[][]) {
              // Products stay far from overflow: int32 factors 1 or 2 (js rounds products past 2^53, the GPU wraps).
              const r = rng(dims.length + 5);
              const gen = op !== 'prod' ? (dt === 'float32' ? () => r() * 4 - 2 : values(21)) : dt === 'float32' ? () => 0.6 + r() * 0.8 : () => 0.05 + r() * 0.15;
              const p = gpuPair(dt!, [3, 5, 4], layout, gen);
              const shape = [3, 5, 4].map((d, i) => (dims.includes(i) ? 1 : d));
              // float32: a tree of float32 sums/products against js's float64 accumulation rounded once.
              checks.push(expectSame(gpu.reduce(op, p.gpu, dims, out!), js.reduce(op, p.js, dims, out!), shape, { rtol: 3e-6, atol: 1e-6 }, `${op} [${dims}] ${layout} ${dt}`));
            }
          }
        }
        await Promise.all(checks);
      });
    }

    it('NaN propagates through max/min/sum, and empty reductions give the js values', async () => {
      const x = rowMajor(gpu.fromArray('float32', [1, NaN, 3, 4, 5, 6]), [2, 3]);
      const jx = rowMajor(js.fromArray('float32', [1, NaN, 3, 4, 5, 6]), [2, 3]);
      for (const op of ops) await expectSame(gpu.reduce(op, x, [1], 'float32'), js.reduce(op, jx, [1], 'float32'), [2, 1], EXACT, `${op} NaN`);
      const e = rowMajor(gpu.alloc('float32', 0), [2, 0]);
      const je = rowMajor(js.alloc('float32', 0), [2, 0]);
      for (const op of ops) {
        for (const dt of ['float32', 'int32', 'bool'] as DType[]) await expectSame(gpu.reduce(op, e, [1], dt), js.reduce(op, je, [1], dt), [2, 1], EXACT, `${op} empty ${dt}`);
      }
    });

    it('a float32 sum of 10^6 elements is accurate (tree reduction), and long rows/columns agree', async () => {
      const r = rng(99);
      const data = Float32Array.from({ length: 1_000_000 }, () => r());
      const g = gpu.reduce('sum', rowMajor(gpu.fromArray('float32', data), [1_000_000]), [0], 'float32');
      const exact = data.reduce((a, b) => a + b, 0);
      const got = (await gpu.readAsync(rowMajor(g, [1])))[0]!;
      expect(Math.abs(got - exact) / exact).toBeLessThan(2e-7);
      // Columns of a [5000, 3] matrix and rows of [3, 5000].
      const m = gpu.fromArray('float32', data.subarray(0, 15000));
      const jm = js.fromArray('float32', data.subarray(0, 15000));
      await expectSame(gpu.reduce('sum', rowMajor(m, [5000, 3]), [0], 'float32'), js.reduce('sum', rowMajor(jm, [5000, 3]), [0], 'float32'), [1, 3], { rtol: 1e-6 }, 'columns');
      await expectSame(gpu.reduce('max', rowMajor(m, [3, 5000]), [1], 'float32'), js.reduce('max', rowMajor(jm, [3, 5000]), [1], 'float32'), [3, 1], EXACT, 'rows');
    });
  });

  describe('asin acos atan, the roundings, atan2 remainder fmod, scans and sort', () => {
    const unit = (seed: number): (() => number) => {
      const r = rng(seed);
      return () => r() * 2 - 1;
    };
    for (const op of ['asin', 'acos', 'atan', 'floor', 'ceil', 'round', 'trunc'] as UnaryOp[]) {
      it(`${op} float32 in every layout, with NaN, ±Inf, ±0 and halves`, async () => {
        const rounding = ['floor', 'ceil', 'round', 'trunc'].includes(op);
        for (const layout of LAYOUTS) {
          // asin/acos inside [-1, 1] (the rest is NaN); the roundings on halves too (ties to even).
          const gen = op === 'asin' || op === 'acos' ? unit(op.length + layout.length) : values(op.length * 13 + layout.length);
          const p = gpuPair('float32', [3, 37], layout, rounding && layout === 'sliced' ? () => Math.round(gen() * 8) / 2 : gen);
          await expectSame(gpu.unary(op, p.gpu, 'float32'), js.unary(op, p.js, 'float32'), [3, 37], rounding ? EXACT : TRANSCENDENTAL, `${op} ${layout}`);
        }
        const xs = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 1e-30, 3e7, 1.0000001];
        const x = (be: typeof gpu | typeof js) => rowMajor(be.fromArray('float32', xs), [xs.length]);
        await expectSame(gpu.unary(op, x(gpu), 'float32'), js.unary(op, x(js), 'float32'), [xs.length], rounding ? EXACT : TRANSCENDENTAL, `${op} specials`);
      });
    }
    for (const op of ['atan2', 'remainder', 'fmod'] as BinaryOp[]) {
      it(`${op} float32 and int32 over layouts, signs and special values`, async () => {
        const tol = op === 'atan2' ? TRANSCENDENTAL : ARITH;
        for (const la of LAYOUTS) {
          const a = gpuPair('float32', [4, 9], la, values(17 + la.length));
          const b = gpuPair('float32', [4, 9], LAYOUTS[(LAYOUTS.indexOf(la) + 1) % LAYOUTS.length]!, values(5));
          await expectSame(gpu.binary(op, a.gpu, b.gpu, 'float32'), js.binary(op, a.js, b.js, 'float32'), [4, 9], tol, `${op} ${la}`);
        }
        const av = [0, -0, 0, -0, 5, -5, 5, -5, Infinity, -Infinity, 3, -3, 7.5, 1e6, 1, NaN];
        const bv = [0, 0, -0, -0, 3, 3, -3, -3, 1, -Infinity, Infinity, -Infinity, 0.25, 0.3, NaN, 1];
        const v = (be: typeof gpu | typeof js, xs: number[], d: DType) => rowMajor(be.fromArray(d, xs), [xs.length]);
        await expectSame(gpu.binary(op, v(gpu, av, 'float32'), v(gpu, bv, 'float32'), 'float32'), js.binary(op, v(js, av, 'float32'), v(js, bv, 'float32'), 'float32'), [16], tol, `${op} specials`);
        if (op === 'atan2') return;
        const ai = [7, -7, 7, -7, 0, 5, -2147483648, 9];
        const bi = [3, 3, -3, -3, 4, 0, -1, 9];
        await expectSame(gpu.binary(op, v(gpu, ai, 'int32'), v(gpu, bi, 'int32'), 'int32'), js.binary(op, v(js, ai, 'int32'), v(js, bi, 'int32'), 'int32'), [8], EXACT, `${op} int32`);
      });
    }
    it('scans (sum, prod, logsumexp) along every dim, both directions, every layout and dtype', async () => {
      for (const [shape, layouts] of [[[3, 37], LAYOUTS], [[2, 3, 5], ['contiguous', 'transposed']], [[1, 300], ['contiguous']]] as [number[], typeof LAYOUTS][]) {
        for (const layout of layouts) {
          for (const dt of ['float32', 'int32', 'bool'] as DType[]) {
            const r = rng(shape.length * 7 + layout.length);
            const p = gpuPair(dt, shape, layout, dt === 'float32' ? unit(shape.length + layout.length) : () => Math.round(r() * 4 - 2));
            const out: DType = dt === 'bool' ? 'int32' : dt;
            for (const op of (dt === 'float32' ? ['sum', 'prod', 'logsumexp'] : ['sum', 'prod']) as ScanOp[]) {
              for (let dim = 0; dim < shape.length; dim++) {
                for (const reverse of [false, true]) {
                  const tol = dt !== 'float32' ? EXACT : op === 'logsumexp' ? TRANSCENDENTAL : { rtol: 1e-5, atol: 1e-6 };
                  await expectSame(gpu.scan(op, p.gpu, dim, reverse, out), js.scan(op, p.js, dim, reverse, out), shape, tol, `${op} ${dt} ${layout} [${shape}] dim ${dim}${reverse ? ' reversed' : ''}`);
                }
              }
            }
          }
        }
      }
      const xs = [-Infinity, -Infinity, 1, Infinity, 2, NaN, 3];
      const x = (be: typeof gpu | typeof js) => rowMajor(be.fromArray('float32', xs), [xs.length]);
      await expectSame(gpu.scan('logsumexp', x(gpu), 0, false, 'float32'), js.scan('logsumexp', x(js), 0, false, 'float32'), [xs.length], TRANSCENDENTAL, 'logsumexp specials');
      const ys = [1, Infinity, 2, -1, 3];
      const y = (be: typeof gpu | typeof js) => rowMajor(be.fromArray('float32', ys), [ys.length]);
      await expectSame(gpu.scan('sum', y(gpu), 0, false, 'float32'), js.scan('sum', y(js), 0, false, 'float32'), [ys.length], EXACT, 'sum past an infinity');
    });
    it('sort: stable ties both ways, NaN largest, every dim, layout and dtype, rows of 1 to 1000', async () => {
      const few = (seed: number, nan: boolean): (() => number) => {
        const r = rng(seed);
        return () => {
          const v = Math.floor(r() * 7) - 3;
          return nan && v === 3 ? NaN : v === -3 && nan ? -Infinity : v;
        };
      };
      for (const [shape, layouts] of [[[5, 9], LAYOUTS], [[2, 3, 4], ['contiguous', 'transposed']], [[3, 1], ['contiguous']], [[2, 1000], ['contiguous']]] as [number[], typeof LAYOUTS][]) {
        for (const layout of layouts) {
          for (const dt of ['float32', 'int32', 'bool'] as DType[]) {
            const p = gpuPair(dt, shape, layout, shape[1] === 1000 && dt === 'float32' ? values(3) : few(shape.length + layout.length, dt === 'float32'));
            for (let dim = 0; dim < shape.length; dim++) {
              for (const descending of [false, true]) {
                await expectSame(gpu.sort(p.gpu, dim, descending), js.sort(p.js, dim, descending), shape, EXACT, `sort ${dt} ${layout} [${shape}] dim ${dim}${descending ? ' descending' : ''}`);
              }
            }
          }
        }
      }
    });
  });

  it('argReduce: first index on ties, NaN wins, every dim and dtype', async () => {
    const xs = [1, 3, 3, 0, NaN, 2, NaN, 5, -1, -1, 7, 7];
    for (const op of ['argmax', 'argmin'] as const) {
      for (const [shape, dim] of [[[12], 0], [[3, 4], 1], [[3, 4], 0], [[2, 3, 2], 1]] as [number[], number][]) {
        const g = gpu.argReduce(op, rowMajor(gpu.fromArray('float32', xs), shape), dim);
        const j = js.argReduce(op, rowMajor(js.fromArray('float32', xs), shape), dim);
        await expectSame(g, j, shape.map((d, i) => (i === dim ? 1 : d)), EXACT, `${op} [${shape}] dim ${dim}`);
      }
      for (const dt of ['int32', 'bool', 'float32'] as DType[]) {
        const p = gpuPair(dt, [70, 5], 'transposed', values(8));
        await expectSame(gpu.argReduce(op, p.gpu, 0), js.argReduce(op, p.js, 0), [1, 5], EXACT, `${op} ${dt}`);
      }
    }
  });

  it('matmul: transposed operands, broadcast batch, int32, k = 0', async () => {
    const a = gpuPair('float32', [2, 3, 5, 4], 'transposed', values(30));
    const b = gpuPair('float32', [2, 3, 4, 6], 'sliced', values(31));
    const tol = { rtol: 1e-5, atol: 1e-5 };
    await expectSame(gpu.matmul(a.gpu, b.gpu, 'float32'), js.matmul(a.js, b.js, 'float32'), [2, 3, 5, 6], tol, 'batched strided');
    const w = gpuPair('float32', [4, 6], 'contiguous', values(32));
    const bw = (v: View): View => ({ ...v, shape: [2, 3, 4, 6], strides: [0, 0, 6, 1] });
    const ac = gpuPair('float32', [2, 3, 5, 4], 'contiguous', values(33));
    await expectSame(gpu.matmul(ac.gpu, bw(w.gpu), 'float32'), js.matmul(ac.js, bw(w.js), 'float32'), [2, 3, 5, 6], tol, 'broadcast batch');
    const ia = gpuPair('int32', [3, 4], 'offset', values(34));
    const ib = gpuPair('int32', [4, 2], 'transposed', values(35));
    await expectSame(gpu.matmul(ia.gpu, ib.gpu, 'int32'), js.matmul(ia.js, ib.js, 'int32'), [3, 2], EXACT, 'int32');
    const z = { storage: gpu.alloc('float32', 0), shape: [3, 0], strides: [0, 1], offset: 0 };
    const zb = { storage: gpu.alloc('float32', 0), shape: [0, 2], strides: [2, 1], offset: 0 };
    expect(Array.from(await gpu.readAsync(rowMajor(gpu.matmul(z, zb, 'float32'), [3, 2])))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('gather and scatterAdd against js (in-range indices); out-of-range gather reads 0', async () => {
    const x = gpuPair('float32', [4, 5], 'transposed', values(40));
    const r = rng(41);
    const idx = Array.from({ length: 4 * 3 }, () => Math.floor(r() * 5));
    for (const dim of [0, 1]) {
      const ish = dim === 1 ? [4, 3] : [3, 5];
      const data = dim === 1 ? idx : Array.from({ length: 15 }, () => Math.floor(r() * 4));
      const gi = rowMajor(gpu.fromArray('int32', data), ish);
      const ji = rowMajor(js.fromArray('int32', data), ish);
      await expectSame(gpu.gather(x.gpu, dim, gi, 'float32'), js.gather(x.js, dim, ji, 'float32'), ish, EXACT, `gather dim ${dim}`);
      const src = gpuPair('float32', ish, 'sliced', values(42));
      await expectSame(gpu.scatterAdd([4, 5], dim, gi, src.gpu, 'float32'), js.scatterAdd([4, 5], dim, ji, src.js, 'float32'), [4, 5], { rtol: 1e-6, atol: 1e-6 }, `scatterAdd dim ${dim}`);
      const isrc = gpuPair('int32', ish, 'offset', values(43));
      await expectSame(gpu.scatterAdd([4, 5], dim, gi, isrc.gpu, 'int32'), js.scatterAdd([4, 5], dim, ji, isrc.js, 'int32'), [4, 5], EXACT, `scatterAdd int32 dim ${dim}`);
    }
    // A smaller index along the other dims (scatter into a part of the output).
    const gi = rowMajor(gpu.fromArray('int32', [1, 0, 3]), [3, 1]);
    const ji = rowMajor(js.fromArray('int32', [1, 0, 3]), [3, 1]);
    const s = gpuPair('float32', [3, 1], 'contiguous', values(44));
    await expectSame(gpu.scatterAdd([4, 5], 1, gi, s.gpu, 'float32'), js.scatterAdd([4, 5], 1, ji, s.js, 'float32'), [4, 5], EXACT, 'partial scatter');
    // Out of range: js throws, webgpu reads 0 (documented).
    const bad = rowMajor(gpu.fromArray('int32', [0, 7, -1]), [1, 3]);
    expect(() => js.gather(rowMajor(js.fromArray('float32', [1, 2, 3]), [1, 3]), 1, rowMajor(js.fromArray('int32', [0, 7, -1]), [1, 3]), 'float32')).toThrow(RangeArgError);
    expect(Array.from(await gpu.readAsync(rowMajor(gpu.gather(rowMajor(gpu.fromArray('float32', [1, 2, 3]), [1, 3]), 1, bad, 'float32'), [1, 3])))).toEqual([1, 0, 0]);
  });

  it('im2col and col2im with stride, padding and dilation, 1-d and 2-d', async () => {
    const wins: [number[], Window][] = [
      [[2, 3, 7, 6], { kernel: [3, 2], stride: [2, 1], padding: [1, 0], dilation: [1, 2], out: [4, 3] }],
      [[1, 2, 5, 5], { kernel: [2, 2], stride: [1, 1], padding: [1, 1], dilation: [1, 1], out: [6, 6] }],
      [[2, 2, 9], { kernel: [3], stride: [2], padding: [2], dilation: [2], out: [5] }],
    ];
    for (const [shape, w] of wins) {
      const x = gpuPair('float32', shape, 'transposed', values(50));
      const colShape = [shape[0]!, shape[1]!, ...w.kernel, ...w.out];
      await expectSame(gpu.im2col(x.gpu, w, 'float32'), js.im2col(x.js, w, 'float32'), colShape, EXACT, `im2col [${shape}]`);
      const c = gpuPair('float32', colShape, 'sliced', values(51));
      await expectSame(gpu.col2im(c.gpu, shape.slice(2), w, 'float32'), js.col2im(c.js, shape.slice(2), w, 'float32'), shape, { rtol: 1e-6, atol: 1e-6 }, `col2im [${shape}]`);
    }
    const ix = gpuPair('int32', [1, 1, 4, 4], 'contiguous', values(52));
    const w: Window = { kernel: [2, 2], stride: [2, 2], padding: [0, 0], dilation: [1, 1], out: [2, 2] };
    await expectSame(gpu.im2col(ix.gpu, w, 'float32'), js.im2col(ix.js, w, 'float32'), [1, 1, 2, 2, 2, 2], EXACT, 'im2col int32 → float32');
    expect(() => gpu.im2col(ix.gpu, { ...w, kernel: [2, 2, 2] }, 'float32')).toThrow(RangeArgError);
  });

  it('fill and copy into strided views, with dtype conversion and overlap', async () => {
    for (const dt of ['float32', 'int32', 'bool'] as DType[]) {
      for (const value of [2.75, -1, NaN, 3e9, 0]) {
        const g = gpuPair(dt, [3, 4], 'sliced', values(60));
        gpu.fill(g.gpu, value);
        js.fill(g.js, value);
        await expectSame(g.gpu.storage, g.js.storage, [g.js.storage.length], EXACT, `fill ${dt} ${value}`);
      }
    }
    const convs: [DType, DType][] = [['float32', 'int32'], ['float32', 'bool'], ['int32', 'float32'], ['bool', 'float32'], ['int32', 'bool'], ['float32', 'float32']];
    for (const [from, to] of convs) {
      const src = gpuPair(from, [3, 5], 'transposed', (() => { const r = values(61); return () => r() * 1e3; })());
      const dst = gpuPair(to, [3, 5], 'sliced', values(62));
      gpu.copy(src.gpu, dst.gpu);
      js.copy(src.js, dst.js);
      await expectSame(dst.gpu.storage, dst.js.storage, [dst.js.storage.length], EXACT, `copy ${from} → ${to}`);
    }
    // Float → int32 wraps as JS's ToInt32 beyond 2^31.
    const big = rowMajor(gpu.fromArray('float32', [3e9, -3e9, 2 ** 31, 1e20, -7.9]), [5]);
    const bj = rowMajor(js.fromArray('float32', [3e9, -3e9, 2 ** 31, 1e20, -7.9]), [5]);
    const od = gpu.alloc('int32', 5);
    const oj = js.alloc('int32', 5);
    gpu.copy(big, rowMajor(od, [5]));
    js.copy(bj, rowMajor(oj, [5]));
    await expectSame(od, oj, [5], EXACT, 'ToInt32');
    // Overlapping views of one storage: shift right by one.
    const data = [0, 1, 2, 3, 4, 5, 6, 7];
    const s = gpu.fromArray('float32', data);
    const sj = js.fromArray('float32', data);
    for (const [st, be] of [[s, gpu], [sj, js]] as const) be.copy({ storage: st, shape: [7], strides: [1], offset: 0 }, { storage: st, shape: [7], strides: [1], offset: 1 });
    await expectSame(s, sj, [8], EXACT, 'overlapping copy');
  });

  it('0-d and empty tensors, views of more than 8 dims, big outputs over a 2-D grid', async () => {
    const a = gpuPair('float32', [], 'offset', values(70));
    await expectSame(gpu.unary('exp', a.gpu, 'float32'), js.unary('exp', a.js, 'float32'), [], TRANSCENDENTAL, '0-d');
    const e = gpuPair('float32', [0, 3], 'contiguous', values(71));
    const r = gpu.binary('add', e.gpu, e.gpu, 'float32');
    expect(r.length).toBe(0);
    expect((await gpu.readAsync(rowMajor(r, [0, 3]))).length).toBe(0);
    // 10 dims, each of size 2, transposed (not collapsible): split over several dispatches.
    const shape = new Array<number>(10).fill(2);
    const t = gpuPair('float32', shape, 'transposed', values(72));
    const u = gpuPair('float32', shape, 'sliced', values(73));
    await expectSame(gpu.binary('mul', t.gpu, u.gpu, 'float32'), js.binary('mul', t.js, u.js, 'float32'), shape, ARITH, '10-d');
    await expectSame(gpu.reduce('sum', t.gpu, [9], 'float32'), js.reduce('sum', t.js, [9], 'float32'), [...shape.slice(0, 9), 1], ARITH, '10-d reduce');
    // More than 65535 workgroups: the grid goes 2-D, and flatIndex numbers the invocations in order.
    expect(grid(2 ** 24 + 3, 256)).toEqual([65535, 2, 1]);
    const n = 65535 + 70;
    const out = gpu.alloc('int32', n) as GpuStorage;
    const code = `@group(0) @binding(0) var<storage, read_write> out: array<i32>;
${paramsDecl(1)}
@compute @workgroup_size(1)
fn main(${ENTRY_ARGS}) {
  let i = ${flatIndex(1)};
  if (i >= pu(0u)) { return; }
  out[i] = i32(i) + 1;
}`;
    const p = new Params();
    p.u[0] = n;
    dispatch({ name: 'grid-test', key: 'grid-test', code, boxes: [out.box], writes: [true], params: p.buffer, workgroups: grid(n, 1) });
    const got = (await gpu.readAsync(rowMajor(out, [n]))) as Int32Array;
    expect(got.every((v, i) => v === i + 1)).toBe(true);
  });

  it('read throws DeviceError naming the async readers; float64 is refused; other backends\' storages too', () => {
    const s = gpu.fromArray('float32', [1, 2]);
    expect(() => gpu.read(rowMajor(s, [2]))).toThrow(DeviceError);
    expect(() => gpu.read(rowMajor(s, [2]))).toThrow('webgpu: tensors on the GPU cannot be read synchronously; use await x.toArrayAsync(), x.toTypedArrayAsync() or x.itemAsync()');
    const msg = 'webgpu: float64 is not supported on the GPU (WGSL has no f64); use float32 or a CPU backend';
    expect(() => gpu.alloc('float64', 3)).toThrow(DTypeError);
    expect(() => gpu.fromArray('float64', [1])).toThrow(msg);
    expect(() => gpu.unary('exp', rowMajor(s, [2]), 'float64')).toThrow(msg);
    expect(() => gpu.reduce('sum', rowMajor(s, [2]), [0], 'float64')).toThrow(msg);
    expect(() => gpu.unary('exp', rowMajor(js.fromArray('float32', [1]), [1]), 'float32')).toThrow(/exp: webgpu: expected a tensor on the 'webgpu' backend, got one on 'js'/);
  });

  it('readAsync of strided views (transposed, sliced, broadcast, offset) in every dtype', async () => {
    for (const dt of ['float32', 'int32', 'bool'] as DType[]) {
      for (const layout of LAYOUTS) {
        const p = gpuPair(dt, [3, 4, 2], layout, values(80));
        expectClose(await gpu.readAsync(p.gpu), js.read(p.js), EXACT, `readAsync ${dt} ${layout}`);
      }
    }
  });

  it('bool results read back as Uint8Array; fromArray converts like js', async () => {
    const b = gpu.fromArray('bool', [0, 2, NaN, -0, 1]);
    expect(await gpu.readAsync(rowMajor(b, [5]))).toEqual(new Uint8Array([0, 1, 1, 0, 1]));
    const i = gpu.fromArray('int32', [1.9, -1.9, 2 ** 32 + 5, NaN]);
    expect(await gpu.readAsync(rowMajor(i, [4]))).toEqual(new Int32Array([1, -1, 5, 0]));
    // Uploads stay ordered with recorded kernels when a pooled buffer is reused in the same batch.
    const outs: Promise<Float32Array>[] = [];
    for (let k = 0; k < 20; k++) {
      const x = gpu.fromArray('float32', [k, k + 1]);
      outs.push(gpu.readAsync(rowMajor(gpu.unary('neg', rowMajor(x, [2]), 'float32'), [2])) as Promise<Float32Array>);
    }
    const got = await Promise.all(outs);
    got.forEach((g, k) => expect(Array.from(g)).toEqual([-k, -k - 1]));
  });

  it('uploads into a buffer that recorded kernels still read stay ordered after them (staged, or submitted first)', async () => {
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    for (const n of [1000, 20_000]) {
      await flushWebGPU();
      const A = Array.from({ length: n }, (_, i) => i);
      const B = Array.from({ length: n }, (_, i) => 2 * i + 1);
      // The input dies as soon as the kernel reading it is recorded (not submitted).
      const record = () => gpu.unary('neg', rowMajor(gpu.fromArray('float32', A), [n]), 'float32');
      const r = record();
      gc();
      const reused = webgpuMemory().stats.reused; // runs the finalization callbacks: a's buffer is back in the pool
      const b = gpu.fromArray('float32', B); // the same size class: a's buffer, still read by the recorded neg
      expect(webgpuMemory().stats.reused).toBe(reused + 1);
      expect(Array.from(await gpu.readAsync(rowMajor(r, [n])))).toEqual(A.map((x) => -x));
      expect(Array.from(await gpu.readAsync(rowMajor(b, [n])))).toEqual(B);
    }
  });

  it('memory: dead storages return to the pool (finalize helper + GC), and the budget triggers reclaiming', async () => {
    await flushWebGPU();
    const v8 = await import('node:v8');
    const vm = await import('node:vm');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const before = webgpuMemory();
    for (let i = 0; i < 50; i++) gpu.alloc('float32', 65536); // 256 KiB each, dropped at once
    await flushWebGPU();
    gc();
    await new Promise((r) => setTimeout(r, 10));
    const after = webgpuMemory();
    expect(after.bytesInUse - before.bytesInUse).toBeLessThan(10 * 262144);
    expect(after.stats.finalized).toBeGreaterThan(before.stats.finalized + 40);
    // A small budget: a synchronous loop of allocations stays bounded (cleanupSome + gc inside the allocator).
    setWebGPUOptions({ memoryBudgetMB: 4 });
    const start = webgpuMemory().stats.created;
    for (let i = 0; i < 200; i++) gpu.alloc('float32', 65536);
    const m = webgpuMemory();
    setWebGPUOptions({ memoryBudgetMB: 1024 });
    expect(m.stats.created - start).toBeLessThan(100);
    expect(m.bytesInUse).toBeLessThan(40 * 2 ** 20);
  });

  it('profile: counters of dispatches and submits, per-kernel GPU time with timestamps', async () => {
    await webgpuProfile();
    setWebGPUOptions({ profile: true });
    const x = rowMajor(gpu.fromArray('float32', [1, 2, 3, 4]), [4]);
    const y = gpu.unary('exp', x, 'float32');
    gpu.binary('add', rowMajor(y, [4]), x, 'float32');
    await gpu.readAsync(rowMajor(y, [4]));
    const p = await webgpuProfile();
    setWebGPUOptions({ profile: false });
    expect(p.dispatches).toBe(2);
    expect(p.submits).toBeGreaterThanOrEqual(1);
    expect(p.bytesUploaded).toBe(16);
    expect(p.bytesRead).toBe(16);
    if (device('test').timestamps) {
      expect(p.kernels['unary.exp']!.count).toBe(1);
      expect(p.kernels['binary.add']!.count).toBe(1);
      expect(p.kernels['unary.exp']!.gpuMs).toBeGreaterThanOrEqual(0);
    } else {
      expect(p.kernels).toEqual({});
    }
    expect((await webgpuProfile()).dispatches).toBe(0);
  });

  it('init twice returns the same device info', async () => {
    const { initWebGPU } = await import('../../src/backend/webgpu/index.js');
    expect(await initWebGPU()).toEqual(await initWebGPU());
    expect(sizeOf([2, 3])).toBe(6);
  });

  it('unary and matmul into `out` (offset 0 and inside a bigger storage) equal the fresh results bit for bit, the rest untouched', async () => {
    const bytes = (a: TypedArray) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const into = async (dtype: DType, shape: number[], run: (out?: View) => Storage, label: string) => {
      const n = sizeOf(shape);
      const fresh = await gpu.readAsync(rowMajor(run(), [n]));
      for (const off of [0, 5]) {
        const values = Array.from({ length: n + 10 }, (_, i) => (dtype === 'bool' ? i % 2 : 1000 + i));
        const out: View = { storage: gpu.fromArray(dtype, values), shape, strides: contiguous(shape), offset: off };
        expect(run(out), label).toBe(out.storage);
        const all = await gpu.readAsync(rowMajor(out.storage, [n + 10]));
        expect(bytes(all.subarray(off, off + n)), `${label} at ${off}`).toEqual(bytes(fresh));
        expect([...Array.from(all.subarray(0, off)), ...Array.from(all.subarray(off + n))], `${label} at ${off}: the rest`).toEqual([...values.slice(0, off), ...values.slice(off + n)]);
      }
    };
    const ops: UnaryOp[] = ['neg', 'exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'abs', 'log1p', 'expm1', 'erf', 'sign', 'isnan', 'asin', 'acos', 'atan', 'floor', 'ceil', 'round', 'trunc'];
    for (const op of ops) {
      const to: DType = op === 'isnan' ? 'bool' : 'float32';
      const x = gpuPair('float32', [3, 37], 'transposed', values(op.length * 7));
      await into(to, [3, 37], (out) => gpu.unary(op, x.gpu, to, out), op);
    }
    const a = gpuPair('float32', [2, 3, 5, 4], 'transposed', values(40));
    const b = gpuPair('float32', [2, 3, 4, 6], 'sliced', values(41));
    await into('float32', [2, 3, 5, 6], (out) => gpu.matmul(a.gpu, b.gpu, 'float32', out), 'batched strided');
    const w = gpuPair('float32', [4, 6], 'contiguous', values(42));
    const bw: View = { ...w.gpu, shape: [2, 3, 4, 6], strides: [0, 0, 6, 1] };
    await into('float32', [2, 3, 5, 6], (out) => gpu.matmul(a.gpu, bw, 'float32', out), 'broadcast batch');
    const ia = gpuPair('int32', [3, 4], 'offset', values(43));
    const ib = gpuPair('int32', [4, 2], 'transposed', values(44));
    await into('int32', [3, 2], (out) => gpu.matmul(ia.gpu, ib.gpu, 'int32', out), 'int32');
    const z = { storage: gpu.alloc('float32', 0), shape: [3, 0], strides: [0, 1], offset: 0 };
    const zb = { storage: gpu.alloc('float32', 0), shape: [0, 2], strides: [2, 1], offset: 0 };
    await into('float32', [3, 2], (out) => gpu.matmul(z, zb, 'float32', out), 'k = 0');
  });
});
