"""Writes PyTorch-side fixtures for the foreign-format tests: models defined the way users write them,
saved every way PyTorch saves them, plus float64 references of their outputs and hostile files.

usage: /usr/bin/python3 make_torch_files.py OUTDIR

For each case NAME: NAME.pt (zip state dict), NAME_legacy.pt (pre-1.6 format), NAME_whole.pt
(torch.save(model)), NAME.safetensors (written per the spec with plain Python), NAME_checkpoint.pth
(state dict nested in a training checkpoint with optimizer state), NAME.vocab* (vocabulary, if any) and
NAME_expected.h5 (inputs and the float64 outputs of the model's own forward). char27_onehot.pt is a
one-hot character model saved without a vocabulary. hostile/ holds files that must be refused.
"""
import collections
import copy
import json
import os
import struct
import sys
import zipfile

import h5py
import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_models import BiClassifier, CellLM, CharLM, Forecaster, OneHotLM  # noqa: E402

torch.manual_seed(7)
OUT = sys.argv[1]
os.makedirs(os.path.join(OUT, "hostile"), exist_ok=True)


def char_vocab(n):
    return [chr(ord("a") + k) for k in range(n - 2)] + [" ", "\u00e9"]


CASES = {
    "char_lm": (CharLM(11, 6, 9), "tokens", ("array", char_vocab(11))),
    "bi_classifier": (BiClassifier(13, 5, 7, 3), "tokens", ("object", ["<unk>"] + ["w%d" % k for k in range(12)])),
    "onehot_lm": (OneHotLM(6, 8), "tokens", ("lines", char_vocab(6))),
    "forecaster": (Forecaster(3, 10), "features", None),
}
SEQUENCE_LENGTHS = [1, 5, 17]


def write_vocab(name, kind, tokens):
    path = os.path.join(OUT, name + {"array": ".vocab.json", "object": ".vocab_map.json", "lines": ".vocab.txt"}[kind])
    with open(path, "w", encoding="utf-8") as f:
        if kind == "array":
            json.dump(tokens, f, ensure_ascii=False)
        elif kind == "object":
            json.dump({t: k for k, t in enumerate(tokens)}, f, ensure_ascii=False)
        else:
            f.write("\n".join(tokens) + "\n")


def write_safetensors(path, state, dtype="F32"):
    np_dtype = {"F32": "<f4", "F64": "<f8", "F16": "<f2"}[dtype]
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in state.items():
        data = t.detach().cpu().numpy().astype(np_dtype).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def expected_outputs(name, model, kind, vocab_size):
    reference = copy.deepcopy(model).double().eval()
    with h5py.File(os.path.join(OUT, name + "_expected.h5"), "w") as f:
        for k, T in enumerate(SEQUENCE_LENGTHS):
            g = torch.Generator().manual_seed(100 + k)
            if kind == "tokens":
                x = torch.randint(0, vocab_size, (1, T), generator=g)
                f["input_%d" % k] = x[0].numpy().astype(np.int32)
            else:
                x = torch.randn(1, T, 3, generator=g, dtype=torch.float64)
                f["input_%d" % k] = x[0].numpy()
            with torch.no_grad():
                y = reference(x)
            f["output_%d" % k] = y.reshape(-1, y.shape[-1]).numpy()
        f.attrs["inputs"] = len(SEQUENCE_LENGTHS)


for name, (model, kind, vocab) in CASES.items():
    # Saturating weights on one case: gates near 0/1 are where layout mistakes hide least.
    if name == "bi_classifier":
        with torch.no_grad():
            for p in model.rnn.parameters():
                p.mul_(3.0)
    state = model.state_dict()
    torch.save(state, os.path.join(OUT, name + ".pt"))
    torch.save(state, os.path.join(OUT, name + "_legacy.pt"), _use_new_zipfile_serialization=False)
    torch.save(model, os.path.join(OUT, name + "_whole.pt"))
    write_safetensors(os.path.join(OUT, name + ".safetensors"), state)
    if vocab:
        write_vocab(name, *vocab)
    vocab_size = len(vocab[1]) if vocab else 0
    expected_outputs(name, model, kind, vocab_size)
    # A training checkpoint one Adam step later: the optimizer's moments are tensors too, to be ignored.
    trained = copy.deepcopy(model)
    optimizer = torch.optim.Adam(trained.parameters())
    trained(torch.zeros(1, 2, dtype=torch.long) if kind == "tokens" else torch.zeros(1, 2, 3)).sum().backward()
    optimizer.step()
    torch.save({"epoch": 3, "model_state_dict": trained.state_dict(), "optimizer_state_dict": optimizer.state_dict()},
               os.path.join(OUT, name + "_checkpoint.pth"))
    expected_outputs(name + "_checkpoint", trained, kind, vocab_size)

