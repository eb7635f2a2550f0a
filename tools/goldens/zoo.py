#!/usr/bin/env python3
"""The model zoo's goldens: six models written in PyTorch, each ported to adjoint in examples/zoo/.

    /usr/bin/python3 tools/goldens/zoo.py      # writes test/fixtures/zoo/<model>.safetensors

Made with PyTorch 1.13.1 (Debian python3-torch), float64, `torch.manual_seed` per model; the output is
deterministic. Each model is built with PyTorch's own initialisation, and one file per model holds
(safetensors, written by hand by tools/goldens/safetensors.py):

- the initial `state_dict()` under PyTorch's own keys (so `model.loadStateDict(...)` takes it as is);
- `golden/input/<name>`: the inputs (int64 tokens and labels, which adjoint loads as int32);
- `golden/out`: the forward output; `golden/loss`: the loss; `golden/grad/<name>`: d loss / d p for every
  entry of `named_parameters()` (a tied parameter once, under its first name);
- `golden/train/loss`: the losses of three optimizer steps from the initial weights (the loss each
  step computes before it updates) and the loss after the third one (4 values);
- `golden/final/<key>`: the whole state dict after the three steps (buffers included);
- metadata: `model`, the `optimizer` as JSON with adjoint's option names, `clipGradNorm` where the
  training loop clips, and `note`.

The GP file holds the models' likelihood terms too (`golden/out` is the vector of its terms).
"""
import copy
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors import encode  # tools/goldens/safetensors.py: the format written by hand

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'zoo')
torch.set_default_dtype(torch.float64)


# ---- 1. a ResNet-style CNN ----

class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or in_planes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, num_classes=10, width=8):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.layer1 = nn.Sequential(BasicBlock(width, width))
        self.layer2 = nn.Sequential(BasicBlock(width, 2 * width, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(2 * width, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer2(self.layer1(x))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


def resnet_case():
    torch.manual_seed(1)
    model = ResNet()
    inputs = {'images': torch.randn(4, 3, 8, 8), 'labels': torch.tensor([3, 7, 0, 7])}

    def run(m):
        logits = m(inputs['images'])
        return logits, F.cross_entropy(logits, inputs['labels'])

    opt = {'name': 'SGD', 'torch': lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-4),
           'options': {'lr': 0.1, 'momentum': 0.9, 'weightDecay': 1e-4}}
    return model, inputs, run, opt, None


# ---- 2. a 2-layer LSTM language model ----

class LSTMLM(nn.Module):
    def __init__(self, ntoken=12, ninp=8, nhid=16, nlayers=2):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, num_layers=nlayers, batch_first=True)
        self.decoder = nn.Linear(nhid, ntoken)
        self.ntoken = ntoken

    def forward(self, tokens, hidden=None):
        output, hidden = self.rnn(self.encoder(tokens), hidden)
        return self.decoder(output), hidden


def lstm_case():
    torch.manual_seed(2)
    model = LSTMLM()
    text = torch.randint(0, 12, (2, 7))
    inputs = {'tokens': text[:, :-1].contiguous(), 'targets': text[:, 1:].contiguous()}

    def run(m):
        logits, _ = m(inputs['tokens'])
        return logits, F.cross_entropy(logits.reshape(-1, m.ntoken), inputs['targets'].reshape(-1))

    opt = {'name': 'SGD', 'torch': lambda ps: torch.optim.SGD(ps, lr=1.0), 'options': {'lr': 1.0}}
    return model, inputs, run, opt, 0.5


# ---- 3. a GPT-style decoder ----

class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.n_head = n_head
        self.flash = hasattr(F, 'scaled_dot_product_attention')  # PyTorch >= 2.0; 1.13 takes the other path

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).chunk(3, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        if self.flash:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
            att = F.softmax(att.masked_fill(mask, float('-inf')), dim=-1)
            y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class MLP(nn.Module):
    def __init__(self, n_embd):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * n_embd, n_embd)

    def forward(self, x):
        return self.c_proj(self.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = MLP(n_embd)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size=16, block_size=8, n_layer=2, n_head=2, n_embd=16):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, n_embd)
        self.wpe = nn.Embedding(block_size, n_embd)
        self.h = nn.ModuleList([Block(n_embd, n_head) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.wte.weight = self.lm_head.weight  # weight tying

    def forward(self, idx):
        pos = torch.arange(idx.size(1))
        x = self.wte(idx) + self.wpe(pos)
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def gpt_case():
    torch.manual_seed(3)
    model = GPT()
    text = torch.randint(0, 16, (2, 9))
    inputs = {'idx': text[:, :-1].contiguous(), 'targets': text[:, 1:].contiguous()}

    def run(m):
        logits = m(inputs['idx'])
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), inputs['targets'].view(-1))

    opt = {'name': 'AdamW',
           'torch': lambda ps: torch.optim.AdamW(ps, lr=1e-2, betas=(0.9, 0.95), weight_decay=0.1),
           'options': {'lr': 1e-2, 'betas': [0.9, 0.95], 'weightDecay': 0.1}}
    return model, inputs, run, opt, 1.0


