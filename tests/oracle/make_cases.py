"""Generates oracle cases for the C++ tests: random models in the native model schema (written with h5py,
independently of our writer) and float64 references computed with PyTorch.

usage: /usr/bin/python3 make_cases.py OUTDIR
Each case k writes OUTDIR/case_k/model.h5 and OUTDIR/case_k/reference.h5.

The cases are seeded, so they depend only on this folder's scripts and the versions of torch, numpy and h5py.
OUTDIR keeps a fingerprint of those: a second build of the tests (CI's release and sanitizer passes share
OUTDIR) reuses the cases instead of spending a minute and a half making the same files again. A fresh set is
made in a sibling folder and moved into place whole, so a run that is killed never leaves half a set behind.
"""
import hashlib
import os
import shutil
import sys

import h5py
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lstm_reference as ref  # noqa: E402
import lrp_reference  # noqa: E402

torch.set_default_dtype(torch.float64)
STR = h5py.string_dtype("utf-8")

# (layers, hidden sizes, bidirectional, input kind, head, gate, cell, steps, weight scale)
CASES = [
    dict(layers=1, hidden=[5], bidi=False, input="onehot", head="each_softmax", gate="sigmoid", cell="tanh", T=17, scale=1.0),
    dict(layers=2, hidden=[7, 3], bidi=False, input="embedding", head="each_softmax", gate="sigmoid", cell="tanh", T=1, scale=1.0),
    dict(layers=2, hidden=[9, 11], bidi=True, input="embedding", head="final_pre", gate="sigmoid", cell="tanh", T=23, scale=1.5),
    dict(layers=3, hidden=[13, 5, 7], bidi=True, input="features", head="each_sigmoid", gate="sigmoid", cell="tanh", T=41, scale=1.0),
    dict(layers=1, hidden=[6], bidi=False, input="features", head="none", gate="hard_sigmoid", cell="tanh", T=30, scale=2.0),
    dict(layers=2, hidden=[8, 8], bidi=False, input="onehot", head="each_linear", gate="hard_sigmoid_keras3", cell="tanh", T=29, scale=3.0),
    dict(layers=1, hidden=[10], bidi=False, input="embedding", head="each_softmax", gate="sigmoid", cell="tanh", T=1000, scale=4.0),  # saturating
    dict(layers=2, hidden=[31, 17], bidi=True, input="onehot", head="final_pre", gate="sigmoid", cell="tanh", T=257, scale=1.0),
    dict(layers=1, hidden=[4], bidi=True, input="features", head="each_softmax", gate="sigmoid", cell="relu", T=12, scale=0.7),
    dict(layers=3, hidden=[12, 12, 12], bidi=False, input="embedding", head="each_softmax", gate="sigmoid", cell="tanh", T=600, scale=2.5),
    # Wide enough that the engine splits each step across two cores (odd sizes: uneven halves).
    dict(layers=2, hidden=[131, 130], bidi=False, input="embedding", head="each_softmax", gate="sigmoid", cell="tanh", T=60, scale=1.0),
    dict(layers=1, hidden=[129], bidi=True, input="onehot", head="final_pre", gate="hard_sigmoid", cell="tanh", T=45, scale=2.0),
    # ONNX variants: peephole connections, and a clip on the gates' sums (small enough to cut often).
    dict(layers=2, hidden=[6, 5], bidi=True, input="embedding", head="each_softmax", gate="sigmoid", cell="tanh", T=19,
         scale=1.5, peepholes=True),
    dict(layers=2, hidden=[7, 6], bidi=False, input="onehot", head="each_softmax", gate="sigmoid", cell="tanh", T=25,
         scale=3.0, peepholes=True, clip=1.2),
    dict(layers=1, hidden=[5], bidi=False, input="features", head="each_linear", gate="hard_sigmoid", cell="tanh", T=15,
         scale=2.0, clip=0.8),
    # ONNX input_forget: the forget gate is 1 - i (with peepholes, which it then ignores for f).
    dict(layers=2, hidden=[6, 4], bidi=True, input="embedding", head="each_softmax", gate="sigmoid", cell="tanh", T=21,
         scale=2.0, peepholes=True, coupled=True),
    # Reverse layers (ONNX direction "reverse", Keras go_backwards): one direction from the last step, under a
    # forward layer; and last, read by a final-states head at step 0, with peepholes and a clip.
    dict(layers=2, hidden=[6, 5], bidi=False, reverse=[True, False], input="embedding", head="each_softmax",
         gate="sigmoid", cell="tanh", T=19, scale=1.5),
    dict(layers=2, hidden=[5, 4], bidi=False, reverse=[False, True], input="onehot", head="final_pre",
         gate="sigmoid", cell="tanh", T=23, scale=2.0, peepholes=True, clip=1.5),
    # Heads that pool every step (Keras' AttentionWeightedAverage with its epsilon, GlobalMaxPooling1D,
    # GlobalAveragePooling1D), reading skip connections: the embedding or features and earlier layers.
    dict(layers=2, hidden=[6, 5], bidi=False, input="embedding", head="attention_pool", sources=[0, 1, 2],
         epsilon=1e-7, gate="sigmoid", cell="tanh", T=17, scale=2.0),
    dict(layers=2, hidden=[5, 4], bidi=True, input="embedding", head="max_pool", sources=[1, 2], gate="sigmoid",
         cell="tanh", T=14, scale=1.5),
    dict(layers=1, hidden=[7], bidi=False, input="features", head="average_pool", sources=[0, 1], gate="sigmoid",
         cell="tanh", T=11, scale=1.5),
]
POOLING = ("attention_pool", "max_pool", "average_pool")
VOCAB = [chr(c) for c in range(ord("a"), ord("a") + 19)] + ["\u00e9", "\u4e2d", " "]


