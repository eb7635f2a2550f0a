/**
 * The Optimizer API: parameter groups, zeroGrad, step semantics (leaves keep their
 * identity, params without grad are skipped, closures), stateDict snapshots and
 * loadStateDict checks, option validation messages, float32, and an end-to-end fit.
 */
import { describe, expect, it } from 'vitest';
import { RangeArgError, ShapeError, Tensor, manualSeed, noGrad, randn, tensor } from '../../src/index.js';
import { Adagrad, Adam, AdamW, RMSprop, SGD, type Optimizer } from '../../src/optim/index.js';

const quad = (w: Tensor): Tensor => w.square().sum();

function gradStep(opt: Optimizer<{ lr?: number }>, ...ws: Tensor[]): void {
  opt.zeroGrad();
  ws.reduce<Tensor | null>((acc, w) => (acc === null ? quad(w) : acc.add(quad(w))), null)!.backward();
  opt.step();
}

describe('parameter groups', () => {
  it('a plain list makes one group with the defaults', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const opt = new Adam([w], { lr: 0.1 });
    expect(opt.paramGroups).toHaveLength(1);
    const { params, ...options } = opt.paramGroups[0]!;
    expect(params[0]).toBe(w);
    expect(options).toEqual({ lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false });
    expect(new AdamW([w]).paramGroups[0]!.weightDecay).toBe(1e-2);
    expect(new RMSprop([w]).defaults).toMatchObject({ lr: 1e-2, alpha: 0.99, eps: 1e-8, momentum: 0, centered: false });
    expect(new Adagrad([w]).defaults).toMatchObject({ lr: 1e-2, lrDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 });
  });

  it('group options override the defaults; each group steps with its own', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const opt = new SGD([{ params: [a], lr: 0.5 }, { params: [b] }], { lr: 0.1, momentum: 0.9 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([[0.5, 0.9], [0.1, 0.9]]);
    gradStep(opt, a, b);
    expect(a.item()).toBeCloseTo(1 - 0.5 * 2, 6);
    expect(b.item()).toBeCloseTo(1 - 0.1 * 2, 6);
  });

  it('addParamGroup adds a group; the new parameters are optimized too', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([1], { requiresGrad: true });
    const opt = new SGD([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 0.25 });
    gradStep(opt, a, b);
    expect(b.item()).toBeCloseTo(0.5, 6);
    expect(() => opt.addParamGroup({ params: [a] })).toThrow('SGD: some parameters appear in more than one parameter group');
  });

  it('SGD needs an lr in the options or in every group', () => {
    const a = tensor([1], { requiresGrad: true });
    expect(new SGD([{ params: [a], lr: 0.1 }]).paramGroups[0]!.lr).toBe(0.1);
    expect(() => new SGD([a])).toThrow(
      new RangeArgError('SGD', 'param group 0: lr is required: give it in the options or in every parameter group'),
    );
  });

  it('refuses bad parameter lists', () => {
    const a = tensor([1], { requiresGrad: true });
    const nonLeaf = a.mul(2);
    expect(() => new SGD([], { lr: 1 })).toThrow('SGD: got an empty parameter list');
    expect(() => new SGD(a as unknown as Tensor[], { lr: 1 })).toThrow(
      'SGD: params must be a list of tensors or of parameter groups, got a single tensor; wrap it in a list',
    );
    expect(() => new SGD([nonLeaf], { lr: 1 })).toThrow(
      "SGD: param group 0: params[0] (shape [1]) is not a leaf tensor; can't optimize a non-leaf tensor",
    );
    expect(() => new SGD([a, a], { lr: 1 })).toThrow('SGD: param group 0: params[1] appears twice in the group');
    expect(() => new SGD([{ params: [a] }, { params: [a] }], { lr: 1 })).toThrow(
      'SGD: some parameters appear in more than one parameter group',
    );
    expect(() => new SGD([{ params: [1 as unknown as Tensor] }], { lr: 1 })).toThrow('SGD: param group 0: params[0] is not a tensor');
  });
});

