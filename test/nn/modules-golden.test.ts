/**
 * adjoint/nn modules against PyTorch 1.13 (test/fixtures/nn, made by tools/goldens/nn.py): forward
 * outputs and gradients of MultiheadAttention, BatchNorm (running statistics over several training
 * steps, then eval), LayerNorm, Embedding, Conv/pooling modules and the loss modules, in float64
 * (tolerance 1e-9) and float32 (1e-4).
 */
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index.js';
import {
  AvgPool2d, BatchNorm1d, BatchNorm2d, BCEWithLogitsLoss, Conv1d, Conv2d, CrossEntropyLoss, Embedding, LayerNorm,
  MaxPool2d, MSELoss, MultiheadAttention, NLLLoss, type AnyModule, type AttentionOptions,
} from '../../src/nn/index.js';
import { DTYPES, dot, expectClose, load, toState, toT, type FloatDType, type G } from './modules-golden.js';

type Opts = Record<string, unknown>;

/** Options with `{tensor: G}` values turned into tensors. */
function options(o: Opts, dtype: FloatDType): Opts {
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => [k, v !== null && typeof v === 'object' && 'tensor' in v ? toT((v as { tensor: G }).tensor, dtype) : v]),
  );
}

function checkParamGrads(m: AnyModule, grads: Record<string, G | null>, tol: number, label: string): void {
  const params = new Map(m.namedParameters());
  expect([...params.keys()].sort()).toEqual(Object.keys(grads).sort());
  for (const [name, g] of Object.entries(grads)) if (g !== null) expectClose(params.get(name)!.grad, g, tol, `${label} ${name}.grad`);
}

function checkState(m: AnyModule, state: Record<string, G>, tol: number, label: string): void {
  const sd = m.stateDict();
  expect([...sd.keys()]).toEqual(Object.keys(state));
  for (const [k, g] of Object.entries(state)) expectClose(sd.get(k)!, g, tol, `${label} ${k}`);
}

interface MhaCase {
  id: string;
  embedDim: number;
  numHeads: number;
  options: Opts;
  selfAttention: boolean;
  state: Record<string, G>;
  inputs: Record<'query' | 'key' | 'value', G>;
  forwardOptions: Opts;
  out: G;
  weights: G | null;
  cotangent: { out: G; weights: G | null };
  grads: Record<string, G>;
  paramGrads: Record<string, G>;
}

describe.each(DTYPES)('MultiheadAttention matches PyTorch (%s)', (dtype, tol) => {
  const { cases } = load<{ cases: MhaCase[] }>('mha');
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const mha = new MultiheadAttention(c.embedDim, c.numHeads, { ...c.options, dtype });
    mha.loadStateDict(toState(c.state, dtype));
    const q = toT(c.inputs.query, dtype, { requiresGrad: true });
    const k = c.selfAttention ? q : toT(c.inputs.key, dtype, { requiresGrad: true });
    const v = c.selfAttention ? q : toT(c.inputs.value, dtype, { requiresGrad: true });
    const [out, weights] = mha.forward(q, k, v, options(c.forwardOptions, dtype) as AttentionOptions);
    expectClose(out, c.out, tol, `${c.id} out`);
    if (c.weights === null) expect(weights).toBeNull();
    else expectClose(weights, c.weights, tol, `${c.id} weights`);
    let loss = dot(out, toT(c.cotangent.out, dtype));
    if (weights !== null && c.cotangent.weights !== null) loss = loss.add(dot(weights, toT(c.cotangent.weights, dtype)));
    loss.backward();
    expectClose(q.grad, c.grads.query!, tol, `${c.id} query.grad`);
    if (!c.selfAttention) {
      expectClose(k.grad, c.grads.key!, tol, `${c.id} key.grad`);
      expectClose(v.grad, c.grads.value!, tol, `${c.id} value.grad`);
    }
    checkParamGrads(mha, c.paramGrads, tol, c.id);
  });
});

interface BnStep {
  input: G;
  out: G;
  cotangent: G;
  inputGrad: G;
  paramGrads: Record<string, G>;
  state: Record<string, G>;
}

interface BnCase {
  id: string;
  module: 'BatchNorm1d' | 'BatchNorm2d';
  numFeatures: number;
  options: Opts;
  initialState: Record<string, G>;
  steps: BnStep[];
  eval: { input: G; out: G; state: Record<string, G> };
}

