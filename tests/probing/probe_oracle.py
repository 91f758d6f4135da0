#!/usr/bin/python3
"""The probes' oracle: `lstmscope-cli probe` against scipy and scikit-learn (docs/PROBES.md).

Every unit's score (Pearson and Spearman r, ROC AUC, the best one-vs-rest AUC of categories, the best-
threshold IoU written out by brute force) within 1e-9, and the ridge and logistic probes' coefficients,
intercepts and scores within 1e-6 of scikit-learn's on the same split, the control task rebuilt here from
its definition (the mt19937_64 generator written out below); the L1 probes (--penalty l1) against Lasso and
saga, and every point of the L1 path (its units, scores and refit) likewise. Random traces with documents,
ties, a constant unit and a unit with NaN; and a trace the demo model recorded, with built-in and file
labels and a regular expression whose group's text gives categories (rebuilt with Python's re).

usage: probe_oracle.py CLI DEMO_MODEL DEMO_TEXT WORK_DIR
"""
import json
import os
import re
import subprocess
import sys

import warnings

import h5py
import numpy as np
from scipy import stats
from sklearn.linear_model import Lasso, LogisticRegression, Ridge
from sklearn.metrics import roc_auc_score

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import trace_writer  # noqa: E402

TOL_SCORE = 1e-9
TOL_PROBE = 1e-6
QUANTITIES = ["i", "f", "g", "o", "c", "h"]


class MT19937_64:
    """std::mt19937_64, as C++ defines it (seeded with one integer)."""

    def __init__(self, seed):
        self.mt = [0] * 312
        self.mt[0] = seed & 0xFFFFFFFFFFFFFFFF
        for i in range(1, 312):
            self.mt[i] = (6364136223846793005 * (self.mt[i - 1] ^ (self.mt[i - 1] >> 62)) + i) & 0xFFFFFFFFFFFFFFFF
        self.index = 312

    def __call__(self):
        if self.index >= 312:
            for i in range(312):
                x = (self.mt[i] & 0xFFFFFFFF80000000) | (self.mt[(i + 1) % 312] & 0x7FFFFFFF)
                xa = x >> 1
                if x & 1:
                    xa ^= 0xB5026F5AA96619E9
                self.mt[i] = self.mt[(i + 156) % 312] ^ xa
            self.index = 0
        y = self.mt[self.index]
        self.index += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y


def read_units(trace, quantities):
    """Every unit's values (T,) in float64, by (layer, direction, quantity, unit)."""
    out = {}
    with h5py.File(trace) as f:
        for l in sorted(f["layers"].keys(), key=int):
            for direction in f[f"layers/{l}"].keys():
                for q in quantities:
                    name = f"layers/{l}/{direction}/{q}"
                    if name in f:
                        values = f[name][()].astype(np.float64)
                        for u in range(values.shape[1]):
                            out[(int(l), direction, q, u)] = values[:, u]
        offsets = [int(x) for x in f["documents/offsets"][()]] if "documents/offsets" in f else None
        tokens = [t.decode() if isinstance(t, bytes) else t for t in f["token_text"][()]]
    return out, offsets or [0, len(tokens)], tokens


def best_iou(x, y):
    """max over thresholds of |on & y| / |on | y|, on = x >= th (sign +1) or x <= th (sign -1): at each
    distinct value th, the counts of steps at or beyond it."""
    values, inverse = np.unique(x, return_inverse=True)
    count = np.bincount(inverse, minlength=len(values)).astype(np.float64)
    hits = np.bincount(inverse, weights=(y == 1).astype(np.float64), minlength=len(values))
    positives = np.sum(y == 1)
    best = (-1.0, 0, None)
    for sign in (1, -1):
        order = slice(None, None, -1) if sign > 0 else slice(None)  # +1: from the highest value down
        on, tp = np.cumsum(count[order]), np.cumsum(hits[order])
        iou = tp / (positives + on - tp)
        k = int(np.argmax(iou))  # the first of equal maxima: the first threshold reached
        if iou[k] > best[0]:
            best = (iou[k], sign, values[order][k])
    return best


