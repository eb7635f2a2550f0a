// Plain functions over each op family exported to ONNX and run in ONNX Runtime; opset variants;
// dynamic dims through reshapes and expands; the typed errors.
import { describe, expect, it } from 'vitest';
import * as ops from '../../src/index.js';
import { manualSeed, randn, randint, tensor, Tensor } from '../../src/index.js';
import * as F from '../../src/nn/functional/index.js';
import * as nn from '../../src/nn/index.js';
import { exportOnnx, OnnxExportError } from '../../src/io/index.js';
import { checkExport } from './onnx-helpers.js';

type Fn = (...xs: Tensor[]) => Tensor | Tensor[];

async function check(f: Fn, shapes: number[][], opts: Parameters<typeof exportOnnx>[2] = {}, runShapes: number[][][] = [shapes]): Promise<void> {
  manualSeed(7);
  await checkExport(f, shapes.map((s) => randn(s)), runShapes.map((ss) => ss.map((s) => randn(s))), opts);
}

describe('exportOnnx: op families in ONNX Runtime', () => {
  it('elementwise arithmetic, unary math, constants', async () => {
    await check((a, b) => ops.add(ops.mul(a, b), 2).sub(ops.div(a, ops.add(ops.abs(b), 1))), [[3, 4], [4]]);
    await check((a) => ops.exp(a).add(ops.sin(a)).add(ops.cos(a)).add(ops.tanh(a)).add(ops.sigmoid(a)).add(ops.neg(a)), [[2, 5]]);
    await check((a) => ops.log(ops.abs(a).add(0.5)).add(ops.sqrt(ops.abs(a))).add(ops.rsqrt(ops.abs(a).add(1))), [[6]]);
    await check((a) => ops.log1p(ops.abs(a)).add(ops.expm1(a)).add(ops.erf(a)).add(ops.sign(a)), [[6]]);
    await check((a) => ops.pow(ops.abs(a), 1.5).add(ops.square(a)).add(ops.reciprocal(ops.abs(a).add(1))), [[6]]);
    await check((a) => a.mul(tensor([1, 2, 3])).add(tensor([[0.5], [1.5]])), [[2, 3]]);
  });

  it('comparisons, where, maximum/minimum, clamp, cast', async () => {
    await check((a, b) => ops.where(ops.gt(a, b), a, b).add(ops.cast(ops.le(a, 0), 'float32')), [[3, 4], [3, 4]]);
    await check((a, b) => [ops.eq(a, a), ops.ne(a, b), ops.lt(a, b), ops.ge(a, b)], [[5], [5]]);
    await check((a, b) => ops.maximum(a, b).add(ops.minimum(a, 0)).add(ops.clamp(a, { min: -0.5, max: 0.5 })), [[4, 2], [2]]);
    await check((a) => ops.cast(ops.cast(a.mul(3), 'int32'), 'float32'), [[6]]);
    // bool branches (ONNX Runtime has no bool Where kernel): a where of masks, and a triu of a bool mask on an input
    await check((a, b) => ops.cast(ops.where(ops.gt(a, 0), ops.lt(b, 0), ops.gt(b, 0.5)), 'float32'), [[3, 4], [4]]);
    await check((a) => ops.maskedFill(a, ops.triu(ops.gt(a, -0.5), 1), 0), [[4, 4]]);
  });

  it('reductions: sum, mean, max, min, prod, var, std, logsumexp, norm, argmax', async () => {
    for (const opset of [17, 18]) {
      const o = { opset };
      await check((a) => [ops.sum(a, 1), ops.mean(a, [0, 2], { keepdim: true }), ops.sum(a)], [[2, 3, 4]], o);
      await check((a) => [ops.amax(a, 1), ops.amin(a, [0, 1], { keepdim: true }), ops.max(a, 1).values, ops.min(a)], [[3, 4]], o);
      await check((a) => [ops.prod(a, 1), ops.variance(a, 1), ops.std(a, 0, { unbiased: false })], [[3, 4]], o);
      await check((a) => [ops.logsumexp(a, 1), ops.logsumexp(a, [0, 1], { keepdim: true }), ops.norm(a, { dim: 1 })], [[3, 4]], o);
    }
    await check((a) => [ops.argmax(a, 1), ops.argmin(a, 0, { keepdim: true })], [[3, 4]]);
  });

  it('shape ops: reshape, transpose, permute, expand, squeeze, unsqueeze, flatten, cat, stack, narrow, slice, pad', async () => {
    await check((a) => ops.reshape(a, [3, -1]).transpose(0, 1).permute([1, 0]).flatten(), [[3, 2, 2]]);
    await check((a) => ops.unsqueeze(a, 1).expand([2, 3, 4]).add(ops.squeeze(ops.unsqueeze(a, 0), 0).unsqueeze(1)), [[2, 4]]);
    await check((a, b) => [ops.cat([a, b, a], 1), ops.stack([a, a], 0)], [[2, 3], [2, 5]]);
    await check((a) => [ops.narrow(a, 1, 1, 2), ops.slice(a, null, [null, null, 2]), ops.slice(a, [1, 3, null], [-3, null, null])], [[4, 5]]);
    await check((a) => ops.pad(a, [1, 2, 0, 1], { value: 3 }), [[2, 3]]);
  });

  it('indexing: gather, indexSelect, embedding, scatterAdd', async () => {
    const idx = tensor([[0, 2], [1, 1], [3, 0]], { dtype: 'int32' });
    await check((a) => ops.gather(a, 1, idx), [[3, 4]]);
    await check((a) => ops.indexSelect(a, 1, tensor([3, 0, 0], { dtype: 'int32' })), [[2, 4]]);
    await check((a) => ops.scatterAdd(ops.zerosLike(a), 1, idx, a), [[3, 4]]);
    manualSeed(8);
    const w = randn([6, 3]);
    const f = (i: Tensor): Tensor => F.embedding(i, w);
    await checkExport(f, [randint(0, 6, [4], { dtype: 'int32' })], [[randint(0, 6, [4], { dtype: 'int32' })]]);
  });

  it('matmul in every arrangement, linear', async () => {
    await check((a, b) => ops.matmul(a, b), [[2, 3], [3, 4]]);
    await check((a, b) => ops.matmul(a, b), [[5, 2, 3], [3]]);
    await check((a, b) => ops.matmul(a, b), [[3], [2, 3, 4]]);
    await check((a, b) => ops.matmul(a, b), [[2, 1, 2, 3], [4, 3, 5]]);
    await check((x, w, b) => F.linear(x, w, b), [[4, 3], [5, 3], [5]]);
  });

  it('linalg.det as Det, batched with a dynamic batch; decompositions are typed errors', async () => {
    await check((a) => ops.linalg.det(a), [[3, 3]]);
    await check((a) => ops.linalg.det(a).mul(2), [[2, 4, 4]], { dynamicAxes: { input: { 0: 'batch' } } }, [[[5, 4, 4]], [[3, 4, 4]]]);
    const spd = (a: Tensor): Tensor => a.matmul(a.transpose(0, 1)).add(ops.eye(3));
    expect(() => exportOnnx((a: Tensor) => ops.linalg.cholesky(spd(a)), [randn([3, 3])])).toThrow(
      /^exportOnnx: 'cholesky' has no ONNX counterpart \(a matrix decomposition or solve; ONNX's linear algebra is MatMul, Gemm, Einsum and Det\) \(traced at /,
    );
    expect(() => exportOnnx((a: Tensor, b: Tensor) => ops.linalg.solve(spd(a), b), [randn([3, 3]), randn([3, 2])])).toThrow(/'solve' has no ONNX counterpart \(a matrix decomposition/);
  });

  it('functional conv, pooling, normalization, activations', async () => {
    await check((x, w) => F.conv2d(x, w, null, { stride: 2, padding: [1, 0], dilation: [1, 2] }), [[2, 3, 9, 9], [4, 3, 3, 3]]);
    await check((x, w, b) => F.conv1d(x, w, b, { padding: 'same' }), [[2, 3, 8], [4, 3, 4], [4]]);
    await check((x) => F.conv2d(x, ops.ones([2, 1, 3, 3])), [[1, 7, 7]]); // unbatched input
    await check((x) => F.maxPool2d(x, [2, 3], { stride: [1, 2], ceilMode: true }), [[1, 2, 5, 7]]);
    await check((x) => F.avgPool2d(x, 2, { divisorOverride: 3 }), [[1, 2, 6, 6]]);
    await check((x, w, b) => F.layerNorm(x, [4], { weight: w, bias: b, eps: 1e-3 }), [[3, 4], [4], [4]]);
    await check((x, m, v) => F.batchNorm(x, m, ops.abs(v).add(0.5)), [[4, 3, 2], [3], [3]]);
    await check((x) => [F.gelu(x), F.gelu(x, { approximate: 'tanh' }), F.leakyRelu(x), F.softplus(x), F.softplus(x, { beta: 2 })], [[3, 5]]);
    await check((x) => [F.gelu(x), F.gelu(x, { approximate: 'tanh' })], [[3, 5]], { opset: 20 });
    await check((x) => [F.softmax(x, 0), F.logSoftmax(x, -1), ops.relu(x)], [[3, 5]]);
  });

  it('dynamic dims flow through reshapes and expands (no baked sizes)', async () => {
    const f = (x: Tensor): Tensor => {
      const [n, l, e] = x.shape as [number, number, number];
      const h = ops.reshape(x, [n, l, 2, e / 2]).permute([0, 2, 1, 3]).reshape([n * 2, l, e / 2]);
      const s = ops.matmul(h, h.transpose(1, 2));
      const rows = ops.unsqueeze(ops.sum(s, 1), 1).expand([n * 2, 3, l]); // [2·batch, 3, seq]
      return ops.cat([s, rows], 1).reshape([n, -1]);
    };
    await check(f, [[3, 5, 4]], { dynamicAxes: { input: { 0: 'batch', 1: 'seq' } } }, [[[2, 7, 4]], [[4, 3, 4]]]);
  });

  it('MultiheadAttention with a dynamic batch and a dynamic sequence length', async () => {
    manualSeed(9);
    const mha = new nn.MultiheadAttention(6, 3, { batchFirst: true });
    const f = (x: Tensor): Tensor => mha.forward(x, x, x)[0];
    await check(f, [[3, 4, 6]], { dynamicAxes: { input: { 0: 'batch', 1: 'seq' } } }, [[[2, 6, 6]], [[5, 2, 6]]]);
  });
});

describe('exportOnnx: errors', () => {
  class Patches extends nn.Module {
    forward(x: Tensor): Tensor {
      return F.unfold(x, 2);
    }
  }

  it('an op without an ONNX counterpart names the op and the module path', () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.ReLU(), new nn.Sequential(new nn.Identity(), new Patches()));
    expect(() => exportOnnx(model, [randn([1, 1, 6, 6])])).toThrow(OnnxExportError);
    expect(() => exportOnnx(model, [randn([1, 1, 6, 6])])).toThrow(
      "exportOnnx: 'im2col' has no ONNX counterpart (sliding windows, as in unfold or a pooling/convolution ONNX has no form of) (traced at 2.1 (Patches))",
    );
    expect(model.training).toBe(true); // the mode is restored after a failed export too
  });

  it('in a plain function, the error names the caller frame', () => {
    function patchify(x: Tensor): Tensor {
      return F.fold(x, [4, 4], 2, { stride: 2 });
    }
    expect(() => exportOnnx(patchify, [randn([1, 4, 4])])).toThrow(/exportOnnx: 'col2im' has no ONNX counterpart .*traced at patchify \(.*onnx-ops\.test\.ts:\d+:\d+\)/);
  });

  it('bad options', () => {
    const f = (x: Tensor): Tensor => x.relu();
    expect(() => exportOnnx(f, [randn([2])], { opset: 16 })).toThrow('exportOnnx: opset must be an integer from 17 to 23, got 16');
    expect(() => exportOnnx(f, [randn([2])], { inputNames: ['a', 'b'] })).toThrow('exportOnnx: inputNames has 2 names for 1 example inputs');
    expect(() => exportOnnx(f, [randn([2])], { dynamicAxes: { x: { 0: 'n' } } })).toThrow("exportOnnx: dynamicAxes names 'x', which is neither an input (input) nor an output (output)");
    expect(() => exportOnnx(f, [randn([1, 3])], { dynamicAxes: { input: { 0: 'n' } } })).toThrow(
      "exportOnnx: dynamic axis 0 ('n') of input 'input' is 1 in the example; use an example size of at least 2",
    );
    expect(() => exportOnnx(f, [randn([2, 3])], { dynamicAxes: { input: { 2: 'n' } } })).toThrow("exportOnnx: dynamicAxes['input'] names axis 2, but input 'input' has shape [2,3]");
  });

  it('a slice from an offset to the end of a dynamic dim is refused, not baked', () => {
    const f = (x: Tensor): Tensor => ops.slice(x, [1, null, null]);
    expect(() => exportOnnx(f, [randn([4, 2])], { dynamicAxes: { input: { 0: 'n' } } })).toThrow(
      /exportOnnx: 'slice' slices the dynamic dim 0 up to its end from an offset \(1\)/,
    );
    expect(() => exportOnnx(f, [randn([4, 2])])).not.toThrow();
  });

  it('a size of the example that meets a dynamic dim is refused, not baked', () => {
    const f = (x: Tensor): Tensor => ops.cat([x, ops.zeros([x.shape[0]!, 1])], 1);
    expect(() => exportOnnx(f, [randn([3, 2])], { dynamicAxes: { input: { 0: 'n' } } })).toThrow(
      "exportOnnx: 'cat' meets the dynamic dim 'n' with the fixed size 3 of the traced example in dim 0 (a size read from a shape, such as x.shape[0], is baked in; derive the tensor from the inputs instead) (traced at",
    );
    const g = (x: Tensor): Tensor => ops.add(x, ops.ones([x.shape[0]!, 1]));
    expect(() => exportOnnx(g, [randn([3, 2])], { dynamicAxes: { input: { 0: 'n' } } })).toThrow(/exportOnnx: 'add' meets the dynamic dim 'n' with the fixed size 3/);
  });

  it('avgPool2d with dilation needs opset 19', () => {
    const f = (x: Tensor): Tensor => F.avgPool2d(x, 2, { dilation: 2 });
    expect(() => exportOnnx(f, [randn([1, 1, 6, 6])])).toThrow("exportOnnx: 'avgPool2d' with dilation [2,2] needs opset 19 or later (AveragePool's dilations), got opset 17");
  });
});
