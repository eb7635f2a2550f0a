/**
 * The CPU's direct svd and eigh (Golub–Kahan, tridiagonal QL: from n = 32,
 * src/backend/linalg-eig.ts) against PyTorch goldens
 * (tools/goldens/linalg_direct.py; inputs rebuilt here from the same MINSTD
 * numbers): S, |U|, |Vh|, eigenvalues and |V|, tall, wide, square, batched,
 * rank-deficient; plus orthonormal factors where S has zeros, the zero
 * matrix, and NaN input (terminates, NaN out).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { abs, linalg, matmul, stack, tensor, transpose, zeros, type Tensor } from '../../src/index.js';

interface Case {
  op: 'svd' | 'eigh';
  m?: number;
  n: number;
  rank?: number;
  S?: number[];
  absU?: number[];
  absVh?: number[];
  values?: number[];
  absV?: number[];
}
const CASES = (JSON.parse(readFileSync(new URL('../fixtures/linalg-direct/goldens.json', import.meta.url), 'utf8')) as { cases: Case[] }).cases;

/** The generator's m×n uniform numbers in [-0.5, 0.5) (MINSTD, exact in float64). */
function formula(m: number, n: number, seed = 1): Tensor {
  const out: number[] = [];
  let v = seed;
  for (let i = 0; i < m * n; i++) {
    v = (v * 48271) % 2147483647;
    out.push(v / 2147483647 - 0.5);
  }
  return tensor(out, { dtype: 'float64' }).reshape([m, n]);
}

const mT = (x: Tensor): Tensor => transpose(x, -2, -1);
const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());

function expectClose(got: readonly number[], want: readonly number[], atol: number, label: string): void {
  expect(got.length, label).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  expect(worst, label).toBeLessThanOrEqual(atol);
}

/** max |XᵀX − I| over the columns of `x` ([..., r, c]). */
function orthoError(x: Tensor): number {
  const g = flat(matmul(mT(x), x));
  const c = x.shape[x.ndim - 1]!;
  return g.reduce((w, v, i) => Math.max(w, Math.abs(v - (Math.floor(i / c) % c === i % c ? 1 : 0))), 0);
}

// float64 against LAPACK: values to ~n·eps·‖A‖; vectors to ~eps·‖A‖/gap (gaps ≥ 0.01 here).
const VALUES = 1e-12;
const VECTORS = 1e-10;

describe('linalg direct methods (n ≥ 32) against PyTorch', () => {
  for (const c of CASES.filter((k) => k.op === 'svd')) {
    it(`svd ${c.m}×${c.n}${c.rank !== undefined ? ` rank ${c.rank}` : ''}`, () => {
      const a = c.rank !== undefined ? matmul(formula(c.m!, c.rank), formula(c.rank, c.n, 7)) : formula(c.m!, c.n);
      const { U, S, Vh } = linalg.svd(a, { fullMatrices: false });
      expectClose(flat(S), c.S!, VALUES, 'S');
      if (c.absU) expectClose(flat(abs(U)), c.absU, VECTORS, '|U|');
      if (c.absVh) expectClose(flat(abs(Vh)), c.absVh, VECTORS, '|Vh|');
      // Orthonormal factors even where S is zero, and A rebuilt.
      expect(orthoError(U)).toBeLessThan(1e-13);
      expect(orthoError(mT(Vh))).toBeLessThan(1e-13);
      const rebuilt = flat(matmul(U.mul(S.unsqueeze(-2)), Vh));
      expectClose(rebuilt, flat(a), 1e-13, 'U diag(S) Vh');
    });
  }

  for (const c of CASES.filter((k) => k.op === 'eigh')) {
    it(`eigh ${c.n}×${c.n}, and in a batch`, () => {
      const x = formula(c.n, c.n);
      const a = x.add(mT(x));
      const { eigenvalues, eigenvectors } = linalg.eigh(a);
      expectClose(flat(eigenvalues), c.values!, VALUES, 'eigenvalues');
      expectClose(flat(abs(eigenvectors)), c.absV!, VECTORS, '|V|');
      expect(orthoError(eigenvectors)).toBeLessThan(1e-13);
      // A batch of [A, 2A]: each matrix on its own.
      const b = linalg.eigh(stack([a, a.mul(2)]));
      expectClose(flat(b.eigenvalues), [...c.values!, ...c.values!.map((v) => 2 * v)], 2 * VALUES, 'batched eigenvalues');
    });
  }

  it('the zero matrix: S zeros with orthonormal U and Vh; eigh gives zeros and an orthonormal basis', () => {
    const { U, S, Vh } = linalg.svd(zeros([40, 32], { dtype: 'float64' }), { fullMatrices: false });
    expect(flat(S)).toEqual(new Array(32).fill(0));
    expect(orthoError(U)).toBe(0);
    expect(orthoError(mT(Vh))).toBe(0);
    const e = linalg.eigh(zeros([32, 32], { dtype: 'float64' }));
    expect(flat(e.eigenvalues)).toEqual(new Array(32).fill(0));
    expect(orthoError(e.eigenvectors)).toBe(0);
  });

  it('a negative diagonal: S its absolute values, descending, the signs in Vh', () => {
    const n = 32;
    const a = tensor(Array.from({ length: n * n }, (_, e) => (Math.floor(e / n) === e % n ? -(1 + (e % n)) : 0)), { dtype: 'float64' }).reshape([n, n]);
    const { U, S, Vh } = linalg.svd(a);
    expect(flat(S)).toEqual(Array.from({ length: n }, (_, i) => n - i));
    expectClose(flat(matmul(U.mul(S.unsqueeze(-2)), Vh)), flat(a), 0, 'U diag(S) Vh');
  });

  it('matrices near overflow and underflow (1e±300): the values scale with them (the squares of the shifts would not fit)', () => {
    const x = formula(34, 34);
    const want = flat(linalg.svdvals(x));
    const sym = x.add(transpose(x, 0, 1));
    const wantE = flat(linalg.eigh(sym).eigenvalues);
    for (const scale of [1e300, 1e-300]) {
      const got = flat(linalg.svdvals(x.mul(scale)));
      expectClose(got.map((v) => v / scale), want, 1e-12, `S at ${scale}`);
      expectClose(flat(linalg.eigh(sym.mul(scale)).eigenvalues).map((v) => v / scale), wantE, 1e-12, `eigenvalues at ${scale}`);
    }
  });

  it('NaN input terminates with NaN results', () => {
    const a = formula(33, 33).add(tensor(NaN, { dtype: 'float64' }));
    expect(flat(linalg.svdvals(a)).every(Number.isNaN)).toBe(true);
    expect(flat(linalg.eigh(a).eigenvalues).every(Number.isNaN)).toBe(true);
  });
});
