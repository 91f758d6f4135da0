"""ONNX fixtures: torch.onnx.export of models written the way users write them (PyTorch's own float64
forward is the reference), single LSTM nodes built with onnx.helper for every attribute variant (a numpy
implementation of the ONNX LSTM equations is the reference), and ONNX's conformance cases test_lstm_*
(regenerated from onnx/backend/test/case/node/lstm.py, which Debian ships without its data).

usage: /usr/bin/python3 make_onnx_files.py OUTDIR

Each NAME.onnx has NAME_expected.h5 with input_k and the outputs to match: output_k/probs_k (a head),
hidden_k (the last layer's output at every step, forward then backward) or final_k (its final states).
"""
import copy
import os
import sys

import h5py
import numpy as np
import onnx
import onnx.helper as oh
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_models import BiClassifier, CharLM, Forecaster  # noqa: E402

OUT = sys.argv[1]
os.makedirs(os.path.join(OUT, "hostile"), exist_ok=True)
torch.manual_seed(3)
rng = np.random.default_rng(5)


def write_expected(name, entries, tolerance=None):
    """entries: list of dicts {input, output?, probs?, hidden?, final?}."""
    with h5py.File(os.path.join(OUT, name + "_expected.h5"), "w") as f:
        for k, e in enumerate(entries):
            for key, value in e.items():
                f["%s_%d" % (key, k)] = value
        f.attrs["inputs"] = len(entries)
        if tolerance:
            f.attrs["rtol"], f.attrs["atol"] = tolerance


# ---- torch.onnx.export ---------------------------------------------------------------------------------

def export(name, model, example, kind):
    model.eval()
    torch.save(model.state_dict(), os.path.join(OUT, name + ".pt"))  # the same weights, for cross-format checks
    torch.onnx.export(model, example, os.path.join(OUT, name + ".onnx"), input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {1: "steps"}}, opset_version=14)
    reference = copy.deepcopy(model).double()
    entries = []
    for T in (1, 5, 13):
        x = torch.randint(0, 11, (1, T)) if kind == "tokens" else torch.randn(1, T, 3, dtype=torch.float64)
        with torch.no_grad():
            y = reference(x)
        entries.append(dict(input=x[0].numpy().astype(np.int32) if kind == "tokens" else x[0].numpy(),
                            output=y.reshape(-1, y.shape[-1]).numpy()))
    write_expected(name, entries)


export("torch_char_lm", CharLM(11, 6, 9), torch.zeros(1, 4, dtype=torch.long), "tokens")
bi = BiClassifier(11, 5, 7, 3)
with torch.no_grad():
    for p in bi.rnn.parameters():
        p.mul_(2.0)
export("torch_bi_classifier", bi, torch.zeros(1, 4, dtype=torch.long), "tokens")
export("torch_forecaster", Forecaster(3, 10), torch.zeros(1, 4, 3), "features")


# ---- single LSTM nodes: a numpy reference of the ONNX equations -------------------------------------------

def act(name, x, alpha=None, beta=None):
    if name == "Sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "HardSigmoid":
        return np.clip((0.2 if alpha is None else alpha) * x + (0.5 if beta is None else beta), 0, 1)
    if name == "Tanh":
        return np.tanh(x)
    if name == "Relu":
        return np.maximum(x, 0)
    raise ValueError(name)


def onnx_lstm(x, W, R, B, acts, alphas, betas, reverse=False, P=None, clip=None, coupled=False):
    """x (T, D); W (4H, D), R (4H, H), B (8H), gate blocks i, o, f, c; P (3H) blocks i, o, f. The clip bounds
    each gate's input (after bias and peephole) as onnxruntime does; the cell state itself is not clipped."""
    H = R.shape[1]
    h, c, out = np.zeros(H), np.zeros(H), []
    p_i, p_o, p_f = np.split(np.zeros(3 * H) if P is None else P, 3)
    f_, g_, h_ = acts
    cut = (lambda v: np.clip(v, -clip, clip)) if clip else (lambda v: v)
    for t in (range(len(x) - 1, -1, -1) if reverse else range(len(x))):
        z = W @ x[t] + R @ h + B[:4 * H] + B[4 * H:]
        i = act(f_, cut(z[:H] + p_i * c), alphas[0], betas[0])
        f = 1 - i if coupled else act(f_, cut(z[2 * H:3 * H] + p_f * c), alphas[0], betas[0])
        cand = act(g_, cut(z[3 * H:]), alphas[1], betas[1])
        c = f * c + i * cand
        o = act(f_, cut(z[H:2 * H] + p_o * c), alphas[0], betas[0])
        h = o * act(h_, c, alphas[2], betas[2])
        out.append(h)
    return np.array(out[::-1] if reverse else out)


