#!/usr/bin/env python3
"""Goldens for adjoint/optim, made with PyTorch 1.13.1 in float64 (Debian python3-torch 1.13.1+dfsg, whose
torch.__version__ prints 1.13.0a0).

Writes test/fixtures/optim/{optimizers,schedulers,clip}.json. Run from the repo root:

    /usr/bin/python3 tools/goldens/optim.py

CI never runs this; the JSON it writes is committed. Option names in the files are adjoint's
(camelCase); `snake()` maps them to PyTorch's keyword arguments.

* optimizers.json: each case builds an optimizer over three parameters [W (3x2), b (2), unused (2)]
  and runs `steps` iterations of: zero_grad(set_to_none=True); loss = mean((tanh(X @ W + b) - Y)^2);
  backward; step(); (scheduler.step() if the case has one). `unused` never gets a gradient, so it
  must stay put and have no state. Per step it records the loss and the gradients (before the step)
  and the parameters (after it), plus the lr of each group when a scheduler runs; at the end the
  optimizer's state_dict()['state'] (keyed by state-dict parameter index: parameters numbered across
  groups in order) with adjoint's key names.
* schedulers.json: each case wraps an optimizer with two groups (lr 0.1 and 0.01) in a scheduler and
  records get_last_lr() after construction and after each of `steps` scheduler steps (optimizer.step()
  is called first, with no gradients, so nothing moves), plus each group's momentum (or betas[0]).
  `epochs`, when present, drives step(epoch) (the closed form) instead of step().
* clip.json: clip_grad_norm_ / clip_grad_value_ on fixed gradients: total norm and the clipped grads.

Tensors are {"shape": [...], "data": [...]} (flat, row-major); NaN and infinities are the strings
"NaN", "Infinity", "-Infinity".
"""
import json
import math
import os
import warnings

import torch

from common import T, num, snake as snake_case  # the script's folder is on sys.path

warnings.filterwarnings('ignore')
torch.set_default_dtype(torch.float64)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'optim')

SPECIAL = {'tMax': 'T_max'}


def snake(name):
    return snake_case(name, SPECIAL)


def kwargs_of(opts):
    out = {}
    for k, v in opts.items():
        out[snake(k)] = tuple(v) if isinstance(v, list) and k == 'betas' else v
    return out


# The problem: fixed data and initial parameters (exact binary fractions).
X = torch.tensor([[0.5, -1.25, 2.0], [1.5, 0.25, -0.75], [-1.0, 0.75, 0.5], [0.125, -0.5, -1.5]])
Y = torch.tensor([[0.25, -0.5], [-0.75, 0.5], [0.5, 0.125], [-0.25, -1.0]])
W0 = torch.tensor([[0.3, -0.2], [0.1, 0.4], [-0.5, 0.25]])
B0 = torch.tensor([0.05, -0.1])
U0 = torch.tensor([1.0, -2.0])
INIT = [W0, B0, U0]


def loss_fn(params):
    w, b = params[0], params[1]
    return ((torch.tanh(X @ w + b) - Y) ** 2).mean()


OPTIMIZERS = {
    'SGD': torch.optim.SGD, 'Adam': torch.optim.Adam, 'AdamW': torch.optim.AdamW,
    'RMSprop': torch.optim.RMSprop, 'Adagrad': torch.optim.Adagrad,
}
SCHEDULERS = {
    'StepLR': torch.optim.lr_scheduler.StepLR, 'ExponentialLR': torch.optim.lr_scheduler.ExponentialLR,
    'CosineAnnealingLR': torch.optim.lr_scheduler.CosineAnnealingLR, 'LinearLR': torch.optim.lr_scheduler.LinearLR,
    'OneCycleLR': torch.optim.lr_scheduler.OneCycleLR,
}

STATE_KEYS = {
    'step': 'step', 'momentum_buffer': 'momentumBuffer', 'exp_avg': 'expAvg', 'exp_avg_sq': 'expAvgSq',
    'max_exp_avg_sq': 'maxExpAvgSq', 'square_avg': 'squareAvg', 'grad_avg': 'gradAvg', 'sum': 'sum',
}


def make_optimizer(name, params, options, groups):
    if groups is None:
        return OPTIMIZERS[name](params, **kwargs_of(options))
    torch_groups = [dict(kwargs_of({k: v for k, v in g.items() if k != 'params'}),
                         params=[params[i] for i in g['params']]) for g in groups]
    return OPTIMIZERS[name](torch_groups, **kwargs_of(options))


def make_scheduler(opt, spec):
    return SCHEDULERS[spec['name']](opt, *spec.get('args', []), **kwargs_of(spec.get('kwargs', {})))


