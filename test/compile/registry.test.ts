/**
 * The golden registries (test/tensor/registry.ts, test/nn/registry.ts) through
 * `compile`: for every golden case, a compiled function computing the op's
 * outputs, its loss Σ out·ct and the loss's gradients (`valueAndGrad` inside)
 * equals the same function run eagerly, to float32 rounding, on js and wasm.
 * The program is traced on other values (the float inputs scaled by 0.75) and
 * replayed twice on the golden ones, so no traced value can leak into a result.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Tensor, compile, manualSeed, mul, setBackend, sum, valueAndGrad } from '../../src/index.js';
import { isTensorArg, loadFamily, num, toTensor, type GoldenCase, type GoldenTensor } from '../helpers/golden.js';
import { convertArgs, type OpEntry, type Registry } from '../helpers/registry.js';
import { NN_REGISTRY } from '../nn/registry.js';
import { REGISTRY } from '../tensor/registry.js';

const TENSOR_FAMILIES = ['unary', 'binary', 'reduction', 'shape', 'linalg', 'softmax', 'special', 'manipulation', 'einsum', 'pointwise', 'scan', 'sorting'];
const NN_FAMILIES = ['conv', 'pool', 'normalization', 'loss', 'layers', 'activation', 'sampling', 'transposed', 'groupnorm', 'sdpa', 'distance', 'elementwise_loss'];

/** Float32 rounding, carried through a few ops and a reduction: a few ulps of the largest magnitude. */
const RTOL = 4e-6;

const asList = (v: Tensor | readonly Tensor[]): Tensor[] => (Array.isArray(v) ? [...(v as readonly Tensor[])] : [v as Tensor]);

/** The case as a function of its tensor args: [outputs..., loss, gradients...]. */
function caseFunction(entry: OpEntry, c: GoldenCase, args: readonly unknown[]): { f: (...ts: Tensor[]) => Tensor[]; tensors: (a: readonly unknown[]) => Tensor[] } {
  const pos = args.flatMap((a, i) => (a instanceof Tensor ? [i] : []));
  const cts = (Array.isArray(c.cotangent) ? c.cotangent : [c.cotangent]) as (GoldenTensor | null)[];
  const diff = pos.flatMap((p, k) => ((args[p] as Tensor)._isFloat && c.grads[p] !== null && c.grads[p] !== undefined ? [k] : []));
  const kwargs = c.kwargs ?? {};
  const run = (ts: readonly Tensor[]): Tensor[] => {
    const full = args.slice();
    pos.forEach((p, k) => (full[p] = ts[k]));
    return asList(entry.call(full, kwargs));
  };
  const f = (...all: Tensor[]): Tensor[] => {
    const ts = all.slice(0, pos.length);
    const ctTensors = all.slice(pos.length);
    const outs = run(ts);
    if (diff.length === 0) return outs;
    const loss = (...xs: Tensor[]): Tensor => {
      const full = ts.slice();
      diff.forEach((k, j) => (full[k] = xs[j]!));
      let total: Tensor | null = null;
      run(full).forEach((o, i) => {
        const w = ctTensors[i];
        if (w === undefined || !o._isFloat) return;
        const term = sum(mul(o, w));
        total = total === null ? term : total.add(term);
      });
      return total ?? sum(mul(ts[diff[0]!]!, 0));
    };
    const [v, gs] = valueAndGrad(loss, { argnums: diff.map((_k, j) => j) })(...diff.map((k) => ts[k]!));
    return [...outs, v, ...(gs as Tensor[])];
  };
  const tensors = (a: readonly unknown[]): Tensor[] => {
    const ts = pos.map((p) => a[p] as Tensor);
    const ct = cts.flatMap((w) => (w === null ? [] : [toTensor(w, 'float32')]));
    return [...ts, ...ct];
  };
  return { f, tensors };
}

/** The golden args with every float tensor scaled (same signs and order, other values). */
function scaled(c: GoldenCase): unknown[] {
  return c.args.map((a) => {
    if (!isTensorArg(a) || a.tensor.dtype !== undefined) return a;
    return { tensor: { ...a.tensor, data: a.tensor.data.map((v) => num(v) * 0.75) } };
  });
}

function expectSame(got: Tensor, want: Tensor, label: string): void {
  expect(got.shape, `${label}: shape`).toEqual(want.shape);
  expect(got.dtype, `${label}: dtype`).toBe(want.dtype);
  const g = got.toTypedArray();
  const w = want.toTypedArray();
  let scale = 0;
  for (const v of w) if (Number.isFinite(Number(v))) scale = Math.max(scale, Math.abs(Number(v)));
  const atol = RTOL * Math.max(scale, 1e-3);
  for (let i = 0; i < w.length; i++) {
    const a = Number(g[i]);
    const b = Number(w[i]);
    if (Number.isNaN(b) ? Number.isNaN(a) : !Number.isFinite(b) ? a === b : Math.abs(a - b) <= atol + RTOL * Math.abs(b)) continue;
    throw new Error(`${label}: element ${i}: compiled ${a} vs eager ${b} (|diff| ${Math.abs(a - b)}, allowed ${atol + RTOL * Math.abs(b)})`);
  }
}

function registryTests(families: readonly string[], registry: Registry, backend: 'js' | 'wasm'): void {
  for (const family of families) {
    describe(family, () => {
      for (const c of loadFamily(family).cases) {
        const entry = registry[c.op];
        if (entry === undefined) continue;
        it(c.id, () => {
          setBackend(backend);
          const gold = convertArgs(c.args, 'float32', false);
          const { f, tensors } = caseFunction(entry, c, gold);
          manualSeed(0);
          const eager = f(...tensors(gold));
          let traces = 0;
          const compiled = compile((...a: Tensor[]): Tensor[] => {
            traces++;
            return f(...a);
          });
          manualSeed(0);
          compiled(...tensors(convertArgs(scaled(c), 'float32', false)));
          for (const round of [1, 2]) {
            manualSeed(0);
            const got = compiled(...tensors(convertArgs(c.args, 'float32', false)));
            expect(got.length).toBe(eager.length);
            got.forEach((t, i) => expectSame(t, eager[i]!, `${c.id} replay ${round} result ${i}`));
          }
          expect(traces, `${c.id}: traced once, then replayed`).toBe(1);
        });
      }
    });
  }
}

describe.each(['js', 'wasm'] as const)('golden registry through compile on %s', (backend) => {
  afterEach(() => setBackend('wasm'));
  describe('tensor ops', () => {
    registryTests(TENSOR_FAMILIES, REGISTRY, backend);
  });
  describe('nn ops', () => {
    registryTests(NN_FAMILIES, NN_REGISTRY, backend);
  });
});