describe('option validation', () => {
  const w = () => [tensor([1], { requiresGrad: true })];
  const cases: [() => unknown, string][] = [
    [() => new Adam(w(), { lr: -1 }), 'Adam: lr must be >= 0, got -1'],
    [() => new Adam(w(), { lr: Number.NaN }), 'Adam: lr must be >= 0, got NaN'],
    [() => new Adam(w(), { betas: [1, 0.999] }), 'Adam: betas[0] must be in [0, 1), got 1'],
    [() => new Adam(w(), { betas: [0.9, -0.1] }), 'Adam: betas[1] must be in [0, 1), got -0.1'],
    [() => new Adam(w(), { betas: [0.9] as unknown as [number, number] }), 'Adam: betas must be a pair [beta1, beta2], got [0.9]'],
    [() => new Adam(w(), { eps: -1e-8 }), 'Adam: eps must be >= 0, got -1e-8'],
    [() => new AdamW(w(), { weightDecay: -0.1 }), 'AdamW: weightDecay must be >= 0, got -0.1'],
    [() => new Adam(w(), { amsgrad: 1 as unknown as boolean }), 'Adam: amsgrad must be a boolean, got 1'],
    [() => new Adam([{ params: w(), betas: [0.9, 1.5] }]), 'Adam: param group 0: betas[1] must be in [0, 1), got 1.5'],
    [() => new SGD(w(), { lr: -0.1 }), 'SGD: lr must be >= 0, got -0.1'],
    [() => new SGD(w(), { lr: 0.1, momentum: -0.9 }), 'SGD: momentum must be >= 0, got -0.9'],
    [() => new SGD(w(), { lr: 0.1, nesterov: true }),
      'SGD: nesterov momentum requires momentum > 0 and dampening = 0, got momentum 0 and dampening 0'],
    [() => new SGD(w(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
      'SGD: nesterov momentum requires momentum > 0 and dampening = 0, got momentum 0.9 and dampening 0.1'],
    [() => new RMSprop(w(), { alpha: -1 }), 'RMSprop: alpha must be >= 0, got -1'],
    [() => new RMSprop(w(), { momentum: -1 }), 'RMSprop: momentum must be >= 0, got -1'],
    [() => new Adagrad(w(), { lrDecay: -1 }), 'Adagrad: lrDecay must be >= 0, got -1'],
    [() => new Adagrad(w(), { initialAccumulatorValue: -1 }), 'Adagrad: initialAccumulatorValue must be >= 0, got -1'],
  ];
  for (const [fn, message] of cases) {
    it(message, () => {
      expect(fn).toThrow(RangeArgError);
      expect(fn).toThrow(message);
    });
  }
});

describe('step and zeroGrad', () => {
  it('updates in place under noGrad: same leaf, same storage, version bumped, no graph', () => {
    const w = tensor([1, -2], { requiresGrad: true });
    const storage = w.storage;
    const opt = new Adam([w], { lr: 0.1 });
    const v = w.version;
    gradStep(opt, w);
    expect(w.storage).toBe(storage);
    expect(w.version).toBeGreaterThan(v);
    expect(w.isLeaf && w.requiresGrad && w.gradFn === null).toBe(true);
    expect(opt.state.get(w)!.expAvg.requiresGrad).toBe(false);
  });

  it('skips parameters whose grad is null (no update, no state)', () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([5], { requiresGrad: true });
    const opt = new Adam([a, b], { lr: 0.1 });
    gradStep(opt, a);
    expect(b.item()).toBe(5);
    expect(opt.state.has(b)).toBe(false);
    expect(Object.keys(opt.stateDict().state)).toEqual(['0']);
  });

  it('zeroGrad sets grads to null, or zeroes them in place with setToNone: false', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.1 });
    quad(w).backward();
    const g = w.grad!;
    opt.zeroGrad({ setToNone: false });
    expect(w.grad).toBe(g);
    expect(g.toArray()).toEqual([0, 0]);
    opt.zeroGrad();
    expect(w.grad).toBeNull();
    opt.zeroGrad();
  });

  it('zeroGrad({ setToNone: false }) detaches a grad built with createGraph', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    quad(w).backward(undefined, { createGraph: true });
    expect(w.grad!.requiresGrad).toBe(true);
    new SGD([w], { lr: 0.1 }).zeroGrad({ setToNone: false });
    expect(w.grad!.requiresGrad).toBe(false);
    expect(w.grad!.toArray()).toEqual([0, 0]);
  });

  it('step(closure) evaluates the loss with grad enabled and returns it', () => {
    const w = tensor([3], { requiresGrad: true });
    const opt = new SGD([w], { lr: 0.25 });
    const loss = noGrad(() => opt.step(() => {
      opt.zeroGrad();
      const l = quad(w);
      l.backward();
      return l;
    }));
    expect(loss!.item()).toBe(9);
    expect(w.item()).toBeCloseTo(1.5, 6);
    expect(opt.step()).toBeUndefined();
  });

  it('float32 parameters keep float32 state', () => {
    for (const opt of [Adam, RMSprop, Adagrad]) {
      const w = tensor([1, 2], { requiresGrad: true });
      const o = new opt([w], { lr: 0.1 });
      gradStep(o, w);
      const st = o.stateDict().state[0]!;
      for (const v of Object.values(st)) if (v instanceof Tensor) expect(v.dtype).toBe('float32');
      expect(w.dtype).toBe('float32');
    }
  });
});

