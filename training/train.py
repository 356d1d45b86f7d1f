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


CLASS_EDGES = [5.0, 6.0, 8.0, 13.0, 18.0, 23.0]


def diameter_class(d):
    return 0 if d <= 0 else 1 + sum(d > e for e in CLASS_EDGES)


class Transplants:
    """On-the-fly training examples: a real nodule patch of a training patient (exported by
    cbmir-data as HU + blending weight at the model's spacing) rotated, mirrored, scaled by
    0.9-1.1 (the diameter, hence the label, follows), intensity-jittered and blended into a random
    nodule-free training slice at a random position whose whole patch lies in lung."""

    def __init__(self, data, images, masks, labels, rows, rng):
        self.patches = np.load(os.path.join(data, "train_patches.npy")).astype(np.float32)
        with open(os.path.join(data, "train_patches.csv")) as f:
            prow = list(csv.DictReader(f))
        self.diam = np.array([float(r["diameter_mm"]) for r in prow])
        self.images, self.masks, self.rng = images, masks, rng
        self.background = np.array([i for i, r in enumerate(rows)
                                    if r["source"] == "real" and labels[i] == 0])
        print(f"transplants: {len(self.patches)} patches, {len(self.background)} backgrounds",
              flush=True)

    def patch_for(self, cls):
        lo = 0.0 if cls == 1 else CLASS_EDGES[cls - 2]
        hi = CLASS_EDGES[cls - 1] if cls < 7 else 1e9
        # A scale drawn first, then a patch whose scaled diameter lands in the class.
        for _ in range(20):
            scale = self.rng.uniform(0.9, 1.1)
            ok = np.nonzero((self.diam * scale > lo) & (self.diam * scale <= hi))[0]
            if len(ok):
                return int(self.rng.choice(ok)), scale
        return int(self.rng.integers(len(self.diam))), 1.0

    def make(self, cls):
        """(image, mask, label, centre (x, y), diameter, background index), or None."""
        p, scale = self.patch_for(cls)
        t = torch.from_numpy(self.patches[p:p + 1])
        t = torch.rot90(t, int(self.rng.integers(4)), (2, 3))
        if self.rng.random() < 0.5:
            t = torch.flip(t, [3])
        size = int(round(t.shape[-1] * scale)) | 1
        t = F.interpolate(t, size=(size, size), mode="bilinear", align_corners=True)[0].numpy()
        hu, alpha = t[0] + self.rng.normal(0, 15), np.clip(t[1], 0, 1)
        half = size // 2
        for _ in range(20):
            b = int(self.rng.choice(self.background))
            img, m = self.images[b, 0], self.masks[b, 0]
            ys, xs = np.nonzero(m[half:-half, half:-half])
            if len(ys) == 0:
                continue
            for _ in range(30):
                k = int(self.rng.integers(len(ys)))
                cy, cx = ys[k] + half, xs[k] + half
                win = m[cy - half:cy + half + 1, cx - half:cx + half + 1]
                if np.all(win[alpha > 0.01] > 0):
                    out = img.copy()
                    sl = (slice(cy - half, cy + half + 1), slice(cx - half, cx + half + 1))
                    out[sl] = out[sl] * (1 - alpha) + hu * alpha
                    mask = m.copy()
                    mask[sl] = np.maximum(mask[sl], (alpha > 0.5).astype(mask.dtype))
                    d = float(self.diam[p] * scale)
                    return out, mask, diameter_class(d), (cx, cy), d, b
        return None


def centres(rows):
    out = []
    for r in rows:
        x, y = float(r.get("nodule_col", -1) or -1), float(r.get("nodule_row", -1) or -1)
        out.append((x, y) if x >= 0 and y >= 0 else None)
    return out


def heatmap(centre, diameter, size, stride=8):
    n = size // stride
    if centre is None:
        return np.zeros((n, n), np.float32)
    yy, xx = np.mgrid[0:n, 0:n]
    cx, cy = (centre[0] + 0.5) / stride - 0.5, (centre[1] + 0.5) / stride - 0.5
    sigma = max(0.7, diameter / 1.25 / stride / 2)
    return np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma ** 2)).astype(np.float32)


