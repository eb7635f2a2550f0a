#!/usr/bin/env python3
"""Conformance goldens for the second set of tensor ops, made with PyTorch 1.13.1 in float64 (Debian
python3-torch 1.13.1+dfsg, torch.__version__ 1.13.0a0), seed 1, in the format of
test/fixtures/conformance/README.md. Run from the repo root:

    /usr/bin/python3 tools/goldens/ops2.py

Writes test/fixtures/conformance/{special,manipulation,einsum}.json. CI never runs this; the JSON is committed.
`specialEdges` cases hold ±Inf, NaN, 0 and huge inputs (outputs only: no gradients there), chosen so that
float32 and float64 agree.
"""
import torch

from opcase import case, randn, uniform, write

torch.manual_seed(1)
GEN = 'tools/goldens/ops2.py'

UNARY = {
    'tan': (torch.tan, lambda: uniform(-1.3, 1.3, 3, 4)),
    'sinh': (torch.sinh, lambda: randn(3, 4, scale=2.0)),
    'cosh': (torch.cosh, lambda: randn(3, 4, scale=2.0)),
    'asinh': (torch.asinh, lambda: randn(3, 4, scale=3.0)),
    'acosh': (torch.acosh, lambda: uniform(1.1, 6.0, 3, 4)),
    'atanh': (torch.atanh, lambda: uniform(-0.95, 0.95, 3, 4)),
    'log2': (torch.log2, lambda: uniform(0.1, 6.0, 3, 4)),
    'log10': (torch.log10, lambda: uniform(0.1, 6.0, 3, 4)),
    'exp2': (torch.exp2, lambda: randn(3, 4, scale=2.0)),
}

EDGES = {
    'tan': [0.0, -0.0, float('inf'), float('nan'), 1e-30],
    'sinh': [0.0, 1e-30, -1e-30, 50.0, -50.0, float('inf'), -float('inf'), float('nan'), 0.999, 1.001],
    'cosh': [0.0, 50.0, -50.0, float('inf'), -float('inf'), float('nan')],
    'asinh': [0.0, 1e-30, -1e-30, 1e30, -1e30, 3e8, -3e8, float('inf'), -float('inf'), float('nan')],
    'acosh': [1.0, 0.5, -1.0, 1e30, 3e8, float('inf'), float('nan')],
    'atanh': [0.0, 1e-30, 1.0, -1.0, 2.0, -2.0, float('inf'), float('nan')],
    'log2': [0.0, -1.0, 1.0, 8.0, 1024.0, float('inf'), float('nan')],
    'log10': [0.0, -1.0, 1.0, 100.0, 1e-30, float('inf'), float('nan')],
    'exp2': [0.0, -float('inf'), float('inf'), float('nan'), 10.0, -10.0],
    'isinf': [0.0, 1.0, float('inf'), -float('inf'), float('nan')],
    'isfinite': [0.0, 1.0, float('inf'), -float('inf'), float('nan')],
    'nanToNum': [0.0, 1.0, float('inf'), -float('inf'), float('nan')],
}
EDGE_FN = {k: getattr(torch, k) for k in UNARY}
EDGE_FN.update({'isinf': torch.isinf, 'isfinite': torch.isfinite,
                'nanToNum': lambda x: torch.nan_to_num(x, nan=2.0, posinf=1e30, neginf=-1e30)})

INF = float('inf')
NAN = float('nan')


