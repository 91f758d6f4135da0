#!/usr/bin/python3
"""The match view's oracle: an exhaustive implementation of docs/CLI.md "match", written from the
semantics alone (it shares no code with core/analysis/match.cpp), compared with `lstmscope-cli match` on
random traces with planted runs and on a trace the demo model recorded, for every option.

usage: match_oracle.py CLI DEMO_MODEL WORK_DIR
"""
import itertools
import json
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import trace_writer  # noqa: E402


def write_trace(path, values, offsets, quantity="c"):
    """A trace holding one layer's `quantity` (T, H)."""
    trace_writer.write_trace(path, [{"fwd": {quantity: values}}], offsets)


def exhaustive(values, offsets, units, threshold, tanh, left, right, phrase, top):
    """Every candidate, S2 and rank, straight from the definition."""
    v = np.tanh(values.astype(np.float64)) if tanh else values.astype(np.float64)
    on = v >= threshold
    selected = set(units)
    count = on[:, units].sum(axis=1)
    candidates = {}
    for d in range(len(offsets) - 1):
        a, b = offsets[d], offsets[d + 1]
        for k in range(len(units), 0, -1):
            t = a
            while t < b:
                if count[t] < k:
                    t += 1
                    continue
                p = t
                while t < b and count[t] >= k:
                    t += 1
                m = t - p
                if (phrase and m == phrase) or (not phrase and m >= 2):
                    candidates[(p, m)] = d
    rows = []
    for (p, m), d in candidates.items():
        s2 = on[p:p + m].all(axis=0)
        if left and p - 1 >= offsets[d]:
            s2 &= ~on[p - 1]
        if right and p + m < offsets[d + 1]:
            s2 &= ~on[p + m]
        s2_units = [int(u) for u in np.nonzero(s2)[0]]
        inter = len(selected & set(s2_units))
        rows.append({"start": p, "length": m, "document": d, "intersection": inter,
                     "union": len(selected | set(s2_units)), "units": s2_units})
    rows.sort(key=lambda r: (-r["intersection"], r["union"], -r["length"], r["start"]))
    return rows[:top], len(candidates)


def run_match(cli, trace, out, quantity, units, threshold, transform, left, right, phrase, top, layer=0):
    args = [cli, "match", "--trace", trace, "--quantity", f"{layer}/fwd/{quantity}", "--units",
            ",".join(map(str, units)), "--threshold", repr(threshold), "--transform", transform,
            "--top", str(top), "--out", out]
    if left:
        args.append("--constrain-left")
    if right:
        args.append("--constrain-right")
    if phrase:
        args += ["--phrase-length", str(phrase)]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"match failed: {' '.join(args)}\n{r.stderr}")
    with open(out) as f:
        return json.load(f)


def compare(cli, work, trace, values, offsets, quantity, units, label, layer=0):
    failures = 0
    # Every combination with all matches returned, and one keeping only the top 7.
    combos = [c + (100000,) for c in itertools.product((0.3, -0.2), ("tanh", "raw"), (False, True), (False, True),
                                                       (0, 3))]
    for threshold, transform, left, right, phrase, top in combos + [(0.3, "tanh", True, False, 0, 7)]:
        got = run_match(cli, trace, os.path.join(work, "m.json"), quantity, units, threshold, transform, left,
                        right, phrase, top, layer)
        want, candidates = exhaustive(values, offsets, units, threshold, transform == "tanh", left, right,
                                      phrase, top)
        mine = [{k: m[k] for k in ("start", "length", "document", "intersection", "union", "units")}
                for m in got["matches"]]
        failures += check_texts(trace, got, label)
        if mine != want or got["candidates"] != candidates or got["steps"] != values.shape[0]:
            failures += 1
            print(f"FAIL {label} units={units} threshold={threshold} {transform} left={left} right={right} "
                  f"phrase={phrase} top={top}: {len(mine)} matches / {got['candidates']} candidates, "
                  f"expected {len(want)} / {candidates}")
            for a, b in zip(mine, want):
                if a != b:
                    print(f"    first difference: got {a}\n    expected {b}")
                    break
    return failures


def token_texts(trace):
    with h5py.File(trace) as f:
        return [t.decode() if isinstance(t, bytes) else t for t in f["token_text"][()]]