def f32(a):
    return a.astype(np.float32).astype(np.float64)


def lstm_node_model(name, D, H, direction="forward", activations=None, alphas=None, betas=None, layout=0,
                    with_bias=True, extra=None, output="Y", peepholes=False, state_input=False):
    nd = 2 if direction == "bidirectional" else 1
    W, R = f32(rng.normal(0, 0.7, (nd, 4 * H, D))), f32(rng.normal(0, 0.7, (nd, 4 * H, H)))
    B = f32(rng.normal(0, 0.4, (nd, 8 * H)))
    P = f32(rng.normal(0, 0.8, (nd, 3 * H))) if peepholes else None
    attrs = dict(hidden_size=H, direction=direction, layout=layout)
    acts = activations or ["Sigmoid", "Tanh", "Tanh"]
    if activations:
        attrs["activations"] = acts * nd
    if alphas:
        attrs["activation_alpha"] = [a if a is not None else 1.0 for a in alphas] * nd
        attrs["activation_beta"] = [b if b is not None else 0.0 for b in betas] * nd
    attrs.update(extra or {})
    inputs = ["X", "W", "R"] + (["B"] if with_bias else [""] if peepholes else [])
    if peepholes:
        inputs += ["", "", "", "P"]  # sequence_lens, initial_h, initial_c left out
    if state_input:
        inputs += ["", "h0"]  # an initial state the caller feeds
    node = oh.make_node("LSTM", inputs, ["Y", "Y_h"], **attrs)
    x_shape = ["steps", 1, D] if layout == 0 else [1, "steps", D]
    y_shape = ["steps", nd, 1, H] if layout == 0 else [1, "steps", nd, H]
    inits = [oh.make_tensor("W", onnx.TensorProto.FLOAT, W.shape, W.astype(np.float32).ravel()),
             oh.make_tensor("R", onnx.TensorProto.FLOAT, R.shape, R.astype(np.float32).ravel())]
    if with_bias:
        inits.append(oh.make_tensor("B", onnx.TensorProto.FLOAT, B.shape, B.astype(np.float32).ravel()))
    else:
        B = np.zeros((nd, 8 * H))
    if peepholes:
        inits.append(oh.make_tensor("P", onnx.TensorProto.FLOAT, P.shape, P.astype(np.float32).ravel()))
    graph_inputs = [oh.make_tensor_value_info("X", onnx.TensorProto.FLOAT, x_shape)]
    if state_input:
        graph_inputs.append(oh.make_tensor_value_info("h0", onnx.TensorProto.FLOAT, [nd, 1, H]))
    graph = oh.make_graph([node], name, graph_inputs,
                          [oh.make_tensor_value_info("Y", onnx.TensorProto.FLOAT, y_shape)], inits)
    model = oh.make_model(graph, producer_name="onnx.helper", opset_imports=[oh.make_opsetid("", 14)])
    onnx.save(model, os.path.join(OUT, name + ".onnx"))
    clip = float(np.float32(attrs["clip"])) if "clip" in attrs else None  # the attribute is a float32
    entries = []
    for T in (1, 4, 11):
        x = f32(rng.normal(0, 1, (T, D)))
        al = alphas or [None] * 3
        be = betas or [None] * 3
        ys = [onnx_lstm(x, W[d], R[d], B[d], acts, al, be, reverse=d == 1 or direction == "reverse", P=None if P is None else P[d],
                        clip=clip, coupled=bool(attrs.get("input_forget", 0))) for d in range(nd)]
        entries.append(dict(input=x, hidden=np.concatenate(ys, 1)))
    write_expected(name, entries)


lstm_node_model("node_forward", 3, 5)
lstm_node_model("node_bidirectional", 4, 3, direction="bidirectional")
lstm_node_model("node_hard_sigmoid_relu", 3, 4, activations=["HardSigmoid", "Relu", "Relu"],
                alphas=[0.2, None, None], betas=[0.5, None, None])