def rnd(rng, *shape, scale=1.0):
    return torch.tensor(rng.uniform(-scale, scale, size=shape))


def build(case, rng):
    V = len(VOCAB)
    m = {"layers": []}
    if case["input"] == "embedding":
        m["embedding"] = torch.tensor(rng.normal(size=(V, 6)))
        width = 6
    elif case["input"] == "onehot":
        width = V
    else:
        m["dim"] = 5
        width = 5
    widths = [width]  # of each layer input: [0] layer 0's, [l + 1] layer l's output
    for L in range(case["layers"]):
        H = case["hidden"][L]
        s = case["scale"] / np.sqrt(H)
        dirs = []
        for _ in range(2 if case["bidi"] else 1):
            dirs.append({"W_ih": rnd(rng, 4 * H, width, scale=s * 2), "W_hh": rnd(rng, 4 * H, H, scale=s * 2),
                         "b_ih": rnd(rng, 4 * H, scale=s), "b_hh": rnd(rng, 4 * H, scale=s)})
            if case.get("peepholes"):
                dirs[-1]["peephole"] = rnd(rng, 3 * H, scale=1.0)
        m["layers"].append({"dirs": dirs, "gate": case["gate"], "cell": case["cell"], "clip": case.get("clip", 0.0),
                            "coupled": case.get("coupled", False),
                            "reverse": case.get("reverse", [False] * case["layers"])[L]})
        width = H * len(dirs)
        widths.append(width)
    kind = case["head"]
    if kind != "none":
        head = {"pre": [], "reads": kind if kind in POOLING else "final_states" if kind.startswith("final")
                else "each_step"}
        head["activation"] = {"each_softmax": "softmax", "each_sigmoid": "sigmoid", "each_linear": "linear",
                              "final_pre": "softmax", "attention_pool": "softmax", "max_pool": "sigmoid",
                              "average_pool": "linear"}[kind]
        if kind in POOLING:
            head["sources"] = case["sources"]
            width = sum(widths[k] for k in case["sources"])
            if kind == "attention_pool":
                head["attention"] = rnd(rng, width, scale=1.5)
                head["epsilon"] = case["epsilon"]
                head["pre"].append({"weight": rnd(rng, 6, width), "bias": rnd(rng, 6), "activation": "tanh"})
                width = 6
        if kind == "final_pre":
            head["pre"].append({"weight": rnd(rng, 7, width), "bias": rnd(rng, 7), "activation": "tanh"})
            head["pre"].append({"weight": rnd(rng, 5, 7), "bias": rnd(rng, 5), "activation": "relu"})
            width = 5
        K = V if kind == "each_softmax" and case["input"] != "features" else 4
        head["weight"] = rnd(rng, K, width, scale=1.0)
        head["bias"] = rnd(rng, K)
        m["head"] = head
    return m