# The classifier in float64 and float16 storage: dtype conversion (float16 outputs come from the rounded
# weights, so they are compared with a float64 run of the rounded model).
bi = CASES["bi_classifier"][0].double()
torch.save(bi.state_dict(), os.path.join(OUT, "bi_classifier_f64.pt"))
write_safetensors(os.path.join(OUT, "bi_classifier_f16.safetensors"), bi.state_dict(), "F16")
rounded = BiClassifier(13, 5, 7, 3).double()
rounded.load_state_dict({k: v.half().double() for k, v in bi.state_dict().items()})
expected_outputs("bi_classifier_f16", rounded, "tokens", 13)

# A state dict whose tensors are views into one shared storage (non-zero offsets and a transposed stride).
shared = torch.randn(100 + 9 * 11 + 5)
lm = CharLM(11, 6, 9)
views = collections.OrderedDict(lm.state_dict())
views["decoder.weight"] = shared[100:100 + 9 * 11].view(9, 11).t()  # (11, 9), non-contiguous
torch.save(views, os.path.join(OUT, "strided_views.pt"))
lm.load_state_dict(views)
expected_outputs("strided_views", lm, "tokens", 11)

# An nn.LSTMCell looped over the steps (Silero VAD's decoder is one): its tensors have no _l0 suffix.
cell_lm = CellLM(10, 4, 6)
torch.save(cell_lm.state_dict(), os.path.join(OUT, "cell_lm.pt"))
torch.save(cell_lm, os.path.join(OUT, "cell_lm_whole.pt"))
expected_outputs("cell_lm", cell_lm, "tokens", 10)

# Architectures LSTMScope does not read: it must say so by name.
torch.save(nn.GRU(4, 5).state_dict(), os.path.join(OUT, "hostile", "gru_state.pt"))
torch.save(nn.LSTM(4, 6, proj_size=3).state_dict(), os.path.join(OUT, "hostile", "projection.pt"))
nan = CharLM(11, 6, 9).state_dict()
nan["lstm.weight_hh_l1"][2, 3] = float("nan")
torch.save(nan, os.path.join(OUT, "hostile", "nan_weight.pt"))


class GruModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(5, 4)
        self.lstm = nn.GRU(4, 4)  # named like an LSTM, but is not one; 3 blocks of 4 = 12 rows
        self.fc = nn.Linear(4, 5)


torch.save(GruModel(), os.path.join(OUT, "hostile", "gru_named_lstm_whole.pt"))


class Evil:
    def __init__(self, fn, arg):
        self.fn, self.arg = fn, arg

    def __reduce__(self):
        return (self.fn, (self.arg,))


MARKER = os.path.join(OUT, "hostile", "PWNED")  # exists only if a reader ran the pickle's call
if os.path.exists(MARKER):
    os.remove(MARKER)
torch.save({"w": torch.zeros(2), "x": Evil(os.system, "touch " + MARKER)}, os.path.join(OUT, "hostile", "os_system.pt"))
torch.save({"w": torch.zeros(2), "x": Evil(eval, "open(%r, 'w')" % MARKER)}, os.path.join(OUT, "hostile", "eval.pt"))
torch.save({"w": torch.zeros(2), "x": Evil(collections.Counter, "abc")}, os.path.join(OUT, "hostile", "unknown_call.pt"))

with open(os.path.join(OUT, "char_lm.pt"), "rb") as f:
    good = f.read()
