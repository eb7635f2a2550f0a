// RNN, LSTM, GRU and their cells exported as ONNX's RNN/LSTM/GRU nodes and run in ONNX Runtime against
// adjoint's forward: stacked and bidirectional layers, batch first, given initial states, unbatched input,
// and a dynamic sequence length and batch (example and runs at different sizes).
import { describe, expect, it } from 'vitest';
import { manualSeed, randn, Tensor } from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { exportOnnx, OnnxExportError, type ExportOnnxOptions } from '../../src/io/index.js';
import { checkExport, opTypes } from './onnx-helpers.js';

type Fn = (...xs: Tensor[]) => unknown;

/** Sequence-first axes: x [T, N, F], y [T, N, ·], states [L·D, N, ·]. */
function seqAxes(inputs: string[], outputs: number, batchFirst = false): NonNullable<ExportOnnxOptions['dynamicAxes']> {
  const xAxes = batchFirst ? { 0: 'batch', 1: 'seq' } : { 0: 'seq', 1: 'batch' };
  const axes: Record<string, Record<number, string>> = { [inputs[0]!]: xAxes, output_0: xAxes };
  for (const name of inputs.slice(1)) axes[name] = { 1: 'batch' };
  for (let i = 1; i < outputs; i++) axes[`output_${i}`] = { 1: 'batch' };
  return axes;
}

/** Exports `f` with inputs of `shapes` (T = 5, N = 3 in the example), runs it at two other (T, N). */
async function checkSeq(f: Fn, shapes: (t: number, n: number) => number[][], inputs: string[], outputs: number, batchFirst = false): Promise<string[]> {
  const make = (t: number, n: number): Tensor[] => shapes(t, n).map((s) => randn(s));
  const opts: ExportOnnxOptions = { inputNames: inputs, outputNames: Array.from({ length: outputs }, (_, i) => `output_${i}`), dynamicAxes: seqAxes(inputs, outputs, batchFirst) };
  await checkExport(f as never, make(5, 3), [make(7, 2), make(2, 4)], opts);
  return opTypes(exportOnnx(f as never, make(5, 3), opts));
}

