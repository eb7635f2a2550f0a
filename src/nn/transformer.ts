/**
 * `TransformerEncoderLayer`, `TransformerDecoderLayer` and their stacks
 * `TransformerEncoder`, `TransformerDecoder`: PyTorch 1.13's modules (same
 * submodule names, so the same state-dict keys and repr), built on
 * `MultiheadAttention`, `Linear`, `LayerNorm` and `Dropout`; post-norm by
 * default, pre-norm with `normFirst`. PyTorch 2's `bias` option and
 * `isCausal` flags are accepted too.
 */
import { RangeArgError, ShapeError } from '../errors.js';
import { add, gelu, relu } from '../ops/index.js';
import { Tensor } from '../tensor/index.js';
import { MultiheadAttention } from './attention.js';
import { ModuleList } from './containers.js';
import { Dropout, Linear, checkSize, dtypeOf, type DTypeOptions } from './layers.js';
import { Module, type AnyModule } from './module.js';
import { LayerNorm } from './normalization.js';

/** The feed-forward activation: a name, a function of a tensor, or a module (registered as `activation`, as PyTorch). */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor) | Module<[Tensor], Tensor>;

/** Options of `TransformerEncoderLayer` and `TransformerDecoderLayer` (PyTorch's keyword arguments). */
export interface TransformerLayerOptions extends DTypeOptions {
  /** Width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block, and on attention weights (default 0.1). */
  dropout?: number;
  /** Activation of the feed-forward block (default `'relu'`). */
  activation?: TransformerActivation;
  /** `eps` of the layer norms (default 1e-5). */
  layerNormEps?: number;
  /** Inputs and outputs are `[N, L, E]` (default false: `[L, N, E]`). */
  batchFirst?: boolean;
  /** Layer norm before attention and feed-forward (pre-norm; default false: after, as the original paper). */
  normFirst?: boolean;
  /** Biases in the linear layers, the attention projections and the layer norms (default true; PyTorch 2.1). */
  bias?: boolean;
}

/** Options of `TransformerEncoderLayer.forward`. */
export interface EncoderLayerForwardOptions {
  /** `[L, L]` or `[N·nhead, L, L]`: bool (true = may not attend) or additive float. */
  srcMask?: Tensor | null;
  /** `[N, L]` (or `[L]` unbatched): true (or −inf) marks padding positions. */
  srcKeyPaddingMask?: Tensor | null;
  /** Add the causal mask (position i attends to positions j ≤ i). */
  isCausal?: boolean;
}

/** Options of `TransformerDecoderLayer.forward` and `TransformerDecoder.forward`. */
export interface DecoderForwardOptions {
  /** Self-attention mask `[T, T]` or `[N·nhead, T, T]`. */
  tgtMask?: Tensor | null;
  /** Cross-attention mask `[T, S]` or `[N·nhead, T, S]`. */
  memoryMask?: Tensor | null;
  /** `[N, T]`: padding of the target. */
  tgtKeyPaddingMask?: Tensor | null;
  /** `[N, S]`: padding of the memory. */
  memoryKeyPaddingMask?: Tensor | null;
  /** Causal self-attention. */
  tgtIsCausal?: boolean;
  /** Causal cross-attention (target position i sees memory positions j ≤ i). */
  memoryIsCausal?: boolean;
}

/** Options of `TransformerEncoder.forward` (PyTorch's `mask`, `src_key_padding_mask`, `is_causal`). */
export interface EncoderForwardOptions {
  /** The attention mask of every layer. */
  mask?: Tensor | null;
  /** `[N, L]`: padding positions. */
  srcKeyPaddingMask?: Tensor | null;
  /** Causal attention in every layer. */
  isCausal?: boolean;
}

/** Options of `TransformerEncoder` and `TransformerDecoder`. */
export interface TransformerStackOptions {
  /** A final normalization (e.g. a `LayerNorm`), registered as `norm`. */
  norm?: Module<[Tensor], Tensor> | null;
}

