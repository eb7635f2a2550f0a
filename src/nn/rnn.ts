/**
 * `RNN`, `LSTM`, `GRU`: PyTorch's multi-layer recurrent layers with the same
 * arguments, parameter names (`weight_ih_l0`, `bias_hh_l1_reverse`, ...),
 * shapes, initialisation, state layout and repr. Composites: per layer and
 * direction one matmul of the whole input sequence with `weight_ih`, then the
 * recurrence step by step (rnncell.ts), stacked back along time.
 */
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { cat, narrow, reshape, squeeze, stack, traced, transpose, unsqueeze } from '../ops/index.js';
import { Tensor, empty, zeros } from '../tensor/index.js';
import { dropout, linear } from './functional/index.js';
import { checkSize, dtypeOf, type DTypeOptions, type FloatDType } from './layers.js';
import { Module, Parameter } from './module.js';
import { pyBool, pyFloat } from './repr.js';
import {
  checkBool, checkNonlinearity, gruStep, lstmStep, resetRecurrent_, rnnStep, type RNNNonlinearity,
} from './rnncell.js';

/** Options shared by `RNN`, `LSTM` and `GRU` (PyTorch's keyword arguments in camelCase). */
export interface RecurrentOptions extends DTypeOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** `bias_ih_l*` and `bias_hh_l*` (default true). */
  bias?: boolean;
  /** Input and output are `[N, L, features]` (default false: `[L, N, features]`); states are never batch first. */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training mode (default 0). */
  dropout?: number;
  /** A second direction running backwards in time, `_reverse` parameters (default false). */
  bidirectional?: boolean;
}

/** Options of `RNN`. */
export interface RNNOptions extends RecurrentOptions {
  /** `'tanh'` (default) or `'relu'`. */
  nonlinearity?: RNNNonlinearity;
}

/** Options of `LSTM`. */
export interface LSTMOptions extends RecurrentOptions {
  /** Project each hidden state to this size with `weight_hr_l*` (default 0: none); `h` then has `projSize` features. */
  projSize?: number;
}

type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** One layer and direction's parameters. */
interface Cell {
  wih: Parameter;
  whh: Parameter;
  bih: Parameter | null;
  bhh: Parameter | null;
  whr: Parameter | null;
}

/**
 * `t` `[T, ...]` as its T slices along dim 0, each without that dim. Split
 * by halves, so backward (each slice's gradient padded to its parent's
 * shape) costs O(T log T) instead of O(T²).
 */
function timeSteps(t: Tensor): Tensor[] {
  const out: Tensor[] = [];
  const rest = t.shape.slice(1);
  const visit = (x: Tensor): void => {
    const n = x.shape[0]!;
    if (n <= 4) {
      for (let i = 0; i < n; i++) out.push(reshape(narrow(x, 0, i, 1), rest));
      return;
    }
    const half = n >> 1;
    visit(narrow(x, 0, 0, half));
    visit(narrow(x, 0, half, n - half));
  };
  visit(t);
  return out;
}

/** What `RNN`, `LSTM` and `GRU` share: parameters, checks, the layer loop and the repr. */
abstract class RNNBase<Args extends unknown[], Out> extends Module<Args, Out> {
  /** Features of the input. */
  readonly inputSize: number;
  /** Features of the hidden (cell) state. */
  readonly hiddenSize: number;
  /** Stacked layers. */
  readonly numLayers: number;
  /** Whether the biases exist. */
  readonly bias: boolean;
  /** Whether input and output are `[N, L, features]`. */
  readonly batchFirst: boolean;
  /** Dropout between layers in training mode. */
  readonly dropout: number;
  /** Whether there is a backward direction. */
  readonly bidirectional: boolean;
  /** LSTM's projection size (0: none). */
  readonly projSize: number;
  /** @internal */
  readonly _mode: Mode;

