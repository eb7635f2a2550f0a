/**
 * The model zoo's harness: a model of examples/zoo/ is built, loaded with
 * PyTorch's initial weights (test/fixtures/zoo/<model>.safetensors, written
 * by tools/goldens/zoo.py) through `loadStateDict`, and run forward and
 * backward; its output, loss and the gradient of every parameter are
 * compared with PyTorch's, then three optimizer steps from the same weights
 * (the optimizer and its options from the file's metadata) are compared:
 * the loss at each step, the loss after the last one and the whole state
 * dict after them (buffers included). Everything is read with the async
 * readers, so the same code runs on the CPU backends and on webgpu.
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { type BackendName, type Tensor, tensor } from 'adjoint';
import { loadSafetensors } from 'adjoint/io';
import type { AnyModule } from 'adjoint/nn';
import { Adam, AdamW, SGD, clipGradNorm_, type AdamOptions, type SGDOptions } from 'adjoint/optim';

/** Inputs by the names of the fixture's `golden/input/<name>` entries. */
export type Inputs = Record<string, Tensor>;

/** One model of the zoo, as the tests run it. */
export interface ZooCase {
  /** The test's label. */
  label: string;
  /** The fixture: test/fixtures/zoo/<fixture>.safetensors. */
  fixture: string;
  /** A fresh model with PyTorch's layout (its weights are overwritten by the fixture's). */
  build: () => AnyModule;
  /** The forward pass and the loss, written as in tools/goldens/zoo.py. */
  run: (model: AnyModule, inputs: Inputs) => { out: Tensor; loss: Tensor };
  /** Why the model does not run on webgpu (an op with no webgpu kernel), if it does not. */
  notOnWebgpu?: string;
}

/** A run: where and in what precision. */
export interface Where {
  backend: BackendName;
  dtype: 'float32' | 'float64';
}

/** The fixture split into the state dict, the inputs and the expected values. */
export interface Golden {
  stateDict: Map<string, Tensor>;
  inputs: Map<string, Tensor>;
  expected: Map<string, Tensor>;
  metadata: Readonly<Record<string, string>>;
}

const FIXTURES = fileURLToPath(new URL('../fixtures/zoo/', import.meta.url));

/** Reads test/fixtures/zoo/<name>.safetensors (on the current default backend). */
export function loadGolden(name: string): Golden {
  const file = loadSafetensors(`${FIXTURES}${name}.safetensors`);
  const g: Golden = { stateDict: new Map(), inputs: new Map(), expected: new Map(), metadata: file.metadata };
  for (const [k, t] of file) {
    if (k.startsWith('golden/input/')) g.inputs.set(k.slice('golden/input/'.length), t);
    else if (k.startsWith('golden/')) g.expected.set(k.slice('golden/'.length), t);
    else g.stateDict.set(k, t);
  }
  return g;
}

/** Float64 copies of a tensor's elements, read asynchronously (any backend). */
async function values(t: Tensor): Promise<Float64Array> {
  return Float64Array.from(await t.toTypedArrayAsync(), Number);
}

/** Relative tolerance per dtype: float64 1e-9, float32 1e-4. */
export function rtolOf(dtype: Where['dtype']): number {
  return dtype === 'float64' ? 1e-9 : 1e-4;
}

/**
 * Asserts `|a − b| ≤ rtol·(|b| + max|B|)` elementwise: relative to each
 * element and to the size of the tensor it belongs to (gradients have
 * entries near zero, where a purely elementwise test means nothing).
 */
export async function expectClose(actual: Tensor, expected: Tensor, rtol: number, label: string, skip?: boolean[]): Promise<void> {
  expect(actual.shape, `${label}: shape`).toEqual(expected.shape);
  const a = await values(actual);
  const b = await values(expected);
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < b.length; i++) {
    if (skip?.[i] === true) continue;
    const err = Math.abs(a[i]! - b[i]!) / (Math.abs(b[i]!) + scale || 1);
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  if (!(worst <= rtol)) {
    throw new Error(`${label}: element ${at} is ${a[at]}, PyTorch has ${b[at]} (relative error ${worst.toExponential(2)} > ${rtol})`);
  }
}

/** The inputs moved to `where` (floating ones cast to its dtype; int32 indices stay int32). */
function inputsFor(g: Golden, where: Where): Inputs {
  const out: Inputs = {};
  for (const [k, t] of g.inputs) {
    const x = t.dtype === 'float64' || t.dtype === 'float32' ? t.to(where.dtype) : t;
    out[k] = x.to(where.backend);
  }
  return out;
}

/** A model of the case in `where`'s dtype with the fixture's weights, moved to `where`'s backend. */
export function loaded(c: ZooCase, g: Golden, where: Where): AnyModule {
  const model = c.build().to(where.dtype);
  const result = model.loadStateDict(g.stateDict); // strict: every key of PyTorch's state dict, and only those
  expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
  return model.to(where.backend);
}