def fc1_contrastive(f, y):
    """Pulls FC1 vectors of one class together and pushes other classes at least a margin apart
    (half the margin for neighbouring size classes), in units of the batch's mean norm, so that
    the fine stage's Euclidean distance ranks by class."""
    scale = f.norm(dim=1).mean().detach().clamp_min(1e-6)
    g = f / scale
    d = torch.cdist(g, g)
    same = (y[:, None] == y[None, :]).float()
    gap = (y[:, None] - y[None, :]).abs().float()
    margin = torch.where(gap <= 1, torch.full_like(d, 0.5), torch.full_like(d, 1.0))
    off = 1 - torch.eye(len(y))
    pos = (same * off * d ** 2).sum() / (same * off).sum().clamp_min(1)
    neg = ((1 - same) * F.relu(margin - d) ** 2).sum() / (1 - same).sum().clamp_min(1)
    return pos + neg


def train_encoder(train, rows, args, rng):
    images, masks, labels = train
    model = InResNet(width=12, fc1=256, bits=64, classes=8)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = args.encoder_steps
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-3, total_steps=steps, pct_start=0.1)
    tp = Transplants(args.data, images, masks, labels, rows, rng)
    cents = centres(rows)
    diam = np.array([float(r["diameter_mm"]) for r in rows])
    by_class = [np.nonzero(labels == c)[0] for c in range(8)]
    size = images.shape[-1]
    batch = 16
    t0 = time.time()
    stats = []
    for step in range(steps):
        model.train()
        xs, ys, hs, ds = [], [], [], []
        samples = []
        # Paired negatives: a fresh transplant and the same slice without it, side by side in the
        # batch, so that the nodule, not the anatomy around it, is what separates the classes.
        for _ in range(args.pairs):
            made = tp.make(int(rng.integers(1, 8)))
            if made is not None:
                samples.append(made[:5])
                b = made[5]
                samples.append((images[b, 0], masks[b, 0], 0, None, 0.0))
        while len(samples) < batch:
            c = int(rng.integers(8))  # class-balanced
            made = None
            if c > 0 and (len(by_class[c]) == 0 or rng.random() < 0.6):
                made = tp.make(c)
            if made is None:
                i = int(rng.choice(by_class[c])) if len(by_class[c]) else int(rng.choice(by_class[0]))
                made = (images[i, 0], masks[i, 0], int(labels[i]), cents[i], diam[i])
            samples.append(made[:5])
        for made in samples:
            img, m, lab, cen, d = made
            x = np.where(m > 0, img, MASKED_HU).astype(np.float32)
            # Mirror and shift the whole slice (the centre follows), intensity jitter.
            if rng.random() < 0.5:
                x = x[:, ::-1]
                cen = None if cen is None else (size - 1 - cen[0], cen[1])
            dy, dx = rng.integers(-8, 9, size=2)
            x = np.roll(x, (int(dy), int(dx)), (0, 1))
            cen = None if cen is None else (cen[0] + dx, cen[1] + dy)
            lung = x > MASKED_HU + 1
            x = np.where(lung, x * rng.uniform(0.97, 1.03) + rng.normal(0, 8, x.shape), x)
            xs.append(np.ascontiguousarray(x, np.float32)[None])
            ys.append(lab)
            hs.append(heatmap(cen, d, size)[None])
            ds.append(np.log1p(d))
        x = torch.from_numpy(np.stack(xs))
        y = torch.tensor(ys)
        f, h, logits, loc, dpred = model.forward_train(x)
        ce = F.cross_entropy(logits, y, label_smoothing=0.05)
        target = torch.from_numpy(np.stack(hs))
        location = F.binary_cross_entropy_with_logits(loc, target, pos_weight=torch.tensor(20.0))
        dl = F.smooth_l1_loss(dpred, torch.tensor(ds, dtype=torch.float32))
        b1, b2, b3 = hash_losses(h)
        con = fc1_contrastive(f, y)
        loss = (ce + 0.5 * location + 0.5 * dl + args.contrastive * con + 0.1 * b1 + 1.0 * b2
                + 0.5 * b3)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        stats.append([loss.item(), ce.item(), location.item(), dl.item(), con.item(),
                      (logits.argmax(1) == y).float().mean().item()])
        if (step + 1) % 100 == 0:
            s = np.mean(stats, 0)
            stats = []
            print(f"encoder step {step + 1}/{steps} loss {s[0]:.3f} ce {s[1]:.3f} loc {s[2]:.3f} "
                  f"diam {s[3]:.3f} fc1 {s[4]:.3f} acc {s[5]:.3f} ({time.time() - t0:.0f} s)",
                  flush=True)
    seconds = time.time() - t0
    model.eval()
    return model, seconds


