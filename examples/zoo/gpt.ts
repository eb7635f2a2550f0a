/**
 * A GPT-style decoder (nanoGPT's, narrowed): token and position embeddings,
 * pre-norm blocks of causal self-attention (one fused `c_attn` projection
 * split with `chunk`) and a GELU MLP, a final layer norm, and an output head
 * whose weight is the token embedding's (weight tying). Ported from `GPT` in
 * tools/goldens/zoo.py; the members keep PyTorch's names so that the state
 * dict keys are PyTorch's (`h.0.attn.c_attn.weight`, `lm_head.weight`...).
 *
 * Attention takes one of two paths, like nanoGPT: `flash` (the default)
 * calls `scaledDotProductAttention(q, k, v, {isCausal: true})`; with
 * `flash = false` it writes the scores out and hides the future with a
 * `triu` mask and `maskedFill`. Both give the same numbers.
 *
 *   const model = build();
 *   const logits = model.forward(idx); // idx int32 [B, T] → [B, T, 16]
 */
import { type Tensor, arange, ones, triu } from 'adjoint';
import * as nn from 'adjoint/nn';
import * as F from 'adjoint/nn/functional';

/** Multi-head causal self-attention over `[B, T, C]`. */
export class CausalSelfAttention extends nn.Module {
  c_attn: nn.Linear;
  c_proj: nn.Linear;
  readonly n_head: number;
  /** Use the fused `scaledDotProductAttention` (else the explicit triu/maskedFill path). */
  flash = true;

  constructor(nEmbd: number, nHead: number) {
    super();
    this.c_attn = new nn.Linear(nEmbd, 3 * nEmbd);
    this.c_proj = new nn.Linear(nEmbd, nEmbd);
    this.n_head = nHead;
  }

  forward(x: Tensor): Tensor {
    const [B, T, C] = x.shape as [number, number, number];
    const nh = this.n_head;
    let [q, k, v] = this.c_attn.forward(x).chunk(3, 2) as [Tensor, Tensor, Tensor];
    q = q.view([B, T, nh, C / nh]).transpose(1, 2);
    k = k.view([B, T, nh, C / nh]).transpose(1, 2);
    v = v.view([B, T, nh, C / nh]).transpose(1, 2);
    let y: Tensor;
    if (this.flash) {
      y = F.scaledDotProductAttention(q, k, v, { isCausal: true });
    } else {
      const att = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(k.shape[k.ndim - 1]!));
      const mask = triu(ones([T, T], { dtype: 'bool', backend: x.backend }), 1);
      y = F.softmax(att.maskedFill(mask, -Infinity), -1).matmul(v);
    }
    y = y.transpose(1, 2).contiguous().view([B, T, C]);
    return this.c_proj.forward(y);
  }
}

/** Linear → GELU → linear, 4x wide. */
export class MLP extends nn.Module {
  c_fc: nn.Linear;
  gelu = new nn.GELU();
  c_proj: nn.Linear;

  constructor(nEmbd: number) {
    super();
    this.c_fc = new nn.Linear(nEmbd, 4 * nEmbd);
    this.c_proj = new nn.Linear(4 * nEmbd, nEmbd);
  }

  forward(x: Tensor): Tensor {
    return this.c_proj.forward(this.gelu.forward(this.c_fc.forward(x)));
  }
}

/** A pre-norm transformer block: `x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`. */
export class Block extends nn.Module {
  ln_1: nn.LayerNorm;
  attn: CausalSelfAttention;
  ln_2: nn.LayerNorm;
  mlp: MLP;

  constructor(nEmbd: number, nHead: number) {
    super();
    this.ln_1 = new nn.LayerNorm(nEmbd);
    this.attn = new CausalSelfAttention(nEmbd, nHead);
    this.ln_2 = new nn.LayerNorm(nEmbd);
    this.mlp = new MLP(nEmbd);
  }

  forward(x: Tensor): Tensor {
    x = x.add(this.attn.forward(this.ln_1.forward(x)));
    return x.add(this.mlp.forward(this.ln_2.forward(x)));
  }
}

/** Sizes of a `GPT`. */
export interface GPTConfig {
  vocabSize: number;
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
}

/** Token indices `[B, T]` (int32, `T ≤ blockSize`) to next-token logits `[B, T, vocabSize]`. */
export class GPT extends nn.Module {
  wte: nn.Embedding;
  wpe: nn.Embedding;
  h: nn.ModuleList<Block>;
  ln_f: nn.LayerNorm;
  lm_head: nn.Linear;

  constructor(config: GPTConfig) {
    super();
    const { vocabSize, blockSize, nLayer, nHead, nEmbd } = config;
    this.wte = new nn.Embedding(vocabSize, nEmbd);
    this.wpe = new nn.Embedding(blockSize, nEmbd);
    this.h = new nn.ModuleList(Array.from({ length: nLayer }, () => new Block(nEmbd, nHead)));
    this.ln_f = new nn.LayerNorm(nEmbd);
    this.lm_head = new nn.Linear(nEmbd, vocabSize, { bias: false });
    this.wte.weight = this.lm_head.weight; // weight tying
  }

  forward(idx: Tensor): Tensor {
    const pos = arange(idx.shape[1]!, { dtype: 'int32', backend: idx.backend });
    let x = this.wte.forward(idx).add(this.wpe.forward(pos));
    for (const block of this.h) x = block.forward(x);
    return this.lm_head.forward(this.ln_f.forward(x));
  }
}

/**
 * The zoo's configuration: 16 tokens, context 8, 2 layers, 2 heads, width 16 (6,976 parameters).
 *
 * @example
 * const model = build();
 * const logits = model.forward(idx);
 * F.crossEntropy(logits.view([-1, logits.shape[2]!]), targets.view([-1])).backward();
 */
export function build(): GPT {
  return new GPT({ vocabSize: 16, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 });
}