def expected_score(x, y, metric, categories):
    if not np.all(np.isfinite(x)) or np.all(x == x[0]):
        return None
    if metric == "pearson":
        r = stats.pearsonr(x, y)[0]
        return r, (-1 if r < 0 else 1), None
    if metric == "spearman":
        r = stats.spearmanr(x, y)[0]
        return r, (-1 if r < 0 else 1), None
    if metric == "auc" and not categories:
        a = roc_auc_score(y, x)
        return a, (-1 if a < 0.5 else 1), None
    if metric == "auc":
        best = None
        for c in range(len(categories)):
            if np.all(y == c) or not np.any(y == c):
                continue
            a = roc_auc_score(y == c, x)
            if best is None or abs(a - 0.5) > abs(best[0] - 0.5):
                best = (a, -1 if a < 0.5 else 1, categories[c])
        return best
    iou, sign, th = best_iou(x, y)
    return iou, sign, th


def run_probe(cli, work, args, name):
    out = os.path.join(work, name + ".json")
    subprocess.run([cli, "probe", *args, "--out", out], check=True)
    with open(out) as f:
        return json.load(f)


def check_ranking(result, units, label, metric, categories, what):
    failures = 0
    strengths = []
    scored = 0
    for key, x in units.items():
        e = expected_score(x, label, metric, categories)
        scored += e is not None
    if result["units_scored"] != scored or result["units_scored"] + result["units_unscored"] != len(units):
        print(f"{what}: {result['units_scored']} scored, {result['units_unscored']} not; expected {scored} of {len(units)}")
        failures += 1
    for entry in result["ranking"]:
        key = (entry["layer"], entry["direction"], entry["quantity"], entry["unit"])
        e = expected_score(units[key], label, metric, categories)
        if e is None:
            print(f"{what}: {key} ranked but should not be scored")
            failures += 1
            continue
        score, sign, extra = e
        bad = abs(entry["score"] - score) > TOL_SCORE or entry["sign"] != sign
        if metric == "iou":
            bad |= abs(entry["threshold"] - float(np.float32(extra))) > 1e-6 * max(1, abs(extra))
        if metric == "auc" and categories:
            bad |= entry["category"] != extra and abs(abs(score - 0.5) - abs(entry["score"] - 0.5)) > TOL_SCORE
        if bad:
            print(f"{what}: {key}: got {entry['score']} sign {entry['sign']} {entry.get('threshold', entry.get('category'))}"
                  f", expected {score} sign {sign} {extra}")
            failures += 1
        strengths.append(abs(score - 0.5) if metric == "auc" else abs(score))
    if any(a < b - TOL_SCORE for a, b in zip(strengths, strengths[1:])):
        print(f"{what}: the ranking is not strongest first")
        failures += 1
    return failures


def split_steps(offsets):
    """docs/PROBES.md: even documents train, odd ones test; a single document: its halves."""
    docs = [d for d in range(len(offsets) - 1) if offsets[d + 1] > offsets[d]]
    if len(docs) == 1:
        a, b = offsets[docs[0]], offsets[docs[0] + 1]
        middle = a + (b - a) // 2
        return list(range(a, middle)), list(range(middle, b))
    train, test = [], []
    for k, d in enumerate(docs):
        (train if k % 2 == 0 else test).extend(range(offsets[d], offsets[d + 1]))
    return train, test


def control_labels(label, tokens, seed):
    rng = MT19937_64(seed)
    assigned, out = {}, []
    for token in tokens:
        if token not in assigned:
            assigned[token] = label[rng() % len(label)]
        out.append(assigned[token])
    return np.array(out)


