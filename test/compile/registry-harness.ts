/**
 * The golden registries (test/tensor/registry.ts, test/nn/registry.ts) through
 * `compile`, for registry.test.ts and webgpu.test.ts: for every golden case, a
 * compiled function computing the op's outputs, its loss Σ out·ct and the
 * loss's gradients (`valueAndGrad` inside) equals the same function run
 * eagerly, to float32 rounding.
 * The program is traced on other values (the float inputs scaled by 0.75) and
 * replayed twice on the golden ones, so no traced value can leak into a result.
 */
import { describe, expect, it } from 'vitest';
import { DeviceError, Tensor, compile, manualSeed, mul, setBackend, sum, valueAndGrad } from '../../src/index.js';
import { isTensorArg, loadFamily, num, toTensor, type GoldenCase, type GoldenTensor } from '../helpers/golden.js';
import { convertArgs, type OpEntry, type Registry } from '../helpers/registry.js';

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

async function expectSame(got: Tensor, want: Tensor, label: string): Promise<void> {
  expect(got.shape, `${label}: shape`).toEqual(want.shape);
  expect(got.dtype, `${label}: dtype`).toBe(want.dtype);
  const g = await got.toTypedArrayAsync();
  const w = await want.toTypedArrayAsync();
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

/**
 * The golden cases of `families` through `compile` on `backend`: all of them,
 * or the first `casesPerOp` of each op (the GPU on a software adapter, where
 * every case costs a second: each op's kernels still go through compile).
 * On the GPU the cases that read values to size their output must throw.
 */
export function registryTests(families: readonly string[], registry: Registry, backend: 'js' | 'wasm' | 'webgpu', casesPerOp = Infinity): void {
  for (const family of families) {
    describe(family, () => {
      const seen = new Map<string, number>();
      for (const c of loadFamily(family).cases) {
        const entry = registry[c.op];
        if (entry === undefined) continue;
        const n = (seen.get(c.op) ?? 0) + 1;
        seen.set(c.op, n);
        if (n > casesPerOp) continue;
        it(c.id, async () => {
          setBackend(backend);
          const gold = convertArgs(c.args, 'float32', false);
          if (backend === 'webgpu' && entry.readsShape?.(gold, c.kwargs ?? {}) === true) {
            expect(() => entry.call(gold, c.kwargs ?? {})).toThrow(DeviceError);
            return;
          }
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
            for (const [i, t] of got.entries()) await expectSame(t, eager[i]!, `${c.id} replay ${round} result ${i}`);
          }
          expect(traces, `${c.id}: traced once, then replayed`).toBe(1);
        });
      }
    });
  }
}

