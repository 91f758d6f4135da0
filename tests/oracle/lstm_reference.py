"""Float64 reference LSTM written with plain torch ops, so that every intermediate (gates, c, h) and its
gradient can be read. Checked against torch.nn.LSTM by make_cases.py wherever nn.LSTM applies."""
import torch

GATES = {
    "sigmoid": torch.sigmoid,
    "hard_sigmoid": lambda x: torch.clamp(0.2 * x + 0.5, 0.0, 1.0),
    "hard_sigmoid_keras3": lambda x: torch.clamp(x / 6.0 + 0.5, 0.0, 1.0),
}
CELLS = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda x: x}
DENSE = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda x: x}


def run_direction(x, W_ih, W_hh, b_ih, b_hh, gate, cell, reverse, h0=None, c0=None, peephole=None, clip=0.0,
                  coupled=False):
    """x: (T, B, D). Returns dict of per-step tensors (lists indexed by input position). ONNX variants:
    peephole (3H, blocks i, f, o) adds p_i*c_{t-1}, p_f*c_{t-1} and p_o*c_t to the gates' sums; clip > 0
    bounds every gate's sum to [-clip, clip] before its nonlinearity (onnxruntime's reading of the spec);
    coupled (ONNX input_forget) makes the forget gate 1 - i."""
    T, B, _ = x.shape
    H = W_hh.shape[1]
    cut = (lambda v: torch.clamp(v, -clip, clip)) if clip > 0 else (lambda v: v)
    p_i, p_f, p_o = peephole.split(H) if peephole is not None else (0.0, 0.0, 0.0)
    h = torch.zeros(B, H, dtype=x.dtype) if h0 is None else h0
    c = torch.zeros(B, H, dtype=x.dtype) if c0 is None else c0
    out = {k: [None] * T for k in "ifgoch"}
    order = range(T - 1, -1, -1) if reverse else range(T)
    for t in order:
        z = x[t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh
        zi, zf, zg, zo = z.split(H, dim=1)
        i, f, g = GATES[gate](cut(zi + p_i * c)), GATES[gate](cut(zf + p_f * c)), CELLS[cell](cut(zg))
        if coupled:
            f = 1 - i
        c = f * c + i * g
        o = GATES[gate](cut(zo + p_o * c))
        h = o * CELLS[cell](c)
        c.retain_grad()
        h.retain_grad()
        for k, v in zip("ifgoch", (i, f, g, o, c, h)):
            out[k][t] = v
    return out


def runs_backward(layer, d):
    """Direction d of a layer runs from the last step: a bidirectional layer's second, a reverse layer's one."""
    return d == 1 or layer.get("reverse", False)


def dir_name(layer, d):
    return "bwd" if runs_backward(layer, d) else "fwd"


def final_states(layer, x):
    """What a final-states head reads of a layer's output x (T, B, H_out): each direction at its last step."""
    H = layer["dirs"][0]["W_hh"].shape[1]
    return torch.cat([x[0 if runs_backward(layer, d) else -1, :, d * H:(d + 1) * H] for d in range(len(layer["dirs"]))],
                     dim=1)


def pool(head, layer_inputs):
    """A pooling head's input (B, D): its sources (T, B, D_k) concatenated and pooled over time. Attention as
    Keras' AttentionWeightedAverage writes it: a = exp(s - max s) / (sum exp(s - max s) + epsilon), s = x·w."""
    x = torch.cat([layer_inputs[k] for k in head["sources"]], dim=2)
    if head["reads"] == "average_pool":
        return x.mean(dim=0)
    if head["reads"] == "max_pool":
        return x.max(dim=0).values
    s = x @ head["attention"]  # (T, B)
    u = torch.exp(s - s.max(dim=0, keepdim=True).values)
    a = u / (u.sum(dim=0, keepdim=True) + head["epsilon"])
    return (x * a.unsqueeze(2)).sum(dim=0)


def run_model(m, x0):
    """m: dict from make_cases (float64 tensors); x0: (T, B, D0) layer-0 input. Returns (states, logits)."""
    x = x0
    states = []
    outputs = []  # each layer's output (T, B, H_out), for pooling heads' skip connections
    for L, layer in enumerate(m["layers"]):
        dirs = []
        for d, w in enumerate(layer["dirs"]):
            dirs.append(run_direction(x, w["W_ih"], w["W_hh"], w["b_ih"], w["b_hh"], layer["gate"], layer["cell"], runs_backward(layer, d),
                                      peephole=w.get("peephole"), clip=layer.get("clip", 0.0),
                                      coupled=layer.get("coupled", False)))
        states.append(dirs)
        x = torch.cat([torch.stack(dd["h"]) for dd in dirs], dim=2)
        outputs.append(x)
    head = m.get("head")
    if head is None:
        return states, x, None
    if head["reads"] == "each_step":
        a = x
    elif head["reads"] == "final_states":
        a = final_states(m["layers"][-1], x).unsqueeze(0)
    else:
        a = pool(head, [x0] + outputs).unsqueeze(0)
    for p in head["pre"]:
        a = DENSE[p["activation"]](a @ p["weight"].T + p["bias"])
    logits = a @ head["weight"].T + head["bias"]
    return states, x, logits