with open(os.path.join(OUT, "hostile", "truncated.pt"), "wb") as f:
    f.write(good[: len(good) // 2])
flipped = bytearray(good)
for k in range(len(flipped) // 3, len(flipped) // 3 + 64, 8):
    flipped[k] ^= 0x5A
with open(os.path.join(OUT, "hostile", "bitflip.pt"), "wb") as f:
    f.write(bytes(flipped))
with open(os.path.join(OUT, "char_lm_legacy.pt"), "rb") as f:
    legacy = f.read()
with open(os.path.join(OUT, "hostile", "truncated_legacy.pt"), "wb") as f:
    f.write(legacy[: len(legacy) * 2 // 3])

# A zip bomb: data.pkl inflates to 300 MB of zeros from a few hundred KB.
with zipfile.ZipFile(os.path.join(OUT, "hostile", "zipbomb.pt"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("archive/data.pkl", b"\0" * (300 << 20))

# A tensor whose view runs far past its 4-element storage.
class Storage:
    pass


class Huge:
    def __reduce__(self):
        return (torch._utils._rebuild_tensor_v2, (STORAGE, 0, (100000, 100000), (100000, 1), False, collections.OrderedDict()))


STORAGE = Storage()


class ViewPickler(__import__("pickle").Pickler):
    def persistent_id(self, obj):
        return ("storage", torch.FloatStorage, "0", "cpu", 4) if obj is STORAGE else None


import io  # noqa: E402
import pickle  # noqa: E402

buffer = io.BytesIO()
ViewPickler(buffer, protocol=2).dump(collections.OrderedDict([("lstm.weight_ih_l0", Huge())]))
with zipfile.ZipFile(os.path.join(OUT, "hostile", "absurd_view.pt"), "w", zipfile.ZIP_STORED) as z:
    z.writestr("archive/data.pkl", buffer.getvalue())
    z.writestr("archive/data/0", b"\0" * 16)
    z.writestr("archive/version", b"3\n")

# safetensors: absurd shape, offsets beyond the file, truncated data.
def raw_safetensors(path, header, data):
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


raw_safetensors(os.path.join(OUT, "hostile", "absurd_shape.safetensors"),
                {"w": {"dtype": "F32", "shape": [1 << 40, 1 << 40], "data_offsets": [0, 16]}}, b"\0" * 16)
raw_safetensors(os.path.join(OUT, "hostile", "offsets_beyond.safetensors"),
                {"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 1 << 30]}}, b"\0" * 16)
with open(os.path.join(OUT, "char_lm.safetensors"), "rb") as f:
    st = f.read()
with open(os.path.join(OUT, "hostile", "truncated.safetensors"), "wb") as f:
    f.write(st[:-40])
with open(os.path.join(OUT, "hostile", "wrong_size.vocab.json"), "w") as f:
    json.dump(char_vocab(10), f)
with open(os.path.join(OUT, "hostile", "latin1.vocab.txt"), "wb") as f:
    f.write("a\nb\n\xe9\n".encode("latin-1"))
# Pickles built to cost time: each must be refused (or read) in time linear in its size.
def legacy_with_root(name, root):
    """A legacy checkpoint around a hand-written pickle `root` (protocol 2), with no storages."""
    import pickle
    parts = [pickle.dumps(torch.serialization.MAGIC_NUMBER, protocol=2), pickle.dumps(1001, protocol=2),
             pickle.dumps({}, protocol=2), root, pickle.dumps([], protocol=2)]
    with open(os.path.join(OUT, "hostile", name), "wb") as f:
        f.write(b"".join(parts))


def key(text):  # BINUNICODE
    return b"X" + struct.pack("<I", len(text)) + text.encode()


DEPTH = 1000000  # lists one million deep, 2 MB: APPEND used to take cubic time (a 2 MB file hung)
legacy_with_root("nested_lists.pt", b"\x80\x02" + b"]" * DEPTH + b"a" * (DEPTH - 1) + b".")
# A deep list appended again and again to a list that a tuple already holds: each append would search the
# deep list for a cycle.
DEEP, APPENDS = 200000, 200000
legacy_with_root("contained_appends.pt", b"\x80\x02" + b"]" * DEEP + b"a" * (DEEP - 1) + b"q\x000" + b"]q\x01\x850h\x01" +
                 b"h\x00a" * APPENDS + b".")
# Sixty dicts, each holding the previous one twice: 2^60 paths to the first.
bomb = b"\x80\x02}q\x00"
for level in range(1, 61):
    bomb += b"0}(" + key("a") + b"h" + bytes([level - 1]) + key("b") + b"h" + bytes([level - 1]) + b"uq" + bytes([level])
legacy_with_root("shared_dicts.pt", bomb + b".")
# A character model with 27 one-hot inputs and 27 outputs, brought without a vocabulary file (26 letters
# and a space, as char-rnn tutorials write it): the import must take it for a language model (input
# width = output width), not for 27 numeric features. Last, so that it leaves the other cases' random
# weights as they were.
char27 = OneHotLM(27, 16)
torch.save(char27.state_dict(), os.path.join(OUT, "char27_onehot.pt"))
expected_outputs("char27_onehot", char27, "tokens", 27)
print("wrote", OUT)