def f32(t):
    return t.detach().numpy().astype(np.float32)


def write_model(path, case, m):
    with h5py.File(path, "w") as f:
        f.attrs["lstmscope_format"] = "model"
        f.attrs["lstmscope_version"] = np.int64(1)
        f.attrs["name"] = "oracle"
        f.attrs["task"] = "language_model"
        g = f.create_group("input")
        if case["input"] == "features":
            g.attrs["kind"] = "features"
            g.attrs["dim"] = np.int64(m["dim"])
        else:
            g.attrs["kind"] = "tokens"
            g.attrs["level"] = "char"
            g.attrs["lowercase"] = np.int64(0)
            g.attrs["unk"] = ""
            g.create_dataset("vocab", data=np.array(VOCAB, dtype=object), dtype=STR)
            if "embedding" in m:
                g.create_dataset("embedding", data=f32(m["embedding"]))
        for L, layer in enumerate(m["layers"]):
            lg = f.create_group(f"lstm/{L}")
            lg.attrs["gate_activation"] = layer["gate"]
            lg.attrs["cell_activation"] = layer["cell"]
            if layer["clip"] > 0:
                lg.attrs["clip"] = float(layer["clip"])
            if layer["coupled"]:
                lg.attrs["coupled_forget"] = np.int64(1)
            for d, w in enumerate(layer["dirs"]):
                for k in ("W_ih", "W_hh", "b_ih", "b_hh", "peephole"):
                    if k in w:
                        lg.create_dataset(f"{ref.dir_name(layer, d)}/{k}", data=f32(w[k]))
        if "head" in m:
            h = m["head"]
            hg = f.create_group("head")
            hg.attrs["activation"] = h["activation"]
            hg.attrs["reads"] = h["reads"]
            for k, p in enumerate(h["pre"]):
                pg = hg.create_group(f"pre/{k}")
                pg.attrs["activation"] = p["activation"]
                pg.create_dataset("weight", data=f32(p["weight"]))
                pg.create_dataset("bias", data=f32(p["bias"]))
            hg.create_dataset("weight", data=f32(h["weight"]))
            hg.create_dataset("bias", data=f32(h["bias"]))
            if "sources" in h:
                hg.create_dataset("sources", data=np.array(h["sources"], dtype=np.int32))
            if "attention" in h:
                hg.create_dataset("attention", data=f32(h["attention"]))
                hg.attrs["attention_epsilon"] = float(h["epsilon"])


def as_float32_values(m):
    """The model as the file stores it (float32 values), promoted to float64 leaf tensors."""
    def leaf(t):
        return torch.tensor(t.detach().numpy().astype(np.float32).astype(np.float64), requires_grad=True)
    out = {"layers": []}
    params = {}
    if "embedding" in m:
        out["embedding"] = params["input/embedding"] = leaf(m["embedding"])
    for L, layer in enumerate(m["layers"]):
        dirs = []
        for d, w in enumerate(layer["dirs"]):
            nw = {k: leaf(w[k]) for k in w}
            for k in nw:
                params[f"lstm/{L}/{ref.dir_name(layer, d)}/{k}"] = nw[k]
            dirs.append(nw)
        out["layers"].append({"dirs": dirs, "gate": layer["gate"], "cell": layer["cell"],
                              "clip": float(np.float32(layer["clip"])), "coupled": layer["coupled"],
                              "reverse": layer["reverse"]})
    if "head" in m:
        h = dict(m["head"])
        h["pre"] = []
        for k, p in enumerate(m["head"]["pre"]):
            np_ = {"weight": leaf(p["weight"]), "bias": leaf(p["bias"]), "activation": p["activation"]}
            params[f"head/pre/{k}/weight"], params[f"head/pre/{k}/bias"] = np_["weight"], np_["bias"]
            h["pre"].append(np_)
        h["weight"], h["bias"] = leaf(m["head"]["weight"]), leaf(m["head"]["bias"])
        params["head/weight"], params["head/bias"] = h["weight"], h["bias"]
        if "attention" in h:
            h["attention"] = params["head/attention"] = leaf(m["head"]["attention"])
        out["head"] = h
    return out, params


