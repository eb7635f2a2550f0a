#!/usr/bin/env python3
"""Goldens for adjoint/nn modules, made with PyTorch 1.13.1 in float64 (Debian python3-torch 1.13.1+dfsg, whose
torch.__version__ prints 1.13.0a0).

Writes test/fixtures/nn/{mha,batchnorm,layernorm,embedding,conv,loss,repr,statedict}.json. Run from the repo root:

    /usr/bin/python3 tools/goldens/nn.py

CI never runs this; the JSON it writes is committed. Option names in the files are adjoint's (camelCase);
state-dict keys are PyTorch's (adjoint uses the same). Tensors are {"shape": [...], "data": [...]} (flat,
row-major), with "dtype": "bool" or "int64" when not floating; NaN and infinities are the strings "NaN",
"Infinity", "-Infinity".

torch_model.safetensors is the state dict of a PyTorch model (float32, num_batches_tracked int64), with
interop.json holding an input and the model's eval output: a file PyTorch wrote must load into the same
adjoint model by name and give the same output.

Forward/backward cases load `state` (a state dict) into the module, run `forward` on `inputs`, and record
the outputs; then `backward` of sum(out * cotangent) (plus the weights' term for attention) and the
gradients of the inputs and of the parameters (by state-dict name).
"""
import json
import os
import sys
from collections import OrderedDict

import torch
import torch.nn as nn

from common import T, num, snake  # the script's folder is on sys.path

torch.set_default_dtype(torch.float64)
torch.manual_seed(0)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'nn')


def kw(opts):
    return {snake(k): v for k, v in opts.items()}