def fit_sklearn(kind, x, y, alpha, c):
    """kind: ridge, logistic, or their L1 forms lasso and logistic-l1 (docs/PROBES.md "L1 probes")."""
    if kind == "lasso":
        m = Lasso(alpha=alpha, tol=1e-15, max_iter=10**7).fit(x, y)
        return m, m.coef_.reshape(1, -1), np.atleast_1d(m.intercept_), m.score
    if kind == "logistic-l1":
        m = LogisticRegression(penalty="l1", C=c, solver="saga", tol=1e-10, max_iter=10**7, random_state=0,
                               multi_class="ovr").fit(x, y)
        return m, m.coef_, m.intercept_, m.score
    if kind == "ridge":
        m = Ridge(alpha=alpha, solver="cholesky").fit(x, y)
        return m, m.coef_.reshape(1, -1), np.atleast_1d(m.intercept_), m.score
    m = LogisticRegression(C=c, solver="newton-cg", tol=1e-10, max_iter=100, multi_class="ovr").fit(x, y)
    return m, m.coef_, m.intercept_, m.score


def check_probe(result, units, label, offsets, tokens, kind, what, alpha=1.0, c=1.0, seed=1):
    """The probe the command reports (its best layer) against scikit-learn's on the same split."""
    failures = 0
    p = result["probe"]
    layer, q = p["layer"], p["quantity"]
    keys = sorted((k for k in units if k[2] == q and (layer == "all" or k[0] == layer)),
                  key=lambda k: (k[0], k[1] != "fwd", k[3]))
    x = np.stack([units[k] for k in keys], axis=1)
    train, test = split_steps(offsets)
    m, coef, intercept, score = fit_sklearn(kind, x[train], label[train], alpha, c)
    present = list(getattr(m, "classes_", []))
    got = np.array(p["coefficients"])
    if kind == "logistic" and got.shape[0] > 1:  # categories: a row per category; absent ones are zeros
        rows = [int(v) for v in present]
        got_present = got[rows]
    else:
        got_present = got
    scale = max(1.0, np.max(np.abs(coef)))
    if got_present.shape != coef.shape or np.max(np.abs(got_present - coef)) > TOL_PROBE * scale:
        print(f"{what}: coefficients differ from scikit-learn's by "
              f"{np.max(np.abs(got_present - coef)) if got_present.shape == coef.shape else 'shape'}")
        failures += 1
    got_intercepts = np.array([v for v in p["intercepts"] if v is not None])
    if np.max(np.abs(got_intercepts - intercept)) > TOL_PROBE * max(1.0, np.max(np.abs(intercept))):
        print(f"{what}: intercepts {got_intercepts} against {intercept}")
        failures += 1
    for name, steps in (("train_score", train), ("test_score", test)):
        expected = score(x[steps], label[steps])
        if abs(p[name] - expected) > TOL_PROBE:
            print(f"{what}: {name} {p[name]} against scikit-learn's {expected}")
            failures += 1
    control = control_labels(label, tokens, seed)
    try:
        cm, _, _, cscore = fit_sklearn(kind, x[train], control[train], alpha, c)
        expected = cscore(x[test], control[test])
    except ValueError:  # one class among the training steps
        expected = None
    if (expected is None) != (p["control_score"] is None) or (
            expected is not None and abs(p["control_score"] - expected) > TOL_PROBE):
        print(f"{what}: control_score {p['control_score']} against {expected}")
        failures += 1
    if expected is not None and abs(p["selectivity"] - (p["test_score"] - p["control_score"])) > 1e-12:
        print(f"{what}: selectivity is not test - control")
        failures += 1
    curve = [e for e in result["curve"] if e["layer"] == layer and e["quantity"] == q]
    if len(curve) != 1 or abs(curve[0]["test_score"] - p["test_score"]) > 0:
        print(f"{what}: the curve does not hold the reported probe")
        failures += 1
    if max(e["test_score"] for e in result["curve"]) != p["test_score"]:
        print(f"{what}: the reported probe is not the curve's best")
        failures += 1
    return failures


def probe_features(result, units):
    p = result["probe"]
    layer, q = p["layer"], p["quantity"]
    keys = sorted((k for k in units if k[2] == q and (layer == "all" or k[0] == layer)),
                  key=lambda k: (k[0], k[1] != "fwd", k[3]))
    return np.stack([units[k] for k in keys], axis=1)


