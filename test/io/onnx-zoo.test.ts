// The model zoo (examples/zoo/) exported with PyTorch's weights (test/fixtures/zoo/) and run in ONNX
// Runtime (graph optimisations on) against adjoint's forward, float32 in eval mode, through a dynamic
// batch dim (and sequence length for the LSTM) at sizes other than the example's. The GPT's sequence
// length cannot be dynamic (its positions are arange(idx.shape[1]), a size read from a shape, and its
// causal masks are [T, T] constants): it exports at a fixed context and is the typed error otherwise.
// The GP (float64, linalg.cholesky) has no ONNX form: its export is the typed error naming the op.
import { describe, expect, it } from 'vitest';
import { manualSeed, noGrad, rand, randint, randn, type Tensor } from '../../src/index.js';
import { exportOnnx, OnnxExportError, type ExportOnnxOptions } from '../../src/io/index.js';
import type { AnyModule } from '../../src/nn/index.js';
import { CASES, caseOf } from '../zoo/cases.js';
import { loadGolden, loaded } from '../zoo/harness.js';
import { checkExport, opTypes } from './onnx-helpers.js';

/** The zoo model of a case label with PyTorch's weights, float32, on the default backend. */
function zooModel(label: string): AnyModule {
  const c = caseOf(label);
  return loaded(c, loadGolden(c.fixture), { backend: 'js', dtype: 'float32' });
}

/** The fixture's input `name` as float32 (indices stay int32). */
function fixtureInput(fixture: string, name: string): Tensor {
  const t = loadGolden(fixture).inputs.get(name)!;
  return t.dtype === 'float64' ? t.to('float32') : t;
}

const batch = (names: string[]): NonNullable<ExportOnnxOptions['dynamicAxes']> => Object.fromEntries(names.map((n) => [n, { 0: 'batch' }]));

describe('exportOnnx: the model zoo in ONNX Runtime', () => {
  it('covers every model of the zoo', () => {
    expect([...new Set(CASES.map((c) => c.fixture))].sort()).toEqual(['gp', 'gpt', 'lstm', 'resnet', 'unet', 'vae']);
  });

  it('resnet (eval-mode batch norms with moved running statistics, strided projection shortcut), dynamic batch', async () => {
    manualSeed(21);
    const model = zooModel('resnet');
    // PyTorch's initial running statistics (0 and 1) make eval-mode batch norm nearly the identity: move them first
    model.train();
    noGrad(() => { for (let i = 0; i < 3; i++) model.forward(randn([4, 3, 8, 8]).mul(2).add(1)); });
    const stats = new Map(model.namedBuffers());
    expect(Math.abs(stats.get('layer2.0.downsample.1.running_mean')!.sum().item())).toBeGreaterThan(1e-3);
    const images = fixtureInput('resnet', 'images');
    await checkExport(model as never, [images], [[images], [randn([5, 3, 8, 8])], [randn([3, 3, 8, 8])]], { dynamicAxes: batch(['input', 'output']) });
  });

  it('lstm language model (embedding, 2-layer LSTM, decoder, final state), dynamic batch and sequence length', async () => {
    manualSeed(22);
    const model = zooModel('lstm');
    const tokens = fixtureInput('lstm', 'tokens');
    const ids = (n: number, t: number): Tensor => randint(0, 12, [n, t], { dtype: 'int32' });
    const state = { 1: 'batch' };
    const opts: ExportOnnxOptions = {
      inputNames: ['tokens'], outputNames: ['logits', 'h', 'c'],
      dynamicAxes: { tokens: { 0: 'batch', 1: 'seq' }, logits: { 0: 'batch', 1: 'seq' }, h: state, c: state },
    };
    await checkExport(model as never, [tokens], [[tokens], [ids(3, 9)], [ids(5, 2)]], opts);
    expect(opTypes(exportOnnx(model as never, [tokens], opts)).filter((o) => o === 'LSTM')).toHaveLength(2);
  });

  for (const label of ['gpt (scaledDotProductAttention, isCausal)', 'gpt (triu mask, maskedFill)']) {
    it(`${label}, tied weights, dynamic batch at the fixture's and a shorter context`, async () => {
      manualSeed(23);
      const model = zooModel(label);
      const idx = fixtureInput('gpt', 'idx');
      const ids = (n: number, t: number): Tensor => randint(0, 16, [n, t], { dtype: 'int32' });
      const opts: ExportOnnxOptions = { inputNames: ['idx'], outputNames: ['logits'], dynamicAxes: batch(['idx', 'logits']) };
      await checkExport(model as never, [idx], [[idx], [ids(3, 8)], [ids(1, 8)]], opts);
      await checkExport(model as never, [ids(2, 5)], [[ids(4, 5)], [ids(7, 5)]], opts);
    });
  }

  it('gpt: a dynamic sequence length is refused, naming the baked size (positions come from arange(idx.shape[1]))', () => {
    const model = zooModel('gpt (scaledDotProductAttention, isCausal)');
    const idx = fixtureInput('gpt', 'idx');
    const opts: ExportOnnxOptions = { dynamicAxes: { input: { 0: 'batch', 1: 'seq' } } };
    expect(() => exportOnnx(model as never, [idx], opts)).toThrow(OnnxExportError);
    expect(() => exportOnnx(model as never, [idx], opts)).toThrow(/'add' meets the dynamic dim 'seq' with the fixed size 8 .* \(traced at GPT\.forward \(.*examples\/zoo\/gpt\.ts:\d+:\d+\)\)$/);
  });

  it('unet (group norm, bilinear upsample with aligned corners, transposed conv, cat), dynamic batch', async () => {
    manualSeed(24);
    const model = zooModel('unet');
    const images = fixtureInput('unet', 'images');
    await checkExport(model as never, [images], [[images], [randn([3, 1, 8, 8])], [randn([1, 1, 8, 8])]], { dynamicAxes: batch(['input', 'output']) });
  });

  it('vae (encoder, reparameterisation with the noise as an input, decoder), all three outputs, dynamic batch', async () => {
    manualSeed(25);
    const model = zooModel('vae');
    const x = fixtureInput('vae', 'x');
    const eps = fixtureInput('vae', 'eps');
    const opts: ExportOnnxOptions = {
      inputNames: ['x', 'eps'], outputNames: ['recon', 'mu', 'logvar'], dynamicAxes: batch(['x', 'eps', 'recon', 'mu', 'logvar']),
    };
    await checkExport(model as never, [x, eps], [[x, eps], [rand([2, 16]), randn([2, 4])], [rand([9, 16]), randn([9, 4])]], opts);
  });

  it('gp (float64): linalg.cholesky has no ONNX op, a typed error names it and where it was traced', () => {
    for (const label of ['gp (log det from the Cholesky diagonal)', 'gp (log det from linalg.slogdet)']) {
      const c = caseOf(label);
      const model = loaded(c, loadGolden(c.fixture), { backend: 'js', dtype: 'float64' });
      const g = loadGolden('gp');
      let err: unknown;
      try { exportOnnx(model as never, [g.inputs.get('x')!, g.inputs.get('y')!]); } catch (e) { err = e; }
      expect(err, label).toBeInstanceOf(OnnxExportError);
      expect((err as Error).message, label).toMatch(
        /^exportOnnx: 'cholesky' has no ONNX counterpart \(a matrix decomposition or solve; .*\) \(traced at ExactGP\.terms \(.*examples\/zoo\/gp\.ts:\d+:\d+\)\)$/,
      );
    }
  });
});
