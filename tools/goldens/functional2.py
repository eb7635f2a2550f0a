#!/usr/bin/env python3
"""Conformance goldens for the second set of nn.functional ops, made with PyTorch 1.13.1 in float64 (Debian
python3-torch 1.13.1+dfsg, torch.__version__ 1.13.0a0), seed 1, in the format of
test/fixtures/conformance/README.md. Run from the repo root:

    /usr/bin/python3 tools/goldens/functional2.py

Writes test/fixtures/conformance/{activation,sampling,transposed,groupnorm,sdpa,distance,elementwise_loss}.json.
PyTorch 1.13 has no F.scaled_dot_product_attention: `sdpa` is PyTorch 2's documented math reference written with
1.13 ops (bool masks keep the true positions, float masks are added, is_causal keeps j <= i).
`activationKinks` evaluates each activation exactly at its kinks, where PyTorch's gradient convention decides.
"""
import math

import torch
import torch.nn.functional as F

from opcase import case, randn, uniform, write

torch.manual_seed(1)
GEN = 'tools/goldens/functional2.py'


def activation():
    acts = {
        'silu': ('F.silu(x)', F.silu, {}),
        'mish': ('F.mish(x)', F.mish, {}),
        'elu': ('F.elu(x, alpha)', lambda x: F.elu(x, alpha=0.7), {'alpha': 0.7}),
        'selu': ('F.selu(x)', F.selu, {}),
        'celu': ('F.celu(x, alpha)', lambda x: F.celu(x, alpha=1.5), {'alpha': 1.5}),
        'hardtanh': ('F.hardtanh(x, min_val, max_val)', lambda x: F.hardtanh(x, -0.5, 1.5), {'minVal': -0.5, 'maxVal': 1.5}),
        'hardsigmoid': ('F.hardsigmoid(x)', F.hardsigmoid, {}),
        'hardswish': ('F.hardswish(x)', F.hardswish, {}),
        'relu6': ('F.relu6(x)', F.relu6, {}),
        'softsign': ('F.softsign(x)', F.softsign, {}),
        'logsigmoid': ('F.logsigmoid(x)', F.logsigmoid, {}),
    }
    ops, cases = {}, []
    smooth = {'silu', 'mish', 'selu', 'softsign', 'logsigmoid', 'elu', 'celu'}
    for name, (call, fn, kw) in acts.items():
        ops[name] = call
        x = randn(4, 5, scale=3.0)
        # keep clear of the kinks (|x - k| > 0.05) so finite differences are clean
        for k in [-3.0, -1.0, -0.5, 0.0, 1.0, 1.5, 3.0, 6.0]:
            x = torch.where((x - k).abs() < 0.05, x + 0.1, x)
        cases.append(case(f'{name}/4x5', name, [x], fn, kwargs=kw, gog=name in smooth))
    cases.append(case('logsigmoid/large', 'logsigmoid', [torch.tensor([-800.0, -30.0, 30.0, 800.0], dtype=torch.float64)], F.logsigmoid))
    cases.append(case('relu6/wide', 'relu6', [randn(3, 4, scale=5.0, shift=3.0)], F.relu6))
    ops['activationKinks'] = 'F.<fn>(x) at its kinks (kwargs.fn, options as the plain cases)'
    kinks = {
        'hardtanh': [-0.5, 1.5, -2.0, 2.0, 0.0], 'relu6': [0.0, 6.0, -1.0, 7.0, 3.0], 'hardsigmoid': [-3.0, 3.0, 0.0, -4.0, 4.0],
        'hardswish': [-3.0, 3.0, 0.0, -4.0, 4.0], 'elu': [0.0, -1.0, 1.0], 'celu': [0.0, -1.0, 1.0], 'selu': [0.0, -1.0, 1.0],
        'softsign': [0.0], 'logsigmoid': [0.0],
    }
    for name, vals in kinks.items():
        _, fn, kw = acts[name]
        cases.append(case(f'activationKinks/{name}', 'activationKinks', [torch.tensor(vals, dtype=torch.float64)], fn,
                          kwargs={'fn': name, **kw}))
    return ops, cases