def check_against_nn_lstm(m, x0, states):
    """Where nn.LSTM applies (sigmoid/tanh), the manual reference must agree with it."""
    layers = m["layers"]
    if any(l["gate"] != "sigmoid" or l["cell"] != "tanh" or l["clip"] > 0 or l["coupled"] or l["reverse"]
           or "peephole" in l["dirs"][0] for l in layers):
        return
    sizes = {l["dirs"][0]["W_hh"].shape[1] for l in layers}
    if len(sizes) != 1:  # nn.LSTM needs one hidden size; check layer by layer instead
        pass
    x = x0
    for L, layer in enumerate(layers):
        H = layer["dirs"][0]["W_hh"].shape[1]
        lstm = torch.nn.LSTM(x.shape[2], H, bidirectional=len(layer["dirs"]) == 2).double()
        with torch.no_grad():
            for d, w in enumerate(layer["dirs"]):
                sfx = "_reverse" if d == 1 else ""
                getattr(lstm, "weight_ih_l0" + sfx).copy_(w["W_ih"])
                getattr(lstm, "weight_hh_l0" + sfx).copy_(w["W_hh"])
                getattr(lstm, "bias_ih_l0" + sfx).copy_(w["b_ih"])
                getattr(lstm, "bias_hh_l0" + sfx).copy_(w["b_hh"])
            y, _ = lstm(x)
        mine = torch.cat([torch.stack(dd["h"]) for dd in states[L]], dim=2)
        err = (y - mine).abs().max().item()
        assert err < 1e-10, f"manual reference disagrees with nn.LSTM by {err}"
        x = mine.detach()


def make_case(k, case, outdir, rng):
    m = build(case, rng)
    d = os.path.join(outdir, f"case_{k}")
    os.makedirs(d, exist_ok=True)
    write_model(os.path.join(d, "model.h5"), case, m)
    mm, params = as_float32_values(m)
    T, V = case["T"], len(VOCAB)
    if case["input"] == "features":
        feats = rng.normal(size=(T, m["dim"])).astype(np.float32)
        x0 = torch.tensor(feats.astype(np.float64)).unsqueeze(1).requires_grad_(True)
        tokens = None
    else:
        tokens = rng.integers(0, V, size=T)
        if "embedding" in mm:
            x0 = mm["embedding"][torch.tensor(tokens)].unsqueeze(1)
            x0.retain_grad()
        else:
            x0 = torch.nn.functional.one_hot(torch.tensor(tokens), V).double().unsqueeze(1).requires_grad_(True)
    states, last, logits = ref.run_model(mm, x0)
    check_against_nn_lstm(mm, x0.detach(), states)
    out = logits if logits is not None else last
    w = torch.tensor(rng.normal(size=tuple(out.shape)))
    score = (w * out).sum()
    score.backward()
    with h5py.File(os.path.join(d, "reference.h5"), "w") as f:
        f.attrs["steps"] = np.int64(T)
        f.attrs["has_head"] = np.int64(logits is not None)
        if tokens is not None:
            f.create_dataset("tokens", data=tokens.astype(np.int32))
        else:
            f.create_dataset("features", data=feats)
        for L, dirs in enumerate(states):
            for dd, st in enumerate(dirs):
                name = ref.dir_name(mm["layers"][L], dd)
                for q in "ifgoch":
                    f.create_dataset(f"layers/{L}/{name}/{q}", data=torch.stack([s[0] for s in st[q]]).detach().numpy())
                for q in "ch":
                    f.create_dataset(f"grad/layers/{L}/{name}/{q}", data=torch.stack([s.grad[0] for s in st[q]]).numpy())
        if logits is not None:
            f.create_dataset("logits", data=logits[:, 0, :].detach().numpy())
            act = mm["head"]["activation"]
            probs = {"softmax": lambda z: torch.softmax(z, -1), "sigmoid": torch.sigmoid, "linear": lambda z: z}[act](logits)
            f.create_dataset("probs", data=probs[:, 0, :].detach().numpy())
        f.create_dataset("score_weights", data=w[:, 0, :].numpy())
        f.create_dataset("grad/input", data=x0.grad[:, 0, :].numpy())
        for name, p in params.items():
            f.create_dataset("grad/params/" + name, data=p.grad.numpy())
    if tokens is not None and logits is not None and T <= 300:
        vectors = mm["embedding"][torch.tensor(tokens)] if "embedding" in mm else \
            torch.nn.functional.one_hot(torch.tensor(tokens), V).double()
        write_attribution_reference(os.path.join(d, "reference.h5"), mm, vectors.detach().clone(), tokens, case)


