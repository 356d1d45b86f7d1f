#!/usr/bin/env python3
"""PyTorch CPU peer for benchmarks/ModelBenchmark: the same two architectures (weights do not change
the time) on a batch of 8 model-grid slices, two threads. Prints ms per slice, median of 15."""
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import InResNet, UNet  # noqa: E402

torch.set_num_threads(2)
torch.manual_seed(0)
unet, enc = UNet(16).eval(), InResNet(12).eval()
x = torch.randn(8, 1, 256, 256) * 300 - 600
times = []
with torch.no_grad():
    for rep in range(20):
        t = time.perf_counter()
        m = unet(x)
        enc(torch.where(m >= 0.5, x, torch.full_like(x, -1024.0)))
        if rep >= 5:
            times.append((time.perf_counter() - t) / 8 * 1000)
times.sort()
print(f"torch segment+encode ms/slice median={times[len(times) // 2]:.2f} "
      f"min={times[0]:.2f} max={times[-1]:.2f} torch={torch.__version__} threads=2 batch=8")
