"""Writes Keras-layout HDF5 fixtures with h5py, following each Keras generation's file layout exactly
(TensorFlow is not installable here), and float64 references from an independent numpy implementation of
Keras' LSTM semantics (gate order i, f, c, o; x @ kernel; Keras 2 and Keras 3 hard_sigmoid differ).

usage: /usr/bin/python3 make_keras_files.py OUTDIR

For each case NAME: NAME.h5 and NAME_expected.h5 (inputs, pre-activation outputs "output_k" and the
final activation's "probs_k"). hostile/ holds files that must be refused by name.
"""
import copy
import io
import json
import os
import sys
import zipfile

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keras_autograd  # noqa: E402

OUT = sys.argv[1]
os.makedirs(os.path.join(OUT, "hostile"), exist_ok=True)
_rng = np.random.default_rng(11)


class Float32Normal:
    """Weights are stored as float32, so the float64 reference uses exactly those rounded values."""

    def normal(self, loc, scale, shape):
        return _rng.normal(loc, scale, shape).astype(np.float32).astype(np.float64)

    def integers(self, low, high, size):
        return _rng.integers(low, high, size)


rng = Float32Normal()
VLEN = h5py.string_dtype("utf-8")


def act(name, x, generation):
    if name == "tanh":
        return np.tanh(x)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "hard_sigmoid":  # Keras 1/2 and TF.js: 0.2x + 0.5; Keras 3: x/6 + 0.5
        return np.clip(0.2 * x + 0.5, 0, 1) if generation < 3 else np.clip(x / 6 + 0.5, 0, 1)
    if name == "relu":
        return np.maximum(x, 0)
    if name in ("linear", None):
        return x
    if name == "softmax":
        e = np.exp(x - x.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True)
    raise ValueError(name)


def lstm_run(x, K, R, b, activation, recurrent, generation, reverse=False):
    """Keras' LSTM over x (T, D) in float64 (keras_autograd.lstm, shared with the gradient references); reverse
    reads from the last step and returns the outputs in the input's order, as Bidirectional re-reverses them."""
    x = np.asarray(x, dtype=np.float64)
    out = keras_autograd.lstm(keras_autograd.tensor(x[::-1] if reverse else x), K, R, b, activation,
                              recurrent, generation).numpy()
    return out[::-1] if reverse else out


def lstm_weights(D, H, scale=0.6):
    return [rng.normal(0, scale, (D, 4 * H)), rng.normal(0, scale, (H, 4 * H)), rng.normal(0, 0.3, 4 * H)]


def dense_weights(n_in, n_out):
    return [rng.normal(0, 0.5, (n_in, n_out)), rng.normal(0, 0.2, n_out)]


class Model:
    """A Keras-like layer list: the numbers, the config, and the reference forward."""

    def __init__(self, generation):
        self.generation, self.layers = generation, []

    def add(self, kind, name, weights, **config):
        self.layers.append(dict(kind=kind, name=name, weights=weights, config=config))

    def forward(self, x, stop=None):
        """(logits, probs); or, with `stop`, the output of the layer so named."""
        seq, g = x, self.generation
        outputs = {}  # each layer's output by name, for Concatenate's skip connections
        for l in self.layers:
            k, c, w = l["kind"], l["config"], l["weights"]
            if k == "Concatenate":
                seq = np.concatenate([outputs[n] for n in l["inputs"]], 1)
            elif k == "AttentionWeightedAverage":  # textgenrnn's / DeepMoji's code, transcribed
                s = seq @ w[0][:, 0]
                a = np.exp(s - s.max())
                a = a / (a.sum() + 1e-7)
                seq = (seq * a[:, None]).sum(0, keepdims=True)
            elif k == "RepeatVector":  # the encoder's last state, once per decoder step
                seq = np.repeat(seq[-1:], c["n"], axis=0)
            elif k == "Flatten":  # (T, D) row-major: step t's values at t*D
                seq = seq.reshape(1, -1)
            elif k == "GlobalMaxPooling1D":
                seq = seq.max(0, keepdims=True)
            elif k == "GlobalAveragePooling1D":
                seq = seq.mean(0, keepdims=True)
            elif k == "Embedding":
                seq = w[0][seq]
            elif k == "LSTM":
                # go_backwards reads the sequence from its end and returns the outputs in that order.
                back = l.get("extra", {}).get("go_backwards", False)
                out = lstm_run(seq[::-1] if back else seq, w[0], w[1], w[2], c["activation"],
                               c["recurrent_activation"], g)
                seq = out if c["return_sequences"] else out[-1:]
            elif k == "Bidirectional":
                fw = lstm_run(seq, *w[0:3], c["activation"], c["recurrent_activation"], g)
                bw = lstm_run(seq, *w[3:6], c["activation"], c["recurrent_activation"], g, reverse=True)
                seq = np.concatenate([fw, bw], 1) if c["return_sequences"] else np.concatenate([fw[-1:], bw[:1]], 1)
            elif k == "Dense":
                z = seq @ w[0] + w[1]
                if l is self.layers[-1]:
                    return z, act(c["activation"], z, g)
                seq = act(c["activation"], z, g)
            elif k in WINDOW_LAYERS:
                seq = window_layer(l, seq, g)
            elif k in STEP_LAYERS:
                logits, seq = seq, step_layer(l, seq, g)
                if l is self.layers[-1]:  # Dense → Activation, or a normalisation after a linear Dense, ends it
                    return (logits if k == "Activation" else seq), seq
            outputs[l["name"]] = seq
            if l["name"] == stop:
                return seq
        raise ValueError("no head")


# Layers that act on each step on its own, as Keras computes them at inference.
STEP_LAYERS = ("BatchNormalization", "LayerNormalization", "Activation")


# Layers over a window of steps, computed by PyTorch's conv1d and pooling in float64 with TensorFlow's padding
# written out (not by a transcription of LSTMScope's loops).
WINDOW_LAYERS = ("Conv1D", "MaxPooling1D", "AveragePooling1D")


def window_layer(l, seq, generation):
    return keras_autograd.window_layer_torch(l, keras_autograd.tensor(seq), generation).numpy()


def step_layer(l, seq, generation):
    k, c, w = l["kind"], l["config"], l["weights"]
    if k == "Activation":
        return act(c["activation"], seq, generation)
    eps = c.get("epsilon", 1e-3)
    if k == "BatchNormalization":
        gamma, beta, mean, var = w
        return gamma * (seq - mean) / np.sqrt(var + eps) + beta
    mean = seq.mean(-1, keepdims=True)
    var = ((seq - mean) ** 2).mean(-1, keepdims=True)
    return w[0] * (seq - mean) / np.sqrt(var + eps) + w[1]


def f32(x):
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def chain(layers, x, generation):
    for l in layers:
        x = act(l["config"]["activation"], x @ l["weights"][0] + l["weights"][1], generation) \
            if l["kind"] == "Dense" else step_layer(l, x, generation)
    return x


def folded(model):
    """The same model with its per-step layers folded as docs/IMPORT.md says LSTMScope folds them (after an
    Embedding into its table; an affine chain into the LSTM or Dense after it, or into the linear Dense before
    it), in float64 and rounded to float32 once: a float64 run of the imported model matches this one to 1e-9.
    An affine chain is found by applying it to the identity and to zero, not by composing its parts."""
    out, pending, g = Model(model.generation), [], model.generation
    for l in model.layers:
        l = dict(l, weights=list(l["weights"]), config=dict(l["config"]))
        k = l["kind"]
        if k in ("Dropout", "SpatialDropout1D"):
            continue
        if k in STEP_LAYERS or (k == "Dense" and l.get("step")):
            if k == "Activation" and out.layers and out.layers[-1]["kind"] == "Dense" and not l.get("step"):
                fold_after(out.layers[-1], pending, g)
                out.layers[-1]["config"]["activation"] = l["config"]["activation"]
                pending = []
            else:
                pending.append(l)
            continue
        if pending and k in ("LSTM", "Bidirectional") and out.layers and out.layers[-1]["kind"] == "Embedding":
            out.layers[-1]["weights"] = [f32(chain(pending, out.layers[-1]["weights"][0], g))]
        elif pending and k in ("LSTM", "Dense"):
            width = pending[0]["weights"][0].shape[0]
            c = chain(pending, np.zeros((1, width)), g)[0]
            A_T = chain(pending, np.eye(width), g) - c
            kernel = l["weights"][0]
            l["weights"][0] = f32(A_T @ kernel)
            l["weights"][-1] = f32(l["weights"][-1] + c @ kernel)
        out.layers.append(l)
        pending = []
    if pending:
        fold_after(out.layers[-1], pending, g)
    return out