IG_RULES = ["left", "right", "midpoint", "trapezoid", "gausslegendre"]
IG_STEPS = [7, 16]
OCCLUSION_WINDOWS = [1, 3]


def quadrature(rule, n):
    """Written from ATTRIBUTION.md, independently of core/attribution/quadrature.cpp (numpy's leggauss)."""
    if rule == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(n)
        return (nodes + 1) / 2, weights / 2
    if rule == "trapezoid":
        a = np.arange(n + 1) / n
        w = np.full(n + 1, 1.0 / n)
        w[0] = w[-1] = 0.5 / n
        return a, w
    offset = {"left": 0.0, "right": 1.0, "midpoint": 0.5}[rule]
    return (np.arange(n) + offset) / n, np.full(n, 1.0 / n)


def write_attribution_reference(path, mm, x, tokens, case):
    """Saliency, gradient x input, IG (every rule, two step counts, two baselines) and occlusion of one logit,
    by straightforward autograd on the manual reference (ATTRIBUTION.md)."""
    head = mm["head"]
    final = head["reads"] != "each_step"
    T, V = x.shape[0], len(VOCAB)
    K = head["weight"].shape[0]
    step = T - 1 if final else T // 2
    col = 0 if final else step

    def logits_of(X):  # X: (T, B, E) -> logits at the target column, (B, K)
        return ref.run_model(mm, X)[2][col]

    # (run_model keeps gradients of its states, so no torch.no_grad() here; values are detached instead)
    plain = logits_of(x.unsqueeze(1))[0].detach()
    if not final and K == V and step + 1 < T:
        output = int(tokens[step + 1])  # a language model's default: the actual next token
    else:
        output = int(torch.argmax(plain))

    def score(X):
        return logits_of(X)[:, output]

    X = x.clone().unsqueeze(1).requires_grad_(True)
    states, _, all_logits = ref.run_model(mm, X)
    F = all_logits[col][:, output]
    F.sum().backward()
    g = X.grad[:, 0, :]
    baselines = {"zero": torch.zeros_like(x)}
    if "embedding" in mm:
        baselines["token0"] = mm["embedding"][0].detach().expand_as(x).clone()
    else:
        baselines["token0"] = torch.nn.functional.one_hot(torch.zeros(T, dtype=torch.long), V).double()
    with h5py.File(path, "a") as f:
        a = f.create_group("attribution")
        a.attrs["target_step"] = np.int64(step)
        a.attrs["target_output"] = np.int64(output)
        a.attrs["score"] = float(F.item())
        a.create_dataset("grad", data=g.numpy())
        a.create_dataset("saliency", data=g.norm(dim=1).numpy())
        a.create_dataset("gradxinput", data=(g * x).sum(1).numpy())
        # Attribution to hidden units: gradient x activation on every h_t and c_t (T, H).
        for L, dirs in enumerate(states):
            for dd, st in enumerate(dirs):
                name = ref.dir_name(mm["layers"][L], dd)
                for q in "ch":
                    values = torch.stack([s_[0] for s_ in st[q]]).detach()
                    grads = torch.stack([s_.grad[0] for s_ in st[q]])
                    a.create_dataset(f"units/{L}/{name}/{q}", data=(values * grads).numpy())
        for bname, base in baselines.items():
            base_score = score(base.unsqueeze(1))[0].item()
            for rule in IG_RULES:
                for n in IG_STEPS:
                    alphas, weights = quadrature(rule, n)
                    path_ = torch.stack([base + al * (x - base) for al in alphas], dim=1).requires_grad_(True)
                    (score(path_) * torch.tensor(weights)).sum().backward()
                    attr = ((x - base) * path_.grad.sum(1)).sum(1)
                    ds = a.create_dataset(f"ig/{bname}/{rule}_{n}", data=attr.numpy())
                    ds.attrs["delta"] = float(attr.sum().item() - (F.item() - base_score))
            for w in OCCLUSION_WINDOWS:
                w_ = min(w, T)
                total, count = np.zeros(T), np.zeros(T)
                occluded = x.unsqueeze(1).repeat(1, T - w_ + 1, 1)  # one sequence per window position
                for p in range(T - w_ + 1):
                    occluded[p:p + w_, p] = base[p:p + w_]
                drops = F.item() - score(occluded).detach().numpy()
                for p in range(T - w_ + 1):
                    total[p:p + w_] += drops[p]
                    count[p:p + w_] += 1
                a.create_dataset(f"occlusion/{bname}/{w}", data=total / count)
        if head["reads"] not in POOLING:  # LSTMScope's LRP refuses pooling heads (ATTRIBUTION.md)
            write_lrp_reference(a, mm, x, states, ("logit", step, output, F.item()))
        write_state_target_reference(a, mm, x)


