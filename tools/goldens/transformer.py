#!/usr/bin/env python3
"""Goldens for adjoint/nn's transformer layers and stacks, made with PyTorch 1.13.1 in float64, eval mode.

Writes test/fixtures/nn/transformer.json. Run from the repo root:

    /usr/bin/python3 tools/goldens/transformer.py

CI never runs this; the JSON is committed. Per case: `kind` (`encoderLayer`, `decoderLayer`, `encoder`,
`decoder`), `dModel`, `nhead`, the layer's `options` (adjoint's camelCase names; `activation: "tanhFn"` is
the function torch.tanh), `numLayers` and `norm` for stacks, `state` (every parameter from N(0, 0.5^2)),
`inputs`, `forwardOptions` (masks as `{tensor}`; PyTorch 1.13 has no `is_causal`, so causal cases are made
with the bool `triu(1)` mask and `isCausal`/`tgtIsCausal` is what adjoint is given), `out`, `cotangent`, the
gradients of sum(out * cotangent) w.r.t. the inputs and every parameter, the repr and the state-dict keys.
Inputs require grad, so PyTorch takes its reference path (not the inference fast path).
"""
import json
import os

import torch
import torch.nn as nn

from common import T, snake  # the script's folder is on sys.path

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'nn')
E, H, FF = 8, 2, 16


def layer_kwargs(opts):
    out = {}
    for k, v in opts.items():
        if k == 'activation' and v == 'tanhFn':
            v = torch.tanh
        out[snake(k)] = v
    return out


def randomize(module):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape) * 0.5)


def causal(n):
    return torch.ones(n, n, dtype=torch.bool).triu(1)


def shape(bf, n, length):
    if n is None:
        return (length, E)
    return (n, length, E) if bf else (length, n, E)


def case(cid, kind, opts, N, L, S=None, masks=None, fwd_extra=None, num_layers=2, norm=False):
    """`masks(torch)` gives PyTorch's forward kwargs (adjoint's names, tensors); `fwd_extra` adjoint-only ones."""
    lopts = {'dimFeedforward': FF, 'dropout': 0.1, **opts}
    decoder = kind in ('decoderLayer', 'decoder')
    Layer = nn.TransformerDecoderLayer if decoder else nn.TransformerEncoderLayer
    layer = Layer(E, H, **layer_kwargs(lopts))
    if kind in ('encoder', 'decoder'):
        Stack = nn.TransformerDecoder if decoder else nn.TransformerEncoder
        m = Stack(layer, num_layers, norm=nn.LayerNorm(E, eps=lopts.get('layerNormEps', 1e-5)) if norm else None)
    else:
        m = layer
    randomize(m)
    m.eval()
    bf = lopts.get('batchFirst', False)
    inputs = {'tgt' if decoder else 'src': torch.randn(shape(bf, N, L)).requires_grad_()}
    if decoder:
        inputs['memory'] = torch.randn(shape(bf, N, S)).requires_grad_()
    fo = masks() if masks else {}
    torch_kw = {snake(k): v for k, v in fo.items() if k not in ('isCausal', 'tgtIsCausal', 'memoryIsCausal')}
    if kind == 'encoder' and 'src_mask' in torch_kw:
        torch_kw['mask'] = torch_kw.pop('src_mask')
    out = m(*inputs.values(), **torch_kw)
    ct = torch.randn(out.shape)
    (out * ct).sum().backward()
    adj_fo = {k: {'tensor': T(v)} for k, v in fo.items()}
    if kind == 'encoder' and 'srcMask' in adj_fo:
        adj_fo['mask'] = adj_fo.pop('srcMask')
    for k, v in (fwd_extra or {}).items():
        adj_fo.pop(v, None)  # the causal mask is replaced by the flag
        adj_fo[k] = True
    c = {
        'id': cid,
        'kind': kind,
        'dModel': E,
        'nhead': H,
        'options': lopts,
        'state': {k: T(v) for k, v in m.state_dict().items()},
        'inputs': {k: T(v) for k, v in inputs.items()},
        'forwardOptions': adj_fo,
        'out': T(out),
        'cotangent': T(ct),
        'grads': {k: T(v.grad) for k, v in inputs.items()},
        'paramGrads': {k: T(p.grad) for k, p in m.named_parameters()},
        'repr': repr(m),
        'stateDictKeys': list(m.state_dict().keys()),
    }
    if kind in ('encoder', 'decoder'):
        c['numLayers'] = num_layers
        c['norm'] = norm
    return c