def special():
    ops, cases = {}, []
    for name, (fn, draw) in UNARY.items():
        ops[name] = f'torch.{name}(x)'
        cases.append(case(f'{name}/3x4', name, [draw()], fn, gog=True))
        x0 = draw()[0, 0].clone()
        cases.append(case(f'{name}/scalar', name, [x0], fn, gog=True))
    ops['sinh'] += ' (inputs on both sides of |x| = 1)'
    cases.append(case('sinh/both_branches', 'sinh', [torch.tensor([-3.0, -1.5, -0.9, -0.2, 0.1, 0.7, 1.2, 4.0], dtype=torch.float64)],
                      torch.sinh, gog=True))
    ops['logaddexp'] = 'torch.logaddexp(a, b)'
    cases.append(case('logaddexp/broadcast_3x1_1x4', 'logaddexp', [randn(3, 1, scale=3), randn(1, 4, scale=3)], torch.logaddexp, gog=True))
    cases.append(case('logaddexp/large_2x3', 'logaddexp', [randn(2, 3, scale=3, shift=500), randn(2, 3, scale=3, shift=500)],
                      torch.logaddexp, gog=True))
    ops['hypot'] = 'torch.hypot(a, b)'
    cases.append(case('hypot/broadcast_3x1_1x4', 'hypot', [randn(3, 1), randn(1, 4)], torch.hypot, gog=True))
    cases.append(case('hypot/same_2x3', 'hypot', [randn(2, 3, scale=5), randn(2, 3)], torch.hypot, gog=True))
    ops['lerp'] = 'torch.lerp(a, b, weight) (weight a number or a tensor)'
    cases.append(case('lerp/number_weight_0.3', 'lerp', [randn(3, 4), randn(3, 4), 0.3], torch.lerp, gog=True))
    cases.append(case('lerp/number_weight_0.75', 'lerp', [randn(3, 4), randn(4), 0.75], torch.lerp, gog=True))
    cases.append(case('lerp/tensor_weight_broadcast', 'lerp', [randn(2, 3), randn(2, 3), uniform(-0.2, 1.2, 3)], torch.lerp, gog=True))
    ops['nanToNum'] = 'torch.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)'
    x = randn(3, 4)
    x[0, 1], x[1, 2], x[2, 3] = NAN, INF, -INF
    cases.append(case('nanToNum/with_nonfinite', 'nanToNum', [x], lambda t: torch.nan_to_num(t, nan=0.5, posinf=7.0, neginf=-7.0),
                      kwargs={'nan': 0.5, 'posinf': 7.0, 'neginf': -7.0}, note='the gradient is 0 at the replaced elements'))
    ops['isinf'] = 'torch.isinf(x)'
    ops['isfinite'] = 'torch.isfinite(x)'
    cases.append(case('isinf/mixed', 'isinf', [x], torch.isinf))
    cases.append(case('isfinite/mixed', 'isfinite', [x], torch.isfinite))
    ops['specialEdges'] = 'torch.<fn>(x) at ±Inf, NaN, 0 and huge x (kwargs.fn; nanToNum with nan=2, posinf=1e30, neginf=-1e30)'
    for name, vals in EDGES.items():
        cases.append(case(f'specialEdges/{name}', 'specialEdges', [torch.tensor(vals, dtype=torch.float64)], EDGE_FN[name],
                          kwargs={'fn': name}, grads=False))
    pairs = [(INF, INF), (-INF, -INF), (INF, -INF), (NAN, 1.0), (1000.0, 1000.0), (-1000.0, 5.0), (0.0, 0.0)]
    ops['logaddexpEdges'] = 'torch.logaddexp(a, b) / torch.hypot(a, b) at ±Inf, NaN, 0 and large values (kwargs.fn)'
    a = torch.tensor([p[0] for p in pairs], dtype=torch.float64)
    b = torch.tensor([p[1] for p in pairs], dtype=torch.float64)
    cases.append(case('logaddexpEdges/logaddexp', 'logaddexpEdges', [a, b], torch.logaddexp, kwargs={'fn': 'logaddexp'}, grads=False))
    hp = [(INF, NAN), (NAN, -INF), (0.0, 0.0), (1e30, 1e30), (-3.0, 4.0), (1e-30, 1e-30)]
    a = torch.tensor([p[0] for p in hp], dtype=torch.float64)
    b = torch.tensor([p[1] for p in hp], dtype=torch.float64)
    cases.append(case('logaddexpEdges/hypot', 'logaddexpEdges', [a, b], torch.hypot, kwargs={'fn': 'hypot'}, grads=False))
    return ops, cases


