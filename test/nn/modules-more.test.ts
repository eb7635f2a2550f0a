/**
 * The second set of adjoint/nn modules against PyTorch 1.13 (test/fixtures/nn/modules2.json, made by
 * tools/goldens/nn2.py): repr, state-dict keys (shapes, dtypes), and forward/backward with the golden state
 * loaded, in float64 (1e-9) and float32 (1e-4); instance norms with running statistics over training steps
 * and eval. Plus ConvTranspose's default initialisation against PyTorch's bound.
 */
import { describe, expect, it } from 'vitest';
import { manualSeed, type Tensor } from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import type { AnyModule } from '../../src/nn/index.js';
import { DTYPES, dot, expectClose, load, toState, toT, type FloatDType, type G } from './modules-golden.js';

interface Step {
  inputs: G[];
  out: G;
  cotangent: G;
  inputGrad: G;
  paramGrads: Record<string, G>;
  state: Record<string, G>;
}

interface Case {
  id: string;
  module: string;
  args: unknown[];
  options: Record<string, unknown>;
  repr: string;
  stateDictKeys: [string, number[], string][];
  state: Record<string, G>;
  steps: Step[];
  eval?: { input: G; out: G; state: Record<string, G> };
}

type Ctor = new (...args: never[]) => AnyModule;
const CLASSES = nn as unknown as Record<string, Ctor>;
const WITH_DTYPE = new Set(['ConvTranspose1d', 'ConvTranspose2d', 'GroupNorm', 'InstanceNorm1d', 'InstanceNorm2d']);

function build(c: Case, dtype: FloatDType): AnyModule {
  const opts: Record<string, unknown> = Object.fromEntries(
    Object.entries(c.options).map(([k, v]) => [k, v !== null && typeof v === 'object' && 'tensor' in v ? toT((v as { tensor: G }).tensor, dtype) : v]),
  );
  if (WITH_DTYPE.has(c.module)) opts.dtype = dtype;
  const Cls = CLASSES[c.module];
  if (Cls === undefined) throw new Error(`no module ${c.module}`);
  const args = [...c.args, opts];
  return new (Cls as unknown as new (...a: unknown[]) => AnyModule)(...args);
}

const { cases } = load<{ cases: Case[] }>('modules2');

describe('reprs and state-dict keys match PyTorch', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const m = build(c, 'float32');
    expect(String(m)).toBe(c.repr);
    const sd = m.stateDict();
    expect([...sd.entries()].map(([k, t]) => [k, [...t.shape], t.dtype === 'int32' ? 'int64' : 'float64'])).toEqual(c.stateDictKeys);
  });
});

/** PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32 even in float64 (a 3e-8 relative error). */
const LOOSER: Record<string, number> = { hardsigmoid: 1e-7 };

describe.each(DTYPES)('modules match PyTorch forward and backward (%s)', (dtype, dtypeTol) => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const tol = Math.max(dtypeTol, LOOSER[c.id] ?? 0);
    const m = build(c, dtype);
    m.loadStateDict(toState(c.state, dtype));
    c.steps.forEach((s, i) => {
      const label = `${c.id} step ${i + 1}`;
      m.zeroGrad();
      const x = toT(s.inputs[0]!, dtype, { requiresGrad: true });
      const rest = s.inputs.slice(1).map((g) => toT(g, dtype));
      const y = (m as unknown as { forward(...a: Tensor[]): Tensor }).forward(x, ...rest);
      expectClose(y, s.out, tol, `${label} out`);
      dot(y, toT(s.cotangent, dtype)).backward();
      expectClose(x.grad, s.inputGrad, tol, `${label} input.grad`);
      const params = new Map(m.namedParameters());
      expect([...params.keys()].sort()).toEqual(Object.keys(s.paramGrads).sort());
      for (const [k, g] of Object.entries(s.paramGrads)) expectClose(params.get(k)!.grad, g, tol, `${label} ${k}.grad`);
      const sd = m.stateDict();
      for (const [k, g] of Object.entries(s.state)) expectClose(sd.get(k)!, g, tol, `${label} state ${k}`);
    });
    if (c.eval !== undefined) {
      m.eval();
      expectClose((m as unknown as { forward(x: Tensor): Tensor }).forward(toT(c.eval.input, dtype)), c.eval.out, tol, `${c.id} eval out`);
      const sd = m.stateDict();
      for (const [k, g] of Object.entries(c.eval.state)) expectClose(sd.get(k)!, g, tol, `${c.id} eval state ${k}`);
    }
  });
});

describe('ConvTranspose default initialisation (PyTorch: kaiming_uniform a=√5 on [Cin, Cout/g, k...])', () => {
  it.each([
    ['ConvTranspose2d', () => new nn.ConvTranspose2d(64, 32, 3, { groups: 2 }), 16 * 9],
    ['ConvTranspose1d', () => new nn.ConvTranspose1d(48, 40, 5), 40 * 5],
  ] as const)('%s draws weight and bias from U(−1/√fanIn, 1/√fanIn), fanIn = Cout/groups·k', (_name, make, fanIn) => {
    manualSeed(0);
    const m = make();
    const bound = 1 / Math.sqrt(fanIn);
    const w = Array.from(m.weight.toTypedArray());
    const b = Array.from(m.bias!.toTypedArray());
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.99 * bound);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    // the mean of |U(−B, B)| is B/2
    expect(w.reduce((s, v) => s + Math.abs(v), 0) / w.length).toBeCloseTo(bound / 2, 2);
  });
  it('keeps PyTorch weight layout [Cin, Cout/groups, kH, kW]', () => {
    expect(new nn.ConvTranspose2d(4, 6, [2, 3], { groups: 2 }).weight.shape).toEqual([4, 3, 2, 3]);
  });
});
