/**
 * The closed set of primitives and the shape of a rule.
 *
 * Every differentiable op in adjoint is a composite of these 55 primitives.
 * Each has a typed params object (`PrimParams`), and `table.ts` holds one
 * `Rule` per primitive in an object typed `{ [P in Primitive]: Rule<P> }`: a
 * primitive without a rule does not compile.
 *
 * Adding a primitive: (1) a key here, (2) its rule in `table.ts` (forward
 * kernel call, VJP, JVP, batching rule), (3) its entry in the test registry.
 */
import type { ArgReduceOp, BackendName, CompareOp, DType, RoundOp, ScanOp, Window } from '../backend/index.js';
import type { Shape, Tensor } from '../tensor/index.js';

/** Params of a primitive without parameters. */
export type NoParams = Record<string, never>;

/** The params object of each primitive. */
export interface PrimParams {
  // elementwise, two inputs (same dtype, broadcast)
  add: NoParams;
  sub: NoParams;
  mul: NoParams;
  div: NoParams;
  pow: NoParams;
  // elementwise, one input
  neg: NoParams;
  exp: NoParams;
  log: NoParams;
  sqrt: NoParams;
  sin: NoParams;
  cos: NoParams;
  tanh: NoParams;
  /** Primitive for stability: 1/(1+e^{-x}) overflows e^{-x} for x ≪ 0, and its rule reuses y. */
  sigmoid: NoParams;
  abs: NoParams;
  /** Primitive for accuracy near 0 (log(1+x) loses the digits of small x). */
  log1p: NoParams;
  /** Primitive for accuracy near 0 (e^x − 1 cancels for small x). */
  expm1: NoParams;
  /** Needed by the exact gelu; no composite exists. */
  erf: NoParams;
  sign: NoParams;
  /** asin, acos, atan: primitives with kernels (as composites of atan2 and sqrt they lose digits near ±1). */
  asin: NoParams;
  acos: NoParams;
  atan: NoParams;
  /** Quadrant-aware atan(a / b); a kernel (the composite needs four branches and loses digits for b ≈ 0). */
  atan2: NoParams;
  /** floor, ceil, round (half to even), trunc: one zero-gradient primitive, as PyTorch's derivative. */
  rounding: { readonly op: RoundOp };
  /** remainder (sign of b) and fmod (sign of a): exact kernels, where a − b·floor(a/b) rounds. */
  mod: { readonly op: 'remainder' | 'fmod' };
  // selection and comparison (inputs: [a, b] / [cond, a, b])
  compare: { readonly op: CompareOp };
  where: NoParams;
  /** Primitives for PyTorch's derivative: half the gradient to each input at a tie (and one kernel, not four). */
  maximum: NoParams;
  minimum: NoParams;
  // reductions
  sum: { readonly dims: readonly number[]; readonly keepdim: boolean };
  /**
   * The max or min over `dims` with PyTorch's gradient for `amax`/`amin` and
   * whole-tensor `max`/`min`: split evenly over the tied elements (with
   * `nanPicks`, a NaN result picks the NaN elements).
   */
  extreme: { readonly op: 'max' | 'min'; readonly dims: readonly number[]; readonly keepdim: boolean; readonly nanPicks: boolean };
  argReduce: { readonly op: ArgReduceOp; readonly dim: number; readonly keepdim: boolean };
  /**
   * Inclusive scans along `dim` (from the end when `reverse`: the transpose
   * of a forward cumsum): one kernel per scan, where a composite is O(n²);
   * logsumexp with a running max (stable for large |x|).
   */
  scan: { readonly op: ScanOp; readonly dim: number; readonly reverse: boolean };
  /** The int32 stable sorting permutation along `dim` (NaN largest); values are gathered with it, so their gradient is gather's. */
  sort: { readonly dim: number; readonly descending: boolean };
  // shape and movement (views where possible)
  reshape: { readonly shape: Shape };
  permute: { readonly dims: readonly number[] };
  expand: { readonly shape: Shape };
  /** A strided window: `shape` elements from `start` by `step` along each dim. */
  slice: { readonly start: readonly number[]; readonly step: readonly number[]; readonly shape: Shape };
  /** The adjoint of `slice`: `x` written into a tensor of `shape` filled with `value`. */
  unslice: { readonly shape: Shape; readonly start: readonly number[]; readonly step: readonly number[]; readonly value: number };
  cat: { readonly dim: number };
  // indexing (inputs: [x, index] / [src, index])
  gather: { readonly dim: number };
  scatterAdd: { readonly dim: number; readonly shape: Shape };
  // linear algebra
  matmul: NoParams;
  // dense factorisations over the last two dims (leading dims batch; rules in linalg-rules.ts). Primitives because
  // each is one O(n³) kernel whose derivative is a closed form; as composites they would be loops of scalar ops.
  /** The lower Cholesky factor L of an SPD A (lower triangle read). */
  cholesky: NoParams;
  /** `A⁻¹B` for triangular A (inputs [A, B]). */
  triangularSolve: { readonly upper: boolean; readonly unitriangular: boolean };
  /** `A⁻¹B` by LU with partial pivoting (inputs [A, B]); `check` names the op that throws on a singular A (null: inf/NaN). */
  solve: { readonly check: string | null };
  /** The determinant, with the adjugate as gradient (exact at singular matrices). */
  det: NoParams;
  /** `[sign, log|det|]` packed as a last dim of 2 (from LU: no overflow). */
  slogdet: NoParams;
  /** Reduced QR, packed `[..., k, m+n]` = `[Qᵀ | R]`. */
  qr: NoParams;
  /** The symmetric eigendecomposition (lower triangle read), packed `[..., n+1, n]` = `[λ; V]`. */
  eigh: NoParams;
  /** The reduced SVD, packed `[..., k, m+1+n]` = `[Uᵀ | S | Vh]`. */
  svd: NoParams;
  // sliding windows (conv, pooling): inputs [N, C, ...spatial], 1 or 2 spatial dims
  /** Primitive for speed: all windows in one pass; as slices it is one op, and one input-sized gradient, per kernel tap. */
  im2col: Window;
  /** Primitive for speed, as the transpose of `im2col` (sums overlapping windows back into `[N, C, ...spatial]`). */
  col2im: { readonly window: Window; readonly spatial: Shape };
  // dtype and layout
  cast: { readonly dtype: DType };
  contiguous: NoParams;
  /** A copy onto another backend (`x.to('webgpu')`); its gradient is the copy back to `from`. */
  transfer: { readonly backend: BackendName; readonly from: BackendName };
}