def manipulation():
    ops, cases = {}, []
    add = lambda cid, op, args, fn, **kw: cases.append(case(cid, op, args, fn, **kw))
    ops['flip'] = 'torch.flip(x, dims)'
    add('flip/dims_0_2', 'flip', [randn(2, 3, 4), [0, 2]], torch.flip)
    add('flip/neg_dim', 'flip', [randn(3, 4), [-1]], torch.flip)
    ops['roll'] = 'torch.roll(x, shifts, dims) (dims null: flattened)'
    add('roll/2d_two_dims', 'roll', [randn(3, 4), [1, -3], [0, 1]], torch.roll)
    add('roll/flat', 'roll', [randn(3, 4), 5, None], lambda x, s, d: torch.roll(x, s))
    add('roll/shift_past_end', 'roll', [randn(5), 7, 0], torch.roll)
    for name in ['tril', 'triu']:
        fn = getattr(torch, name)
        ops[name] = f'torch.{name}(x, diagonal)'
        add(f'{name}/square', name, [randn(4, 4), 0], fn)
        add(f'{name}/wide_diag_1', name, [randn(3, 5), 1], fn)
        add(f'{name}/batched_diag_-1', name, [randn(2, 4, 3), -1], fn)
    ops['repeat'] = 'x.repeat(sizes)'
    add('repeat/2x3_by_2x1', 'repeat', [randn(2, 3), [2, 1]], lambda x, s: x.repeat(*s))
    add('repeat/new_leading_dims', 'repeat', [randn(3), [2, 1, 2]], lambda x, s: x.repeat(*s))
    ops['tile'] = 'torch.tile(x, sizes)'
    add('tile/short_sizes', 'tile', [randn(2, 3), [2]], lambda x, s: torch.tile(x, s))
    add('tile/long_sizes', 'tile', [randn(2, 3), [2, 1, 3]], lambda x, s: torch.tile(x, s))
    ops['chunk'] = 'torch.chunk(x, chunks, dim) (a list of outputs)'
    add('chunk/uneven_dim0', 'chunk', [randn(5, 2), 2, 0], torch.chunk)
    add('chunk/fewer_than_asked', 'chunk', [randn(2, 6), 4, 1], torch.chunk)
    ops['split'] = 'torch.split(x, sizeOrSizes, dim) (a list of outputs)'
    add('split/size_2_dim1', 'split', [randn(3, 5), 2, 1], torch.split)
    add('split/sizes_dim0', 'split', [randn(6, 2), [1, 3, 2], 0], torch.split)
    ops['unbind'] = 'torch.unbind(x, dim) (a list of outputs)'
    add('unbind/dim1', 'unbind', [randn(2, 3, 2), 1], torch.unbind)
    ops['movedim'] = 'torch.movedim(x, source, destination)'
    add('movedim/int', 'movedim', [randn(2, 3, 4), 0, -1], torch.movedim)
    add('movedim/lists', 'movedim', [randn(2, 3, 4, 5), [0, 3], [2, 0]], torch.movedim)
    ops['diag'] = 'torch.diag(x, diagonal)'
    add('diag/vector', 'diag', [randn(3), 0], torch.diag)
    add('diag/vector_above', 'diag', [randn(3), 1], torch.diag)
    add('diag/vector_below', 'diag', [randn(2), -2], torch.diag)
    add('diag/matrix', 'diag', [randn(3, 4), 0], torch.diag)
    add('diag/matrix_below', 'diag', [randn(4, 3), -1], torch.diag)
    ops['diagonal'] = 'torch.diagonal(x, offset, dim1, dim2)'
    add('diagonal/default', 'diagonal', [randn(3, 4)], torch.diagonal)
    add('diagonal/3d_offset', 'diagonal', [randn(2, 3, 4)], lambda x: torch.diagonal(x, offset=1, dim1=2, dim2=0),
        kwargs={'offset': 1, 'dim1': 2, 'dim2': 0})
    add('diagonal/batched_last_two_below', 'diagonal', [randn(2, 4, 3)], lambda x: torch.diagonal(x, offset=-1, dim1=-2, dim2=-1),
        kwargs={'offset': -1, 'dim1': -2, 'dim2': -1})
    ops['trace'] = 'torch.trace(x)'
    add('trace/3x4', 'trace', [randn(3, 4)], torch.trace)
    ops['outer'] = 'torch.outer(a, b)'
    add('outer/3_4', 'outer', [randn(3), randn(4)], torch.outer, gog=True)
    ops['dot'] = 'torch.dot(a, b)'
    add('dot/5', 'dot', [randn(5), randn(5)], torch.dot, gog=True)
    ops['bmm'] = 'torch.bmm(a, b)'
    add('bmm/2x3x4_2x4x5', 'bmm', [randn(2, 3, 4), randn(2, 4, 5)], torch.bmm, gog=True)
    ops['any'] = 'torch.any(x) / torch.any(x, dim, keepdim)'
    ops['all'] = 'torch.all(x) / torch.all(x, dim, keepdim)'
    z = randn(3, 4)
    z[0, :] = 0
    z[1, 1] = 0
    z[2, 0] = NAN
    for name in ['any', 'all']:
        fn = getattr(torch, name)
        add(f'{name}/all_dims', name, [z], fn)
        add(f'{name}/dim1', name, [z], lambda x, fn=fn: fn(x, 1), kwargs={'dim': 1})
        add(f'{name}/dim0_keepdim', name, [z], lambda x, fn=fn: fn(x, 0, keepdim=True), kwargs={'dim': 0, 'keepdim': True})
    ops['maskedFill'] = 'x.masked_fill(mask, value) (value a number or a 0-d tensor)'
    mask = torch.rand(3, 1) < 0.5
    add('maskedFill/number_broadcast_mask', 'maskedFill', [randn(2, 3, 4), mask, -1.5], lambda x, m, v: x.masked_fill(m, v))
    add('maskedFill/tensor_value', 'maskedFill', [randn(3, 4), torch.rand(4) < 0.5, randn()], lambda x, m, v: x.masked_fill(m, v))
    return ops, cases


