/**
 * The webgpu factorisation kernels against the CPU kernel (js backend,
 * float64 on the same float32 inputs) on random batched inputs: SPD for
 * cholesky, triangular systems, LU solves and determinants, QR (same signs),
 * symmetric eigh and SVD with distinct values (eigenvectors and singular
 * pairs up to sign: the GPU rotates disjoint pairs at once, the CPU one
 * pair at a time, and neither fixes signs), plus strided and broadcast
 * inputs, and the info codes. Then the errors through the public API: a
 * non-positive-definite or singular batch element surfaces at the next
 * async read with the CPU's message. Sizes stay small (SwiftShader).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinalgOp, LinalgOptions, Storage, TypedArray, View } from '../../src/backend/types.js';
import { LinAlgError, getBackend, linalg, setBackend, synchronize, tensor, type BackendName } from '../../src/index.js';
import { rng } from './helpers.js';
import { expectClose, gpu, js, rowMajor, setupWebGPU } from './webgpu-helpers.js';

const skip = await setupWebGPU();

type Layout = 'contiguous' | 'transposed' | 'broadcast';

/** Batch `shape` = [...batch, r, c] of logical row-major `values` as a view on both backends, stored in `layout`. */
function both(values: readonly number[], shape: readonly number[], layout: Layout = 'contiguous'): { gpu: View; js: View } {
  const nd = shape.length;
  const [r, c] = [shape[nd - 2]!, shape[nd - 1]!];
  const count = values.length / (r * c);
  let data = values.map(Math.fround);
  let strides = [...shape.slice(0, nd - 2).map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1)), c, 1];
  if (layout === 'transposed') {
    data = new Array<number>(values.length);
    for (let b = 0; b < count; b++) for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[b * r * c + j * r + i] = Math.fround(values[b * r * c + i * c + j]!);
    strides = [...strides.slice(0, nd - 2), 1, r];
  } else if (layout === 'broadcast') {
    // One matrix repeated along the batch: stride 0.
    data = data.slice(0, r * c);
    strides = [...strides.slice(0, nd - 2).map(() => 0), c, 1];
  }
  return {
    gpu: { storage: gpu.fromArray('float32', data), shape: [...shape], strides, offset: 0 },
    js: { storage: js.fromArray('float64', data), shape: [...shape], strides, offset: 0 },
  };
}

function randn(g: () => number, length: number): number[] {
  return Array.from({ length }, () => Math.sqrt(-2 * Math.log(1 - g())) * Math.cos(2 * Math.PI * g()));
}

/** `count` matrices n×n X Xᵀ + n I. */
function spd(g: () => number, count: number, n: number): number[] {
  const x = randn(g, count * n * n);
  const out = new Array<number>(count * n * n).fill(0);
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = i === j ? n : 0;
        for (let k = 0; k < n; k++) s += x[b * n * n + i * n + k]! * x[b * n * n + j * n + k]!;
        out[b * n * n + i * n + j] = s;
      }
    }
  }
  return out;
}

interface Both {
  gpu: TypedArray[];
  js: TypedArray[];
  gpuInfo: Int32Array;
  jsInfo: Int32Array;
}

/** Runs `op` on both backends and reads every output (`shapes`) and the info codes. */
async function runBoth(op: LinalgOp, ins: readonly { gpu: View; js: View }[], shapes: readonly (readonly number[])[], o: LinalgOptions = {}): Promise<Both> {
  const g = gpu.linalg(op, ins.map((v) => v.gpu), o, 'float32');
  const j = js.linalg(op, ins.map((v) => v.js), o, 'float64');
  const gi = g.info as Storage;
  expect(gi.backend).toBe('webgpu');
  const gpuOut = await Promise.all(g.outputs.map((s, i) => gpu.readAsync(rowMajor(s, shapes[i]!))));
  const gpuInfo = (await gpu.readAsync(rowMajor(gi, [gi.length]))) as Int32Array;
  return { gpu: gpuOut, js: j.outputs.map((s, i) => Float32Array.from(js.read(rowMajor(s, shapes[i]!)))), gpuInfo, jsInfo: j.info as Int32Array };
}

