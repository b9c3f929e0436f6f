"""PyTorch peer of benches/train_step.rs: one training step of the same U-Net.

Architecture, batch, input size, loss and optimiser match the Rust benchmark:
3 levels, 8 base channels (two 3x3 convolutions with zero padding 1, group norm with
4 channels per group and leaky ReLU 0.01 per level, 2x2 max-pool down, nearest 2x upsampling and skip concatenation up, 1x1
head), batch 8 of 1x88x72 images, soft Dice per image with
eps = 1 on sigmoid outputs, Adam (lr 3e-3, eps 1e-5). CPU only.

Usage: python3 train_step_torch.py [threads] [steps]
Prints the median and mean milliseconds per step after 10 warm-up steps.
"""

import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class DoubleConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.a = nn.Conv2d(cin, cout, 3, padding=1)
        self.b = nn.Conv2d(cout, cout, 3, padding=1)
        groups = cout // 4 if cout % 4 == 0 else 1
        self.na = nn.GroupNorm(groups, cout, eps=1e-5)
        self.nb = nn.GroupNorm(groups, cout, eps=1e-5)

    def forward(self, x):
        x = F.leaky_relu(self.na(self.a(x)), 0.01)
        return F.leaky_relu(self.nb(self.b(x)), 0.01)


class UNet(nn.Module):
    def __init__(self, levels=3, base=8):
        super().__init__()
        c = [base << l for l in range(levels)]
        depth = levels - 1
        self.down = nn.ModuleList()
        cin = 1
        for l in range(depth):
            self.down.append(DoubleConv(cin, c[l]))
            cin = c[l]
        self.bottom = DoubleConv(cin, c[depth])
        self.up = nn.ModuleList([DoubleConv(c[l + 1] + c[l], c[l]) for l in range(depth)])
        self.head = nn.Conv2d(c[0], 1, 1)

    def forward(self, x):
        skips = []
        for d in self.down:
            y = d(x)
            skips.append(y)
            x = F.max_pool2d(y, 2)
        x = self.bottom(x)
        for l in reversed(range(len(self.up))):
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = self.up[l](torch.cat([x, skips[l]], 1))
        return self.head(x)


def soft_dice(logits, y, eps=1.0):
    b = logits.shape[0]
    p = torch.sigmoid(logits).reshape(b, -1)
    y = y.reshape(b, -1)
    inter = (p * y).sum(1)
    s = p.sum(1) + y.sum(1)
    return (1 - (2 * inter + eps) / (s + eps)).mean()


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = UNet()
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=3e-3, eps=1e-5)
    x = torch.rand(8, 1, 88, 72) - 0.5
    y = (torch.rand(8, 1, 88, 72) < 0.05).float()

    def step():
        opt.zero_grad()
        loss = soft_dice(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(10):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    print(
        f"torch {torch.__version__} threads {threads} params {params} batch 8 88x72: "
        f"median {statistics.median(times):.2f} ms/step, mean {statistics.mean(times):.2f} ms/step"
    )


if __name__ == "__main__":
    main()
