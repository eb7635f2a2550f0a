/**
 * `MultiheadAttention`: PyTorch 1.13's `nn.MultiheadAttention` (same
 * parameters under the same names, same masks, same returned weights),
 * written with matmul, softmax and dropout.
 */
import { RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { add, gt, mean, mul, narrow, permute, reshape, softmax, squeeze, transpose, unsqueeze, where } from '../ops/index.js';
import { Tensor, arange, deviceOf, empty } from '../tensor/index.js';
import { dropout, linear } from './functional/index.js';
import { constant_, xavierUniform_ } from './init.js';
import { Linear, checkSize, dtypeOf, type DTypeOptions } from './layers.js';
import { Module, Parameter } from './module.js';

/** Options of `MultiheadAttention`. */
export interface MultiheadAttentionOptions extends DTypeOptions {
  /** Dropout on the attention weights in training mode (default 0). */
  dropout?: number;
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
  /** Inputs and outputs are `[N, L, E]` (default false: `[L, N, E]`, like PyTorch). */
  batchFirst?: boolean;
  /** Features of the keys (default `embedDim`). */
  kdim?: number;
  /** Features of the values (default `embedDim`). */
  vdim?: number;
}

/** Options of `MultiheadAttention.forward`. */
export interface AttentionOptions {
  /**
   * `[N, S]` (or `[S]` unbatched): `true` marks keys to ignore (padding); a
   * float mask is added to the scores.
   */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true); otherwise the second result is null. */
  needWeights?: boolean;
  /**
   * `[L, S]` or `[N·numHeads, L, S]`: `true` marks pairs that may not
   * attend; a float mask is added to the scores.
   */
  attnMask?: Tensor | null;
  /** Average the returned weights over the heads (default true): `[N, L, S]`, else `[N, numHeads, L, S]`. */
  averageAttnWeights?: boolean;
  /** Add the causal mask: query position i attends to key positions j ≤ i only (default false). */
  isCausal?: boolean;
}

/** Masks the scores `[N, H, L, S]` with a bool (true = masked) or an additive float mask broadcastable to them. */
function applyMask(scores: Tensor, mask: Tensor): Tensor {
  return mask.dtype === 'bool' ? where(mask, -Infinity, scores) : add(scores, mask);
}

/**
 * Multi-head attention: `softmax(Q Kᵀ / √d + mask) V` over `numHeads`
 * heads of size `d = embedDim / numHeads`, with input projections
 * `in_proj_weight [3E, E]` / `in_proj_bias [3E]` (or `q_proj_weight`,
 * `k_proj_weight`, `v_proj_weight` when `kdim`/`vdim` differ) and the output
 * projection `out_proj`. Inputs are `[L, N, E]` (queries) and `[S, N, E]`
 * (keys, values), or batch first with `batchFirst`, or unbatched `[L, E]`.
 * Returns `[output, weights]`.
 *
 * @example
 * const mha = new MultiheadAttention(16, 4, { batchFirst: true });
 * const x = randn([2, 5, 16]);
 * const [y, w] = mha.forward(x, x, x, { isCausal: true });
 * y.shape;  // [2, 5, 16]
 * w!.shape; // [2, 5, 5], averaged over heads; zero above the diagonal
 */
export class MultiheadAttention extends Module<[Tensor, Tensor, Tensor, AttentionOptions?], [Tensor, Tensor | null]> {
  /** Model width E. */
  readonly embedDim: number;
  /** Number of heads. */
  readonly numHeads: number;
  /** Width of each head, `embedDim / numHeads`. */
  readonly headDim: number;
  /** Dropout on the attention weights. */
  readonly dropout: number;
  /** Whether inputs are `[N, L, E]`. */
  readonly batchFirst: boolean;
  /** Features of the keys. */
  readonly kdim: number;
  /** Features of the values. */
  readonly vdim: number;
  declare in_proj_weight: Parameter | null;
  declare q_proj_weight: Parameter | null;
  declare k_proj_weight: Parameter | null;
  declare v_proj_weight: Parameter | null;
  declare in_proj_bias: Parameter | null;
  declare out_proj: Linear;