lstm_node_model("node_keras3_hard_sigmoid", 3, 4, activations=["HardSigmoid", "Tanh", "Tanh"],
                alphas=[1.0 / 6, None, None], betas=[0.5, None, None])
lstm_node_model("node_batch_first_no_bias", 2, 6, layout=1, with_bias=False)

lstm_node_model("node_peepholes", 3, 4, direction="bidirectional", peepholes=True)
lstm_node_model("node_state_input", 3, 4, state_input=True)  # runs from zeros, said as an assumption
# Weights of scale 0.7 over 5 inputs give sums of about ±2: a clip of 0.9 cuts many of them.
lstm_node_model("node_clip", 5, 4, extra=dict(clip=0.9))
lstm_node_model("node_peepholes_clip_hard_sigmoid", 3, 5, activations=["HardSigmoid", "Tanh", "Tanh"],
                alphas=[0.2, None, None], betas=[0.5, None, None], peepholes=True, with_bias=False,
                extra=dict(clip=1.5))



def tf2onnx_style_classifier(name, V=9, E=4, H=5, K=3, direction="forward"):
    """A Keras Embedding -> LSTM -> Dense(softmax) classifier laid out the way tf2onnx converts one (TensorFlow
    is not installable here): int32 ids cast and gathered batch-major, transposed to time-major, zero initial
    states computed with ConstantOfShape, Y_h squeezed, then MatMul with an (in, out) kernel, Add, Softmax.
    A go_backwards LSTM becomes direction "reverse", whose Y_h is the state at the first step."""
    emb = f32(rng.normal(0, 1, (V, E)))
    W, R = f32(rng.normal(0, 0.6, (1, 4 * H, E))), f32(rng.normal(0, 0.6, (1, 4 * H, H)))
    B = np.concatenate([f32(rng.normal(0, 0.4, (1, 4 * H))), np.zeros((1, 4 * H))], 1)  # Keras: one bias
    kernel, bias = f32(rng.normal(0, 0.7, (H, K))), f32(rng.normal(0, 0.2, K))
    T = onnx.TensorProto

    def init(n, a, dtype=T.FLOAT):
        return oh.make_tensor(n, dtype, a.shape, (a.astype(np.float32) if dtype == T.FLOAT else a).ravel())

    nodes = [
        oh.make_node("Cast", ["input_1"], ["ids"], to=T.INT64),
        oh.make_node("Gather", ["embedding/embeddings:0", "ids"], ["embedded"]),
        oh.make_node("Transpose", ["embedded"], ["time_major"], perm=[1, 0, 2]),
        oh.make_node("ConstantOfShape", ["state_shape"], ["zeros"], value=oh.make_tensor("v", T.FLOAT, [1], [0.0])),
        oh.make_node("LSTM", ["time_major", "W", "R", "B", "", "zeros", "zeros"], ["Y", "Y_h", "Y_c"], hidden_size=H,
                     name="lstm", direction=direction),
        oh.make_node("Squeeze", ["Y_h", "squeeze_axes"], ["last"]),
        oh.make_node("MatMul", ["last", "dense/kernel:0"], ["logits_nobias"]),
        oh.make_node("Add", ["logits_nobias", "dense/bias:0"], ["logits"]),
        oh.make_node("Softmax", ["logits"], ["dense"], axis=-1),
    ]
    inits = [init("embedding/embeddings:0", emb), init("W", W), init("R", R), init("B", B),
             init("state_shape", np.array([1, 1, H], dtype=np.int64), T.INT64),
             init("squeeze_axes", np.array([0], dtype=np.int64), T.INT64),
             init("dense/kernel:0", kernel), init("dense/bias:0", bias)]
    graph = oh.make_graph(nodes, "tf2onnx", [oh.make_tensor_value_info("input_1", T.INT32, ["unk__1", "unk__2"])],
                          [oh.make_tensor_value_info("dense", T.FLOAT, ["unk__1", K])], inits)
    onnx.save(oh.make_model(graph, producer_name="tf2onnx", opset_imports=[oh.make_opsetid("", 13)]),
              os.path.join(OUT, name + ".onnx"))
    entries = []
    for steps in (1, 6, 14):
        ids = rng.integers(0, V, steps).astype(np.int32)
        reverse = direction == "reverse"
        ys = onnx_lstm(emb[ids], W[0], R[0], B[0], ["Sigmoid", "Tanh", "Tanh"], [None] * 3, [None] * 3, reverse)
        h = ys[0] if reverse else ys[-1]
        z = h @ kernel + bias
        p = np.exp(z - z.max())
        entries.append(dict(input=ids, output=z.reshape(1, K), probs=(p / p.sum()).reshape(1, K)))
    write_expected(name, entries)