describe.each(DTYPES)('BatchNorm running statistics match PyTorch over training steps and eval (%s)', (dtype, tol) => {
  const { cases } = load<{ cases: BnCase[] }>('batchnorm');
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const Cls = c.module === 'BatchNorm1d' ? BatchNorm1d : BatchNorm2d;
    const bn = new Cls(c.numFeatures, { ...c.options, dtype });
    bn.loadStateDict(toState(c.initialState, dtype));
    c.steps.forEach((s, i) => {
      const label = `${c.id} step ${i + 1}`;
      bn.zeroGrad();
      const x = toT(s.input, dtype, { requiresGrad: true });
      const y = bn.forward(x);
      expectClose(y, s.out, tol, `${label} out`);
      dot(y, toT(s.cotangent, dtype)).backward();
      expectClose(x.grad, s.inputGrad, tol, `${label} input.grad`);
      checkParamGrads(bn, s.paramGrads, tol, label);
      checkState(bn, s.state, tol, label);
    });
    bn.eval();
    expectClose(bn.forward(toT(c.eval.input, dtype)), c.eval.out, tol, `${c.id} eval out`);
    checkState(bn, c.eval.state, tol, `${c.id} after eval`);
  });
});

interface SimpleCase {
  id: string;
  state: Record<string, G>;
  input: G;
  out: G;
  cotangent: G;
  inputGrad: G | null;
  paramGrads: Record<string, G>;
  options: Opts;
}

function runSimple(c: SimpleCase, m: AnyModule, dtype: FloatDType, tol: number): void {
  m.loadStateDict(toState(c.state, dtype));
  const x = toT(c.input, dtype, { requiresGrad: c.inputGrad !== null });
  const y = (m as { forward(x: Tensor): Tensor }).forward(x);
  expectClose(y, c.out, tol, `${c.id} out`);
  dot(y, toT(c.cotangent, dtype)).backward();
  if (c.inputGrad !== null) expectClose(x.grad, c.inputGrad, tol, `${c.id} input.grad`);
  checkParamGrads(m, c.paramGrads, tol, c.id);
}

describe.each(DTYPES)('LayerNorm, Embedding, Conv and pooling modules match PyTorch (%s)', (dtype, tol) => {
  const ln = load<{ cases: (SimpleCase & { normalizedShape: number[] })[] }>('layernorm').cases;
  it.each(ln.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    runSimple(c, new LayerNorm(c.normalizedShape, { ...c.options, dtype }), dtype, tol);
  });

  const emb = load<{ cases: (SimpleCase & { numEmbeddings: number; embeddingDim: number })[] }>('embedding').cases;
  it.each(emb.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const m = new Embedding(c.numEmbeddings, c.embeddingDim, { ...c.options, dtype });
    runSimple(c, m, dtype, tol);
    if (m.paddingIdx !== null) expect(m.weight.grad!.narrow(0, m.paddingIdx, 1).abs().sum().item()).toBe(0);
  });

  const conv = load<{ cases: (SimpleCase & { module: string; args: (number | number[])[] })[] }>('conv').cases;
  it.each(conv.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const o = { ...c.options, dtype };
    const a = c.args as [number, number, number | number[]];
    const m: AnyModule = c.module === 'Conv2d' ? new Conv2d(a[0], a[1], a[2], o)
      : c.module === 'Conv1d' ? new Conv1d(a[0], a[1], a[2], o)
        : c.module === 'MaxPool2d' ? new MaxPool2d(c.args[0]!, c.options)
          : new AvgPool2d(c.args[0]!, c.options);
    runSimple(c, m, dtype, tol);
  });
});

interface LossCase {
  module: string;
  options: Opts;
  input: G;
  target: G;
  out: G;
  cotangent: G;
  inputGrad: G;
}

describe.each(DTYPES)('loss modules match PyTorch (%s)', (dtype, tol) => {
  const { cases } = load<{ cases: LossCase[] }>('loss');
  it.each(cases.map((c, i) => [`${i}: ${c.module} ${JSON.stringify(c.options).slice(0, 60)}`, c] as const))('%s', (label, c) => {
    const o = options(c.options, dtype);
    const m = c.module === 'CrossEntropyLoss' ? new CrossEntropyLoss(o) : c.module === 'NLLLoss' ? new NLLLoss(o)
      : c.module === 'MSELoss' ? new MSELoss(o) : new BCEWithLogitsLoss(o);
    const x = toT(c.input, dtype, { requiresGrad: true });
    const y = m.forward(x, toT(c.target, dtype));
    expectClose(y, c.out, tol, `${label} out`);
    dot(y, toT(c.cotangent, dtype)).backward();
    expectClose(x.grad, c.inputGrad, tol, `${label} input.grad`);
  });
});