describe('exportOnnx: recurrent layers as ONNX RNN/LSTM/GRU', () => {
  it('LSTM: one layer, zero initial state, dynamic sequence length and batch', async () => {
    manualSeed(11);
    const lstm = new nn.LSTM(4, 6);
    const ops = await checkSeq((x) => lstm.forward(x), (t, n) => [[t, n, 4]], ['x'], 3);
    expect(ops.filter((o) => o === 'LSTM')).toHaveLength(1);
    expect(ops).not.toContain('MatMul'); // not unrolled
  });

  it('LSTM: two layers, bidirectional, batch first, given states', async () => {
    manualSeed(12);
    const lstm = new nn.LSTM(3, 5, { numLayers: 2, bidirectional: true, batchFirst: true });
    const f = (x: Tensor, h0: Tensor, c0: Tensor): unknown => lstm.forward(x, [h0, c0]);
    const ops = await checkSeq(f, (t, n) => [[n, t, 3], [4, n, 5], [4, n, 5]], ['x', 'h0', 'c0'], 3, true);
    expect(ops.filter((o) => o === 'LSTM')).toHaveLength(2);
  });

  it('LSTM without bias, as a module (eval mode), unbatched input', async () => {
    manualSeed(13);
    const lstm = new nn.LSTM(3, 4, { bias: false, numLayers: 2, dropout: 0.5 });
    await checkExport(lstm as never, [randn([6, 3])], [[randn([6, 3])]]);
    await checkExport(lstm as never, [randn([5, 3])], [[randn([8, 3])]], { dynamicAxes: { input: { 0: 'seq' }, output_0: { 0: 'seq' } } });
  });

  it('GRU: stacked, bidirectional, given state; without bias', async () => {
    manualSeed(14);
    const gru = new nn.GRU(4, 5, { numLayers: 2, bidirectional: true });
    const ops = await checkSeq((x, h) => gru.forward(x, h), (t, n) => [[t, n, 4], [4, n, 5]], ['x', 'h0'], 2);
    expect(ops.filter((o) => o === 'GRU')).toHaveLength(2);
    const plain = new nn.GRU(3, 4, { bias: false, batchFirst: true });
    await checkSeq((x) => plain.forward(x), (t, n) => [[n, t, 3]], ['x'], 2, true);
  });

  it('RNN: tanh and relu, stacked and bidirectional', async () => {
    manualSeed(15);
    const tanhRnn = new nn.RNN(3, 4, { numLayers: 3 });
    const ops = await checkSeq((x) => tanhRnn.forward(x), (t, n) => [[t, n, 3]], ['x'], 2);
    expect(ops.filter((o) => o === 'RNN')).toHaveLength(3);
    const reluRnn = new nn.RNN(3, 4, { nonlinearity: 'relu', bidirectional: true, numLayers: 2 });
    await checkSeq((x, h) => reluRnn.forward(x, h), (t, n) => [[t, n, 3], [4, n, 4]], ['x', 'h0'], 2);
  });

  it('LSTM with projSize: exported as its steps at a fixed length; a dynamic length is refused', async () => {
    manualSeed(16);
    const lstm = new nn.LSTM(3, 5, { projSize: 2 });
    await checkExport(lstm as never, [randn([4, 2, 3])], [[randn([4, 3, 3])]], {
      dynamicAxes: { input: { 1: 'batch' }, output_0: { 1: 'batch' }, output_1: { 1: 'batch' }, output_2: { 1: 'batch' } },
    });
    expect(() => exportOnnx(lstm, [randn([4, 2, 3])], { dynamicAxes: { input: { 0: 'seq' } } })).toThrow(OnnxExportError);
    expect(() => exportOnnx(lstm, [randn([4, 2, 3])], { dynamicAxes: { input: { 0: 'seq' } } })).toThrow(
      "exportOnnx: 'recurrent' LSTM with projSize 2 has no ONNX op (ONNX's LSTM has no projection); exported as its unrolled steps, its sequence length (dim 0 of [T, N, features]) cannot be dynamic (traced at",
    );
  });

  it('LSTMCell, GRUCell, RNNCell as one-step nodes, with and without states, dynamic batch', async () => {
    manualSeed(17);
    const batch = (names: string[], outs: number): ExportOnnxOptions => ({
      inputNames: names,
      dynamicAxes: Object.fromEntries([...names, ...Array.from({ length: outs }, (_, i) => (outs === 1 ? 'output' : `output_${i}`))].map((n) => [n, { 0: 'batch' }])),
    });
    const lstm = new nn.LSTMCell(3, 4);
    await checkExport((x: Tensor, h: Tensor, c: Tensor) => lstm.forward(x, [h, c]), [randn([3, 3]), randn([3, 4]), randn([3, 4])],
      [[randn([2, 3]), randn([2, 4]), randn([2, 4])], [randn([5, 3]), randn([5, 4]), randn([5, 4])]], batch(['x', 'h', 'c'], 2));
    expect(opTypes(exportOnnx(lstm, [randn([3, 3])]))).toContain('LSTM');
    const gru = new nn.GRUCell(3, 4);
    await checkExport((x: Tensor, h: Tensor) => gru.forward(x, h), [randn([3, 3]), randn([3, 4])], [[randn([6, 3]), randn([6, 4])]], batch(['x', 'h'], 1));
    await checkExport(gru as never, [randn([3, 3])], [[randn([2, 3])]], batch(['input'], 1));
    const rnn = new nn.RNNCell(3, 4, { nonlinearity: 'relu', bias: false });
    await checkExport(rnn as never, [randn([3, 3])], [[randn([4, 3])]], batch(['input'], 1));
    await checkExport(rnn as never, [randn([3])], [[randn([3])]]); // unbatched
  });

  it('a fixed initial state meets a dynamic batch: refused, not baked', () => {
    manualSeed(18);
    const gru = new nn.GRU(3, 4);
    const h0 = randn([1, 2, 4]);
    expect(() => exportOnnx((x: Tensor) => gru.forward(x, h0), [randn([5, 2, 3])], { dynamicAxes: { input: { 1: 'batch' } } })).toThrow(
      /exportOnnx: 'recurrent' meets the dynamic dim 'batch' with the fixed size 2 of the traced example in dim 1/,
    );
  });
});