def fold_after(dense, pending, generation):
    c = chain(pending, np.zeros((1, dense["weights"][0].shape[1])), generation)[0]
    dense["weights"] = [f32(chain(pending, dense["weights"][0], generation) - c),
                        f32(chain(pending, dense["weights"][1][None, :], generation)[0])]


def write_expected(name, model, inputs):
    with h5py.File(os.path.join(OUT, name + "_expected.h5"), "w") as f:
        for k, x in enumerate(inputs):
            logits, probs = model.forward(x)
            f["input_%d" % k] = x.astype(np.int32) if x.ndim == 1 else x
            f["output_%d" % k] = logits
            f["probs_%d" % k] = probs
        f.attrs["inputs"] = len(inputs)


def token_inputs(V):
    return [rng.integers(1, V, T) for T in (1, 6, 19)]


def feature_inputs(D):
    return [rng.normal(0, 1, (T, D)) for T in (1, 6, 19)]


# ---- file writers, one per generation ----------------------------------------------------------------

def fixed(strings):
    """tf.keras 2.x: lists of names as fixed-length NULLPAD byte strings."""
    return np.array([s.encode("utf8") for s in strings])


def layer_config_keras2(l):
    c = dict(name=l["name"], trainable=True, dtype="float32")
    k = l["kind"]
    if k == "Embedding":
        c.update(input_dim=l["weights"][0].shape[0], output_dim=l["weights"][0].shape[1], mask_zero=False,
                 batch_input_shape=[None, None], embeddings_regularizer=None, input_length=None,
                 activity_regularizer=dict(class_name="L1L2", config=dict(l1=0.0, l2=0.0)))
    elif k in ("LSTM", "CuDNNLSTM"):
        c.update(units=l["weights"][1].shape[0], return_sequences=l["config"]["return_sequences"], return_state=False,
                 go_backwards=False, stateful=False, unroll=False, time_major=False)
        if k == "LSTM":
            c.update(activation=l["config"]["activation"], recurrent_activation=l["config"]["recurrent_activation"],
                     use_bias=True, unit_forget_bias=True, dropout=0.0, recurrent_dropout=0.0, implementation=2)
    elif k == "Bidirectional":
        inner = dict(name="lstm_%s" % l["name"], units=l["weights"][1].shape[0], activation=l["config"]["activation"],
                     recurrent_activation=l["config"]["recurrent_activation"], use_bias=True,
                     return_sequences=l["config"]["return_sequences"], go_backwards=False, stateful=False)
        inner.update(l.get("inner_extra", {}))
        c.update(layer=dict(class_name="LSTM", config=inner), merge_mode=l["config"].get("merge_mode", "concat"))
    elif k == "Dense":
        c.update(units=l["weights"][0].shape[1], activation=l["config"]["activation"], use_bias=True)
    elif k == "Concatenate":
        c.update(axis=-1)
    elif k == "AttentionWeightedAverage":
        c.update(return_attention=False)
    elif k.startswith("Global"):
        c.update(data_format="channels_last")
    elif k == "BatchNormalization":
        c.update(axis=l["config"].get("axis", -1), momentum=0.99, epsilon=l["config"].get("epsilon", 1e-3), center=True,
                 scale=True, beta_initializer=dict(class_name="Zeros", config={}))
    elif k == "LayerNormalization":
        c.update(axis=[2], epsilon=l["config"].get("epsilon", 1e-3), center=True, scale=True)
    elif k == "Activation":
        c.update(activation=l["config"]["activation"])
    elif k == "Conv1D":
        cc = l["config"]
        c.update(filters=l["weights"][0].shape[2], kernel_size=[l["weights"][0].shape[0]], strides=[cc.get("strides", 1)],
                 padding=cc["padding"], data_format="channels_last", dilation_rate=[cc.get("dilation_rate", 1)],
                 groups=1, activation=cc["activation"], use_bias=True,
                 kernel_initializer=dict(class_name="GlorotUniform", config=dict(seed=None)))
    elif k in ("MaxPooling1D", "AveragePooling1D"):
        cc = l["config"]
        c.update(pool_size=[cc.get("pool_size", 2)], strides=[cc["strides"]] if cc.get("strides") else None,
                 padding=cc.get("padding", "valid"), data_format="channels_last")
    c.update(l.get("extra", {}))
    return dict(class_name=l.get("class_name", k), config=c)


def tf_keras_weight_names(l, index):
    n, k = l["name"], l["kind"]
    if k == "Embedding":
        return ["%s/embeddings:0" % n]
    if k == "LSTM":
        return ["%s/lstm_cell_%d/%s:0" % (n, index, w) for w in ("kernel", "recurrent_kernel", "bias")]
    if k == "CuDNNLSTM":
        return ["%s/%s:0" % (n, w) for w in ("kernel", "recurrent_kernel", "bias")]
    if k == "Bidirectional":
        return ["%s/%s_lstm_%d/lstm_cell_%d/%s:0" % (n, d, index, 2 * index + j, w)
                for j, d in enumerate(("forward", "backward")) for w in ("kernel", "recurrent_kernel", "bias")]
    if k in ("Dense", "Conv1D"):
        return ["%s/kernel:0" % n, "%s/bias:0" % n]
    if k == "AttentionWeightedAverage":
        return ["%s/%s_W:0" % (n, n)]
    if k == "BatchNormalization":
        return ["%s/%s:0" % (n, w) for w in ("gamma", "beta", "moving_mean", "moving_variance")]
    if k == "LayerNormalization":
        return ["%s/%s:0" % (n, w) for w in ("gamma", "beta")]
    return []


def stored_weights(l):
    return l.get("stored", l["weights"])


def write_weight_groups(root, model, names_of, string_list=fixed):
    root.attrs["layer_names"] = string_list([l["name"] for l in model.layers])
    root.attrs["backend"] = b"tensorflow"
    for index, l in enumerate(model.layers):
        g = root.create_group(l["name"])
        names = names_of(l, index)
        # An empty list is stored as a float64 array of shape (0,), exactly as h5py does for np.array([]).
        g.attrs["weight_names"] = string_list(names) if names else np.array([])
        for name, w in zip(names, stored_weights(l)):
            g.create_dataset(name, data=np.asarray(w, dtype=np.float32))


def write_keras2(path, model, version=b"2.3.0-tf", functional=False, weights_only=False, names_of=tf_keras_weight_names,
                 architecture_json=None):
    """architecture_json: with weights_only, model.to_json()'s config also written to that path (the two-file
    save of Keras 2 tutorials: model.json beside model.h5)."""
    with h5py.File(path, "w") as f:
        layers = [layer_config_keras2(l) for l in model.layers]
        if functional:
            previous = None
            for l, cfg in zip(model.layers, layers):
                cfg["name"] = l["name"]
                inputs = l.get("inputs", [] if previous is None else [previous])
                cfg["inbound_nodes"] = [[[n, 0, 0, {}] for n in inputs]] if inputs else []
                previous = l["name"]
            config = dict(class_name="Functional", config=dict(name="model", layers=layers,
                          input_layers=[[model.layers[0]["name"], 0, 0]], output_layers=[[previous, 0, 0]]))
        else:
            config = dict(class_name="Sequential", config=dict(name="sequential", layers=layers))
        if weights_only:
            f.attrs["keras_version"] = version
            write_weight_groups(f, model, names_of)
            if architecture_json:
                with open(architecture_json, "w") as j:
                    json.dump(dict(config, keras_version=version.decode(), backend="tensorflow"), j)
            return
        f.attrs["keras_version"] = version
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).replace('"l2": 0.0', '"l2": NaN').encode("utf8")
        g = f.create_group("model_weights")
        g.attrs["keras_version"] = version
        write_weight_groups(g, model, names_of)


def write_keras1(path, model):
    """Keras 1.2: no keras_version, Sequential config is the layer list, 12-array LSTMs, names like lstm_1_W_i."""
    layers = []
    for l in model.layers:
        c = dict(name=l["name"], trainable=True)
        if l["kind"] == "Embedding":
            c.update(input_dim=l["weights"][0].shape[0], output_dim=l["weights"][0].shape[1], mask_zero=False)
            layers.append(dict(class_name="Embedding", config=c))
        elif l["kind"] == "LSTM":
            c.update(output_dim=l["weights"][1].shape[0], activation=l["config"]["activation"],
                     inner_activation=l["config"]["recurrent_activation"], return_sequences=True,
                     go_backwards=False, stateful=False, consume_less="cpu")
            layers.append(dict(class_name="LSTM", config=c))
        elif l["kind"] == "Dense":
            inner = dict(name=l["name"] + "_inner", output_dim=l["weights"][0].shape[1], activation=l["config"]["activation"])
            layers.append(dict(class_name="TimeDistributed", config=dict(name=l["name"], layer=dict(class_name="Dense", config=inner))))

    def names_of(l, index):
        n = l["name"]
        if l["kind"] == "Embedding":
            return [n + "_W"]
        if l["kind"] == "LSTM":
            return ["%s_%s_%s" % (n, w, g) for g in "icfo" for w in "WUb"]
        return [n + "_W", n + "_b"]

    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(dict(class_name="Sequential", config=layers)).encode("utf8")
        g = f.create_group("model_weights")
        write_weight_groups(g, model, names_of)


