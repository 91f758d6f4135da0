"""LRP for LSTMs (Arras et al. 2017) written the straightforward way, independently of
core/attribution/lrp.cpp: numpy, one step at a time, the authors' lrp_linear on full weight matrices
(identity matrices for the cell update, [x_t, h_{t-1}] concatenated for the g gate), as ATTRIBUTION.md
states the rules. Forward values come from lstm_reference.run_model."""
import numpy as np

from lstm_reference import runs_backward


def lrp_linear(hin, w, b, hout, r_out, bias_nb_units, eps, bias_factor):
    """hin (D,), w (D, M), b (M,), hout (M,) the full pre-activation, r_out (M,) -> relevance of hin (D,)."""
    sign_out = np.where(hout >= 0, 1.0, -1.0)
    numer = w * hin[:, None] + bias_factor * (b[None, :] + eps * sign_out[None, :]) / bias_nb_units
    denom = hout + eps * sign_out
    return (numer / denom[None, :] * r_out[None, :]).sum(axis=1)


def np_(t):
    return t.detach().numpy().astype(np.float64)


def lrp(m, x, states, target, eps, bias_factor):
    """m: the model dict (float64 tensors); x: (T, E) layer-0 input; states: run_model's states for x with
    batch 1; target: ("logit", step, output, score_value) or ("cell"|"hidden", layer, direction, unit, step).
    Returns (R(x) (T, E), {(layer, dir): (R_h (T, H), R_c (T, H))}, initial-state relevance)."""
    T = x.shape[0]
    layers = m["layers"]
    inputs = [np_(x)] + [np.concatenate([np.stack([np_(h[0]) for h in d["h"]]) for d in dirs], axis=1)
                         for dirs in states]
    L = len(layers)
    r_out = np.zeros_like(inputs[L])  # relevance of the top layer's outputs (T, width)
    top = L - 1
    seed = None
    if target[0] == "logit":
        _, step, output, _ = target
        head = m["head"]
        last = inputs[L]
        if head["reads"] == "each_step":
            a = last[step]
        else:
            H = np_(layers[-1]["dirs"][0]["W_hh"]).shape[1]
            a = np.concatenate([last[0 if runs_backward(layers[-1], d) else T - 1, d * H:(d + 1) * H]
                                for d in range(len(layers[-1]["dirs"]))])
        acts = [a]
        for p in head["pre"]:
            z = acts[-1] @ np_(p["weight"]).T + np_(p["bias"])
            acts.append({"relu": lambda v: np.maximum(v, 0), "tanh": np.tanh,
                         "sigmoid": lambda v: 1 / (1 + np.exp(-v)), "linear": lambda v: v}[p["activation"]](z))
        dense = [(np_(p["weight"]), np_(p["bias"])) for p in head["pre"]] + [(np_(head["weight"]), np_(head["bias"]))]
        logits = acts[-1] @ dense[-1][0].T + dense[-1][1]
        r = np.zeros_like(logits)
        r[output] = logits[output]
        for k in range(len(dense) - 1, -1, -1):
            W, b = dense[k]
            z = acts[k] @ W.T + b
            r = lrp_linear(acts[k], W.T, b, z, r, len(acts[k]), eps, bias_factor)
        if head["reads"] == "each_step":
            r_out[step] = r
        else:
            H = np_(layers[-1]["dirs"][0]["W_hh"]).shape[1]
            for d in range(len(layers[-1]["dirs"])):
                r_out[0 if runs_backward(layers[-1], d) else T - 1, d * H:(d + 1) * H] = r[d * H:(d + 1) * H]
    else:
        kind, top, direction, unit, step = target
        r_out = np.zeros_like(inputs[top + 1])
        st = states[top][direction]
        value = np_(st["c" if kind == "cell" else "h"][step][0])[unit]
        seed = (kind, direction, unit, step, value)
    units, initial = {}, 0.0
    for l in range(top, -1, -1):
        xin = inputs[l]
        D = xin.shape[1]
        r_in = np.zeros_like(xin)
        for d, w in enumerate(layers[l]["dirs"]):
            W_ih, W_hh = np_(w["W_ih"]), np_(w["W_hh"])
            H = W_hh.shape[1]
            b = np_(w["b_ih"]) + np_(w["b_hh"])
            st = states[l][d]
            i_, f_, g_, c_, h_ = ([np_(v[0]) for v in st[k]] for k in "ifgch")
            above = r_out[:, d * H:(d + 1) * H].copy()
            cell_seed = np.zeros((T, H))
            if seed is not None and l == top and d == seed[1]:
                (above if seed[0] == "hidden" else cell_seed)[seed[3], seed[2]] += seed[4]
            Wg = np.concatenate([W_ih[2 * H:3 * H], W_hh[2 * H:3 * H]], axis=1).T  # (D + H, H)
            bg = b[2 * H:3 * H]
            eye = np.eye(H)
            Rh, Rc = np.zeros((T, H)), np.zeros((T, H))
            rh_next, rc_next = np.zeros(H), np.zeros(H)
            backward = runs_backward(layers[l], d)
            order = range(T) if backward else range(T - 1, -1, -1)
            for t in order:
                prev = t + 1 if backward else t - 1
                first = prev < 0 or prev >= T
                h_prev = np.zeros(H) if first else h_[prev]
                c_prev = np.zeros(H) if first else c_[prev]
                Rh[t] = above[t] + rh_next
                Rc[t] = rc_next + Rh[t] + cell_seed[t]
                rc_next = lrp_linear(f_[t] * c_prev, eye, np.zeros(H), c_[t], Rc[t], 2 * H, eps, bias_factor)
                Rg = lrp_linear(i_[t] * g_[t], eye, np.zeros(H), c_[t], Rc[t], 2 * H, eps, bias_factor)
                xh = np.concatenate([xin[t], h_prev])
                zg = xh @ Wg + bg
                Rxh = lrp_linear(xh, Wg, bg, zg, Rg, D + H, eps, bias_factor)
                r_in[t] += Rxh[:D]
                rh_next = Rxh[D:]
            initial += rh_next.sum() + rc_next.sum()
            units[(l, d)] = (Rh, Rc)
        r_out = r_in
    return r_out, units, initial