/** The name of a primitive. */
export type Primitive = keyof PrimParams;

/** Which tensors the VJP rule reads: inputs (`x`), output (`y`), both or none. */
export type Save = 'none' | 'x' | 'y' | 'xy';

/** What a rule sees besides the (co)tangents. */
export interface Ctx<P extends Primitive> {
  /** The inputs (in a VJP, empty unless the rule saves `x`). */
  readonly x: readonly Tensor[];
  /** The output (in a VJP, only when the rule saves `y`). */
  readonly y: Tensor;
  /** The params. */
  readonly p: PrimParams[P];
  /** Shapes of the inputs. */
  readonly shapes: readonly Shape[];
  /** Strides of the inputs, when the rule asks for them (`layout`); empty otherwise. */
  readonly strides: readonly (readonly number[])[];
  /** VJP: which inputs need a gradient. JVP: which inputs have a tangent. */
  readonly needs: readonly boolean[];
}

/**
 * An input of a batching rule: the physical `value` at the vmap level being
 * unwrapped and its batch dim there (null: not batched at that level, used as
 * is for every example).
 */
export interface BatchArg {
  readonly value: Tensor;
  readonly bdim: number | null;
}

/** A batching rule's output: the physical value and its batch dim. */
export interface Batched {
  readonly value: Tensor;
  readonly bdim: number;
}

/**
 * The batching rule: the primitive over a batch of examples, as primitives
 * applied once to the physical values (`size`: the batch size). Written with
 * differentiable ops, like the VJP and JVP.
 */
export type BatchRule<P extends Primitive> = (x: readonly BatchArg[], p: PrimParams[P], size: number) => Batched;

/** Forward, VJP, JVP and batching rule of one primitive, side by side. */
export interface Rule<P extends Primitive> {
  /** Computes the output with raw kernels (never recorded). */
  forward(x: readonly Tensor[], p: PrimParams[P]): Tensor;
  /** The tensors `vjp` reads. */
  save: Save;
  /**
   * Which inputs to keep when the rule saves `x`, given which inputs need a
   * gradient (default all): e.g. `mul` needs `b` only for `a`'s gradient.
   * Inputs not kept are null in the VJP's `x`.
   */
  keep?(needs: readonly boolean[]): readonly boolean[];
  /**
   * The VJP reads the inputs' strides (`c.strides`) to choose the layout of
   * its results, even of inputs it does not keep (matmul: a weight used
   * transposed gets its gradient row-major).
   */
  layout?: true;
  /**
   * Cotangents of the inputs from the output's cotangent `g` (null: zero or
   * not needed). Written with differentiable ops. Any broadcasting of the
   * forward is undone by the engine, not here.
   */
  vjp(g: Tensor, c: Ctx<P>): readonly (Tensor | null)[];
  /** The output's tangent from the inputs' tangents (null: zero); null result means zero. */
  jvp(dx: readonly (Tensor | null)[], c: Ctx<P>): Tensor | null;
  /** The batching rule of `vmap` (see `batching.ts` for its kinds). */
  batch: BatchRule<P>;
}

/** The table type: one rule per primitive, checked by the compiler. */
export type RuleTable = { readonly [P in Primitive]: Rule<P> };