interface Resolved {
  dimFeedforward: number;
  dropout: number;
  layerNormEps: number;
  batchFirst: boolean;
  normFirst: boolean;
  bias: boolean;
}

function resolve(op: string, dModel: number, nhead: number, opts: TransformerLayerOptions): Resolved {
  checkSize(op, 'dModel', dModel);
  checkSize(op, 'nhead', nhead);
  const dropout = opts.dropout ?? 0.1;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1)) throw new RangeArgError(op, `dropout must be in [0, 1], got ${String(dropout)}`);
  const layerNormEps = opts.layerNormEps ?? 1e-5;
  if (typeof layerNormEps !== 'number' || !(layerNormEps >= 0)) throw new RangeArgError(op, `layerNormEps must be a number >= 0, got ${String(layerNormEps)}`);
  const bools = ['batchFirst', 'normFirst', 'bias'] as const;
  for (const k of bools) if (opts[k] !== undefined && typeof opts[k] !== 'boolean') throw new RangeArgError(op, `${k} must be a boolean, got ${String(opts[k])}`);
  return {
    dimFeedforward: checkSize(op, 'dimFeedforward', opts.dimFeedforward ?? 2048),
    dropout,
    layerNormEps,
    batchFirst: opts.batchFirst ?? false,
    normFirst: opts.normFirst ?? false,
    bias: opts.bias ?? true,
  };
}

/** The activation as a function; a module is registered as the submodule `activation`. */
function activationOf(op: string, owner: AnyModule, a: TransformerActivation | undefined): (x: Tensor) => Tensor {
  if (a === undefined || a === 'relu') return relu;
  if (a === 'gelu') return (x) => gelu(x);
  if (a instanceof Module) {
    owner.registerModule('activation', a);
    return (x) => a.forward(x);
  }
  if (typeof a === 'function') return a;
  throw new RangeArgError(op, `activation should be 'relu', 'gelu', a function or a module, not ${JSON.stringify(a)}`);
}

/** The parts both layers share: feed-forward block, norms, dropouts, cloning. */
abstract class LayerBase<Args extends unknown[]> extends Module<Args, Tensor> {
  /** Model width. */
  readonly dModel: number;
  /** Attention heads. */
  readonly nhead: number;
  /** Whether inputs are `[N, L, E]`. */
  readonly batchFirst: boolean;
  /** Whether the norms come first (pre-norm). */
  readonly normFirst: boolean;
  /** @internal The constructor options, for clones. */
  readonly _opts: TransformerLayerOptions;
  /** @internal The feed-forward activation. */
  readonly _act: (x: Tensor) => Tensor;
  declare self_attn: MultiheadAttention;
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;

  constructor(op: string, dModel: number, nhead: number, opts: TransformerLayerOptions, decoder: boolean) {
    super();
    const r = resolve(op, dModel, nhead, opts);
    const dtype = dtypeOf(op, opts);
    this.dModel = dModel;
    this.nhead = nhead;
    this.batchFirst = r.batchFirst;
    this.normFirst = r.normFirst;
    this._opts = { ...opts };
    const attn = (): MultiheadAttention => new MultiheadAttention(dModel, nhead, { dropout: r.dropout, bias: r.bias, batchFirst: r.batchFirst, dtype });
    const norm = (): LayerNorm => {
      const n = new LayerNorm(dModel, { eps: r.layerNormEps, dtype });
      if (!r.bias) n.bias = null; // PyTorch 2.1's LayerNorm(bias=False)
      return n;
    };
    this.registerModule('self_attn', attn());
    if (decoder) this.registerModule('multihead_attn', attn());
    this.registerModule('linear1', new Linear(dModel, r.dimFeedforward, { bias: r.bias, dtype }));
    this.registerModule('dropout', new Dropout(r.dropout));
    this.registerModule('linear2', new Linear(r.dimFeedforward, dModel, { bias: r.bias, dtype }));
    const norms = decoder ? 3 : 2;
    for (let i = 1; i <= norms; i++) this.registerModule(`norm${i}`, norm());
    for (let i = 1; i <= norms; i++) this.registerModule(`dropout${i}`, new Dropout(r.dropout));
    this._act = activationOf(op, this, opts.activation);
  }