def check_texts(trace, got, label):
    """Each match's text is its run's tokens."""
    tokens = token_texts(trace)
    for m in got["matches"]:
        if m["text"] != "".join(tokens[m["start"]:m["start"] + m["length"]]):
            print(f"FAIL {label}: the text of the run at {m['start']} (+{m['length']}) is {m['text']!r}")
            return 1
    return 0


def long_trace(rng, work):
    """More steps than the CLI reads token text for at a time (65,536), one unit, one document."""
    steps = 140_000
    values = rng.normal(-0.3, 0.5, size=(steps, 2)).astype(np.float32)
    path = os.path.join(work, "long.h5")
    write_trace(path, values, [0, steps])
    got = run_match(sys.argv[1], path, os.path.join(work, "long.json"), "c", [1], 0.3, "raw", False, False, 0,
                    1_000_000)
    want, candidates = exhaustive(values, [0, steps], [1], 0.3, False, False, False, 0, 1_000_000)
    starts = [(m["start"], m["length"]) for m in got["matches"]]
    failures = check_texts(path, got, "long trace")
    if starts != [(m["start"], m["length"]) for m in want] or got["candidates"] != candidates:
        print(f"FAIL long trace: {len(starts)} matches, expected {len(want)}")
        failures += 1
    return failures


def random_trace(rng, work, index):
    """Noise with planted runs of some units being on together, in documents of random lengths."""
    lengths = [int(x) for x in rng.integers(0, 400, size=8)]
    lengths[2] = 0  # an empty document
    offsets = [0] + list(np.cumsum(lengths))
    steps, units = offsets[-1], 40
    values = rng.normal(-0.3, 0.5, size=(steps, units)).astype(np.float32)
    for _ in range(60):  # planted runs, some crossing document borders
        p = int(rng.integers(0, steps - 1))
        m = int(rng.integers(1, 12))
        chosen = rng.choice(units, size=int(rng.integers(1, 8)), replace=False)
        values[p:p + m, chosen] = rng.uniform(0.35, 2.0, size=(min(m, steps - p), len(chosen)))
    values[5, 3] = np.float32(np.arctanh(0.3))  # a value at the tanh threshold itself
    values[6, 3] = np.float32(0.3)  # and at the raw one
    path = os.path.join(work, f"random{index}.h5")
    write_trace(path, values, offsets)
    return path, values, offsets


def main():
    cli, demo_model, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(20261203)
    failures = 0
    for index in range(3):
        path, values, offsets = random_trace(rng, work, index)
        for units in ([3], [3, 7], [0, 3, 7, 11, 39]):
            failures += compare(cli, work, path, values, offsets, "c", units, f"random trace {index}")

    # A recorded trace: the demo model over a corpus of three documents, cell states and gates.
    docs = os.path.join(work, "docs")
    os.makedirs(docs, exist_ok=True)
    texts = ["def f(x):\n    return (x + 1) * 2\n", "", "print('a (nested (list))', [1, [2, 3]])\n" * 3]
    for k, text in enumerate(texts):
        with open(os.path.join(docs, f"{k}.py"), "w") as f:
            f.write(text)
    trace = os.path.join(work, "recorded.h5")
    subprocess.run([cli, "record", "--model", demo_model, "--corpus", docs, "--out", trace, "--quiet",
                    "--quantities", "c,o"], check=True)
    with h5py.File(trace) as f:
        offsets = [int(x) for x in f["documents/offsets"][()]]
        for quantity in ("c", "o"):
            values = f[f"layers/1/fwd/{quantity}"][()]
            copy = os.path.join(work, f"recorded_{quantity}.h5")
            write_trace(copy, values, offsets, quantity)  # layer 1 as layer 0 of a file without a match index
            for units in ([5], [5, 17, 101, 200]):
                failures += compare(cli, work, copy, values, offsets, quantity, units, f"recorded {quantity}")
                # The recorded trace itself: where the query's rule is its index's (0.3, tanh for c, raw for
                # o), the answer comes from the index.
                failures += compare(cli, work, trace, values, offsets, quantity, units, f"indexed {quantity}", 1)
    failures += long_trace(rng, work)
    print(f"match_oracle: {failures} disagreements")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
