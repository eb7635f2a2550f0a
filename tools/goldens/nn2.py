#!/usr/bin/env python3
"""Goldens for the second set of adjoint/nn modules, made with PyTorch 1.13.1 in float64 (Debian python3-torch
1.13.1+dfsg, torch.__version__ 1.13.0a0), in tools/goldens/nn.py's format. Run from the repo root:

    /usr/bin/python3 tools/goldens/nn2.py

Writes test/fixtures/nn/modules2.json: per module its constructor (PyTorch's arguments as adjoint's options), repr,
state-dict keys with shapes and dtypes, a randomized state, and forward/backward on an input (for losses and
distances two inputs; gradients of the first input and of the parameters). Instance norms with running statistics
run three training steps and an eval step, with the state after each.
"""
import json
import os

import torch
import torch.nn as nn

from common import T, snake

torch.set_default_dtype(torch.float64)
torch.manual_seed(2)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'nn')

SPECIAL = {'outputSize': 'output_size', 'unflattenedSize': 'unflattened_size'}


def kw(opts):
    out = {}
    for k, v in opts.items():
        if isinstance(v, dict) and 'tensor' in v:
            v = v['torch']
        out[snake(k, SPECIAL)] = tuple(v) if isinstance(v, list) else v
    return out


def randomize(m):
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.randn(p.shape) * 0.5)


def sd_keys(m):
    return [[k, list(v.shape), str(v.dtype).replace('torch.', '')] for k, v in m.state_dict().items()]


def state(m):
    return {k: T(v) for k, v in m.state_dict().items()}


def module_case(cid, cls, args, opts, inputs, note=None, steps=0, positive=False):
    """`inputs` are shapes (or tensors); the first one gets a gradient."""
    m = getattr(nn, cls)(*[tuple(a) if isinstance(a, list) else a for a in args], **kw(opts))
    randomize(m)
    rec = {'id': cid, 'module': cls, 'args': args, 'options': {k: (v['json'] if isinstance(v, dict) else v) for k, v in opts.items()},
           'repr': repr(m), 'stateDictKeys': sd_keys(m), 'state': state(m)}
    if note:
        rec['note'] = note
    xs = [x if isinstance(x, torch.Tensor) else (torch.rand(x) * 0.9 + 0.05 if positive else torch.randn(x)) for x in inputs]
    runs = []
    for step in range(max(1, steps)):
        if steps:
            xs = [torch.randn(x.shape) * 2 + 1 for x in xs]
        x0 = xs[0].clone().requires_grad_()
        m.zero_grad(set_to_none=True)
        y = m(x0, *xs[1:])
        if isinstance(y, tuple):
            y = y[0]
        ct = torch.randn(y.shape)
        (y * ct).sum().backward()
        runs.append({'inputs': [T(x0)] + [T(x) for x in xs[1:]], 'out': T(y), 'cotangent': T(ct), 'inputGrad': T(x0.grad),
                     'paramGrads': {k: T(p.grad) for k, p in m.named_parameters()}, 'state': state(m)})
    rec['steps'] = runs
    if steps:
        m.eval()
        x = torch.randn(xs[0].shape)
        with torch.no_grad():
            rec['eval'] = {'input': T(x), 'out': T(m(x)), 'state': state(m)}
    return rec


