"""The Keras-like models of make_keras_files.py run in PyTorch float64, so autograd gives the gradient of a
logit with respect to the model's raw input, through whatever runs before the first decoder LSTM: the
references for attribution through a front end (docs/ATTRIBUTION.md "Through the front end").

Written from Keras' semantics, as make_keras_files.Model.forward is, but on tensors; the window layers are
shared with it (window_layer_torch), so they are PyTorch's conv1d and pooling with TensorFlow's padding.
"""
import numpy as np
import torch
import torch.nn.functional as F


def tensor(a):
    return torch.tensor(np.array(a, dtype=np.float64), dtype=torch.float64)  # a copy: never negative strides


def act(name, x, generation):
    if name == "tanh":
        return torch.tanh(x)
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "hard_sigmoid":  # Keras 1/2: 0.2x + 0.5; Keras 3: x/6 + 0.5
        return torch.clamp(0.2 * x + 0.5 if generation < 3 else x / 6 + 0.5, 0, 1)
    if name == "relu":
        return torch.relu(x)
    if name in ("linear", None):
        return x
    if name == "softmax":
        return torch.softmax(x, -1)
    raise ValueError(name)


def tf_same_padding(steps, span, stride):
    """TensorFlow's 'same': ceil(T / stride) outputs, the padding split with its smaller half first."""
    out = -(-steps // stride)
    total = max((out - 1) * stride + span - steps, 0)
    return total // 2, total - total // 2


def window_layer_torch(l, seq, generation):
    """Conv1D (with its activation), MaxPooling1D or AveragePooling1D over seq (steps, features)."""
    k, c, w = l["kind"], l["config"], l["weights"]
    x = seq.T[None]  # (1, features, steps)
    steps = seq.shape[0]
    if k == "Conv1D":
        size, dilation, stride = w[0].shape[0], c.get("dilation_rate", 1), c.get("strides", 1)
        span = (size - 1) * dilation + 1
        if c["padding"] == "same":
            x = F.pad(x, tf_same_padding(steps, span, stride))
        elif c["padding"] == "causal":
            x = F.pad(x, (span - 1, 0))
        kernel = tensor(w[0]).permute(2, 1, 0)  # (filters, in, size)
        y = F.conv1d(x, kernel, tensor(w[1]), stride=stride, dilation=dilation)
        return act(c["activation"], y[0].T, generation)
    size = c["pool_size"]
    stride = c.get("strides") or size
    if c.get("padding", "valid") == "same":  # padded steps are left out of the max and the mean
        pad = tf_same_padding(steps, size, stride)
        if k == "MaxPooling1D":
            y = F.max_pool1d(F.pad(x, pad, value=-np.inf), size, stride)
        else:
            ones = F.pad(torch.ones_like(x[:, :1]), pad)
            y = F.avg_pool1d(F.pad(x, pad), size, stride) / F.avg_pool1d(ones, size, stride)
    else:
        y = (F.max_pool1d if k == "MaxPooling1D" else F.avg_pool1d)(x, size, stride)
    return y[0].T


def lstm(x, K, R, b, activation, recurrent, generation):
    H = R.shape[0]
    K, R, b = tensor(K), tensor(R), tensor(b)
    h, c, out = torch.zeros(H, dtype=torch.float64), torch.zeros(H, dtype=torch.float64), []
    for t in range(x.shape[0]):
        z = x[t] @ K + h @ R + b
        i, f = act(recurrent, z[:H], generation), act(recurrent, z[H:2 * H], generation)
        g, o = act(activation, z[2 * H:3 * H], generation), act(recurrent, z[3 * H:], generation)
        c = f * c + i * g
        h = o * act(activation, c, generation)
        out.append(h)
    return torch.stack(out)


def logits(model, vectors):
    """The last Dense's output before its activation, (steps, outputs), from the input vectors: the table's
    rows, or the embedding vectors of the tokens for a model that starts with an Embedding."""
    seq, g = vectors, model.generation
    for l in model.layers:
        k, c, w = l["kind"], l["config"], l["weights"]
        if k in ("Embedding", "Dropout", "SpatialDropout1D"):  # the vectors are the Embedding's output
            continue
        if k == "LSTM":
            out = lstm(seq, w[0], w[1], w[2], c["activation"], c["recurrent_activation"], g)
            seq = out if c["return_sequences"] else out[-1:]
        elif k == "RepeatVector":
            seq = seq[-1:].repeat(c["n"], 1)
        elif k == "Dense":
            z = seq @ tensor(w[0]) + tensor(w[1])
            if l is model.layers[-1]:
                return z
            seq = act(c["activation"], z, g)
        elif k in ("Conv1D", "MaxPooling1D", "AveragePooling1D"):
            seq = window_layer_torch(l, seq, g)
        elif k == "LayerNormalization":
            mean = seq.mean(-1, keepdim=True)
            var = ((seq - mean) ** 2).mean(-1, keepdim=True)
            seq = tensor(w[0]) * (seq - mean) / torch.sqrt(var + c.get("epsilon", 1e-3)) + tensor(w[1])
        elif k == "BatchNormalization":
            gamma, beta, mean, var = (tensor(a) for a in w)
            seq = gamma * (seq - mean) / torch.sqrt(var + c.get("epsilon", 1e-3)) + beta
        elif k == "Activation":
            seq = act(c["activation"], seq, g)
        else:
            raise ValueError("no autograd reference for " + k)
    raise ValueError("no head")


def input_vectors(model, x):
    first = model.layers[0]
    return tensor(first["weights"][0][x]) if first["kind"] == "Embedding" else tensor(x)


def score(model, v, step=-1):
    """The attribution score: output 0 at output step `step` (the last by default), before the activation."""
    return logits(model, v)[step, 0]


def gradient(model, v, step=-1):
    v = v.clone().requires_grad_(True)
    s = score(model, v, step)
    s.backward()
    return s.item(), v.grad.detach()


def write_attribution_reference(group, model, x, ig_steps=8, step=-1, window=1):
    """For input x and output 0 at output step `step`: the input vectors, the score, its gradient, Integrated
    Gradients per row (midpoint rule, `ig_steps` points, zero baseline) and occlusion per row (`window` rows
    replaced by zeros at every start, each row's drops averaged over the windows covering it)."""
    v = input_vectors(model, x)
    s, grad = gradient(model, v, step)
    average = sum(gradient(model, (k + 0.5) / ig_steps * v, step)[1] for k in range(ig_steps)) / ig_steps
    rows = v.shape[0]
    drops, covered = np.zeros(rows), np.zeros(rows)
    with torch.no_grad():
        for start in range(rows - window + 1):
            occluded = v.clone()
            occluded[start:start + window] = 0
            drops[start:start + window] += s - score(model, occluded, step).item()
            covered[start:start + window] += 1
        baseline_score = score(model, torch.zeros_like(v), step).item()
    occlusion = drops / covered
    group["input"] = x.astype(np.int32) if x.ndim == 1 else x
    group["vectors"] = v.numpy()
    group["gradient"] = grad.numpy()
    group["ig"] = (average * v).sum(1).numpy()
    group["occlusion"] = np.array(occlusion)
    group.attrs["score"] = s
    group.attrs["baseline_score"] = baseline_score
    group.attrs["ig_steps"] = ig_steps
    group.attrs["target_step"] = step if step >= 0 else logits(model, v).shape[0] - 1
    group.attrs["window"] = window
