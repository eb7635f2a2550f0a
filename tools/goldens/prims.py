#!/usr/bin/env python3
"""Conformance goldens for the primitives with their own kernels (scans, sorting, and the elementwise functions
asin acos atan atan2 floor ceil round trunc frac remainder fmod isnan), made with PyTorch 1.13.1 in float64
(Debian python3-torch 1.13.1+dfsg, torch.__version__ 1.13.0a0), seed 1, in the format of
test/fixtures/conformance/README.md. Run from the repo root:

    /usr/bin/python3 tools/goldens/prims.py

Writes test/fixtures/conformance/{pointwise,scan,sorting}.json. CI never runs this; the JSON is committed.
`*Edges` cases hold ±Inf, NaN, ±0, halves and huge inputs (outputs only), chosen so that float32 and
float64 agree. Sorting inputs have ties only where the call is stable (`stable=True`), so indices are unique.
"""
import torch

from opcase import case, randn, uniform, write

torch.manual_seed(1)
GEN = 'tools/goldens/prims.py'
INF = float('inf')
NAN = float('nan')


def t64(vals):
    return torch.tensor(vals, dtype=torch.float64)


def away_from_integers(*shape, scale=3.0):
    """Values whose fractional part stays in [0.1, 0.9]: roundings are flat there, and so are the remainders' jumps."""
    x = randn(*shape, scale=scale)
    f = x - torch.floor(x)
    return (torch.floor(x) + 0.1 + 0.8 * f).float().double()


def pointwise():
    ops, cases = {}, []
    add = lambda cid, op, args, fn, **kw: cases.append(case(cid, op, args, fn, **kw))
    for name, draw in [('asin', lambda: uniform(-0.95, 0.95, 3, 4)), ('acos', lambda: uniform(-0.95, 0.95, 3, 4)),
                       ('atan', lambda: randn(3, 4, scale=3.0))]:
        fn = getattr(torch, name)
        ops[name] = f'torch.{name}(x)'
        add(f'{name}/3x4', name, [draw()], fn, gog=True)
        add(f'{name}/scalar', name, [draw()[0, 0].clone()], fn, gog=True)
    ops['atan2'] = 'torch.atan2(a, b)'
    add('atan2/broadcast_3x1_1x4', 'atan2', [randn(3, 1), randn(1, 4)], torch.atan2, gog=True)
    add('atan2/all_quadrants', 'atan2', [t64([1.0, 1.0, -1.0, -1.0, 0.5, -2.0]), t64([2.0, -2.0, 3.0, -0.5, -4.0, 0.25])],
        torch.atan2, gog=True)
    for name in ['floor', 'ceil', 'round', 'trunc', 'frac']:
        fn = getattr(torch, name)
        ops[name] = f'torch.{name}(x)' + (' (half to even)' if name == 'round' else '')
        add(f'{name}/3x4', name, [away_from_integers(3, 4)], fn)
    ops['roundInt'] = 'torch.<fn>(x) of an integer tensor (kwargs.fn): the same integers'
    xi = torch.tensor([[-3, 0, 7], [2, -1, 5]])
    for name in ['floor', 'ceil', 'round', 'trunc']:
        add(f'roundInt/{name}', 'roundInt', [xi], getattr(torch, name), kwargs={'fn': name})
    for name in ['remainder', 'fmod']:
        fn = getattr(torch, name)
        ops[name] = f'torch.{name}(a, b) (b a tensor or a number)'
        a = away_from_integers(3, 4, scale=4.0)
        b = uniform(0.7, 2.5, 4) * torch.tensor([1.0, -1.0, 1.0, -1.0], dtype=torch.float64)
        # Keep a/b away from integers, where the remainders jump.
        q = a / b
        a = ((torch.floor(q) + 0.2 + 0.6 * (q - torch.floor(q))) * b).float().double()
        add(f'{name}/broadcast_3x4_4', name, [a, b], fn, gog=True)
        add(f'{name}/number_divisor', name, [t64([-5.5, -3.25, 3.25, 5.5, 0.75]), 2.0], fn)
        add(f'{name}/negative_number_divisor', name, [t64([-5.5, -3.25, 3.25, 5.5, 0.75]), -2.0], fn)
        ops[f'{name}Int'] = f'torch.{name}(a, b) of integer tensors'
        add(f'{name}Int/signs', f'{name}Int', [torch.tensor([-7, -7, 7, 7, 0, -6]), torch.tensor([3, -3, 3, -3, 5, 4])], fn)
    ops['isnan'] = 'torch.isnan(x)'
    add('isnan/mixed', 'isnan', [t64([1.0, NAN, -INF, INF, 0.0, NAN])], torch.isnan)
    add('isnan/int', 'isnan', [torch.tensor([1, 2, 3])], torch.isnan)
    ops['pointwiseEdges'] = 'torch.<fn>(x) at ±Inf, NaN, ±0, halves and huge x (kwargs.fn)'
    edges = {
        'asin': [0.0, -0.0, 1.0, -1.0, 1.5, -2.0, INF, NAN, 1e-30],
        'acos': [0.0, 1.0, -1.0, 1.5, -INF, NAN],
        'atan': [0.0, -0.0, INF, -INF, NAN, 1e30, -1e-30],
        'floor': [0.5, -0.5, -0.0, 2.0, 2.0 ** 66, -2.0 ** 66, INF, -INF, NAN],
        'ceil': [0.5, -0.5, -0.0, 2.0, 2.0 ** 66, INF, -INF, NAN],
        'round': [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 0.4999999701976776, 2.0 ** 66, 8388609.0, INF, NAN],
        'trunc': [1.7, -1.7, -0.5, 0.5, 2.0 ** 66, INF, -INF, NAN],
        'frac': [1.75, -1.75, -0.5, 3.0, 2.0 ** 66, NAN],
    }
    for name, vals in edges.items():
        add(f'pointwiseEdges/{name}', 'pointwiseEdges', [t64(vals)], getattr(torch, name), kwargs={'fn': name}, grads=False)
    ops['binaryEdges'] = 'torch.<fn>(a, b) at ±Inf, NaN, ±0 (kwargs.fn)'
    a = t64([0.0, -0.0, 0.0, -0.0, 1.0, -1.0, INF, -INF, INF, NAN, 1.0, 3.0])
    b = t64([0.0, 0.0, -0.0, -0.0, INF, -INF, INF, 1.0, -INF, 1.0, NAN, 0.0])
    add('binaryEdges/atan2', 'binaryEdges', [a, b], torch.atan2, kwargs={'fn': 'atan2'}, grads=False)
    a = t64([5.0, -5.0, 5.0, -5.0, -0.0, 0.0, 3.0, -3.0, INF, 1.0, NAN, 4.0])
    b = t64([3.0, 3.0, -3.0, -3.0, 2.0, -2.0, INF, INF, 2.0, 0.0, 1.0, NAN])
    for name in ['remainder', 'fmod']:
        add(f'binaryEdges/{name}', 'binaryEdges', [a, b], getattr(torch, name), kwargs={'fn': name}, grads=False)
    return ops, cases


