/**
 * The dense factorisations on the GPU (`Backend.linalg`), float32: each input
 * view is copied (broadcast, converted, transposed where a kernel wants
 * columns) into a fresh contiguous work buffer, then one dispatch runs one
 * workgroup per matrix (the WGSL: `linalg-wgsl.ts`, `linalg-jacobi.ts`).
 * The info codes stay on the GPU as an int32 storage of one code per matrix:
 * the frontend checks them at the next asynchronous read (`deferCheck`), the
 * only way a GPU kernel's error can reach the caller without a blocking read.
 */
import type { DType, LinalgOp, LinalgOptions, LinalgResult, View } from '../../types.js';
import { checkErrors, dispatch } from '../encoder.js';
import { checkDtype, newStorage, own, type GpuStorage } from '../memory.js';
import { copyKernel, fillBits, fillKernel, runElementwise } from './elementwise.js';
import { EIGH, SVD } from './linalg-jacobi.js';
import { CHOLESKY, QR, TRIANGULAR, luCode } from './linalg-wgsl.js';
import { Params, contiguousStrides, grid, sizeOf } from './strided.js';

const LU_SOLVE = luCode(true);
const LU_DET = luCode(false);

/** The public op each kernel serves, for messages. */
const PUBLIC: Record<LinalgOp, string> = {
  cholesky: 'linalg.cholesky',
  triangularSolve: 'linalg.solveTriangular',
  solve: 'linalg.solve',
  lu: 'linalg.det',
  qr: 'linalg.qr',
  eigh: 'linalg.eigh',
  svd: 'linalg.svd',
};

function fresh(op: string, dtype: DType, length: number): GpuStorage {
  checkErrors();
  return newStorage(op, dtype, length).storage;
}

function fillWith(s: GpuStorage, length: number, value: number): void {
  if (length > 0) runElementwise(fillKernel(s.dtype), [length], { box: s.box, strides: [1], offset: 0 }, [], fillBits(s.dtype, value));
}

/** A contiguous float32 copy of `v` (`[...batch, r, c]`), transposed to `[...batch, c, r]` when asked. */
function work(op: string, v: View, transpose = false): GpuStorage {
  const s = own(op, v.storage);
  const nd = v.shape.length;
  const swap = <T>(xs: readonly T[]): T[] => (transpose ? [...xs.slice(0, nd - 2), xs[nd - 1]!, xs[nd - 2]!] : [...xs]);
  const shape = swap(v.shape);
  const out = fresh(op, 'float32', sizeOf(shape));
  if (sizeOf(shape) > 0) {
    runElementwise(copyKernel(s.dtype, 'float32'), shape, { box: out.box, strides: contiguousStrides(shape), offset: 0 }, [
      { box: s.box, strides: swap(v.strides), offset: v.offset },
    ]);
  }
  return out;
}

function run(name: string, code: string, boxes: readonly GpuStorage[], sizes: readonly number[], count: number): void {
  const p = new Params();
  p.u[0] = count;
  sizes.forEach((s, i) => (p.u[i + 1] = s));
  dispatch({ name, key: name, code, boxes: boxes.map((b) => b.box), writes: boxes.map(() => true), params: p.buffer, workgroups: grid(count, 1) });
}

/**
 * Runs factorisation `op` on the GPU over views of `[...batch, m, n]` (see
 * `LinalgOp`); `info` is an int32 storage of one code per matrix.
 *
 * @example
 * linalgOnGpu('cholesky', [a], {}, 'float32').outputs; // [L], info checked later
 */
export function linalgOnGpu(op: LinalgOp, inputs: readonly View[], options: LinalgOptions, dtype: DType): LinalgResult {
  const name = PUBLIC[op];
  checkDtype(name, dtype);
  const a = inputs[0]!;
  const nd = a.shape.length;
  const [m, n] = [a.shape[nd - 2]!, a.shape[nd - 1]!];
  const count = sizeOf(a.shape.slice(0, nd - 2));
  const k = Math.min(m, n);
  const info = fresh(name, 'int32', count);
  fillWith(info, count, 0);
  const go = count > 0;
  switch (op) {
    case 'cholesky': {
      const l = work(name, a);
      if (go && n > 0) run('linalg.cholesky', CHOLESKY, [l, info], [n], count);
      return { outputs: [l], info };
    }
    case 'triangularSolve':
    case 'solve': {
      const b = inputs[1]!;
      const cols = b.shape[b.shape.length - 1]!;
      const lu = work(name, a);
      const x = work(name, b);
      if (go && n > 0) {
        if (op === 'solve') run('linalg.solve', LU_SOLVE, [lu, x, info], [n, cols], count);
        else if (cols > 0) run('linalg.solveTriangular', TRIANGULAR, [lu, x], [n, cols, options.upper === true ? 1 : 0, options.unitriangular === true ? 1 : 0], count);
      }
      return { outputs: [x], info };
    }
    case 'lu': {
      const lu = work(name, a);
      const outs = [0, 1, 2].map(() => fresh(name, 'float32', count));
      if (n === 0) {
        // The empty product: det 1, sign 1, log|det| 0 (as the CPU kernel).
        [1, 0, 1].forEach((v, i) => fillWith(outs[i]!, count, v));
      } else if (go) run('linalg.det', LU_DET, [lu, ...outs, info], [n, 0], count);
      return { outputs: outs, info };
    }
    case 'qr': {
      const r = work(name, a);
      const q = fresh(name, 'float32', count * m * k);
      const ro = fresh(name, 'float32', count * k * n);
      const taus = fresh(name, 'float32', count * k);
      if (go && k > 0) run('linalg.qr', QR, [r, q, ro, taus], [m, n, k], count);
      else fillWith(ro, count * k * n, 0);
      return { outputs: [q, ro], info };
    }
    case 'eigh': {
      const w = work(name, a);
      const v = fresh(name, 'float32', count * n * n);
      const values = fresh(name, 'float32', count * n);
      const vectors = fresh(name, 'float32', count * n * n);
      const rs = fresh(name, 'float32', count * (2 * n + 2));
      if (go && n > 0) run('linalg.eigh', EIGH, [w, v, values, vectors, rs, info], [n], count);
      return { outputs: [values, vectors], info };
    }
    case 'svd': {
      // Columns of the tall problem contiguous: Aᵀ's rows for a tall A, A's own rows for a wide one (the SVD of Aᵀ).
      const wide = m < n;
      const [rows, cols] = wide ? [n, m] : [m, n];
      const w = work(name, a, !wide);
      const v = fresh(name, 'float32', count * cols * cols);
      const u = fresh(name, 'float32', count * m * k);
      const s = fresh(name, 'float32', count * k);
      const vh = fresh(name, 'float32', count * k * n);
      const nrm = fresh(name, 'float32', count * 2 * cols);
      // The W side is U (tall) or Vh (wide); the V side the other.
      const [wo, vo] = wide ? [vh, u] : [u, vh];
      if (go && k > 0) run('linalg.svd', SVD, [w, v, wo, s, vo, nrm, info], [rows, cols, wide ? 1 : 0], count);
      return { outputs: [u, s, vh], info };
    }
  }
}