def twelve_arrays(K, R, b):
    """Keras 1 consume_less='cpu': per gate W, U, b, stored in gate order i, c, f, o."""
    H = R.shape[0]
    block = dict(i=0, f=1, c=2, o=3)  # position in the canonical i, f, c, o layout
    out = []
    for gate in "icfo":
        s = slice(block[gate] * H, (block[gate] + 1) * H)
        out += [K[:, s], R[:, s], b[s]]
    return out


def to_cudnn(K, R, b_input, b_recurrent):
    """Keras' own convert_lstm_weights(from_cudnn=False): per gate block, kernel.T.reshape(shape, order='C'),
    recurrent block transposed, bias kept as input half + recurrent half."""
    kernels = np.hstack([k.T.reshape(k.shape, order="C") for k in np.hsplit(K, 4)])
    recurrent = np.hstack([r.T for r in np.hsplit(R, 4)])
    return [kernels, recurrent, np.concatenate([b_input, b_recurrent])]


def write_keras3_h5(path, model):
    """Keras 3 legacy .h5: variable-length strings, module/registered_name in the config, weight paths
    without ':0'."""
    def cfg(l):
        c = layer_config_keras2(l)
        c["module"], c["registered_name"] = "keras.layers", None
        c["config"].pop("batch_input_shape", None)
        return c

    layers = [dict(module="keras.layers", class_name="InputLayer", registered_name=None,
                   config=dict(batch_shape=[None, None], dtype="int32", name="input_layer"))]
    layers += [cfg(l) for l in model.layers]
    config = dict(module="keras", class_name="Sequential", registered_name=None,
                  config=dict(name="sequential", trainable=True, layers=layers))

    def names_of(l, index):
        n = l["name"]
        if l["kind"] == "Embedding":
            return ["sequential/%s/embeddings" % n]
        if l["kind"] == "LSTM":
            return ["sequential/%s/lstm_cell/%s" % (n, w) for w in ("kernel", "recurrent_kernel", "bias")]
        return ["sequential/%s/%s" % (n, w) for w in ("kernel", "bias")]

    vlen = lambda names: np.array(names, dtype=VLEN)  # noqa: E731
    with h5py.File(path, "w") as f:
        f.attrs.create("keras_version", "3.3.3", dtype=VLEN)
        f.attrs.create("backend", "tensorflow", dtype=VLEN)
        f.attrs.create("model_config", json.dumps(config), dtype=VLEN)
        g = f.create_group("model_weights")
        write_weight_groups(g, model, names_of, vlen)


# ---- cases -------------------------------------------------------------------------------------------

V, E, H = 12, 5, 7

# tf.keras 2.3: Embedding -> LSTM (sequences) -> Bidirectional LSTM (sequences) -> Dense relu -> Dense softmax
lm = Model(2)
lm.add("Embedding", "embedding", [rng.normal(0, 1, (V, E))])
lm.add("LSTM", "lstm", lstm_weights(E, H), activation="tanh", recurrent_activation="sigmoid", return_sequences=True)
lm.add("Dropout", "dropout", [])
lm.add("Bidirectional", "bidirectional", lstm_weights(H, 4) + lstm_weights(H, 4), activation="tanh",
       recurrent_activation="sigmoid", return_sequences=True)
lm.add("Dense", "dense", dense_weights(8, 6), activation="relu")
lm.add("Dense", "dense_1", dense_weights(6, V), activation="softmax")
write_keras2(os.path.join(OUT, "tfkeras_lm.h5"), lm)
write_expected("tfkeras_lm", lm, token_inputs(V))
write_keras2(os.path.join(OUT, "tfkeras_lm_weights.h5"), lm, weights_only=True)
with open(os.path.join(OUT, "tfkeras_lm.tokenizer.json"), "w") as f:
    words = ["w%d" % k for k in range(1, V + 3)]  # longer than the embedding: num_words cuts it
    tokenizer = dict(class_name="Tokenizer", config=dict(
        num_words=V, filters="", lower=True, split=" ", char_level=False, oov_token="w1",
        word_index=json.dumps({w: k + 1 for k, w in enumerate(words)})))
    json.dump(tokenizer, f)



def keras_texts_to_sequences(text, config):
    """keras.preprocessing.text.Tokenizer.texts_to_sequences for one text (word level), transcribed from Keras
    2's source: lowercase, every filter character becomes the split string, split, look words up; without an
    oov_token unknown words vanish, with one they map to it; indices >= num_words count as unknown."""
    index = json.loads(config["word_index"])
    if config["lower"]:
        text = text.lower()
    text = text.translate(str.maketrans({c: config["split"] for c in config["filters"]}))
    oov = index.get(config["oov_token"]) if config["oov_token"] is not None else None
    out = []
    for word in (w for w in text.split(config["split"]) if w):
        i = index.get(word)
        if i is not None and not (config["num_words"] and i >= config["num_words"]):
            out.append(i)
        elif oov is not None:
            out.append(oov)
    return out


# A Tokenizer with Keras' defaults (punctuation filtered, no oov_token: unknown words vanish), with the
# sequences Keras gives for a few texts.
words = ["hello", "world", "it's", "w3", "w4", "w5", "w6", "w7", "w8", "w9", "w10"]
config = dict(num_words=None, filters='!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n', lower=True, split=" ",
              char_level=False, oov_token=None, word_index=json.dumps({w: k + 1 for k, w in enumerate(words)}))
texts = ["Hello, World!", "it's (w5) w10;w4\tw9\nnot-a-word w3...", "WORLD?! [w7] {hello}", "unknown hello"]
with open(os.path.join(OUT, "tfkeras_lm.default_tokenizer.json"), "w") as f:
    json.dump(dict(class_name="Tokenizer", config=config), f)
with open(os.path.join(OUT, "tfkeras_lm.default_tokenizer_expected.json"), "w") as f:
    json.dump(dict(texts=texts, sequences=[keras_texts_to_sequences(t, config) for t in texts]), f)

# Functional, saturating, returns only the final state: a sentiment-style binary classifier.
cls = Model(2)
cls.add("InputLayer", "input_1", [])
cls.add("Embedding", "embedding", [rng.normal(0, 1, (V, E))])
cls.add("Bidirectional", "bidirectional", lstm_weights(E, H, 2.0) + lstm_weights(E, H, 2.0), activation="tanh",
        recurrent_activation="hard_sigmoid", return_sequences=False)
cls.add("Dense", "dense", dense_weights(2 * H, 1), activation="sigmoid")
write_keras2(os.path.join(OUT, "functional_classifier.h5"), cls, version=b"2.2.4", functional=True)
write_expected("functional_classifier", cls, token_inputs(V))
# Saved with save_weights by that Keras 2.2.4: no config, so the gates are its default, hard_sigmoid.
write_keras2(os.path.join(OUT, "functional_classifier_weights.h5"), cls, version=b"2.2.4", functional=True,
             weights_only=True)

# A forecaster on numeric features (no embedding), relu cell activation, linear output.
fc = Model(2)
fc.add("LSTM", "lstm", lstm_weights(3, 10), activation="relu", recurrent_activation="sigmoid", return_sequences=False)
fc.add("Dense", "dense", dense_weights(10, 2), activation="linear")
write_keras2(os.path.join(OUT, "forecaster.h5"), fc)
write_expected("forecaster", fc, feature_inputs(3))
# The same saved as two files by Keras 2.1.2 (model.to_json() beside save_weights): its relu cells and
# sigmoid gates are only in the JSON; the weights alone would be read with 2.1.2's defaults.
write_keras2(os.path.join(OUT, "relu_forecaster_weights.h5"), fc, version=b"2.1.2", weights_only=True,
             architecture_json=os.path.join(OUT, "relu_forecaster_architecture.json"))

# go_backwards: the first layer reads the series from its end and hands the next layer its outputs in that
# order, so both run backward in time; the head reads the second's final state.
gb = Model(2)
gb.add("LSTM", "lstm", lstm_weights(3, 6), activation="tanh", recurrent_activation="sigmoid", return_sequences=True)
gb.layers[-1]["extra"] = dict(go_backwards=True)
gb.add("LSTM", "lstm_1", lstm_weights(6, 5), activation="tanh", recurrent_activation="sigmoid",
       return_sequences=False)