def randomize(module):
    """Every parameter from N(0, 0.5^2): goldens should not depend on initialisation."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape) * 0.5)


def state_of(module):
    return {k: T(v) for k, v in module.state_dict().items()}


def param_grads(module):
    return {k: T(p.grad) for k, p in module.named_parameters()}


def write(name, payload):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, f'{name}.json'), 'w') as f:
        json.dump(payload, f, indent=1)
        f.write('\n')


# ---- MultiheadAttention ----

def mha_case(cid, embed_dim, num_heads, opts, L, S, N, fwd=None, masks=None, self_attn=False, note=None):
    """`masks` builds the forward kwargs from (L, S, N, H); `fwd` holds adjoint-only kwargs (isCausal)."""
    m = nn.MultiheadAttention(embed_dim, num_heads, **kw(opts))
    randomize(m)
    bf = opts.get('batchFirst', False)
    kdim = opts.get('kdim', embed_dim)
    vdim = opts.get('vdim', embed_dim)

    def shape(length, e):
        if N is None:
            return (length, e)
        return (N, length, e) if bf else (length, N, e)

    q = torch.randn(shape(L, embed_dim)).requires_grad_()
    if self_attn:
        k = v = q
    else:
        k = torch.randn(shape(S, kdim)).requires_grad_()
        v = torch.randn(shape(S, vdim)).requires_grad_()
    kwargs = masks(L, S, N, num_heads) if masks else {}
    out, w = m(q, k, v, **kwargs)
    ct = torch.randn(out.shape)
    ctw = torch.randn(w.shape) if w is not None else None
    loss = (out * ct).sum() + ((w * ctw).sum() if w is not None else 0)
    loss.backward()
    inputs = {'query': T(q)} if self_attn else {'query': T(q), 'key': T(k), 'value': T(v)}
    grads = {'query': T(q.grad)} if self_attn else {'query': T(q.grad), 'key': T(k.grad), 'value': T(v.grad)}
    fk = {}
    for name, val in kwargs.items():
        key = {'attn_mask': 'attnMask', 'key_padding_mask': 'keyPaddingMask', 'need_weights': 'needWeights',
               'average_attn_weights': 'averageAttnWeights'}[name]
        fk[key] = {'tensor': T(val)} if isinstance(val, torch.Tensor) else val
    if fwd and fwd.get('isCausal'):
        fk.pop('attnMask', None)  # adjoint builds the same mask from isCausal
    fk.update(fwd or {})
    return {
        'id': cid, 'note': note, 'embedDim': embed_dim, 'numHeads': num_heads, 'options': opts,
        'selfAttention': self_attn, 'state': state_of(m), 'inputs': inputs, 'forwardOptions': fk,
        'out': T(out), 'weights': T(w), 'cotangent': {'out': T(ct), 'weights': T(ctw)},
        'grads': grads, 'paramGrads': param_grads(m),
    }


def causal(L, S, N, H):
    return {'attn_mask': torch.triu(torch.ones(L, S, dtype=torch.bool), 1)}


def mha_cases():
    return [
        mha_case('seq_first_cross', 8, 2, {}, L=4, S=5, N=3, note='[L, N, E] layout, cross attention, no mask'),
        mha_case('batch_first_cross', 8, 2, {'batchFirst': True}, L=4, S=5, N=3),
        mha_case('batch_first_causal', 8, 2, {'batchFirst': True}, L=5, S=5, N=2, masks=causal, self_attn=True,
                 fwd={'isCausal': True}, note='PyTorch 1.13 has no is_causal: the golden uses the bool triu(1) mask, adjoint isCausal'),
        mha_case('seq_first_causal_mask', 6, 3, {}, L=4, S=4, N=2, masks=causal, self_attn=True,
                 note='the same bool causal mask given as attnMask'),
        mha_case('padding_and_float_mask', 8, 4, {'batchFirst': True}, L=3, S=4, N=2,
                 masks=lambda L, S, N, H: {
                     'key_padding_mask': torch.tensor([[False, False, False, True], [False, True, False, True]]),
                     'attn_mask': torch.randn(L, S) * 0.5,
                 }),
        mha_case('per_head_mask_unaveraged', 8, 2, {}, L=3, S=3, N=2,
                 masks=lambda L, S, N, H: {
                     'attn_mask': (torch.rand(N * H, L, S) < 0.4) & ~torch.eye(L, S, dtype=torch.bool),
                     'average_attn_weights': False,
                 }, note='a [N*H, L, S] bool mask (no row fully masked), weights per head'),
        mha_case('unbatched', 8, 2, {}, L=4, S=3, N=None),
        mha_case('kdim_vdim_no_bias', 8, 2, {'kdim': 5, 'vdim': 3, 'bias': False, 'batchFirst': True}, L=3, S=4, N=2,
                 note='separate q/k/v projection weights'),
        mha_case('no_weights', 4, 1, {}, L=2, S=3, N=2, masks=lambda L, S, N, H: {'need_weights': False}),
    ]


# ---- BatchNorm ----

def bn_case(cid, cls, C, shape, opts, steps=3, note=None):
    m = getattr(nn, cls)(C, **kw(opts))
    randomize(m)
    initial = state_of(m)
    m.train()
    rec = []
    for _ in range(steps):
        x = (torch.randn(shape) * 2 + 1).requires_grad_()
        m.zero_grad(set_to_none=True)
        y = m(x)
        ct = torch.randn(y.shape)
        (y * ct).sum().backward()
        rec.append({'input': T(x), 'out': T(y), 'cotangent': T(ct), 'inputGrad': T(x.grad),
                    'paramGrads': param_grads(m), 'state': state_of(m)})
    m.eval()
    x = torch.randn(shape) * 2 + 1
    with torch.no_grad():
        y = m(x)
    return {'id': cid, 'note': note, 'module': cls, 'numFeatures': C, 'options': opts, 'initialState': initial,
            'steps': rec, 'eval': {'input': T(x), 'out': T(y), 'state': state_of(m)}}


def bn_cases():
    return [
        bn_case('bn1d_2d_input', 'BatchNorm1d', 4, (6, 4), {}),
        bn_case('bn1d_3d_input_momentum', 'BatchNorm1d', 3, (4, 3, 5), {'momentum': 0.3, 'eps': 1e-3}),
        bn_case('bn2d', 'BatchNorm2d', 3, (4, 3, 5, 5), {}),
        bn_case('bn2d_cumulative', 'BatchNorm2d', 2, (3, 2, 4, 4), {'momentum': None}, note='momentum None: cumulative average'),
        bn_case('bn1d_no_affine', 'BatchNorm1d', 4, (5, 4), {'affine': False}),
        bn_case('bn2d_no_running_stats', 'BatchNorm2d', 2, (3, 2, 3, 3), {'trackRunningStats': False},
                note='eval still uses batch statistics'),
    ]


# ---- LayerNorm, Embedding, Conv ----

def simple_case(cid, m, x, note=None, extra=None):
    randomize(m)
    if isinstance(m, nn.Embedding) and m.padding_idx is not None:
        with torch.no_grad():
            m.weight[m.padding_idx].fill_(0)
    state = state_of(m)
    y = m(x)
    ct = torch.randn(y.shape)
    (y * ct).sum().backward()
    case = {'id': cid, 'note': note, 'state': state, 'input': T(x), 'out': T(y), 'cotangent': T(ct),
            'inputGrad': T(x.grad) if x.requires_grad else None, 'paramGrads': param_grads(m)}
    case.update(extra or {})
    return case


def layernorm_cases():
    return [
        dict(simple_case('ln_last_dim', nn.LayerNorm(6), torch.randn(3, 4, 6).requires_grad_()), normalizedShape=[6], options={}),
        dict(simple_case('ln_two_dims', nn.LayerNorm([3, 4], eps=1e-3), torch.randn(2, 5, 3, 4).requires_grad_()),
             normalizedShape=[3, 4], options={'eps': 1e-3}),
        dict(simple_case('ln_no_affine', nn.LayerNorm(5, elementwise_affine=False), (torch.randn(4, 5) * 3).requires_grad_()),
             normalizedShape=[5], options={'elementwiseAffine': False}),
    ]


def embedding_cases():
    idx = torch.tensor([[1, 2, 4, 2], [4, 3, 9, 0]])
    return [
        dict(simple_case('embedding', nn.Embedding(10, 3), idx), numEmbeddings=10, embeddingDim=3, options={}),
        dict(simple_case('embedding_padding', nn.Embedding(10, 3, padding_idx=0), idx,
                         note='row 0 is the padding row: zero, and no gradient'), numEmbeddings=10, embeddingDim=3,
             options={'paddingIdx': 0}),
    ]


def conv_cases():
    def case(cid, cls, args, opts, x, note=None):
        m = getattr(nn, cls)(*args, **kw(opts))
        return dict(simple_case(cid, m, x.requires_grad_(), note), module=cls, args=list(args), options=opts)
    return [
        case('conv2d_stride_padding', 'Conv2d', (3, 4, 3), {'stride': 2, 'padding': 1}, torch.randn(2, 3, 7, 7)),
        case('conv2d_groups_no_bias', 'Conv2d', (4, 6, (3, 2)), {'groups': 2, 'bias': False, 'dilation': (1, 2)},
             torch.randn(2, 4, 6, 7)),
        case('conv2d_same', 'Conv2d', (2, 3, 3), {'padding': 'same'}, torch.randn(1, 2, 5, 5)),
        case('conv1d', 'Conv1d', (2, 4, 3), {'padding': 1, 'stride': 2}, torch.randn(3, 2, 9)),
        case('maxpool2d', 'MaxPool2d', (2,), {'stride': 1, 'padding': 1}, torch.randn(2, 2, 5, 5)),
        case('avgpool2d', 'AvgPool2d', (3,), {'stride': 2, 'padding': 1, 'countIncludePad': False}, torch.randn(2, 2, 6, 6)),
    ]


# ---- losses ----

def loss_cases():
    out = []
    logits = torch.randn(5, 4)
    target = torch.tensor([0, 3, 1, 1, 2])
    for opts in [{}, {'labelSmoothing': 0.1}, {'reduction': 'sum', 'ignoreIndex': 1}, {'reduction': 'none'}]:
        x = logits.clone().requires_grad_()
        y = nn.CrossEntropyLoss(**kw(opts))(x, target)
        ct = torch.randn(y.shape)
        (y * ct).sum().backward()
        out.append({'module': 'CrossEntropyLoss', 'options': opts, 'input': T(x), 'target': T(target),
                    'out': T(y), 'cotangent': T(ct), 'inputGrad': T(x.grad)})
    bl = torch.randn(3, 4) * 3
    bt = torch.rand(3, 4)
    pw = torch.tensor([0.5, 1.0, 2.0, 3.0])
    for opts, extra in [({}, {}), ({'reduction': 'sum'}, {'pos_weight': pw}), ({'reduction': 'none'}, {'pos_weight': pw})]:
        x = bl.clone().requires_grad_()
        y = nn.BCEWithLogitsLoss(**kw(opts), **extra)(x, bt)
        ct = torch.randn(y.shape)
        (y * ct).sum().backward()
        o = dict(opts)
        if 'pos_weight' in extra:
            o['posWeight'] = {'tensor': T(pw)}
        out.append({'module': 'BCEWithLogitsLoss', 'options': o, 'input': T(x), 'target': T(bt),
                    'out': T(y), 'cotangent': T(ct), 'inputGrad': T(x.grad)})
    for cls, opts in [('MSELoss', {}), ('MSELoss', {'reduction': 'sum'})]:
        x = bl.clone().requires_grad_()
        y = getattr(nn, cls)(**kw(opts))(x, bt)
        ct = torch.randn(y.shape)
        (y * ct).sum().backward()
        out.append({'module': cls, 'options': opts, 'input': T(x), 'target': T(bt), 'out': T(y), 'cotangent': T(ct),
                    'inputGrad': T(x.grad)})
    x = torch.log_softmax(logits, 1).detach().requires_grad_()
    y = nn.NLLLoss()(x, target)
    y.backward()
    out.append({'module': 'NLLLoss', 'options': {}, 'input': T(x), 'target': T(target), 'out': T(y),
                'cotangent': T(torch.tensor(1.0)), 'inputGrad': T(x.grad)})
    return out


# ---- repr and state-dict names ----

class Net(nn.Module):
    """The nested model of repr.json and statedict.json (test/nn/models.ts builds the same in adjoint)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2))
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.LayerNorm(4), nn.GELU()])
        self.heads = nn.ModuleDict(OrderedDict([('cls', nn.Linear(4, 10)), ('aux', nn.Linear(4, 2, bias=False))]))
        self.emb = nn.Embedding(5, 4, padding_idx=0)
        self.norm = nn.BatchNorm1d(4, affine=False)
        self.drop = nn.Dropout(0.1)


