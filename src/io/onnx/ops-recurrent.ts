/**
 * `RNN`, `LSTM`, `GRU` and their cells (the traced `recurrent` and
 * `recurrentCell` ops) to ONNX's `RNN`, `LSTM` and `GRU` nodes: one node per
 * layer (both directions in one node when bidirectional), the weights taken
 * from the named parameters and put in ONNX's gate order by Slice + Concat
 * (constant-folded by a runtime), the outputs laid out as PyTorch's. The
 * sequence and batch dims stay dynamic.
 */
import type { Tensor } from '../../tensor/index.js';
import { agree, dimsIn, fail, int, ints, nameIn, node, type Ctx, type Mapping } from './context.js';
import type { Dim } from './graph.js';
import type { AttrValue } from './proto.js';

type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

/** Where each ONNX gate block comes from in PyTorch's layout. */
const GATE_ORDER: Readonly<Record<Mode, readonly number[]>> = {
  RNN_TANH: [0],
  RNN_RELU: [0],
  LSTM: [0, 3, 1, 2], // PyTorch i, f, g, o → ONNX i, o, f, c
  GRU: [1, 0, 2], // PyTorch r, z, n → ONNX z, r, h
};

const OP_TYPE: Readonly<Record<Mode, string>> = { RNN_TANH: 'RNN', RNN_RELU: 'RNN', LSTM: 'LSTM', GRU: 'GRU' };

/** One direction's parameters. */
interface Cell {
  readonly wih: Tensor;
  readonly whh: Tensor;
  readonly bih: Tensor | null;
  readonly bhh: Tensor | null;
}

/** `t` `[G·H, ...]` with its gate blocks in ONNX's order. */
function reorder(c: Ctx, t: Tensor, mode: Mode, h: number): string {
  const w = c.b.nameOf(t);
  const order = GATE_ORDER[mode];
  if (order.length === 1) return w;
  const parts = order.map((g) => node(c, 'Slice', [w, c.b.ints([g * h]), c.b.ints([(g + 1) * h]), c.b.ints([0])]));
  return node(c, 'Concat', parts, { axis: int(0) });
}

/** The per-direction values stacked along a new dim 0. */
function stackDirs(c: Ctx, names: readonly string[]): string {
  const u = names.map((n) => node(c, 'Unsqueeze', [n, c.b.ints([0])]));
  return u.length === 1 ? u[0]! : node(c, 'Concat', u, { axis: int(0) });
}

/** Whether `t` is a constant of zeros (a state the layer made up): ONNX's default initial state then. */
function zeroState(c: Ctx, t: Tensor): boolean {
  return !c.b.has(t) && Array.prototype.every.call(t.toTypedArray(), (v: number) => v === 0);
}

/**
 * One ONNX RNN/GRU/LSTM node over `xs` `[T, N, in]` for `cells` (one per
 * direction) from the initial states `h0`, `c0` (`''`: zeros); returns its
 * outputs `Y [T, D, N, H]`, `Y_h [D, N, H]` (and `Y_c`).
 */
function recurrentNode(c: Ctx, mode: Mode, hidden: number, xs: string, cells: readonly Cell[], h0: string, c0: string): string[] {
  const w = stackDirs(c, cells.map((p) => reorder(c, p.wih, mode, hidden)));
  const r = stackDirs(c, cells.map((p) => reorder(c, p.whh, mode, hidden)));
  const b = cells[0]!.bih === null ? '' : stackDirs(c, cells.map((p) => node(c, 'Concat', [reorder(c, p.bih!, mode, hidden), reorder(c, p.bhh!, mode, hidden)], { axis: int(0) })));
  const attrs: Record<string, AttrValue> = { hidden_size: int(hidden), direction: { kind: 'string', v: cells.length === 2 ? 'bidirectional' : 'forward' } };
  if (mode === 'RNN_TANH' || mode === 'RNN_RELU') attrs.activations = { kind: 'strings', v: cells.map(() => (mode === 'RNN_TANH' ? 'Tanh' : 'Relu')) };
  if (mode === 'GRU') attrs.linear_before_reset = int(1); // PyTorch applies the reset gate to (W_hn h + b_hn)
  const inputs = [xs, w, r, b, '', h0, ...(mode === 'LSTM' ? [c0] : [])];
  while (inputs[inputs.length - 1] === '') inputs.pop();
  return c.b.add(OP_TYPE[mode], inputs, attrs, mode === 'LSTM' ? 3 : 2, c.scope);
}

/** Rows `from .. from + count` of the state input `i` (`[D·L, N, H]`), or `''` for a made-up zero state. */
function stateRows(c: Ctx, i: number, from: number, count: number, batch: Dim): string {
  const t = c.n.inputs[i];
  if (t === null || t === undefined || zeroState(c, t)) return '';
  agree(c, dimsIn(c, i)[1]!, batch, 1);
  return node(c, 'Slice', [nameIn(c, i), c.b.ints([from]), c.b.ints([from + count]), c.b.ints([0])]);
}