gb.add("Dense", "dense", dense_weights(5, 2), activation="linear")
write_keras2(os.path.join(OUT, "go_backwards_forecaster.h5"), gb)
write_expected("go_backwards_forecaster", gb, feature_inputs(3))

# Two go_backwards layers: the second reverses the reversed sequence, so it runs forward in time.
gb2 = Model(2)
gb2.add("Embedding", "embedding", [rng.normal(0, 1, (V, E))])
gb2.add("LSTM", "lstm", lstm_weights(E, H, 1.5), activation="tanh", recurrent_activation="sigmoid",
        return_sequences=True)
gb2.layers[-1]["extra"] = dict(go_backwards=True)
gb2.add("LSTM", "lstm_1", lstm_weights(H, H, 1.5), activation="tanh", recurrent_activation="sigmoid",
        return_sequences=False)
gb2.layers[-1]["extra"] = dict(go_backwards=True)
gb2.add("Dense", "dense", dense_weights(H, 3), activation="softmax")
write_keras2(os.path.join(OUT, "go_backwards_twice.h5"), gb2)
write_expected("go_backwards_twice", gb2, token_inputs(V))

# Keras 1.2 with the 12-array LSTM and hard_sigmoid gates (0.2x + 0.5).
k1 = Model(1)
k1.add("Embedding", "embedding_1", [rng.normal(0, 1, (V, E))])
K, R, b = lstm_weights(E, H, 1.5)
k1.add("LSTM", "lstm_1", [K, R, b], activation="tanh", recurrent_activation="hard_sigmoid", return_sequences=True)
k1.layers[-1]["stored"] = twelve_arrays(K, R, b)
k1.add("Dense", "timedistributed_1", dense_weights(H, V), activation="softmax")
write_keras1(os.path.join(OUT, "keras1_lm.h5"), k1)
write_expected("keras1_lm", k1, token_inputs(V))

# Keras 2.2.4 CuDNNLSTM: cuDNN weight layout, 8H bias.
cu = Model(2)
cu.add("Embedding", "embedding_1", [rng.normal(0, 1, (V, E))])
K, R = lstm_weights(E, H)[:2]
b_in, b_rec = rng.normal(0, 0.3, 4 * H), rng.normal(0, 0.3, 4 * H)
cu.add("LSTM", "cu_dnnlstm_1", [K, R, b_in + b_rec], activation="tanh", recurrent_activation="sigmoid",
       return_sequences=True)
cu.layers[-1].update(kind="CuDNNLSTM", stored=to_cudnn(K, R, b_in, b_rec))
cu.add("Dense", "dense_1", dense_weights(H, 4), activation="softmax")
write_keras2(os.path.join(OUT, "cudnn_tagger.h5"), cu, version=b"2.2.4")
for l in cu.layers:
    l["kind"] = "LSTM" if l["kind"] == "CuDNNLSTM" else l["kind"]
write_expected("cudnn_tagger", cu, token_inputs(V))

# Keras 3 legacy .h5: hard_sigmoid means x/6 + 0.5 here.
k3 = Model(3)
k3.add("Embedding", "embedding", [rng.normal(0, 1, (V, E))])
k3.add("LSTM", "lstm", lstm_weights(E, H, 2.5), activation="tanh", recurrent_activation="hard_sigmoid",
       return_sequences=True)
k3.add("Dense", "dense", dense_weights(H, V), activation="softmax")
write_keras3_h5(os.path.join(OUT, "keras3_lm.h5"), k3)
write_expected("keras3_lm", k3, token_inputs(V))

# Keras 3 native files: weights at layers/<snake_case class>[_k]/.../vars/<i>.
def keras3_weight_groups(f, model, sequential=True, windows=False):
    used = {}
    f.create_group("vars")
    for l in model.layers:
        if sequential and l["kind"] == "InputLayer":
            continue
        snake = {"TextVectorization": "text_vectorization", "InputLayer": "input_layer",
                 "MaxPooling1D": "max_pooling1d", "AveragePooling1D": "average_pooling1d"}.get(l["kind"], l["kind"].lower())
        k = used[snake] = used.get(snake, -1) + 1
        path = "layers/" + snake + ("_%d" % k if k else "")
        w = l["weights"]
        if l["kind"] == "LSTM":
            groups = {path + "/cell/vars": w}
        elif l["kind"] == "Bidirectional":
            groups = {path + "/forward_layer/cell/vars": w[:3], path + "/backward_layer/cell/vars": w[3:]}
        else:
            groups = {path + "/vars": w}
        for g, arrays in groups.items():
            # Keras 3 saving on Windows joined the group names with os.path.join: "layers\\lstm\\cell/vars".
            grp = f.create_group(g[: -len("/vars")].replace("/", "\\") + "/vars" if windows else g)
            for i, a in enumerate(arrays):
                grp.create_dataset(str(i), data=np.asarray(a, dtype=np.float32))


def keras3_config(model):
    def cfg(l):
        if l["kind"] == "TextVectorization":
            return dict(module="keras.layers", class_name="TextVectorization", registered_name=None,
                        config=dict(name=l["name"], max_tokens=None, standardize="lower", split="whitespace",
                                    output_mode="int", vocabulary=None))
        c = layer_config_keras2(l)
        c["module"], c["registered_name"] = "keras.layers", None
        c["config"].pop("batch_input_shape", None)
        return c
    return dict(module="keras", class_name="Sequential", registered_name=None,
                config=dict(name="sequential", trainable=True, layers=[cfg(l) for l in model.layers]))


def write_keras3_archive(path, model, keras_version, date_saved, windows=False, assets=None):
    """A .keras archive as Keras 3 saves it: metadata, config and the weights file, plus any assets."""
    weights = io.BytesIO()
    with h5py.File(weights, "w") as f:
        keras3_weight_groups(f, model, windows=windows)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("metadata.json", json.dumps(dict(keras_version=keras_version, date_saved=date_saved)))
        z.writestr("config.json", json.dumps(keras3_config(model)))
        z.writestr("model.weights.h5", weights.getvalue())
        for name, text in (assets or {}).items():
            z.writestr(name, text)


words = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "far", "home"]
ka = Model(3)
ka.add("TextVectorization", "text_vectorization", [])
ka.add("Embedding", "embedding", [rng.normal(0, 1, (len(words) + 2, E))])
ka.add("LSTM", "lstm", lstm_weights(E, H, 2.0), activation="tanh", recurrent_activation="hard_sigmoid",
       return_sequences=True)
ka.add("Bidirectional", "bidirectional", lstm_weights(H, 3) + lstm_weights(H, 3), activation="tanh",
       recurrent_activation="sigmoid", return_sequences=True)
ka.add("Dense", "dense", dense_weights(6, 5), activation="tanh")
ka.add("Dense", "dense_1", dense_weights(5, len(words) + 2), activation="softmax")
write_keras3_archive(os.path.join(OUT, "keras3_archive.keras"), ka, "3.3.3", "2024-05-01@10:00:00",
                     assets={"assets/layers/text_vectorization/vocabulary.txt": "\n".join(words)})
write_expected("keras3_archive", ka, token_inputs(len(words) + 2))

kw = Model(3)
kw.add("Embedding", "embedding", [rng.normal(0, 1, (V, E))])
kw.add("Dropout", "dropout", [])
kw.add("Bidirectional", "bidirectional", lstm_weights(E, H) + lstm_weights(E, H), activation="tanh",
       recurrent_activation="sigmoid", return_sequences=False)
kw.add("Dense", "dense", dense_weights(2 * H, 1), activation="sigmoid")
with h5py.File(os.path.join(OUT, "keras3_classifier.weights.h5"), "w") as f:
    keras3_weight_groups(f, kw)
write_expected("keras3_classifier.weights", kw, token_inputs(V))

