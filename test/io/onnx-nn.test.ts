// The newer nn modules and functions exported to ONNX and run in ONNX Runtime against adjoint's forward:
// transposed convs, group/instance norm, interpolate/Upsample, adaptive pooling, the newer activations,
// attention and transformer layers, the newer losses, oneHot and einsum. Where an ONNX op exists, the
// test also asserts that the model uses it (not the composite's parts).
import { describe, expect, it } from 'vitest';
import { argsort, cast, cumprod, cumsum, einsum, manualSeed, noGrad, randint, randn, sort, tensor, Tensor, topk } from '../../src/index.js';
import * as F from '../../src/nn/functional/index.js';
import * as nn from '../../src/nn/index.js';
import { exportOnnx, OnnxExportError, type ExportOnnxOptions } from '../../src/io/index.js';
import { checkExport, opTypes } from './onnx-helpers.js';

type Fn = (...xs: Tensor[]) => Tensor | Tensor[];
const BATCH = { input: { 0: 'batch' }, output: { 0: 'batch' } };

/** Exports `f` over inputs of `shapes`, compares with ONNX Runtime on fresh inputs of `runShapes`; returns the op types. */
async function check(f: Fn | nn.AnyModule, shapes: number[][], opts: ExportOnnxOptions = {}, runShapes: number[][][] = [shapes]): Promise<string[]> {
  manualSeed(21);
  await checkExport(f as never, shapes.map((s) => randn(s)), runShapes.map((ss) => ss.map((s) => randn(s))), opts);
  return opTypes(exportOnnx(f as never, shapes.map((s) => randn(s)), opts));
}

/** A module at batch 3, run at batches 2 and 5 through a dynamic batch dim. */
async function checkModule(m: nn.AnyModule, rest: number[], opts: ExportOnnxOptions = {}): Promise<string[]> {
  return check(m, [[3, ...rest]], { dynamicAxes: BATCH, ...opts }, [[[2, ...rest]], [[5, ...rest]]]);
}

