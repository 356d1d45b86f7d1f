#!/usr/bin/env python3
"""Turns one run's JMH JSON, C reference output and JMH log into the RESULTS.md table."""
import json
import re
import sys

jmh_path, cref_path, log_path = sys.argv[1:4]
jmh = json.load(open(jmh_path))
cref = open(cref_path).read()
log = open(log_path).read()


def score(name, **params):
    for b in jmh:
        if b["benchmark"].endswith(name) and all(
                b.get("params", {}).get(k) == str(v) for k, v in params.items()):
            m = b["primaryMetric"]
            if m.get("scorePercentiles") and b["mode"] in ("sample", "ss"):
                return m["scorePercentiles"]["50.0"], m["scoreUnit"]
            return m["score"], m["scoreUnit"]
    return None, None


def ms(name, **params):
    s, unit = score(name, **params)
    if s is None:
        return None
    return s * {"ms/op": 1.0, "us/op": 1e-3, "ns/op": 1e-6}[unit]


def c_ns(kernel, n, bits):
    m = re.search(rf"^{kernel}\s+N={n} bits={bits} .*?median=([\d.]+)", cref, re.M)
    return float(m.group(1)) if m else None


def l2_ns(dim, intrin=True):
    tag = "avx512-intrin" if intrin else "auto"
    m = re.search(rf"^{tag} D={dim} rows=4096 ns/row median=([\d.]+)", cref, re.M)
    return float(m.group(1)) if m else None


rows = []


def row(what, ours, ref, ref_name, goal, ok):
    ratio = f"{ours / ref:.2f}x" if ours is not None and ref else "n/a"
    o = "n/a" if ours is None else f"{ours:.3f}" if ours < 10 else f"{ours:.1f}"
    r = "n/a" if ref is None else f"{ref:.3f}" if ref < 10 else f"{ref:.1f}"
    if goal == "-":
        verdict = "-"
    else:
        verdict = "n/a" if ours is None or (ref is None and "x" in goal) else (
            "met" if ok else "MISSED")
    rows.append(f"| {what} | {o} | {r} ({ref_name}) | {ratio} | {goal} | {verdict} |")


for n in (1000000, 10000000):
    for bits, goal in ((64, 1.1), (128, 1.2)):
        t = ms("radiusScanPanama", n=n, bits=bits)
        ours = t * 1e6 / n if t else None
        ref = c_ns("rad_v", n, bits)
        row(f"radius scan {n // 1000000}M x {bits}-bit, ns/code (Vector API)", ours, ref,
            "C rad_v", f"<= {goal}x" if n == 10000000 else "-",
            ours is not None and ref is not None and ours / ref <= goal)
        t = ms("radiusScanScalar", n=n, bits=bits)
        ours = t * 1e6 / n if t else None
        ref = c_ns("rad_s", n, bits)
        row(f"radius scan {n // 1000000}M x {bits}-bit, ns/code (scalar fallback)", ours, ref,
            "C rad_s", "-", True)

t = ms("top100", n=10000000, bits=64)
ours = t * 1e6 / 10000000 if t else None
row("top-100 10M x 64-bit, ns/code", ours, c_ns("top_v", 10000000, 64), "C top_v", "-", True)

for r in (2, 4, 8):
    mih = ms(f"mihR{r}", n=10000000, bits=64)
    scan = ms(f"scanR{r}", n=10000000, bits=64)
    speedup = scan / mih if mih and scan else None
    rows.append(f"| MIH r={r}, 10M x 64-bit, ms/query | {mih:.4f} | {scan:.3f} (linear scan, same"
                f" run) | {speedup:.1f}x faster | >= 20x for r <= 4 | "
                f"{'met' if r > 4 or speedup >= 20 else 'MISSED'} |" if mih and scan else
                f"| MIH r={r} | n/a | n/a | n/a | | n/a |")

for dim in (256, 512):
    pan = ms("RerankBenchmark.panama", dim=dim)
    sca = ms("RerankBenchmark.scalar", dim=dim)
    luc = ms("RerankBenchmark.lucene", dim=dim)
    per = lambda t: t * 1e6 / 4096 if t else None
    goal = dim == 512
    row(f"rerank D={dim}, ns/row (Vector API)", per(pan), per(luc), "Lucene VectorUtil",
        "<= 1.0x" if goal else "-", per(pan) is not None and per(luc) and per(pan) <= per(luc))
    row(f"rerank D={dim}, ns/row (Vector API)", per(pan), l2_ns(dim), "C AVX-512", "-", True)
    row(f"rerank D={dim}, ns/row (scalar fallback)", per(sca), per(luc), "Lucene VectorUtil",
        "<= 500 ns/row" if goal else "-", per(sca) is not None and per(sca) <= 500)

c2f = ms("coarseToFine", n=1000000)
ex = ms("exhaustiveFc1", n=1000000)
row("coarse-to-fine query, 1M slices, p50 ms", c2f, ex, "exhaustive FC1, p50", "<= 2 ms",
    c2f is not None and c2f <= 2)

m = re.search(r"strategy=(\S+) pool=(\d+) radius=(\d+) fineFraction=([\d.]+) "
              r"hotBytesPerSlice=([\d.]+) ramBytesPerSlice=([\d.]+)", log)
if m:
    hot = float(m.group(5))
    limit = 64 / 8 + 4 * 256 + 16
    rows.append(f"| hot arrays, bytes/slice (1M, B=64, D=256) | {hot:.1f} | {limit:.0f} "
                f"(B/8 + 4D + 16) | {hot / limit:.2f}x | <= 1.0x | "
                f"{'met' if hot <= limit else 'MISSED'} |")
    rows.append(f"| all index memory, bytes/slice (refs, bitmaps included) | {float(m.group(6)):.1f}"
                f" | - | - | - | - |")
    rows.append(f"| coarse pool of the benchmark query | strategy {m.group(1)}, pool {m.group(2)},"
                f" radius {m.group(3)}, fine stage {float(m.group(4)) * 100:.2f}% of index | | | | |")

read = ms("readDicomSeries")
row("read a 133-slice 512x512 DICOM series into HU, ms", read, None, "-", "<= 1500 ms",
    read is not None and read <= 1500)
res = ms("resampleTo1mm")
row("resample that series to 1 mm (in-plane and z), ms", res, None, "-", "<= 1000 ms",
    res is not None and res <= 1000)

seg = ms("segmentAndEncode8")
per_slice = seg / 8 if seg else None
mt = re.search(r"torch segment\+encode ms/slice median=([\d.]+)", cref)
row("segment + encode one 512x512 slice, ONNX Runtime CPU, 2 threads, batch 8, ms", per_slice,
    float(mt.group(1)) if mt else None, "PyTorch CPU, same models, 2 threads, batch 8",
    "<= 30 ms", per_slice is not None and per_slice <= 30)

single = ms("searchOneSlice")
row("single-call search over 100k slices incl. segmenting and encoding the query, p50 ms", single,
    None, "-", "<= 50 ms", single is not None and single <= 50)

bw = re.search(r"GB/s median=([\d.]+)", cref)
print("| figure | ours | reference (what) | ratio | goal | verdict |")
print("| --- | --- | --- | --- | --- | --- |")
print("\n".join(rows))
if bw:
    print(f"\nC read bandwidth, 1 thread, 80 MiB: {bw.group(1)} GB/s.")