# TensorFlow.js layers models: model.json + binary shards (split in two here), weights matched by name.
def write_tfjs(dirname, model, converter_style, quantize=False):
    os.makedirs(os.path.join(OUT, dirname), exist_ok=True)
    layers = [layer_config_keras2(l) for l in model.layers]
    if model.layers[0]["kind"] == "LSTM":  # a Sequential's first layer states its input shape, as Keras saves it
        layers[0]["config"]["batch_input_shape"] = [None, None, int(model.layers[0]["weights"][0].shape[0])]
    config = dict(class_name="Sequential", config=dict(name="sequential", layers=layers))
    topology = (dict(keras_version="2.15.0", backend="tensorflow", model_config=config) if converter_style
                else dict(config, keras_version="tfjs-layers 4.10.0", backend="tensor_flow.js"))
    specs, blob = [], b""
    for index, l in enumerate(model.layers):
        for name, w in zip(tf_keras_weight_names(l, index), stored_weights(l)):
            spec = dict(name=name.replace(":0", ""), shape=list(w.shape), dtype="float32")
            if quantize:  # uint8 affine with a power-of-two scale: dequantizing is exact in float32
                scale, low = 1.0 / 64, -2.0
                q = np.clip(np.round((np.asarray(w) - low) / scale), 0, 255).astype(np.uint8)
                w[...] = q.astype(np.float64) * scale + low  # the reference uses what the file can hold
                spec["quantization"] = dict(dtype="uint8", scale=scale, min=low)
                blob += q.tobytes()
            else:
                blob += np.asarray(w, dtype=np.float32).tobytes()
            specs.append(spec)
    half = len(blob) // 2
    for k, part in enumerate((blob[:half], blob[half:])):
        with open(os.path.join(OUT, dirname, "group1-shard%dof2.bin" % (k + 1)), "wb") as f:
            f.write(part)
    manifest = [dict(paths=["group1-shard1of2.bin", "group1-shard2of2.bin"], weights=specs)]
    with open(os.path.join(OUT, dirname, "model.json"), "w") as f:
        json.dump(dict(format="layers-model", generatedBy="keras v2.15.0", convertedBy="TensorFlow.js Converter v4.10.0",
                       modelTopology=topology, weightsManifest=manifest), f)


def write_tfjs_inputs(dirname, inputs):
    """The inputs again as JSON, for the TF.js oracle (tests/foreign/tfjs_oracle.js), which reads no HDF5."""
    with open(os.path.join(OUT, dirname, "inputs.json"), "w") as f:
        json.dump([x.tolist() for x in inputs], f)


def tfjs_fixture(dirname, model, inputs, **style):
    write_tfjs(dirname, model, **style)
    write_expected(dirname + "/model", model, inputs)
    write_tfjs_inputs(dirname, inputs)


tfjs_fixture("tfjs_lm", lm, token_inputs(V), converter_style=True)
tq = Model(2)
tq.add("Embedding", "embedding", [rng.normal(0, 1, (V, E))])
tq.add("Bidirectional", "bidirectional", lstm_weights(E, H, 2.0) + lstm_weights(E, H, 2.0), activation="tanh",
       recurrent_activation="hard_sigmoid", return_sequences=False)
tq.add("Dense", "dense", dense_weights(2 * H, 3), activation="softmax")
for l in tq.layers:
    l["weights"] = [np.array(w, dtype=np.float64) for w in l["weights"]]
tfjs_fixture("tfjs_quantized", tq, token_inputs(V), converter_style=False, quantize=True)
# go_backwards as TF.js runs it (its layers follow Keras): one layer, and two that cancel out.
tfjs_fixture("tfjs_go_backwards", gb, feature_inputs(3), converter_style=False)
tfjs_fixture("tfjs_go_backwards_twice", gb2, token_inputs(V), converter_style=True)

# Damaged TF.js models: a shard cut short, a manifest reaching outside its directory.
import shutil  # noqa: E402

for name in ("tfjs_truncated", "tfjs_traversal"):
    shutil.rmtree(os.path.join(OUT, "hostile", name), ignore_errors=True)  # the generator reruns on old output
    shutil.copytree(os.path.join(OUT, "tfjs_lm"), os.path.join(OUT, "hostile", name))
with open(os.path.join(OUT, "hostile", "tfjs_truncated", "group1-shard2of2.bin"), "r+b") as f:
    f.truncate(100)
with open(os.path.join(OUT, "hostile", "tfjs_traversal", "model.json")) as f:
    traversal = json.load(f)
traversal["weightsManifest"][0]["paths"][1] = "../../tfjs_lm/group1-shard2of2.bin"
with open(os.path.join(OUT, "hostile", "tfjs_traversal", "model.json"), "w") as f:
    json.dump(traversal, f)

# ---- heads that pool every step ------------------------------------------------------------------------

# textgenrnn's architecture as a whole tf.keras 2.3 Functional model: the embedding and both LSTMs'
# outputs concatenated (skip connections), attention-pooled (AttentionWeightedAverage, a custom layer),
# and a softmax over the vocabulary.
def textgen_like(cudnn_stored):
    m = Model(2)
    m.add("Embedding", "embedding", [rng.normal(0, 1, (V, E))])
    for k, (d_in, h) in enumerate([(E, H), (H, H)]):
        K, R = lstm_weights(d_in, h, 1.2)[:2]
        b_in, b_rec = rng.normal(0, 0.3, 4 * h), rng.normal(0, 0.3, 4 * h)
        # One stored bias is the float32 sum (what the file holds); cuDNN's two halves are summed on loading.
        b = b_in + b_rec if cudnn_stored else (b_in + b_rec).astype(np.float32).astype(np.float64)
        m.add("LSTM", "rnn_%d" % (k + 1), [K, R, b], activation="tanh", recurrent_activation="sigmoid",
              return_sequences=True)
        if cudnn_stored:
            m.layers[-1].update(kind="CuDNNLSTM", stored=to_cudnn(K, R, b_in, b_rec))
    m.add("Concatenate", "rnn_concat", [])
    m.layers[-1]["inputs"] = ["embedding", "rnn_1", "rnn_2"]
    m.add("AttentionWeightedAverage", "attention", [rng.normal(0, 1.0, (E + 2 * H, 1))])
    m.add("Dense", "output", dense_weights(E + 2 * H, V), activation="softmax")
    return m


ts = textgen_like(False)
write_keras2(os.path.join(OUT, "attention_skip.h5"), ts, functional=True)
write_expected("attention_skip", ts, token_inputs(V))
# textgenrnn's plain-LSTM weights as Keras 2.2.4 saved them: that Keras defaulted to hard_sigmoid, but
# textgenrnn's code always sets sigmoid, which its layer names tell.
write_keras2(os.path.join(OUT, "textgen_plain_weights.h5"), ts, version=b"2.2.4", functional=True,
             weights_only=True)
# The same kind saved as textgenrnn saved its weights (Keras 2.1.5, weights only, CuDNNLSTM's 8H bias): the
# join and the attention are inferred from names and widths.
tw = textgen_like(True)
write_keras2(os.path.join(OUT, "textgen_weights.h5"), tw, version=b"2.1.5", weights_only=True)
for l in tw.layers:
    l["kind"] = "LSTM" if l["kind"] == "CuDNNLSTM" else l["kind"]
write_expected("textgen_weights", tw, token_inputs(V))
# Its vocabulary as textgenrnn writes it: token -> id from 1 (id 0 is padding), with a <s> marker.
with open(os.path.join(OUT, "textgen_weights.vocab.json"), "w") as f:
    json.dump({t: k + 1 for k, t in enumerate([chr(ord("a") + k) for k in range(V - 2)] + ["<s>"])}, f)

# A bidirectional classifier max-pooling its outputs, and a forecaster averaging its steps (Sequential).
mp = Model(2)
mp.add("Embedding", "embedding", [rng.normal(0, 1, (V, E))])
mp.add("Bidirectional", "bidirectional", lstm_weights(E, H, 1.5) + lstm_weights(E, H, 1.5), activation="tanh",
       recurrent_activation="sigmoid", return_sequences=True)
mp.add("GlobalMaxPooling1D", "global_max_pooling1d", [])
mp.add("Dense", "dense", dense_weights(2 * H, 3), activation="softmax")
write_keras2(os.path.join(OUT, "maxpool_classifier.h5"), mp)
write_expected("maxpool_classifier", mp, token_inputs(V))
ap = Model(2)
ap.add("LSTM", "lstm", lstm_weights(3, 6), activation="tanh", recurrent_activation="sigmoid", return_sequences=True)
ap.add("GlobalAveragePooling1D", "global_average_pooling1d", [])
ap.add("Dense", "dense", dense_weights(6, 2), activation="linear")
write_keras2(os.path.join(OUT, "avgpool_forecaster.h5"), ap)
write_expected("avgpool_forecaster", ap, feature_inputs(3))

# ---- layers that act on each step on their own, folded into their neighbours ------------------------------

def batch_norm(D, epsilon=1e-3, axis=-1):
    return dict(kind="BatchNormalization", name=None, config=dict(epsilon=epsilon, axis=axis),
                weights=[rng.normal(1, 0.3, D), rng.normal(0, 0.3, D), rng.normal(0, 0.5, D),
                         f32(np.abs(rng.normal(1, 0.4, D)) + 0.05)])