def sampling():
    ops = {
        'interpolate': "F.interpolate(x, size, scale_factor, mode, align_corners) (mode 'nearest' | 'bilinear')",
        'adaptiveAvgPool2d': 'F.adaptive_avg_pool2d(x, output_size)',
        'adaptiveMaxPool2d': 'F.adaptive_max_pool2d(x, output_size, return_indices=True) (out: [values, indices])',
        'oneHot': 'F.one_hot(indices, num_classes)',
    }
    cases = []
    interp = [
        ('nearest_size_2d', (1, 2, 5, 7), {'size': [3, 10], 'mode': 'nearest'}),
        ('nearest_scale_2', (2, 1, 3, 4), {'scaleFactor': 2, 'mode': 'nearest'}),
        ('nearest_scale_1.7', (1, 2, 4, 5), {'scaleFactor': 1.7, 'mode': 'nearest'}),
        ('nearest_1d_size', (2, 3, 7), {'size': 4, 'mode': 'nearest'}),
        ('nearest_1d_scale_0.5', (1, 2, 9), {'scaleFactor': 0.5, 'mode': 'nearest'}),
        ('bilinear_size', (1, 2, 4, 5), {'size': [7, 3], 'mode': 'bilinear', 'alignCorners': False}),
        ('bilinear_align_corners', (2, 1, 4, 5), {'size': [7, 9], 'mode': 'bilinear', 'alignCorners': True}),
        ('bilinear_scale_1.5', (1, 2, 4, 4), {'scaleFactor': [1.5, 2.5], 'mode': 'bilinear', 'alignCorners': False}),
        ('bilinear_down_align', (1, 1, 6, 7), {'size': [3, 1], 'mode': 'bilinear', 'alignCorners': True}),
    ]
    for cid, shape, kw in interp:
        tk = {'size': kw.get('size'), 'scale_factor': kw.get('scaleFactor'), 'mode': kw['mode']}
        if 'alignCorners' in kw:
            tk['align_corners'] = kw['alignCorners']
        if isinstance(tk['scale_factor'], list):
            tk['scale_factor'] = tuple(tk['scale_factor'])
        cases.append(case(f'interpolate/{cid}', 'interpolate', [randn(*shape)], lambda x, tk=tk: F.interpolate(x, **tk), kwargs=kw))
    for cid, shape, size in [('7x9_to_3x4', (2, 3, 7, 9), [3, 4]), ('global', (1, 2, 5, 6), 1), ('none_entry', (1, 2, 5, 6), [4, None]),
                             ('up_3x3_to_5x4', (1, 1, 3, 3), [5, 4]), ('unbatched', (2, 6, 5), [4, 3])]:
        ts = tuple(size) if isinstance(size, list) else size
        cases.append(case(f'adaptiveAvgPool2d/{cid}', 'adaptiveAvgPool2d', [randn(*shape), size], lambda x, s, ts=ts: F.adaptive_avg_pool2d(x, ts)))
        cases.append(case(f'adaptiveMaxPool2d/{cid}', 'adaptiveMaxPool2d', [randn(*shape), size],
                          lambda x, s, ts=ts: F.adaptive_max_pool2d(x, ts, return_indices=True)))
    cases.append(case('oneHot/given', 'oneHot', [torch.tensor([[0, 3], [2, 1]]), 5], F.one_hot))
    cases.append(case('oneHot/inferred', 'oneHot', [torch.tensor([1, 0, 3]), -1], F.one_hot))
    return ops, cases


