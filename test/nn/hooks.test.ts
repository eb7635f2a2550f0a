/**
 * Module hooks. Full backward hooks against PyTorch 1.13 (test/fixtures/nn/hooks.json, made by
 * tools/goldens/hooks.py): the gradInput and gradOutput the hook sees and the gradients after a replaced
 * gradInput. Forward pre-hooks and forward hooks: arguments, replacement, order, removal, and that hooks
 * run however a module is called (forward, call, inside containers).
 */
import { describe, expect, it } from 'vitest';
import { autogradGrad, grad, jvp, ones, randn, tensor, Tensor } from '../../src/index.js';
import { Linear, Module, Parameter, ReLU, Sequential, Tanh, type AnyModule } from '../../src/nn/index.js';
import { expectClose, load, toState, toT, type G } from './modules-golden.js';

/** forward(a, b) = [a * b * scale, a + b], as tools/goldens/hooks.py's Two. */
class Two extends Module<[Tensor, Tensor], [Tensor, Tensor]> {
  scale = new Parameter(randn([3], { dtype: 'float64' }));
  forward(a: Tensor, b: Tensor): [Tensor, Tensor] {
    return [a.mul(b).mul(this.scale), a.add(b)];
  }
}

function build(name: string): AnyModule {
  if (name === 'linear') return new Linear(3, 4, { dtype: 'float64' });
  if (name === 'two') return new Two();
  return new Sequential(new Linear(3, 4, { dtype: 'float64' }), new Tanh(), new Linear(4, 2, { dtype: 'float64' }));
}

interface Case {
  id: string;
  model: string;
  at: string;
  replace: number | null;
  use: number[];
  state: Record<string, G>;
  inputs: { value: G; requiresGrad: boolean }[];
  cotangents: G[];
  gradInput: (G | null)[];
  gradOutput: (G | null)[];
  inputGrads: (G | null)[];
  paramGrads: Record<string, G>;
}

const { cases } = load<{ cases: Case[] }>('hooks');
const TOL = 1e-12;

describe("full backward hooks see PyTorch's gradInput and gradOutput", () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const m = build(c.model);
    m.loadStateDict(toState(c.state, 'float64'));
    const xs = c.inputs.map((i) => toT(i.value, 'float64', { requiresGrad: i.requiresGrad }));
    const seen: { gi: (Tensor | null)[]; go: (Tensor | null)[] }[] = [];
    m.getSubmodule(c.at).registerFullBackwardHook((_m, gi, go) => {
      seen.push({ gi, go });
      return c.replace === null ? undefined : gi.map((g) => (g === null ? null : g.mul(c.replace!)));
    });
    const res = m.forward(...xs) as Tensor | Tensor[];
    const outs = res instanceof Tensor ? [res] : res;
    c.use.map((i) => outs[i]!.mul(toT(c.cotangents[i]!, 'float64')).sum()).reduce((a, b) => a.add(b)).backward();
    expect(seen.length).toBe(1);
    const check = (got: (Tensor | null)[], want: (G | null)[], what: string): void => {
      expect(got.length).toBe(want.length);
      want.forEach((g, i) => {
        if (g === null) expect(got[i], `${what}[${i}]`).toBeNull();
        else expectClose(got[i], g, TOL, `${c.id} ${what}[${i}]`);
      });
    };
    check(seen[0]!.gi, c.gradInput, 'gradInput');
    check(seen[0]!.go, c.gradOutput, 'gradOutput');
    c.inputGrads.forEach((g, i) => {
      if (g === null) expect(xs[i]!.grad).toBeNull();
      else expectClose(xs[i]!.grad, g, TOL, `${c.id} input ${i} grad`);
    });
    for (const [name, p] of m.namedParameters()) expectClose(p.grad, c.paramGrads[name]!, TOL, `${c.id} ${name}.grad`);
  });
});

