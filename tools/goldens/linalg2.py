"""PyTorch 1.13 goldens of torch.linalg's factorisations, solvers and norms (adjoint's `linalg` namespace).

    /usr/bin/python3 tools/goldens/linalg2.py

Writes test/fixtures/conformance/linalg2.json. CI never runs this; the JSON is committed.
Inputs are well conditioned: SPD matrices as X Xᵀ + n I (the op name says so, and the TS registry builds the same),
symmetric matrices for eigh as X + Xᵀ, triangular and general systems with 3 I added. Eigenvectors and singular
vectors are defined up to sign, so eigh and svd record the sign-invariant |V|, |U| and |Vh|. The singular `det`
case records its gradient with create_graph (PyTorch's exact SVD formula; without create_graph PyTorch 1.13 gives
0 at an exactly singular matrix because it scales by det = 0).
"""
import torch

from opcase import case, f32, randn, write

torch.manual_seed(1)
GEN = 'tools/goldens/linalg2.py'
LA = torch.linalg


def eye(n):
    return torch.eye(n, dtype=torch.float64)


def spd(x):
    return x @ x.mT + x.shape[-1] * eye(x.shape[-1])


def sym(x):
    return x + x.mT


def well(*shape):
    """A general matrix (batch) with 3 I added: far from singular."""
    return f32(randn(*shape) + 3 * eye(shape[-1]))


