/**
 * The Module machinery: registration, traversal, train/eval, zeroGrad, apply, to(dtype), state dicts
 * (round trips in memory and through safetensors, in-place loading, the errors that list what is
 * wrong), containers, and a PyTorch-written safetensors file loading into the same model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor, manualSeed, noGrad, ones, randn, tensor, zeros } from 'adjoint';
import { loadSafetensors, saveSafetensors } from 'adjoint/io';
import * as nn from 'adjoint/nn';
import {
  BatchNorm1d, BatchNorm2d, Conv2d, CrossEntropyLoss, Dropout, Flatten, Linear, MaxPool2d, Module, ModuleDict, ModuleList,
  Parameter, ReLU, Sequential, StateDictError, Tanh,
} from 'adjoint/nn';
import { SGD } from 'adjoint/optim';
import { expectClose, load, toT, type G } from './modules-golden.js';

const scratch = mkdtempSync(join(tmpdir(), 'adjoint-nn-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

class Block extends Module {
  fc = new Linear(3, 4);
  scale = new Parameter(ones([4]));
  plain = randn([4]); // a plain tensor: not registered
  list = [new Linear(1, 1)]; // an array: not registered
  _cache = new Linear(2, 2); // '_' names are private
  act = new ReLU();
  forward(x: Tensor): Tensor {
    return this.act.forward(this.fc.forward(x)).mul(this.scale);
  }
}

function cnn(): Sequential {
  return new Sequential(
    new Conv2d(1, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(64, 10),
  );
}

describe('registration', () => {
  it('finds parameters and submodules in assignment order, skipping plain tensors, arrays and _names', () => {
    const b = new Block();
    // Like PyTorch: a module's own parameters first, then each submodule's.
    expect(b.namedParameters().map(([n]) => n)).toEqual(['scale', 'fc.weight', 'fc.bias']);
    expect(b.namedChildren().map(([n]) => n)).toEqual(['fc', 'act']);
    expect(b.parameters({ recurse: false }).length).toBe(1);
    expect(b.parameters().every((p) => p instanceof Parameter && p.requiresGrad && p.isLeaf)).toBe(true);
  });

  it('sees reassigned properties and skips null slots', () => {
    const b = new Block();
    b.fc = new Linear(3, 4, { bias: false });
    expect(b.namedParameters().map(([n]) => n)).toEqual(['scale', 'fc.weight']);
  });

  it('lists a shared parameter once, and a shared module once', () => {
    const shared = new Linear(2, 2);
    const m = new Sequential(shared, new Tanh(), shared);
    expect(m.parameters().length).toBe(2);
    expect(m.modules().length).toBe(3);
    expect([...m.stateDict().keys()]).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']); // like PyTorch's state_dict
  });

  it('registerParameter, registerBuffer and registerModule work by name, with accessors', () => {
    class M extends Module {
      declare mask: Tensor;
      declare w: Parameter;
      constructor() {
        super();
        this.registerParameter('w', new Parameter(zeros([2])));
        this.registerBuffer('mask', ones([2]));
        this.registerBuffer('scratch', zeros([2]), { persistent: false });
        this.registerModule('inner', new Linear(2, 2));
      }
      forward(x: Tensor): Tensor {
        return x.mul(this.mask).add(this.w);
      }
    }
    const m = new M();
    expect(m.mask.toArray()).toEqual([1, 1]);
    expect(m.namedParameters().map(([n]) => n)).toEqual(['w', 'inner.weight', 'inner.bias']);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(['mask', 'scratch']);
    expect([...m.stateDict().keys()]).toEqual(['w', 'mask', 'inner.weight', 'inner.bias']); // scratch is not persistent
    m.mask = tensor([0, 1]);
    expect(m.getBuffer('mask')!.toArray()).toEqual([0, 1]);
    expect(() => m.registerBuffer('a.b', null)).toThrow(/without '\.'/);
    expect(() => m.registerParameter('p', randn([2]) as Parameter)).toThrow(/must be a Parameter/);
  });

  it('Parameter copies its data into a leaf that requires grad, and prints like PyTorch', () => {
    const data = tensor([1, 2]);
    const p = new Parameter(data);
    expect(p).toBeInstanceOf(Tensor);
    expect(p.requiresGrad && p.isLeaf).toBe(true);
    expect(new Parameter(data, false).requiresGrad).toBe(false);
    expect(String(p)).toBe('Parameter containing:\ntensor([1., 2.], requires_grad=True)');
  });

  it('getSubmodule follows dotted paths and names what is missing', () => {
    const m = new Sequential(new Sequential(new Linear(2, 2)));
    expect(m.getSubmodule('0.0')).toBeInstanceOf(Linear);
    expect(() => m.getSubmodule('0.3')).toThrow("getSubmodule: Sequential at '0' has no submodule '3'");
  });
});

describe('modes, gradients, apply and dtype', () => {
  it('train()/eval() set training recursively; Dropout is off in eval; call() is forward()', () => {
    manualSeed(0);
    const m = new Sequential(new Linear(8, 8), new Sequential(new Dropout(0.5)));
    expect(m.modules().every((x) => x.training)).toBe(true);
    const x = ones([4, 8]);
    const drop = m.get(1);
    const y = drop.forward(x).toTypedArray();
    expect(y.some((v) => v === 0) && y.some((v) => v === 2)).toBe(true);
    m.eval();
    expect(m.modules().some((x) => x.training)).toBe(false);
    expect(drop.forward(x)).toBe(x);
    expect(m.call(x).toArray()).toEqual(m.forward(x).toArray());
    m.train();
    expect(m.modules().every((x) => x.training)).toBe(true);
  });

  it('zeroGrad clears gradients (null by default, zeros on request)', () => {
    const m = new Linear(2, 1);
    m.forward(ones([3, 2])).sum().backward();
    expect(m.weight.grad).not.toBeNull();
    m.zeroGrad({ setToNone: false });
    expect(m.weight.grad!.toArray()).toEqual([[0, 0]]);
    m.zeroGrad();
    expect(m.weight.grad).toBeNull();
  });

  it('apply visits children first, then the module', () => {
    const seen: string[] = [];
    new Sequential(new Linear(1, 1), new Sequential(new ReLU())).apply((m) => seen.push(m.constructor.name));
    expect(seen).toEqual(['Linear', 'ReLU', 'Sequential', 'Sequential']);
  });

  it('to(dtype) converts parameters and float buffers; int counters stay int32', () => {
    const m = new Sequential(new Linear(3, 4), new BatchNorm1d(4)).to('float64');
    expect(m.parameters().map((p) => p.dtype)).toEqual(['float64', 'float64', 'float64', 'float64']);
    expect(m.buffers().map((b) => b.dtype)).toEqual(['float64', 'float64', 'int32']);
    expect(m.forward(randn([5, 3], { dtype: 'float64' })).dtype).toBe('float64');
    expect(m.float().parameters()[0]!.dtype).toBe('float32');
    expect(() => m.to('int32')).toThrow(/float32 or float64/);
  });

  it('requiresGrad_(false) freezes parameters', () => {
    const m = new Linear(2, 2).requiresGrad_(false);
    expect(m.parameters().some((p) => p.requiresGrad)).toBe(false);
  });
});

describe('state dicts', () => {
  function trainedCnn(seed: number): Sequential {
    manualSeed(seed);
    const m = cnn();
    const opt = new SGD(m.parameters(), { lr: 0.1 });
    const lossFn = new CrossEntropyLoss();
    for (let i = 0; i < 3; i++) {
      opt.zeroGrad();
      lossFn.forward(m.forward(randn([6, 1, 8, 8])), tensor([0, 1, 2, 3, 4, 5], { dtype: 'int32' })).backward();
      opt.step();
    }
    return m.eval();
  }

  it('round-trips in memory: a fresh model gives the same outputs, running statistics included', () => {
    const a = trainedCnn(1);
    const b = cnn().eval();
    const x = randn([3, 1, 8, 8]);
    expect(b.forward(x).toArray()).not.toEqual(a.forward(x).toArray());
    b.loadStateDict(a.stateDict());
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
    expect(b.getSubmodule('1').getBuffer('num_batches_tracked')!.item()).toBe(3);
  });

  it('round-trips through saveSafetensors / loadSafetensors', () => {
    const a = trainedCnn(2);
    const file = join(scratch, 'cnn.safetensors');
    saveSafetensors(file, a.stateDict());
    const loaded = loadSafetensors(file);
    expect([...loaded.keys()]).toEqual([...a.stateDict().keys()]);
    const b = cnn().eval();
    b.loadStateDict(loaded);
    const x = randn([2, 1, 8, 8]);
    expect(b.forward(x).toArray()).toEqual(a.forward(x).toArray());
  });

  it('stateDict tensors are detached and share storage with the module', () => {
    const m = new Linear(2, 2);
    const w = m.stateDict().get('weight')!;
    expect(w.requiresGrad).toBe(false);
    noGrad(() => m.weight.fill_(3));
    expect(w.toArray()).toEqual([[3, 3], [3, 3]]);
  });

  it('loads in place (an optimizer keeps working) and casts dtypes', () => {
    const m = new Linear(2, 1);
    const w = m.weight;
    const opt = new SGD(m.parameters(), { lr: 1 });
    m.loadStateDict({ weight: tensor([[1, 2]], { dtype: 'float64' }), bias: tensor([0.5], { dtype: 'float64' }) });
    expect(m.weight).toBe(w);
    expect(m.weight.dtype).toBe('float32');
    m.forward(tensor([[1, 1]])).sum().backward();
    opt.step();
    expect(m.weight.toArray()).toEqual([[0, 1]]);
  });

  it('lists missing and unexpected keys and shape mismatches in one error', () => {
    const m = new Sequential(new Linear(2, 3), new Linear(3, 1));
    const sd = new Map([
      ['0.weight', zeros([3, 2])],
      ['1.weight', zeros([2, 3])],
      ['1.bias', zeros([1])],
      ['2.weight', zeros([1])],
    ]);
    let err: StateDictError | null = null;
    try {
      m.loadStateDict(sd);
    } catch (e) {
      err = e as StateDictError;
    }
    expect(err).toBeInstanceOf(StateDictError);
    expect(err!.message).toBe(
      'loadStateDict: error(s) in loading the state dict for Sequential:\n' +
      '  missing keys: "0.bias"\n' +
      '  unexpected keys: "2.weight"\n' +
      '  size mismatch for 1.weight: the state dict has shape [2,3], the module has [1,3]',
    );
    expect(err!.missingKeys).toEqual(['0.bias']);
    expect(err!.unexpectedKeys).toEqual(['2.weight']);
    expect(err!.mismatchedKeys).toEqual(['1.weight']);
    // Nothing was loaded.
    expect(m.get(0).stateDict().get('weight')!.abs().sum().item()).toBeGreaterThan(0);
  });

  it('strict: false returns the missing and unexpected keys, and still refuses shape mismatches', () => {
    const m = new Sequential(new Linear(2, 3), new Linear(3, 1));
    const r = m.loadStateDict({ '0.weight': ones([3, 2]), extra: ones([1]) }, { strict: false });
    expect(r).toEqual({ missingKeys: ['0.bias', '1.weight', '1.bias'], unexpectedKeys: ['extra'] });
    expect(m.get(0).stateDict().get('weight')!.toArray()).toEqual([[1, 1], [1, 1], [1, 1]]);
    expect(() => m.loadStateDict({ '0.weight': ones([2, 2]) }, { strict: false })).toThrow(
      'size mismatch for 0.weight: the state dict has shape [2,2], the module has [3,2]',
    );
  });

  it('a safetensors file written by PyTorch loads into the same model and gives the same output', () => {
    const golden = load<{ keys: string[]; input: G; out: G }>('interop');
    const sd = loadSafetensors(fileURLToPath(new URL('../fixtures/nn/torch_model.safetensors', import.meta.url)));
    expect([...sd.keys()].sort()).toEqual([...golden.keys].sort());
    const m = new Sequential(new Linear(3, 5), new BatchNorm1d(5), new ReLU(), new Linear(5, 2));
    m.loadStateDict(sd);
    expect(m.getSubmodule('1').getBuffer('num_batches_tracked')!.toArray()).toBe(3);
    expectClose(m.eval().forward(toT(golden.input, 'float32')), golden.out, 1e-5, 'torch model output');
  });
});

describe('containers', () => {
  it('Sequential: get (negative too), length, iteration, append, named from a Map', () => {
    const s = new Sequential(new Linear(2, 3), new Tanh());
    expect(s.length).toBe(2);
    expect(s.get(-1)).toBeInstanceOf(Tanh);
    expect(() => s.get(2)).toThrow('index 2 is out of range for 2 modules');
    s.append(new Linear(3, 1));
    expect([...s].map((m) => m.constructor.name)).toEqual(['Linear', 'Tanh', 'Linear']);
    expect(s.forward(randn([5, 2])).shape).toEqual([5, 1]);
    const named = new Sequential(new Map([['fc', new Linear(2, 2)], ['act', new ReLU()]]));
    expect([...named.stateDict().keys()]).toEqual(['fc.weight', 'fc.bias']);
    expect(() => new Sequential(3 as unknown as Linear)).toThrow('argument 0 is not a Module');
  });

  it('ModuleList: append, extend, insert (renumbering), set; has no forward', () => {
    const l = new ModuleList([new Linear(1, 1)]);
    l.extend([new Linear(2, 2)]).append(new Linear(3, 3));
    l.insert(0, new Linear(4, 4));
    expect([...l].map((m) => m.inFeatures)).toEqual([4, 1, 2, 3]);
    expect(l.namedParameters().map(([n]) => n)[2]).toBe('1.weight');
    l.set(-1, new Linear(5, 5));
    expect(l.get(3).inFeatures).toBe(5);
    expect(() => l.forward()).toThrow(/no forward/);
  });

  it('ModuleDict: insertion order from a Map, get/set/has/delete', () => {
    const d = new ModuleDict(new Map([['b', new Linear(1, 1)], ['a', new ReLU()]]));
    expect(d.keys()).toEqual(['b', 'a']);
    d.set('c', new Tanh());
    d.delete('a');
    expect(d.has('a')).toBe(false);
    expect(d.keys()).toEqual(['b', 'c']);
    expect(d.get('c')).toBeInstanceOf(Tanh);
    expect(() => d.set('training', new Tanh())).toThrow(/already a property/);
  });
});

describe('nn namespace', () => {
  it('exposes functional and init as namespaces', () => {
    expect(typeof nn.functional.conv2d).toBe('function');
    expect(typeof nn.init.kaimingUniform_).toBe('function');
    expect(nn.functional.relu(tensor([-1, 1])).toArray()).toEqual([0, 1]);
  });

  it('validates layer arguments with messages that name the layer', () => {
    expect(() => new Linear(-1, 2)).toThrow('Linear: inFeatures must be an integer >= 0, got -1');
    expect(() => new Conv2d(3, 4, 3, { groups: 2 })).toThrow('Conv2d: inChannels 3 must be divisible by groups 2');
    expect(() => new Conv2d(3, 4, 3, { padding: 'same', stride: 2 })).toThrow(/not supported for strided/);
    expect(() => new nn.MultiheadAttention(10, 3)).toThrow('embedDim 10 must be divisible by numHeads 3');
    expect(() => new Dropout(1.5)).toThrow('Dropout: p must be in [0, 1], got 1.5');
    expect(() => new BatchNorm2d(3).forward(randn([2, 3]))).toThrow('BatchNorm2d: expected a 4-D [N, C, H, W] input, got [2,3]');
  });
});
