"""LSTMVis's precise-mode match query (docs/APP.md "Match"; LSTMVis V2.1's algorithm as its paper and code
describe it), written in numpy over one of our traces, as the peer that bench/corpus_bench times ours
against. Steps: read the selected cells' columns over the whole corpus (a strided column read, as LSTMVis
does), count how many are on per step, for k = |S1| down to 1 take the maximal runs where the count is at
least k (at least 2 steps, inside one document) as candidates, at most 10,000 in all (LSTMVis's precise-mode
cap), verify each by reading all cells over the run and its borders, and rank by |S1 & S2| (more first),
|S1 | S2| (fewer first), length (longer first), start.

usage: /usr/bin/python3 lstmvis_precise_match.py TRACE.h5 DATASET UNITS(comma-separated) THRESHOLD TOP
Prints one JSON object: {"seconds", "candidates", "capped", "matches": [[start, length, inter, union], ...]}.
"""
import json
import sys
import time

import h5py
import numpy as np

CAP = 10000


def runs(mask, offsets):
    """Maximal runs [start, end) of True, split at document borders."""
    out = []
    m = mask.astype(np.int8)
    for d in range(len(offsets) - 1):
        a, b = int(offsets[d]), int(offsets[d + 1])
        if b - a < 2:
            continue
        seg = np.concatenate(([0], m[a:b], [0]))
        edges = np.flatnonzero(np.diff(seg))
        for s, e in zip(edges[0::2], edges[1::2]):
            if e - s >= 2:
                out.append((a + int(s), a + int(e)))
    return out


def main():
    path, dataset, units, threshold, top = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
    s1 = sorted(int(u) for u in units.split(","))
    t0 = time.perf_counter()
    with h5py.File(path, "r") as f:
        ds = f[dataset]
        offsets = f["documents/offsets"][:] if "documents" in f else np.array([0, ds.shape[0]])
        tanh = dataset.endswith("/c")
        cols = ds[:, s1].astype(np.float32)  # the strided column read
        on = (np.tanh(cols) if tanh else cols) >= threshold
        count = on.sum(axis=1)
        candidates = {}
        for k in range(len(s1), 0, -1):
            for r in runs(count >= k, offsets):
                candidates.setdefault(r, None)
                if len(candidates) >= CAP:
                    break
            if len(candidates) >= CAP:
                break
        results = []
        s1set = set(s1)
        for (a, e) in candidates:
            window = ds[a:e].astype(np.float32)
            won = (np.tanh(window) if tanh else window) >= threshold
            s2 = set(np.flatnonzero(won.all(axis=0)).tolist())
            results.append((-len(s1set & s2), len(s1set | s2), -(e - a), a, e - a))
        results.sort()
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "candidates": len(candidates), "capped": len(candidates) >= CAP,
                      "matches": [[r[3], r[4], -r[0], r[1]] for r in results[:top]]}))


main()
