#!/usr/bin/python3
"""The unit dashboard's oracle: docs/FORMAT.md "Unit summaries" implemented with numpy from the definition
alone (no code shared with core/analysis/unit_summary.cpp), compared with `lstmscope-cli unit` on random
traces without stored summaries (the scan), and on corpora the demo model recorded in float32 and float16
(the summaries `record` stores), which must also equal the scan of the same trace with /summaries removed.

usage: unit_summary_oracle.py CLI DEMO_MODEL WORK_DIR
"""
import json
import math
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import trace_writer  # noqa: E402

BINS, TOP, RADIUS = 64, 20, 10


def write_trace(path, values, offsets):
    trace_writer.write_trace(path, [{"fwd": {"h": values}}], offsets)


def expected(values, offsets, tokens, unit, radius):
    v = values[:, unit].astype(np.float64)
    finite = np.isfinite(v)
    x = v[finite]
    out = {"count": int(finite.sum()), "non_finite": int((~finite).sum())}
    if x.size == 0:
        out.update(mean=None, std=None, min=None, max=None, histogram=None, highest=[], lowest=[])
        return out
    out.update(mean=x.mean(), std=x.std(), min=x.min(), max=x.max())
    e = -24
    while True:
        w = 2.0 ** e
        lo, hi = math.floor(x.min() / w), math.floor(x.max() / w)
        if hi - lo < BINS and max(abs(lo), abs(hi)) <= 4e18:
            break
        e += 1
    counts = np.bincount((np.floor(x / w) - lo).astype(np.int64), minlength=BINS)
    out["histogram"] = {"start": lo * w, "width": w, "counts": counts.tolist()}
    doc_of = lambda t: int(np.searchsorted(offsets, t, side="right") - 1)
    steps = np.nonzero(finite)[0]
    for name, sign in (("highest", -1.0), ("lowest", 1.0)):
        order = sorted(steps.tolist(), key=lambda t: (sign * float(values[t, unit]), t))
        kept = []
        for t in order:
            if len(kept) == TOP:
                break
            if not any(abs(k - t) <= RADIUS and doc_of(k) == doc_of(t) for k in kept):
                kept.append(t)
        contexts = []
        for t in kept:
            d = doc_of(t)
            first, end = max(offsets[d], t - radius), min(offsets[d + 1], t + radius + 1)
            contexts.append({"step": t, "value": float(values[t, unit]), "document": d, "first": first,
                             "tokens": tokens[first:end], "values": [float(a) for a in values[first:end, unit]]})
        out[name] = contexts
    return out


def f32s(xs):
    """JSON numbers as float32, with null (how JSON writes NaN and infinity) as NaN."""
    return np.array([np.nan if x is None or not math.isfinite(x) else x for x in xs], dtype=np.float32)


def close(a, b, rel=1e-9):
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= rel * max(1.0, abs(b)))


def check(cli, trace, quantity, unit, values, offsets, tokens, radius, work, label, expect_stored):
    out = os.path.join(work, "unit.json")
    args = [cli, "unit", "--trace", trace, "--quantity", quantity, "--unit", str(unit), "--out", out]
    if radius != 10:
        args += ["--radius", str(radius)]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{label}: lstmscope-cli unit failed: {r.stderr}")
    got = json.load(open(out))
    want = expected(values, offsets, tokens, unit, radius)
    problems = []
    if got["stored"] != expect_stored:
        problems.append(f"stored is {got['stored']}, expected {expect_stored}")
    for key in ("count", "non_finite"):
        if got[key] != want[key]:
            problems.append(f"{key} {got[key]} != {want[key]}")
    for key in ("mean", "std", "min", "max"):
        if not close(got[key], want[key]):
            problems.append(f"{key} {got[key]} != {want[key]}")
    if want["histogram"] is not None:
        h, wh = got["histogram"], want["histogram"]
        if h["counts"] != wh["counts"] or h["start"] != wh["start"] or h["width"] != wh["width"]:
            problems.append(f"histogram {h} != {wh}")
    for name in ("highest", "lowest"):
        g, w = got[name], want[name]
        if [c["step"] for c in g] != [c["step"] for c in w]:
            problems.append(f"{name} steps {[c['step'] for c in g]} != {[c['step'] for c in w]}")
            continue
        for a, b in zip(g, w):
            if (np.float32(a["value"]) != np.float32(b["value"]) or a["first"] != b["first"] or
                    a["document"] != b["document"] or a["tokens"] != b["tokens"] or
                    not np.array_equal(f32s(a["values"]), f32s(b["values"]), equal_nan=True)):
                problems.append(f"{name} context at step {a['step']} differs: {a} != {b}")
    if problems:
        sys.exit(f"{label} (unit {unit}): " + "; ".join(problems[:5]))
    return got