def sparsity_edge(kind, x, y):
    """The penalty beyond which every coefficient is 0, from its definition (KKT at w = 0)."""
    if kind == "ridge":
        return np.max(np.abs((x - x.mean(axis=0)).T @ (y - y.mean()))) / len(y)
    edges = []
    for positive in (np.unique(y) if len(np.unique(y)) > 2 else [1.0]):
        t = (y == positive).astype(np.float64)
        if 0 < t.mean() < 1:
            g = np.max(np.abs(x.T @ (t.mean() - t)))
            if g > 0:
                edges.append(1 / g)
    return min(edges)


def check_l1_path(result, units, label, offsets, kind, what, alpha=1.0, c=1.0):
    """Every point of the L1 path refitted by scikit-learn: the L1 probe at the point's penalty (Lasso or
    saga), its units, its scores, and the full probe on those units alone; the first penalty from the
    definition of the edge; l1_units_95 from the points."""
    failures = 0
    p = result["probe"]
    path = p["l1_path"]
    x = probe_features(result, units)
    train, test = split_steps(offsets)
    l1_kind, name = ("lasso", "alpha") if kind == "ridge" else ("logistic-l1", "c")
    edge = sparsity_edge(kind, x[train], label[train])
    first = path["points"][0][name]
    expected_first = edge / 10**0.25 if kind == "ridge" else edge * 10**0.25
    if abs(first - expected_first) > 1e-9 * expected_first:
        print(f"{what}: the path starts at {name} {first}, the edge gives {expected_first}")
        failures += 1
    # The constant prediction: R^2 0, or the accuracy of the training steps' most frequent class.
    if kind == "ridge":
        baseline = 0.0
    else:
        values, counts = np.unique(label[train], return_counts=True)
        baseline = float(np.mean(label[test] == values[np.argmax(counts)]))
    target = baseline + 0.95 * (p["test_score"] - baseline) if p["test_score"] > baseline else None
    best = None
    for point in path["points"]:
        penalty = point[name]
        m, coef, _, score = fit_sklearn(l1_kind, x[train], label[train], penalty, penalty)
        used = [j for j in range(x.shape[1]) if np.any(np.abs(coef[:, j]) > 1e-9)]
        if len(used) != point["units"]:
            print(f"{what}: {name} {penalty}: {point['units']} units, scikit-learn uses {len(used)}")
            failures += 1
            continue
        for key, steps in (("train_score", train), ("test_score", test)):
            if abs(point[key] - score(x[steps], label[steps])) > TOL_PROBE:
                print(f"{what}: {name} {penalty}: {key} {point[key]} against {score(x[steps], label[steps])}")
                failures += 1
        if used:
            refit, _, _, refit_score = fit_sklearn(kind, x[train][:, used], label[train], alpha, c)
            for key, steps in (("refit_train_score", train), ("refit_test_score", test)):
                expected = refit_score(x[steps][:, used], label[steps])
                if abs(point[key] - expected) > TOL_PROBE:
                    print(f"{what}: {name} {penalty}: {key} {point[key]} against {expected}")
                    failures += 1
        if target is not None and point["units"] > 0 and point["refit_test_score"] >= target and (
                best is None or point["units"] < best):
            best = point["units"]
    if best is not None:  # the point's units by name, and one mean ablation per layer and direction
        listed = sorted((u["layer"], u["direction"], u["unit"]) for u in p["l1_units"])
        from_specs = sorted((int(spec.split("/")[0]), spec.split("/")[1], int(unit))
                            for spec in p["ablate_l1_units"]
                            for unit in spec.split(":")[1].split("=")[0].split(","))
        if len(listed) != best or listed != from_specs or not all(s.endswith("=mean") for s in p["ablate_l1_units"]):
            print(f"{what}: l1_units {listed} and ablate_l1_units {p['ablate_l1_units']} disagree")
            failures += 1
    if abs(path["baseline"] - baseline) > 1e-15 or (target is None) != (path["target"] is None) or (
            target is not None and abs(path["target"] - target) > 1e-12) or p["l1_units_95"] != best:
        print(f"{what}: l1_units_95 {p['l1_units_95']} (target {path['target']}), the points give {best}")
        failures += 1
    return failures