def state_of(opt):
    """opt.state_dict()['state'] with adjoint's key names (keys are state-dict parameter indices)."""
    out = {}
    for i, st in opt.state_dict()['state'].items():
        entry = {}
        for k, v in st.items():
            key = STATE_KEYS[k]
            if v is None:
                entry[key] = None
            elif k == 'step':
                entry[key] = float(v)
            else:
                entry[key] = T(v)
        out[str(i)] = entry
    return out


def optimizer_case(cid, name, options, steps=8, groups=None, scheduler=None, note=None):
    params = [p.clone().requires_grad_(True) for p in INIT]
    opt = make_optimizer(name, params, options, groups)
    sched = make_scheduler(opt, scheduler) if scheduler else None
    trajectory = []
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(params)
        loss.backward()
        rec = {'loss': loss.item(), 'grads': [T(p.grad) for p in params]}
        opt.step()
        rec['params'] = [T(p) for p in params]
        if sched is not None:
            sched.step()
            rec['lr'] = [g['lr'] for g in opt.param_groups]
        trajectory.append(rec)
    case = {'id': cid, 'optimizer': name, 'options': options, 'groups': groups, 'steps': steps}
    if scheduler:
        case['scheduler'] = scheduler
    if note:
        case['note'] = note
    case['trajectory'] = trajectory
    case['finalState'] = state_of(opt)
    return case


def scheduler_case(cid, optimizer, options, spec, steps=20, epochs=None, note=None):
    params = [p.clone().requires_grad_(True) for p in INIT[:2]]
    groups = [{'params': [0], 'lr': 0.1}, {'params': [1], 'lr': 0.01}]
    opt = make_optimizer(optimizer, params, options, groups)
    sched = make_scheduler(opt, spec)

    def momenta():
        return [g['betas'][0] if 'betas' in g else g['momentum'] for g in opt.param_groups]

    lrs, moms = [sched.get_last_lr()], [momenta()]
    for i in range(steps):
        opt.step()
        if epochs is None:
            sched.step()
        else:
            sched.step(epochs[i])
        lrs.append(sched.get_last_lr())
        moms.append(momenta())
    case = {'id': cid, 'optimizer': optimizer, 'options': options, 'groups': groups, 'scheduler': spec,
            'steps': steps}
    if epochs is not None:
        case['epochs'] = epochs
    if note:
        case['note'] = note
    case['lr'] = lrs
    case['momentum'] = moms
    return case