def repr_cases():
    models = OrderedDict()
    models['mlp'] = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    models['cnn'] = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Dropout(0.25),
        nn.Linear(128, 10), nn.LogSoftmax(dim=1))
    models['zoo'] = nn.Sequential(
        nn.Embedding(10, 3, padding_idx=0), nn.LayerNorm(3), nn.GELU(approximate='tanh'), nn.LeakyReLU(0.2),
        nn.Sigmoid(), nn.Softmax(dim=-1), nn.Conv1d(4, 8, 3, stride=2, dilation=2, groups=2, bias=False),
        nn.BatchNorm1d(8, momentum=None, affine=False), nn.MaxPool2d((2, 1), stride=1, padding=(1, 0), ceil_mode=True),
        nn.AvgPool2d(3, stride=2, padding=1), nn.MSELoss(), nn.CrossEntropyLoss(label_smoothing=0.1), nn.NLLLoss(),
        nn.BCEWithLogitsLoss(), nn.Identity(), nn.Conv2d(3, 6, (3, 5), stride=(2, 1), padding='valid'),
        nn.LayerNorm([2, 3], eps=1e-6, elementwise_affine=False), nn.Dropout(), nn.Flatten(0, 2))
    models['net'] = Net()
    models['named'] = nn.Sequential(OrderedDict([('fc', nn.Linear(3, 4)), ('act', nn.ReLU()),
                                                 ('out', nn.Sequential(nn.Linear(4, 2), nn.LogSoftmax(1)))]))
    return {k: repr(m) for k, m in models.items()}