def kpm(n, length, pads):
    """[n, length] bool, True at the last pads[i] positions of row i."""
    m = torch.zeros(n, length, dtype=torch.bool)
    for i, p in enumerate(pads):
        if p:
            m[i, length - p:] = True
    return m


def cases():
    N, L, S = 2, 4, 5
    return [
        case('enc_post_relu', 'encoderLayer', {}, N, L),
        case('enc_pre_gelu_batch_first_padding', 'encoderLayer', {'normFirst': True, 'activation': 'gelu', 'batchFirst': True},
             N, L, masks=lambda: {'srcKeyPaddingMask': kpm(N, L, [1, 0])}),
        case('enc_post_gelu_causal', 'encoderLayer', {'activation': 'gelu'}, N, L,
             masks=lambda: {'srcMask': causal(L)}, fwd_extra={'isCausal': 'srcMask'}),
        case('enc_pre_relu_float_mask_padding', 'encoderLayer', {'normFirst': True}, N, L,
             masks=lambda: {'srcMask': torch.randn(L, L), 'srcKeyPaddingMask': kpm(N, L, [0, 2])}),
        case('enc_unbatched_eps', 'encoderLayer', {'layerNormEps': 1e-3}, None, L),
        case('enc_tanh_function', 'encoderLayer', {'activation': 'tanhFn', 'batchFirst': True}, N, L),
        case('dec_post_relu', 'decoderLayer', {}, N, L, S),
        case('dec_pre_gelu_batch_first_causal_padding', 'decoderLayer', {'normFirst': True, 'activation': 'gelu', 'batchFirst': True},
             N, L, S, masks=lambda: {'tgtMask': causal(L), 'tgtKeyPaddingMask': kpm(N, L, [1, 0]),
                                     'memoryKeyPaddingMask': kpm(N, S, [0, 2])},
             fwd_extra={'tgtIsCausal': 'tgtMask'}),
        case('dec_post_memory_mask', 'decoderLayer', {}, N, L, S,
             masks=lambda: {'tgtMask': torch.randn(L, L), 'memoryMask': torch.randn(L, S)}),
        case('dec_unbatched', 'decoderLayer', {'normFirst': True}, None, L, S),
        case('encoder_stack_norm', 'encoder', {}, N, L, norm=True,
             masks=lambda: {'srcMask': causal(L), 'srcKeyPaddingMask': kpm(N, L, [0, 1])}),
        case('encoder_stack_pre_causal', 'encoder', {'normFirst': True, 'batchFirst': True}, N, L, num_layers=3,
             masks=lambda: {'srcMask': causal(L)}, fwd_extra={'isCausal': 'mask'}),
        case('decoder_stack_norm', 'decoder', {'activation': 'gelu'}, N, L, S, norm=True,
             masks=lambda: {'tgtMask': causal(L), 'memoryKeyPaddingMask': kpm(N, S, [1, 0])},
             fwd_extra={'tgtIsCausal': 'tgtMask'}),
    ]


def main():
    payload = {'about': 'PyTorch 1.13.1 float64 goldens of the transformer layers, eval mode; tools/goldens/transformer.py',
               'cases': cases()}
    with open(os.path.join(OUT, 'transformer.json'), 'w') as f:
        json.dump(payload, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