/** Flips column j of the `[batch, r, c]` `x` (and row j of `[batch, c, c2]` `y`) where its largest entry's sign differs from `ref`'s. */
function alignColumns(x: TypedArray, ref: TypedArray, r: number, c: number, rows?: { y: TypedArray; c2: number }): void {
  const count = x.length / (r * c);
  for (let b = 0; b < count; b++) {
    for (let j = 0; j < c; j++) {
      let at = 0;
      for (let i = 1; i < r; i++) if (Math.abs(ref[b * r * c + i * c + j]!) > Math.abs(ref[b * r * c + at * c + j]!)) at = i;
      if (Math.sign(x[b * r * c + at * c + j]!) === Math.sign(ref[b * r * c + at * c + j]!)) continue;
      for (let i = 0; i < r; i++) x[b * r * c + i * c + j] = -x[b * r * c + i * c + j]!;
      if (rows) for (let i = 0; i < rows.c2; i++) rows.y[b * c * rows.c2 + j * rows.c2 + i] = -rows.y[b * c * rows.c2 + j * rows.c2 + i]!;
    }
  }
}

// float32 kernels against float64 ones on well-conditioned inputs (condition numbers ≲ 100, n ≤ 16): O(n·cond) roundings of 6e-8.
const TOL = { rtol: 1e-4, atol: 1e-4 };

