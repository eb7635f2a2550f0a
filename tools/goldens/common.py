"""Helpers shared by the golden generators (nn.py, optim.py): adjoint's JSON form of numbers and tensors,
and adjoint's camelCase option names in PyTorch's snake_case."""
import math
import re

import torch


def num(x):
    """A float as JSON: NaN and infinities as the strings "NaN", "Infinity", "-Infinity"."""
    x = float(x)
    if math.isnan(x):
        return 'NaN'
    if math.isinf(x):
        return 'Infinity' if x > 0 else '-Infinity'
    return x


def T(t):
    """A tensor as {"shape": [...], "data": [...]} (flat, row-major), with "dtype" "bool" or "int64" when not floating."""
    if t is None:
        return None
    t = t.detach()
    out = {'shape': list(t.shape)}
    if t.dtype == torch.bool:
        out['dtype'] = 'bool'
        out['data'] = [bool(v) for v in t.reshape(-1).tolist()]
    elif t.dtype in (torch.int64, torch.int32):
        out['dtype'] = 'int64'
        out['data'] = [int(v) for v in t.reshape(-1).tolist()]
    else:
        out['data'] = [num(v) for v in t.reshape(-1).tolist()]
    return out


def snake(name, special=None):
    """camelCase → snake_case (`special` maps names that do not follow the rule, e.g. tMax → T_max)."""
    return (special or {}).get(name) or re.sub(r'([A-Z])', lambda m: '_' + m.group(1).lower(), name)
