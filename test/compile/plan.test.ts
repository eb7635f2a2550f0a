/**
 * compile's replay plan: in-place updates fused into loops, buffers planned
 * once and reused across calls, steps lowered to backend calls, the
 * last-call signature, nested compiled functions. Every replay is checked
 * exactly against the same function run eagerly.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Tensor, compile, manualSeed, noGrad, randn, setBackend, tensor, zeros } from '../../src/index.js';
import { jsBackend, wasmBackend } from '../../src/backend/index.js';

const arr = (t: Tensor): number[] => Array.from(t.toTypedArray());

/** The debug log of `body` (ADJOINT_COMPILE_DEBUG=1). */
function logOf(body: () => void): string {
  const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  process.env.ADJOINT_COMPILE_DEBUG = '1';
  try {
    body();
    return spy.mock.calls.map((c) => String(c[0])).join('\n');
  } finally {
    delete process.env.ADJOINT_COMPILE_DEBUG;
    spy.mockRestore();
  }
}

/** A tanh MLP [n,inputs] → hidden → 1 with weights [in, out], its MSE loss, and a hand-written SGD step. */
function mlpTwin(seed: number, inputs = 2, hidden = 16) {
  manualSeed(seed);
  const X = randn([96, inputs]);
  const Y = randn([96, 1]);
  const ps = [randn([inputs, hidden]), zeros([hidden]), randn([hidden, 1]), zeros([1])].map((p) => p.requiresGrad_());
  const step = (): Tensor => {
    const loss = X.matmul(ps[0]!).add(ps[1]!).tanh().matmul(ps[2]!).add(ps[3]!).sub(Y).pow(2).mean();
    loss.backward();
    noGrad(() => {
      for (const p of ps) {
        p.sub_(p.grad!.mul(0.05));
        p.grad = null;
      }
    });
    return loss;
  };
  return { ps, step };
}

