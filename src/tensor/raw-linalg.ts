/**
 * The raw (non-differentiable) call of a backend's dense factorisations:
 * batch dims broadcast, the output shapes of each `LinalgOp`, and the
 * tensors wrapped. `ops/` builds the `linalg` primitives on it.
 */
import { backendOf, deferCheck } from '../backend/index.js';
import type { LinalgOp, LinalgOptions, Storage } from '../backend/index.js';
import { DeviceError } from '../errors.js';
import { broadcastShapes, sameShape } from './shape.js';
import { Tensor } from './tensor.js';

/** `x` as a view of `shape` (its batch dims broadcast: stride 0 on new and size-1 dims). */
function expandView(x: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(x.shape, shape)) return x;
  const lead = shape.length - x.ndim;
  const strides = shape.map((n, i) => (i < lead || x.shape[i - lead] !== n ? 0 : x.strides[i - lead]!));
  return new Tensor(x.storage, shape, strides, x.offset, x);
}

/** The outputs of a factorisation and its info codes (see `LinalgOp`). */
export interface RawLinalg {
  readonly outputs: Tensor[];
  /**
   * Runs `verdict` over the info codes (one per matrix of the flat batch):
   * its error is thrown now on the CPU, and at the next asynchronous read or
   * `synchronize()` on the GPU, where the codes stay until then (as index
   * range checks: `checks.ts`).
   */
  check(verdict: (info: Int32Array) => Error | null): void;
}

/** The `check` of info codes held as an array (CPU) or a storage (GPU). */
function checker(be: ReturnType<typeof backendOf>, info: Int32Array | Storage): RawLinalg['check'] {
  return (verdict) => {
    if (info instanceof Int32Array) {
      const e = verdict(info);
      if (e !== null) throw e;
      return;
    }
    if (info.length === 0) return;
    const view = { storage: info, shape: [info.length], strides: [1], offset: 0 };
    deferCheck({ read: () => Promise.all([be.readAsync(view)]), verdict: ([codes]) => verdict(Int32Array.from(codes!)) });
  };
}

/**
 * Runs factorisation `op` on `xs` (`[...batch, m, n]` each, batch dims
 * broadcast) on their backend, as their dtype.
 *
 * @example
 * rawLinalg('cholesky', [a]).outputs[0]; // L
 */
export function rawLinalg(op: LinalgOp, xs: readonly Tensor[], options: LinalgOptions = {}): RawLinalg {
  const be = backendOf(xs[0]!);
  for (const x of xs) {
    if (backendOf(x) !== be) {
      throw new DeviceError(op, `expected all tensors on one backend, got ${be.name} and ${x.storage.backend} (move one with .to('${be.name}'))`);
    }
  }
  let batch = xs[0]!.shape.slice(0, -2);
  for (const x of xs.slice(1)) batch = broadcastShapes(op, batch, x.shape.slice(0, -2));
  const views = xs.map((x) => expandView(x, [...batch, ...x.shape.slice(-2)]));
  const a = xs[0]!.shape;
  const [m, n] = [a[a.length - 2]!, a[a.length - 1]!];
  const k = Math.min(m, n);
  const rhs = xs[1]?.shape[xs[1].ndim - 1] ?? 0;
  const shapes: Record<LinalgOp, number[][]> = {
    cholesky: [[m, n]],
    triangularSolve: [[m, rhs]],
    solve: [[m, rhs]],
    lu: [[], [], []],
    qr: [[m, k], [k, n]],
    eigh: [[n], [n, n]],
    svd: [[m, k], [k], [k, n]],
  };
  const r = be.linalg(op, views, options, xs[0]!.dtype);
  return { outputs: r.outputs.map((s, i) => new Tensor(s, [...batch, ...shapes[op][i]!])), check: checker(be, r.info) };
}
