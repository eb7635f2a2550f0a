#!/usr/bin/env python3
"""Goldens for adjoint/nn's recurrent layers, made with PyTorch 1.13.1 in float64 (Debian python3-torch).

Writes test/fixtures/nn/rnn.json and test/fixtures/nn/torch_lstm.safetensors. Run from the repo root:

    /usr/bin/python3 tools/goldens/rnn.py

CI never runs this; what it writes is committed. Per case: the module (`RNN`, `LSTM`, `GRU`, `RNNCell`,
`LSTMCell`, `GRUCell`), its arguments and options (adjoint's camelCase names), `state` (every parameter from
N(0, 0.5^2), by PyTorch's state-dict name), `input`, `hx` (null, a tensor, or [h, c] for LSTM), the forward
results `out` and `hN` (a tensor, or [h, c]), a cotangent for each result, and the gradients of
sum(result * cotangent) w.r.t. the input, the initial states and every parameter. Also the repr and the
state-dict keys of each module.

torch_lstm.safetensors is the float32 state dict of a 2-layer bidirectional LSTM; the `checkpoint` entry of
rnn.json holds an input and that model's output, computed in float32.
"""
import json
import os

import torch
import torch.nn as nn

from common import T, snake  # the script's folder is on sys.path
from safetensors import encode  # tools/goldens/safetensors.py: the format written by hand

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'nn')


def kw(opts):
    return {snake(k): v for k, v in opts.items()}


def randomize(module):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape) * 0.5)


def flat(x):
    """A result as a list of tensors (LSTM's [h, c] pairs flattened)."""
    if isinstance(x, (tuple, list)):
        return [t for y in x for t in flat(y)]
    return [x]


def pack(x, f):
    if isinstance(x, (tuple, list)):
        return [pack(y, f) for y in x]
    return f(x)


def case(cid, cls, args, opts, input_shape, hx_shapes=None, note=None):
    """`hx_shapes`: None (no initial state), a shape, or a pair of shapes (LSTM)."""
    m = getattr(nn, cls)(*args, **kw(opts))
    randomize(m)
    x = torch.randn(input_shape).requires_grad_()
    if hx_shapes is None:
        hx = None
    elif isinstance(hx_shapes[0], (tuple, list)):
        hx = tuple(torch.randn(s).requires_grad_() for s in hx_shapes)
    else:
        hx = torch.randn(hx_shapes).requires_grad_()
    res = m(x) if hx is None else m(x, hx)
    if cls in ('RNN', 'LSTM', 'GRU'):
        out, h_n = res
    else:
        out, h_n = res, None  # cells return the new state(s) only
    results = flat(out) + ([] if h_n is None else flat(h_n))
    cts = [torch.randn(r.shape) for r in results]
    sum((r * c).sum() for r, c in zip(results, cts)).backward()
    state = {k: T(v) for k, v in m.state_dict().items()}
    c = {
        'id': cid,
        'module': cls,
        'args': list(args),
        'options': opts,
        'state': state,
        'input': T(x),
        'hx': None if hx is None else pack(hx, T),
        'out': pack(out, T),
        'hN': None if h_n is None else pack(h_n, T),
        'cotangents': [T(t) for t in cts],
        'grads': {
            'input': T(x.grad),
            'hx': None if hx is None else pack(hx, lambda t: T(t.grad)),
        },
        'paramGrads': {k: T(p.grad) for k, p in m.named_parameters()},
        'repr': repr(m),
        'stateDictKeys': list(m.state_dict().keys()),
    }
    if note:
        c['note'] = note
    return c


def rnn_cases():
    I, H, L, N = 3, 4, 5, 2
    out = []
    for cls, extra in [('RNN', {}), ('RNN', {'nonlinearity': 'relu'}), ('LSTM', {}), ('GRU', {})]:
        name = cls if not extra else f'{cls}_relu'
        lstm = cls == 'LSTM'

        def hx(layers, n=N, size=H, proj=None):
            base = (layers, n, size) if n is not None else (layers, size)
            if not lstm:
                return base
            hshape = base if proj is None else base[:-1] + (proj,)
            return (hshape, base)

        out += [
            case(f'{name}_l1', cls, (I, H), {**extra}, (L, N, I), note='one layer, [L, N, I], zero initial state'),
            case(f'{name}_l2_h0', cls, (I, H), {**extra, 'numLayers': 2}, (L, N, I), hx(2)),
            case(f'{name}_bi_l2_h0', cls, (I, H), {**extra, 'numLayers': 2, 'bidirectional': True}, (L, N, I), hx(4)),
            case(f'{name}_batch_first_bi', cls, (I, H), {**extra, 'batchFirst': True, 'bidirectional': True},
                 (N, L, I), hx(2)),
            case(f'{name}_unbatched_h0', cls, (I, H), {**extra, 'numLayers': 2}, (L, I), hx(2, None)),
            case(f'{name}_unbatched', cls, (I, H), {**extra, 'bidirectional': True}, (L, I)),
            case(f'{name}_no_bias_l2', cls, (I, H), {**extra, 'bias': False, 'numLayers': 2}, (L, N, I), hx(2)),
            case(f'{name}_seq1_batch1', cls, (I, H), {**extra}, (1, 1, I), hx(1, 1)),
        ]
    out += [
        case('LSTM_proj_bi_l2_h0', 'LSTM', (I, H), {'projSize': 2, 'numLayers': 2, 'bidirectional': True},
             (L, N, I), ((4, N, 2), (4, N, H))),
        case('LSTM_proj_batch_first', 'LSTM', (I, H), {'projSize': 3, 'batchFirst': True}, (N, L, I)),
        case('LSTM_long_seq', 'LSTM', (2, 3), {}, (37, 2, 2), note='37 steps: the time split is by halves'),
    ]
    return out


