/**
 * `RNNCell`, `LSTMCell`, `GRUCell`: one step of PyTorch's recurrent cells,
 * and the step functions `RNN`/`LSTM`/`GRU` (rnn.ts) run per time step. All
 * composites of matmul, sigmoid, tanh and narrow: gate order LSTM `i, f, g,
 * o`, GRU `r, z, n` with `b_hn` inside the reset product, as PyTorch.
 */
import { DTypeError, RangeArgError, ShapeError, fmtShape } from '../errors.js';
import { add, mul, narrow, relu, sigmoid, squeeze, sub, tanh, traced, unsqueeze } from '../ops/index.js';
import { Tensor, empty, zeros } from '../tensor/index.js';
import { linear } from './functional/index.js';
import { uniform_ } from './init.js';
import { checkSize, dtypeOf, type DTypeOptions, type FloatDType } from './layers.js';
import { Module, Parameter } from './module.js';
import { pyBool } from './repr.js';

/** The nonlinearity of `RNN` and `RNNCell`. */
export type RNNNonlinearity = 'tanh' | 'relu';

/** @internal `tanh` or `relu`, validated. */
export function checkNonlinearity(op: string, v: unknown): RNNNonlinearity {
  if (v !== 'tanh' && v !== 'relu') throw new RangeArgError(op, `nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(v)}`);
  return v;
}

/** @internal A boolean option, validated. */
export function checkBool(op: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new RangeArgError(op, `${name} must be a boolean, got ${String(v)}`);
  return v;
}

/** @internal Every parameter from U(−1/√hidden, 1/√hidden), PyTorch's `reset_parameters` of the recurrent layers. */
export function resetRecurrent_(params: readonly Tensor[], hiddenSize: number): void {
  const stdv = 1 / Math.sqrt(hiddenSize);
  for (const p of params) uniform_(p, { a: -stdv, b: stdv });
}

// ---- one time step, given the input projection `xw = x W_ihᵀ + b_ih` ----

/** @internal RNN: `h' = act(xw + h W_hhᵀ + b_hh)`. */
export function rnnStep(xw: Tensor, h: Tensor, whh: Tensor, bhh: Tensor | null, nl: RNNNonlinearity): Tensor {
  const pre = add(xw, linear(h, whh, bhh));
  return nl === 'tanh' ? tanh(pre) : relu(pre);
}

/**
 * @internal LSTM: gates `xw + h W_hhᵀ + b_hh` split as `i, f, g, o`;
 * `c' = f c + i g`, `h' = o tanh(c')`, then `h' W_hrᵀ` with a projection.
 */
export function lstmStep(xw: Tensor, h: Tensor, c: Tensor, whh: Tensor, bhh: Tensor | null, whr: Tensor | null): [Tensor, Tensor] {
  const gates = add(xw, linear(h, whh, bhh));
  const n = c.shape[c.ndim - 1]!;
  const d = gates.ndim - 1;
  const i = sigmoid(narrow(gates, d, 0, n));
  const f = sigmoid(narrow(gates, d, n, n));
  const g = tanh(narrow(gates, d, 2 * n, n));
  const o = sigmoid(narrow(gates, d, 3 * n, n));
  const c2 = add(mul(f, c), mul(i, g));
  let h2 = mul(o, tanh(c2));
  if (whr !== null) h2 = linear(h2, whr);
  return [h2, c2];
}

/**
 * @internal GRU: `r = σ(xw_r + hw_r)`, `z = σ(xw_z + hw_z)`,
 * `n = tanh(xw_n + r ⊙ (h W_hnᵀ + b_hn))`, `h' = (1 − z) ⊙ n + z ⊙ h`.
 */
export function gruStep(xw: Tensor, h: Tensor, whh: Tensor, bhh: Tensor | null): Tensor {
  const hw = linear(h, whh, bhh);
  const n = h.shape[h.ndim - 1]!;
  const d = hw.ndim - 1;
  const part = (t: Tensor, k: number): Tensor => narrow(t, d, k * n, n);
  const r = sigmoid(add(part(xw, 0), part(hw, 0)));
  const z = sigmoid(add(part(xw, 1), part(hw, 1)));
  const nn = tanh(add(part(xw, 2), mul(r, part(hw, 2))));
  return add(mul(sub(1, z), nn), mul(z, h));
}