def transposed():
    ops = {'convTranspose1d': 'F.conv_transpose1d(x, w, b, stride, padding, output_padding, groups, dilation)',
           'convTranspose2d': 'F.conv_transpose2d(x, w, b, stride, padding, output_padding, groups, dilation)'}
    cases = []
    specs = [
        ('convTranspose2d', 'basic', (2, 3, 4, 5), (3, 2, 3, 3), True, {}),
        ('convTranspose2d', 'stride2_pad1_outpad1', (1, 2, 3, 4), (2, 3, 3, 3), True, {'stride': 2, 'padding': 1, 'outputPadding': 1}),
        ('convTranspose2d', 'groups_dilation', (2, 4, 3, 3), (4, 1, 2, 3), False, {'groups': 2, 'dilation': [2, 1], 'stride': [1, 2]}),
        ('convTranspose2d', 'outpad_below_dilation', (1, 2, 3, 3), (2, 2, 2, 2), True, {'stride': 1, 'dilation': 2, 'outputPadding': 1, 'padding': 1}),
        ('convTranspose2d', 'unbatched', (2, 3, 3), (2, 3, 2, 2), True, {'stride': 2}),
        ('convTranspose1d', 'basic', (2, 3, 6), (3, 4, 3), True, {'stride': 2, 'padding': 1, 'outputPadding': 1}),
        ('convTranspose1d', 'groups', (1, 4, 5), (4, 2, 2), False, {'groups': 2, 'dilation': 3}),
    ]
    for op, cid, xs, ws, bias, kw in specs:
        fn = F.conv_transpose2d if op == 'convTranspose2d' else F.conv_transpose1d
        cout = ws[1] * kw.get('groups', 1)
        args = [randn(*xs), randn(*ws, scale=0.5), randn(cout) if bias else None]
        tk = {'stride': kw.get('stride', 1), 'padding': kw.get('padding', 0), 'output_padding': kw.get('outputPadding', 0),
              'groups': kw.get('groups', 1), 'dilation': kw.get('dilation', 1)}
        tk = {k: tuple(v) if isinstance(v, list) else v for k, v in tk.items()}
        cases.append(case(f'{op}/{cid}', op, args, lambda x, w, b, fn=fn, tk=tk: fn(x, w, b, **tk), kwargs=kw, gog=cid == 'basic'))
    return ops, cases


def groupnorm():
    ops = {'groupNorm': 'F.group_norm(x, num_groups, weight, bias, eps)',
           'instanceNorm': 'F.instance_norm(x, weight=weight, bias=bias, eps=eps) (use_input_stats, no running stats)'}
    cases = [
        case('groupNorm/affine_2d', 'groupNorm', [randn(2, 6, 3, 4, scale=2, shift=1), 3, randn(6), randn(6)],
             lambda x, g, w, b: F.group_norm(x, g, w, b), gog=True),
        case('groupNorm/no_affine_1d_eps', 'groupNorm', [randn(3, 4, 5), 2, None, None], lambda x, g, w, b: F.group_norm(x, g, w, b, eps=1e-3),
             kwargs={'eps': 1e-3}),
        case('groupNorm/one_group_2d_input', 'groupNorm', [randn(4, 6), 1, randn(6), None], lambda x, g, w, b: F.group_norm(x, g, w, b)),
        case('instanceNorm/affine_2d', 'instanceNorm', [randn(2, 3, 4, 5, scale=2, shift=-1), randn(3), randn(3)],
             lambda x, w, b: F.instance_norm(x, weight=w, bias=b), gog=True),
        case('instanceNorm/no_affine_1d_eps', 'instanceNorm', [randn(3, 2, 6), None, None], lambda x, w, b: F.instance_norm(x, eps=1e-3),
             kwargs={'eps': 1e-3}),
    ]
    return ops, cases


def sdpa_ref(q, k, v, mask=None, is_causal=False):
    L, S = q.size(-2), k.size(-2)
    bias = torch.zeros(L, S, dtype=q.dtype)
    if is_causal:
        bias = bias.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(0), float('-inf'))
    if mask is not None:
        bias = bias.masked_fill(~mask, float('-inf')) if mask.dtype == torch.bool else bias + mask
    w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.size(-1)) + bias, dim=-1)
    return w @ v


