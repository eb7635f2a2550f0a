// Every adjoint/nn module exported alone, and the digits CNN and MLP of src/cli/train, run in ONNX
// Runtime against adjoint's forward at two batch sizes through a dynamic batch dim.
import { describe, expect, it } from 'vitest';
import { manualSeed, noGrad, randint, randn, Tensor } from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { digitsCnn, mlp } from '../../src/cli/train/models.js';
import { checkExport } from './onnx-helpers.js';

const BATCH = { input: { 0: 'batch' }, output: { 0: 'batch' } };

/** Example at batch 3, runs at batches 2 and 5 (fresh values). */
async function checkModule(m: nn.Module, rest: number[]): Promise<void> {
  await checkExport(m as never, [randn([3, ...rest])], [[randn([2, ...rest])], [randn([5, ...rest])]], { dynamicAxes: BATCH });
}

/** Runs a few training-mode forwards so that batch-norm statistics are not the initial ones. */
function warm(m: nn.Module, shape: number[]): void {
  m.train();
  noGrad(() => { for (let i = 0; i < 3; i++) (m as nn.Module).forward(randn(shape).mul(2).add(1)); });
}

describe('exportOnnx: nn modules in ONNX Runtime', () => {
  const cases: [string, () => nn.Module, number[]][] = [
    ['Linear', () => new nn.Linear(6, 4), [6]],
    ['Linear without bias, 3-D input', () => new nn.Linear(6, 4, { bias: false }), [7, 6]],
    ['Conv1d', () => new nn.Conv1d(3, 4, 3, { padding: 1, stride: 2 }), [3, 9]],
    ['Conv1d same padding, dilation', () => new nn.Conv1d(2, 4, 4, { padding: 'same', dilation: 2 }), [2, 11]],
    ['Conv2d', () => new nn.Conv2d(2, 6, 3, { padding: 1 }), [2, 7, 7]],
    ['Conv2d groups, stride, no bias', () => new nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], groups: 2, bias: false }), [4, 8, 7]],
    ['MaxPool2d', () => new nn.MaxPool2d(2), [3, 6, 6]],
    ['MaxPool2d ceil mode, padding, dilation', () => new nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }), [2, 9, 8]],
    ['AvgPool2d', () => new nn.AvgPool2d(2), [3, 6, 6]],
    ['AvgPool2d padding without pad count, ceil mode', () => new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false, ceilMode: true }), [2, 8, 7]],
    ['AvgPool2d padding with pad count', () => new nn.AvgPool2d(3, { stride: 2, padding: 1 }), [2, 7, 7]],
    ['LayerNorm', () => new nn.LayerNorm([4, 5]), [3, 4, 5]],
    ['LayerNorm without affine', () => new nn.LayerNorm(5, { elementwiseAffine: false }), [5]],
    ['Dropout (eval: identity)', () => new nn.Dropout(0.5), [4]],
    ['Flatten', () => new nn.Flatten(), [2, 3, 4]],
    ['Identity', () => new nn.Identity(), [4]],
    ['ReLU', () => new nn.ReLU(), [5]],
    ['Tanh', () => new nn.Tanh(), [5]],
    ['Sigmoid', () => new nn.Sigmoid(), [5]],
    ['GELU', () => new nn.GELU(), [5]],
    ['GELU tanh', () => new nn.GELU({ approximate: 'tanh' }), [5]],
    ['LeakyReLU', () => new nn.LeakyReLU({ negativeSlope: 0.2 }), [5]],
    ['Softmax', () => new nn.Softmax(-1), [3, 5]],
    ['LogSoftmax', () => new nn.LogSoftmax(1), [5, 3]],
    ['Sequential', () => new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Linear(8, 2)), [4]],
  ];
  for (const [name, make, rest] of cases) {
    it(name, async () => {
      manualSeed(1);
      await checkModule(make(), rest);
    });
  }

  it('BatchNorm1d and BatchNorm2d in eval mode, with trained statistics', async () => {
    manualSeed(2);
    const bn1 = new nn.BatchNorm1d(4);
    warm(bn1, [8, 4]);
    await checkModule(bn1, [4]);
    const bn1d3 = new nn.BatchNorm1d(3, { affine: false });
    warm(bn1d3, [8, 3, 5]);
    await checkModule(bn1d3, [3, 5]);
    const bn2 = new nn.BatchNorm2d(3);
    warm(bn2, [4, 3, 5, 5]);
    await checkModule(bn2, [3, 5, 5]);
    expect(bn2.training).toBe(false); // checkExport ran it in eval mode; exportOnnx put it back as it was
  });

  it('Embedding (int32 indices, dynamic batch)', async () => {
    manualSeed(3);
    const emb = new nn.Embedding(10, 4);
    const ids = (n: number): Tensor => randint(0, 10, [n, 3], { dtype: 'int32' });
    await checkExport(emb as never, [ids(3)], [[ids(2)], [ids(6)]], { dynamicAxes: BATCH });
  });

  it('MultiheadAttention (batch first and not, causal), both outputs', async () => {
    manualSeed(4);
    const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true });
    const self = (x: Tensor): [Tensor, Tensor | null] => mha.forward(x, x, x, { isCausal: true });
    const dyn = { dynamicAxes: { input: { 0: 'batch' }, output_0: { 0: 'batch' }, output_1: { 0: 'batch' } } };
    await checkExport(self, [randn([3, 5, 8])], [[randn([2, 5, 8])], [randn([4, 5, 8])]], dyn);
    const seqFirst = new nn.MultiheadAttention(8, 4);
    const f = (q: Tensor, kv: Tensor): [Tensor, Tensor | null] => seqFirst.forward(q, kv, kv);
    await checkExport(f, [randn([4, 3, 8]), randn([6, 3, 8])], [[randn([4, 2, 8]), randn([6, 2, 8])]], {
      inputNames: ['q', 'kv'], dynamicAxes: { q: { 1: 'batch' }, kv: { 1: 'batch' } },
    });
  });

  it('the digits CNN of src/cli/train (trained batch norms) and its MLP', async () => {
    manualSeed(5);
    const cnn = digitsCnn();
    warm(cnn, [16, 1, 8, 8]);
    await checkModule(cnn, [1, 8, 8]);
    const net = mlp(64, [32, 16], 10, 'tanh');
    await checkModule(net, [64]);
    await checkModule(mlp(64, [32], 10, 'relu'), [64]);
  });

  it('the session declares the given names and the symbolic batch dim', async () => {
    manualSeed(6);
    const s = await checkExport(digitsCnn() as never, [randn([3, 1, 8, 8])], [[randn([7, 1, 8, 8])]], {
      inputNames: ['pixels'], outputNames: ['logits'], dynamicAxes: { pixels: { 0: 'n' }, logits: { 0: 'n' } },
    });
    expect(s.inputNames).toEqual(['pixels']);
    expect(s.outputNames).toEqual(['logits']);
    const meta = (s as unknown as { inputMetadata: { shape: unknown[]; type: string }[]; outputMetadata: { shape: unknown[]; type: string }[] });
    expect(meta.inputMetadata[0]!.shape).toEqual(['n', 1, 8, 8]);
    expect(meta.inputMetadata[0]!.type).toBe('float32');
    expect(meta.outputMetadata[0]!.shape).toEqual(['n', 10]);
  });
});