def add_layer(m, layer, name):
    m.layers.append(dict(layer, name=name))


def folded_fixture(name, model, inputs, **write):
    write_keras2(os.path.join(OUT, name + ".h5"), model, **write)
    write_expected(name, model, inputs)
    write_expected(name + "_folded", folded(model), inputs)


# Every kind of per-step layer between an Embedding and the LSTM: folded into the table.
fe = Model(2)
fe.add("Embedding", "embedding", [rng.normal(0, 1, (V, E))])
fe.layers[-1]["extra"] = dict(mask_zero=True)  # the inputs hold no id 0, so Keras masks nothing
fe.add("Dense", "dense", dense_weights(E, 6), activation="relu")
fe.layers[-1]["step"] = True
add_layer(fe, batch_norm(6, axis=[2]), "batch_normalization")
fe.add("LayerNormalization", "layer_normalization", [rng.normal(1, 0.3, 6), rng.normal(0, 0.3, 6)], epsilon=1e-3)
fe.add("Activation", "activation", [], activation="tanh")
fe.add("SpatialDropout1D", "spatial_dropout1d", [])
fe.add("LSTM", "lstm", lstm_weights(6, H), activation="tanh", recurrent_activation="sigmoid", return_sequences=True)
fe.add("Dense", "dense_1", dense_weights(H, V), activation="softmax")
folded_fixture("folded_embedding_lm", fe, token_inputs(V))

# A forecaster normalised everywhere: BatchNormalization and a linear TimeDistributed(Dense) before the first
# LSTM, BatchNormalization between the LSTMs, Dense → BatchNormalization → Activation and a trailing
# BatchNormalization in the head.
fb = Model(2)
add_layer(fb, batch_norm(3), "batch_normalization")
fb.add("Dense", "time_distributed", dense_weights(3, 5), activation="linear")
fb.layers[-1].update(step=True, class_name="TimeDistributed",
                     extra=dict(layer=dict(class_name="Dense", config=dict(units=5, activation="linear"))))
fb.add("LSTM", "lstm", lstm_weights(5, 6), activation="tanh", recurrent_activation="sigmoid", return_sequences=True)
add_layer(fb, batch_norm(6, epsilon=1e-5), "batch_normalization_1")
fb.add("Dropout", "dropout", [])
fb.add("LSTM", "lstm_1", lstm_weights(6, 4), activation="tanh", recurrent_activation="sigmoid", return_sequences=False)
fb.add("Dense", "dense", dense_weights(4, 8), activation="linear")
add_layer(fb, batch_norm(8), "batch_normalization_2")
fb.add("Activation", "activation", [], activation="relu")
add_layer(fb, batch_norm(8), "batch_normalization_3")
fb.add("Dense", "dense_1", dense_weights(8, 2), activation="linear")
add_layer(fb, batch_norm(2), "batch_normalization_4")
folded_fixture("folded_bn_forecaster", fb, feature_inputs(3))

# The same kind saved weights-only: BatchNormalization is known by its four vectors and its name.
fw = Model(2)
fw.add("LSTM", "lstm", lstm_weights(3, 6), activation="tanh", recurrent_activation="sigmoid", return_sequences=True)
add_layer(fw, batch_norm(6), "batch_normalization")
fw.add("LSTM", "lstm_1", lstm_weights(6, 4), activation="tanh", recurrent_activation="sigmoid", return_sequences=False)
fw.add("Dense", "dense", dense_weights(4, 2), activation="linear")
folded_fixture("folded_bn_weights", fw, feature_inputs(3), weights_only=True)

# The Keras text-generation example's head, Dense → Activation('softmax'), saved weights-only: the weightless
# activation is the head's, which the task decides (a weightless activation before the head is refused).
ca = Model(2)
ca.add("Embedding", "embedding", [rng.normal(0, 1, (V, E))])
ca.add("LSTM", "lstm", lstm_weights(E, H), activation="tanh", recurrent_activation="sigmoid", return_sequences=True)
ca.add("Dense", "dense", dense_weights(H, V), activation="linear")
ca.add("Activation", "activation", [], activation="softmax")
write_keras2(os.path.join(OUT, "char_rnn_activation_weights.h5"), ca, weights_only=True)
write_expected("char_rnn_activation_weights", ca, token_inputs(V))

# A forecaster whose per-step layers before the LSTM do not fold (a Dense with relu, LayerNormalization): its
# front end, computed before the engine in float64, so float64 matches Keras layer by layer within 1e-9.
ff = Model(2)
ff.add("Dense", "time_distributed", dense_weights(3, 6), activation="relu")
ff.layers[-1].update(step=True, class_name="TimeDistributed",
                     extra=dict(layer=dict(class_name="Dense", config=dict(units=6, activation="relu"))))
ff.add("LayerNormalization", "layer_normalization", [rng.normal(1, 0.3, 6), rng.normal(0, 0.3, 6)], epsilon=1e-3)
ff.add("LSTM", "lstm", lstm_weights(6, 5), activation="tanh", recurrent_activation="sigmoid", return_sequences=False)
ff.add("Dense", "dense", dense_weights(5, 2), activation="linear")
write_keras2(os.path.join(OUT, "front_end_forecaster.h5"), ff)
write_expected("front_end_forecaster", ff, feature_inputs(3))

# A BatchNormalization whose name holds "beta": its weights are told apart by their own names, not the path.
bb = Model(2)
bb.add("LSTM", "lstm", lstm_weights(3, 5), activation="tanh", recurrent_activation="sigmoid", return_sequences=False)
add_layer(bb, batch_norm(5), "beta_norm")
bb.add("Dense", "dense", dense_weights(5, 2), activation="linear")
folded_fixture("bn_named_beta", bb, feature_inputs(3))

# Masking on a forecaster's input: the reference inputs hold no step that equals the mask value everywhere.
mf = Model(2)
mf.add("Masking", "masking", [], mask_value=-1.0)
mf.layers[-1]["extra"] = dict(mask_value=-1.0)
mf.add("LSTM", "lstm", lstm_weights(3, 5), activation="tanh", recurrent_activation="sigmoid", return_sequences=False)
mf.add("Dense", "dense", dense_weights(5, 1), activation="linear")
write_keras2(os.path.join(OUT, "masked_forecaster.h5"), mf)
write_expected("masked_forecaster", mf, feature_inputs(3))

# Forecasters with a front end over time: Conv1D and local pooling before the LSTM change the time axis. The
# reference inputs are long enough for every window (the shortest a table may be is tested on its own).
def long_feature_inputs(D, lengths=(4, 9, 23)):
    return [rng.normal(0, 1, (T, D)) for T in lengths]


cf = Model(2)
cf.add("Conv1D", "conv1d", [rng.normal(0, 0.5, (3, 3, 8)), rng.normal(0, 0.2, 8)], padding="same", activation="relu")
cf.add("MaxPooling1D", "max_pooling1d", [], pool_size=2)
cf.add("Dropout", "dropout", [])
cf.add("LSTM", "lstm", lstm_weights(8, 6), activation="tanh", recurrent_activation="sigmoid", return_sequences=True)
cf.add("LSTM", "lstm_1", lstm_weights(6, 4), activation="tanh", recurrent_activation="sigmoid", return_sequences=False)
cf.add("Dense", "dense", dense_weights(4, 2), activation="linear")
write_keras2(os.path.join(OUT, "conv_forecaster.h5"), cf)
write_expected("conv_forecaster", cf, long_feature_inputs(3))

# Keras 3: a dilated causal convolution, a 'same' average pooling with a stride (padding left out of the mean),
# a strided valid convolution, and a head at every step.
cc = Model(3)
cc.add("Conv1D", "conv1d", [rng.normal(0, 0.5, (3, 2, 5)), rng.normal(0, 0.2, 5)], padding="causal",
       dilation_rate=2, activation="tanh")
cc.add("AveragePooling1D", "average_pooling1d", [], pool_size=3, strides=2, padding="same")
cc.add("Conv1D", "conv1d_1", [rng.normal(0, 0.5, (2, 5, 4)), rng.normal(0, 0.2, 4)], padding="valid", strides=2,
       activation="linear")
cc.add("LSTM", "lstm", lstm_weights(4, 5), activation="tanh", recurrent_activation="sigmoid", return_sequences=True)
cc.add("Dense", "dense", dense_weights(5, 1), activation="linear")
write_keras3_archive(os.path.join(OUT, "conv_causal.keras"), cc, "3.6.0", "2025-01-10@10:00:00")
write_expected("conv_causal", cc, long_feature_inputs(2, (6, 11, 30)))