EINSUM = [
    ('matmul', 'ij,jk->ik', [(3, 4), (4, 5)], True),
    ('bmm', 'bij,bjk->bik', [(2, 3, 4), (2, 4, 5)], True),
    ('implicit_matmul', 'ij,jk', [(3, 4), (4, 2)], False),
    ('trace', 'ii', [(4, 4)], False),
    ('diagonal', 'ii->i', [(3, 3)], False),
    ('batched_diagonal_sum', 'bii->b', [(2, 3, 3)], False),
    ('repeated_twice', 'iij->j', [(3, 3, 2)], False),
    ('sum_all', 'ij->', [(3, 4)], False),
    ('outer', 'i,j', [(3,), (4,)], False),
    ('hadamard', 'i,i->i', [(5,), (5,)], True),
    ('transpose3', 'ijk->kji', [(2, 3, 4)], False),
    ('summed_away', 'ijk,k->i', [(2, 3, 4), (4,)], False),
    ('bilinear', 'bn,anm,bm->ba', [(2, 3), (4, 3, 5), (2, 5)], True),
    ('ellipsis_transpose', '...ij->...ji', [(2, 3, 4)], False),
    ('ellipsis_broadcast', '...ij,...jk', [(5, 1, 2, 3), (4, 3, 2)], False),
    ('ellipsis_summed', '...i->i', [(2, 3, 4)], False),
    ('ellipsis_middle', 'a...b,b->a...', [(2, 3, 4), (4,)], False),
    ('size1_broadcast', 'ij,kj->ik', [(3, 1), (2, 4)], False),
    ('upper_case_order', 'Ba,bA', [(2, 3), (4, 5)], False),
    ('spaces_and_scalar', ' i , -> i ', [(3,), ()], False),
    ('three_way', 'ab,bc,cd->ad', [(2, 3), (3, 4), (4, 2)], False),
]


def einsum():
    ops = {'einsum': 'torch.einsum(equation, *tensors) (args: [equation, t0, t1, ...])'}
    cases = []
    for cid, eq, shapes, gog in EINSUM:
        ts = [randn(*s) for s in shapes]
        cases.append(case(f'einsum/{cid}', 'einsum', [eq, *ts], lambda e, *t: torch.einsum(e, *t), gog=gog))
    return ops, cases


def main():
    for family, build in [('special', special), ('manipulation', manipulation), ('einsum', einsum)]:
        ops, cases = build()
        write(family, ops, cases, GEN)


if __name__ == '__main__':
    main()