def scan():
    ops, cases = {}, []
    add = lambda cid, op, args, fn, **kw: cases.append(case(cid, op, args, fn, **kw))
    for name in ['cumsum', 'cumprod', 'logcumsumexp']:
        fn = getattr(torch, name)
        ops[name] = f'torch.{name}(x, dim)'
        draw = (lambda *s: uniform(0.5, 1.5, *s) * torch.sign(randn(*s))) if name == 'cumprod' else randn
        add(f'{name}/2x3x4_dim1', name, [draw(2, 3, 4), 1], fn, gog=True)
        add(f'{name}/3x4_neg_dim', name, [draw(3, 4), -1], fn, gog=True)
        add(f'{name}/3x4_dim0', name, [draw(3, 4), 0], fn)
        add(f'{name}/scalar', name, [draw(1)[0].clone(), 0], fn)
    add('cumsum/long_row_2x300', 'cumsum', [randn(2, 300), 1], torch.cumsum)
    ops['cumsumInt'] = 'torch.cumsum(x, dim) / torch.cumprod(x, dim) of integer and bool tensors (kwargs.fn)'
    add('cumsumInt/int', 'cumsumInt', [torch.tensor([[1, -2, 3], [4, 5, -6]]), 1], torch.cumsum, kwargs={'fn': 'cumsum'})
    add('cumsumInt/bool', 'cumsumInt', [torch.tensor([True, False, True, True]), 0], torch.cumsum, kwargs={'fn': 'cumsum'})
    add('cumsumInt/cumprod', 'cumsumInt', [torch.tensor([[1, -2, 3], [4, 5, -6]]), 1], torch.cumprod, kwargs={'fn': 'cumprod'})
    # cumprod at zeros: one zero, two zeros, a zero first and last, in rows along dim 1.
    z = t64([[2.0, 0.0, 3.0, -1.5, 0.5], [0.0, 1.5, 2.0, 0.0, -2.0], [1.5, -2.0, 0.5, 3.0, 0.0], [0.0, 0.0, 2.0, 1.5, 0.5]])
    add('cumprod/zeros_dim1', 'cumprod', [z, 1], torch.cumprod, gog=True, note='one zero, two zeros, a trailing zero, two leading zeros')
    add('cumprod/zeros_dim0', 'cumprod', [z.t().contiguous(), 0], torch.cumprod, gog=True)
    add('logcumsumexp/large_values', 'logcumsumexp', [randn(3, 5, scale=200.0), 1], torch.logcumsumexp, gog=True)
    add('logcumsumexp/mixed_scales', 'logcumsumexp', [t64([-800.0, 3.0, 900.0, -5.0, 901.0]), 0], torch.logcumsumexp)
    ops['logcumsumexpEdges'] = 'torch.logcumsumexp(x, dim) at ±Inf and NaN (outputs only)'
    add('logcumsumexpEdges/inf', 'logcumsumexpEdges', [t64([-INF, -INF, 1.0, INF, 2.0, -INF]), 0], torch.logcumsumexp, grads=False)
    add('logcumsumexpEdges/nan', 'logcumsumexpEdges', [t64([1.0, NAN, 2.0]), 0], torch.logcumsumexp, grads=False)
    return ops, cases


