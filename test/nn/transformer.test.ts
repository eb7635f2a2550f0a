/**
 * Transformer layers and stacks against PyTorch 1.13 in eval mode (test/fixtures/nn/transformer.json, made
 * by tools/goldens/transformer.py): outputs and the gradients of the inputs and every parameter in float64
 * (1e-9) and float32 (1e-4), reprs and state-dict keys; then deep copies in the stacks, dropout in
 * training mode, PyTorch 2's `bias: false`, a module activation, and errors.
 */
import { describe, expect, it } from 'vitest';
import { manualSeed, ones, randn, type Tensor } from '../../src/index.js';
import {
  GELU, LayerNorm, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer,
  type AnyModule, type TransformerLayerOptions,
} from '../../src/nn/index.js';
import { DTYPES, expectClose, load, toState, toT, type FloatDType, type G } from './modules-golden.js';

type Opts = Record<string, unknown>;

interface Case {
  id: string;
  kind: 'encoderLayer' | 'decoderLayer' | 'encoder' | 'decoder';
  dModel: number;
  nhead: number;
  options: Opts;
  numLayers?: number;
  norm?: boolean;
  state: Record<string, G>;
  inputs: Record<string, G>;
  forwardOptions: Record<string, { tensor: G } | boolean>;
  out: G;
  cotangent: G;
  grads: Record<string, G>;
  paramGrads: Record<string, G>;
  repr: string;
  stateDictKeys: string[];
}

function layerOptions(o: Opts, dtype?: FloatDType): TransformerLayerOptions {
  const activation = o.activation === 'tanhFn' ? (x: Tensor) => x.tanh() : o.activation;
  return { ...o, ...(dtype ? { dtype } : {}), activation } as TransformerLayerOptions;
}

function build(c: Case, dtype?: FloatDType): AnyModule {
  const opts = layerOptions(c.options, dtype);
  const decoder = c.kind === 'decoderLayer' || c.kind === 'decoder';
  const layer = decoder ? new TransformerDecoderLayer(c.dModel, c.nhead, opts) : new TransformerEncoderLayer(c.dModel, c.nhead, opts);
  if (c.kind === 'encoderLayer' || c.kind === 'decoderLayer') return layer;
  const eps = (c.options.layerNormEps as number | undefined) ?? 1e-5;
  const norm = c.norm ? new LayerNorm(c.dModel, { eps, ...(dtype ? { dtype } : {}) }) : null;
  return decoder
    ? new TransformerDecoder(layer as TransformerDecoderLayer, c.numLayers!, { norm })
    : new TransformerEncoder(layer as TransformerEncoderLayer, c.numLayers!, { norm });
}

const { cases } = load<{ cases: Case[] }>('transformer');

describe.each(DTYPES)('transformer layers match PyTorch in eval mode (%s)', (dtype, tol) => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const m = build(c, dtype).eval();
    m.loadStateDict(toState(c.state, dtype));
    const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, g]) => [k, toT(g, dtype, { requiresGrad: true })]));
    const fo = Object.fromEntries(Object.entries(c.forwardOptions).map(([k, v]) => [k, typeof v === 'boolean' ? v : toT(v.tensor, dtype)]));
    const out = m.forward(...Object.values(inputs), fo) as Tensor;
    expectClose(out, c.out, tol, `${c.id} out`);
    out.mul(toT(c.cotangent, dtype)).sum().backward();
    for (const [k, g] of Object.entries(c.grads)) expectClose(inputs[k]!.grad, g, tol, `${c.id} ${k}.grad`);
    const params = new Map(m.namedParameters());
    expect([...params.keys()]).toEqual(Object.keys(c.paramGrads));
    for (const [name, g] of Object.entries(c.paramGrads)) expectClose(params.get(name)!.grad, g, tol, `${c.id} ${name}.grad`);
  });
});