describe('stateDict', () => {
  it("is PyTorch's layout in camelCase, numbering parameters across groups", () => {
    const a = tensor([1], { requiresGrad: true });
    const b = tensor([2], { requiresGrad: true });
    const c = tensor([3], { requiresGrad: true });
    const opt = new SGD([{ params: [a, b] }, { params: [c], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    gradStep(opt, a, c);
    const sd = opt.stateDict();
    expect(sd.paramGroups).toEqual([
      { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, params: [0, 1] },
      { lr: 0.5, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, params: [2] },
    ]);
    expect(Object.keys(sd.state)).toEqual(['0', '2']);
    expect((sd.state[2]!.momentumBuffer as Tensor).toArray()).toEqual([6]);
  });

  it('is a snapshot: later steps do not change it', () => {
    const w = tensor([1], { requiresGrad: true });
    const opt = new Adam([w], { lr: 0.1 });
    gradStep(opt, w);
    const sd = opt.stateDict();
    const m = (sd.state[0]!.expAvg as Tensor).item();
    gradStep(opt, w);
    expect((sd.state[0]!.expAvg as Tensor).item()).toBe(m);
    expect(sd.state[0]!.step).toBe(1);
    sd.paramGroups[0]!.betas[0] = 0.5;
    expect(opt.paramGroups[0]!.betas[0]).toBe(0.9);
  });

  it('Adagrad has state for every parameter from the start, like PyTorch', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const sd = new Adagrad([w], { initialAccumulatorValue: 0.5 }).stateDict();
    expect(sd.state[0]!.step).toBe(0);
    expect((sd.state[0]!.sum as Tensor).toArray()).toEqual([0.5, 0.5]);
  });

  it('loadStateDict restores group options and casts state to the parameter dtype', () => {
    const w = tensor([1, 2], { requiresGrad: true, dtype: 'float64' });
    const opt = new Adam([w], { lr: 0.1 });
    gradStep(opt, w);
    const sd = opt.stateDict();
    const w32 = tensor([1, 2], { requiresGrad: true });
    const opt2 = new Adam([w32], { lr: 0.5 });
    opt2.loadStateDict(sd);
    expect(opt2.paramGroups[0]!.lr).toBe(0.1);
    expect(opt2.paramGroups[0]!.params[0]).toBe(w32);
    expect(opt2.state.get(w32)!.expAvg.dtype).toBe('float32');
    expect(opt2.state.get(w32)!.step).toBe(1);
  });

  it('loadStateDict refuses dicts that do not fit', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([1, 2, 3], { requiresGrad: true });
    const opt = new Adam([a], { lr: 0.1 });
    gradStep(opt, a);
    const sd = opt.stateDict();
    expect(() => new Adam([{ params: [a] }, { params: [b] }]).loadStateDict(sd)).toThrow(
      'loadStateDict: Adam: the loaded state dict has 1 parameter groups but the optimizer has 2',
    );
    expect(() => new Adam([a, b]).loadStateDict(sd)).toThrow(
      "loadStateDict: Adam: parameter group 0 of the loaded state dict has 1 parameters but the optimizer's has 2",
    );
    const wrong = () => new Adam([b]).loadStateDict(sd);
    expect(wrong).toThrow(ShapeError);
    expect(wrong).toThrow('loadStateDict: Adam: state of parameter 0: expAvg has shape [2] but the parameter has shape [3]');
    expect(() => new Adam([a]).loadStateDict({ ...sd, state: { 5: sd.state[0]! } })).toThrow(
      'loadStateDict: Adam: the loaded state dict has state for parameter 5, which no group lists',
    );
    const bad = { ...sd, paramGroups: [{ ...sd.paramGroups[0]!, lr: -1 }] };
    expect(() => new Adam([a]).loadStateDict(bad)).toThrow('Adam: param group 0: lr must be >= 0, got -1');
  });
});

describe('end to end', () => {
  it('Adam fits a linear regression to its known solution', () => {
    manualSeed(0);
    const X = randn([64, 3], { dtype: 'float64' });
    const trueW = tensor([[2], [-3], [0.5]], { dtype: 'float64' });
    const y = X.matmul(trueW).add(1.5);
    const w = tensor([[0], [0], [0]], { dtype: 'float64', requiresGrad: true });
    const b = tensor([0], { dtype: 'float64', requiresGrad: true });
    const opt = new Adam([w, b], { lr: 0.05 });
    let loss = Infinity;
    for (let i = 0; i < 1000; i++) {
      opt.zeroGrad();
      const l = X.matmul(w).add(b).sub(y).square().mean();
      l.backward();
      opt.step();
      loss = l.item();
    }
    expect(loss).toBeLessThan(1e-10);
    const got = w.toArray() as number[][];
    [2, -3, 0.5].forEach((v, i) => expect(got[i]![0]).toBeCloseTo(v, 5));
    expect(b.item()).toBeCloseTo(1.5, 5);
  });

  it('SGD with Nesterov momentum and RMSprop minimize a quadratic', () => {
    for (const make of [(p: Tensor[]) => new SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true }),
      (p: Tensor[]) => new RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 })]) {
      const w = tensor([3, -4], { requiresGrad: true });
      const opt = make([w]);
      for (let i = 0; i < 500; i++) gradStep(opt, w);
      expect(Math.max(...(w.toArray() as number[]).map(Math.abs))).toBeLessThan(1e-2);
    }
  });
});