def sorting():
    ops, cases = {}, []
    add = lambda cid, op, args, fn, **kw: cases.append(case(cid, op, args, fn, **kw))
    ops['sort'] = 'torch.sort(x, dim, descending=descending, stable=True) -> [values, indices]'
    sort = lambda d=False: (lambda x, dim: torch.sort(x, dim=dim, descending=d, stable=True))
    add('sort/3x5_last', 'sort', [randn(3, 5), -1], sort(), kwargs={'descending': False})
    add('sort/4x3_dim0_descending', 'sort', [randn(4, 3), 0], sort(True), kwargs={'descending': True})
    add('sort/2x3x4_dim1', 'sort', [randn(2, 3, 4), 1], sort(), kwargs={'descending': False})
    add('sort/long_row_300', 'sort', [randn(2, 300), 1], sort(True), kwargs={'descending': True})
    add('sort/scalar', 'sort', [randn(1)[0].clone(), 0], sort(), kwargs={'descending': False})
    ops['sortTies'] = 'torch.sort(x, dim, descending=descending, stable=True) with ties, NaN and ±Inf -> [values, indices] (no gradients)'
    ties = t64([[2.0, 1.0, 2.0, NAN, 1.0, -INF, NAN, 2.0], [0.5, 0.5, 0.5, -1.0, INF, -1.0, 0.0, -0.0]])
    add('sortTies/ascending', 'sortTies', [ties, 1], sort(), kwargs={'descending': False}, grads=False)
    add('sortTies/descending', 'sortTies', [ties, 1], sort(True), kwargs={'descending': True}, grads=False)
    ops['sortInt'] = 'torch.sort(x, dim, descending, stable=True) of integer tensors -> [values, indices]'
    xi = torch.tensor([[3, -1, 3, 0, -1, 7], [5, 5, 2, 5, -4, 2]])
    add('sortInt/ascending', 'sortInt', [xi, 1], sort(), kwargs={'descending': False})
    add('sortInt/descending', 'sortInt', [xi, 1], sort(True), kwargs={'descending': True})
    ops['argsort'] = 'torch.argsort(x, dim, descending=descending, stable=True)'
    add('argsort/3x5', 'argsort', [randn(3, 5), 1], lambda x, d: torch.argsort(x, dim=d, stable=True), kwargs={'descending': False})
    add('argsort/ties_descending', 'argsort', [ties, 1], lambda x, d: torch.argsort(x, dim=d, descending=True, stable=True),
        kwargs={'descending': True})
    ops['topk'] = 'torch.topk(x, k, dim, largest=largest) -> [values, indices] (no ties)'
    add('topk/3x6_k2', 'topk', [randn(3, 6), 2, -1], lambda x, k, d: torch.topk(x, k, d), kwargs={'largest': True})
    add('topk/5x3_k3_dim0_smallest', 'topk', [randn(5, 3), 3, 0], lambda x, k, d: torch.topk(x, k, d, largest=False),
        kwargs={'largest': False})
    add('topk/k0', 'topk', [randn(2, 4), 0, 1], lambda x, k, d: torch.topk(x, k, d), kwargs={'largest': True})
    add('topk/full_k', 'topk', [randn(2, 4), 4, 1], lambda x, k, d: torch.topk(x, k, d), kwargs={'largest': True})
    ops['topkEdges'] = 'torch.topk(x, k, dim) with NaN (the largest) -> [values, indices]'
    add('topkEdges/with_nan', 'topkEdges', [t64([1.0, NAN, 3.0, -2.0, 5.0]), 2, 0], lambda x, k, d: torch.topk(x, k, d),
        kwargs={'largest': True}, grads=False)
    return ops, cases


def main():
    for family, build in [('pointwise', pointwise), ('scan', scan), ('sorting', sorting)]:
        ops, cases = build()
        write(family, ops, cases, GEN)


if __name__ == '__main__':
    main()
