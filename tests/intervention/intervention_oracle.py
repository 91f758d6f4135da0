"""Interventions against an independent float64 PyTorch implementation (docs/INTERVENTIONS.md).

The LSTM cell is written out here with the interventions applied at the points the documentation states
(a gate after its nonlinearity and before c; c after its update, h computed from the replaced c; h after
it is computed), not through hooks on our code. Random models of every variant the engine runs (1-3
layers, bidirectional, reverse, final-states classifiers with hidden dense layers, hard sigmoids,
peepholes, clips, coupled gates; models from tests/oracle/make_cases.py) are written in the native schema
and run through lstmscope-cli:

- intervene: every recorded quantity and the head's outputs of the intervened run (the trace stores
  float32, so to float32 rounding), and adding zero reproduces the plain recording bit for bit;
- ablate (sweep and map) and patch in float64 within 1e-9 relative, and in float32 within 1e-4;
- generate: greedy generations with and without interventions, token for token.

usage: /usr/bin/python3 intervention_oracle.py LSTMSCOPE_CLI WORKDIR
"""
import json
import os
import subprocess
import sys

import h5py
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "oracle"))
import make_cases as mc  # noqa: E402  (the random models and their writer)
import lstm_reference as ref  # noqa: E402  (gate and cell functions, direction names)

