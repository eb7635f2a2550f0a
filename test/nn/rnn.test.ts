/**
 * RNN, LSTM, GRU and their cells against PyTorch 1.13 (test/fixtures/nn/rnn.json, made by
 * tools/goldens/rnn.py): outputs, final states and the gradients of the input, the initial states and
 * every parameter, in float64 (1e-9) and float32 (1e-4); reprs and state-dict keys; a PyTorch LSTM
 * checkpoint in safetensors; finite-difference gradient checks; dropout between layers; errors.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { manualSeed, ones, randn, zeros, type Tensor } from '../../src/index.js';
import { loadSafetensors } from '../../src/io/index.js';
import { gradcheck } from '../../src/check/index.js';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, type AnyModule } from '../../src/nn/index.js';
import { DTYPES, expectClose, load, toState, toT, type FloatDType, type G } from './modules-golden.js';

type Nested = G | Nested[];
type Opts = Record<string, unknown>;

interface Case {
  id: string;
  module: 'RNN' | 'LSTM' | 'GRU' | 'RNNCell' | 'LSTMCell' | 'GRUCell';
  args: [number, number];
  options: Opts;
  state: Record<string, G>;
  input: G;
  hx: G | [G, G] | null;
  out: G | [G, G];
  hN: G | [G, G] | null;
  cotangents: G[];
  grads: { input: G; hx: G | [G, G] | null };
  paramGrads: Record<string, G>;
  repr: string;
  stateDictKeys: string[];
}

const CLASSES = { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell } as const;

function build(name: Case['module'], args: [number, number], options: Opts, dtype?: FloatDType): AnyModule {
  const Cls = CLASSES[name] as unknown as new (i: number, h: number, o: Opts) => AnyModule;
  return new Cls(args[0], args[1], { ...options, ...(dtype ? { dtype } : {}) });
}

function flat(x: unknown): Tensor[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x as Tensor];
}

function flatG(x: Nested | null): G[] {
  return x === null ? [] : Array.isArray(x) ? x.flatMap(flatG) : [x];
}

const data = load<{
  cases: Case[];
  reprs: { module: Case['module']; args: [number, number]; options: Opts; repr: string; stateDict: [string, number[]][] }[];
  checkpoint: { args: [number, number]; options: Opts; input: G; out: G; hN: [G, G] };
}>('rnn');

describe.each(DTYPES)('recurrent layers match PyTorch (%s)', (dtype, tol) => {
  it.each(data.cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const m = build(c.module, c.args, c.options, dtype);
    m.loadStateDict(toState(c.state, dtype));
    const x = toT(c.input, dtype, { requiresGrad: true });
    const hxG = c.hx;
    const hx = hxG === null ? null : Array.isArray(hxG) ? hxG.map((g) => toT(g, dtype, { requiresGrad: true })) : toT(hxG, dtype, { requiresGrad: true });
    const res = hx === null ? m.forward(x) : m.forward(x, hx);
    const cell = c.module.endsWith('Cell');
    const [out, hN] = cell ? [res, null] : (res as [unknown, unknown]);
    const results = [...flat(out), ...(hN === null ? [] : flat(hN))];
    const goldens = [...flatG(c.out), ...flatG(c.hN)];
    expect(results.length).toBe(goldens.length);
    results.forEach((r, i) => expectClose(r, goldens[i]!, tol, `${c.id} result ${i}`));
    results.map((r, i) => r.mul(toT(c.cotangents[i]!, dtype)).sum()).reduce((a, b) => a.add(b)).backward();
    expectClose(x.grad, c.grads.input, tol, `${c.id} input.grad`);
    if (hx !== null) {
      const hs = flat(hx);
      flatG(c.grads.hx).forEach((g, i) => expectClose(hs[i]!.grad, g, tol, `${c.id} hx[${i}].grad`));
    }
    const params = new Map(m.namedParameters());
    expect([...params.keys()]).toEqual(Object.keys(c.paramGrads));
    for (const [name, g] of Object.entries(c.paramGrads)) expectClose(params.get(name)!.grad, g, tol, `${c.id} ${name}.grad`);
  });
});

describe("reprs and state dicts are PyTorch's", () => {
  it.each(data.cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const m = build(c.module, c.args, c.options);
    expect(String(m)).toBe(c.repr);
    expect([...m.stateDict().keys()]).toEqual(c.stateDictKeys);
  });
  it.each(data.reprs.map((r) => [r.repr, r] as const))('%s', (_repr, r) => {
    const m = build(r.module, r.args, r.options);
    expect(String(m)).toBe(r.repr);
    expect([...m.stateDict()].map(([k, t]) => [k, [...t.shape]])).toEqual(r.stateDict);
  });
});

describe('a PyTorch LSTM checkpoint', () => {
  it('loads from safetensors by name and gives the same output', () => {
    const { args, options, input, out, hN } = data.checkpoint;
    const sd = loadSafetensors(fileURLToPath(new URL('../fixtures/nn/torch_lstm.safetensors', import.meta.url)));
    const m = new LSTM(args[0], args[1], options);
    m.loadStateDict(sd);
    const [y, [h, c]] = m.forward(toT(input, 'float32'));
    expectClose(y, out, 1e-5, 'out');
    expectClose(h, hN[0], 1e-5, 'hN');
    expectClose(c, hN[1], 1e-5, 'cN');
  });
});

describe('initialisation', () => {
  it('draws every parameter from U(-1/sqrt(hidden), 1/sqrt(hidden))', () => {
    manualSeed(0);
    const m = new LSTM(30, 25, { numLayers: 2, bidirectional: true, projSize: 7 });
    const bound = 1 / 5;
    const all = m.parameters().flatMap((p) => [...p.toTypedArray()].map(Number));
    expect(Math.max(...all)).toBeLessThanOrEqual(bound);
    expect(Math.min(...all)).toBeGreaterThanOrEqual(-bound);
    expect(Math.max(...all)).toBeGreaterThan(0.95 * bound);
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const variance = all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(variance).toBeCloseTo((2 * bound) ** 2 / 12, 3);
    expect(m.allWeights.map((ws) => ws.length)).toEqual([5, 5, 5, 5]);
  });
});

describe('numeric gradient checks (float64)', () => {
  const opts = { numLayers: 2, bidirectional: true, dtype: 'float64' } as const;
  it('RNN (relu) w.r.t. input and h0', () => {
    manualSeed(1);
    const m = new RNN(2, 3, { ...opts, nonlinearity: 'relu' });
    const x = randn([3, 2, 2], { dtype: 'float64' });
    const h0 = randn([4, 2, 3], { dtype: 'float64' });
    expect(gradcheck((a, b) => m.forward(a!, b!), [x, h0], { name: 'RNN' }).passed).toBe(true);
  });
  it('LSTM with a projection w.r.t. input, h0 and c0', () => {
    manualSeed(2);
    const m = new LSTM(2, 3, { ...opts, projSize: 2, batchFirst: true });
    const x = randn([2, 3, 2], { dtype: 'float64' });
    const h0 = randn([4, 2, 2], { dtype: 'float64' });
    const c0 = randn([4, 2, 3], { dtype: 'float64' });
    expect(gradcheck((a, b, c) => flat(m.forward(a!, [b!, c!])), [x, h0, c0], { name: 'LSTM' }).passed).toBe(true);
  });
  it('GRU w.r.t. input and h0, unbatched', () => {
    manualSeed(3);
    const m = new GRU(2, 3, opts);
    const x = randn([4, 2], { dtype: 'float64' });
    const h0 = randn([4, 3], { dtype: 'float64' });
    expect(gradcheck((a, b) => m.forward(a!, b!), [x, h0], { name: 'GRU' }).passed).toBe(true);
  });
  it('the cells', () => {
    manualSeed(4);
    const x = randn([2, 3], { dtype: 'float64' });
    const h = randn([2, 4], { dtype: 'float64' });
    const c = randn([2, 4], { dtype: 'float64' });
    const lstm = new LSTMCell(3, 4, { dtype: 'float64' });
    const gru = new GRUCell(3, 4, { dtype: 'float64' });
    const rnn = new RNNCell(3, 4, { dtype: 'float64' });
    expect(gradcheck((a, b, d) => lstm.forward(a!, [b!, d!]), [x, h, c], { name: 'LSTMCell' }).passed).toBe(true);
    expect(gradcheck((a, b) => gru.forward(a!, b!), [x, h], { name: 'GRUCell' }).passed).toBe(true);
    expect(gradcheck((a, b) => rnn.forward(a!, b!), [x, h], { name: 'RNNCell' }).passed).toBe(true);
  });
});

describe('dropout between layers', () => {
  it('is applied in training mode only, to every layer but the last', () => {
    const m = new GRU(3, 4, { numLayers: 2, dropout: 0.5, dtype: 'float64' });
    const x = randn([5, 2, 3], { dtype: 'float64' });
    const evalOut = m.eval().forward(x)[0].toArray();
    expect(m.forward(x)[0].toArray()).toEqual(evalOut); // deterministic in eval mode
    manualSeed(7);
    const a = m.train().forward(x)[0].toArray();
    manualSeed(7);
    const b = m.forward(x)[0].toArray();
    expect(a).toEqual(b); // seeded
    expect(a).not.toEqual(evalOut);
    // One layer: dropout has nothing to act on (PyTorch warns and ignores it).
    const one = new GRU(3, 4, { dropout: 0.5, dtype: 'float64' });
    expect(one.train().forward(x)[0].toArray()).toEqual(one.eval().forward(x)[0].toArray());
  });
});

describe('errors', () => {
  it('name the module, the argument and the shapes', () => {
    const lstm = new LSTM(3, 4, { numLayers: 2 });
    expect(() => lstm.forward(zeros([5, 2, 2]))).toThrow('LSTM: input [5,2,2] must have inputSize = 3 features in its last dim');
    expect(() => lstm.forward(zeros([2, 5, 2, 3]))).toThrow('LSTM: expected input to be 2-D (unbatched) or 3-D, got 4-D [2,5,2,3]');
    expect(() => lstm.forward(zeros([5, 2, 3]), [zeros([1, 2, 4]), zeros([2, 2, 4])])).toThrow(
      'LSTM: expected h0 of shape [2,2,4] (numLayers·numDirections, batch, size), got [1,2,4]',
    );
    expect(() => new GRU(3, 4).forward(zeros([5, 3]), zeros([1, 2, 4]))).toThrow(
      'GRU: expected hx of shape [1,4] (numLayers·numDirections, size) for unbatched input, got [1,2,4]',
    );
    expect(() => new RNN(3, 4).forward(zeros([5, 2, 3], { dtype: 'float64' }))).toThrow('RNN: input is float64 but the parameters are float32');
    expect(() => new RNN(3, 4, { nonlinearity: 'sigmoid' as 'relu' })).toThrow("RNN: nonlinearity must be 'tanh' or 'relu', got \"sigmoid\"");
    expect(() => new LSTM(3, 4, { projSize: 4 })).toThrow('LSTM: projSize 4 must be smaller than hiddenSize 4');
    expect(() => new GRU(3, 4, { dropout: 2 })).toThrow('GRU: dropout must be a number in [0, 1], got 2');
    expect(() => new RNN(3, 0)).toThrow('RNN: hiddenSize must be an integer >= 1, got 0');
    expect(() => new LSTMCell(3, 4).forward(ones([2, 3]), [zeros([3, 4]), zeros([2, 4])])).toThrow(
      'LSTMCell: h must be [2,4] for input with batch 2, got [3,4]',
    );
    expect(() => new GRUCell(3, 4).forward(ones([2, 2, 3]))).toThrow('GRUCell: expected input to be 1-D or 2-D, got 3-D [2,2,3]');
  });
});
