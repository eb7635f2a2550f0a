"""PyTorch 1.13 goldens of torch.linalg.svd and eigh at sizes where adjoint's CPU kernels switch from Jacobi
to the direct methods (Golub–Kahan bidiagonal QR, tridiagonal QL: src/backend/linalg-eig.ts, n >= 32).

    /usr/bin/python3 tools/goldens/linalg_direct.py

Writes test/fixtures/linalg-direct/goldens.json. CI never runs this; the JSON is committed. Inputs are
rebuilt in the test (MINSTD uniform numbers, `formula`), so only the results
are stored; singular and eigenvectors as |U|, |Vh|, |V| (defined up to sign).
"""
import json

import torch


def formula(m, n, seed=1):
    """m×n uniform numbers in [-0.5, 0.5) from MINSTD (exact integer arithmetic: the test rebuilds them)."""
    out = []
    v = seed
    for _ in range(m * n):
        v = v * 48271 % 2147483647
        out.append(v / 2147483647 - 0.5)
    return torch.tensor(out, dtype=torch.float64).reshape(m, n)


def flat(t):
    return [float(v) for v in t.reshape(-1)]


def main():
    cases = []
    for m, n, vectors in [(40, 33, True), (33, 45, True), (34, 34, False)]:
        a = formula(m, n)
        u, s, vh = torch.linalg.svd(a, full_matrices=False)
        c = {'op': 'svd', 'm': m, 'n': n, 'S': flat(s)}
        if vectors:
            c['absU'] = flat(u.abs())
            c['absVh'] = flat(vh.abs())
        cases.append(c)
    # Rank 12: a product of 36x12 and 12x36 factors (S has 24 zeros up to rounding).
    a = formula(36, 12) @ formula(12, 36, 7)
    cases.append({'op': 'svd', 'm': 36, 'n': 36, 'rank': 12, 'S': flat(torch.linalg.svdvals(a))})
    for n in [40, 33]:
        x = formula(n, n)
        vals, vecs = torch.linalg.eigh(x + x.mT)
        cases.append({'op': 'eigh', 'n': n, 'values': flat(vals), 'absV': flat(vecs.abs())})
    with open('test/fixtures/linalg-direct/goldens.json', 'w') as f:
        json.dump({'generator': 'tools/goldens/linalg_direct.py', 'torch': torch.__version__, 'cases': cases}, f)
        f.write('\n')


main()