# A forecaster whose head flattens every step of the LSTM (a fixed window of 6 rows), with a BatchNormalization
# on the flattened vector folded into the Dense after it.
fl = Model(2)
fl.add("LSTM", "lstm", lstm_weights(3, 5), activation="tanh", recurrent_activation="sigmoid", return_sequences=True)
fl.add("Flatten", "flatten", [])
add_layer(fl, batch_norm(30), "batch_normalization")
fl.add("Dense", "dense", dense_weights(30, 4), activation="relu")
fl.add("Dense", "dense_1", dense_weights(4, 1), activation="linear")
folded_fixture("flatten_forecaster", fl, [rng.normal(0, 1, (6, 3)) for _ in range(3)])

# The IMDB CNN-LSTM: Embedding → Conv1D → MaxPooling1D → LSTM → Dense(sigmoid). The model reads text through
# its front end (an embedding lookup, then the windows); ids 1.. only, as a Tokenizer's.
ic = Model(2)
ic.add("Embedding", "embedding", [rng.normal(0, 1, (V, E))])
ic.add("SpatialDropout1D", "spatial_dropout1d", [])
ic.add("Conv1D", "conv1d", [rng.normal(0, 0.5, (3, E, 6)), rng.normal(0, 0.2, 6)], padding="same", activation="relu")
ic.add("MaxPooling1D", "max_pooling1d", [], pool_size=2)
ic.add("LSTM", "lstm", lstm_weights(6, 5), activation="tanh", recurrent_activation="sigmoid", return_sequences=False)
ic.add("Dense", "dense", dense_weights(5, 1), activation="sigmoid")
write_keras2(os.path.join(OUT, "imdb_cnn_lstm.h5"), ic)
write_expected("imdb_cnn_lstm", ic, [rng.integers(1, V, T) for T in (4, 9, 23)])

# ---- refused -----------------------------------------------------------------------------------------

def variant(name, edit_layer=None, edit_config=None, **write):
    m = Model(2)
    m.add("Embedding", "embedding", [rng.normal(0, 1, (V, E))])
    m.add("LSTM", "lstm", lstm_weights(E, H), activation="tanh", recurrent_activation="sigmoid", return_sequences=True)
    m.add("Dense", "dense", dense_weights(H, V), activation="softmax")
    if edit_layer:
        edit_layer(m)
    write_keras2(os.path.join(OUT, "hostile", name), m, **write)


def lambda_layer(m):
    m.layers.insert(2, dict(kind="Lambda", name="lambda_1", weights=[], config={}, class_name="Lambda"))


def masking(m):
    m.layers.insert(1, dict(kind="Masking", name="masking", weights=[], config={}, class_name="Masking"))


def gru(m):
    m.layers[1].update(class_name="GRU", weights=[rng.normal(0, 1, (E, 3 * H)), rng.normal(0, 1, (H, 3 * H)),
                                                   rng.normal(0, 1, (2, 3 * H))])


def stateful(m):
    m.layers[1]["extra"] = dict(stateful=True)


def backwards(m):
    m.layers[1]["extra"] = dict(go_backwards=True)


def bidirectional_backwards(m):
    m.layers[1] = dict(kind="Bidirectional", name="bidirectional", weights=lstm_weights(E, H) + lstm_weights(E, H),
                       config=dict(activation="tanh", recurrent_activation="sigmoid", return_sequences=True),
                       inner_extra=dict(go_backwards=True))
    m.layers[2]["weights"] = dense_weights(2 * H, V)


def merge_sum(m):
    m.layers[1] = dict(kind="Bidirectional", name="bidirectional", weights=lstm_weights(E, H) + lstm_weights(E, H),
                       config=dict(activation="tanh", recurrent_activation="sigmoid", return_sequences=True,
                                   merge_mode="sum"))
    m.layers[2]["weights"] = dense_weights(H, V)


def dense_after_concatenate(m):
    m.layers.insert(2, dict(kind="Concatenate", name="concatenate", weights=[], config={}, inputs=["embedding", "lstm"]))
    m.layers[3]["weights"] = dense_weights(E + H, V)


def flatten_weights_only(m):  # the Dense reads 3 steps' outputs: a Flatten over steps
    m.layers.insert(2, dict(kind="Flatten", name="flatten", weights=[], config={}, class_name="Flatten"))
    m.layers[3]["weights"] = dense_weights(3 * H, V)


variant("lambda.h5", lambda_layer)
variant("masking.h5", masking)
variant("gru.h5", gru)
variant("stateful.h5", stateful)
variant("go_backwards.h5", backwards)
variant("merge_sum.h5", merge_sum)
variant("bidirectional_go_backwards.h5", bidirectional_backwards)
variant("dense_after_concatenate.h5", dense_after_concatenate, functional=True)
variant("flatten_weights.h5", flatten_weights_only, weights_only=True)


def flatten_weights_uneven(m):  # the Dense reads no whole number of steps
    flatten_weights_only(m)
    m.layers[3]["weights"] = dense_weights(3 * H + 1, V)


variant("flatten_weights_uneven.h5", flatten_weights_uneven, weights_only=True)


def relu_between_layers(m):  # not affine: cannot be folded into the next LSTM's weights
    m.layers.insert(2, dict(kind="Activation", name="activation", weights=[], config=dict(activation="relu")))
    m.layers.insert(3, dict(kind="LSTM", name="lstm_1", weights=lstm_weights(H, H), config=dict(
        activation="tanh", recurrent_activation="sigmoid", return_sequences=True)))


def norm_before_pooling(m):
    m.layers.insert(2, dict(batch_norm(H), name="batch_normalization"))
    m.layers.insert(3, dict(kind="GlobalMaxPooling1D", name="global_max_pooling1d", weights=[], config={}))


def activation_weights_only(m):  # which function a weightless layer applies is not in a weights-only file
    m.layers.insert(2, dict(kind="Activation", name="activation", weights=[], config=dict(activation="relu")))


def dense_only(m):  # a model named like an LSTM model that holds none
    m.layers[1:2] = []


# The classic encoder-decoder toy: LSTM → RepeatVector → LSTM → TimeDistributed(Dense): the encoder runs in
# the front end, the decoder is the model's LSTM (docs/IMPORT.md "Encoder-decoders").
def add_repeat(m, n):
    m.add("RepeatVector", "repeat_vector", [], n=n)
    m.layers[-1]["extra"] = dict(n=n)


def add_time_distributed_dense(m, n_in, n_out, activation):
    m.add("Dense", "time_distributed", dense_weights(n_in, n_out), activation=activation)
    m.layers[-1].update(class_name="TimeDistributed",
                        extra=dict(layer=dict(class_name="Dense", config=dict(units=n_out, activation=activation))))


def seq2seq_fixture(name, m, inputs, decoder, encoder_last):
    """The model, its outputs at every decoder step, the decoder's h at every step, and (for part: encoder)
    the encoder's last state."""
    write_keras2(os.path.join(OUT, name + ".h5"), m, version=b"2.2.4")
    with h5py.File(os.path.join(OUT, name + "_expected.h5"), "w") as f:
        for k, x in enumerate(inputs):
            logits, probs = m.forward(x)
            f["input_%d" % k] = x.astype(np.int32) if x.ndim == 1 else x
            f["output_%d" % k], f["probs_%d" % k] = logits, probs
            f["hidden_%d" % k] = m.forward(x, stop=decoder)
        f.attrs["inputs"] = len(inputs)
    with h5py.File(os.path.join(OUT, name + "_encoder_expected.h5"), "w") as f:
        for k, x in enumerate(inputs):
            f["input_%d" % k] = x.astype(np.int32) if x.ndim == 1 else x
            f["final_%d" % k] = m.forward(x, stop=encoder_last)
        f.attrs["inputs"] = len(inputs)


# A forecaster: 3 features per row, hard_sigmoid gates (Keras 2.2's default), relu decoder cells, 4 steps out.
fs2s = Model(2)
fs2s.add("LSTM", "encoder", lstm_weights(3, 6, 1.5), activation="tanh", recurrent_activation="hard_sigmoid",
         return_sequences=False)
add_repeat(fs2s, 4)
fs2s.add("LSTM", "decoder", lstm_weights(6, 5, 1.5), activation="relu", recurrent_activation="hard_sigmoid",
         return_sequences=True)
add_time_distributed_dense(fs2s, 5, 2, "linear")
seq2seq_fixture("seq2seq_forecaster", fs2s, feature_inputs(3), "decoder", "encoder")
# What LSTMScope does not read: a Masking layer on the decoder's input, a repeat count that is no whole number.
masked_decoder = copy.deepcopy(fs2s)
masked_decoder.layers.insert(2, dict(kind="Masking", name="masking", weights=[], config={}, extra=dict(mask_value=0.0)))
write_keras2(os.path.join(OUT, "hostile", "seq2seq_masked_decoder.h5"), masked_decoder)
fractional = copy.deepcopy(fs2s)
fractional.layers[1]["extra"] = dict(n=2.5)
write_keras2(os.path.join(OUT, "hostile", "seq2seq_fractional_n.h5"), fractional)