describe.each(['js', 'wasm'] as const)('the replay plan on %s', (backend) => {
  afterEach(() => setBackend('wasm'));

  it('a hand-written SGD step fuses its updates in place and matches eager exactly, interleaved with eager steps', () => {
    setBackend(backend);
    const a = mlpTwin(7);
    const b = mlpTwin(7);
    const compiled = compile(a.step);
    const log = logOf(() => compiled());
    b.step();
    expect(log).toMatch(/sub_×1\] over \[16, 1\] float32 -> one loop, 3 inputs \(0 strided\), 1 outputs \(1 written in place\)/);
    for (let i = 0; i < 6; i++) {
      const la = (i === 3 ? a.step : compiled)().item(); // one eager step of the compiled twin in between
      const lb = b.step().item();
      expect(la).toBe(lb);
    }
    a.ps.forEach((p, i) => {
      expect(arr(p)).toEqual(arr(b.ps[i]!));
      expect(p.grad).toBeNull();
      expect(p.version).toBe(b.ps[i]!.version);
    });
  });

  it('an in-place write is not moved before a step that reads the old values, nor fused with a transposed read; into a contiguous slice it is fused', () => {
    setBackend(backend);
    const make = () => {
      manualSeed(2);
      const w = randn([8, 8]);
      const v = randn([8, 8]);
      // Between the mul and the add_ a sum reads w: the write must stay after it.
      const f1 = (x: Tensor): Tensor[] => {
        const y = x.mul(2);
        const s = w.sum(0);
        w.add_(y);
        return [s, w.sum(1)];
      };
      // The loop would read v transposed while writing v.
      const f2 = (): Tensor => {
        v.add_(v.transpose(0, 1).mul(3));
        return v.sum();
      };
      // Rows 2..4 of u, written in place at an offset (fused: u is read nowhere else).
      const u = randn([8, 8]);
      const f3 = (x: Tensor): Tensor => {
        u.narrow(0, 2, 3).add_(x.narrow(0, 0, 3).mul(2));
        return u.sum(1);
      };
      return { w, v, u, f1, f2, f3 };
    };
    const e = make();
    const c = make();
    const c1 = compile(c.f1);
    const c2 = compile(c.f2);
    const c3 = compile(c.f3);
    for (let i = 0; i < 4; i++) {
      const x = tensor(Array.from({ length: 64 }, (_, j) => j * 0.25 - i), { shape: [8, 8] });
      const got = c1(x);
      const want = e.f1(x);
      got.forEach((t, k) => expect(arr(t)).toEqual(arr(want[k]!)));
      expect(arr(c2())).toEqual(arr(e.f2()));
      const log = logOf(() => expect(arr(c3(x))).toEqual(arr(e.f3(x))));
      if (i === 0) expect(log).toMatch(/over \[3, 8\] float32 -> one loop.*\(1 written in place\)/);
    }
    expect(arr(c.w)).toEqual(arr(e.w));
    expect(arr(c.v)).toEqual(arr(e.v));
    expect(arr(c.u)).toEqual(arr(e.u));
  });

  it('planned buffers: every call recomputes them, earlier results stay as they were, escaping results are fresh', () => {
    setBackend(backend);
    manualSeed(4);
    const m = randn([16, 8]);
    // t (a lone binary step: nothing of its shape to fuse with) is planned; u is returned, so it is not.
    const f = (a: Tensor, b: Tensor): Tensor[] => {
      const t = a.mul(b);
      const u = a.sum(0).add(b.sum(0));
      return [t.matmul(m), u];
    };
    const g = compile(f);
    const inputs = [0, 1, 2, 3].map(() => [randn([4, 16]), randn([4, 16])] as const);
    const got: Tensor[][] = [];
    const want: number[][][] = [];
    for (const [i, [a, b]] of inputs.entries()) {
      if (i === 0) {
        // The two binary steps stay unfused (the planned one is %t, the returned one %u).
        const log = logOf(() => got.push(g(a, b)));
        expect(log).toMatch(/= mul\(%\d+\[4,16\], %\d+\[4,16\]\)/);
        expect(log).toMatch(/= add\(%\d+\[16\], %\d+\[16\]\)/);
      } else got.push(g(a, b));
      if (i === 2) f(a, b); // an eager call in between
      want.push(f(a, b).map(arr));
    }
    got.forEach((r, i) => r.forEach((t, k) => expect(arr(t)).toEqual(want[i]![k]!)));
    expect(got[1]![1]!.storage).not.toBe(got[2]![1]!.storage);
  });

  it('lowered steps (broadcast binary ops, unary ops, sums, batched matmuls over strided views) give the eager results', () => {
    setBackend(backend);
    manualSeed(6);
    const f = (a: Tensor, b: Tensor, c: Tensor): Tensor[] => {
      const p = a.matmul(b.transpose(1, 2)); // [3, 5, 6] @ [1 → 3, 6, 4]
      const q = p.sum([0, 2]).div(c.sum()); // [5]
      const r = a.exp().sum(1).sqrt().pow(a.sum(1).abs()); // unfused pow over [3, 6]
      return [p.matmul(c), q, r, a.transpose(0, 2).sub(c.sum(0).reshape([1, 5, 1])).abs().log1p()];
    };
    const g = compile(f);
    for (let i = 0; i < 3; i++) {
      const a = randn([3, 5, 6]).mul(0.3);
      const b = randn([1, 4, 6]);
      const c = randn([4, 5]);
      const got = g(a, b, c);
      f(a, b, c).forEach((t, k) => expect(arr(got[k]!)).toEqual(arr(t)));
    }
  });
  it('planned unary and matmul results: the backends write them into kept buffers; exact to eager over calls, with eager calls in between, earlier results unchanged', () => {
    setBackend(backend);
    manualSeed(12);
    const be = backend === 'js' ? jsBackend : wasmBackend;
    // h, t and y are seen by nothing outside (planned); the returned sigmoid and sum are fresh every call.
    const make = (inner: number) => {
      const w1 = randn([inner, 24]);
      const w2 = randn([24, 8]);
      return (x: Tensor): Tensor[] => {
        const h = x.matmul(w1);
        const t = h.tanh();
        const y = t.matmul(w2);
        return [y.sigmoid(), h.sum(0)];
      };
    };
    // [4, 16] @ [16, 24]: GEMMs; [2, 3] @ [3, 24]: the small path.
    for (const [rows, inner] of [[4, 16], [2, 3]] as const) {
      const f = make(inner);
      const g = compile(f);
      const unary = vi.spyOn(be, 'unary');
      const matmul = vi.spyOn(be, 'matmul');
      try {
        const got: Tensor[][] = [];
        const want: number[][][] = [];
        for (let i = 0; i < 5; i++) {
          const x = randn([rows, inner]);
          if (i === 2) f(x); // an eager call in between
          got.push(g(x));
          want.push(f(x).map(arr));
          got.at(-1)!.forEach((r, k) => expect(arr(r)).toEqual(want.at(-1)![k]!));
        }
        got.forEach((r, i) => r.forEach((t, k) => expect(arr(t), `call ${i} result ${k} later`).toEqual(want[i]![k]!)));
        const into = (calls: unknown[][]) => calls.filter((c) => c[3] !== undefined).map((c) => c[3]);
        // The replays (calls 1 to 4) passed an `out`, the same buffer each time, for tanh and both matmuls.
        expect(into(unary.mock.calls).length).toBeGreaterThanOrEqual(4);
        expect(new Set(into(unary.mock.calls)).size).toBe(1);
        expect(into(matmul.mock.calls).length).toBeGreaterThanOrEqual(8);
        expect(new Set(into(matmul.mock.calls)).size).toBe(2);
        expect(got[1]![0]!.storage).not.toBe(got[2]![0]!.storage);
      } finally {
        unary.mockRestore();
        matmul.mockRestore();
      }
    }
  });
});