describe.skipIf(skip !== null)('webgpu linalg kernels', () => {
  it('cholesky of SPD batches, contiguous and transposed', async () => {
    const g = rng(1);
    for (const [count, n, layout] of [[3, 5, 'contiguous'], [2, 16, 'transposed'], [1, 1, 'contiguous']] as const) {
      const r = await runBoth('cholesky', [both(spd(g, count, n), [count, n, n], layout)], [[count, n, n]]);
      expectClose(r.gpu[0]!, r.js[0]!, TOL, `cholesky ${count}×${n}×${n}`);
      expect([...r.gpuInfo]).toEqual(new Array(count).fill(0));
    }
  });

  it('cholesky marks the first non-positive leading minor per matrix, that matrix NaN', async () => {
    const a = [4, 2, 2, 5, /**/ 1, 2, 2, 1, /**/ -1, 0, 0, 1];
    const r = await runBoth('cholesky', [both(a, [3, 2, 2])], [[3, 2, 2]]);
    expect([...r.gpuInfo]).toEqual([...r.jsInfo]);
    expect([...r.gpuInfo]).toEqual([0, 2, 1]);
    expectClose(r.gpu[0]!, r.js[0]!, TOL, 'cholesky with failures');
    expect([...r.gpu[0]!.slice(0, 4)]).toEqual([2, 0, 1, 2]);
  });

  it('triangular solves: upper/lower, unit diagonal, broadcast right-hand sides', async () => {
    const g = rng(2);
    for (const upper of [false, true]) {
      for (const unit of [false, true]) {
        const [count, n, k] = [3, 7, 4];
        // Dominant diagonal: well conditioned.
        const a = randn(g, count * n * n).map((v, i) => (Math.floor(i / n) % n === i % n ? v + 4 * Math.sign(v) : v));
        const rhsLayout = unit ? 'broadcast' : 'contiguous';
        const r = await runBoth('triangularSolve', [both(a, [count, n, n], upper ? 'transposed' : 'contiguous'), both(randn(g, count * n * k), [count, n, k], rhsLayout)], [[count, n, k]], { upper, unitriangular: unit });
        expectClose(r.gpu[0]!, r.js[0]!, unit ? { rtol: 1e-3, atol: 1e-3 } : TOL, `triangularSolve upper=${upper} unit=${unit}`);
      }
    }
  });

  it('solve by LU with pivoting, and the singular batch element', async () => {
    const g = rng(3);
    const [count, n, k] = [4, 9, 3];
    const a = randn(g, count * n * n).map((v, i) => (Math.floor(i / n) % n === i % n ? v + 3 : v));
    const r = await runBoth('solve', [both(a, [count, n, n], 'transposed'), both(randn(g, count * n * k), [count, n, k])], [[count, n, k]]);
    expectClose(r.gpu[0]!, r.js[0]!, TOL, 'solve');
    expect([...r.gpuInfo]).toEqual([0, 0, 0, 0]);
    const s = await runBoth('solve', [both([1, 0, 0, 1, 1, 2, 2, 4, 0, 1, 1, 0], [3, 2, 2]), both([1, 2, 3, 4, 5, 6], [3, 2, 1])], [[3, 2, 1]]);
    expect([...s.gpuInfo]).toEqual([...s.jsInfo]);
    expect([...s.gpuInfo]).toEqual([0, 2, 0]);
    expect([...s.gpu[0]!.slice(0, 2)]).toEqual([1, 2]);
    expect([...s.gpu[0]!.slice(4, 6)]).toEqual([6, 5]);
    expect(s.gpu[0]!.slice(2, 4).some((v) => !Number.isFinite(v))).toBe(true);
  });

  it('sign, log|det| and det, singular and empty matrices too', async () => {
    const g = rng(4);
    const [count, n] = [5, 6];
    const a = randn(g, count * n * n);
    a.splice(0, 2 * n, ...new Array<number>(2 * n).fill(0).map((_, i) => (i < n ? i + 1 : 2 * (i - n + 1)))); // matrix 0: rows 0 and 1 dependent
    const r = await runBoth('lu', [both(a, [count, n, n])], [[count], [count], [count]]);
    expect([...r.gpu[0]!]).toEqual([...r.js[0]!]);
    expect(r.gpu[1]![0]).toBe(-Infinity);
    expectClose(r.gpu[1]!, r.js[1]!, TOL, 'logabsdet');
    expectClose(r.gpu[2]!, r.js[2]!, { rtol: 1e-4, atol: 1e-5 }, 'det');
    const e = await runBoth('lu', [both([], [2, 0, 0])], [[2], [2], [2]]);
    for (let i = 0; i < 3; i++) expect([...e.gpu[i]!]).toEqual([...e.js[i]!]);
  });

  it('QR, tall, square and wide, with the CPU kernel\'s (LAPACK\'s) signs', async () => {
    const g = rng(5);
    for (const [count, m, n] of [[3, 8, 5], [2, 6, 6], [2, 4, 9], [1, 5, 1]] as const) {
      const k = Math.min(m, n);
      const r = await runBoth('qr', [both(randn(g, count * m * n), [count, m, n], m === n ? 'transposed' : 'contiguous')], [[count, m, k], [count, k, n]]);
      expectClose(r.gpu[0]!, r.js[0]!, TOL, `Q ${m}×${n}`);
      expectClose(r.gpu[1]!, r.js[1]!, TOL, `R ${m}×${n}`);
    }
    // A zero column below the diagonal takes no reflection (tau 0): R keeps its sign there.
    const z = await runBoth('qr', [both([-2, 1, 0, 3, 0, 1], [3, 2])], [[3, 2], [2, 2]]);
    expectClose(z.gpu[0]!, z.js[0]!, TOL, 'Q of a reduced column');
    expectClose(z.gpu[1]!, z.js[1]!, TOL, 'R of a reduced column');
  });

  it('eigh of symmetric batches (lower triangle read), eigenvectors up to sign', async () => {
    const g = rng(6);
    for (const [count, n] of [[3, 5], [2, 12], [1, 1], [2, 2]] as const) {
      const x = randn(g, count * n * n);
      // Symmetric X + Xᵀ in the lower triangle; garbage above it (never read).
      const a = x.map((_, e) => {
        const [b, i, j] = [Math.floor(e / (n * n)), Math.floor(e / n) % n, e % n];
        return i >= j ? x[e]! + x[b * n * n + j * n + i]! : 100;
      });
      const r = await runBoth('eigh', [both(a, [count, n, n])], [[count, n], [count, n, n]]);
      expectClose(r.gpu[0]!, r.js[0]!, TOL, `eigenvalues ${n}`);
      alignColumns(r.gpu[1]!, r.js[1]!, n, n);
      // Eigenvectors of float32 Jacobi: accurate to ~eps·‖A‖/gap, gaps of random matrices ≳ 0.05 here.
      expectClose(r.gpu[1]!, r.js[1]!, { rtol: 1e-3, atol: 1e-3 }, `eigenvectors ${n}`);
      expect([...r.gpuInfo]).toEqual(new Array(count).fill(0));
    }
  });

  it('SVD, tall, square and wide, singular pairs up to a joint sign', async () => {
    const g = rng(7);
    for (const [count, m, n] of [[3, 7, 4], [2, 6, 6], [2, 3, 8], [1, 16, 16]] as const) {
      const k = Math.min(m, n);
      const r = await runBoth('svd', [both(randn(g, count * m * n), [count, m, n], m < n ? 'transposed' : 'contiguous')], [[count, m, k], [count, k], [count, k, n]]);
      expectClose(r.gpu[1]!, r.js[1]!, TOL, `S ${m}×${n}`);
      alignColumns(r.gpu[0]!, r.js[0]!, m, k, { y: r.gpu[2]!, c2: n });
      // Singular vectors: accurate to ~eps·‖A‖/gap (random matrices: gaps ≳ 0.05 here).
      expectClose(r.gpu[0]!, r.js[0]!, { rtol: 1e-3, atol: 1e-3 }, `U ${m}×${n}`);
      expectClose(r.gpu[2]!, r.js[2]!, { rtol: 1e-3, atol: 1e-3 }, `Vh ${m}×${n}`);
      expect([...r.gpuInfo]).toEqual(new Array(count).fill(0));
    }
  });

  it('SVD of a rank-deficient matrix completes U to orthonormal columns', async () => {
    // Rank 1: S = [√(1+4+...)·..., 0, 0]; U's last columns come from Gram–Schmidt on e_i, as on the CPU.
    const a = [1, 2, 3, 2, 4, 6, 3, 6, 9, 4, 8, 12];
    const r = await runBoth('svd', [both(a, [4, 3])], [[4, 3], [3], [3, 3]]);
    expectClose(r.gpu[1]!, r.js[1]!, { rtol: 1e-5, atol: 1e-5 }, 'S rank 1');
    const u = r.gpu[0]!;
    for (let p = 0; p < 3; p++) {
      for (let q = 0; q < 3; q++) {
        let d = 0;
        for (let i = 0; i < 4; i++) d += u[i * 3 + p]! * u[i * 3 + q]!;
        expect(Math.abs(d - (p === q ? 1 : 0)), `UᵀU[${p}][${q}]`).toBeLessThan(1e-5);
      }
    }
  });
});