/** `RNN`, `LSTM`, `GRU`: inputs `[x [T, N, in], h0, c0 | null, ...(wih, whh, bih, bhh, whr) per layer and direction]`. */
const recurrentOf: Mapping = (c) => {
  const a = c.n.params as { mode: Mode; numLayers: number; bidirectional: boolean; hiddenSize: number; projSize: number; dropout: number };
  const xd = dimsIn(c, 0);
  if (a.dropout > 0) fail(c, `with dropout ${a.dropout} in training mode is not an inference graph; export the module in eval mode`);
  if (a.projSize > 0) {
    // ONNX's LSTM has no projection: the recorded steps are exported, which unroll the sequence.
    if (typeof xd[0] !== 'number') fail(c, `LSTM with projSize ${a.projSize} has no ONNX op (ONNX's LSTM has no projection); exported as its unrolled steps, its sequence length (dim 0 of [T, N, features]) cannot be dynamic`);
    for (const i of [1, 2]) {
      // A made-up zero state follows the batch dim: ConstantOfShape of [L·D, N, size].
      const t = c.n.inputs[i]!;
      if (!zeroState(c, t)) continue;
      const zero = { kind: 'tensor', v: { name: '', dtype: t.dtype, dims: [1], data: new Uint8Array(t.dtype === 'float64' ? 8 : 4) } } as const;
      const dims = [t.shape[0]!, xd[1]!, t.shape[2]!];
      c.b.bind(t, node(c, 'ConstantOfShape', [c.b.shapeTensor(dims)], { value: zero }), dims);
    }
    return 'parts';
  }
  const dirs = a.bidirectional ? 2 : 1;
  const lstm = a.mode === 'LSTM';
  const [t, n] = [xd[0]!, xd[1]!];
  const hs: string[] = [];
  const cs: string[] = [];
  let layerIn = nameIn(c, 0);
  for (let l = 0; l < a.numLayers; l++) {
    const cells = Array.from({ length: dirs }, (_, d): Cell => {
      const k = 3 + 5 * (l * dirs + d);
      const [wih, whh, bih, bhh] = [0, 1, 2, 3].map((j) => c.n.inputs[k + j] ?? null);
      return { wih: wih!, whh: whh!, bih, bhh };
    });
    const h0 = stateRows(c, 1, l * dirs, dirs, n);
    const c0 = lstm ? stateRows(c, 2, l * dirs, dirs, n) : '';
    const outs = recurrentNode(c, a.mode, a.hiddenSize, layerIn, cells, h0, c0);
    // Y [T, D, N, H] → [T, N, D·H]
    layerIn = dirs === 1 ? node(c, 'Squeeze', [outs[0]!, c.b.ints([1])])
      : node(c, 'Reshape', [node(c, 'Transpose', [outs[0]!], { perm: ints([0, 2, 1, 3]) }), c.b.ints([0, 0, -1])]);
    hs.push(outs[1]!);
    if (lstm) cs.push(outs[2]!);
  }
  const states = (names: readonly string[]): string => (names.length === 1 ? names[0]! : node(c, 'Concat', names, { axis: int(0) }));
  c.b.bind(c.n.outputs[0]!, layerIn, [t, n, dirs * a.hiddenSize]);
  c.b.bind(c.n.outputs[1]!, states(hs), [a.numLayers * dirs, n, a.hiddenSize]);
  if (lstm) c.b.bind(c.n.outputs[2]!, states(cs), [a.numLayers * dirs, n, a.hiddenSize]);
};

/** `RNNCell`, `LSTMCell`, `GRUCell`: inputs `[x [N, in], h, c | null, wih, whh, bih, bhh]`, as a one-step sequence. */
const recurrentCellOf: Mapping = (c) => {
  const a = c.n.params as { mode: Mode; hiddenSize: number };
  const n = dimsIn(c, 0)[0]!;
  const cell: Cell = { wih: c.n.inputs[3]!, whh: c.n.inputs[4]!, bih: c.n.inputs[5] ?? null, bhh: c.n.inputs[6] ?? null };
  const state = (i: number): string => {
    const t = c.n.inputs[i];
    if (t === null || t === undefined || zeroState(c, t)) return '';
    agree(c, dimsIn(c, i)[0]!, n, 0);
    return node(c, 'Unsqueeze', [nameIn(c, i), c.b.ints([0])]);
  };
  const xs = node(c, 'Unsqueeze', [nameIn(c, 0), c.b.ints([0])]);
  const outs = recurrentNode(c, a.mode, a.hiddenSize, xs, [cell], state(1), a.mode === 'LSTM' ? state(2) : '');
  c.b.bind(c.n.outputs[0]!, node(c, 'Squeeze', [outs[1]!, c.b.ints([0])]), [n, a.hiddenSize]);
  if (a.mode === 'LSTM') c.b.bind(c.n.outputs[1]!, node(c, 'Squeeze', [outs[2]!, c.b.ints([0])]), [n, a.hiddenSize]);
};

/** The mappings of the recurrent composites. */
export const RECURRENT_COMPOSITES: Readonly<Record<string, Mapping>> = {
  recurrent: recurrentOf,
  recurrentCell: recurrentCellOf,
};