def average_precision_at(rel, k=10, relevant_in_db=None):
    """AP@k as the Java evaluation computes it: precision at each relevant rank within k, over
    min(relevant in the database, k)."""
    r = rel[:, :k]
    cum = np.cumsum(r, 1)
    ranks = np.arange(1, r.shape[1] + 1)
    denom = np.minimum(relevant_in_db, k)
    return np.where(denom > 0, (r * cum / ranks).sum(1) / np.maximum(denom, 1), 0.0)


def evaluate_encoder(model, test, train, test_rows):
    def run(split):
        images, masks, labels = split
        out = [[], [], []]
        with torch.no_grad():
            for i in range(0, len(labels), 32):
                x = torch.from_numpy(masked(images[i:i + 32], masks[i:i + 32]))
                for k, t in enumerate(model(x)):
                    out[k].append(t)
        return [torch.cat(o).numpy() for o in out], labels

    (f_te, h_te, l_te), y_te = run(test)
    (f_tr, h_tr, _), y_tr = run(train)
    d = ((f_te[:, None, :] - f_tr[None, :, :]) ** 2).sum(-1)
    order = np.argsort(d, 1, kind="stable")
    rel = (y_tr[order] == y_te[:, None]).astype(np.float64)
    relevant = np.array([(y_tr == c).sum() for c in y_te])
    ap = average_precision_at(rel, 10, relevant)
    p10 = rel[:, :10].mean(1)
    top = y_tr[order[:, :10]]
    majority = np.array([np.bincount(t, minlength=8).argmax() for t in top])
    pred = l_te.argmax(1)
    src = np.array([r["source"] for r in test_rows])
    metrics = {}
    for name, sel in (("real", src == "real"), ("transplanted", src == "transplanted"),
                      ("all", np.ones(len(src), bool))):
        per_class = {}
        acc = {}
        for c in range(8):
            s = sel & (y_te == c)
            per_class[CLASSES[c]] = None if s.sum() == 0 else float(ap[s].mean())
            acc[CLASSES[c]] = None if s.sum() == 0 else float((pred[s] == c).mean())
        nod = sel & (y_te > 0)
        metrics[name] = {
            "queries": int(sel.sum()),
            "queriesPerClass": [int((sel & (y_te == c)).sum()) for c in range(8)],
            "precisionAt10Fc1": float(p10[sel].mean()) if sel.any() else None,
            "mapAt10Fc1": float(ap[sel].mean()) if sel.any() else None,
            "mapAt10Fc1PerClass": per_class,
            "accuracy": float((pred[sel] == y_te[sel]).mean()) if sel.any() else None,
            "perClassAccuracy": acc,
            "noduleQueries": int(nod.sum()),
            "majorityClassRight": float((majority[nod] == y_te[nod]).mean()) if nod.any() else None,
            "majorityWithinOneClass": float((np.abs(majority[nod] - y_te[nod]) <= 1).mean())
            if nod.any() else None,
        }
    bits = (h_te >= 0.5).mean(0)
    codes = {tuple(r) for r in (h_te >= 0.5).astype(np.int8)}
    metrics["hash"] = {"bitMeanMin": float(bits.min()), "bitMeanMax": float(bits.max()),
                       "bitsInBalance": int(((bits >= 0.2) & (bits <= 0.8)).sum()),
                       "distinctCodesTest": len(codes), "testSlices": int(len(y_te))}
    metrics["indexedTrainingSlices"] = int(len(y_tr))
    return metrics