def cell_cases():
    I, H, N = 3, 4, 2
    return [
        case('RNNCell_tanh', 'RNNCell', (I, H), {}, (N, I), (N, H)),
        case('RNNCell_relu_no_h', 'RNNCell', (I, H), {'nonlinearity': 'relu'}, (N, I)),
        case('RNNCell_unbatched_no_bias', 'RNNCell', (I, H), {'bias': False}, (I,), (H,)),
        case('LSTMCell', 'LSTMCell', (I, H), {}, (N, I), ((N, H), (N, H))),
        case('LSTMCell_no_hx', 'LSTMCell', (I, H), {}, (N, I)),
        case('LSTMCell_unbatched_no_bias', 'LSTMCell', (I, H), {'bias': False}, (I,), ((H,), (H,))),
        case('GRUCell', 'GRUCell', (I, H), {}, (N, I), (N, H)),
        case('GRUCell_no_hx', 'GRUCell', (I, H), {}, (N, I)),
        case('GRUCell_unbatched_no_bias', 'GRUCell', (I, H), {'bias': False}, (I,), (H,)),
    ]


def reprs():
    """repr of configurations the forward cases do not cover."""
    ms = {
        'RNN(3, 4, num_layers=2, nonlinearity=relu, bias=False, batch_first=True, dropout=0.5, bidirectional=True)':
            (nn.RNN(3, 4, num_layers=2, nonlinearity='relu', bias=False, batch_first=True, dropout=0.5,
                    bidirectional=True), ['RNN', [3, 4], {'numLayers': 2, 'nonlinearity': 'relu', 'bias': False,
                                                         'batchFirst': True, 'dropout': 0.5, 'bidirectional': True}]),
        'GRU dropout=1': (nn.GRU(3, 4, dropout=1, num_layers=2), ['GRU', [3, 4], {'dropout': 1, 'numLayers': 2}]),
        'LSTM proj': (nn.LSTM(5, 7, proj_size=2, dropout=0.25, num_layers=3),
                      ['LSTM', [5, 7], {'projSize': 2, 'dropout': 0.25, 'numLayers': 3}]),
        'RNNCell relu': (nn.RNNCell(2, 3, nonlinearity='relu', bias=False),
                         ['RNNCell', [2, 3], {'nonlinearity': 'relu', 'bias': False}]),
    }
    return [{'module': spec[0], 'args': spec[1], 'options': spec[2], 'repr': repr(m),
             'stateDict': [[k, list(v.shape)] for k, v in m.state_dict().items()]}
            for m, spec in ms.values()]


def checkpoint():
    torch.manual_seed(1)
    m = nn.LSTM(3, 5, num_layers=2, bidirectional=True).float()
    x = torch.randn(4, 2, 3, dtype=torch.float32)
    with torch.no_grad():
        out, (h, c) = m(x)
    tensors = {k: v.numpy() for k, v in m.state_dict().items()}
    with open(os.path.join(OUT, 'torch_lstm.safetensors'), 'wb') as f:
        f.write(encode(tensors))
    return {'module': 'LSTM', 'args': [3, 5], 'options': {'numLayers': 2, 'bidirectional': True},
            'input': T(x), 'out': T(out), 'hN': [T(h), T(c)]}


def main():
    os.makedirs(OUT, exist_ok=True)
    payload = {
        'about': 'PyTorch 1.13.1 float64 goldens of RNN/LSTM/GRU and the cells; made by tools/goldens/rnn.py',
        'cases': rnn_cases() + cell_cases(),
        'reprs': reprs(),
        'checkpoint': checkpoint(),
    }
    with open(os.path.join(OUT, 'rnn.json'), 'w') as f:
        json.dump(payload, f, indent=None, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