tf2onnx_style_classifier("tf2onnx_style_classifier")
tf2onnx_style_classifier("tf2onnx_style_go_backwards", direction="reverse")

lstm_node_model("node_coupled_gates", 3, 4, direction="bidirectional", peepholes=True, extra=dict(input_forget=1))

# Refused, by name.
lstm_node_model("hostile/zero_clip", 3, 4, extra=dict(clip=0.0))
lstm_node_model("node_reverse", 3, 4, direction="reverse")
lstm_node_model("node_reverse_peepholes_clip", 3, 5, direction="reverse", peepholes=True, extra=dict(clip=1.2))
gru = oh.make_graph([oh.make_node("GRU", ["X", "W", "R"], ["Y"], hidden_size=2)], "gru",
                    [oh.make_tensor_value_info("X", onnx.TensorProto.FLOAT, [1, 1, 2])],
                    [oh.make_tensor_value_info("Y", onnx.TensorProto.FLOAT, None)],
                    [oh.make_tensor("W", onnx.TensorProto.FLOAT, [1, 6, 2], np.zeros(12)),
                     oh.make_tensor("R", onnx.TensorProto.FLOAT, [1, 6, 2], np.zeros(12))])
onnx.save(oh.make_model(gru), os.path.join(OUT, "hostile", "gru.onnx"))
with open(os.path.join(OUT, "torch_char_lm.onnx"), "rb") as f:
    data = f.read()
