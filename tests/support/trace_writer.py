"""Trace files as docs/FORMAT.md describes them, written with h5py for the Python oracles (match, unit
summaries, probes): random or planted values in the layout `lstmscope-cli` reads."""
import h5py
import numpy as np


def write_trace(path, layers, offsets, tokens=None):
    """layers[l][direction][quantity] = (T, H) values; tokens: each step's text (default a, b, c, ...)."""
    steps = int(offsets[-1])
    if tokens is None:
        tokens = [chr(97 + t % 26) for t in range(steps)]
    with h5py.File(path, "w") as f:
        f.attrs["lstmscope_format"] = "trace"
        f.attrs["lstmscope_version"] = 1
        f.attrs["model"] = "random"
        f.attrs["steps"] = steps
        f["tokens"] = np.zeros(steps, dtype="<i4")
        f["token_text"] = np.array(tokens, dtype=h5py.string_dtype())
        for l, directions in enumerate(layers):
            for direction, quantities in directions.items():
                for q, values in quantities.items():
                    f[f"layers/{l}/{direction}/{q}"] = values.astype("<f4")
        f["documents/offsets"] = np.array(offsets, dtype="<i8")
        f["documents/names"] = np.array([f"doc{d}" for d in range(len(offsets) - 1)], dtype=h5py.string_dtype())