# Text to text (the addition toy with an Embedding): two encoder LSTMs, RepeatVector(3), two decoder LSTMs,
# a softmax over the vocabulary at each decoder step.
ts2s = Model(2)
ts2s.add("Embedding", "embedding", [rng.normal(0, 1, (V, E))])
ts2s.add("LSTM", "encoder_1", lstm_weights(E, 7), activation="tanh", recurrent_activation="sigmoid",
         return_sequences=True)
ts2s.add("LSTM", "encoder_2", lstm_weights(7, 6), activation="tanh", recurrent_activation="sigmoid",
         return_sequences=False)
add_repeat(ts2s, 3)
ts2s.add("LSTM", "decoder_1", lstm_weights(6, 5), activation="tanh", recurrent_activation="sigmoid",
         return_sequences=True)
ts2s.add("LSTM", "decoder_2", lstm_weights(5, 4), activation="tanh", recurrent_activation="sigmoid",
         return_sequences=True)
add_time_distributed_dense(ts2s, 4, V, "softmax")
seq2seq_fixture("seq2seq_text", ts2s, token_inputs(V), "decoder_2", "encoder_2")

# Keras 3 weights-only files whose groups cannot be placed without the config: a normalisation, a pooling.
def keras3_groups(name, extra_group, extra_arrays):
    with h5py.File(os.path.join(OUT, "hostile", name), "w") as f:
        f.create_group("vars")
        for group, arrays in [("layers/lstm/cell/vars", lstm_weights(3, 4)), (extra_group, extra_arrays),
                              ("layers/dense/vars", dense_weights(4, 1))]:
            g = f.create_group(group)
            for i, a in enumerate(arrays):
                g.create_dataset(str(i), data=np.asarray(a, dtype=np.float32))


keras3_groups("keras3_norm.weights.h5", "layers/batch_normalization/vars", batch_norm(4)["weights"])
keras3_groups("keras3_pooling.weights.h5", "layers/global_max_pooling1d/vars", [])

def relu6_head(m):  # a ReLU with a max value in the head: not a plain relu
    m.layers[2]["weights"] = dense_weights(H, 6)
    m.layers[2]["config"]["activation"] = "linear"
    m.layers.insert(3, dict(kind="ReLU", name="re_lu", weights=[], config={}, class_name="ReLU",
                            extra=dict(max_value=0.1)))
    m.layers.insert(4, dict(kind="Dense", name="dense_1", weights=dense_weights(6, V), config=dict(activation="softmax")))


def norm_of_wrong_width(m):  # a BatchNormalization of 6 between an LSTM of 7 and the Dense
    m.layers.insert(2, dict(batch_norm(6), name="batch_normalization"))


def pooling_weights_only(m):  # a weightless local pooling in a weights-only file
    m.layers.insert(2, dict(kind="MaxPooling1D", name="max_pooling1d", weights=[], config={}))


def keras1_bn_mode2(m):
    m.layers.insert(2, dict(batch_norm(H), name="batch_normalization"))
    m.layers[2]["extra"] = dict(mode=2)


def conv_after_mask_zero(m):  # Keras passes no mask through a convolution
    m.layers[0]["extra"] = dict(mask_zero=True)
    m.layers.insert(1, dict(kind="Conv1D", name="conv1d", weights=[rng.normal(0, 0.5, (3, E, 4)), rng.normal(0, 0.2, 4)],
                            config=dict(padding="same", activation="relu")))
    m.layers.insert(2, dict(kind="MaxPooling1D", name="max_pooling1d", weights=[], config=dict(pool_size=2)))
    m.layers[3]["weights"] = lstm_weights(4, H)


def conv_between_lstms(m):
    m.layers.insert(2, dict(kind="Conv1D", name="conv1d", weights=[rng.normal(0, 0.5, (3, H, 4)), rng.normal(0, 0.2, 4)],
                            config=dict(padding="valid", activation="relu")))
    m.layers.insert(3, dict(kind="LSTM", name="lstm_1", weights=lstm_weights(4, H), config=dict(
        activation="tanh", recurrent_activation="sigmoid", return_sequences=True)))


def conv_forecaster_variant(name, edit, **write):
    m = Model(2)
    m.add("Conv1D", "conv1d", [rng.normal(0, 0.5, (3, 3, 4)), rng.normal(0, 0.2, 4)], padding="same", activation="relu")
    m.add("LSTM", "lstm", lstm_weights(4, 5), activation="tanh", recurrent_activation="sigmoid", return_sequences=False)
    m.add("Dense", "dense", dense_weights(5, 1), activation="linear")
    edit(m)
    write_keras2(os.path.join(OUT, "hostile", name), m, **write)


conv_forecaster_variant("conv_channels_first.h5", lambda m: m.layers[0].update(extra=dict(data_format="channels_first")))
conv_forecaster_variant("conv_grouped.h5", lambda m: m.layers[0].update(extra=dict(groups=2)))
conv_forecaster_variant("conv_filters_mismatch.h5", lambda m: m.layers[0].update(extra=dict(filters=9)))
conv_forecaster_variant("conv_weights.h5", lambda m: None, weights_only=True)
variant("conv_after_mask_zero.h5", conv_after_mask_zero)
variant("conv_between_lstms.h5", conv_between_lstms)
variant("relu6_head.h5", relu6_head)
variant("norm_of_wrong_width.h5", norm_of_wrong_width)
variant("pooling_weights.h5", pooling_weights_only, weights_only=True)
variant("bn_mode2.h5", keras1_bn_mode2)
variant("relu_between_lstms.h5", relu_between_layers)
variant("dense_only.h5", dense_only)


def branching_without_lstm(m):  # a second branch from the input: its graph's shape is not the problem
    m.layers[1:2] = []
    m.layers[1]["inputs"] = ["input_layer"]


variant("branching_no_lstm.h5", branching_without_lstm, functional=True)


def branching(m):  # the head reads the embedding beside the LSTM: a branch the message must name
    m.layers[2]["inputs"] = ["embedding"]


variant("branching.h5", branching, functional=True)
variant("norm_before_pooling.h5", norm_before_pooling)
variant("activation_weights.h5", activation_weights_only, weights_only=True)
with open(os.path.join(OUT, "tfkeras_lm.h5"), "rb") as f:
    data = f.read()
with open(os.path.join(OUT, "hostile", "truncated.h5"), "wb") as f:
    f.write(data[: len(data) // 2])
# The same kind of archive saved by Keras 3 on Windows, whose weight groups are named with backslashes.
kwin = Model(3)
kwin.add("Embedding", "embedding", [rng.normal(0, 1, (V, E))])
kwin.add("LSTM", "lstm", lstm_weights(E, H), activation="tanh", recurrent_activation="sigmoid", return_sequences=True)
kwin.add("Dense", "dense", dense_weights(H, V), activation="softmax")
write_keras3_archive(os.path.join(OUT, "keras3_windows.keras"), kwin, "3.10.0", "2025-05-01@10:00:00", windows=True)
write_expected("keras3_windows", kwin, token_inputs(V))

# Attribution through the front end (docs/ATTRIBUTION.md): PyTorch autograd's gradient of output 0 at the last
# output step with respect to the raw input (a table's rows, a text's embedding vectors), Integrated Gradients
# and occlusion per row, for every kind of front end above. Drawn last, so the fixtures above keep their numbers.
with h5py.File(os.path.join(OUT, "front_end_attribution.h5"), "w") as f:
    for name, model, x in [("front_end_forecaster", ff, rng.normal(0, 1, (9, 3))),
                           ("conv_forecaster", cf, rng.normal(0, 1, (11, 3))),
                           ("conv_causal", cc, rng.normal(0, 1, (13, 2))),
                           ("imdb_cnn_lstm", ic, rng.integers(1, V, 10)),
                           ("seq2seq_forecaster", fs2s, rng.normal(0, 1, (7, 3))),
                           ("seq2seq_text", ts2s, rng.integers(1, V, 6))]:
        keras_autograd.write_attribution_reference(f.create_group(name), model, x)
    # An early target of a head at every step (causal windows: later rows cannot move it) and wider occlusion.
    keras_autograd.write_attribution_reference(f.create_group("conv_causal_early"), cc, rng.normal(0, 1, (17, 2)),
                                               step=2, window=3)
print("wrote", OUT)