# ---- 4. a U-Net ----

class DoubleConv(nn.Sequential):
    def __init__(self, in_channels, out_channels):
        super().__init__(
            nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.GroupNorm(2, out_channels), nn.ReLU(),
            nn.Conv2d(out_channels, out_channels, 3, padding=1), nn.GroupNorm(2, out_channels), nn.ReLU(),
        )


class UNet(nn.Module):
    def __init__(self, in_channels=1, num_classes=2, width=4):
        super().__init__()
        self.inc = DoubleConv(in_channels, width)
        self.down1 = nn.Sequential(nn.MaxPool2d(2), DoubleConv(width, 2 * width))
        self.down2 = nn.Sequential(nn.MaxPool2d(2), DoubleConv(2 * width, 2 * width))
        self.up1 = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True)
        self.conv1 = DoubleConv(4 * width, width)
        self.up2 = nn.ConvTranspose2d(width, width, 2, stride=2)
        self.conv2 = DoubleConv(2 * width, width)
        self.outc = nn.Conv2d(width, num_classes, 1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x = self.conv1(torch.cat([x2, self.up1(x3)], dim=1))
        x = self.conv2(torch.cat([x1, self.up2(x)], dim=1))
        return self.outc(x)


def unet_case():
    torch.manual_seed(4)
    model = UNet()
    images = torch.randn(2, 1, 8, 8)
    inputs = {'images': images, 'masks': (images > 0.3).long()[:, 0]}

    def run(m):
        logits = m(inputs['images'])
        return logits, F.cross_entropy(logits, inputs['masks'])

    opt = {'name': 'Adam', 'torch': lambda ps: torch.optim.Adam(ps, lr=1e-2), 'options': {'lr': 1e-2}}
    return model, inputs, run, opt, None


# ---- 5. a VAE ----

class VAE(nn.Module):
    def __init__(self, x_dim=16, h_dim=12, z_dim=4):
        super().__init__()
        self.fc1 = nn.Linear(x_dim, h_dim)
        self.fc_mu = nn.Linear(h_dim, z_dim)
        self.fc_logvar = nn.Linear(h_dim, z_dim)
        self.fc3 = nn.Linear(z_dim, h_dim)
        self.fc4 = nn.Linear(h_dim, x_dim)
        self.x_dim = x_dim

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.fc_mu(h), self.fc_logvar(h)

    def reparameterize(self, mu, logvar, eps):
        std = torch.exp(0.5 * logvar)
        return mu + eps * std

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))

    def forward(self, x, eps):
        mu, logvar = self.encode(x.view(-1, self.x_dim))
        z = self.reparameterize(mu, logvar, eps)
        return self.decode(z), mu, logvar


def vae_loss(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, recon_x.size(1)), reduction='sum')
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


def vae_case():
    torch.manual_seed(5)
    model = VAE()
    inputs = {'x': torch.rand(6, 16), 'eps': torch.randn(6, 4)}

    def run(m):
        recon, mu, logvar = m(inputs['x'], inputs['eps'])
        return recon, vae_loss(recon, inputs['x'], mu, logvar)

    opt = {'name': 'Adam', 'torch': lambda ps: torch.optim.Adam(ps, lr=1e-2), 'options': {'lr': 1e-2}}
    return model, inputs, run, opt, None


# ---- 6. a Gaussian-process marginal likelihood ----

