#!/usr/bin/env python3
"""Trains the lung U-Net and InRes-Net on the dataset that cbmir-data exported, and ships them.

    /usr/bin/python3 training/train.py --data target/dataset \
        --out cbmir-onnx/src/main/resources/org/cbmir/onnx/models \
        --golden cbmir-onnx/src/test/resources/golden

Reads {train,test}_{images,masks,labels}.npy and provenance.csv (see DatasetExporter), trains both
models on the train split (patients never seen in test), evaluates on the test split, exports
ONNX (opset 17, dynamic batch, input `input` = raw HU [N,1,H,W]) with a model card JSON beside
each, and writes golden input/output tensors for the Java tests. Seeded; CPU, two threads.
"""
import argparse
import csv
import hashlib
import json
import os
import platform
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

from models import InResNet, UNet, parameters

MASKED_HU = -1024.0
CLASSES = ["0", "(0,5]", "(5,6]", "(6,8]", "(8,13]", "(13,18]", "(18,23]", ">23"]


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def load(data, split):
    images = np.load(os.path.join(data, f"{split}_images.npy"))
    masks = np.load(os.path.join(data, f"{split}_masks.npy"))
    labels = np.load(os.path.join(data, f"{split}_labels.npy"))
    return images.astype(np.float32), masks.astype(np.float32), labels.astype(np.int64)


def provenance(data):
    with open(os.path.join(data, "provenance.csv")) as f:
        return list(csv.DictReader(f))


def augment(x, y, rng, shift=8):
    """Random left-right flip and a small translation (padding with air), same for x and y."""
    if rng.random() < 0.5:
        x = torch.flip(x, [3])
        if y is not None and y.dim() == 4:
            y = torch.flip(y, [3])
    dy, dx = rng.integers(-shift, shift + 1, size=2)
    x = torch.roll(x, (int(dy), int(dx)), (2, 3))
    if y is not None and y.dim() == 4:
        y = torch.roll(y, (int(dy), int(dx)), (2, 3))
    return x, y


def dice(pred, target, eps=1.0):
    inter = (pred * target).sum()
    return (2 * inter + eps) / (pred.sum() + target.sum() + eps)


def train_unet(train, test, args, rng):
    images, masks, _ = train
    model = UNet(base=16)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.unet_epochs)
    n = len(images)
    crop = 128
    t0 = time.time()
    for epoch in range(args.unet_epochs):
        model.train()
        order = rng.permutation(n)
        losses = []
        for b in range(0, n, 8):
            idx = order[b:b + 8]
            x = torch.from_numpy(images[idx])
            y = torch.from_numpy(masks[idx])
            x, y = augment(x, y, rng)
            oy, ox = rng.integers(0, x.shape[2] - crop + 1, size=2)
            x = x[:, :, oy:oy + crop, ox:ox + crop]
            y = y[:, :, oy:oy + crop, ox:ox + crop]
            p = model(x)
            loss = F.binary_cross_entropy(p, y) + (1 - dice(p, y))
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        sched.step()
        print(f"unet epoch {epoch + 1}/{args.unet_epochs} loss {np.mean(losses):.4f} "
              f"({time.time() - t0:.0f} s)", flush=True)
    seconds = time.time() - t0
    model.eval()
    return model, seconds


def evaluate_unet(model, test, rows):
    images, masks, _ = test
    with torch.no_grad():
        pred = torch.cat([model(torch.from_numpy(images[i:i + 8])) for i in range(0, len(images), 8)])
    binary = (pred >= 0.5).float()
    target = torch.from_numpy(masks)
    real = [i for i, r in enumerate(rows) if r["source"] == "real"]
    per_slice = [dice(binary[i], target[i]).item() for i in real if target[i].sum() > 0]
    inter = (binary[real] * target[real]).sum().item()
    total = binary[real].sum().item() + target[real].sum().item()
    return {"diceGlobal": 2 * inter / max(total, 1), "diceMeanPerSlice": float(np.mean(per_slice)),
            "slices": len(real)}


def masked(images, masks):
    return np.where(masks > 0, images, MASKED_HU).astype(np.float32)


def hash_losses(h):
    binarize = (h * (1 - h)).mean()
    balance = ((h.mean(0) - 0.5) ** 2).mean()
    c = h - h.mean(0, keepdim=True)
    cov = (c.t() @ c) / max(1, h.shape[0] - 1)
    off = cov - torch.diag(torch.diag(cov))
    decorrelate = (off ** 2).mean()
    return binarize, balance, decorrelate