def linalg2():
    ops = {
        'cholesky_spd': 'torch.linalg.cholesky(X Xᵀ + n I, upper=upper)',
        'solve_triangular': 'torch.linalg.solve_triangular(A, B, upper=, left=, unitriangular=)',
        'solve': 'torch.linalg.solve(A, B, left=)',
        'inv': 'torch.linalg.inv(A)',
        'det': 'torch.linalg.det(A)',
        'slogdet': 'torch.linalg.slogdet(A) -> (sign, logabsdet)',
        'slogdet_singular': 'torch.linalg.slogdet(A) of a singular A (outputs only: not differentiable there)',
        'qr': "torch.linalg.qr(A, mode='reduced') -> (Q, R)",
        'eigh_sym': 'torch.linalg.eigh(X + Xᵀ, UPLO) -> (eigenvalues, |eigenvectors|)',
        'svd_abs': 'torch.linalg.svd(A, full_matrices=False) -> (|U|, S, |Vh|)',
        'vector_norm': 'torch.linalg.vector_norm(x, ord, dim, keepdim)',
        'matrix_norm': 'torch.linalg.matrix_norm(x, ord, dim, keepdim)',
    }
    c = []
    for cid, shape, upper, gog in [('3x3', (3, 3), False, True), ('batched', (2, 3, 3), False, False), ('upper', (4, 4), True, True)]:
        c.append(case(f'cholesky_spd/{cid}', 'cholesky_spd', [randn(*shape)], lambda x, u=upper: LA.cholesky(spd(x), upper=u),
                      kwargs={'upper': upper}, gog=gog))
    for cid, a, b, kw, gog in [
        ('lower', well(3, 3), randn(3, 2), {'upper': False}, True),
        ('upper', well(3, 3), randn(3, 2), {'upper': True}, True),
        ('right', well(3, 3), randn(2, 3), {'upper': False, 'left': False}, False),
        ('unit', well(3, 3), randn(3, 2), {'upper': True, 'unitriangular': True}, False),
        ('broadcast', well(3, 3), randn(2, 3, 2), {'upper': False}, False),
    ]:
        c.append(case(f'solve_triangular/{cid}', 'solve_triangular', [a, b], lambda x, y, k=kw: LA.solve_triangular(x, y, **k), kwargs=kw, gog=gog))
    for cid, a, b, kw, gog in [
        ('matrix', well(3, 3), randn(3, 2), {}, True),
        ('vector', well(3, 3), randn(3), {}, False),
        ('batched_vector', well(2, 3, 3), randn(2, 3), {}, False),
        ('broadcast', well(3, 3), randn(2, 3, 2), {}, False),
        ('right', well(2, 3, 3), randn(2, 4, 3), {'left': False}, False),
    ]:
        c.append(case(f'solve/{cid}', 'solve', [a, b], lambda x, y, k=kw: LA.solve(x, y, **k), kwargs=kw, gog=gog))
    c.append(case('inv/3x3', 'inv', [well(3, 3)], LA.inv, gog=True))
    c.append(case('inv/batched', 'inv', [well(2, 4, 4)], LA.inv))
    c.append(case('det/3x3', 'det', [randn(3, 3)], LA.det, gog=True))
    c.append(case('det/batched', 'det', [randn(2, 4, 4)], LA.det))
    singular = torch.tensor([[1., 2., 3.], [4., 5., 6.], [7., 8., 9.]], dtype=torch.float64)
    c.append(case('det/singular', 'det', [singular], LA.det, gog=True, note='gradient with create_graph: the adjugate'))
    c.append(case('slogdet/3x3', 'slogdet', [randn(3, 3)], LA.slogdet, gog=True))
    c.append(case('slogdet/batched', 'slogdet', [randn(2, 4, 4)], LA.slogdet))
    c.append(case('slogdet_singular/2x2', 'slogdet_singular', [torch.tensor([[1., 2.], [2., 4.]], dtype=torch.float64)],
                  LA.slogdet, grads=False, note='sign 0, logabsdet -inf'))
    for cid, shape, gog in [('tall', (4, 3), True), ('square', (3, 3), False), ('wide', (2, 4), True), ('batched', (2, 3, 2), False)]:
        c.append(case(f'qr/{cid}', 'qr', [randn(*shape)], lambda x: LA.qr(x), gog=gog))
    for cid, shape, uplo, gog in [('3x3', (3, 3), 'L', True), ('batched', (2, 4, 4), 'L', False), ('upper', (3, 3), 'U', False)]:
        def fe(x, u=uplo):
            w, v = LA.eigh(sym(x), UPLO=u)
            return w, v.abs()
        c.append(case(f'eigh_sym/{cid}', 'eigh_sym', [randn(*shape)], fe, kwargs={'UPLO': uplo}, gog=gog))
    for cid, shape, gog in [('tall', (4, 3), True), ('wide', (3, 4), False), ('square', (3, 3), True), ('batched', (2, 3, 2), False)]:
        def fs(x):
            u, s, vh = LA.svd(x, full_matrices=False)
            return u.abs(), s, vh.abs()
        c.append(case(f'svd_abs/{cid}', 'svd_abs', [randn(*shape)], fs, gog=gog))
    for cid, shape, kw, gog in [
        ('default', (3, 4), {}, True), ('ord1_dim', (3, 4), {'ord': 1, 'dim': 1}, False),
        ('inf', (3, 4), {'ord': float('inf'), 'dim': 0, 'keepdim': True}, False), ('neginf', (3, 4), {'ord': -float('inf')}, False),
        ('ord3', (2, 3, 2), {'ord': 3, 'dim': [0, 2]}, True), ('ord0', (3, 4), {'ord': 0}, False),
        ('ord_half', (5,), {'ord': 0.5}, False),
    ]:
        c.append(case(f'vector_norm/{cid}', 'vector_norm', [randn(*shape)], lambda x, k=kw: LA.vector_norm(x, **k),
                      kwargs={k: (v if v != float('inf') and v != -float('inf') else ('Infinity' if v > 0 else '-Infinity')) for k, v in kw.items()}, gog=gog))
    for cid, shape, kw, gog in [
        ('fro', (3, 4), {}, True), ('nuc', (3, 4), {'ord': 'nuc'}, True), ('two', (2, 3, 3), {'ord': 2}, False),
        ('neg_two', (3, 4), {'ord': -2}, False), ('one', (3, 4), {'ord': 1}, False), ('neg_one', (2, 3, 4), {'ord': -1, 'keepdim': True}, False),
        ('inf', (3, 4), {'ord': float('inf')}, False), ('neginf_dim', (3, 2, 4), {'ord': -float('inf'), 'dim': [0, 2]}, False),
        ('nuc_dim_keep', (3, 2, 4), {'ord': 'nuc', 'dim': [2, 0], 'keepdim': True}, False),
    ]:
        c.append(case(f'matrix_norm/{cid}', 'matrix_norm', [randn(*shape)], lambda x, k=kw: LA.matrix_norm(x, **k),
                      kwargs={k: (v if v != float('inf') and v != -float('inf') else ('Infinity' if v > 0 else '-Infinity')) for k, v in kw.items()}, gog=gog))
    return ops, c


def main():
    ops, cases = linalg2()
    write('linalg2', ops, cases, GEN)


if __name__ == '__main__':
    main()
