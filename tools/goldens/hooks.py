#!/usr/bin/env python3
"""Goldens for module hooks: what PyTorch 1.13.1's register_full_backward_hook passes (grad_input,
grad_output) and what a replaced grad_input does to the gradients, float64.

Writes test/fixtures/nn/hooks.json. Run from the repo root: /usr/bin/python3 tools/goldens/hooks.py

Per case: `model` (built alike by test/nn/hooks.test.ts), `state`, `inputs` (with `requiresGrad`), the hooked
submodule (`at`, a state-dict prefix; '' is the model), `replace` (the hook returns grad_input with every
tensor times this factor, or nothing when null), `use` (which outputs enter the loss), `cotangents`, and
what PyTorch gave: `gradInput` and `gradOutput` as the hook saw them (null for None), the inputs' and
parameters' gradients afterwards.
"""
import json
import os

import torch
import torch.nn as nn

from common import T  # the script's folder is on sys.path

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'nn')


class Two(nn.Module):
    """forward(a, b) = (a * b * scale, a + b): two inputs, two outputs."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.randn(3))

    def forward(self, a, b):
        return a * b * self.scale, a + b


def build(name):
    if name == 'linear':
        return nn.Linear(3, 4)
    if name == 'two':
        return Two()
    if name == 'mlp':
        return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    raise ValueError(name)


def case(cid, model, inputs, at='', replace=None, use=None):
    m = build(model)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.randn(p.shape) * 0.5)
    xs = [torch.randn(shape).requires_grad_(rg) for shape, rg in inputs]
    seen = {}

    def hook(mod, grad_input, grad_output):
        seen['gradInput'] = [None if g is None else T(g) for g in grad_input]
        seen['gradOutput'] = [None if g is None else T(g) for g in grad_output]
        if replace is not None:
            return tuple(None if g is None else g * replace for g in grad_input)
        return None

    target = m.get_submodule(at) if at else m
    target.register_full_backward_hook(hook)
    out = m(*xs)
    outs = list(out) if isinstance(out, tuple) else [out]
    use = use if use is not None else list(range(len(outs)))
    cts = [torch.randn(o.shape) for o in outs]
    sum((outs[i] * cts[i]).sum() for i in use).backward()
    return {
        'id': cid, 'model': model, 'at': at, 'replace': replace, 'use': use,
        'state': {k: T(v) for k, v in m.state_dict().items()},
        'inputs': [{'value': T(x), 'requiresGrad': rg} for x, (_, rg) in zip(xs, inputs)],
        'cotangents': [T(c) for c in cts],
        'gradInput': seen.get('gradInput'),
        'gradOutput': seen.get('gradOutput'),
        'inputGrads': [T(x.grad) for x in xs],
        'paramGrads': {k: T(p.grad) for k, p in m.named_parameters()},
    }


def main():
    cases = [
        case('linear', 'linear', [((2, 3), True)]),
        case('linear_input_without_grad', 'linear', [((2, 3), False)]),
        case('linear_replaced', 'linear', [((2, 3), True)], replace=2.0),
        case('two_inputs_one_frozen', 'two', [((2, 3), True), ((2, 3), False)]),
        case('two_outputs_one_used', 'two', [((2, 3), True), ((2, 3), True)], use=[1]),
        case('two_replaced', 'two', [((2, 3), True), ((2, 3), True)], replace=-0.5),
        case('mlp_middle', 'mlp', [((5, 3), True)], at='1'),
        case('mlp_middle_replaced', 'mlp', [((5, 3), True)], at='1', replace=3.0),
        case('mlp_first_layer_input_without_grad', 'mlp', [((5, 3), False)], at='0'),
        case('mlp_whole', 'mlp', [((5, 3), True)]),
    ]
    with open(os.path.join(OUT, 'hooks.json'), 'w') as f:
        json.dump({'about': 'PyTorch 1.13.1 full backward hooks, float64; tools/goldens/hooks.py', 'cases': cases}, f,
                  separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