  constructor(op: string, mode: Mode, inputSize: number, hiddenSize: number, opts: LSTMOptions) {
    super();
    this._mode = mode;
    this.inputSize = checkSize(op, 'inputSize', inputSize);
    this.hiddenSize = checkSize(op, 'hiddenSize', hiddenSize);
    this.numLayers = checkSize(op, 'numLayers', opts.numLayers ?? 1);
    this.bias = checkBool(op, 'bias', opts.bias, true);
    this.batchFirst = checkBool(op, 'batchFirst', opts.batchFirst, false);
    this.bidirectional = checkBool(op, 'bidirectional', opts.bidirectional, false);
    this.dropout = opts.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout <= 1)) {
      throw new RangeArgError(op, `dropout must be a number in [0, 1], got ${String(opts.dropout)}`);
    }
    this.projSize = checkSize(op, 'projSize', opts.projSize ?? 0, 0);
    if (this.projSize > 0 && mode !== 'LSTM') throw new RangeArgError(op, 'projSize is only supported by LSTM, not by RNN or GRU');
    if (this.projSize >= hiddenSize) throw new RangeArgError(op, `projSize ${this.projSize} must be smaller than hiddenSize ${hiddenSize}`);
    const dtype = dtypeOf(op, opts);
    const gates = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 }[mode] * hiddenSize;
    const real = this.projSize > 0 ? this.projSize : hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    for (let l = 0; l < this.numLayers; l++) {
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const inF = l === 0 ? inputSize : real * dirs;
        const p = (shape: number[]): Parameter => new Parameter(empty(shape, { dtype }));
        this.registerParameter(`weight_ih${sfx}`, p([gates, inF]));
        this.registerParameter(`weight_hh${sfx}`, p([gates, real]));
        if (this.bias) {
          this.registerParameter(`bias_ih${sfx}`, p([gates]));
          this.registerParameter(`bias_hh${sfx}`, p([gates]));
        }
        if (this.projSize > 0) this.registerParameter(`weight_hr${sfx}`, p([this.projSize, hiddenSize]));
      }
    }
    this.resetParameters();
  }

  /** PyTorch's initialisation: every parameter from U(−1/√hiddenSize, 1/√hiddenSize). @example lstm.resetParameters(); */
  resetParameters(): void {
    resetRecurrent_(this.parameters(), this.hiddenSize);
  }

  /**
   * The parameters per layer and direction, in PyTorch's `all_weights` order
   * (`[weight_ih, weight_hh, bias_ih, bias_hh, weight_hr]`, absent ones left out).
   *
   * @example
   * new LSTM(3, 4, { numLayers: 2 }).allWeights.length; // 2
   */
  get allWeights(): Parameter[][] {
    const out: Parameter[][] = [];
    for (let k = 0; k < this.numLayers * this.numDirections; k++) {
      const c = this.cell(k);
      out.push([c.wih, c.whh, c.bih, c.bhh, c.whr].filter((p): p is Parameter => p !== null));
    }
    return out;
  }

  /** 2 when bidirectional, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** @internal The parameters of layer `floor(k / D)`, direction `k % D`. */
  private cell(k: number): Cell {
    const sfx = `_l${Math.floor(k / this.numDirections)}${k % this.numDirections === 1 ? '_reverse' : ''}`;
    const get = (n: string): Parameter | null => this._parameters.get(`${n}${sfx}`) ?? null;
    return { wih: get('weight_ih')!, whh: get('weight_hh')!, bih: get('bias_ih'), bhh: get('bias_hh'), whr: get('weight_hr') };
  }

  /** @internal The dtype of the parameters. */
  private get paramDType(): FloatDType {
    return this._parameters.get('weight_ih_l0')!.dtype as FloatDType;
  }

  /** @internal The input as `[T, N, inputSize]` and whether it was batched. */
  protected _input(op: string, input: Tensor): [Tensor, boolean] {
    if (!(input instanceof Tensor)) throw new DTypeError(op, 'input must be a tensor');
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new ShapeError(op, `expected input to be 2-D (unbatched) or 3-D, got ${input.ndim}-D ${fmtShape(input.shape)}`);
    }
    if (input.dtype !== this.paramDType) throw new DTypeError(op, `input is ${input.dtype} but the parameters are ${this.paramDType}`);
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new ShapeError(op, `input ${fmtShape(input.shape)} must have inputSize = ${this.inputSize} features in its last dim`);
    }
    const batched = input.ndim === 3;
    const x = !batched ? unsqueeze(input, 1) : this.batchFirst ? transpose(input, 0, 1) : input;
    return [x, batched];
  }

  /**
   * @internal An initial state as `[D·numLayers, N, size]` (zeros when
   * absent), checked against PyTorch's expected shape.
   */
  protected _state(op: string, name: string, s: Tensor | null | undefined, n: number, batched: boolean, size: number): Tensor {
    const dtype = this.paramDType;
    const layers = this.numLayers * this.numDirections;
    if (s === null || s === undefined) return zeros([layers, n, size], { dtype, backend: this.cell(0).wih.backend }); // where the module lives
    if (!(s instanceof Tensor)) throw new DTypeError(op, `${name} must be a tensor`);
    const want = batched ? [layers, n, size] : [layers, size];
    if (s.ndim !== want.length || s.shape.some((v, i) => v !== want[i])) {
      const how = batched ? '' : ' for unbatched input';
      throw new ShapeError(op, `expected ${name} of shape ${fmtShape(want)} (numLayers·numDirections, ${batched ? 'batch, ' : ''}size)${how}, got ${fmtShape(s.shape)}`);
    }
    if (s.dtype !== dtype) throw new DTypeError(op, `${name} is ${s.dtype} but the parameters are ${dtype}`);
    return batched ? s : unsqueeze(s, 1);
  }

  /**
   * @internal Runs every layer and direction over `x [T, N, in]` from the
   * states `h0` (and `c0` for LSTM), each `[D·numLayers, N, ·]`; returns the
   * last layer's output `[T, N, D·size]` and the final states. Traced as
   * one op `recurrent` (ONNX exports it as RNN/LSTM/GRU nodes).
   */
  protected _run(x: Tensor, h0: Tensor, c0: Tensor | null): [Tensor, Tensor, Tensor | null] {
    const k = this.numLayers * this.numDirections;
    const params = Array.from({ length: k }, (_, i) => this.cell(i)).flatMap((p) => [p.wih, p.whh, p.bih, p.bhh, p.whr]);
    const attrs = {
      mode: this._mode, numLayers: this.numLayers, bidirectional: this.bidirectional, hiddenSize: this.hiddenSize,
      projSize: this.projSize, dropout: this.training ? this.dropout : 0,
    };
    const out = traced('recurrent', attrs, [x, h0, c0, ...params], () => {
      const [y, hN, cN] = this._steps(x, h0, c0);
      return cN === null ? [y, hN] : [y, hN, cN];
    });
    return [out[0]!, out[1]!, out[2] ?? null];
  }

  /** @internal The body of `_run`. */
  private _steps(x: Tensor, h0: Tensor, c0: Tensor | null): [Tensor, Tensor, Tensor | null] {
    const dirs = this.numDirections;
    const hs = timeSteps(h0);
    const cs = c0 === null ? null : timeSteps(c0);
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    let layerIn = x;
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < dirs; d++) {
        const k = l * dirs + d;
        const p = this.cell(k);
        const steps = timeSteps(linear(layerIn, p.wih, p.bih)); // one matmul for the whole sequence
        const ys = new Array<Tensor>(steps.length);
        let h = hs[k]!;
        let c = cs === null ? null : cs[k]!;
        for (let j = 0; j < steps.length; j++) {
          const t = d === 0 ? j : steps.length - 1 - j;
          if (this._mode === 'LSTM') [h, c] = lstmStep(steps[t]!, h, c!, p.whh, p.bhh, p.whr);
          else if (this._mode === 'GRU') h = gruStep(steps[t]!, h, p.whh, p.bhh);
          else h = rnnStep(steps[t]!, h, p.whh, p.bhh, this._mode === 'RNN_TANH' ? 'tanh' : 'relu');
          ys[t] = h;
        }
        outs.push(stack(ys, 0));
        hN.push(h);
        if (c !== null) cN.push(c);
      }
      layerIn = dirs === 1 ? outs[0]! : cat(outs, 2);
      if (this.training && this.dropout > 0 && l < this.numLayers - 1) layerIn = dropout(layerIn, { p: this.dropout });
    }
    return [layerIn, stack(hN, 0), c0 === null ? null : stack(cN, 0)];
  }

  /** @internal The output in the input's layout. */
  protected _output(y: Tensor, batched: boolean): Tensor {
    return !batched ? squeeze(y, 1) : this.batchFirst ? transpose(y, 0, 1) : y;
  }

  /** @internal A final state in the input's layout. */
  protected _final(s: Tensor, batched: boolean): Tensor {
    return batched ? s : squeeze(s, 1);
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += `, bias=${pyBool(false)}`;
    if (this.batchFirst) s += `, batch_first=${pyBool(true)}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(true)}`;
    return s;
  }
}