def optimizer_cases():
    two_groups = [{'params': [0], 'lr': 0.2}, {'params': [1, 2], 'lr': 0.02, 'momentum': 0.5}]
    adam_groups = [{'params': [0, 2]}, {'params': [1], 'lr': 0.01, 'betas': [0.8, 0.99], 'weightDecay': 0.1}]
    return [
        optimizer_case('sgd/plain', 'SGD', {'lr': 0.1}),
        optimizer_case('sgd/momentum', 'SGD', {'lr': 0.1, 'momentum': 0.9}),
        optimizer_case('sgd/dampening', 'SGD', {'lr': 0.1, 'momentum': 0.9, 'dampening': 0.5}),
        optimizer_case('sgd/nesterov', 'SGD', {'lr': 0.1, 'momentum': 0.9, 'nesterov': True}),
        optimizer_case('sgd/weight_decay', 'SGD', {'lr': 0.1, 'weightDecay': 0.1}),
        optimizer_case('sgd/weight_decay_momentum', 'SGD', {'lr': 0.1, 'momentum': 0.8, 'weightDecay': 0.05}),
        optimizer_case('sgd/maximize', 'SGD', {'lr': 0.1, 'maximize': True}),
        optimizer_case('sgd/all', 'SGD', {'lr': 0.05, 'momentum': 0.7, 'nesterov': True, 'weightDecay': 0.01,
                                          'maximize': True}),
        optimizer_case('sgd/two_groups', 'SGD', {'lr': 0.1, 'momentum': 0.9}, groups=two_groups,
                       note='group 0 overrides lr, group 1 overrides lr and momentum'),
        optimizer_case('adam/plain', 'Adam', {'lr': 0.1}),
        optimizer_case('adam/defaults', 'Adam', {}),
        optimizer_case('adam/amsgrad', 'Adam', {'lr': 0.1, 'amsgrad': True}, steps=10),
        optimizer_case('adam/weight_decay', 'Adam', {'lr': 0.1, 'weightDecay': 0.1}),
        optimizer_case('adam/betas_eps', 'Adam', {'lr': 0.05, 'betas': [0.5, 0.9], 'eps': 1e-3}),
        optimizer_case('adam/maximize', 'Adam', {'lr': 0.1, 'maximize': True}),
        optimizer_case('adam/two_groups', 'Adam', {'lr': 0.1}, groups=adam_groups,
                       note='group 1 overrides lr, betas and weightDecay'),
        optimizer_case('adamw/defaults', 'AdamW', {'lr': 0.1}, note='weightDecay defaults to 1e-2'),
        optimizer_case('adamw/weight_decay_amsgrad', 'AdamW', {'lr': 0.1, 'weightDecay': 0.5, 'amsgrad': True},
                       steps=10),
        optimizer_case('adamw/maximize', 'AdamW', {'lr': 0.1, 'maximize': True}),
        optimizer_case('rmsprop/plain', 'RMSprop', {}),
        optimizer_case('rmsprop/alpha', 'RMSprop', {'lr': 0.05, 'alpha': 0.9, 'eps': 1e-4}),
        optimizer_case('rmsprop/momentum', 'RMSprop', {'lr': 0.01, 'momentum': 0.9}),
        optimizer_case('rmsprop/centered', 'RMSprop', {'lr': 0.01, 'centered': True}),
        optimizer_case('rmsprop/centered_momentum_wd', 'RMSprop',
                       {'lr': 0.01, 'centered': True, 'momentum': 0.5, 'weightDecay': 0.1}),
        optimizer_case('rmsprop/maximize', 'RMSprop', {'lr': 0.01, 'maximize': True}),
        optimizer_case('adagrad/plain', 'Adagrad', {'lr': 0.1}),
        optimizer_case('adagrad/lr_decay', 'Adagrad', {'lr': 0.1, 'lrDecay': 0.1}),
        optimizer_case('adagrad/initial_accumulator', 'Adagrad', {'lr': 0.1, 'initialAccumulatorValue': 0.5}),
        optimizer_case('adagrad/all', 'Adagrad', {'lr': 0.2, 'lrDecay': 0.05, 'weightDecay': 0.1,
                                                  'initialAccumulatorValue': 0.1, 'eps': 1e-6}),
        optimizer_case('adagrad/maximize', 'Adagrad', {'lr': 0.1, 'maximize': True}),
        optimizer_case('sgd/step_lr', 'SGD', {'lr': 0.1, 'momentum': 0.9}, steps=10,
                       scheduler={'name': 'StepLR', 'args': [3], 'kwargs': {'gamma': 0.5}}),
        optimizer_case('adam/one_cycle', 'Adam', {'lr': 0.1}, steps=10,
                       scheduler={'name': 'OneCycleLR', 'args': [0.5], 'kwargs': {'totalSteps': 10}},
                       note='OneCycleLR also cycles betas[0], which changes the Adam update'),
    ]


def scheduler_cases():
    sgd = ('SGD', {'lr': 0.1, 'momentum': 0.9})
    adam = ('Adam', {'lr': 0.1})
    return [
        scheduler_case('step_lr/step3_gamma0.5', *sgd, {'name': 'StepLR', 'args': [3], 'kwargs': {'gamma': 0.5}}),
        scheduler_case('step_lr/default_gamma', *sgd, {'name': 'StepLR', 'args': [5]}),
        scheduler_case('exponential_lr/gamma0.9', *sgd, {'name': 'ExponentialLR', 'args': [0.9]}),
        scheduler_case('cosine_annealing_lr/tmax10_etamin', *sgd,
                       {'name': 'CosineAnnealingLR', 'args': [10], 'kwargs': {'etaMin': 0.001}}, steps=30,
                       note='runs past tMax: the chainable form climbs back up'),
        scheduler_case('cosine_annealing_lr/tmax7', *sgd, {'name': 'CosineAnnealingLR', 'args': [7]}),
        scheduler_case('linear_lr/defaults', *sgd, {'name': 'LinearLR'}),
        scheduler_case('linear_lr/decay', *sgd,
                       {'name': 'LinearLR', 'kwargs': {'startFactor': 1.0, 'endFactor': 0.1, 'totalIters': 10}}),
        scheduler_case('one_cycle_lr/defaults', *sgd, {'name': 'OneCycleLR', 'args': [[1.0, 0.1]],
                                                       'kwargs': {'totalSteps': 20}},
                       note='cos anneal, two phases, momentum cycled between 0.85 and 0.95'),
        scheduler_case('one_cycle_lr/three_phase_linear', *sgd,
                       {'name': 'OneCycleLR', 'args': [0.5],
                        'kwargs': {'totalSteps': 20, 'threePhase': True, 'annealStrategy': 'linear'}}),
        scheduler_case('one_cycle_lr/three_phase_cos', *sgd,
                       {'name': 'OneCycleLR', 'args': [0.5], 'kwargs': {'totalSteps': 20, 'threePhase': True}}),
        scheduler_case('one_cycle_lr/adam_epochs', *adam,
                       {'name': 'OneCycleLR', 'args': [0.2],
                        'kwargs': {'epochs': 4, 'stepsPerEpoch': 5, 'pctStart': 0.25, 'divFactor': 10.0,
                                   'finalDivFactor': 100.0, 'baseMomentum': 0.8, 'maxMomentum': 0.9}},
                       note='betas[0] is cycled'),
        scheduler_case('one_cycle_lr/no_momentum', *sgd,
                       {'name': 'OneCycleLR', 'args': [1.0], 'kwargs': {'totalSteps': 20, 'cycleMomentum': False}}),
        scheduler_case('step_lr/closed_form', *sgd, {'name': 'StepLR', 'args': [3], 'kwargs': {'gamma': 0.5}},
                       steps=8, epochs=[1, 2, 3, 7, 4, 9, 12, 0]),
        scheduler_case('exponential_lr/closed_form', *sgd, {'name': 'ExponentialLR', 'args': [0.9]},
                       steps=5, epochs=[3, 1, 10, 2, 20]),
        scheduler_case('cosine_annealing_lr/closed_form', *sgd,
                       {'name': 'CosineAnnealingLR', 'args': [10], 'kwargs': {'etaMin': 0.001}},
                       steps=6, epochs=[2, 5, 10, 15, 20, 1]),
        scheduler_case('linear_lr/closed_form', *sgd, {'name': 'LinearLR'}, steps=5, epochs=[2, 4, 6, 1, 0]),
    ]