def cases():
    w3 = torch.tensor([0.5, 1.0, 2.0])
    out = [
        module_case('silu', 'SiLU', [], {}, [(3, 4)]),
        module_case('mish', 'Mish', [], {}, [(3, 4)]),
        module_case('elu', 'ELU', [], {'alpha': 0.5}, [(3, 4)]),
        module_case('selu', 'SELU', [], {}, [(3, 4)]),
        module_case('celu', 'CELU', [], {'alpha': 2.0}, [(3, 4)]),
        module_case('hardtanh', 'Hardtanh', [], {'minVal': -2.0, 'maxVal': 0.5}, [(3, 4)]),
        module_case('relu6', 'ReLU6', [], {}, [torch.randn(3, 4) * 4 + 2]),
        module_case('hardsigmoid', 'Hardsigmoid', [], {}, [torch.randn(3, 4) * 3]),
        module_case('hardswish', 'Hardswish', [], {}, [torch.randn(3, 4) * 3]),
        module_case('softsign', 'Softsign', [], {}, [(3, 4)]),
        module_case('logsigmoid', 'LogSigmoid', [], {}, [(3, 4)]),
        module_case('identity', 'Identity', [], {}, [(2, 3)]),
        module_case('unflatten', 'Unflatten', [1, [2, 3]], {}, [(4, 6)]),
        module_case('convtranspose2d', 'ConvTranspose2d', [4, 6, 3], {'stride': 2, 'padding': 1, 'outputPadding': 1}, [(2, 4, 3, 3)]),
        module_case('convtranspose2d_groups', 'ConvTranspose2d', [4, 6, [2, 3]], {'groups': 2, 'bias': False, 'dilation': [2, 1]}, [(1, 4, 3, 4)]),
        module_case('convtranspose1d', 'ConvTranspose1d', [3, 2, 4], {'stride': 3}, [(2, 3, 5)]),
        module_case('upsample_nearest', 'Upsample', [], {'scaleFactor': 2}, [(1, 2, 3, 3)]),
        module_case('upsample_bilinear', 'Upsample', [], {'size': [5, 4], 'mode': 'bilinear', 'alignCorners': True}, [(1, 2, 3, 3)]),
        module_case('adaptiveavgpool2d', 'AdaptiveAvgPool2d', [[3, None]], {}, [(2, 3, 7, 5)]),
        module_case('adaptivemaxpool2d', 'AdaptiveMaxPool2d', [2], {}, [(2, 3, 5, 7)]),
        module_case('groupnorm', 'GroupNorm', [2, 6], {}, [(3, 6, 4)]),
        module_case('groupnorm_no_affine', 'GroupNorm', [3, 6], {'eps': 1e-3, 'affine': False}, [(2, 6, 2, 2)]),
        module_case('instancenorm1d', 'InstanceNorm1d', [3], {}, [(2, 3, 6)]),
        module_case('instancenorm2d_affine', 'InstanceNorm2d', [3], {'affine': True}, [(2, 3, 4, 4)]),
        module_case('instancenorm2d_tracked', 'InstanceNorm2d', [3], {'affine': True, 'trackRunningStats': True, 'momentum': 0.3}, [(2, 3, 4, 5)],
                    steps=3, note='three training steps (running statistics move), then eval with the running statistics'),
        module_case('instancenorm1d_unbatched_tracked', 'InstanceNorm1d', [2], {'trackRunningStats': True}, [(2, 7)], steps=2),
        module_case('l1loss', 'L1Loss', [], {}, [(3, 4), (3, 4)]),
        module_case('smoothl1loss', 'SmoothL1Loss', [], {'beta': 0.5, 'reduction': 'sum'}, [(3, 4), (3, 4)]),
        module_case('huberloss', 'HuberLoss', [], {'delta': 0.7}, [(3, 4), (3, 4)]),
        module_case('kldivloss', 'KLDivLoss', [], {'reduction': 'batchmean'}, [torch.log_softmax(torch.randn(3, 4), 1), torch.softmax(torch.randn(3, 4), 1)]),
        module_case('bceloss', 'BCELoss', [], {}, [(3, 4), (3, 4)], positive=True),
        module_case('bceloss_weight', 'BCELoss', [], {'weight': {'tensor': True, 'torch': torch.tensor([1.0, 2.0, 0.5, 1.5]), 'json': {'tensor': T(torch.tensor([1.0, 2.0, 0.5, 1.5]))}}},
                    [(3, 4), (3, 4)], positive=True),
        module_case('crossentropyloss_weight', 'CrossEntropyLoss', [], {'weight': {'tensor': True, 'torch': w3, 'json': {'tensor': T(w3)}}, 'labelSmoothing': 0.1},
                    [(4, 3), torch.tensor([0, 2, 1, 2])]),
        module_case('nllloss_weight', 'NLLLoss', [], {'weight': {'tensor': True, 'torch': w3, 'json': {'tensor': T(w3)}}, 'ignoreIndex': 1},
                    [torch.log_softmax(torch.randn(4, 3), 1), torch.tensor([0, 1, 1, 2])]),
        module_case('cosinesimilarity', 'CosineSimilarity', [], {'dim': 0}, [(4, 3), (4, 3)]),
        module_case('pairwisedistance', 'PairwiseDistance', [], {'p': 1.0, 'keepdim': True}, [(4, 3), (4, 3)]),
    ]
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    about = {'torch': torch.__version__, 'dtype': 'float64', 'generator': 'tools/goldens/nn2.py'}
    with open(os.path.join(OUT, 'modules2.json'), 'w') as f:
        json.dump({'about': about, 'cases': cases()}, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