/**
 * A multi-layer Elman RNN: `h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ +
 * b_hh)` (or relu). Input `[L, N, inputSize]` (`[N, L, inputSize]` with
 * `batchFirst`, or unbatched `[L, inputSize]`), `hx` `[D·numLayers, N,
 * hiddenSize]` (zeros when absent). Returns `[output, hN]`: the last layer's
 * states at every step, `[L, N, D·hiddenSize]`, and every layer's last state.
 *
 * @example
 * const rnn = new RNN(10, 20, { numLayers: 2 });
 * const [out, hN] = rnn.forward(randn([5, 3, 10]), randn([2, 3, 20]));
 * out.shape; // [5, 3, 20]
 * hN.shape;  // [2, 3, 20]
 */
export class RNN extends RNNBase<[Tensor, (Tensor | null)?], [Tensor, Tensor]> {
  /** `'tanh'` or `'relu'`. */
  readonly nonlinearity: RNNNonlinearity;

  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    const nl = checkNonlinearity('RNN', opts.nonlinearity ?? 'tanh');
    super('RNN', nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts);
    this.nonlinearity = nl;
  }

  forward(input: Tensor, hx: Tensor | null = null): [Tensor, Tensor] {
    const [x, batched] = this._input('RNN', input);
    const h0 = this._state('RNN', 'hx', hx, x.shape[1]!, batched, this.hiddenSize);
    const [y, hN] = this._run(x, h0, null);
    return [this._output(y, batched), this._final(hN, batched)];
  }
}