describe.skipIf(skip !== null)('webgpu linalg errors, at the next async read', () => {
  let before: BackendName;
  beforeAll(() => {
    before = getBackend();
    setBackend('webgpu');
  });
  afterAll(() => setBackend(before));

  it('a non-positive-definite batch element k: no error at the op, the CPU message at the next read', async () => {
    const l = linalg.cholesky(tensor([[[4, 0], [0, 1]], [[9, 0], [0, 4]], [[1, 2], [2, 1]]]));
    expect(l.storage.backend).toBe('webgpu');
    await expect(l.toArrayAsync()).rejects.toThrow(new LinAlgError('linalg.cholesky', 'the matrix is not positive definite (batch element 2: the leading minor of order 2 is not positive)'));
    // Reported once: the next read succeeds (the failed matrix reads NaN).
    const v = (await l.toArrayAsync()) as number[][][];
    expect(v[0]).toEqual([[2, 0], [0, 1]]);
    expect(Number.isNaN(v[2]![0]![0])).toBe(true);
  });

  it('a singular system surfaces at synchronize(), through solve and inv', async () => {
    linalg.solve(tensor([[[1, 0], [0, 1]], [[1, 2], [2, 4]]]), tensor([[[1], [2]], [[3], [4]]]));
    await expect(synchronize()).rejects.toThrow('linalg.solve: the matrix is singular, so the system has no unique solution (batch element 1: pivot 2 is exactly zero)');
    linalg.inv(tensor([[1, 2], [2, 4]]));
    await expect(synchronize()).rejects.toThrow('linalg.inv: the matrix is singular, so the system has no unique solution (pivot 2 is exactly zero)');
    await expect(synchronize()).resolves.toBeUndefined();
  });
});
