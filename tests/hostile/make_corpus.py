#!/usr/bin/python3
"""Writes the hostile-file corpus that tests/hostile/run_corpus.py feeds to lstmscope-cli (docs/SECURITY.md).

usage: make_corpus.py CLI FOREIGN_FIXTURES OUT_DIR

From small valid files of every format (the foreign fixtures the suite already generates, and a native
model and trace made from them with CLI), it writes: truncations, flipped bits and overwritten regions of
each, files crafted to make a reader fetch bytes from elsewhere (HDF5 external storage and virtual
datasets, ONNX external data, TF.js weight paths leaving the model's folder) or run code (a pickle calling
os.system), damaged number types, hostile texts and tables, and special files (a FIFO, a directory, a
device). OUT_DIR/manifest.json lists one run per entry: the command's arguments, the output it may write,
and what is known of the answer ("refused": exit 3 with a message; "any": exit 0, 2 or 3).

Everything is deterministic (a fixed seed) and small: the corpus is a few megabytes.
"""
import json
import os
import pickle
import random
import shutil
import struct
import subprocess
import sys

import h5py
import numpy as np
from h5py import h5t

# The bytes of every "foreign" file a crafted model points at. They must never reach an output.
MARKER = b"FOREIGN!"


class Corpus:
    def __init__(self, out_dir):
        self.dir = out_dir
        self.runs = []

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, data):
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def add(self, args, expect="any", output=None, why=""):
        self.runs.append({"args": args, "expect": expect, "output": output, "why": why})

    def convert(self, model, expect="any", why="", extra=(), out=None):
        """convert MODEL to a native file: the whole import, and a write whose bytes are checked."""
        out = out or model + ".converted.h5"
        self.add(["convert", model, "--out", out, *extra], expect, out, why)