def goals(metrics):
    """The retrieval-quality issue's goals that the card can check, each with its verdict (the
    evaluation in Java adds the per-nodule and coarse-to-fine ones, see the README)."""
    real = metrics["real"]
    out = [{"goal": "precision@10 of real test slices (FC1) >= 0.60",
            "measured": real["precisionAt10Fc1"], "met": real["precisionAt10Fc1"] >= 0.60}]
    for c, name in enumerate(CLASSES):
        if real["queriesPerClass"][c] >= 5:
            v = real["mapAt10Fc1PerClass"][name]
            out.append({"goal": f"mAP@10 of real test slices of class {name} "
                                f"({real['queriesPerClass'][c]} queries) >= 0.40",
                        "measured": v, "met": v >= 0.40})
    h = metrics["hash"]
    out.append({"goal": "every hash bit's mean activation within [0.2, 0.8] on the test split",
                "measured": f"{h['bitsInBalance']} of 64 bits ({h['bitMeanMin']:.2f}-"
                            f"{h['bitMeanMax']:.2f})", "met": h["bitsInBalance"] == 64})
    return out


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
    ap.add_argument("--models", choices=["both", "encoder", "unet"], default="both",
                    help="which models to train; the other keeps its shipped files")
    ap.add_argument("--unet-epochs", type=int, default=20)
    ap.add_argument("--encoder-steps", type=int, default=4000, help="batches of 16")
    ap.add_argument("--pairs", type=int, default=5,
                    help="transplant + same slice without it, pairs per batch")
    ap.add_argument("--contrastive", type=float, default=1.0, help="weight of the FC1 term")
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(2)
    if args.device != "cpu":
        torch.set_default_device(args.device)  # needs torch >= 2.0; Debian's 1.13 is CPU only
    seed_everything(args.seed)
    rng = np.random.default_rng(args.seed)
    train, test = load(args.data, "train"), load(args.data, "test")
    rows = provenance(args.data)
    train_rows = [r for r in rows if r["split"] == "train"]
    test_rows = [r for r in rows if r["split"] == "test"]
    size = train[0].shape[-1]
    patients = {s: sorted({r["patient"] for r in rows if r["split"] == s}) for s in ("train", "test")}
    sources = {s: sorted({r["source"] for r in rows if r["split"] == s}) for s in ("train", "test")}
    print(f"train {len(train[2])} slices, test {len(test[2])}; classes train "
          f"{np.bincount(train[2], minlength=8).tolist()} test {np.bincount(test[2], minlength=8).tolist()}")
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.golden, exist_ok=True)
    common = {
        "input": {"name": "input", "shape": ["N", 1, size, size], "units": "HU",
                  "pixelSpacingMm": float(os.environ.get("CBMIR_SPACING_MM", "1.25")),
                  "windowing": "inside the graph: lung window, level -600 HU, width 1500 HU"},
        "training": {"data": "cbmir-data DatasetExporter output: real LIDC-IDRI slices with "
                             "radiologist XML labels, COVID-19-NY-SBU single slices, real nodule "
                             "crops of training patients transplanted into training slices "
                             "(fixed and on the fly)",
                     "split": "cbmir-data patient-split.csv (by patient)",
                     "trainPatients": patients["train"], "testPatients": patients["test"],
                     "sources": sources, "seed": args.seed, "torch": torch.__version__,
                     "python": platform.python_version(), "threads": torch.get_num_threads(),
                     "device": args.device,
                     "command": "training/train.sh (see training/README.md)"},
    }
    spacing = common["input"]["pixelSpacingMm"]
    golden_path = os.path.join(args.golden, "golden.json")
    golden = json.load(open(golden_path)) if os.path.exists(golden_path) else {"tensors": {}}
    real = [i for i, r in enumerate(test_rows) if r["source"] == "real"]
    g = real[len(real) // 2]

    def write_golden(tensors, key):
        for k, t in tensors.items():
            a = t.cpu().numpy().astype("<f4")
            a.tofile(os.path.join(args.golden, k + ".f32"))
            golden["tensors"][k] = list(a.shape)
        golden[key] = test_rows[g]

    if args.models in ("both", "unet"):
        unet, unet_s = train_unet(train, test, args, rng)
        unet_metrics = evaluate_unet(unet, test, test_rows)
        print("unet", unet_metrics, flush=True)
        unet_sha = export(unet, os.path.join(args.out, "lung-unet.onnx"), ["mask"], size,
                          {"cbmir.kind": "segmenter", "cbmir.input_size": size,
                           "cbmir.pixel_spacing_mm": spacing})
        card = {**common, "name": "lung-unet", "file": "lung-unet.onnx", "sha256": unet_sha,
                "task": "lung parenchyma segmentation (labels: -400 HU threshold masks)",
                "outputs": {"mask": ["N", 1, size, size]}, "parameters": parameters(unet),
                "trainingSeconds": round(unet_s, 1), "epochs": args.unet_epochs,
                "metrics": unet_metrics}
        with open(os.path.join(args.out, "lung-unet.card.json"), "w") as f:
            json.dump(card, f, indent=2)
        x = torch.from_numpy(test[0][g:g + 1])
        with torch.no_grad():
            write_golden({"unet_input": x, "unet_mask": unet(x)}, "unetSlice")

    if args.models in ("both", "encoder"):
        encoder, enc_s = train_encoder(train, train_rows, args, rng)
        enc_metrics = evaluate_encoder(encoder, test, train, test_rows)
        print("encoder", json.dumps(enc_metrics), flush=True)
        enc_sha = export(encoder, os.path.join(args.out, "inresnet.onnx"),
                         ["fc1", "latent", "logits"], size,
                         {"cbmir.kind": "encoder", "cbmir.input_size": size,
                          "cbmir.pixel_spacing_mm": spacing, "cbmir.masked_hu": MASKED_HU})
        card = {**common, "name": "inresnet", "file": "inresnet.onnx", "sha256": enc_sha,
                "task": "InRes-Net encoder: FC1 features, hash layer H, nodule class",
                "maskedHu": MASKED_HU, "bits": 64, "fc1": 256, "classes": CLASSES,
                "outputs": {"fc1": ["N", 256], "latent": ["N", 64], "logits": ["N", 8]},
                "parameters": parameters(encoder) - sum(
                    p.numel() for m in (encoder.aux_location, encoder.aux_diameter)
                    for p in m.parameters()),
                "trainingSeconds": round(enc_s, 1), "steps": args.encoder_steps,
                "batch": 16, "pairsPerBatch": args.pairs, "contrastiveWeight": args.contrastive,
                "metrics": enc_metrics, "goals": goals(enc_metrics),
                "whyShort": "two whole training series and nodule crops of about 600 patients, "
                            "learned in under an hour on two CPU cores; a 4-pixel nodule at "
                            "1.25 mm is at the limit of what this network finds in that time. "
                            "Per-nodule and coarse-to-fine figures: README, Retrieval quality."}
        with open(os.path.join(args.out, "inresnet.card.json"), "w") as f:
            json.dump(card, f, indent=2)
        xm = torch.from_numpy(masked(test[0][g:g + 1], test[1][g:g + 1]))
        with torch.no_grad():
            fc1, latent, logits = encoder(xm)
        write_golden({"encoder_input": xm, "encoder_fc1": fc1, "encoder_latent": latent,
                      "encoder_logits": logits}, "encoderSlice")
    golden.pop("slice", None)
    with open(golden_path, "w") as f:
        json.dump(golden, f, indent=2)
    print("wrote", args.out, args.golden)


if __name__ == "__main__":
    main()