// ---- the cell modules ----

/** Options of `RNNCell`. */
export interface RNNCellOptions extends DTypeOptions {
  /** `bias_ih` and `bias_hh` (default true). */
  bias?: boolean;
  /** `'tanh'` (default) or `'relu'`. */
  nonlinearity?: RNNNonlinearity;
}

/** Options of `LSTMCell` and `GRUCell`. */
export interface GatedCellOptions extends DTypeOptions {
  /** `bias_ih` and `bias_hh` (default true). */
  bias?: boolean;
}

/** The parameters and checks the three cells share. */
abstract class CellBase<Args extends unknown[], Out> extends Module<Args, Out> {
  /** Features of the input. */
  readonly inputSize: number;
  /** Features of the hidden state. */
  readonly hiddenSize: number;
  /** Whether the biases exist. */
  readonly bias: boolean;
  declare weight_ih: Parameter;
  declare weight_hh: Parameter;
  declare bias_ih: Parameter | null;
  declare bias_hh: Parameter | null;

  constructor(op: string, inputSize: number, hiddenSize: number, gates: number, opts: GatedCellOptions) {
    super();
    this.inputSize = checkSize(op, 'inputSize', inputSize);
    this.hiddenSize = checkSize(op, 'hiddenSize', hiddenSize);
    this.bias = checkBool(op, 'bias', opts.bias, true);
    const dtype = dtypeOf(op, opts);
    const g = gates * hiddenSize;
    this.registerParameter('weight_ih', new Parameter(empty([g, inputSize], { dtype })));
    this.registerParameter('weight_hh', new Parameter(empty([g, hiddenSize], { dtype })));
    this.registerParameter('bias_ih', this.bias ? new Parameter(empty([g], { dtype })) : null);
    this.registerParameter('bias_hh', this.bias ? new Parameter(empty([g], { dtype })) : null);
    this.resetParameters();
  }

  /** PyTorch's initialisation: every parameter from U(−1/√hiddenSize, 1/√hiddenSize). @example cell.resetParameters(); */
  resetParameters(): void {
    resetRecurrent_(this.parameters(), this.hiddenSize);
  }

  /** @internal The input as `[N, inputSize]` and whether it was unbatched. */
  protected input(op: string, x: Tensor): [Tensor, boolean] {
    if (!(x instanceof Tensor)) throw new DTypeError(op, 'input must be a tensor');
    if (x.ndim !== 1 && x.ndim !== 2) throw new ShapeError(op, `expected input to be 1-D or 2-D, got ${x.ndim}-D ${fmtShape(x.shape)}`);
    if (x.dtype !== this.weight_ih.dtype) throw new DTypeError(op, `input is ${x.dtype} but the parameters are ${this.weight_ih.dtype}`);
    if (x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(op, `input ${fmtShape(x.shape)} must have ${this.inputSize} (inputSize) features in its last dim`);
    }
    return x.ndim === 1 ? [unsqueeze(x, 0), false] : [x, true];
  }

  /** @internal A state as `[N, hiddenSize]` (zeros when absent), checked against the input. */
  protected state(op: string, name: string, s: Tensor | null | undefined, n: number, batched: boolean): Tensor {
    const dtype = this.weight_ih.dtype as FloatDType;
    if (s === null || s === undefined) return zeros([n, this.hiddenSize], { dtype, backend: this.weight_ih.backend });
    if (!(s instanceof Tensor)) throw new DTypeError(op, `${name} must be a tensor`);
    const want = batched ? [n, this.hiddenSize] : [this.hiddenSize];
    if (s.ndim !== want.length || s.shape.some((v, i) => v !== want[i])) {
      throw new ShapeError(op, `${name} must be ${fmtShape(want)} for input with batch ${batched ? n : '(unbatched)'}, got ${fmtShape(s.shape)}`);
    }
    if (s.dtype !== dtype) throw new DTypeError(op, `${name} is ${s.dtype} but the parameters are ${dtype}`);
    return batched ? s : unsqueeze(s, 0);
  }

  /** @internal One step as one traced op `recurrentCell` (ONNX exports it as a one-step RNN/LSTM/GRU). */
  protected traceStep<T extends Tensor | readonly Tensor[]>(mode: string, x: Tensor, h: Tensor, c: Tensor | null, body: () => T): T {
    const inputs = [x, h, c, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh];
    return traced('recurrentCell', { mode, hiddenSize: this.hiddenSize }, inputs, body);
  }