LRP_SETTINGS = [(0.001, 0.0), (0.01, 1.0)]  # (epsilon, bias factor): the defaults, and the conservative one


def write_lrp_reference(group, mm, x, states, target):
    for eps, beta in LRP_SETTINGS:
        r, units, initial = lrp_reference.lrp(mm, x, states, target, eps, beta)
        g = group.create_group(f"lrp/eps{eps:g}_beta{beta:g}")
        g.attrs["initial_state"] = float(initial)
        g.create_dataset("input", data=r)
        for (layer, d), (rh, rc) in units.items():
            g.create_dataset(f"units/{layer}/{ref.dir_name(mm['layers'][layer], d)}/h", data=rh)
            g.create_dataset(f"units/{layer}/{ref.dir_name(mm['layers'][layer], d)}/c", data=rc)


def write_state_target_reference(group, mm, x):
    """A cell unit as the target ("what drives this cell?"): unit 1 of layer 0's forward direction at the
    middle step: its gradient, gradient x input, IG (midpoint, 16, zero baseline) and LRP."""
    T = x.shape[0]
    step, unit = T // 2, 1
    g = group.create_group("cell_target")
    g.attrs["layer"], g.attrs["direction"], g.attrs["unit"], g.attrs["step"] = 0, 0, unit, np.int64(step)

    def cell(X):
        return torch.stack([c_[:, unit] for c_ in ref.run_model(mm, X)[0][0][0]["c"]])[step]

    X = x.clone().unsqueeze(1).requires_grad_(True)
    states = ref.run_model(mm, X)[0]
    value = states[0][0]["c"][step][0, unit]
    value.backward()
    g.attrs["score"] = float(value.item())
    g.create_dataset("gradxinput", data=(X.grad[:, 0, :] * x).sum(1).numpy())
    alphas, weights = quadrature("midpoint", 16)
    path_ = torch.stack([al * x for al in alphas], dim=1).requires_grad_(True)
    (cell(path_) * torch.tensor(weights)).sum().backward()
    g.create_dataset("ig_zero_midpoint_16", data=(x * path_.grad.sum(1)).sum(1).numpy())
    write_lrp_reference(g, mm, x, states, ("cell", 0, 0, unit, step))