  constructor(embedDim: number, numHeads: number, opts: MultiheadAttentionOptions = {}) {
    super();
    const op = 'MultiheadAttention';
    this.embedDim = checkSize(op, 'embedDim', embedDim);
    this.numHeads = checkSize(op, 'numHeads', numHeads);
    if (embedDim % numHeads !== 0) throw new RangeArgError(op, `embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.dropout = opts.dropout ?? 0;
    if (!(typeof this.dropout === 'number' && this.dropout >= 0 && this.dropout <= 1)) throw new RangeArgError(op, `dropout must be in [0, 1], got ${String(opts.dropout)}`);
    this.batchFirst = opts.batchFirst ?? false;
    this.kdim = checkSize(op, 'kdim', opts.kdim ?? embedDim);
    this.vdim = checkSize(op, 'vdim', opts.vdim ?? embedDim);
    const dtype = dtypeOf(op, opts);
    const e = embedDim;
    if (this.kdim === e && this.vdim === e) {
      this.registerParameter('in_proj_weight', new Parameter(empty([3 * e, e], { dtype })));
    } else {
      this.registerParameter('q_proj_weight', new Parameter(empty([e, e], { dtype })));
      this.registerParameter('k_proj_weight', new Parameter(empty([e, this.kdim], { dtype })));
      this.registerParameter('v_proj_weight', new Parameter(empty([e, this.vdim], { dtype })));
    }
    const bias = opts.bias ?? true;
    this.registerParameter('in_proj_bias', bias ? new Parameter(empty([3 * e], { dtype })) : null);
    this.registerModule('out_proj', new Linear(e, e, { bias, dtype }));
    this.resetParameters();
  }

  /** The output projection (`out_proj`). */
  get outProj(): Linear {
    return this._modules.get('out_proj') as Linear;
  }

  /** `[3E, E]`: the stacked query, key and value projections (`in_proj_weight`), or null with separate ones. */
  get inProjWeight(): Parameter | null {
    return this._parameters.get('in_proj_weight') ?? null;
  }

  /** `[3E]` (`in_proj_bias`), or null without bias. */
  get inProjBias(): Parameter | null {
    return this._parameters.get('in_proj_bias') ?? null;
  }

  /** PyTorch's initialisation: xavier uniform input projections, zero biases. @example mha.resetParameters(); */
  resetParameters(): void {
    for (const name of ['in_proj_weight', 'q_proj_weight', 'k_proj_weight', 'v_proj_weight']) {
      const w = this._parameters.get(name);
      if (w) xavierUniform_(w);
    }
    const b = this._parameters.get('in_proj_bias');
    if (b) constant_(b, 0);
    if (this.outProj.bias) constant_(this.outProj.bias, 0);
  }

  /** The projection weights and biases of q, k and v. */
  private projections(): [Tensor, Tensor | null][] {
    const e = this.embedDim;
    const w = this.inProjWeight;
    const b = this.inProjBias;
    const bias = (i: number): Tensor | null => (b ? narrow(b, 0, i * e, e) : null);
    if (w) return [0, 1, 2].map((i) => [narrow(w, 0, i * e, e), bias(i)]);
    return (['q_proj_weight', 'k_proj_weight', 'v_proj_weight'] as const).map((n, i) => [this._parameters.get(n)!, bias(i)]);
  }

  forward(query: Tensor, key: Tensor, value: Tensor, opts: AttentionOptions = {}): [Tensor, Tensor | null] {
    const op = 'MultiheadAttention';
    for (const [name, t] of [['query', query], ['key', key], ['value', value]] as const) {
      if (!(t instanceof Tensor)) throw new ShapeError(op, `${name} must be a tensor`);
    }
    const batched = query.ndim === 3;
    if (!batched && query.ndim !== 2) throw new ShapeError(op, `query must be 3-D (batched) or 2-D (unbatched), got ${fmtShape(query.shape)}`);
    if (key.ndim !== query.ndim || value.ndim !== query.ndim) {
      throw new ShapeError(op, `query, key and value must all be ${query.ndim}-D, got ${fmtShape(query.shape)}, ${fmtShape(key.shape)}, ${fmtShape(value.shape)}`);
    }
    // Work batch first: [N, L, E].
    const toNLE = (t: Tensor): Tensor => (!batched ? unsqueeze(t, 0) : this.batchFirst ? t : transpose(t, 0, 1));
    const q = toNLE(query);
    const k = toNLE(key);
    const v = toNLE(value);
    const [n, l, e] = q.shape as [number, number, number];
    const s = k.shape[1]!;
    const layout = batched ? (this.batchFirst ? '[N, L, E]' : '[L, N, E]') : '[L, E]';
    if (e !== this.embedDim) throw new ShapeError(op, `query ${fmtShape(query.shape)} must be ${layout} with E = embedDim = ${this.embedDim}`);
    if (k.shape[0] !== n || v.shape[0] !== n || v.shape[1] !== s) {
      throw new ShapeError(op, `key ${fmtShape(key.shape)} and value ${fmtShape(value.shape)} must have the same batch size and length as each other (batch ${n})`);
    }
    if (k.shape[2] !== this.kdim || v.shape[2] !== this.vdim) {
      throw new ShapeError(op, `key features ${k.shape[2]} and value features ${v.shape[2]} must be kdim ${this.kdim} and vdim ${this.vdim}`);
    }
    const h = this.numHeads;
    const d = this.headDim;
    const [[wq, bq], [wk, bk], [wv, bv]] = this.projections() as [[Tensor, Tensor | null], [Tensor, Tensor | null], [Tensor, Tensor | null]];
    const heads = (t: Tensor, len: number): Tensor => permute(reshape(t, [n, len, h, d]), [0, 2, 1, 3]); // [N, H, len, d]
    const qh = heads(mul(linear(q, wq, bq), 1 / Math.sqrt(d)), l);
    const kh = heads(linear(k, wk, bk), s);
    const vh = heads(linear(v, wv, bv), s);
    let scores = qh.matmul(transpose(kh, 2, 3)); // [N, H, L, S]
    for (const mask of this.masks(op, opts, batched, n, l, s)) scores = applyMask(scores, mask);
    let attn = softmax(scores, -1);
    if (this.dropout > 0 && this.training) attn = dropout(attn, { p: this.dropout });
    const ctx = reshape(permute(attn.matmul(vh), [0, 2, 1, 3]), [n, l, e]);
    let out = this.outProj.forward(ctx);
    let weights: Tensor | null = null;
    if (opts.needWeights ?? true) weights = (opts.averageAttnWeights ?? true) ? mean(attn, 1) : attn;
    if (!batched) {
      out = squeeze(out, 0);
      if (weights) weights = squeeze(weights, 0);
    } else if (!this.batchFirst) {
      out = transpose(out, 0, 1);
    }
    return [out, weights];
  }

  /** The masks as tensors broadcastable to the scores `[N, H, L, S]`. */
  private masks(op: string, opts: AttentionOptions, batched: boolean, n: number, l: number, s: number): Tensor[] {
    const out: Tensor[] = [];
    const am = opts.attnMask ?? null;
    if (am !== null) {
      if (!(am instanceof Tensor)) throw new ShapeError(op, 'attnMask must be a tensor');
      if (am.ndim === 2 && am.shape[0] === l && am.shape[1] === s) out.push(am);
      else if (am.ndim === 3 && am.shape[0] === n * this.numHeads && am.shape[1] === l && am.shape[2] === s) out.push(reshape(am, [n, this.numHeads, l, s]));
      else throw new ShapeError(op, `attnMask must be [L, S] = [${l}, ${s}] or [N·numHeads, L, S] = [${n * this.numHeads}, ${l}, ${s}], got ${fmtShape(am.shape)}`);
    }
    const kpm = opts.keyPaddingMask ?? null;
    if (kpm !== null) {
      const want = batched ? [n, s] : [s];
      if (!(kpm instanceof Tensor) || kpm.ndim !== want.length || kpm.shape.some((x, i) => x !== want[i])) {
        throw new ShapeError(op, `keyPaddingMask must be ${fmtShape(want)}, got ${kpm instanceof Tensor ? fmtShape(kpm.shape) : typeof kpm}`);
      }
      out.push(reshape(kpm, [n, 1, 1, s]));
    }
    if (opts.isCausal ?? false) {
      const on = { backend: deviceOf(this.out_proj.weight) };
      out.push(gt(reshape(arange(s, on), [1, s]), reshape(arange(l, on), [l, 1]))); // [L, S]: key j after query i
    }
    return out;
  }
}