def random_traces(cli, work):
    rng = np.random.default_rng(7)
    cases = 0
    for case in range(12):
        steps = int(rng.integers(1, 400))
        units = int(rng.integers(1, 6))
        kind = case % 4
        if kind == 0:    # ties everywhere: few distinct values
            values = rng.integers(-3, 4, size=(steps, units)).astype(np.float32) / 4
        elif kind == 1:  # a wide range, negative and large values
            values = (rng.standard_normal((steps, units)) * 10.0 ** rng.integers(-3, 6)).astype(np.float32)
        elif kind == 2:  # NaN and infinities among ordinary values
            values = rng.standard_normal((steps, units)).astype(np.float32)
            values[rng.random((steps, units)) < 0.1] = np.nan
            values[rng.random((steps, units)) < 0.05] = np.inf
            values[:, 0] = np.nan if case == 2 else values[:, 0]  # a unit with no finite value
        else:            # a constant unit and a rising one (each new value a new maximum)
            values = np.tile(np.linspace(-1, 1, steps, dtype=np.float32)[:, None], (1, units))
            values[:, -1] = 0.25
        cuts = sorted(rng.choice(np.arange(1, steps), size=min(steps - 1, int(rng.integers(0, 5))), replace=False).tolist())
        offsets = [0] + cuts + [steps]
        path = os.path.join(work, f"random{case}.h5")
        write_trace(path, values, offsets)
        tokens = [chr(97 + t % 26) for t in range(steps)]
        for unit in range(units):
            check(cli, path, "0/fwd/h", unit, values, offsets, tokens, 10 if case % 3 else 3, work,
                  f"random trace {case}", False)
            cases += 1
    return cases


def recorded_traces(cli, model, work):
    docs = os.path.join(work, "docs")
    os.makedirs(docs, exist_ok=True)
    rng = np.random.default_rng(3)
    alphabet = "abcdefgh (){}[]\"'\n "
    for d in range(5):
        n = int(rng.integers(50, 700))
        open(os.path.join(docs, f"doc{d}.txt"), "w").write("".join(rng.choice(list(alphabet), size=n)))
    cases = 0
    for precision in ("float", "float16"):
        trace = os.path.join(work, f"recorded_{precision}.h5")
        r = subprocess.run([cli, "record", "--model", model, "--corpus", docs, "--out", trace, "--precision",
                            precision, "--batch", "3", "--quiet"], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"record failed: {r.stderr}")
        scanned = os.path.join(work, f"recorded_{precision}_no_summaries.h5")
        with h5py.File(trace, "r") as f, h5py.File(scanned, "w") as g:
            for key in f:
                if key != "summaries":
                    f.copy(key, g)
            for k, v in f.attrs.items():
                g.attrs[k] = v
        with h5py.File(trace, "r") as f:
            offsets = f["documents/offsets"][:].tolist()
            tokens = [t.decode() if isinstance(t, bytes) else t for t in f["token_text"][:]]
            layers = sorted(f["layers"].keys(), key=int)
            recorded = {}
            for layer in layers:
                for q in ("i", "f", "g", "o", "c", "h"):
                    if f"summaries/{layer}/fwd/{q}" not in f:
                        sys.exit(f"{trace} has no summaries/{layer}/fwd/{q}")
                    recorded[f"{layer}/fwd/{q}"] = f[f"layers/{layer}/fwd/{q}"][:].astype(np.float32)
        for spec, values in recorded.items():
            for unit in (0, values.shape[1] // 2, values.shape[1] - 1):
                stored = check(cli, trace, spec, unit, values, offsets, tokens, 10, work,
                               f"{precision} trace {spec}", True)
                scan = check(cli, scanned, spec, unit, values, offsets, tokens, 10, work,
                             f"{precision} trace {spec}, scanned", False)
                stored.pop("stored"), scan.pop("stored")
                for key in ("mean", "std"):  # summed in another order: equal to rounding
                    if not close(stored.pop(key), scan.pop(key), 1e-12):
                        sys.exit(f"{precision} {spec} unit {unit}: stored and scanned {key} differ")
                if stored != scan:
                    sys.exit(f"{precision} {spec} unit {unit}: stored summaries differ from the scan")
                cases += 1
    return cases


def main():
    cli, model, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    n = random_traces(cli, work)
    m = recorded_traces(cli, model, work)
    print(f"unit summaries agree with the numpy oracle: {n} units of random traces, {m} of recorded ones")


if __name__ == "__main__":
    main()