with open(os.path.join(OUT, "hostile", "truncated.onnx"), "wb") as f:
    f.write(data[: len(data) // 2])


# ---- ONNX conformance: test_lstm_* regenerated from onnx's own generator ----------------------------------

import onnx.backend.test.case.node.lstm as conformance  # noqa: E402

captured = []
conformance.expect = lambda node, inputs, outputs, name, **kw: captured.append((node, inputs, outputs, name))
for export_case in (conformance.LSTM.export_defaults, conformance.LSTM.export_initial_bias,
                    conformance.LSTM.export_peepholes, conformance.LSTM.export_batchwise):
    export_case()
for node, inputs, outputs, name in captured:
    names = list(node.input)
    attrs = {a.name: oh.get_attribute_value(a) for a in node.attribute}
    layout = attrs.get("layout", 0)
    X = inputs[0] if layout == 0 else np.swapaxes(inputs[0], 0, 1)  # (seq, batch, D)
    inits = [oh.make_tensor(n, onnx.TensorProto.FLOAT if v.dtype == np.float32 else onnx.TensorProto.INT32,
                            v.shape, v.ravel()) for n, v in zip(names[1:], inputs[1:]) if n]
    graph = oh.make_graph([node], name, [oh.make_tensor_value_info("X", onnx.TensorProto.FLOAT, list(inputs[0].shape))],
                          [oh.make_tensor_value_info(o, onnx.TensorProto.FLOAT, None) for o in node.output if o],
                          inits)
    onnx.save(oh.make_model(graph, opset_imports=[oh.make_opsetid("", 14)]), os.path.join(OUT, name + ".onnx"))
    Y_h = outputs[-1]  # (nd, batch, H), or (batch, nd, H) with layout 1
    Y_h = Y_h if layout == 0 else np.swapaxes(Y_h, 0, 1)
    entries = [dict(input=X[:, b, :].astype(np.float64), final=Y_h[:, b, :].reshape(1, -1).astype(np.float64))
               for b in range(X.shape[1])]
    write_expected(name, entries, tolerance=(1e-3, 1e-7))  # onnx's backend test runner defaults
print("wrote", OUT, [c[3] for c in captured])

# Attribute values ONNX gives no meaning, and an LSTM node reading its own output: refused, by name.
# (Last, so that the random weights of the cases above stay as they were.)
lstm_node_model("hostile/layout7", 3, 4, extra=dict(layout=7))
lstm_node_model("hostile/input_forget5", 3, 4, extra=dict(input_forget=5))
W4 = oh.make_tensor("W", onnx.TensorProto.FLOAT, [1, 16, 4], np.zeros(64))
R4 = oh.make_tensor("R", onnx.TensorProto.FLOAT, [1, 16, 4], np.zeros(64))
loop = oh.make_graph([oh.make_node("LSTM", ["Y", "W", "R"], ["Y"], hidden_size=4, name="loop")], "self_reading",
                     [], [oh.make_tensor_value_info("Y", onnx.TensorProto.FLOAT, None)], [W4, R4])
onnx.save(oh.make_model(loop), os.path.join(OUT, "hostile", "self_reading.onnx"))

# Nodes beyond support around an LSTM node: the whole graph is refused by name, and the LSTM opens alone
# (docs/IMPORT.md#when-only-the-lstm-stack-opens). The references are the LSTM's hidden states on the
# features it reads: the cut model's input.
def lstm_with_unsupported(name, front):
    D, H = 3, 4
    W, R = f32(rng.normal(0, 0.7, (1, 4 * H, D))), f32(rng.normal(0, 0.7, (1, 4 * H, H)))
    B = f32(rng.normal(0, 0.4, (1, 8 * H)))
    nodes = [oh.make_node("Abs", ["X"], ["X_front"], name="front_abs")] if front else []
    nodes += [oh.make_node("LSTM", ["X_front" if front else "X", "W", "R", "B"], ["Y", "Y_h"], hidden_size=H, name="lstm"),
              oh.make_node("Squeeze", ["Y", "axes"], ["Y_sq"], name="squeeze"),
              oh.make_node("Erf", ["Y_sq"], ["out"], name="head_erf")]
    inits = [oh.make_tensor(n, onnx.TensorProto.FLOAT, v.shape, v.astype(np.float32).ravel())
             for n, v in (("W", W), ("R", R), ("B", B))]
    inits.append(oh.make_tensor("axes", onnx.TensorProto.INT64, [1], [1]))
    graph = oh.make_graph(nodes, name, [oh.make_tensor_value_info("X", onnx.TensorProto.FLOAT, ["steps", 1, D])],
                          [oh.make_tensor_value_info("out", onnx.TensorProto.FLOAT, None)], inits)
    onnx.save(oh.make_model(graph, producer_name="onnx.helper", opset_imports=[oh.make_opsetid("", 14)]),
              os.path.join(OUT, name + ".onnx"))
    entries = []
    for T in (1, 4, 11):
        x = f32(rng.normal(0, 1, (T, D)))
        features = np.abs(x) if front else x
        entries.append(dict(input=features, hidden=onnx_lstm(features, W[0], R[0], B[0], ["Sigmoid", "Tanh", "Tanh"],
                                                            [None] * 3, [None] * 3)))
    write_expected(name, entries)


lstm_with_unsupported("partly_front_end", front=True)
lstm_with_unsupported("partly_head", front=False)

# Not a stack: something computed between two LSTMs, and two LSTMs reading the same input side by side.
def two_lstms(name, between):
    D, H = 3, 4
    inits = []
    for k, d_in in enumerate((D, H)):
        for n, shape in (("W", (1, 4 * H, d_in)), ("R", (1, 4 * H, H))):
            inits.append(oh.make_tensor("%s%d" % (n, k), onnx.TensorProto.FLOAT, shape, rng.normal(0, 0.5, shape).ravel()))
    inits += [oh.make_tensor("axes", onnx.TensorProto.INT64, [1], [1]),
              oh.make_tensor("M", onnx.TensorProto.FLOAT, [H, H], rng.normal(0, 0.5, (H, H)).ravel())]
    nodes = [oh.make_node("LSTM", ["X", "W0", "R0"], ["Y0"], hidden_size=H, name="lstm_0"),
             oh.make_node("Squeeze", ["Y0", "axes"], ["Y0s"], name="squeeze")]
    if between:
        nodes += [oh.make_node("MatMul", ["Y0s", "M"], ["Z"], name="mix"), oh.make_node("Tanh", ["Z"], ["Zt"], name="tanh"),
                  oh.make_node("LSTM", ["Zt", "W1", "R1"], ["Y1"], hidden_size=H, name="lstm_1")]
    else:
        inits[2] = oh.make_tensor("W1", onnx.TensorProto.FLOAT, (1, 4 * H, D), rng.normal(0, 0.5, (1, 4 * H, D)).ravel())
        nodes += [oh.make_node("LSTM", ["X", "W1", "R1"], ["Y1"], hidden_size=H, name="lstm_1")]
    graph = oh.make_graph(nodes, name, [oh.make_tensor_value_info("X", onnx.TensorProto.FLOAT, ["steps", 1, D])],
                          [oh.make_tensor_value_info("Y1", onnx.TensorProto.FLOAT, None)], inits)
    onnx.save(oh.make_model(graph, opset_imports=[oh.make_opsetid("", 14)]), os.path.join(OUT, "hostile", name + ".onnx"))


two_lstms("computed_between_lstms", between=True)
two_lstms("side_by_side_lstms", between=False)


# ---- A CNN-LSTM as PyTorch users write one: its front end is read as LSTMScope's front end ----------------
# (docs/IMPORT.md "ONNX front ends"). Last, with its own seed, so that the fixtures above stay as they were.

class CnnLstm(torch.nn.Module):
    """(batch, time, 4) → Conv1d(same) + ReLU → MaxPool1d(2) → Conv1d(dilated, valid) + tanh →
    BatchNorm1d → LSTM(batch_first) → Linear on the final state."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv1d(4, 6, kernel_size=3, padding=1)
        self.pool = torch.nn.MaxPool1d(2)
        self.conv2 = torch.nn.Conv1d(6, 5, kernel_size=2, dilation=2)
        self.norm = torch.nn.BatchNorm1d(5)
        self.lstm = torch.nn.LSTM(5, 7, batch_first=True)
        self.fc = torch.nn.Linear(7, 2)

    def forward(self, x):
        y = x.transpose(1, 2)
        y = self.pool(torch.relu(self.conv(y)))
        y = self.norm(torch.tanh(self.conv2(y)))
        out, (h, c) = self.lstm(y.transpose(1, 2))
        return self.fc(h[-1])


torch.manual_seed(5)
cnn = CnnLstm()
with torch.no_grad():  # statistics a trained network would have, not the initial 0 and 1
    cnn.norm.running_mean.uniform_(-0.3, 0.3)
    cnn.norm.running_var.uniform_(0.5, 2.0)
    cnn.norm.weight.uniform_(0.5, 1.5)
    cnn.norm.bias.uniform_(-0.2, 0.2)
cnn.eval()
torch.onnx.export(cnn, torch.zeros(1, 12, 4), os.path.join(OUT, "torch_cnn_lstm.onnx"), input_names=["input"],
                  output_names=["output"], dynamic_axes={"input": {1: "steps"}}, opset_version=14)
reference = copy.deepcopy(cnn).double()
entries = []
for T in (8, 13, 30):
    x = torch.randn(1, T, 4, dtype=torch.float64)
    with torch.no_grad():
        entries.append(dict(input=x[0].numpy(), output=reference(x).numpy()))
write_expected("torch_cnn_lstm", entries)
print("wrote torch_cnn_lstm")


class DensePoolLstm(torch.nn.Module):
    """(batch, time, 4) → Linear + ReLU on each step → AvgPool1d(2) → LSTM → Linear on every step."""

    def __init__(self, pool_padding=0):
        super().__init__()
        self.dense = torch.nn.Linear(4, 6)
        self.pool = torch.nn.AvgPool1d(2, stride=2 if pool_padding == 0 else 3, padding=pool_padding)
        self.lstm = torch.nn.LSTM(6, 5, batch_first=True)
        self.fc = torch.nn.Linear(5, 3)

    def forward(self, x):
        y = torch.relu(self.dense(x)).transpose(1, 2)
        out, _ = self.lstm(self.pool(y).transpose(1, 2))
        return self.fc(out)


def export_front_end_model(name, model, lengths):
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 12, 4), os.path.join(OUT, name + ".onnx"), input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {1: "steps"}}, opset_version=14)
    reference = copy.deepcopy(model).double()
    entries = []
    for T in lengths:
        x = torch.randn(1, T, 4, dtype=torch.float64)
        with torch.no_grad():
            y = reference(x)
        entries.append(dict(input=x[0].numpy(), output=y.reshape(-1, y.shape[-1]).numpy()))
    write_expected(name, entries)


torch.manual_seed(6)
export_front_end_model("torch_dense_pool_lstm", DensePoolLstm(), (2, 9, 24))
# A pooling padded on both sides with a stride of 3: LSTMScope's front ends do not model it, so the graph
# opens as its LSTM stack alone, saying why.
export_front_end_model("torch_padded_pool_lstm", DensePoolLstm(pool_padding=1), (9,))
print("wrote torch_dense_pool_lstm, torch_padded_pool_lstm")


# ---- A streaming graph, as voice-activity models ship (docs/IMPORT.md "Streaming graphs") ----------------
# One call reads 96 samples (64 new, 32 of the previous call's tail as context), a strided Conv1d and a mean
# over time make one feature vector, an LSTM steps once from the state given as a graph input, and a head
# gives a speech probability; the state goes back out stacked as (h, c), and the sample rate is an input
# the graph reads (as Silero's does). The reference: the float64 module run call by call over the WAV file
# written here, with LSTMScope's windowing written out independently.
import wave  # noqa: E402


class StreamingVad(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv1d(1, 6, kernel_size=16, stride=8)
        self.lstm = torch.nn.LSTM(6, 5)
        self.head = torch.nn.Linear(5, 1)

    def forward(self, x, state, sr):
        features = torch.relu(self.conv(x.unsqueeze(1))).mean(dim=2)  # (1, 6)
        _, (h, c) = self.lstm(features.unsqueeze(0), (state[0:1], state[1:2]))
        prob = torch.sigmoid(self.head(torch.relu(h[0])))
        return prob, torch.cat([h, c]) + (sr * 0).to(torch.float32)


def write_wav(path, samples, rate):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())


torch.manual_seed(11)
vad = StreamingVad().eval()
CHUNK, HOP = 96, 64
torch.onnx.export(vad, (torch.zeros(1, CHUNK), torch.zeros(2, 1, 5), torch.tensor(16000)),
                  os.path.join(OUT, "torch_streaming_vad.onnx"), input_names=["input", "state", "sr"],
                  output_names=["output", "stateN"], opset_version=14)
pcm = (np.sin(np.arange(1000) * 0.07) * 9000 + rng.normal(0, 3000, 1000)).clip(-32768, 32767).astype(np.int16)
write_wav(os.path.join(OUT, "streaming_vad.wav"), pcm, 16000)
write_wav(os.path.join(OUT, "streaming_vad_8k.wav"), pcm, 8000)
audio = pcm.astype(np.float64) / 32768
reference = copy.deepcopy(vad).double()
def run_reference_vad(audio):
    """The float64 module call by call over `audio` (16 kHz samples), with LSTMScope's windowing."""
    calls = (len(audio) + HOP - 1) // HOP
    state = torch.zeros(2, 1, 5, dtype=torch.float64)
    probs, hs, cs = [], [], []
    for k in range(calls):
        window = np.zeros(CHUNK)
        for j in range(CHUNK):
            at = k * HOP - (CHUNK - HOP) + j
            if 0 <= at < len(audio):
                window[j] = audio[at]
        with torch.no_grad():
            prob, state = reference(torch.from_numpy(window)[None], state, torch.tensor(16000))
        probs.append(prob.item())
        hs.append(state[0, 0].numpy().copy())
        cs.append(state[1, 0].numpy().copy())
    return probs, hs, cs


def write_vad_expected(name, audio):
    probs, hs, cs = run_reference_vad(audio)
    with h5py.File(os.path.join(OUT, name), "w") as f:
        f["probs"], f["h"], f["c"] = np.array(probs), np.array(hs), np.array(cs)
        f.attrs["chunk"], f.attrs["hop"] = CHUNK, HOP
    return len(probs)


calls = write_vad_expected("torch_streaming_vad_expected.h5", audio)
print("wrote torch_streaming_vad (%d calls)" % calls)

# Audio at other rates, which the graph (it reads the rate) is run on after resampling to 16 kHz; the
# reference resamples with scipy.signal.resample_poly's defaults, which LSTMScope's filter reproduces
# (core/formats/audio_resample.h), from the samples as LSTMScope reads them (int16 / 32768, in float32).
import scipy.signal  # noqa: E402

pcm44 = (np.sin(np.arange(2800) * 0.03) * 12000 + rng.normal(0, 2500, 2800)).clip(-32768, 32767).astype(np.int16)
write_wav(os.path.join(OUT, "streaming_vad_44k.wav"), pcm44, 44100)
write_vad_expected("torch_streaming_vad_44k_expected.h5",
                   scipy.signal.resample_poly((pcm44 / 32768).astype(np.float32).astype(np.float64), 160, 441))
write_vad_expected("torch_streaming_vad_8k_expected.h5",
                   scipy.signal.resample_poly((pcm / 32768).astype(np.float32).astype(np.float64), 2, 1))
print("wrote streaming_vad_44k.wav and the 44.1 kHz and 8 kHz references")

# The resampler against scipy alone: float32 samples (as the WAV reader gives them) at several rate pairs.
with h5py.File(os.path.join(OUT, "resample_cases.h5"), "w") as f:
    for index, (src, dst, n) in enumerate(((44100, 16000, 3000), (48000, 16000, 2000), (8000, 16000, 700),
                                           (22050, 16000, 1500), (16001, 16000, 1200), (11025, 16000, 5),
                                           (96000, 16000, 1))):  # up to 5 and 1 samples: the edges alone
        x = rng.normal(0, 0.3, n).astype(np.float32)
        g = f.create_group("case%d" % index)
        g["rates"] = np.array([src, dst], dtype=np.float64)
        g["x"] = x
        ratio = np.gcd(src, dst)
        g["y"] = scipy.signal.resample_poly(x.astype(np.float64), dst // ratio, src // ratio)
print("wrote resample_cases.h5")


# The same kind of graph with its state as separate h and c, returned in the other order (cn before hn):
# paired by name, not by position. And one whose LSTM is bidirectional, which a run over audio refuses.
class StreamingHC(torch.nn.Module):
    def __init__(self, bidirectional=False):
        super().__init__()
        self.conv = torch.nn.Conv1d(1, 4, kernel_size=8, stride=8)
        self.lstm = torch.nn.LSTM(4, 3, bidirectional=bidirectional)
        self.head = torch.nn.Linear(3 * (2 if bidirectional else 1), 1)

    def forward(self, x, h0, c0):
        features = torch.relu(self.conv(x.unsqueeze(1))).transpose(1, 2).transpose(0, 1)  # (steps, 1, 4)
        y, (hn, cn) = self.lstm(features, (h0, c0))
        return torch.sigmoid(self.head(y[-1])), cn, hn


for name, bidirectional in (("torch_streaming_hc", False), ("torch_streaming_bidi", True)):
    torch.manual_seed(12)
    dirs = 2 if bidirectional else 1
    torch.onnx.export(StreamingHC(bidirectional).eval(), (torch.zeros(1, 64), torch.zeros(dirs, 1, 3),
                                                          torch.zeros(dirs, 1, 3)),
                      os.path.join(OUT, name + ".onnx"), input_names=["input", "h0", "c0"],
                      output_names=["output", "cn", "hn"], opset_version=14)
print("wrote torch_streaming_hc, torch_streaming_bidi")


# A graph whose audio input leaves the length open but which runs with 200 samples only (it reshapes them
# into 8 frames of 25): none of the probe lengths opens it, record's --chunk 200 does.
class Frames200(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(8, 4)
        self.head = torch.nn.Linear(4, 1)

    def forward(self, x, h0, c0):
        features = x.reshape(1, 8, 25).mean(dim=2)  # (1, 8)
        _, (hn, cn) = self.lstm(features.unsqueeze(0), (h0, c0))
        return torch.sigmoid(self.head(hn[0])), hn, cn


torch.manual_seed(13)
torch.onnx.export(Frames200().eval(), (torch.zeros(1, 200), torch.zeros(1, 1, 4), torch.zeros(1, 1, 4)),
                  os.path.join(OUT, "torch_streaming_frames200.onnx"), input_names=["input", "h0", "c0"],
                  output_names=["output", "hn", "cn"], dynamic_axes={"input": {1: "samples"}}, opset_version=14)
print("wrote torch_streaming_frames200")