describe('exportOnnx: newer modules in ONNX Runtime', () => {
  it('ConvTranspose1d and ConvTranspose2d (stride, padding, outputPadding, dilation, groups) as ConvTranspose', async () => {
    manualSeed(22);
    expect(await checkModule(new nn.ConvTranspose1d(4, 3, 3, { stride: 2, padding: 1, outputPadding: 1 }), [4, 6])).toContain('ConvTranspose');
    await checkModule(new nn.ConvTranspose2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2, bias: false }), [4, 5, 4]);
    await checkModule(new nn.ConvTranspose2d(2, 2, 4, { stride: 3, outputPadding: 2 }), [2, 3, 3]);
    const ops = await check((x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1 }), [[1, 3, 4, 4], [3, 2, 3, 3], [2]]);
    expect(ops).not.toContain('MatMul');
    await check((x, w) => F.convTranspose1d(x, w), [[3, 5], [3, 2, 2]]); // unbatched
  });

  it('GroupNorm: GroupNormalization-21 at opset 21, -18 (per-group scale) plus the affine at 18, InstanceNormalization parts at 17', async () => {
    manualSeed(23);
    const gn = new nn.GroupNorm(2, 6);
    noGrad(() => { gn.weight!.copy_(randn([6])); gn.bias!.copy_(randn([6])); }); // per-channel, not per-group, values
    expect(await checkModule(gn, [6, 4, 3], { opset: 21 })).toContain('GroupNormalization');
    expect(await checkModule(gn, [6, 4, 3], { opset: 18 })).toContain('GroupNormalization');
    const at17 = await checkModule(gn, [6, 4, 3]);
    expect(at17).toContain('InstanceNormalization');
    expect(at17).not.toContain('ReduceMean');
    for (const opset of [17, 18, 21]) await check((x) => F.groupNorm(x, 3, { eps: 1e-3 }), [[2, 6, 5]], { opset });
  });

  it('InstanceNorm with the input statistics (InstanceNormalization) and with running statistics (BatchNormalization)', async () => {
    manualSeed(24);
    expect(await checkModule(new nn.InstanceNorm2d(3, { affine: true }), [3, 4, 5])).toContain('InstanceNormalization');
    const tracked = new nn.InstanceNorm1d(3, { trackRunningStats: true });
    tracked.train();
    noGrad(() => { for (let i = 0; i < 3; i++) tracked.forward(randn([4, 3, 6]).mul(2).add(1)); });
    expect(await checkModule(tracked, [3, 6])).toContain('BatchNormalization');
    await check((x, w, b) => F.instanceNorm(x, { weight: w, bias: b, eps: 1e-3 }), [[2, 3, 7], [3], [3]]);
  });

  it('interpolate and Upsample as Resize: nearest (PyTorch 1.13 index rule), bilinear with and without alignCorners', async () => {
    manualSeed(25);
    const resized = async (f: Fn, shape: number[], opts: ExportOnnxOptions = {}, runs?: number[][][]): Promise<void> => {
      const ops = await check(f, [shape], opts, runs);
      expect(ops).toContain('Resize');
      expect(ops).not.toContain('Gather');
    };
    await resized((x) => F.interpolate(x, { scaleFactor: 2 }), [2, 3, 4, 5]);
    await resized((x) => F.interpolate(x, { scaleFactor: 3 }), [1, 2, 5]);
    await resized((x) => F.interpolate(x, { size: [7, 3] }), [1, 2, 4, 5]);
    await resized((x) => F.interpolate(x, { scaleFactor: [1.5, 0.5] }), [1, 2, 4, 6]);
    await resized((x) => F.interpolate(x, { size: [7, 9], mode: 'bilinear' }), [1, 2, 4, 5]);
    await resized((x) => F.interpolate(x, { size: [7, 9], mode: 'bilinear', alignCorners: true }), [1, 2, 4, 5]);
    await resized((x) => F.interpolate(x, { scaleFactor: 1.5, mode: 'bilinear' }), [2, 1, 4, 6]);
    await resized((x) => F.interpolate(x, { size: [1, 3], mode: 'bilinear' }), [1, 2, 4, 5]); // output size 1: the centre, half_pixel
    await resized((x) => F.interpolate(x, { size: [1, 3], mode: 'bilinear', alignCorners: true }), [1, 2, 4, 5]);
    // dynamic batch and spatial dims with an integer factor
    const dyn = { dynamicAxes: { input: { 0: 'n', 2: 'h', 3: 'w' } } };
    await resized((x) => F.interpolate(x, { scaleFactor: 2 }), [2, 3, 4, 5], dyn, [[[3, 3, 6, 7]], [[2, 3, 5, 2]]]);
    await resized((x) => F.interpolate(x, { scaleFactor: 2, mode: 'bilinear' }), [2, 3, 4, 5], dyn, [[[3, 3, 6, 7]]]);
    await resized((x) => F.interpolate(x, { size: [6, 6], mode: 'bilinear' }), [2, 3, 4, 5], dyn, [[[3, 3, 9, 7]]]);
    expect(await checkModule(new nn.Upsample({ scaleFactor: 2, mode: 'bilinear', alignCorners: true }), [2, 3, 3])).toContain('Resize');
    await checkModule(new nn.Upsample({ size: [5, 5] }), [2, 3, 3]);
  });

  it('interpolate: a nearest rule Resize cannot reproduce is exported as its gathers; over dynamic sizes it is refused', async () => {
    manualSeed(26);
    // 31 · 2.3 → 71: neither Resize's float32 scale 2.3 (output size 71.3 → 71, but other indices) nor 71/31 gives PyTorch's ⌊i·fl(1/2.3)⌋
    const ops = await check((x) => F.interpolate(x, { scaleFactor: 2.3 }), [[1, 2, 31]]);
    expect(ops).toContain('Gather');
    const f = (x: Tensor): Tensor => F.interpolate(x, { scaleFactor: 1.5 });
    expect(() => exportOnnx(f, [randn([1, 2, 4, 4])], { dynamicAxes: { input: { 2: 'h' } } })).toThrow(
      "exportOnnx: 'interpolate' (nearest) over the dynamic spatial size [4,4] exports only with an integer scaleFactor whose index rule Resize reproduces for every size, got scaleFactor [1.5,1.5] (traced at",
    );
  });

  it('adaptive pooling: global pools for output 1, fixed pools when the sizes divide, parts otherwise', async () => {
    manualSeed(27);
    const dynHw = { dynamicAxes: { input: { 0: 'n', 2: 'h', 3: 'w' } } };
    expect(await check((x) => F.adaptiveAvgPool2d(x, 1), [[2, 3, 5, 4]], dynHw, [[[3, 3, 7, 2]]])).toContain('GlobalAveragePool');
    expect(await check((x) => F.adaptiveMaxPool2d(x, 1), [[2, 3, 5, 4]], dynHw, [[[3, 3, 7, 2]]])).toContain('GlobalMaxPool');
    expect(await checkModule(new nn.AdaptiveAvgPool2d([2, 3]), [3, 4, 6])).toContain('AveragePool');
    expect(await checkModule(new nn.AdaptiveMaxPool2d([2, 3]), [3, 4, 6])).toContain('MaxPool');
    await check((x) => F.adaptiveAvgPool2d(x, [2, null]), [[3, 4, 6]]); // unbatched
    await check((x) => [F.adaptiveAvgPool2d(x, [3, 4]), F.adaptiveMaxPool2d(x, [3, 4])], [[2, 3, 7, 9]]); // uneven windows: parts
    await check((x) => F.adaptiveMaxPool2d(x, [2, 2], { returnIndices: true }), [[1, 2, 5, 4]]);
    const f = (x: Tensor): Tensor => F.adaptiveAvgPool2d(x, 2);
    expect(() => exportOnnx(f, [randn([1, 2, 4, 4])], { dynamicAxes: { input: { 3: 'w' } } })).toThrow(OnnxExportError);
    expect(() => exportOnnx(f, [randn([1, 2, 4, 4])], { dynamicAxes: { input: { 3: 'w' } } })).toThrow(
      "exportOnnx: 'adaptiveAvgPool2d' to output size [2, 2] over the dynamic input size [4, 4] (in the example) has windows that depend on the input size; only output size [1, 1] (GlobalAveragePool) exports with a dynamic H or W",
    );
  });

  it('the newer activations: ONNX ops where they exist, parts otherwise', async () => {
    manualSeed(28);
    const x = (): Tensor => randn([4, 6]).mul(4);
    const acts: [Fn, string | null][] = [
      [(t) => F.elu(t, { alpha: 0.7 }), 'Elu'], [(t) => F.selu(t), 'Selu'], [(t) => F.celu(t, { alpha: 1.5 }), 'Celu'],
      [(t) => F.hardtanh(t, { minVal: -2, maxVal: 1.5 }), 'Clip'], [(t) => F.relu6(t), 'Clip'], [(t) => F.hardsigmoid(t), 'HardSigmoid'],
      [(t) => F.hardswish(t), 'HardSwish'], [(t) => F.softsign(t), 'Softsign'], [(t) => F.silu(t), null], [(t) => F.logsigmoid(t), null],
      [(t) => F.mish(t), null],
    ];
    for (const [f, op] of acts) {
      await checkExport(f, [x()], [[x()], [x()]]);
      if (op !== null) expect(opTypes(exportOnnx(f, [x()]))).toContain(op);
    }
    expect(opTypes(exportOnnx((t: Tensor) => F.mish(t), [x()], { opset: 18 }))).toEqual(['Mish', 'Identity']);
    await checkExport((t: Tensor) => F.mish(t), [x()], [[x()]], { opset: 18 });
    const mods = new nn.Sequential(new nn.SiLU(), new nn.ELU(), new nn.Hardswish(), new nn.ReLU6(), new nn.Hardsigmoid(), new nn.Softsign(), new nn.LogSigmoid());
    await checkModule(mods, [5]);
  });

  it('scaledDotProductAttention, TransformerEncoderLayer and TransformerDecoderLayer as their parts', async () => {
    manualSeed(29);
    const keep = tensor([[1, 0, 1, 1], [1, 1, 0, 1], [0, 1, 1, 1]], { dtype: 'bool' });
    const bias = randn([3, 4]);
    await check((q, k, v) => [F.scaledDotProductAttention(q, k, v), F.scaledDotProductAttention(q, k, v, { attnMask: keep }), F.scaledDotProductAttention(q, k, v, { attnMask: bias })],
      [[2, 2, 3, 5], [2, 2, 4, 5], [2, 2, 4, 6]]);
    await check((q) => F.scaledDotProductAttention(q, q, q, { isCausal: true, scale: 0.3 }), [[3, 4, 5]], { dynamicAxes: { input: { 0: 'n' } } }, [[[5, 4, 5]]]);
    await checkModule(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true }), [4, 8]);
    await checkModule(new nn.TransformerEncoderLayer(8, 4, { dimFeedforward: 12, normFirst: true, activation: 'gelu', batchFirst: true }), [3, 8]);
    const dec = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16 }).eval(); // called from a function: not put in eval by exportOnnx
    await checkExport((t: Tensor, m: Tensor) => dec.forward(t, m), [randn([3, 2, 8]), randn([5, 2, 8])], [[randn([3, 4, 8]), randn([5, 4, 8])]], {
      inputNames: ['tgt', 'memory'], dynamicAxes: { tgt: { 1: 'batch' }, memory: { 1: 'batch' }, output: { 1: 'batch' } },
    });
  });

  it('the newer losses and distances as their parts', async () => {
    manualSeed(30);
    await check((a, b) => [F.l1Loss(a, b), F.smoothL1Loss(a, b, { beta: 0.5 }), F.huberLoss(a, b, { delta: 0.7, reduction: 'sum' }), F.l1Loss(a, b, { reduction: 'none' })], [[3, 4], [3, 4]]);
    await check((a, b) => [F.klDiv(F.logSoftmax(a, 1), F.softmax(b, 1), { reduction: 'batchmean' }), F.binaryCrossEntropy(a.sigmoid(), b.sigmoid())], [[3, 4], [3, 4]]);
    await check((a, b) => [F.cosineSimilarity(a, b), F.pairwiseDistance(a, b)], [[3, 4], [3, 4]]);
    const target = tensor([0, 2, 1], { dtype: 'int32' });
    const weight = tensor([0.5, 2, 1]);
    await check((a) => [F.crossEntropy(a, target, { weight }), F.nllLoss(F.logSoftmax(a, 1), target, { weight })], [[3, 3]]);
    await checkModule(new nn.Sequential(new nn.Linear(4, 3), new nn.Softsign()), [4]);
  });

  it('oneHot as OneHot, einsum as Einsum', async () => {
    manualSeed(31);
    const ids = (n: number): Tensor => randint(0, 5, [n, 3], { dtype: 'int32' });
    await checkExport((i: Tensor) => F.oneHot(i, 5), [ids(3)], [[ids(2)], [ids(6)]], { dynamicAxes: BATCH });
    expect(opTypes(exportOnnx((i: Tensor) => F.oneHot(i, 5), [ids(3)]))).toContain('OneHot');
    const eqs: [string, number[][]][] = [
      ['ij,jk->ik', [[2, 3], [3, 4]]], ['bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]], ['ii', [[4, 4]]], ['ii->i', [[3, 3]]],
      ['...ij->...ji', [[2, 3, 4]]], ['i,j', [[3], [4]]], ['ij,jk', [[2, 3], [3, 4]]], ['bA,Ab->', [[2, 3], [3, 2]]], ['Ba,ab', [[2, 3], [3, 4]]],
      ['b...i,bi->b...', [[2, 3, 4], [2, 4]]],
    ];
    for (const [eq, shapes] of eqs) {
      const f = (...t: Tensor[]): Tensor => einsum(eq, ...t);
      const ops = await check(f, shapes);
      expect(ops, eq).toContain('Einsum');
    }
    await check((a, b) => einsum('bij,bjk->bik', a, b), [[3, 2, 4], [3, 4, 5]], { inputNames: ['a', 'b'], dynamicAxes: { a: { 0: 'n' }, b: { 0: 'n' }, output: { 0: 'n' } } }, [[[5, 2, 4], [5, 4, 5]]]);
    // size-1 broadcasting of a subscript: the parts
    expect(await check((a, b) => einsum('ij,ij->i', a, b), [[3, 4], [1, 4]])).not.toContain('Einsum');
  });

  it('cumsum as CumSum; sort, argsort and topk as TopK (ties by the lower index: stable)', async () => {
    manualSeed(32);
    expect(await check((a) => [cumsum(a, 1), cumsum(a, 0), cumsum(a.gt(0), 1)], [[3, 5]], { dynamicAxes: { input: { 0: 'n' } } }, [[[4, 5]]])).toContain('CumSum');
    await checkExport((a: Tensor) => cumsum(a, -1), [randint(-5, 5, [2, 4], { dtype: 'int32' })], [[randint(-5, 5, [2, 4], { dtype: 'int32' })]]);
    const ties = (): Tensor => cast(randint(0, 4, [3, 6]), 'float32'); // many ties
    const fs: ((a: Tensor) => Tensor[])[] = [
      (a) => { const r = sort(a, 1); return [r.values, r.indices]; },
      (a) => { const r = sort(a, 0, { descending: true }); return [r.values, r.indices]; },
      (a) => [argsort(a, -1, { descending: true })],
      (a) => { const r = topk(a, 3); return [r.values, r.indices]; },
      (a) => { const r = topk(a, 2, 0, { largest: false }); return [r.values, r.indices]; },
    ];
    for (const f of fs) {
      await checkExport(f, [ties()], [[ties()], [randn([3, 6])]]);
      expect(opTypes(exportOnnx(f, [ties()]))).toContain('TopK');
    }
    await checkExport((a: Tensor) => [sort(a, 1).values], [randn([3, 5])], [[randn([4, 7])]], { dynamicAxes: { input: { 0: 'n', 1: 'm' } } });
    expect(() => exportOnnx((a: Tensor) => cumprod(a, 0), [randn([3])])).toThrow("exportOnnx: 'scan' (cumprod) has no ONNX counterpart (ONNX's only scan op is CumSum) (traced at");
  });
});