def random_trace(rng, work):
    """Two layers (the second bidirectional), two quantities, documents of random lengths (one empty),
    values rounded so that ties happen, a constant unit and one with a NaN."""
    lengths = [int(v) for v in rng.integers(60, 300, size=5)]
    lengths[3] = 0
    offsets = [0] + list(np.cumsum(lengths))
    steps = offsets[-1]
    tokens = [chr(97 + int(v)) for v in rng.integers(0, 12, size=steps)]
    depth = rng.integers(0, 5, size=steps).astype(np.float64)  # the scalar label
    binary = (rng.random(steps) < 0.3).astype(np.float64)
    category = rng.integers(0, 4, size=steps)
    layers = []
    for l, directions in enumerate((["fwd"], ["fwd", "bwd"])):
        layers.append({})
        for d in directions:
            layers[l][d] = {}
            for q in ("c", "o"):
                v = rng.normal(size=(steps, 7))
                v[:, 0] += 0.8 * depth - 0.5 * binary
                v[:, 1] -= 1.5 * (category == 2)
                v = np.round(v, 1)  # ties
                v[:, 2] = 0.25  # constant
                if l == 1 and d == "bwd":
                    v[10, 3] = np.nan
                layers[l][d][q] = v
    path = os.path.join(work, "random.h5")
    trace_writer.write_trace(path, layers, offsets, tokens)
    return path, {"depth": depth, "binary": binary, "category": category}


def write_labels(path, values, tokens, table=False):
    with open(path, "w") as f:
        for token, v in zip(tokens, values):
            f.write(f"{token}\t{v}\n" if table else f"{v}\n")


