/**
 * The `Backend` interface: the only code that touches the numbers of a tensor.
 *
 * A backend allocates storages, reads and writes them, and runs kernels over
 * strided views. It knows nothing about autograd, dtype promotion or op names
 * beyond the kernel it runs: the frontend (`tensor/`, `ops/`) validates shapes
 * and dtypes, expands broadcast inputs to a common shape (stride 0 on broadcast
 * dims) and asks for the result dtype explicitly.
 *
 * Memory model: a storage is a plain object owned by the garbage collector (no
 * `dispose`). A backend whose memory lives outside the JS heap (a pooled wasm
 * memory) registers each storage with a `FinalizationRegistry` to return its
 * block to the pool; nothing in the frontend changes.
 */

/** Element types of a tensor. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** Names of the available backends: two on the CPU, and the GPU through WebGPU. */
export type BackendName = 'js' | 'wasm' | 'webgpu';

/** The typed arrays that `read` returns, one per dtype (bool is a `Uint8Array` of 0/1). */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** An opaque block of `length` elements of `dtype`, owned by one backend. */
export interface Storage {
  readonly backend: BackendName;
  readonly dtype: DType;
  readonly length: number;
}

/**
 * A strided window onto a storage: the element at multi-index `i` lives at
 * `offset + Σ_k i_k · strides[k]`. A `Tensor` is itself a `View`.
 */
