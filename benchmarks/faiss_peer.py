#!/usr/bin/env python3
"""FAISS on the codes of HammingTopBenchmark (written by org.cbmir.benchmarks.DumpCodes): exact
top-100 and range search with IndexBinaryFlat, and IndexBinaryMultiHash, single-threaded like the
JMH benchmarks. Prints one line per figure, in ms per query (median of 5 runs of 64 queries).

    /usr/bin/python3 benchmarks/faiss_peer.py codes.u64 queries.u64
"""
import statistics
import sys
import time

import faiss
import numpy as np


def per_query_ms(fn, queries, runs=5):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn(queries)
        times.append((time.perf_counter() - t0) * 1000 / len(queries))
    return statistics.median(times)


def main():
    faiss.omp_set_num_threads(1)
    codes = np.fromfile(sys.argv[1], dtype="<u8").view(np.uint8).reshape(-1, 8)
    queries = np.fromfile(sys.argv[2], dtype="<u8").view(np.uint8).reshape(-1, 8)
    n = codes.shape[0]
    print(f"faiss {faiss.__version__} (Debian python3-faiss), {n} codes of 64 bits, 1 thread")
    flat = faiss.IndexBinaryFlat(64)
    flat.add(codes)
    flat.search(queries[:2], 100)  # warm up
    print(f"faiss IndexBinaryFlat top-100 ms/query: {per_query_ms(lambda q: flat.search(q, 100), queries):.3f}")
    for r in (2, 4, 8):
        # range_search returns distances < radius: r + 1 gives "within r" like ours.
        ms = per_query_ms(lambda q: flat.range_search(q, r + 1), queries)
        print(f"faiss IndexBinaryFlat range r={r} ms/query: {ms:.3f}")
    mh = faiss.IndexBinaryMultiHash(64, 4, 16)
    mh.add(codes)
    for r in (2, 4, 8):
        mh.nflip = r // 4  # pigeonhole: a code within r has a 16-bit substring within r // 4
        ms = per_query_ms(lambda q: mh.range_search(q, r + 1), queries)
        print(f"faiss IndexBinaryMultiHash(4 x 16 bits, nflip={mh.nflip}) range r={r} ms/query: {ms:.3f}")


if __name__ == "__main__":
    main()
