/**
 * Module reprs and state-dict names against PyTorch's (test/fixtures/nn/repr.json, statedict.json):
 * the same models built in both libraries print the same text and name their tensors alike.
 */
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index.js';
import {
  AvgPool2d, BatchNorm1d, BatchNorm2d, BCEWithLogitsLoss, Conv1d, Conv2d, CrossEntropyLoss, Dropout, Embedding, Flatten,
  GELU, Identity, LayerNorm, LeakyReLU, Linear, LogSoftmax, MaxPool2d, Module, ModuleDict, ModuleList, MSELoss,
  MultiheadAttention, NLLLoss, ReLU, Sequential, Sigmoid, Softmax, Tanh, type AnyModule, type TensorModule,
} from '../../src/nn/index.js';
import { load } from './modules-golden.js';

/** The nested model of tools/goldens/nn.py. */
class Net extends Module {
  features = new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2));
  blocks = new ModuleList([new Linear(4, 4), new LayerNorm(4), new GELU()]);
  heads = new ModuleDict(new Map([['cls', new Linear(4, 10)], ['aux', new Linear(4, 2, { bias: false })]]));
  emb = new Embedding(5, 4, { paddingIdx: 0 });
  norm = new BatchNorm1d(4, { affine: false });
  drop = new Dropout(0.1);

  forward(x: Tensor): Tensor {
    return x;
  }
}

// Losses take (input, target); in a Sequential they are only printed.
const asLayer = (m: AnyModule): TensorModule => m as unknown as TensorModule;

const MODELS: Record<string, () => AnyModule> = {
  mlp: () => new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1)),
  cnn: () => new Sequential(
    new Conv2d(1, 16, 3, { padding: 1 }), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2),
    new Conv2d(16, 32, 3, { padding: 1 }), new ReLU(), new AvgPool2d(2), new Flatten(), new Dropout(0.25),
    new Linear(128, 10), new LogSoftmax(1),
  ),
  zoo: () => new Sequential(
    new Embedding(10, 3, { paddingIdx: 0 }), new LayerNorm(3), new GELU({ approximate: 'tanh' }), new LeakyReLU({ negativeSlope: 0.2 }),
    new Sigmoid(), new Softmax(-1), new Conv1d(4, 8, 3, { stride: 2, dilation: 2, groups: 2, bias: false }),
    new BatchNorm1d(8, { momentum: null, affine: false }), new MaxPool2d([2, 1], { stride: 1, padding: [1, 0], ceilMode: true }),
    new AvgPool2d(3, { stride: 2, padding: 1 }), asLayer(new MSELoss()), asLayer(new CrossEntropyLoss({ labelSmoothing: 0.1 })),
    asLayer(new NLLLoss()), asLayer(new BCEWithLogitsLoss()), new Identity(), new Conv2d(3, 6, [3, 5], { stride: [2, 1], padding: 'valid' }),
    new LayerNorm([2, 3], { eps: 1e-6, elementwiseAffine: false }), new Dropout(), new Flatten({ startDim: 0, endDim: 2 }),
  ),
  net: () => new Net(),
  named: () => new Sequential(new Map<string, TensorModule>([
    ['fc', new Linear(3, 4)], ['act', new ReLU()], ['out', new Sequential(new Linear(4, 2), new LogSoftmax(1))],
  ])),
};

describe("toString() is PyTorch's repr", () => {
  const { models } = load<{ models: Record<string, string> }>('repr');
  it('covers every golden model', () => {
    expect(Object.keys(MODELS).sort()).toEqual(Object.keys(models).sort());
  });
  it.each(Object.entries(models))('%s', (name, repr) => {
    expect(String(MODELS[name]!())).toBe(repr);
  });
  it("prints MultiheadAttention's out_proj as a Linear (PyTorch's class is NonDynamicallyQuantizableLinear)", () => {
    expect(String(new MultiheadAttention(8, 2))).toBe('MultiheadAttention(\n  (out_proj): Linear(in_features=8, out_features=8, bias=True)\n)');
  });
});

describe("state-dict names are PyTorch's", () => {
  const golden = load<{
    stateDict: [string, number[], string][];
    namedParameters: string[];
    namedBuffers: string[];
    namedModules: string[];
  }>('statedict');
  const model = new ModuleDict(new Map<string, AnyModule>([['net', new Net()], ['attn', new MultiheadAttention(4, 2)]])).double();

  it('stateDict keys, shapes and dtypes (int64 counters are int32 here)', () => {
    const sd = model.stateDict();
    expect([...sd].map(([k, t]) => [k, [...t.shape], t.dtype])).toEqual(
      golden.stateDict.map(([k, shape, dtype]) => [k, shape, dtype === 'int64' ? 'int32' : dtype]),
    );
  });

  it('namedParameters, namedBuffers and namedModules', () => {
    expect(model.namedParameters().map(([n]) => n)).toEqual(golden.namedParameters);
    expect(model.namedBuffers().map(([n]) => n)).toEqual(golden.namedBuffers);
    expect(model.namedModules().map(([n]) => n)).toEqual(golden.namedModules);
  });
});
