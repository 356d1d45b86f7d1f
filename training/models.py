"""The two models: a small U-Net for the lung mask and InRes-Net for the hash code.

Both take raw HU, float32 [N, 1, H, W]; windowing lives inside the graph (the `window` layer) so
that Java, which owns all preprocessing, and these models cannot disagree about it.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F


class LungWindow(nn.Module):
    """HU -> [0, 1] through the lung window (level -600, width 1500), clamped."""

    def forward(self, hu):
        return torch.clamp((hu + 1350.0) / 1500.0, 0.0, 1.0)


def conv_bn(cin, cout, k=3, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class UNet(nn.Module):
    """U-Net with three poolings; `base` channels at full resolution. Output: lung probability."""

    def __init__(self, base=16):
        super().__init__()
        self.window = LungWindow()
        c = [base, base * 2, base * 4, base * 8]
        self.enc = nn.ModuleList()
        cin = 1
        for ch in c:
            self.enc.append(nn.Sequential(conv_bn(cin, ch), conv_bn(ch, ch)))
            cin = ch
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for ch in reversed(c[:-1]):
            self.up.append(nn.ConvTranspose2d(ch * 2, ch, 2, stride=2))
            self.dec.append(nn.Sequential(conv_bn(ch * 2, ch), conv_bn(ch, ch)))
        self.out = nn.Conv2d(c[0], 1, 1)

    def forward(self, hu):
        x = self.window(hu)
        skips = []
        for i, block in enumerate(self.enc):
            x = block(x)
            if i < len(self.enc) - 1:
                skips.append(x)
                x = F.max_pool2d(x, 2)
        for up, dec in zip(self.up, self.dec):
            x = up(x)
            x = dec(torch.cat([x, skips.pop()], 1))
        return torch.sigmoid(self.out(x))


class SpaceCompression(nn.Module):
    """Halves the resolution: a max-pool path and two conv paths, concatenated to 2N channels."""

    def __init__(self, n):
        super().__init__()
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.a = conv_bn(n, n // 2, 3, 2)
        self.b = nn.Sequential(conv_bn(n, n // 2, 1), conv_bn(n // 2, n // 2, 3, 2))

    def forward(self, x):
        return torch.cat([self.pool(x), self.a(x), self.b(x)], 1)


class MultiReceptiveResidual(nn.Module):
    """Parallel 1x1, 3x3 and two-3x3 (5x5 field) paths, concatenated, projected, added to x."""

    def __init__(self, n):
        super().__init__()
        q = max(4, n // 4)
        self.p1 = conv_bn(n, q, 1)
        self.p3 = nn.Sequential(conv_bn(n, q, 1), conv_bn(q, q, 3))
        self.p5 = nn.Sequential(conv_bn(n, q, 1), conv_bn(q, q, 3), conv_bn(q, q, 3))
        self.proj = nn.Conv2d(3 * q, n, 1)

    def forward(self, x):
        y = torch.cat([self.p1(x), self.p3(x), self.p5(x)], 1)
        return F.relu(x + self.proj(y))


class InResNet(nn.Module):
    """Stem, alternating multi-receptive residual and space-compression blocks, then FC1
    features, the sigmoid latent layer H (the hash code) and FC3 class logits."""

    def __init__(self, width=12, fc1=256, bits=64, classes=8):
        super().__init__()
        self.window = LungWindow()
        self.stem = nn.Sequential(conv_bn(1, width, 3, 2), conv_bn(width, width))
        blocks = []
        n = width
        for _ in range(4):
            blocks += [MultiReceptiveResidual(n), SpaceCompression(n)]
            n *= 2
        blocks.append(MultiReceptiveResidual(n))
        self.body = nn.Sequential(*blocks)
        # Average and max pooling side by side: a small nodule is a few cells of the last map,
        # which averaging alone dilutes.
        self.fc1 = nn.Linear(2 * n, fc1)
        self.latent = nn.Linear(fc1, bits)
        self.fc3 = nn.Linear(bits, classes)
        # Training-only heads (not exported): where the nodule is, on the 1/8-resolution map after
        # the second space-compression block (4 * width channels), and its diameter from FC1.
        # They make the network find a four-pixel object before it has to size it.
        self.aux_location = nn.Conv2d(4 * width, 1, 1)
        self.aux_diameter = nn.Linear(fc1, 1)
        # The paper initialises H with random projections (LSH-like): Gaussian weights, no bias.
        nn.init.normal_(self.latent.weight, 0.0, 1.0 / math.sqrt(fc1))
        nn.init.zeros_(self.latent.bias)

    def forward(self, hu):
        f, h, logits, _ = self._trunk(hu, False)
        return f, h, logits

    def forward_train(self, hu):
        """(fc1, latent, logits, location logits [N,1,H/8,W/8], log-diameter [N])."""
        f, h, logits, location = self._trunk(hu, True)
        return f, h, logits, location, self.aux_diameter(f).squeeze(1)

    def _trunk(self, hu, aux):
        x = self.stem(self.window(hu))
        location = None
        for i, block in enumerate(self.body):
            x = block(x)
            if aux and i == 3:
                location = self.aux_location(x)
        x = torch.cat([torch.flatten(F.adaptive_avg_pool2d(x, 1), 1),
                       torch.flatten(F.adaptive_max_pool2d(x, 1), 1)], 1)
        f = F.relu(self.fc1(x))
        h = torch.sigmoid(self.latent(f))
        return f, h, self.fc3(h), location


def parameters(model):
    return sum(p.numel() for p in model.parameters())
