import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Value, grad } from '../../src/scalar/index.js';

// PyTorch 1.13.1 goldens (float64), format in test/fixtures/conformance/README.md.
// Each tensor case is checked element by element with scalar Values: out, the
// gradient of loss = Σ out·cotangent, and grad_of_grad (the Hessian of that loss
// times v, which for an elementwise op is cotangent·f''(x)·v), the latter both by
// grad(grad(·)) and by backward({createGraph: true}).

type Num = number | string;
interface Tensor { shape: number[]; data: Num[] }
interface Case {
  id: string;
  op: string;
  args: { tensor: Tensor }[];
  kwargs: Record<string, unknown>;
  out: Tensor;
  cotangent: Tensor;
  grads: Tensor[];
  grad_of_grad?: { v: Tensor[]; grads: Tensor[] };
}

const file = JSON.parse(
  readFileSync(new URL('../fixtures/conformance/unary.json', import.meta.url), 'utf8'),
) as { torch_version: string; cases: Case[] };

const num = (x: Num): number =>
  typeof x === 'number' ? x : x === 'NaN' ? NaN : x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : NaN;

const OPS: Record<string, (x: Value) => Value> = {
  neg: (x) => x.neg(),
  exp: (x) => x.exp(),
  log: (x) => x.log(),
  tanh: (x) => x.tanh(),
  relu: (x) => x.relu(),
  sigmoid: (x) => x.sigmoid(),
  sin: (x) => x.sin(),
  cos: (x) => x.cos(),
};

/** float64 tolerance of the README: |a - g| <= 1e-12 + 1e-9·|g|. */
function expectGolden(actual: number, golden: number, what: string): void {
  if (Number.isNaN(golden)) {
    expect(actual, what).toBeNaN();
    return;
  }
  expect(Math.abs(actual - golden) <= 1e-12 + 1e-9 * Math.abs(golden), `${what}: ${actual} vs golden ${golden}`).toBe(true);
}

describe(`scalar Value against the PyTorch ${file.torch_version} unary goldens`, () => {
  const cases = file.cases.filter((c) => c.op in OPS);
  it('covers every unary op Value has', () => {
    expect(new Set(cases.map((c) => c.op))).toEqual(new Set(Object.keys(OPS)));
  });

  for (const c of cases) {
    it(c.id, () => {
      const op = OPS[c.op]!;
      const xs = c.args[0]!.tensor.data.map(num);
      const ct = c.cotangent.data.map(num);
      const out = c.out.data.map(num);
      const g = c.grads[0]!.data.map(num);
      expect(xs).toHaveLength(out.length);
      xs.forEach((x0, k) => {
        const x = new Value(x0);
        const y = op(x);
        expectGolden(y.data, out[k]!, `${c.id}[${k}] out`);
        y.mul(ct[k]!).backward();
        expectGolden(x.grad, g[k]!, `${c.id}[${k}] grad`);
      });
      const gg = c.grad_of_grad;
      if (gg === undefined) return;
      const v = gg.v[0]!.data.map(num);
      const expected = gg.grads[0]!.data.map(num);
      xs.forEach((x0, k) => {
        // d/dx [ (d/dx Σ out·ct) · v ]
        const loss = (x: Value) => op(x).mul(ct[k]!);
        const viaGrad = grad((x: Value) => grad(loss)(x).mul(v[k]!))(x0);
        expectGolden(viaGrad.data, expected[k]!, `${c.id}[${k}] grad_of_grad (grad)`);
        const x = new Value(x0);
        loss(x).backward({ createGraph: true });
        const first = x.gradValue!;
        x.grad = 0;
        first.mul(v[k]!).backward();
        expectGolden(x.grad, expected[k]!, `${c.id}[${k}] grad_of_grad (createGraph)`);
      });
    });
  }
});
