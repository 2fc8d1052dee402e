#!/usr/bin/python3
"""The PyTorch side of `npm run bench`: the same rows as the TensorFlow.js side, on MobileNet v1
width 0.25 built here with the same layer shapes (random weights: speed only), 2 threads.

  /usr/bin/python3 bench/torch_bench.py [--rps RAW_FILE]

RAW_FILE (written by bench.ts): int32 count, then count*224*224*3 uint8 RGB pixels, then count
uint8 labels. Prints one JSON object on stdout.
"""
import json
import struct
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(2)
torch.manual_seed(0)

ALPHA = 0.25
# (filters at width 1.0, stride) of the 13 depthwise-separable blocks of MobileNet v1.
BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]


def conv_bn(cin, cout, stride):
    return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU6(inplace=True)]


def separable(cin, cout, stride):
    return [
        nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU6(inplace=True),
        nn.Conv2d(cin, cout, 1, 1, 0, bias=False), nn.BatchNorm2d(cout), nn.ReLU6(inplace=True),
    ]


def mobilenet_base():
    """Input -> conv_pw_13_relu (7x7x256 at 224x224)."""
    layers = conv_bn(3, int(32 * ALPHA), 2)
    cin = int(32 * ALPHA)
    for filters, stride in BLOCKS:
        cout = int(filters * ALPHA)
        layers += separable(cin, cout, stride)
        cin = cout
    return nn.Sequential(*layers), cin


def head(channels, classes):
    return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, classes))


def ips(batch, warmup, repeats, step):
    for _ in range(warmup):
        step()
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        runs.append(time.perf_counter() - t0)
    runs.sort()
    return batch / runs[len(runs) // 2]


def micro():
    base, channels = mobilenet_base()
    full = nn.Sequential(base, head(channels, 1000))
    loss_fn = nn.CrossEntropyLoss()
    out = {}

    full.eval()
    x32 = torch.rand(32, 3, 224, 224) * 2 - 1
    with torch.no_grad():
        # Two warm-up batches: oneDNN builds its convolution primitives on the first calls.
        out['forward'] = ips(32, 2, 3, lambda: full(x32))

    # Every layer trains, BatchNorm in training mode, batch 32 as on the tfjs side.
    full.train()
    opt_all = torch.optim.SGD(full.parameters(), lr=1e-4)
    y_all = torch.randint(0, 1000, (32,))

    def train_all():
        opt_all.zero_grad()
        loss_fn(full(x32), y_all).backward()
        opt_all.step()
    out['trainAll'] = ips(32, 1, 3, train_all)
    out['trainAllBatch'] = 32

    # The plain transfer loop: frozen base (eval mode, no grad) every step, then the head's step.
    base.eval()
    h = head(channels, 3)
    opt = torch.optim.Adam(h.parameters(), lr=1e-3)
    y32 = torch.randint(0, 3, (32,))

    def frozen_step(x):
        with torch.no_grad():
            f = base(x)
        opt.zero_grad()
        loss_fn(h(f), y32).backward()
        opt.step()
    out['frozenBaseEveryStep'] = ips(32, 1, 3, lambda: frozen_step(x32))

    feats = torch.rand(32, channels, 7, 7) * 6

    def head_step():
        opt.zero_grad()
        loss_fn(h(feats), y32).backward()
        opt.step()
    out['headOnFeatures'] = ips(32, 5, 40, head_step)
    return out


def rps(raw_file, epochs=10, batch=32):
    with open(raw_file, 'rb') as f:
        (count,) = struct.unpack('<i', f.read(4))
        pixels = torch.frombuffer(bytearray(f.read(count * 224 * 224 * 3)), dtype=torch.uint8).reshape(count, 224, 224, 3)
        labels = torch.frombuffer(bytearray(f.read(count)), dtype=torch.uint8).long()
    t0 = time.perf_counter()
    x = pixels.permute(0, 3, 1, 2).float() / 127.5 - 1
    perm = torch.randperm(count, generator=torch.Generator().manual_seed(42))
    n_train, n_val = int(count * 0.7), int(count * 0.15)
    tr, va, te = perm[:n_train], perm[n_train:n_train + n_val], perm[n_train + n_val:]
    base, channels = mobilenet_base()
    base.eval()
    for p in base.parameters():
        p.requires_grad_(False)
    h = head(channels, 3)
    opt = torch.optim.Adam(h.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def evaluate(idx):
        correct = 0
        with torch.no_grad():
            for s in range(0, len(idx), batch * 4):
                b = idx[s:s + batch * 4]
                correct += (h(base(x[b])).argmax(1) == labels[b]).sum().item()
        return correct / max(1, len(idx))

    for _ in range(epochs):
        order = tr[torch.randperm(len(tr))]
        for s in range(0, len(order), batch):
            b = order[s:s + batch]
            with torch.no_grad():
                f = base(x[b])
            opt.zero_grad()
            loss_fn(h(f), labels[b]).backward()
            opt.step()
        evaluate(va)
    acc = evaluate(te)
    return {'seconds': time.perf_counter() - t0, 'testAccuracy': acc, 'train': len(tr), 'epochs': epochs}


def main():
    result = {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'micro': micro()}
    if '--rps' in sys.argv:
        result['rps'] = rps(sys.argv[sys.argv.index('--rps') + 1])
    print(json.dumps(result))


if __name__ == '__main__':
    main()