describe('full backward hooks', () => {
  it('run once per backward through a retained graph, and not after remove()', () => {
    const lin = new Linear(3, 2, { dtype: 'float64' });
    let calls = 0;
    const h = lin.registerFullBackwardHook(() => void calls++);
    const x = randn([4, 3], { dtype: 'float64' }).requiresGrad_();
    const y = lin.forward(x).sum();
    y.backward(null, { retainGraph: true });
    y.backward();
    expect(calls).toBe(2);
    h.remove();
    lin.forward(x).sum().backward();
    expect(calls).toBe(2);
  });

  it('work with autogradGrad and createGraph (second derivatives through the hook)', () => {
    const m = new Tanh();
    const gis: Tensor[] = [];
    m.registerFullBackwardHook((_m, gi) => void gis.push(gi[0]!));
    const x = tensor([0.3, -0.7], { dtype: 'float64', requiresGrad: true });
    const [g] = autogradGrad(m.forward(x).sum(), [x], { createGraph: true });
    // d tanh = 1 - tanh²; d² tanh = -2 tanh (1 - tanh²)
    const t = [0.3, -0.7].map(Math.tanh);
    expect(g!.toArray()).toEqual(gis[0]!.toArray());
    (g!.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(1 - t[i]! ** 2, 14));
    const [gg] = autogradGrad(g!.sum(), [x]);
    (gg!.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(-2 * t[i]! * (1 - t[i]! ** 2), 14));
  });

  it('leave forward-mode tangents and transforms intact', () => {
    const lin = new Linear(3, 1, { dtype: 'float64' });
    lin.registerFullBackwardHook(() => undefined);
    const x = randn([3], { dtype: 'float64' });
    const v = randn([3], { dtype: 'float64' });
    const [, t] = jvp((a) => lin.forward(a).sum(), [x], [v]);
    const want = (lin.weight.toArray() as number[][])[0]!.reduce((s, w, i) => s + w * Number(v.toTypedArray()[i]), 0);
    expect(t.toArray() as number).toBeCloseTo(want, 14);
    expect(grad((a: Tensor) => lin.forward(a).sum())(x).toArray()).toEqual((lin.weight.toArray() as number[][])[0]);
  });

  it('reject a replacement of the wrong length or shape', () => {
    const lin = new Linear(3, 2);
    const x = randn([4, 3]).requiresGrad_();
    const h = lin.registerFullBackwardHook(() => [ones([4, 3]), null]);
    expect(() => lin.forward(x).sum().backward()).toThrow(
      'registerFullBackwardHook: a hook returned 2 gradients, expected an array of 1 (one per argument, null allowed)',
    );
    h.remove();
    lin.registerFullBackwardHook(() => [ones([3])]);
    expect(() => lin.forward(x).sum().backward()).toThrow('registerFullBackwardHook: a hook returned gradInput[0] of shape [3], expected [4,3]');
  });
});

describe('forward hooks', () => {
  it('pre-hooks see and may replace the arguments; forward hooks the output', () => {
    const lin = new Linear(2, 2, { bias: false, dtype: 'float64' });
    lin.weight.detach().copy_(tensor([[1, 0], [0, 1]], { dtype: 'float64' }));
    const log: string[] = [];
    const x = tensor([[1, 2]], { dtype: 'float64' });
    const pre = lin.registerForwardPreHook((m, args) => {
      expect(m).toBe(lin);
      log.push(`pre ${JSON.stringify(args[0].toArray())}`);
      return [args[0].mul(10)];
    });
    const pre2 = lin.registerForwardPreHook((_m, [a]) => a.add(1)); // a single value replaces the first argument
    const post = lin.registerForwardHook((_m, args, out) => {
      log.push(`post ${JSON.stringify(args[0].toArray())} -> ${JSON.stringify(out.toArray())}`);
      return out.neg();
    });
    expect(lin.forward(x).toArray()).toEqual([[-11, -21]]);
    expect(log).toEqual(['pre [[1,2]]', 'post [[11,21]] -> [[11,21]]']);
    pre.remove();
    pre2.remove();
    expect(lin.call(x).toArray()).toEqual([[-1, -2]]); // call goes through the hooks too
    post.remove();
    post.remove(); // removing twice is harmless
    expect(lin.forward(x).toArray()).toEqual([[1, 2]]);
  });

  it('run on submodules inside containers, in registration order, and go away with the last handle', () => {
    const net = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 2));
    const relu = net.getSubmodule('1');
    expect(Object.getOwnPropertyNames(relu)).not.toContain('forward');
    const order: number[] = [];
    const acts: Tensor[] = [];
    const a = relu.registerForwardHook((_m, _args, out) => void (order.push(1), acts.push(out as Tensor)));
    const b = relu.registerForwardHook(() => void order.push(2));
    net.forward(randn([5, 3]));
    expect(order).toEqual([1, 2]);
    expect(acts[0]!.shape).toEqual([5, 4]);
    expect(Math.min(...(acts[0]!.toTypedArray() as Float32Array))).toBeGreaterThanOrEqual(0);
    a.remove();
    b.remove();
    expect(Object.getOwnPropertyNames(relu)).not.toContain('forward'); // the class's forward again
    net.forward(randn([5, 3]));
    expect(order).toEqual([1, 2]);
  });

  it('keep a forward that is an instance field', () => {
    class Field extends Module {
      forward = (x: Tensor): Tensor => x.mul(2);
    }
    const f = new Field();
    const h = f.registerForwardHook((_m, _a, out) => out.add(1));
    expect(f.forward(tensor([1])).toArray()).toEqual([3]);
    h.remove();
    expect(f.forward(tensor([1])).toArray()).toEqual([2]);
  });

  it('reject a hook that is not a function', () => {
    expect(() => new ReLU().registerForwardHook(3 as never)).toThrow('registerForwardHook: the hook must be a function, got number');
  });
});