def main():
    # newton-cg at a tolerance this tight reports line searches that cannot improve any more: it has converged.
    warnings.filterwarnings("ignore")
    cli, demo_model, demo_text, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    rng = np.random.default_rng(20261204)
    failures = 0

    trace, labels = random_trace(rng, work)
    units, offsets, tokens = read_units(trace, ["c", "o"])
    names = ["a", "b", "c", "d"]
    files = {}
    for name, values in labels.items():
        files[name] = os.path.join(work, f"{name}.tsv")
        cats = [names[int(v)] for v in values] if name == "category" else [
            str(int(v)) for v in values]
        write_labels(files[name], cats, tokens, table=True)
    cases = [("depth", "pearson", None), ("depth", "spearman", None), ("binary", "auc", None),
             ("binary", "iou", None), ("binary", "pearson", None), ("category", "auc", names)]
    for name, metric, categories in cases:
        result = run_probe(cli, work, ["--trace", trace, "--label", "file:" + files[name], "--quantity", "c,o",
                                       "--metric", metric, "--top", "1000", "--probe", "none"], f"{name}-{metric}")
        failures += check_ranking(result, units, labels[name], metric, categories, f"random {name} {metric}")

    # Probes: ridge on the number, logistic on 0/1 and on categories, with their penalties changed.
    clean = {k: v for k, v in units.items() if np.all(np.isfinite(v))}
    for name, kind, extra in (("depth", "ridge", ["--alpha", "3.5"]), ("binary", "logistic", ["--c", "0.5"]),
                              ("category", "logistic", [])):
        result = run_probe(cli, work, ["--trace", trace, "--label", "file:" + files[name], "--quantity", "c",
                                       "--layers", "0", "--seed", "7", *extra], f"probe-{name}")
        label = labels[name]
        if name == "category":  # the command numbers categories in order of first appearance
            label = np.array([result["categories"].index(names[int(v)]) for v in label], dtype=np.float64)
        failures += check_probe(result, clean, label, offsets, tokens, kind, f"random probe {name}",
                                alpha=3.5, c=0.5 if name == "binary" else 1.0, seed=7)
        failures += check_l1_path(result, clean, label, offsets, kind, f"random L1 path {name}",
                                  alpha=3.5, c=0.5 if name == "binary" else 1.0)
        # The same probes with an L1 penalty: scikit-learn's Lasso and saga.
        l1_extra = ["--alpha", "0.05"] if kind == "ridge" else extra
        result = run_probe(cli, work, ["--trace", trace, "--label", "file:" + files[name], "--quantity", "c",
                                       "--layers", "0", "--seed", "7", "--penalty", "l1", "--no-l1-path", *l1_extra],
                           f"probe-l1-{name}")
        if "l1_path" in result["probe"] or result["probe"]["penalty"] != "l1":
            print(f"random L1 probe {name}: --no-l1-path wrote a path, or the penalty is not l1")
            failures += 1
        failures += check_probe(result, clean, label, offsets, tokens, "lasso" if kind == "ridge" else "logistic-l1",
                                f"random L1 probe {name}", alpha=0.05, c=0.5 if name == "binary" else 1.0, seed=7)
        # An L1 probe's own path: refitted with the default L2 penalty, measured against the L1 probe's score.
        result = run_probe(cli, work, ["--trace", trace, "--label", "file:" + files[name], "--quantity", "c",
                                       "--layers", "0", "--seed", "7", "--penalty", "l1", *l1_extra],
                           f"probe-l1-path-{name}")
        failures += check_l1_path(result, clean, label, offsets, kind, f"random L1 probe's path {name}")

    # The demo model's own run of its sample text: built-in labels and a regular expression.
    recorded = os.path.join(work, "demo.h5")
    subprocess.run([cli, "record", "--model", demo_model, "--text-file", demo_text, "--quantities", "c,h",
                    "--meta", "quote=builtin:quote", "--meta", "depth=builtin:bracket-depth",
                    "--meta", "defs=regex:def [a-z_]+", "--out", recorded, "--quiet"], check=True)
    units, offsets, tokens = read_units(recorded, ["c", "h"])
    with h5py.File(recorded) as f:
        meta = {name: f[f"meta/{name}"][()].astype(np.float64) for name in ("quote", "depth", "defs")}
    for label, name, metric, kind in (("builtin:quote", "quote", "auc", "logistic"),
                                      ("builtin:bracket-depth", "depth", "pearson", "ridge"),
                                      ("regex:def [a-z_]+", "defs", "iou", "logistic")):
        result = run_probe(cli, work, ["--trace", recorded, "--label", label, "--quantity", "c,h", "--metric",
                                       metric, "--top", "100000", "--layers", "1"], f"demo-{name}")
        layer1 = {k: v for k, v in units.items() if k[0] == 1}
        failures += check_ranking(result, layer1, meta[name], metric, None, f"demo {label} {metric}")
        failures += check_probe(result, layer1, meta[name], offsets, tokens, kind, f"demo probe {label}")
        # The same label straight from the model, recorded by the command itself: the same answer.
        direct = run_probe(cli, work, ["--model", demo_model, "--text-file", demo_text, "--label", label,
                                       "--quantity", "c,h", "--metric", metric, "--top", "100000", "--layers", "1"],
                           f"demo-{name}-model")
        if direct != result:
            print(f"demo {label}: --model gives another answer than --trace")
            failures += 1
    # A pattern with a group: its text as categories ("-" first, then in order of first appearance), rebuilt
    # with Python's re (the same matches as RE2 for this pattern) over the demo's characters.
    text = "".join(tokens)
    assert len(text) == len(tokens), "the demo model reads characters"
    group_names, group_label = ["-"], np.zeros(len(tokens))
    for m in re.finditer(r"def ([a-z_]+)", text):
        if m.group(1) not in group_names:
            group_names.append(m.group(1))
        group_label[m.start(1):m.end(1)] = group_names.index(m.group(1))
    result = run_probe(cli, work, ["--trace", recorded, "--label", "regex:def ([a-z_]+)", "--quantity", "c,h",
                                   "--top", "100000", "--layers", "1", "--probe", "none"], "demo-groups")
    if result["label_kind"] != "categorical" or result["categories"] != group_names:
        print(f"demo regex groups: categories {result.get('categories')} against {group_names}")
        failures += 1
    layer1 = {k: v for k, v in units.items() if k[0] == 1}
    failures += check_ranking(result, layer1, group_label, "auc", group_names, "demo regex groups auc")
    print(f"probe_oracle: {failures} disagreements")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