def mutations(data, rng, flips, regions):
    """Truncations, single flipped bytes and overwritten regions of `data`."""
    n = len(data)
    for cut in sorted({0, 1, 8, 64, n // 3, n // 2, n - 1}):
        if 0 <= cut < n:
            yield f"cut{cut}", data[:cut]
    for k in range(flips):
        at = rng.randrange(n)
        b = bytearray(data)
        b[at] ^= 1 << rng.randrange(8)
        yield f"flip{k}_{at}", bytes(b)
    for k in range(regions):
        at, length = rng.randrange(n), rng.choice([4, 8, 64])
        fill = rng.choice([b"\xff", b"\x00", b"\x7f", b"\x42"])
        b = bytearray(data)
        b[at:at + length] = (fill * length)[:length]
        yield f"region{k}_{at}", bytes(b[:n])


def mutate_file(c, rng, seed, name, suffix, flips=24, regions=6, extra=()):
    with open(seed, "rb") as f:
        data = f.read()
    for tag, damaged in mutations(data, rng, flips, regions):
        c.convert(c.write(f"{name}.{tag}{suffix}", damaged), why=f"{name} damaged ({tag})", extra=extra)


def native_seed(c, cli, fixtures):
    """A small native model (converted from a fixture) and a trace recorded with it."""
    model = c.path("seed_native.h5")
    subprocess.run([cli, "convert", os.path.join(fixtures, "torch/char_lm.pt"), "--vocab",
                    os.path.join(fixtures, "torch/char_lm.vocab.json"), "--out", model], check=True,
                   capture_output=True)
    trace = c.path("seed_trace.h5")
    subprocess.run([cli, "record", "--model", model, "--text", "abc dé gh", "--out", trace, "--quiet"],
                   check=True, capture_output=True)
    return model, trace


def crafted_hdf5(c, native):
    """The native model with one weight's storage or type replaced."""
    marker_file = c.write("foreign.bin", MARKER * 4096)
    marker_h5 = c.path("foreign.h5")
    with h5py.File(marker_h5, "w") as f:
        f.create_dataset("x", data=np.frombuffer(MARKER * 4096, dtype="<f4"))

    def variant(name, replace, why):
        path = c.path(f"crafted_{name}.h5")
        shutil.copy(native, path)
        with h5py.File(path, "r+") as f:
            weights = [k for k in walk(f) if k.endswith("W_hh")]
            target = weights[0]
            values = f[target][()]
            del f[target]
            replace(f, target, values)
        c.convert(path, "refused", why)
        c.add(["info", path], "refused", None, why)

    def external(f, target, values):
        f.create_dataset(target, shape=values.shape, dtype="<f4",
                         external=[(marker_file, 0, values.size * 4)])

    def flat_virtual(f, target, values):
        layout = h5py.VirtualLayout(shape=(values.size,), dtype="<f4")
        layout[:] = h5py.VirtualSource(marker_h5, "x", shape=(4096 * 2,))[:values.size]
        f.create_virtual_dataset(target, layout)

    def ebias(f, target, values):
        t = h5t.IEEE_F32LE.copy()
        t.set_ebias(67108991)
        space = h5py.h5s.create_simple(values.shape)
        d = h5py.h5d.create(f.id, target.encode(), t, space)
        d.write(h5py.h5s.ALL, h5py.h5s.ALL, values.astype("<f4"))

    def integers(f, target, values):
        f.create_dataset(target, data=(values * 100).astype("<i4"))

    def strings(f, target, values):
        f.create_dataset(target, data=np.array([b"BBBB"] * values.size))

    def compound(f, target, values):
        f.create_dataset(target, data=np.zeros(values.shape, dtype=[("re", "<f4"), ("im", "<f4")]))

    def huge(f, target, values):
        f.create_dataset(target, shape=(1 << 40, 1 << 20), dtype="<f4", chunks=(1, 16))

    def unknown_filter(f, target, values):
        f.create_dataset(target, data=values, chunks=values.shape, scaleoffset=3)

    try:
        variant("external", external, "W_hh's values kept in an external file")
        variant("virtual", flat_virtual, "W_hh as a virtual dataset reading another file")
    except Exception as e:  # noqa: BLE001 - h5py without virtual datasets still writes the rest
        print(f"make_corpus: skipped a virtual dataset: {e}", file=sys.stderr)
    variant("ebias", ebias, "W_hh's float type with a damaged exponent bias")
    variant("integers", integers, "W_hh stored as integers")
    variant("strings", strings, "W_hh stored as strings")
    variant("compound", compound, "W_hh stored as a compound type")
    variant("huge", huge, "W_hh of 2^60 values")
    variant("scaleoffset", unknown_filter, "W_hh stored with a lossy filter")


def walk(group, prefix=""):
    for key, item in group.items():
        name = f"{prefix}/{key}"
        if isinstance(item, h5py.Group):
            yield from walk(item, name)
        else:
            yield name


def crafted_foreign(c, fixtures):
    """Files of other formats that point elsewhere or call code."""
    touched = c.path("os_system_ran")

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {touched}",))

    with open(c.path("crafted_os_system.pt"), "wb") as f:
        pickle.dump({"weight": Evil()}, f, protocol=2)
    c.convert(c.path("crafted_os_system.pt"), "refused", "a pickle that calls os.system")
    c.runs[-1]["must_not_exist"] = touched

    # TF.js weights whose path leaves the model's folder.
    src = os.path.join(fixtures, "keras/tfjs_lm")
    dst = c.path("crafted_tfjs_escape")
    shutil.copytree(src, dst)
    with open(os.path.join(dst, "model.json")) as f:
        model = json.load(f)
    model["weightsManifest"][0]["paths"] = ["../foreign.bin"] + model["weightsManifest"][0]["paths"][1:]
    with open(os.path.join(dst, "model.json"), "w") as f:
        json.dump(model, f)
    c.convert(os.path.join(dst, "model.json"), "refused", "TF.js weights outside the model's folder")

    # ONNX initializers kept in external data (another file).
    try:
        import onnx
        m = onnx.load(os.path.join(fixtures, "onnx/node_forward.onnx"))
        for init in m.graph.initializer:
            if init.raw_data or init.float_data:
                size = len(init.raw_data) if init.raw_data else 4 * len(init.float_data)
                init.ClearField("raw_data")
                init.ClearField("float_data")
                init.data_location = onnx.TensorProto.EXTERNAL
                for key, value in (("location", "foreign.bin"), ("offset", "0"), ("length", str(size))):
                    entry = init.external_data.add()
                    entry.key, entry.value = key, value
                break
        c.write("crafted_external.onnx", m.SerializeToString())
        c.convert(c.path("crafted_external.onnx"), "refused", "ONNX weights in an external file")
    except ImportError:
        sys.exit("make_corpus: python3-onnx is needed (it is installed with the foreign fixtures)")

    # safetensors whose header claims more bytes, or overlapping tensors.
    header = json.dumps({"W": {"dtype": "F32", "shape": [4, 4], "data_offsets": [0, 1 << 40]}}).encode()
    c.write("crafted_beyond.safetensors", struct.pack("<Q", len(header)) + header + b"\0" * 64)
    c.convert(c.path("crafted_beyond.safetensors"), "refused", "safetensors offsets past the end")
    c.write("crafted_header_size.safetensors", struct.pack("<Q", 1 << 62) + b"{}")
    c.convert(c.path("crafted_header_size.safetensors"), "refused", "safetensors header of 2^62 bytes")


def special_files(c, native):
    fifo = c.path("fifo")
    os.mkfifo(fifo)
    os.makedirs(c.path("a_directory"))
    c.convert(fifo, "refused", "a FIFO as the model")
    c.convert(c.path("a_directory"), "refused", "a directory as the model")
    c.convert("/dev/zero", "refused", "a device as the model")
    c.convert(native, "refused", "a FIFO as the vocabulary", extra=("--vocab", fifo))
    out = c.path("record_from_fifo.h5")
    c.add(["record", "--model", native, "--text-file", fifo, "--out", out], "refused", out, "a FIFO as the text")
    out = c.path("record_from_device.h5")
    c.add(["record", "--model", native, "--text-file", "/dev/zero", "--out", out], "refused", out,
          "a device as the text")
    c.add(["record", "--model", native, "--text", "ab", "--out", "/dev/null"], "usage", None,
          "a device as the output")
    c.add(["info", c.path("no_such_file.h5")], "refused", None, "a missing file")
    loop = c.path("loop")
    os.symlink(loop, loop)
    c.add(["info", loop], "refused", None, "a symbolic link to itself")
    c.add(["info", c.path("x" * 300)], "refused", None, "a name too long")


def texts(c, native):
    cases = {
        "empty": b"",
        "nul": b"ab\0cd",
        "bad_byte": b"ab\xe9cd",
        "bom_only": b"\xef\xbb\xbf",
        "surrogate": b"a\xed\xa0\x80b",
        "overlong": b"a\xc0\xafb",
        "beyond_unicode": b"a\xf4\x90\x80\x80b",
        "cut_character": b"abc\xe2\x82",
        "control": b"\x1b[31mred\x1b[0m\r\n\x07",
        "long_line": b"ab " * 7000,
        "marker_text": MARKER,  # the text itself may be in the trace: not foreign, it is an input
    }
    for name, data in cases.items():
        text = c.write(f"text_{name}.txt", data)
        out = c.path(f"trace_{name}.h5")
        c.add(["record", "--model", native, "--text-file", text, "--out", out, "--quiet"], "any", out,
              f"text: {name}")
        if name == "marker_text":
            c.runs[-1]["marker_allowed"] = True
    out = c.path("trace_limit.h5")
    c.add(["record", "--model", native, "--text-file", c.path("text_long_line.txt"), "--max-steps", "100",
           "--out", out], "refused", out, "a text longer than --max-steps")


def corpora(c, native):
    """record --corpus: folders holding special files, and damaged JSON lines."""
    folder = c.path("corpus_folder")
    os.makedirs(os.path.join(folder, "sub"))
    os.mkfifo(os.path.join(folder, "fifo"))
    os.symlink("/dev/zero", os.path.join(folder, "device_link"))
    with open(os.path.join(folder, "a.txt"), "wb") as f:
        f.write(b"abc d")
    with open(os.path.join(folder, "b.txt"), "wb") as f:
        f.write(b"ab\xe9cd")
    out = c.path("trace_corpus_folder.h5")
    c.add(["record", "--model", native, "--corpus", folder, "--out", out, "--quiet"], "refused", out,
          "a corpus folder with a FIFO, a device link and a text that is not UTF-8")
    lines = {
        "not_json": b'{"text": "ab"}\n{"text": \n',
        "not_text": b'{"text": 5}\n',
        "bad_utf8": b'{"text": "a\xe9b"}\n',
        "nul": b'{"text": "a\\u0000b"}\n',
        "deep": b"[" * 100000 + b"\n",
        "empty_text": b'{"text": ""}\n{"text": "ab"}\n',
    }
    record_each(c, native, "--corpus", lines, "corpus", ".jsonl")


def tables(c, forecaster):
    cases = {
        "empty": b"",
        "header_only": b"a,b,c\n",
        "nan": b"1,2,nan\n4,5,6\n",
        "inf": b"1,2,inf\n",
        "overflow": b"1,2,1e999\n",
        "ragged": b"1,2,3\n4,5\n",
        "unterminated_quote": b"\"1,2,3\n",
        "nul": b"1,\0,3\n",
        "many_columns": (b"1," * 5000) + b"1\n",
        "text_column": b"date,a,b,c\n2020-01-01,1,2,3\n2020-01-02,4,5,6\n",
    }
    record_each(c, forecaster, "--csv", cases, "table", ".csv")


def record_each(c, model, option, inputs, kind, suffix):
    """record MODEL on each input (name -> bytes), given by `option`; any exit status but a crash."""
    for name, data in inputs.items():
        path = c.write(f"{kind}_{name}{suffix}", data)
        out = c.path(f"trace_{kind}_{name}.h5")
        c.add(["record", "--model", model, option, path, "--out", out, "--quiet"], "any", out, f"{kind}: {name}")


def main():
    cli, fixtures, out_dir = sys.argv[1:4]
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    c = Corpus(out_dir)
    rng = random.Random(20261203)
    native, trace = native_seed(c, cli, fixtures)
    forecaster = c.path("seed_forecaster.h5")
    subprocess.run([cli, "convert", os.path.join(fixtures, "torch/forecaster.pt"), "--out", forecaster],
                   check=True, capture_output=True)

    vocab = ("--vocab", os.path.join(fixtures, "torch/char_lm.vocab.json"))
    seeds = [
        (native, "native", ".h5", ()),
        (trace, "trace", ".h5", ()),
        (os.path.join(fixtures, "torch/char_lm.pt"), "torch_zip", ".pt", vocab),
        (os.path.join(fixtures, "torch/char_lm_legacy.pt"), "torch_legacy", ".pt", vocab),
        (os.path.join(fixtures, "torch/onehot_lm.safetensors"), "safetensors", ".safetensors", ()),
        (os.path.join(fixtures, "onnx/node_forward.onnx"), "onnx", ".onnx", ()),
        (os.path.join(fixtures, "keras/keras1_lm.h5"), "keras_h5", ".h5", ()),
        (os.path.join(fixtures, "keras/keras3_archive.keras"), "keras_archive", ".keras", ()),
        (os.path.join(fixtures, "torch/char_lm.vocab.json"), "vocab_json", ".json", ()),
    ]
    for seed, name, suffix, extra in seeds:
        if name == "trace":
            with open(seed, "rb") as f:
                data = f.read()
            for tag, damaged in mutations(data, rng, 24, 6):
                c.add(["info", c.write(f"trace.{tag}.h5", damaged)], "any", None, f"trace damaged ({tag})")
        elif name == "vocab_json":
            with open(seed, "rb") as f:
                data = f.read()
            for tag, damaged in mutations(data, rng, 12, 4):
                c.convert(os.path.join(fixtures, "torch/char_lm.pt"), why=f"vocabulary damaged ({tag})",
                          extra=("--vocab", c.write(f"vocab.{tag}.json", damaged)),
                          out=c.path(f"vocab.{tag}.converted.h5"))
        else:
            mutate_file(c, rng, seed, name, suffix, extra=extra)

    # The hostile fixtures of the foreign tests, each through a whole convert.
    for sub in ("torch/hostile", "onnx/hostile", "keras/hostile"):
        folder = os.path.join(fixtures, sub)
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not name.endswith(("_expected.h5", ".txt", ".json")):
                c.convert(path, why=f"{sub}/{name}", out=c.path(f"{sub.replace('/', '_')}_{name}.converted.h5"))

    crafted_hdf5(c, native)
    crafted_foreign(c, fixtures)
    special_files(c, native)
    texts(c, native)
    corpora(c, native)
    tables(c, forecaster)

    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump({"marker": MARKER.decode(), "runs": c.runs}, f, indent=1)
    print(f"make_corpus: {len(c.runs)} runs in {out_dir}")


if __name__ == "__main__":
    main()