  /** The feed-forward block `dropout_k(linear2(dropout(act(linear1(x)))))`. */
  protected _ff(x: Tensor, last: Dropout): Tensor {
    return last.forward(this.linear2.forward(this.dropout.forward(this._act(this.linear1.forward(x)))));
  }

  /** `x + f(norm(x))` (pre-norm) or `norm(x + f(x))` (post-norm). */
  protected _block(x: Tensor, norm: LayerNorm, f: (x: Tensor) => Tensor): Tensor {
    return this.normFirst ? add(x, f(norm.forward(x))) : norm.forward(add(x, f(x)));
  }

  /** @internal A deep copy: a new layer with the same options and a copy of the parameters, in the same mode. */
  _clone(): this {
    const Ctor = this.constructor as new (d: number, h: number, o: TransformerLayerOptions) => this;
    const opts = { ...this._opts, dtype: this.linear1.weight.dtype as 'float32' | 'float64' };
    const c = new Ctor(this.dModel, this.nhead, opts);
    c.loadStateDict(this.stateDict());
    return c.train(this.training);
  }
}

function checkInput(op: string, name: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new ShapeError(op, `${name} must be a tensor`);
}

/**
 * A transformer encoder layer: self-attention then a feed-forward block,
 * each with a residual connection, dropout and layer norm (after, or before
 * with `normFirst`). Submodules as PyTorch: `self_attn`, `linear1`,
 * `dropout`, `linear2`, `norm1`, `norm2`, `dropout1`, `dropout2`.
 *
 * @example
 * const layer = new TransformerEncoderLayer(16, 4, { dimFeedforward: 32, batchFirst: true });
 * const y = layer.eval().forward(randn([2, 5, 16]), { isCausal: true }); // [2, 5, 16]
 */
export class TransformerEncoderLayer extends LayerBase<[Tensor, EncoderLayerForwardOptions?]> {
  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super('TransformerEncoderLayer', dModel, nhead, opts, false);
  }

  forward(src: Tensor, opts: EncoderLayerForwardOptions = {}): Tensor {
    checkInput('TransformerEncoderLayer', 'src', src);
    const sa = (x: Tensor): Tensor =>
      this.dropout1.forward(
        this.self_attn.forward(x, x, x, {
          attnMask: opts.srcMask ?? null,
          keyPaddingMask: opts.srcKeyPaddingMask ?? null,
          isCausal: opts.isCausal ?? false,
          needWeights: false,
        })[0],
      );
    const x = this._block(src, this.norm1, sa);
    return this._block(x, this.norm2, (h) => this._ff(h, this.dropout2));
  }
}

/**
 * A transformer decoder layer: self-attention on the target, attention to
 * the encoder's `memory`, then a feed-forward block, each with residual,
 * dropout and layer norm. Submodules as PyTorch: `self_attn`,
 * `multihead_attn`, `linear1`, `dropout`, `linear2`, `norm1..3`, `dropout1..3`.
 *
 * @example
 * const layer = new TransformerDecoderLayer(16, 4, { dimFeedforward: 32 });
 * const y = layer.forward(randn([6, 2, 16]), randn([5, 2, 16]), { tgtIsCausal: true }); // [6, 2, 16]
 */