def train_encoder(train, args, rng):
    images, masks, labels = train
    x_all = masked(images, masks)
    model = InResNet(width=12, fc1=256, bits=64, classes=8)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.encoder_epochs)
    counts = np.bincount(labels, minlength=8).astype(np.float64)
    weights = 1.0 / np.maximum(counts[labels], 1)
    weights /= weights.sum()
    n = len(labels)
    t0 = time.time()
    for epoch in range(args.encoder_epochs):
        model.train()
        draw = rng.choice(n, size=n, p=weights)  # class-balanced
        stats = []
        for b in range(0, n, 16):
            idx = draw[b:b + 16]
            x = torch.from_numpy(x_all[idx])
            y = torch.from_numpy(labels[idx])
            x, _ = augment(x, None, rng)
            x = x + torch.randn_like(x) * 10.0
            f, h, logits = model(x)
            ce = F.cross_entropy(logits, y)
            b1, b2, b3 = hash_losses(h)
            loss = ce + 0.1 * b1 + 0.1 * b2 + 0.05 * b3
            opt.zero_grad()
            loss.backward()
            opt.step()
            stats.append([loss.item(), ce.item(), (logits.argmax(1) == y).float().mean().item()])
        sched.step()
        s = np.mean(stats, 0)
        print(f"encoder epoch {epoch + 1}/{args.encoder_epochs} loss {s[0]:.3f} ce {s[1]:.3f} "
              f"acc {s[2]:.3f} ({time.time() - t0:.0f} s)", flush=True)
    seconds = time.time() - t0
    model.eval()
    return model, seconds


def evaluate_encoder(model, test, train):
    def run(split):
        images, masks, labels = split
        x = masked(images, masks)
        out = [[], [], []]
        with torch.no_grad():
            for i in range(0, len(x), 16):
                for k, t in enumerate(model(torch.from_numpy(x[i:i + 16]))):
                    out[k].append(t)
        return [torch.cat(o).numpy() for o in out], labels

    (f_te, h_te, l_te), y_te = run(test)
    (f_tr, h_tr, _), y_tr = run(train)
    pred = l_te.argmax(1)
    per_class = {}
    for c in range(8):
        sel = y_te == c
        per_class[CLASSES[c]] = None if sel.sum() == 0 else float((pred[sel] == c).mean())
    # Retrieval on held-out queries against the training database: precision@10 and mAP by FC1.
    d = ((f_te[:, None, :] - f_tr[None, :, :]) ** 2).sum(-1)
    order = np.argsort(d, 1)
    rel = (y_tr[order] == y_te[:, None]).astype(np.float64)
    p10 = rel[:, :10].mean()
    cum = np.cumsum(rel, 1)
    ranks = np.arange(1, rel.shape[1] + 1)
    ap = (rel * cum / ranks).sum(1) / np.maximum(rel.sum(1), 1)
    bits = (h_te >= 0.5).mean(0)
    return {
        "accuracy": float((pred == y_te).mean()),
        "perClassAccuracy": per_class,
        "precisionAt10Fc1": float(p10),
        "mapFc1": float(ap.mean()),
        "bitBalanceMin": float(bits.min()),
        "bitBalanceMax": float(bits.max()),
        "testSlices": int(len(y_te)),
    }