export interface View {
  readonly storage: Storage;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** Elementwise functions of one argument. `isnan` writes a bool result. */
export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'sin' | 'cos' | 'tanh' | 'sigmoid' | 'abs'
  | 'log1p' | 'expm1' | 'erf' | 'sign' | 'isnan'
  | 'asin' | 'acos' | 'atan' | RoundOp;

/** Rounding to an integer value: down, up, to nearest (half to even, as PyTorch), toward zero. */
export type RoundOp = 'floor' | 'ceil' | 'round' | 'trunc';

/**
 * Elementwise functions of two arguments. `remainder` takes the sign of the
 * divisor (Python's `%`), `fmod` the sign of the dividend (C's `fmod`).
 */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'atan2' | 'remainder' | 'fmod';

/** Inclusive scans along one dim: running sum, product, and log of the running sum of exponentials. */
export type ScanOp = 'sum' | 'prod' | 'logsumexp';

/** Elementwise comparisons; the result is bool. */
export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** Reductions over a set of dims (NaN propagates through max and min). */
export type ReduceOp = 'sum' | 'prod' | 'max' | 'min';

/** Index of the extreme value along one dim (the first one on ties). */
export type ArgReduceOp = 'argmax' | 'argmin';

/**
 * A sliding window over the trailing 1 or 2 spatial dims of `[N, C, ...spatial]`
 * (per spatial dim: window size, step, zeros before the input, spacing of the
 * taps, and the number of window positions). Taps outside the input read 0.
 */
export interface Window {
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly padding: readonly number[];
  readonly dilation: readonly number[];
  readonly out: readonly number[];
}

/**
 * The dense factorisations of `Backend.linalg`, over batches of matrices
 * `[...batch, m, n]` (every input of one call has the same batch shape;
 * broadcast dims have stride 0). Inputs → outputs:
 * - `cholesky`: `[A]` (n×n, lower triangle read) → `[L]` lower; info k > 0: the
 *   leading minor of order k is not positive (that matrix's L is NaN);
 * - `triangularSolve`: `[A, B]` (n×n, n×k) → `[X]` with `A X = B`, A upper or
 *   lower per the options (only that triangle read; unit diagonal if asked);
 * - `solve`: `[A, B]` → `[X]` with `A X = B` by LU with partial pivoting;
 *   info k > 0: pivot k is exactly zero (X holds inf/NaN);
 * - `lu`: `[A]` → `[sign, logabsdet, det]`, each `[...batch]`; info as `solve`;
 * - `qr`: `[A]` → `[Q (m×k), R (k×n)]`, k = min(m, n), LAPACK's signs;
 * - `eigh`: `[A]` (lower triangle read) → `[values (n, ascending), vectors (n×n, columns)]`;
 * - `svd`: `[A]` → `[U (m×k), S (k, descending), Vh (k×n)]`.
 */
export type LinalgOp = 'cholesky' | 'triangularSolve' | 'solve' | 'lu' | 'qr' | 'eigh' | 'svd';

/** Options of `Backend.linalg` (`triangularSolve` reads them). */
export interface LinalgOptions {
  readonly upper?: boolean;
  readonly unitriangular?: boolean;
}

/**
 * What `Backend.linalg` returns: the outputs (contiguous, of the asked dtype)
 * and one LAPACK-style info code per matrix (0: fine): an `Int32Array` on the
 * CPU backends, an int32 storage of the backend on one that cannot read
 * synchronously (webgpu; the frontend checks it at the next async read).
 */
export interface LinalgResult {
  readonly outputs: readonly Storage[];
  readonly info: Int32Array | Storage;
}

/**
 * What every backend implements. Outputs are fresh contiguous storages in
 * row-major order unless the method writes into a given view.
 */
export interface Backend {
  readonly name: BackendName;
  /** A zero-filled storage. */
  alloc(dtype: DType, length: number): Storage;
  /** A storage holding `values` converted to `dtype` (bool: nonzero → 1). */
  fromArray(dtype: DType, values: ArrayLike<number>): Storage;
  /**
   * A contiguous row-major copy of the view's elements. Backends whose memory
   * the CPU cannot read synchronously (webgpu) throw a `DeviceError`.
   */
  read(x: View): TypedArray;
  /** The same copy as `read`, asynchronously: the one reader every backend has. */
  readAsync(x: View): Promise<TypedArray>;
  /** Writes `value` into every element of the view. */
  fill(dst: View, value: number): void;
  /** Copies `src` into `dst` elementwise (same shape), converting the dtype. */
  copy(src: View, dst: View): void;
  /**
   * `out[i] = op(x[i])`, written as `dtype`. With `out` (a contiguous view of
   * `dtype` with the result's element count, an offset allowed, not
   * overlapping `x`), writes into it and returns its storage: the same values
   * as without it.
   */
  unary(op: UnaryOp, x: View, dtype: DType, out?: View): Storage;
  /**
   * `out[i] = op(a[i], b[i])` over views of one shape, written as `dtype`.
   * With `out` (a contiguous view of `dtype` and that shape), writes into it
   * and returns its storage: in-place updates. `a` or `b` may be `out` itself;
   * no other overlap with `out` is allowed.
   */
  binary(op: BinaryOp, a: View, b: View, dtype: DType, out?: View): Storage;
  /** `out[i] = a[i] op b[i]` over views of one shape, as bool. */
  compare(op: CompareOp, a: View, b: View): Storage;
  /** `out[i] = cond[i] ? a[i] : b[i]` over views of one shape, written as `dtype`. */
  where(cond: View, a: View, b: View, dtype: DType): Storage;
  /**
   * Reduces `dims` (sorted, distinct); the result has the shape of `x` with
   * those dims set to 1.
   */
  reduce(op: ReduceOp, x: View, dims: readonly number[], dtype: DType): Storage;
  /** int32 indices along `dim`; the result has the shape of `x` with `dim` set to 1. */
  argReduce(op: ArgReduceOp, x: View, dim: number): Storage;
  /**
   * The inclusive scan of `x` along `dim` (from the last element back when
   * `reverse`), with the shape of `x`, written as `dtype`. float32 sums
   * accumulate in float64 on the CPU backends; `logsumexp` is stable for
   * large |x| (a running max) and keeps −Infinity for an all −Infinity prefix.
   */
  scan(op: ScanOp, x: View, dim: number, reverse: boolean, dtype: DType): Storage;
  /**
   * The int32 permutation that sorts `x` along `dim` (the shape of `x`):
   * stable (equal elements keep their order, in both directions), NaN sorted
   * as larger than every number (last ascending, first descending), as PyTorch.
   */
  sort(x: View, dim: number, descending: boolean): Storage;
  /**
   * Batched matrix product of `a: [...batch, n, k]` and `b: [...batch, k, m]`
   * (the same batch shape; broadcast batch dims have stride 0). Result
   * `[...batch, n, m]`. With `out` (a contiguous view of `dtype` with the
   * result's element count, an offset allowed, not overlapping `a` or `b`),
   * writes into it and returns its storage: the same values as without it.
   */
  matmul(a: View, b: View, dtype: DType, out?: View): Storage;
  /**
   * `out[i] = x[i with i[dim] := index[i]]`; the result has the shape of
   * `index` (int32, same ndim as `x`). Throws `RangeArgError` on an index
   * outside `[0, x.shape[dim])`.
   */
  gather(x: View, dim: number, index: View, dtype: DType): Storage;
  /**
   * A zero tensor of `shape` with `out[i with i[dim] := index[i]] += src[i]`
   * for every `i` of `index.shape` (`src` has the shape of `index`).
   */
  scatterAdd(shape: readonly number[], dim: number, index: View, src: View, dtype: DType): Storage;
  /**
   * The windows of `x: [N, C, ...spatial]` as `[N, C, ...w.kernel, ...w.out]`:
   * `out[n, c, k, o] = x[n, c, o·stride − padding + k·dilation]` (0 outside `x`).
   */
  im2col(x: View, w: Window, dtype: DType): Storage;
  /**
   * The transpose of `im2col`: `cols: [N, C, ...w.kernel, ...w.out]` summed
   * back into a zero tensor `[N, C, ...spatial]` (taps outside it dropped).
   */
  col2im(cols: View, spatial: readonly number[], w: Window, dtype: DType): Storage;
  /** A dense factorisation or solve over a batch of matrices (see `LinalgOp`), in float32 or float64. */
  linalg(op: LinalgOp, inputs: readonly View[], options: LinalgOptions, dtype: DType): LinalgResult;
}