def make_training_case(outdir, rng):
    """One truncated-BPTT language-model step: batch of 3 streams x 9 steps with a carried-in state."""
    case = dict(layers=2, hidden=[6, 5], bidi=False, input="embedding", head="each_softmax", gate="sigmoid",
                cell="tanh", T=9, scale=1.0)
    m = build(case, rng)
    d = os.path.join(outdir, "training")
    os.makedirs(d, exist_ok=True)
    write_model(os.path.join(d, "model.h5"), case, m)
    mm, params = as_float32_values(m)
    T, B, V = 9, 3, len(VOCAB)
    tokens = rng.integers(0, V, size=(T, B))
    targets = rng.integers(0, V, size=(T, B))
    h0 = [torch.tensor(rng.uniform(-0.5, 0.5, size=(B, l["dirs"][0]["W_hh"].shape[1]))) for l in mm["layers"]]
    c0 = [torch.tensor(rng.uniform(-0.5, 0.5, size=(B, l["dirs"][0]["W_hh"].shape[1]))) for l in mm["layers"]]
    x = mm["embedding"][torch.tensor(tokens)]
    for L, layer in enumerate(mm["layers"]):
        w = layer["dirs"][0]
        st = ref.run_direction(x, w["W_ih"], w["W_hh"], w["b_ih"], w["b_hh"], "sigmoid", "tanh", False, h0[L], c0[L])
        x = torch.stack(st["h"])
    logits = x @ mm["head"]["weight"].T + mm["head"]["bias"]
    loss = torch.nn.functional.cross_entropy(logits.reshape(T * B, V), torch.tensor(targets).reshape(T * B))
    loss.backward()
    # One Adam step with clipping, as the trainer does it.
    opt_params = list(params.values())
    torch.nn.utils.clip_grad_norm_(opt_params, 0.5)
    adam = torch.optim.Adam(opt_params, lr=0.01)
    with h5py.File(os.path.join(d, "reference.h5"), "w") as f:
        f.attrs["loss"] = loss.item()
        f.create_dataset("tokens", data=tokens.astype(np.int32))
        f.create_dataset("targets", data=targets.astype(np.int32))
        for L in range(len(h0)):
            f.create_dataset(f"h0/{L}", data=h0[L].numpy())
            f.create_dataset(f"c0/{L}", data=c0[L].numpy())
        for name, p in params.items():
            f.create_dataset("grad/params/" + name, data=p.grad.numpy())
        adam.step()
        for name, p in params.items():
            f.create_dataset("after_adam/" + name, data=p.detach().numpy())


def inputs_fingerprint():
    """What the cases are made from: the generator scripts and the libraries that compute them."""
    digest = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for name in sorted(os.listdir(here)):
        if name.endswith(".py"):
            digest.update(name.encode())
            with open(os.path.join(here, name), "rb") as f:
                digest.update(f.read())
    for version in (torch.__version__, np.__version__, h5py.__version__):
        digest.update(version.encode())
    return digest.hexdigest()


def read_text(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def main():
    outdir = os.path.abspath(sys.argv[1])
    fingerprint = inputs_fingerprint()
    stamp = "inputs.sha256"
    if read_text(os.path.join(outdir, stamp)) == fingerprint and read_text(os.path.join(outdir, "cases.txt")):
        print(f"reusing the {len(CASES)} oracle cases in {outdir} (made from the same scripts and libraries)")
        return
    fresh = f"{outdir}.making-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    rng = np.random.default_rng(20261123)
    for k, case in enumerate(CASES):
        make_case(k, case, fresh, rng)
    make_training_case(fresh, rng)
    with open(os.path.join(fresh, "cases.txt"), "w") as f:
        f.write(f"{len(CASES)}\n")
    with open(os.path.join(fresh, stamp), "w") as f:
        f.write(fingerprint + "\n")
    stale = f"{outdir}.stale-{os.getpid()}"
    if os.path.exists(outdir):
        os.rename(outdir, stale)
    os.rename(fresh, outdir)
    shutil.rmtree(stale, ignore_errors=True)
    print(f"wrote {len(CASES)} oracle cases and a training step to {outdir}")


if __name__ == "__main__":
    main()