def clip_cases():
    g0 = torch.tensor([[0.5, -1.5, 2.0], [-0.25, 3.0, -1.0]])
    g1 = torch.tensor([4.0, -0.5, 0.75, -2.5])
    shapes = [[2, 3], [4], [3]]

    def run(cid, fn, arg, grads, **kw):
        params = [torch.zeros(s, requires_grad=True) for s in shapes]
        for p, g in zip(params, grads):
            p.grad = None if g is None else g.clone()
        case = {'id': cid, 'fn': fn, 'arg': num(arg), 'grads': [T(g) for g in grads],
                'options': {('normType' if k == 'norm_type' else 'errorIfNonfinite'): num(v) if k == 'norm_type'
                            else v for k, v in kw.items()}}
        if fn == 'clipGradNorm_':
            try:
                total = torch.nn.utils.clip_grad_norm_(params, arg, **kw)
                case['totalNorm'] = num(total)
            except RuntimeError as e:
                case['error'] = str(e)
        else:
            torch.nn.utils.clip_grad_value_(params, arg)
        case['out'] = [T(p.grad) for p in params]
        return case

    grads = [g0, g1, None]
    inf = [g0, torch.tensor([1.0, math.inf, 0.5, -1.0]), None]
    return [
        run('norm/l2_clips', 'clipGradNorm_', 1.0, grads),
        run('norm/l2_no_clip', 'clipGradNorm_', 100.0, grads),
        run('norm/l1', 'clipGradNorm_', 2.0, grads, norm_type=1.0),
        run('norm/inf', 'clipGradNorm_', 1.5, grads, norm_type=math.inf),
        run('norm/p3', 'clipGradNorm_', 0.5, grads, norm_type=3.0),
        run('norm/p0.5', 'clipGradNorm_', 10.0, grads, norm_type=0.5),
        run('norm/no_grads', 'clipGradNorm_', 1.0, [None, None, None]),
        run('norm/nonfinite_scaled', 'clipGradNorm_', 1.0, inf),
        run('norm/nonfinite_error', 'clipGradNorm_', 1.0, inf, error_if_nonfinite=True),
        run('value/0.75', 'clipGradValue_', 0.75, grads),
        run('value/10', 'clipGradValue_', 10.0, grads),
    ]


def write(name, cases, about):
    doc = {'generator': 'tools/goldens/optim.py', 'torch_version': '1.13.1', 'torch_version_string': torch.__version__,
           'dtype': 'float64',
           'about': about, 'cases': cases}
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump(doc, f, separators=(',', ':'), allow_nan=False)
        f.write('\n')
    print(f'wrote {os.path.relpath(path, ROOT)}: {len(cases)} cases')


def main():
    os.makedirs(OUT, exist_ok=True)
    problem = {'X': T(X), 'Y': T(Y), 'init': [T(p) for p in INIT],
               'loss': 'mean((tanh(X @ W + b) - Y)^2) over params [W, b, unused]; unused gets no grad'}
    write('optimizers.json', optimizer_cases(), problem)
    write('schedulers.json', scheduler_cases(),
          'lr = get_last_lr() after construction and after each step; momentum = group momentum or betas[0]')
    write('clip.json', clip_cases(), 'grads before, totalNorm returned, grads after (out); null = no grad')


if __name__ == '__main__':
    main()