def statedict_case():
    net = Net()
    attn = nn.MultiheadAttention(4, 2)
    wrapper = nn.ModuleDict(OrderedDict([('net', net), ('attn', attn)]))
    return {
        'note': 'ModuleDict({net: Net(), attn: MultiheadAttention(4, 2)}) with Net as in repr.json',
        'stateDict': [[k, list(v.shape), str(v.dtype).replace('torch.', '')] for k, v in wrapper.state_dict().items()],
        'namedParameters': [k for k, _ in wrapper.named_parameters()],
        'namedBuffers': [k for k, _ in wrapper.named_buffers()],
        'namedModules': [k for k, _ in wrapper.named_modules()],
    }


def interop_case():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from safetensors import encode  # tools/goldens/safetensors.py: the format written by hand

    m = nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 2)).float()
    m.train()
    with torch.no_grad():
        for _ in range(3):
            m(torch.randn(8, 3, dtype=torch.float32) * 2 + 0.5)
    m.eval()
    x = torch.randn(4, 3, dtype=torch.float32)
    with torch.no_grad():
        y = m(x)
    tensors = {k: v.numpy() for k, v in m.state_dict().items()}
    with open(os.path.join(OUT, 'torch_model.safetensors'), 'wb') as f:
        f.write(encode(tensors, metadata={'format': 'pt'}))
    return {'model': repr(m), 'keys': list(tensors), 'input': T(x), 'out': T(y)}


def main():
    about = {'torch': torch.__version__, 'dtype': 'float64', 'generator': 'tools/goldens/nn.py'}
    write('mha', {'about': about, 'cases': mha_cases()})
    write('batchnorm', {'about': about, 'cases': bn_cases()})
    write('layernorm', {'about': about, 'cases': layernorm_cases()})
    write('embedding', {'about': about, 'cases': embedding_cases()})
    write('conv', {'about': about, 'cases': conv_cases()})
    write('loss', {'about': about, 'cases': loss_cases()})
    write('repr', {'about': about, 'models': repr_cases()})
    write('statedict', {'about': about, **statedict_case()})
    write('interop', {'about': about, **interop_case()})


if __name__ == '__main__':
    main()