describe("reprs and state-dict keys are PyTorch's", () => {
  // adjoint prints MultiheadAttention's out_proj as Linear (PyTorch: NonDynamicallyQuantizableLinear, a Linear).
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const m = build(c);
    expect(String(m)).toBe(c.repr.replaceAll('NonDynamicallyQuantizableLinear', 'Linear'));
    expect([...m.stateDict().keys()]).toEqual(c.stateDictKeys);
  });
});

describe('stacks', () => {
  it('hold deep copies of the layer: same values, separate parameters', () => {
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    const enc = new TransformerEncoder(layer, 2);
    const [a, b] = [...enc.layers];
    expect(a!.linear1.weight).not.toBe(layer.linear1.weight);
    expect(a!.linear1.weight).not.toBe(b!.linear1.weight);
    expect(b!.linear1.weight.toArray()).toEqual(layer.linear1.weight.toArray());
    expect(enc.parameters().length).toBe(2 * layer.parameters().length);
    const dec = new TransformerDecoder(new TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dtype: 'float64', activation: 'gelu' }), 3);
    expect(dec.layers.length).toBe(3);
    expect(dec.layers.get(2).linear1.weight.dtype).toBe('float64');
  });
});

describe('training mode and options', () => {
  it('dropout is active in training mode only', () => {
    manualSeed(0);
    const layer = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0.5, dtype: 'float64' });
    const x = randn([3, 2, 8], { dtype: 'float64' });
    const evalOut = layer.eval().forward(x).toArray();
    expect(layer.forward(x).toArray()).toEqual(evalOut);
    manualSeed(1);
    const a = layer.train().forward(x).toArray();
    manualSeed(1);
    expect(layer.forward(x).toArray()).toEqual(a);
    expect(a).not.toEqual(evalOut);
  });

  it("bias: false drops every bias, as PyTorch 2.1's", () => {
    const layer = new TransformerDecoderLayer(8, 2, { dimFeedforward: 16, bias: false });
    expect([...layer.stateDict().keys()]).toEqual([
      'self_attn.in_proj_weight', 'self_attn.out_proj.weight', 'multihead_attn.in_proj_weight', 'multihead_attn.out_proj.weight',
      'linear1.weight', 'linear2.weight', 'norm1.weight', 'norm2.weight', 'norm3.weight',
    ]);
    expect(layer.forward(randn([3, 2, 8]), randn([4, 2, 8])).shape).toEqual([3, 2, 8]);
  });

  it('a module activation is registered as `activation` and used', () => {
    const a = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, activation: new GELU(), dtype: 'float64' }).eval();
    const b = new TransformerEncoderLayer(8, 2, { dimFeedforward: 16, activation: 'gelu', dtype: 'float64' }).eval();
    b.loadStateDict(a.stateDict());
    expect(a.namedChildren().map(([n]) => n)).toContain('activation');
    const x = randn([3, 2, 8], { dtype: 'float64' });
    expectClose(a.forward(x), { shape: [3, 2, 8], data: [...b.forward(x).toTypedArray()].map(Number) }, 1e-12, 'module activation');
  });

  it('errors name the module and the argument', () => {
    expect(() => new TransformerEncoderLayer(8, 3)).toThrow('MultiheadAttention: embedDim 8 must be divisible by numHeads 3');
    expect(() => new TransformerEncoderLayer(8, 2, { activation: 'tanh' as 'relu' })).toThrow(
      "TransformerEncoderLayer: activation should be 'relu', 'gelu', a function or a module, not \"tanh\"",
    );
    expect(() => new TransformerDecoderLayer(8, 2, { dropout: -1 })).toThrow('TransformerDecoderLayer: dropout must be in [0, 1], got -1');
    expect(() => new TransformerEncoder(new TransformerDecoderLayer(8, 2) as unknown as TransformerEncoderLayer, 2)).toThrow(
      'TransformerEncoder: the layer must be a TransformerEncoderLayer',
    );
    expect(() => new TransformerEncoderLayer(8, 2).forward(ones([3, 2, 6]))).toThrow('MultiheadAttention: query [3,2,6] must be [L, N, E] with E = embedDim = 8');
  });
});
