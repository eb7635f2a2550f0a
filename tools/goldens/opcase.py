"""The conformance-case builder shared by ops2.py and functional2.py: runs one torch call in float64 and records
it in the format of test/fixtures/conformance/README.md (inputs, outputs, cotangents, gradients and, when asked,
grad_of_grad), with every float input, cotangent and `v` float32-representable."""
import json
import math
import os

import torch

from common import num

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'conformance')


def T(t):
    """A tensor as the README's T: float64 data; int64 index tensors and bool tensors (data 0/1) carry a dtype."""
    t = t.detach()
    out = {'shape': list(t.shape)}
    if t.dtype == torch.bool:
        out['dtype'] = 'bool'
        out['data'] = [int(v) for v in t.reshape(-1).tolist()]
    elif not t.is_floating_point():
        out['dtype'] = 'int64'
        out['data'] = [int(v) for v in t.reshape(-1).tolist()]
    else:
        out['data'] = [num(v) for v in t.reshape(-1).tolist()]
    return out


def f32(t):
    """Rounded to float32, kept in float64."""
    return t.float().double()


def randn(*shape, scale=1.0, shift=0.0):
    return f32(torch.randn(tuple(shape), dtype=torch.float64) * scale + shift)


def uniform(lo, hi, *shape):
    return f32(torch.rand(tuple(shape), dtype=torch.float64) * (hi - lo) + lo)


def _arg(a):
    if isinstance(a, torch.Tensor):
        return {'tensor': T(a)}
    if isinstance(a, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in a):
        raise ValueError('tensor lists are spread into positional args')
    return list(a) if isinstance(a, tuple) else a


def _is_float(a):
    return isinstance(a, torch.Tensor) and a.is_floating_point()


def case(cid, op, args, fn, kwargs=None, gog=False, grads=True, note=None, nograd=()):
    """`fn(*args)` is the torch call; `kwargs` are adjoint's (camelCase) options recorded for the TS side.
    Args at `nograd` (float tensors torch does not differentiate, e.g. class weights) get a null gradient."""
    leaves = [a.detach().clone().requires_grad_(grads and i not in nograd) if _is_float(a) else a for i, a in enumerate(args)]
    out = fn(*leaves)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    multi = isinstance(out, (tuple, list))
    cts = [randn(*o.shape) if o.is_floating_point() else None for o in outs]
    rec = {'id': cid, 'op': op, 'args': [_arg(a) for a in args], 'kwargs': kwargs or {}}
    if note:
        rec['note'] = note
    rec['out'] = [T(o) for o in outs] if multi else T(outs[0])
    rec['cotangent'] = [T(c) if c is not None else None for c in cts] if multi else (T(cts[0]) if cts[0] is not None else None)
    float_idx = [i for i, a in enumerate(leaves) if _is_float(a) and i not in nograd]
    if not grads or not float_idx or not any(c is not None and o.requires_grad for o, c in zip(outs, cts)):
        rec['grads'] = [None for _ in args]
        return rec
    loss = sum((o * c).sum() for o, c in zip(outs, cts) if c is not None and o.requires_grad)
    xs = [leaves[i] for i in float_idx]
    g = torch.autograd.grad(loss, xs, allow_unused=True, create_graph=gog)
    g = [gi if gi is not None else torch.zeros_like(x) for gi, x in zip(g, xs)]
    rec['grads'] = [None] * len(args)
    for i, gi in zip(float_idx, g):
        rec['grads'][i] = T(gi)
    if gog:
        v = [randn(*x.shape) for x in xs]
        s = sum((gi * vi).sum() for gi, vi in zip(g, v) if gi.requires_grad)
        if isinstance(s, torch.Tensor) and s.requires_grad:
            gg = torch.autograd.grad(s, xs, allow_unused=True)
            gg = [t if t is not None else torch.zeros_like(x) for t, x in zip(gg, xs)]
        else:
            gg = [torch.zeros_like(x) for x in xs]
        rec['grad_of_grad'] = {'v': [None] * len(args), 'grads': [None] * len(args)}
        for i, vi, ggi in zip(float_idx, v, gg):
            rec['grad_of_grad']['v'][i] = T(vi)
            rec['grad_of_grad']['grads'][i] = T(ggi)
    return rec


def write(family, ops, cases, generator):
    os.makedirs(OUT, exist_ok=True)
    payload = {'generator': generator, 'torch_version': '1.13.1', 'torch_version_string': torch.__version__,
               'family': family, 'seed': 1, 'dtype': 'float64', 'ops': ops, 'cases': cases}
    with open(os.path.join(OUT, f'{family}.json'), 'w') as f:
        json.dump(payload, f, separators=(',', ':'))
        f.write('\n')
    print(f'{family}: {len(cases)} cases')