export class TransformerDecoderLayer extends LayerBase<[Tensor, Tensor, DecoderForwardOptions?]> {
  declare multihead_attn: MultiheadAttention;
  declare norm3: LayerNorm;
  declare dropout3: Dropout;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super('TransformerDecoderLayer', dModel, nhead, opts, true);
  }

  forward(tgt: Tensor, memory: Tensor, opts: DecoderForwardOptions = {}): Tensor {
    checkInput('TransformerDecoderLayer', 'tgt', tgt);
    checkInput('TransformerDecoderLayer', 'memory', memory);
    const sa = (x: Tensor): Tensor =>
      this.dropout1.forward(
        this.self_attn.forward(x, x, x, {
          attnMask: opts.tgtMask ?? null,
          keyPaddingMask: opts.tgtKeyPaddingMask ?? null,
          isCausal: opts.tgtIsCausal ?? false,
          needWeights: false,
        })[0],
      );
    const ca = (x: Tensor): Tensor =>
      this.dropout2.forward(
        this.multihead_attn.forward(x, memory, memory, {
          attnMask: opts.memoryMask ?? null,
          keyPaddingMask: opts.memoryKeyPaddingMask ?? null,
          isCausal: opts.memoryIsCausal ?? false,
          needWeights: false,
        })[0],
      );
    let x = this._block(tgt, this.norm1, sa);
    x = this._block(x, this.norm2, ca);
    return this._block(x, this.norm3, (h) => this._ff(h, this.dropout3));
  }
}

function checkStack(op: string, layer: unknown, Cls: typeof TransformerEncoderLayer | typeof TransformerDecoderLayer, numLayers: number): void {
  if (!(layer instanceof Cls)) throw new RangeArgError(op, `the layer must be a ${Cls.name}`);
  checkSize(op, 'numLayers', numLayers);
}

/**
 * A stack of `numLayers` deep copies of an encoder layer (`layers.0`,
 * `layers.1`, ...), then the optional `norm`.
 *
 * @example
 * const layer = new TransformerEncoderLayer(16, 4, { dimFeedforward: 32 });
 * const enc = new TransformerEncoder(layer, 3, { norm: new LayerNorm(16) });
 * enc.forward(randn([5, 2, 16]), { srcKeyPaddingMask: padding }).shape; // [5, 2, 16]
 */
export class TransformerEncoder extends Module<[Tensor, EncoderForwardOptions?], Tensor> {
  /** Number of layers. */
  readonly numLayers: number;
  declare layers: ModuleList<TransformerEncoderLayer>;
  declare norm: Module<[Tensor], Tensor> | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, opts: TransformerStackOptions = {}) {
    super();
    checkStack('TransformerEncoder', encoderLayer, TransformerEncoderLayer, numLayers);
    this.numLayers = numLayers;
    this.registerModule('layers', new ModuleList(Array.from({ length: numLayers }, () => encoderLayer._clone())));
    this.registerModule('norm', opts.norm ?? null);
  }

  forward(src: Tensor, opts: EncoderForwardOptions = {}): Tensor {
    let x = src;
    const o: EncoderLayerForwardOptions = { srcMask: opts.mask ?? null, srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null, isCausal: opts.isCausal ?? false };
    for (const layer of this.layers) x = layer.forward(x, o);
    return this.norm ? this.norm.forward(x) : x;
  }
}

/**
 * A stack of `numLayers` deep copies of a decoder layer, each attending to
 * the same `memory`, then the optional `norm`.
 *
 * @example
 * const dec = new TransformerDecoder(new TransformerDecoderLayer(16, 4), 2);
 * dec.forward(randn([6, 2, 16]), memory, { tgtIsCausal: true }).shape; // [6, 2, 16]
 */
export class TransformerDecoder extends Module<[Tensor, Tensor, DecoderForwardOptions?], Tensor> {
  /** Number of layers. */
  readonly numLayers: number;
  declare layers: ModuleList<TransformerDecoderLayer>;
  declare norm: Module<[Tensor], Tensor> | null;

  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, opts: TransformerStackOptions = {}) {
    super();
    checkStack('TransformerDecoder', decoderLayer, TransformerDecoderLayer, numLayers);
    this.numLayers = numLayers;
    this.registerModule('layers', new ModuleList(Array.from({ length: numLayers }, () => decoderLayer._clone())));
    this.registerModule('norm', opts.norm ?? null);
  }

  forward(tgt: Tensor, memory: Tensor, opts: DecoderForwardOptions = {}): Tensor {
    let x = tgt;
    for (const layer of this.layers) x = layer.forward(x, memory, opts);
    return this.norm ? this.norm.forward(x) : x;
  }
}