  /** @internal `x W_ihᵀ + b_ih`. */
  protected project(x: Tensor): Tensor {
    return linear(x, this.weight_ih, this.bias_ih);
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : `, bias=${pyBool(false)}`}`;
  }
}

/**
 * One Elman RNN step: `h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)` (or relu).
 * Input `[N, inputSize]` or unbatched `[inputSize]`; `hx` defaults to zeros.
 *
 * @example
 * const cell = new RNNCell(3, 5);
 * let h = cell.forward(randn([2, 3]));   // [2, 5]
 * h = cell.forward(randn([2, 3]), h);
 */
export class RNNCell extends CellBase<[Tensor, (Tensor | null)?], Tensor> {
  /** `'tanh'` or `'relu'`. */
  readonly nonlinearity: RNNNonlinearity;

  constructor(inputSize: number, hiddenSize: number, opts: RNNCellOptions = {}) {
    super('RNNCell', inputSize, hiddenSize, 1, opts);
    this.nonlinearity = checkNonlinearity('RNNCell', opts.nonlinearity ?? 'tanh');
  }

  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const op = 'RNNCell';
    const [x, batched] = this.input(op, input);
    const h = this.state(op, 'hx', hx, x.shape[0]!, batched);
    const mode = this.nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU';
    const y = this.traceStep(mode, x, h, null, () => rnnStep(this.project(x), h, this.weight_hh, this.bias_hh, this.nonlinearity));
    return batched ? y : squeeze(y, 0);
  }

  override extraRepr(): string {
    return super.extraRepr() + (this.nonlinearity === 'tanh' ? '' : `, nonlinearity=${this.nonlinearity}`);
  }
}

/**
 * One LSTM step; `forward(x, [h, c]?)` returns `[h', c']`. Gates `i, f, g,
 * o` stacked in `weight_ih [4·hidden, input]`, as PyTorch.
 *
 * @example
 * const cell = new LSTMCell(3, 5);
 * const [h, c] = cell.forward(randn([2, 3]));
 * const [h2, c2] = cell.forward(randn([2, 3]), [h, c]);
 */
export class LSTMCell extends CellBase<[Tensor, ([Tensor, Tensor] | null)?], [Tensor, Tensor]> {
  constructor(inputSize: number, hiddenSize: number, opts: GatedCellOptions = {}) {
    super('LSTMCell', inputSize, hiddenSize, 4, opts);
  }

  forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    const op = 'LSTMCell';
    const [x, batched] = this.input(op, input);
    if (hx !== null && hx !== undefined && (!Array.isArray(hx) || hx.length !== 2)) throw new DTypeError(op, 'hx must be a pair [h, c] of tensors');
    const h = this.state(op, 'h', hx?.[0], x.shape[0]!, batched);
    const c = this.state(op, 'c', hx?.[1], x.shape[0]!, batched);
    const [h2, c2] = this.traceStep('LSTM', x, h, c, () => lstmStep(this.project(x), h, c, this.weight_hh, this.bias_hh, null));
    return batched ? [h2, c2] : [squeeze(h2, 0), squeeze(c2, 0)];
  }
}

/**
 * One GRU step: gates `r, z, n` stacked in `weight_ih [3·hidden, input]`;
 * `n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))`, `h' = (1 − z) ⊙ n + z ⊙ h`.
 *
 * @example
 * const cell = new GRUCell(3, 5);
 * const h = cell.forward(randn([2, 3]), zeros([2, 5])); // [2, 5]
 */
export class GRUCell extends CellBase<[Tensor, (Tensor | null)?], Tensor> {
  constructor(inputSize: number, hiddenSize: number, opts: GatedCellOptions = {}) {
    super('GRUCell', inputSize, hiddenSize, 3, opts);
  }

  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    const op = 'GRUCell';
    const [x, batched] = this.input(op, input);
    const h = this.state(op, 'hx', hx, x.shape[0]!, batched);
    const y = this.traceStep('GRU', x, h, null, () => gruStep(this.project(x), h, this.weight_hh, this.bias_hh));
    return batched ? y : squeeze(y, 0);
  }
}