/**
 * A multi-layer LSTM: gates `i, f, g, o` from `x_t W_ihᵀ + b_ih + h_{t−1}
 * W_hhᵀ + b_hh`; `c_t = f c_{t−1} + i g`, `h_t = o tanh(c_t)` (times
 * `W_hrᵀ` with `projSize`). `forward(input, [h0, c0]?)` returns `[output,
 * [hN, cN]]`; `h` has `projSize || hiddenSize` features, `c` `hiddenSize`.
 *
 * @example
 * const lstm = new LSTM(10, 20, { batchFirst: true, bidirectional: true });
 * const [out, [hN, cN]] = lstm.forward(randn([3, 5, 10]));
 * out.shape; // [3, 5, 40]
 * hN.shape;  // [2, 3, 20]
 */
export class LSTM extends RNNBase<[Tensor, ([Tensor, Tensor] | null)?], [Tensor, [Tensor, Tensor]]> {
  constructor(inputSize: number, hiddenSize: number, opts: LSTMOptions = {}) {
    super('LSTM', 'LSTM', inputSize, hiddenSize, opts);
  }

  forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    const op = 'LSTM';
    const [x, batched] = this._input(op, input);
    if (hx !== null && hx !== undefined && (!Array.isArray(hx) || hx.length !== 2)) throw new DTypeError(op, 'hx must be a pair [h0, c0] of tensors');
    const n = x.shape[1]!;
    const h0 = this._state(op, 'h0', hx?.[0], n, batched, this.projSize > 0 ? this.projSize : this.hiddenSize);
    const c0 = this._state(op, 'c0', hx?.[1], n, batched, this.hiddenSize);
    const [y, hN, cN] = this._run(x, h0, c0);
    return [this._output(y, batched), [this._final(hN, batched), this._final(cN!, batched)]];
  }
}

/**
 * A multi-layer GRU: gates `r, z, n`; `n_t = tanh(x_t W_inᵀ + b_in + r ⊙
 * (h_{t−1} W_hnᵀ + b_hn))`, `h_t = (1 − z) ⊙ n_t + z ⊙ h_{t−1}`, as PyTorch.
 * Same layouts and results as `RNN`.
 *
 * @example
 * const gru = new GRU(8, 16, { numLayers: 2, dropout: 0.1 });
 * const [out, hN] = gru.forward(randn([7, 8])); // unbatched: out [7, 16], hN [2, 16]
 */
export class GRU extends RNNBase<[Tensor, (Tensor | null)?], [Tensor, Tensor]> {
  constructor(inputSize: number, hiddenSize: number, opts: RecurrentOptions = {}) {
    super('GRU', 'GRU', inputSize, hiddenSize, opts);
  }

  forward(input: Tensor, hx: Tensor | null = null): [Tensor, Tensor] {
    const [x, batched] = this._input('GRU', input);
    const h0 = this._state('GRU', 'hx', hx, x.shape[1]!, batched, this.hiddenSize);
    const [y, hN] = this._run(x, h0, null);
    return [this._output(y, batched), this._final(hN, batched)];
  }
}
