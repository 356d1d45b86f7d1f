#!/usr/bin/env python3
"""Writes the committed patient split, cbmir-data/src/main/resources/org/cbmir/data/patient-split.csv.

Run once; the file is committed so that every export, training run and evaluation uses the same
patients. About 70% of patients train, 30% test, by patient (never by slice or nodule), stratified
by the largest nodule class a patient has so that test patients carry real nodules of every size.

    /usr/bin/python3 training/make_split.py [--data ../shared/data]

Pinned: of the four whole LIDC-IDRI series, 0001 and 0002 train (backgrounds for transplanted
nodules) and 0003 and 0006 test (real test series with nodules of 4-15 mm); COVID-19-NY-SBU
patients A056642 and A098752 test (as in the first models' split), the other eight train.
"""
import argparse
import collections
import csv
import os
import random

CLASS_EDGES = [5, 6, 8, 13, 18, 23]
PINNED = {"LIDC-IDRI-0001": "train", "LIDC-IDRI-0002": "train", "LIDC-IDRI-0003": "test",
          "LIDC-IDRI-0006": "test", "A056642": "test", "A098752": "test"}


def nodule_class(d):
    return 1 + sum(d > e for e in CLASS_EDGES)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", default="cbmir-data/src/main/resources/org/cbmir/data/patient-split.csv")
    ap.add_argument("--test-fraction", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=20261129)
    args = ap.parse_args()
    rows = list(csv.DictReader(open(os.path.join(args.data, "lidc-nodule-crops", "nodules.csv"))))
    top = collections.defaultdict(int)
    for r in rows:
        top[r["patient_id"]] = max(top[r["patient_id"]], nodule_class(float(r["equiv_diameter_mm"])))
    covid = sorted(d for d in os.listdir(os.path.join(args.data, "covid19-ny-sbu"))
                   if os.path.isdir(os.path.join(args.data, "covid19-ny-sbu", d)))
    split = dict(PINNED)
    for p in covid:
        split.setdefault(p, "train")
    rnd = random.Random(args.seed)
    strata = collections.defaultdict(list)
    for p in sorted(top):
        if p not in split:
            strata[top[p]].append(p)
    for c in sorted(strata):
        members = strata[c]
        rnd.shuffle(members)
        n_test = round(args.test_fraction * len(members))
        for i, p in enumerate(members):
            split[p] = "test" if i < n_test else "train"
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", newline="") as f:
        f.write("# Patient split of cbmir's training and evaluation, written by training/make_split.py;\n")
        f.write("# by patient, stratified by each patient's largest nodule class. Never edit by hand.\n")
        f.write("patient,split\n")
        for p in sorted(split):
            f.write(f"{p},{split[p]}\n")
    counts = collections.Counter(split.values())
    crops = collections.Counter((split[r["patient_id"]], nodule_class(float(r["equiv_diameter_mm"])))
                                for r in rows)
    print(dict(counts), "crops per (split, class):", sorted(crops.items()))


if __name__ == "__main__":
    main()