describe('the replay plan on wasm kernels of its own', () => {
  it('a big in-place update runs as a generated wasm kernel and matches eager exactly', () => {
    setBackend('wasm');
    const a = mlpTwin(9, 40, 64);
    const b = mlpTwin(9, 40, 64);
    const compiled = compile(a.step);
    const log = logOf(() => compiled());
    b.step();
    expect(log).toMatch(/sub_×1\] over \[40, 64\] float32 -> one loop, 3 inputs \(0 strided\), 1 outputs \(1 written in place\) \(a generated wasm kernel\)/);
    for (let i = 0; i < 4; i++) expect(compiled().item()).toBe(b.step().item());
    a.ps.forEach((p, k) => expect(arr(p)).toEqual(arr(b.ps[k]!)));
  });

  it('a bias broadcast over the batch joins a generated wasm kernel (a row repeated), equal to eager exactly', () => {
    setBackend('wasm');
    manualSeed(10);
    const f = (x: Tensor, w: Tensor, b: Tensor): Tensor => x.matmul(w).add(b).tanh().mul(b);
    const g = compile(f);
    for (let i = 0; i < 3; i++) {
      const [x, w, b] = [randn([128, 24]), randn([24, 16]), randn([16])];
      const log = logOf(() => expect(arr(g(x, w, b))).toEqual(arr(f(x, w, b))));
      if (i === 0) expect(log).toMatch(/fused: 3 ops \[add×1 tanh×1 mul×1\] over \[128, 16\] float32 -> one loop, 2 inputs \(1 strided\), 1 outputs \(a generated wasm kernel\)/);
    }
  });

  it('float32 exp, sigmoid and tanh: a generated wasm kernel when big, the SIMD kernels when strided, the JS twins when small; a replay equals eager exactly', () => {
    setBackend('wasm');
    manualSeed(8);
    const f = (x: Tensor): Tensor => x.mul(1.5).tanh().add(x.sigmoid()).mul(x.exp()).sum(0);
    const cases = [
      [[64, 12], false, /fused: 6 ops \[mul×2 tanh×1 sigmoid×1 add×1 exp×1\] over \[64, 12\] .*\(a generated wasm kernel\)/],
      [[12, 64], true, /%\d+ = tanh\(%\d+\[64,12\]\)/],
      [[4, 6], false, /fused: 6 ops \[mul×2 tanh×1 sigmoid×1 add×1 exp×1\] over \[4, 6\] float32 -> one loop, 2 inputs \(0 strided\), 1 outputs$/m],
    ] as const;
    for (const [shape, transposed, fused] of cases) {
      const g = compile(f);
      for (let i = 0; i < 3; i++) {
        const x0 = randn([...shape]).mul(2);
        const x = transposed ? x0.transpose(0, 1) : x0;
        const log = logOf(() => expect(arr(g(x))).toEqual(arr(f(x))));
        if (i === 0) expect(log).toMatch(fused);
      }
    }
  });
});

describe('calling a compiled function', () => {
  it('the same tensors again reuse the signature; a change of requiresGrad or grad mode retraces', () => {
    let traces = 0;
    const g = compile((x: Tensor, k: number): Tensor => {
      traces++;
      return x.mul(k).add(1);
    });
    const x = tensor([1, 2, 3]);
    expect(arr(g(x, 2))).toEqual([3, 5, 7]);
    expect(arr(g(x, 2))).toEqual([3, 5, 7]);
    expect(arr(g(x, 3))).toEqual([4, 7, 10]);
    expect(traces).toBe(2);
    x.requiresGrad_();
    expect(arr(g(x, 3))).toEqual([4, 7, 10]);
    expect(traces).toBe(3);
    noGrad(() => expect(arr(g(x, 3))).toEqual([4, 7, 10]));
    expect(traces).toBe(4);
    const y = tensor([0, 0, 1]);
    expect(arr(g(y, 3))).toEqual([1, 1, 4]); // a new tensor of the traced geometry replays
    expect(arr(g(x, 3))).toEqual([4, 7, 10]);
    expect(traces).toBe(4);
  });

  it('a compiled function called inside another one is traced into it, not replayed past it', () => {
    const inner = compile((x: Tensor): Tensor => x.mul(2).add(1).exp().sum());
    const x0 = tensor([1, 2, 3]);
    inner(x0);
    inner(x0); // replays from now on
    const outer = compile((x: Tensor): Tensor => inner(x).mul(3));
    for (const v of [[1, 2, 3], [0, 0, 0], [1, 1, -1]]) {
      const x = tensor(v);
      expect(outer(x).item()).toBe(inner(x).mul(3).item());
    }
  });
});
