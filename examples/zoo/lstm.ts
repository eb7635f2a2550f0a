/**
 * A word-level language model: an embedding, a 2-layer LSTM (batch first)
 * and a linear decoder to the vocabulary, trained with cross-entropy over
 * every next token. Ported from `LSTMLM` in tools/goldens/zoo.py (PyTorch's
 * word_language_model example, narrowed); the keys are PyTorch's
 * (`rnn.weight_ih_l1`...).
 *
 *   const model = build();
 *   const [logits, [h, c]] = model.forward(tokens); // tokens int32 [N, T] → logits [N, T, 12]
 */
import type { Tensor } from 'adjoint';
import * as nn from 'adjoint/nn';

/** The recurrent state `[h, c]`, each `[numLayers, N, nhid]`. */
export type LSTMState = [Tensor, Tensor];

/** Tokens `[N, T]` (int32) to next-token logits `[N, T, ntoken]`, and the final state. */
export class LSTMLM extends nn.Module<[Tensor, (LSTMState | null)?], [Tensor, LSTMState]> {
  encoder: nn.Embedding;
  rnn: nn.LSTM;
  decoder: nn.Linear;
  readonly ntoken: number;

  constructor(ntoken = 12, ninp = 8, nhid = 16, nlayers = 2) {
    super();
    this.encoder = new nn.Embedding(ntoken, ninp);
    this.rnn = new nn.LSTM(ninp, nhid, { numLayers: nlayers, batchFirst: true });
    this.decoder = new nn.Linear(nhid, ntoken);
    this.ntoken = ntoken;
  }

  forward(tokens: Tensor, hidden: LSTMState | null = null): [Tensor, LSTMState] {
    const [output, state] = this.rnn.forward(this.encoder.forward(tokens), hidden);
    return [this.decoder.forward(output), state];
  }
}

/**
 * The zoo's configuration: 12 tokens, 8-dim embeddings, 2 layers of 16 units (4,140 parameters).
 *
 * @example
 * const model = build();
 * const [logits] = model.forward(tokens);
 * F.crossEntropy(logits.reshape([-1, model.ntoken]), targets.reshape([-1])).backward();
 */
export function build(): LSTMLM {
  return new LSTMLM();
}