class ExactGP(nn.Module):
    """A zero-mean GP with an RBF kernel; forward gives the negative log marginal likelihood of y."""

    def __init__(self):
        super().__init__()
        self.log_lengthscale = nn.Parameter(torch.tensor(0.0))
        self.log_variance = nn.Parameter(torch.tensor(0.0))
        self.log_noise = nn.Parameter(torch.tensor(-2.0))

    def kernel(self, a, b):
        sqdist = (a.unsqueeze(1) - b.unsqueeze(0)).pow(2).sum(-1)
        return self.log_variance.exp() * torch.exp(-0.5 * sqdist / self.log_lengthscale.exp().pow(2))

    def terms(self, x, y):
        n = x.size(0)
        K = self.kernel(x, x) + self.log_noise.exp() * torch.eye(n)
        L = torch.linalg.cholesky(K)
        alpha = torch.linalg.solve_triangular(L, y.unsqueeze(-1), upper=False)
        fit = 0.5 * alpha.pow(2).sum()
        logdet = 2 * torch.log(torch.diagonal(L)).sum()  # = torch.linalg.slogdet(K).logabsdet
        return torch.stack([fit, 0.5 * logdet, torch.tensor(0.5 * n * math.log(2 * math.pi))])

    def forward(self, x, y):
        return self.terms(x, y).sum()


def gp_case():
    torch.manual_seed(6)
    model = ExactGP()
    x = torch.rand(10, 2) * 4
    y = torch.sin(x[:, 0]) * torch.cos(x[:, 1]) + 0.1 * torch.randn(10)
    inputs = {'x': x, 'y': y}

    def run(m):
        terms = m.terms(inputs['x'], inputs['y'])
        return terms, terms.sum()

    opt = {'name': 'Adam', 'torch': lambda ps: torch.optim.Adam(ps, lr=0.1), 'options': {'lr': 0.1}}
    return model, inputs, run, opt, None


CASES = {'resnet': resnet_case, 'lstm': lstm_case, 'gpt': gpt_case, 'unet': unet_case, 'vae': vae_case, 'gp': gp_case}
NOTES = {
    'resnet': 'train mode: batch statistics, running statistics updated once per forward',
    'gpt': 'PyTorch 1.13 has no scaled_dot_product_attention: the golden took the triu/masked_fill path',
    'gp': "golden/out holds the terms [0.5 y'K^-1 y, 0.5 log det K, 0.5 n log 2pi]",
}


def arr(t):
    return t.detach().contiguous().numpy()


def make(name):
    model, inputs, run, opt, clip = CASES[name]()
    initial = copy.deepcopy(model.state_dict())
    tensors = {k: arr(v) for k, v in initial.items()}
    for k, v in inputs.items():
        tensors[f'golden/input/{k}'] = arr(v)

    out, loss = run(model)
    loss.backward()
    tensors['golden/out'] = arr(out)
    tensors['golden/loss'] = arr(loss)
    for k, p in model.named_parameters():
        tensors[f'golden/grad/{k}'] = arr(p.grad)

    model.load_state_dict(initial)
    model.zero_grad(set_to_none=True)
    optimizer = opt['torch'](model.parameters())
    losses = []
    for _ in range(3):
        optimizer.zero_grad()
        _, loss = run(model)
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        losses.append(loss.item())
    for k, v in model.state_dict().items():
        tensors[f'golden/final/{k}'] = arr(v)
    with torch.no_grad():
        losses.append(run(model)[1].item())
    tensors['golden/train/loss'] = torch.tensor(losses).numpy()

    metadata = {'model': name, 'torch': torch.__version__,
                'optimizer': json.dumps({'name': opt['name'], 'options': opt['options']})}
    if clip is not None:
        metadata['clipGradNorm'] = str(clip)
    if name in NOTES:
        metadata['note'] = NOTES[name]
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f'{name}.safetensors')
    with open(path, 'wb') as f:
        f.write(encode(tensors, metadata=metadata, header_order=list(tensors)))
    nparams = sum(p.numel() for p in model.parameters())
    print(f'{name}: {nparams} parameters, loss {losses[0]:.6f} -> {losses[-1]:.6f}, {os.path.getsize(path)} bytes')


if __name__ == '__main__':
    for case in CASES:
        make(case)