torch.set_default_dtype(torch.float64)
CLI = sys.argv[1]
WORK = sys.argv[2]
QUANTITIES = "ifgoch"
# make_cases.CASES indices of the token-input models, each with a shorter text.
CASES = [(0, 13), (1, 11), (2, 12), (5, 10), (9, 9), (11, 8), (12, 10), (13, 12), (15, 11), (16, 10), (17, 12)]
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def cli(*args):
    r = subprocess.run([CLI, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"lstmscope-cli {' '.join(args)} failed ({r.returncode}): {r.stderr}")
    return r


# ---------------------------------------------------------------- the intervened reference model
def edited(v, slot, t, edits):
    """v: (B, H) after `slot` at step t; edits: (slot, unit, first, end, add, value, column or None)."""
    for (s, u, a, b, add, val, col) in edits:
        if s == slot and a <= t < b:
            v = v.clone()
            rows = slice(None) if col is None else col
            if add:
                v[rows, u] = v[rows, u] + val
            else:
                v[rows, u] = val
    return v


def run_direction(x, w, layer, backward, edits):
    T, B, _ = x.shape
    H = w["W_hh"].shape[1]
    gate, cell = ref.GATES[layer["gate"]], ref.CELLS[layer["cell"]]
    clip = layer.get("clip", 0.0)
    cut = (lambda v: torch.clamp(v, -clip, clip)) if clip > 0 else (lambda v: v)
    p_i, p_f, p_o = w["peephole"].split(H) if "peephole" in w else (0.0, 0.0, 0.0)
    h = torch.zeros(B, H)
    c = torch.zeros(B, H)
    out = {k: [None] * T for k in QUANTITIES}
    for t in (range(T - 1, -1, -1) if backward else range(T)):
        z = x[t] @ w["W_ih"].T + w["b_ih"] + h @ w["W_hh"].T + w["b_hh"]
        zi, zf, zg, zo = z.split(H, dim=1)
        i = edited(gate(cut(zi + p_i * c)), "i", t, edits)
        f = gate(cut(zf + p_f * c))
        if layer.get("coupled"):
            f = 1 - i  # the coupled forget gate follows the replaced input gate
        f = edited(f, "f", t, edits)
        g = edited(cell(cut(zg)), "g", t, edits)
        c = edited(f * c + i * g, "c", t, edits)
        o = edited(gate(cut(zo + p_o * c)), "o", t, edits)  # o's peephole sees the replaced c
        h = edited(o * cell(c), "h", t, edits)  # h from the replaced c
        for k, v in zip(QUANTITIES, (i, f, g, o, c, h)):
            out[k][t] = v
    return {k: torch.stack(v) for k, v in out.items()}  # (T, B, H)


def run_model(m, x0, edits_by_dir):
    """x0: (T, B, D). edits_by_dir[(L, dirname)] = edits. Returns (states[L][d], logits (T|1, B, K) or None)."""
    x = x0
    states = []
    for L, layer in enumerate(m["layers"]):
        dirs = [run_direction(x, w, layer, ref.runs_backward(layer, d),
                              edits_by_dir.get((L, ref.dir_name(layer, d)), []))
                for d, w in enumerate(layer["dirs"])]
        states.append(dirs)
        x = torch.cat([dd["h"] for dd in dirs], dim=2)
    head = m.get("head")
    if head is None:
        return states, None
    a = x if head["reads"] == "each_step" else ref.final_states(m["layers"][-1], x).unsqueeze(0)
    for p in head["pre"]:
        a = ref.DENSE[p["activation"]](a @ p["weight"].T + p["bias"])
    return states, a @ head["weight"].T + head["bias"]


def score_of(m, logits, states, target):
    """target: ("logit"|"logprob", step, output) or ("unit", step, L, dirname, q, u). Per batch column."""
    if target[0] == "unit":
        _, t, L, dn, q, u = target
        d = [ref.dir_name(m["layers"][L], k) for k in range(len(m["layers"][L]["dirs"]))].index(dn)
        return states[L][d][q][t, :, u]
    kind, t, k = target
    row = logits[0] if m["head"]["reads"] == "final_states" else logits[t]
    if kind == "logit":
        return row[:, k]
    act = m["head"]["activation"]
    return (torch.log_softmax(row, -1) if act == "softmax" else torch.nn.functional.logsigmoid(row))[:, k]


def inputs(m, tokens, batch):
    V = len(mc.VOCAB)
    t = torch.tensor(tokens)
    x = m["embedding"][t] if "embedding" in m else torch.nn.functional.one_hot(t, V).double()
    return x.detach().unsqueeze(1).expand(-1, batch, -1).contiguous()


def text_of(tokens):
    return "".join(mc.VOCAB[k] for k in tokens)


# ---------------------------------------------------------------- the checks
def close(ours, theirs, rtol, atol):
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    if ours.shape != theirs.shape:
        return False, f"shape {ours.shape} vs {theirs.shape}"
    err = np.abs(ours - theirs) - (atol + rtol * np.abs(theirs))
    worst = float(np.max(err)) if err.size else -1.0
    return worst <= 0, f"worst excess {worst:.3g}, max |diff| {float(np.max(np.abs(ours - theirs))) if err.size else 0:.3g}"


def random_specs(m, T, rng, count):
    specs = []
    for _ in range(count):
        L = int(rng.integers(len(m["layers"])))
        layer = m["layers"][L]
        dn = ref.dir_name(layer, int(rng.integers(len(layer["dirs"]))))
        H = layer["dirs"][0]["W_hh"].shape[1]
        q = QUANTITIES[int(rng.integers(6))]
        units = sorted(set(int(u) for u in rng.integers(H, size=int(rng.integers(1, 3)))))
        a = int(rng.integers(T))
        b = a + 1 + int(rng.integers(T - a))
        steps = "" if rng.random() < 0.3 else f"@{a}:{b}"
        kind = rng.integers(4)
        # Python's repr is the shortest text that reads back exactly, as /interventions stores it.
        value = ["zero", "mean", f"add:{round(rng.uniform(-1, 1), 6)!r}", f"{round(rng.uniform(-1.5, 1.5), 6)!r}"][kind]
        specs.append((f"{L}/{dn}/{q}:{','.join(map(str, units))}{steps}={value}", L, dn, q, units,
                      (a, b) if steps else (0, T), value))
    return specs


def edits_of(m, specs, plain_states, T_total):
    """The specs as edits; `mean` over the plain run's steps."""
    by_dir = {}
    for (_, L, dn, q, units, (a, b), value) in specs:
        d = [ref.dir_name(m["layers"][L], k) for k in range(len(m["layers"][L]["dirs"]))].index(dn)
        for u in units:
            if value == "zero":
                add, val = False, 0.0
            elif value == "mean":
                add, val = False, float(plain_states[L][d][q][:, 0, u].mean())
            elif value.startswith("add:"):
                add, val = True, float(value[4:])
            else:
                add, val = False, float(value)
            end = b if b != -1 else T_total
            by_dir.setdefault((L, dn), []).append((q, u, a, end, add, val, None))
    return by_dir


def check_intervene(k, d, m, tokens, rng):
    T = len(tokens)
    x = inputs(m, tokens, 1)
    plain_states, _ = run_model(m, x, {})
    specs = random_specs(m, T, rng, 3)
    states, logits = run_model(m, x, edits_of(m, specs, plain_states, T))
    out = os.path.join(d, "intervened.h5")
    cli("intervene", "--model", os.path.join(d, "model.h5"), "--text", text_of(tokens), "--precision", "double",
        "--out", out, "--quiet", *sum((["--set", s[0]] for s in specs), []))
    with h5py.File(out, "r") as f:
        stored = [s.decode() if isinstance(s, bytes) else s for s in f["interventions"][()]]
        check(stored == [s[0] for s in specs], f"case {k}: /interventions {stored}")
        for L, layer in enumerate(m["layers"]):
            for dd in range(len(layer["dirs"])):
                dn = ref.dir_name(layer, dd)
                for q in QUANTITIES:
                    ok, how = close(f[f"layers/{L}/{dn}/{q}"][()], states[L][dd][q][:, 0, :].detach().numpy(),
                                    2e-7, 2e-7)
                    check(ok, f"case {k}: intervene {L}/{dn}/{q} under {[s[0] for s in specs]}: {how}")
        if logits is not None:
            ok, how = close(f["outputs/logits"][()], logits[:, 0, :].detach().numpy(), 2e-7, 2e-7)
            check(ok, f"case {k}: intervened logits: {how}")
    # Adding zero everywhere changes nothing, bit for bit.
    L = len(m["layers"]) - 1
    dn = ref.dir_name(m["layers"][L], 0)
    noop = os.path.join(d, "noop.h5")
    plain = os.path.join(d, "plain.h5")
    cli("intervene", "--model", os.path.join(d, "model.h5"), "--text", text_of(tokens), "--out", noop, "--quiet",
        "--set", f"0/{ref.dir_name(m['layers'][0], 0)}/c:0=add:0", "--set", f"{L}/{dn}/h:0=add:0")
    cli("record", "--model", os.path.join(d, "model.h5"), "--text", text_of(tokens), "--out", plain, "--quiet")
    with h5py.File(noop, "r") as a, h5py.File(plain, "r") as b:
        for L, layer in enumerate(m["layers"]):
            for dd in range(len(layer["dirs"])):
                dn = ref.dir_name(layer, dd)
                for q in QUANTITIES:
                    check(np.array_equal(a[f"layers/{L}/{dn}/{q}"][()], b[f"layers/{L}/{dn}/{q}"][()]),
                          f"case {k}: add:0 changed {L}/{dn}/{q}")


def target_args(m, T, rng):
    """A random target, as CLI options and as score_of's tuple."""
    t = int(rng.integers(T))
    if "head" not in m or rng.random() < 0.25:
        L = int(rng.integers(len(m["layers"])))
        dn = ref.dir_name(m["layers"][L], int(rng.integers(len(m["layers"][L]["dirs"]))))
        q = QUANTITIES[int(rng.integers(6))]
        u = int(rng.integers(m["layers"][L]["dirs"][0]["W_hh"].shape[1]))
        return ["--target-step", str(t), "--target-unit", f"{q}:{L}/{dn}/{u}"], ("unit", t, L, dn, q, u)
    K = m["head"]["weight"].shape[0]
    k = int(rng.integers(K))
    kind = "logit" if m["head"]["activation"] == "linear" or rng.random() < 0.4 else "logprob"
    return ["--target-step", str(t), "--target", str(k), "--score", kind], (kind, t, k)


def check_ablate(k, d, m, tokens, rng):
    T = len(tokens)
    L = int(rng.integers(len(m["layers"])))
    layer = m["layers"][L]
    dd = int(rng.integers(len(layer["dirs"])))
    dn = ref.dir_name(layer, dd)
    H = layer["dirs"][0]["W_hh"].shape[1]
    q = QUANTITIES[int(rng.integers(6))]
    a = int(rng.integers(T // 2))
    b = a + 1 + int(rng.integers(T - a))
    value = "mean" if rng.random() < 0.5 else "zero"
    options, target = target_args(m, T, rng)
    plain_states, plain_logits = run_model(m, inputs(m, tokens, 1), {})
    score = float(score_of(m, plain_logits, plain_states, target)[0])
    fill = [float(plain_states[L][dd][q][:, 0, u].mean()) if value == "mean" else 0.0 for u in range(H)]
    # The sweep: unit u ablated over [a, b) in batch column u.
    edits = {(L, dn): [(q, u, a, b, False, fill[u], u) for u in range(H)]}
    states, logits = run_model(m, inputs(m, tokens, H), edits)
    effects = (score_of(m, logits, states, target) - score).detach().numpy()
    print(f"  case {k}: ablating {L}/{dn}/{q}@{a}:{b}={value} moves {target} by up to {np.abs(effects).max():.3g}")
    base = [os.path.join(d, "model.h5"), "--text", text_of(tokens), "--quantity", f"{L}/{dn}/{q}", "--steps",
            f"{a}:{b}", "--value", value, *options]
    for precision, rtol in (("double", 1e-9), ("float", 1e-4)):
        out = os.path.join(d, f"ablate_{precision}.json")
        cli("ablate", "--model", *base, "--precision", precision, "--out", out)
        j = json.load(open(out))
        scale = 1 + abs(score)
        ok, how = close(j["score"], score, 0, rtol * scale)
        check(ok, f"case {k}: ablate {precision} score {j['score_kind']}: {how}")
        ok, how = close(j["effects"], effects, 0, rtol * scale)
        check(ok, f"case {k}: ablate {precision} {L}/{dn}/{q}@{a}:{b}={value} on {target}: {how}")
        check(j["ablated_to"] == [] or close(j["ablated_to"], fill, 1e-6, 1e-9)[0], f"case {k}: ablated_to")
    # The map: unit u at step t only.
    a2, b2 = max(0, T - 4), T
    runs = [(t, u) for t in range(a2, b2) for u in range(H)]
    edits = {(L, dn): [(q, u, t, t + 1, False, fill[u], col) for col, (t, u) in enumerate(runs)]}
    states, logits = run_model(m, inputs(m, tokens, len(runs)), edits)
    flat = (score_of(m, logits, states, target) - score).detach().numpy()
    expected = flat.reshape(b2 - a2, H)
    out = os.path.join(d, "ablate_map.json")
    base[base.index("--steps") + 1] = f"{a2}:{b2}"
    cli("ablate", "--model", *base, "--precision", "double", "--map", "--out", out)
    ok, how = close(json.load(open(out))["effect_map"], expected, 0, 1e-9 * (1 + abs(score)))
    check(ok, f"case {k}: ablate --map {L}/{dn}/{q} on {target}: {how}")


def check_patch(k, d, m, tokens, rng):
    T = len(tokens)
    corrupt = list(tokens)
    for pos in rng.choice(T, size=max(1, T // 4), replace=False):
        corrupt[pos] = (corrupt[pos] + 1 + int(rng.integers(len(mc.VOCAB) - 1))) % len(mc.VOCAB)
    L = int(rng.integers(len(m["layers"])))
    layer = m["layers"][L]
    dd = int(rng.integers(len(layer["dirs"])))
    dn = ref.dir_name(layer, dd)
    H = layer["dirs"][0]["W_hh"].shape[1]
    q = "ch"[int(rng.integers(2))] if rng.random() < 0.7 else QUANTITIES[int(rng.integers(4))]
    options, target = target_args(m, T, rng)
    clean_states, clean_logits = run_model(m, inputs(m, tokens, 1), {})
    corrupt_states, corrupt_logits = run_model(m, inputs(m, corrupt, 1), {})
    clean_score = float(score_of(m, clean_logits, clean_states, target)[0])
    corrupt_score = float(score_of(m, corrupt_logits, corrupt_states, target)[0])
    if abs(clean_score - corrupt_score) < 1e-6:
        return  # nothing to restore: the command says so (checked by the CLI tests)
    runs = [(t, u) for t in range(T) for u in range(H)]
    source = clean_states[L][dd][q][:, 0, :]
    edits = {(L, dn): [(q, u, t, t + 1, False, float(source[t, u]), col) for col, (t, u) in enumerate(runs)]}
    states, logits = run_model(m, inputs(m, corrupt, len(runs)), edits)
    patched = score_of(m, logits, states, target).detach().numpy()
    expected = ((patched - corrupt_score) / (clean_score - corrupt_score)).reshape(T, H)
    out = os.path.join(d, "patch.json")
    cli("patch", "--model", os.path.join(d, "model.h5"), "--clean", text_of(tokens), "--corrupt", text_of(corrupt),
        "--quantity", f"{L}/{dn}/{q}", "--precision", "double", "--out", out, *options)
    j = json.load(open(out))
    tol = 1e-9 * (1 + abs(clean_score) + abs(corrupt_score)) / abs(clean_score - corrupt_score)
    check(close(j["clean_score"], clean_score, 0, 1e-9 * (1 + abs(clean_score)))[0], f"case {k}: patch clean score")
    check(close(j["corrupt_score"], corrupt_score, 0, 1e-9 * (1 + abs(corrupt_score)))[0], f"case {k}: corrupt score")
    ok, how = close(j["restored"], expected, 0, tol)
    check(ok, f"case {k}: patch {L}/{dn}/{q} on {target}: {how}")


def check_generate(k, d, m, tokens, rng):
    N = 12
    prompt = tokens[:5]
    specs = random_specs(m, len(prompt) + N, rng, 2)
    x = inputs(m, prompt, 1)
    plain_states, _ = run_model(m, x, {})
    # `mean` is over the prompt's plain run; a spec without @A:B holds over every generated token.
    specs = [(s[0], s[1], s[2], s[3], s[4], s[5] if "@" in s[0] else (0, len(prompt) + N), s[6]) for s in specs]

    def greedy(edits):
        seq = list(prompt)
        for _ in range(N):
            states, logits = run_model(m, inputs(m, seq, 1), edits)
            seq.append(int(torch.argmax(logits[-1, 0])))
        return seq[len(prompt):]

    expected_plain = greedy({})
    expected_iv = greedy(edits_of(m, specs, plain_states, len(prompt) + N))
    out = os.path.join(d, "generate.json")
    cli("generate", "--model", os.path.join(d, "model.h5"), "--prompt", text_of(prompt), "--tokens", str(N),
        "--precision", "double", "--out", out, *sum((["--set", s[0]] for s in specs), []))
    j = json.load(open(out))
    check(j["plain"]["tokens"] == expected_plain, f"case {k}: plain generation {j['plain']['tokens']} vs {expected_plain}")
    check(j["intervened"]["tokens"] == expected_iv,
          f"case {k}: generation under {[s[0] for s in specs]}: {j['intervened']['tokens']} vs {expected_iv}")


def main():
    rng = np.random.default_rng(2026)
    os.makedirs(WORK, exist_ok=True)
    for index, T in CASES:
        case = dict(mc.CASES[index], T=T)
        d = os.path.join(WORK, f"case_{index}")
        os.makedirs(d, exist_ok=True)
        built = mc.build(case, rng)
        mc.write_model(os.path.join(d, "model.h5"), case, built)
        m, _ = mc.as_float32_values(built)
        m = {k: v for k, v in m.items()}
        for layer in m["layers"]:
            for w in layer["dirs"]:
                for name in list(w):
                    w[name] = w[name].detach()
        if "embedding" in m:
            m["embedding"] = m["embedding"].detach()
        if "head" in m:
            for p in m["head"]["pre"]:
                p["weight"], p["bias"] = p["weight"].detach(), p["bias"].detach()
            m["head"]["weight"], m["head"]["bias"] = m["head"]["weight"].detach(), m["head"]["bias"].detach()
        tokens = [int(t) for t in rng.integers(len(mc.VOCAB), size=T)]
        with torch.no_grad():
            check_intervene(index, d, m, tokens, rng)
            check_ablate(index, d, m, tokens, rng)
            check_patch(index, d, m, tokens, rng)
            lm = m.get("head", {}).get("reads") == "each_step" and m["head"]["weight"].shape[0] == len(mc.VOCAB) \
                and not any(len(l["dirs"]) == 2 or l["reverse"] for l in m["layers"])
            if lm:
                check_generate(index, d, m, tokens, rng)
        print(f"case {index}: {case['layers']} layer(s) {case['hidden']} bidi={case['bidi']} head={case['head']} "
              f"gate={case['gate']} peepholes={case.get('peepholes', False)} clip={case.get('clip', 0)} "
              f"coupled={case.get('coupled', False)} reverse={case.get('reverse')}{' +generate' if lm else ''}")
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("all intervention checks agree with the float64 PyTorch reference")


main()
