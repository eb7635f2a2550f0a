/**
 * Reading the PyTorch goldens of test/fixtures/optim (made by tools/goldens/optim.py)
 * and building the optimizers and schedulers they name.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { Tensor, type DType } from '../../src/index.js';
import {
  Adagrad, Adam, AdamW, CosineAnnealingLR, ExponentialLR, LinearLR, OneCycleLR, RMSprop, SGD, StepLR,
  type AnyOptimizer, type LRScheduler,
} from '../../src/optim/index.js';
import { expectClose, num, toTensor, type GoldenTensor, type Tol } from '../helpers/golden.js';

export { num, toTensor, type GoldenTensor };

/** The brief's tolerance: |Δ| ≤ 1e-9, relative for values above 1. */
export const TOL9: Tol = { rtol: 1e-9, atol: 1e-9 };

/** A parameter group of a case: parameter indices and option overrides. */
export interface GoldenGroup {
  params: number[];
  [option: string]: unknown;
}

/** A scheduler of a case: constructor name, positional args after the optimizer, options. */
export interface SchedulerSpec {
  name: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
}

/** One step of an optimizer case. */
export interface GoldenStep {
  loss: number;
  grads: (GoldenTensor | null)[];
  params: GoldenTensor[];
  lr?: number[];
}

/** A case of optimizers.json. */
export interface OptimizerCase {
  id: string;
  optimizer: string;
  options: Record<string, unknown>;
  groups: GoldenGroup[] | null;
  steps: number;
  scheduler?: SchedulerSpec;
  note?: string;
  trajectory: GoldenStep[];
  finalState: Record<string, Record<string, GoldenTensor | number | null>>;
}

/** A case of schedulers.json. */
export interface SchedulerCase {
  id: string;
  optimizer: string;
  options: Record<string, unknown>;
  groups: GoldenGroup[];
  scheduler: SchedulerSpec;
  steps: number;
  epochs?: number[];
  lr: number[][];
  momentum: number[][];
}

/** A case of clip.json. */
export interface ClipCase {
  id: string;
  fn: 'clipGradNorm_' | 'clipGradValue_';
  arg: number | string;
  grads: (GoldenTensor | null)[];
  options: { normType?: number | string; errorIfNonfinite?: boolean };
  totalNorm?: number | string;
  error?: string;
  out: (GoldenTensor | null)[];
}

/** A golden file. */
export interface GoldenFile<C, A = unknown> {
  generator: string;
  torch_version: string;
  torch_version_string: string;
  about: A;
  cases: C[];
}

/** The problem of optimizers.json. */
export interface Problem {
  X: GoldenTensor;
  Y: GoldenTensor;
  init: GoldenTensor[];
}

const dir = fileURLToPath(new URL('../fixtures/optim/', import.meta.url));

/** Loads `test/fixtures/optim/<name>.json`. */
export function load<C, A = unknown>(name: string): GoldenFile<C, A> {
  return JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8')) as GoldenFile<C, A>;
}

type Params = Tensor[] | { params: Tensor[]; [k: string]: unknown }[];
const OPTIMIZERS: Record<string, (params: Params, opts: Record<string, unknown>) => AnyOptimizer> = {
  SGD: (p, o) => new SGD(p, o),
  Adam: (p, o) => new Adam(p, o),
  AdamW: (p, o) => new AdamW(p, o),
  RMSprop: (p, o) => new RMSprop(p, o),
  Adagrad: (p, o) => new Adagrad(p, o),
};

/** The optimizer a case names, over `params` (grouped like the case). */
export function makeOptimizer(
  name: string, params: Tensor[], options: Record<string, unknown>, groups: GoldenGroup[] | null,
): AnyOptimizer {
  const make = OPTIMIZERS[name];
  if (make === undefined) throw new Error(`unknown optimizer ${name}`);
  const input: Params = groups === null ? params : groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]!) }));
  return make(input, options);
}

type Args = unknown[];
type Kw = Record<string, unknown>;
const SCHEDULERS: Record<string, (opt: AnyOptimizer, args: Args, kw: Kw) => LRScheduler> = {
  StepLR: (o, a, k) => new StepLR(o, a[0] as number, k),
  ExponentialLR: (o, a, k) => new ExponentialLR(o, a[0] as number, k),
  CosineAnnealingLR: (o, a, k) => new CosineAnnealingLR(o, a[0] as number, k),
  LinearLR: (o, _a, k) => new LinearLR(o, k),
  OneCycleLR: (o, a, k) => new OneCycleLR(o, a[0] as number | number[], k),
};

/** The scheduler a case names. */
export function makeScheduler(opt: AnyOptimizer, spec: SchedulerSpec): LRScheduler {
  const make = SCHEDULERS[spec.name];
  if (make === undefined) throw new Error(`unknown scheduler ${spec.name}`);
  return make(opt, spec.args ?? [], spec.kwargs ?? {});
}

/** Fresh float64 leaves (or `dtype`) from golden tensors. */
export function leaves(init: GoldenTensor[], dtype: DType = 'float64'): Tensor[] {
  return init.map((t) => toTensor(t, dtype).requiresGrad_());
}

/** `|a − g| ≤ 1e-9 (1 + |g|)` for a tensor, or both null. */
export function expectTensor(actual: Tensor | null, golden: GoldenTensor | null, label: string, tol: Tol = TOL9): void {
  if (golden === null || actual === null) {
    expect(actual, `${label}: null vs golden`).toBeNull();
    expect(golden, `${label}: golden is null`).toBeNull();
    return;
  }
  expectClose(actual, golden, tol, label);
}

/** `|a − g| ≤ 1e-9 (1 + |g|)` for numbers (NaN matches NaN). */
export function expectNumber(actual: number, golden: number | string, label: string, tol: Tol = TOL9): void {
  const g = num(golden);
  const ok = Number.isNaN(g) ? Number.isNaN(actual) : !Number.isFinite(g) ? actual === g : Math.abs(actual - g) <= tol.atol + tol.rtol * Math.abs(g);
  if (!ok) throw new Error(`${label}: ${actual} vs golden ${g} (|diff| ${Math.abs(actual - g)})`);
}

/** The problem's loss: `mean((tanh(X @ W + b) − Y)²)`. */
export function lossOf(X: Tensor, Y: Tensor, params: Tensor[]): Tensor {
  return X.matmul(params[0]!).add(params[1]!).tanh().sub(Y).square().mean();
}