def export(model, path, outputs, size, metadata):
    """ONNX opset 17, dynamic batch; `metadata` goes into the model's metadata_props, where the
    Java side reads the input geometry (so a user's model with the same contract carries its own)."""
    import onnx
    dummy = torch.full((1, 1, size, size), -1000.0)
    torch.onnx.export(model, dummy, path, opset_version=17, input_names=["input"],
                      output_names=outputs,
                      dynamic_axes={"input": {0: "batch"}, **{o: {0: "batch"} for o in outputs}},
                      do_constant_folding=True)
    m = onnx.load(path)
    for k, v in metadata.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = k, str(v)
    onnx.checker.check_model(m)
    onnx.save(m, path)
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="target/dataset")
    ap.add_argument("--out", default="cbmir-onnx/src/main/resources/org/cbmir/onnx/models")
    ap.add_argument("--golden", default="cbmir-onnx/src/test/resources/golden")
    ap.add_argument("--unet-epochs", type=int, default=20)
    ap.add_argument("--encoder-epochs", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(2)
    seed_everything(args.seed)
    rng = np.random.default_rng(args.seed)
    train, test = load(args.data, "train"), load(args.data, "test")
    rows = provenance(args.data)
    test_rows = [r for r in rows if r["split"] == "test"]
    size = train[0].shape[-1]
    patients = {s: sorted({r["patient"] for r in rows if r["split"] == s}) for s in ("train", "test")}
    sources = {s: sorted({r["source"] for r in rows if r["split"] == s}) for s in ("train", "test")}
    print(f"train {len(train[2])} slices, test {len(test[2])}; classes train "
          f"{np.bincount(train[2], minlength=8).tolist()} test {np.bincount(test[2], minlength=8).tolist()}")
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.golden, exist_ok=True)

    unet, unet_s = train_unet(train, test, args, rng)
    unet_metrics = evaluate_unet(unet, test, test_rows)
    print("unet", unet_metrics, flush=True)
    encoder, enc_s = train_encoder(train, args, rng)
    enc_metrics = evaluate_encoder(encoder, test, train)
    print("encoder", json.dumps(enc_metrics), flush=True)

    common = {
        "input": {"name": "input", "shape": ["N", 1, size, size], "units": "HU",
                  "pixelSpacingMm": float(os.environ.get("CBMIR_SPACING_MM", "1.25")),
                  "windowing": "inside the graph: lung window, level -600 HU, width 1500 HU"},
        "training": {"data": "cbmir-data DatasetExporter output: LIDC-IDRI series with radiologist"
                             " XML, COVID-19-NY-SBU single slices, synthetic nodules inserted per class",
                     "trainPatients": patients["train"], "testPatients": patients["test"],
                     "sources": sources, "seed": args.seed, "torch": torch.__version__,
                     "python": platform.python_version(), "threads": 2,
                     "command": "/usr/bin/python3 training/train.py (see training/README.md)"},
    }
    spacing = common["input"]["pixelSpacingMm"]
    unet_sha = export(unet, os.path.join(args.out, "lung-unet.onnx"), ["mask"], size,
                      {"cbmir.kind": "segmenter", "cbmir.input_size": size,
                       "cbmir.pixel_spacing_mm": spacing})
    enc_sha = export(encoder, os.path.join(args.out, "inresnet.onnx"),
                     ["fc1", "latent", "logits"], size,
                     {"cbmir.kind": "encoder", "cbmir.input_size": size,
                      "cbmir.pixel_spacing_mm": spacing, "cbmir.masked_hu": MASKED_HU})
    cards = {
        "lung-unet": {**common, "name": "lung-unet", "file": "lung-unet.onnx", "sha256": unet_sha,
                      "task": "lung parenchyma segmentation (labels: -400 HU threshold masks)",
                      "outputs": {"mask": ["N", 1, size, size]}, "parameters": parameters(unet),
                      "trainingSeconds": round(unet_s, 1), "epochs": args.unet_epochs,
                      "metrics": unet_metrics},
        "inresnet": {**common, "name": "inresnet", "file": "inresnet.onnx", "sha256": enc_sha,
                     "task": "InRes-Net encoder: FC1 features, hash layer H, nodule class",
                     "maskedHu": MASKED_HU, "bits": 64, "fc1": 256, "classes": CLASSES,
                     "outputs": {"fc1": ["N", 256], "latent": ["N", 64], "logits": ["N", 8]},
                     "parameters": parameters(encoder), "trainingSeconds": round(enc_s, 1),
                     "epochs": args.encoder_epochs, "metrics": enc_metrics},
    }
    for name, card in cards.items():
        with open(os.path.join(args.out, name + ".card.json"), "w") as f:
            json.dump(card, f, indent=2)
    # Golden tensors: one held-out real slice (and its threshold mask for the encoder input).
    real = [i for i, r in enumerate(test_rows) if r["source"] == "real"]
    g = real[len(real) // 2]
    x = torch.from_numpy(test[0][g:g + 1])
    xm = torch.from_numpy(masked(test[0][g:g + 1], test[1][g:g + 1]))
    with torch.no_grad():
        tensors = {"unet_input": x, "unet_mask": unet(x), "encoder_input": xm}
        fc1, latent, logits = encoder(xm)
        tensors.update({"encoder_fc1": fc1, "encoder_latent": latent, "encoder_logits": logits})
    index = {}
    for k, t in tensors.items():
        a = t.numpy().astype("<f4")
        a.tofile(os.path.join(args.golden, k + ".f32"))
        index[k] = list(a.shape)
    with open(os.path.join(args.golden, "golden.json"), "w") as f:
        json.dump({"tensors": index, "slice": test_rows[g]}, f, indent=2)
    print("wrote", args.out, args.golden)


if __name__ == "__main__":
    main()