/** Forward, loss and the gradient of every parameter against PyTorch's. */
export async function checkForwardBackward(c: ZooCase, g: Golden, where: Where): Promise<void> {
  const rtol = rtolOf(where.dtype);
  const model = loaded(c, g, where);
  const { out, loss } = c.run(model, inputsFor(g, where));
  expect(out.backend).toBe(where.backend);
  expect(loss.dtype).toBe(where.dtype);
  await expectClose(out, g.expected.get('out')!, rtol, `${c.label}: output`);
  await expectClose(loss, g.expected.get('loss')!, rtol, `${c.label}: loss`);
  loss.backward();
  const params = model.namedParameters();
  const expectedNames = [...g.expected.keys()].filter((k) => k.startsWith('grad/')).map((k) => k.slice(5));
  expect(params.map(([n]) => n).sort()).toEqual(expectedNames.sort());
  for (const [name, p] of params) {
    expect(p.grad, `${c.label}: ${name} has a gradient`).not.toBeNull();
    await expectClose(p.grad!, g.expected.get(`grad/${name}`)!, rtol, `${c.label}: d loss / d ${name}`);
  }
}

/** The optimizer named in the fixture's metadata (PyTorch's class, adjoint's option names). */
function optimizerFor(g: Golden, model: AnyModule): SGD | Adam | AdamW {
  const { name, options } = JSON.parse(g.metadata['optimizer']!) as { name: string; options: Record<string, unknown> };
  if (name === 'SGD') return new SGD(model.parameters(), options as SGDOptions);
  if (name === 'Adam') return new Adam(model.parameters(), options as AdamOptions);
  if (name === 'AdamW') return new AdamW(model.parameters(), options as AdamOptions);
  throw new Error(`no optimizer ${name}`);
}

/** Three training steps from PyTorch's initial weights: the losses and the state dict after them. */
export async function checkTraining(c: ZooCase, g: Golden, where: Where): Promise<void> {
  const rtol = rtolOf(where.dtype);
  const model = loaded(c, g, where);
  const inputs = inputsFor(g, where);
  const opt = optimizerFor(g, model);
  const clip = g.metadata['clipGradNorm'];
  const losses: number[] = [];
  for (let step = 0; step < 3; step++) {
    opt.zeroGrad();
    const { loss } = c.run(model, inputs);
    loss.backward();
    if (clip !== undefined) clipGradNorm_(model.parameters(), Number(clip));
    opt.step();
    losses.push(await loss.itemAsync());
  }
  const final = model.stateDict();
  losses.push(await c.run(model, inputs).loss.itemAsync());
  await expectClose(tensor(losses, { dtype: 'float64' }), g.expected.get('train/loss')!, rtol, `${c.label}: losses of the 3 steps and after`);
  const expectedKeys = [...g.expected.keys()].filter((k) => k.startsWith('final/')).map((k) => k.slice(6));
  expect([...final.keys()].sort()).toEqual(expectedKeys.sort());
  const adam = (JSON.parse(g.metadata['optimizer']!) as { name: string }).name.startsWith('Adam');
  let skipped = 0;
  for (const [k, t] of final) {
    const skip = where.dtype === 'float32' && adam ? await illConditioned(g, k) : undefined;
    skipped += skip?.filter(Boolean).length ?? 0;
    await expectClose(t, g.expected.get(`final/${k}`)!, rtol, `${c.label}: ${k} after 3 steps`, skip);
  }
  const total = model.parameters().reduce((n, p) => n + p.size, 0);
  expect(skipped, `${c.label}: parameters left to float64`).toBeLessThanOrEqual(total / 100);
}

/**
 * The entries of parameter `name` where Adam in float32 cannot follow
 * PyTorch's float64 trajectory: a gradient that is nonzero but under 1e-6 of
 * the tensor's largest, so its float32 rounding error (about 1e-7 of the
 * largest) is not small beside it. Adam's step `m̂/(√v̂ + ε)` does not
 * shrink with the gradient, so these entries move by a sizeable part of `lr`
 * on rounding noise; attention's key bias, whose exact gradient is zero
 * (softmax is shift-invariant; PyTorch's float64 one is ~1e-18), is one.
 * They are checked in float64 only, and must be under 1% of the model.
 * (Exact zeros, e.g. dead ReLUs and unused embedding rows, are exact in
 * float32 too and are checked.)
 */
async function illConditioned(g: Golden, name: string): Promise<boolean[] | undefined> {
  const grad = g.expected.get(`grad/${name}`);
  if (grad === undefined) return undefined;
  const v = await values(grad);
  let scale = 0;
  for (const x of v) scale = Math.max(scale, Math.abs(x));
  return Array.from(v, (x) => x !== 0 && Math.abs(x) <= 1e-6 * scale);
}