def sdpa():
    ops = {'scaledDotProductAttention': 'PyTorch 2 math reference: softmax(q k^T / sqrt(E) + bias) v (args [q, k, v, attnMask])'}
    cases = [
        case('scaledDotProductAttention/no_mask', 'scaledDotProductAttention', [randn(2, 3, 4), randn(2, 5, 4), randn(2, 5, 3), None],
             lambda q, k, v, m: sdpa_ref(q, k, v), gog=True),
        case('scaledDotProductAttention/causal_heads', 'scaledDotProductAttention', [randn(2, 2, 4, 3), randn(2, 2, 4, 3), randn(2, 2, 4, 3), None],
             lambda q, k, v, m: sdpa_ref(q, k, v, is_causal=True), kwargs={'isCausal': True}),
        case('scaledDotProductAttention/bool_mask', 'scaledDotProductAttention',
             [randn(3, 4), randn(5, 4), randn(5, 2), torch.tensor([[1, 0, 1, 1, 0], [0, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)],
             lambda q, k, v, m: sdpa_ref(q, k, v, m)),
        case('scaledDotProductAttention/float_mask_broadcast', 'scaledDotProductAttention',
             [randn(2, 3, 4), randn(2, 4, 4), randn(2, 4, 4), randn(3, 4)], lambda q, k, v, m: sdpa_ref(q, k, v, m)),
    ]
    return ops, cases


def distance():
    ops = {'cosineSimilarity': 'F.cosine_similarity(x1, x2, dim, eps)', 'pairwiseDistance': 'F.pairwise_distance(x1, x2, p, eps, keepdim)',
           'cosineSimilarityClamped': 'F.cosine_similarity where a norm is below eps: the value is clamped, the gradient is that of the '
                                      'unclamped squared norm (PyTorch 1.13 clamps in place under no_grad), so not the derivative'}
    tiny = randn(3, 4)
    tiny[1] = tiny[1] * 1e-3
    cases = [
        case('cosineSimilarity/dim1', 'cosineSimilarity', [randn(3, 4), randn(3, 4)], lambda a, b: F.cosine_similarity(a, b), gog=True),
        case('cosineSimilarity/broadcast_last', 'cosineSimilarity', [randn(2, 3, 4), randn(4)], lambda a, b: F.cosine_similarity(a, b, dim=-1),
             kwargs={'dim': -1}),
        case('cosineSimilarityClamped/eps_clamps', 'cosineSimilarityClamped', [tiny, randn(3, 4)], lambda a, b: F.cosine_similarity(a, b, dim=1, eps=1e-2),
             kwargs={'dim': 1, 'eps': 1e-2}, note='row 1 of x1 has a norm below eps'),
        case('pairwiseDistance/p2', 'pairwiseDistance', [randn(3, 4), randn(3, 4)], lambda a, b: F.pairwise_distance(a, b), gog=True),
        case('pairwiseDistance/p1_keepdim_broadcast', 'pairwiseDistance', [randn(2, 3, 4), randn(4)],
             lambda a, b: F.pairwise_distance(a, b, p=1, keepdim=True), kwargs={'p': 1, 'keepdim': True}),
        case('pairwiseDistance/p3_eps', 'pairwiseDistance', [randn(4, 5), randn(4, 5)], lambda a, b: F.pairwise_distance(a, b, p=3, eps=1e-3),
             kwargs={'p': 3, 'eps': 1e-3}),
        case('pairwiseDistance/vectors', 'pairwiseDistance', [randn(5), randn(5)], lambda a, b: F.pairwise_distance(a, b)),
    ]
    return ops, cases


def bce(x, y, w, red):
    """F.binary_cross_entropy with `weight` (which 1.13 does not differentiate): the same values, times w, reduced."""
    if w is None:
        return F.binary_cross_entropy(x, y, reduction=red)
    with torch.no_grad():
        assert torch.allclose(F.binary_cross_entropy(x, y, w, reduction=red), reduce(F.binary_cross_entropy(x, y, reduction='none') * w, red))
    return reduce(F.binary_cross_entropy(x, y, reduction='none') * w, red)


def reduce(loss, red):
    return loss.mean() if red == 'mean' else loss.sum() if red == 'sum' else loss


def elementwise_loss():
    ops = {
        'l1Loss': 'F.l1_loss(input, target, reduction)',
        'smoothL1Loss': 'F.smooth_l1_loss(input, target, reduction, beta)',
        'huberLoss': 'F.huber_loss(input, target, reduction, delta)',
        'klDiv': 'F.kl_div(input, target, reduction, log_target)',
        'binaryCrossEntropy': 'F.binary_cross_entropy(input, target, weight, reduction) (args [input, target, weight])',
        'crossEntropy': 'F.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing) (args [input, target, weight])',
        'nllLoss': 'F.nll_loss(input, target, weight, ignore_index, reduction) (args [input, target, weight])',
    }
    cases = []

    def apart(a, b, gap=0.05):
        """Moves input away from |input - target| in {0, beta} kinks."""
        d = a - b
        for k in [0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0]:
            d = torch.where((d - k).abs() < gap, d + 2 * gap, d)
        return b + d

    for red in ['mean', 'sum', 'none']:
        a, b = randn(3, 4), randn(3, 4)
        a = apart(a, b)
        cases.append(case(f'l1Loss/{red}', 'l1Loss', [a, b], lambda x, t, red=red: F.l1_loss(x, t, reduction=red), kwargs={'reduction': red}))
    for beta in [1.0, 0.5, 0.0]:
        a, b = randn(3, 4, scale=2), randn(3, 4)
        a = apart(a, b)
        cases.append(case(f'smoothL1Loss/beta_{beta}', 'smoothL1Loss', [a, b], lambda x, t, beta=beta: F.smooth_l1_loss(x, t, beta=beta),
                          kwargs={'beta': beta}))
    for delta, red in [(1.0, 'mean'), (2.0, 'sum'), (0.5, 'none')]:
        a, b = randn(3, 4, scale=2), randn(3, 4)
        a = apart(a, b)
        cases.append(case(f'huberLoss/delta_{delta}_{red}', 'huberLoss', [a, b], lambda x, t, d=delta, r=red: F.huber_loss(x, t, reduction=r, delta=d),
                          kwargs={'delta': delta, 'reduction': red}))
    logp = torch.log_softmax(randn(4, 5), 1)
    probs = torch.softmax(randn(4, 5), 1)
    for red in ['mean', 'batchmean', 'sum', 'none']:
        cases.append(case(f'klDiv/{red}', 'klDiv', [logp, probs], lambda x, t, r=red: F.kl_div(x, t, reduction=r), kwargs={'reduction': red}))
    zt = probs.clone()
    zt[0, 2] = 0.0
    ops['lossEdges'] = 'values only at the edges: F.kl_div with a zero target (xlogy: 0), F.binary_cross_entropy at 0 and 1 (logs clamped at -100)'
    cases.append(case('lossEdges/klDiv_zero_target', 'lossEdges', [logp, zt], lambda x, t: F.kl_div(x, t, reduction='none'),
                      kwargs={'fn': 'klDiv'}, grads=False))
    cases.append(case('klDiv/log_target', 'klDiv', [logp, torch.log_softmax(randn(4, 5), 1)],
                      lambda x, t: F.kl_div(x, t, reduction='batchmean', log_target=True), kwargs={'reduction': 'batchmean', 'logTarget': True}))
    p, t = uniform(0.05, 0.95, 3, 4), uniform(0, 1, 3, 4)
    for cid, w, red in [('mean', None, 'mean'), ('weight_sum', uniform(0.5, 2, 3, 4), 'sum'), ('weight_broadcast_none', uniform(0.5, 2, 4), 'none')]:
        cases.append(case(f'binaryCrossEntropy/{cid}', 'binaryCrossEntropy', [p, t, w], lambda x, y, w, r=red: bce(x, y, w, r),
                          kwargs={'reduction': red}))
    cases.append(case('lossEdges/binaryCrossEntropy_zero_and_one', 'lossEdges',
                      [torch.tensor([0.0, 1.0, 0.5, 0.0, 1.0], dtype=torch.float64), torch.tensor([0.0, 1.0, 0.5, 1.0, 0.3], dtype=torch.float64)],
                      lambda x, y: F.binary_cross_entropy(x, y, reduction='none'), kwargs={'fn': 'binaryCrossEntropy'}, grads=False))
    logits, wc = randn(6, 4), uniform(0.2, 2.0, 4)
    tgt = torch.tensor([0, 3, 1, 1, 2, 3])
    tgt_ign = torch.tensor([0, -100, 1, 3, -100, 2])
    for cid, tg, kw in [('weight_mean', tgt, {}), ('weight_sum', tgt, {'reduction': 'sum'}), ('weight_none', tgt, {'reduction': 'none'}),
                        ('weight_ignore_mean', tgt_ign, {}), ('weight_smoothing_mean', tgt, {'labelSmoothing': 0.2}),
                        ('weight_ignore_smoothing_mean', tgt_ign, {'labelSmoothing': 0.3}),
                        ('weight_ignore_smoothing_none', tgt_ign, {'labelSmoothing': 0.3, 'reduction': 'none'}),
                        ('ignore_smoothing_mean_no_weight', tgt_ign, {'labelSmoothing': 0.2, 'noWeight': True}),
                        ('ignore_smoothing_sum_no_weight', tgt_ign, {'labelSmoothing': 0.2, 'reduction': 'sum', 'noWeight': True})]:
        no_w = kw.pop('noWeight', False)
        tk = {'reduction': kw.get('reduction', 'mean'), 'label_smoothing': kw.get('labelSmoothing', 0.0)}
        cases.append(case(f'crossEntropy/{cid}', 'crossEntropy', [logits, tg, None if no_w else wc],
                          lambda x, y, w, tk=tk: F.cross_entropy(x, y, w, **tk), kwargs=kw, nograd=(2,)))
    probs_t = torch.softmax(randn(6, 4), 1)
    cases.append(case('crossEntropy/weight_probabilities', 'crossEntropy', [logits, probs_t, wc],
                      lambda x, y, w: F.cross_entropy(x, y, w, label_smoothing=0.1), kwargs={'labelSmoothing': 0.1}, nograd=(2,)))
    img, timg = randn(2, 3, 2, 2), torch.tensor([[[0, 2], [1, -100]], [[2, 2], [0, 1]]])
    cases.append(case('crossEntropy/weight_spatial_ignore', 'crossEntropy', [img, timg, uniform(0.5, 1.5, 3)],
                      lambda x, y, w: F.cross_entropy(x, y, w), kwargs={}, nograd=(2,)))
    lp = torch.log_softmax(randn(5, 3), 1)
    for cid, tg, red in [('weight_mean', torch.tensor([0, 2, 1, 1, 0]), 'mean'), ('weight_ignore_mean', torch.tensor([0, -100, 1, 2, 2]), 'mean'),
                         ('weight_sum', torch.tensor([2, 2, 1, 0, 0]), 'sum')]:
        cases.append(case(f'nllLoss/{cid}', 'nllLoss', [lp, tg, uniform(0.2, 2.0, 3)], lambda x, y, w, r=red: F.nll_loss(x, y, w, reduction=r),
                          kwargs={'reduction': red}, nograd=(2,)))
    return ops, cases


def main():
    for family, build in [('activation', activation), ('sampling', sampling), ('transposed', transposed), ('groupnorm', groupnorm),
                          ('sdpa', sdpa), ('distance', distance), ('elementwise_loss', elementwise_loss)]:
        ops, cases = build()
        write(family, ops, cases, GEN)


if __name__ == '__main__':
    main()
