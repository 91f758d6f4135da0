#!/usr/bin/python3
"""An independent reader of LSTMVis projects (its format as LSTMVis's lstmdata package reads it: lstm.yml,
h5 files opened by key, dictionaries of "token id" lines split at white space, ids from 1), run on what
`lstmscope-cli export-lstmvis` writes, and compared with the trace it came from.

usage: read_export.py CLI DEMO_MODEL WORK_DIR
"""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import yaml


def read_dictionary(path):
    """id -> token, parsed as LSTMVis does: two fields, or a line starting with a space (the space)."""
    tokens = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fields = line.split()
            if len(fields) == 2:
                tokens[int(fields[1])] = fields[0]
            elif line[0] == " " and len(fields) == 1:
                tokens[int(fields[0])] = " "
            else:
                raise SystemExit(f"{path}:{number}: LSTMVis cannot read this line: {line!r}")
    return tokens


def as_written(token):
    """How the export documents a token in the dictionary (docs/CLI.md "export-lstmvis")."""
    if token == " ":
        return token
    if token == "":
        return "<empty>"
    out = []
    for c in token:
        if c.isspace() or c in "\x1c\x1d\x1e\x1f":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(c, f"\\u{ord(c):04X}"))
        else:
            out.append(c)
    return "".join(out)


def check(project, trace_path):
    problems = []
    with open(os.path.join(project, "lstm.yml")) as f:
        config = yaml.safe_load(f)
    files = {key: os.path.join(project, name) for key, name in config["files"].items()}
    h5 = {key: h5py.File(path, "r") for key, path in files.items() if path.endswith((".h5", ".hdf5"))}
    trace = h5py.File(trace_path, "r")
    steps = int(trace.attrs["steps"])
    # States: every type names a (steps, units) float32 dataset equal to the trace's quantity.
    states = config["states"]
    for entry in states["types"]:
        data = h5[entry.get("file", states["file"])][entry["path"]]
        layer, direction = entry["layer"].split("/")
        expected = trace[f"layers/{layer}/{direction}/{entry['type']}"][()].astype(np.float32)
        if data.dtype != np.float32 or data.shape != expected.shape or not np.array_equal(data[()], expected):
            problems.append(f"states {entry['path']} differ from the trace")
        if entry.get("transform", "tanh") != ("tanh" if entry["type"] == "c" else "raw"):
            problems.append(f"states {entry['path']}: transform {entry.get('transform')}")
    # The word sequence through the dictionary gives back each step's text.
    ws = config["word_sequence"]
    ids = h5[ws["file"]][ws["path"]][()]
    words = read_dictionary(files[ws["dict_file"]])
    texts = [t.decode() if isinstance(t, bytes) else t for t in trace["token_text"][()]]
    if len(ids) != steps or min(ids) < 1:
        problems.append("word ids: wrong length or an id below 1")
    elif [words[int(i)] for i in ids] != [as_written(t) for t in texts]:
        problems.append("word ids and dictionary do not give back the token text")
    if len(set(words.values())) != len(words) and len(set(texts)) == len(words):
        problems.append("the dictionary maps two ids to one token")
    # The document meta track: each step's document.
    meta = config["meta"]["document"]
    documents = h5[meta["file"]][meta["path"]][()]
    offsets = trace["documents/offsets"][()] if "documents" in trace else np.array([0, steps])
    expected = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    if not np.array_equal(documents, expected):
        problems.append("the document track does not follow /documents/offsets")
    if meta["vis"]["type"] != "discrete":
        problems.append("the document track is not discrete")
    # The trace's meta tracks: numbers as scalar tracks, categories through their dictionary.
    for name in trace.get("meta", {}):
        stored = trace["meta"][name]
        entry = config["meta"][name]
        values = h5[entry["file"]][entry["path"]][()]
        if stored.attrs["kind"] == "category":
            categories = read_dictionary(files[entry["dict"]])
            expected = [stored.attrs["categories"][int(v)] for v in stored[()]]
            if [categories[int(v)] for v in values] != expected or entry["vis"]["type"] != "discrete":
                problems.append(f"meta track {name}: categories differ")
        elif not np.array_equal(values, stored[()]) or entry["vis"]["type"] != "scalar":
            problems.append(f"meta track {name}: values differ")
    return problems


def main():
    cli, model, work = sys.argv[1:4]
    shutil.rmtree(work, ignore_errors=True)
    docs = os.path.join(work, "docs")
    os.makedirs(docs)
    # Tokens LSTMVis's dictionary reader would split: space, newline, tab; and a second document.
    with open(os.path.join(docs, "a.py"), "w") as f:
        f.write("def f(x):\n\treturn x  # 'a'\n")
    with open(os.path.join(docs, "b.py"), "w") as f:
        f.write("print(1)\n")
    failures = 0
    for precision in ("float", "float16"):
        trace = os.path.join(work, f"{precision}.h5")
        project = os.path.join(work, f"project_{precision}")
        kinds = os.path.join(work, "kinds.tsv")
        with open(kinds, "w") as f:
            f.write("library\nscript\n")
        subprocess.run([cli, "record", "--model", model, "--corpus", docs, "--precision", precision, "--out", trace,
                        "--quiet", "--meta", "depth=builtin:bracket-depth", "--meta", f"kind={kinds}"], check=True)
        r = subprocess.run([cli, "export-lstmvis", "--trace", trace, "--out", project], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"export-lstmvis failed: {r.stderr}")
        for problem in check(project, trace):
            failures += 1
            print(f"FAIL ({precision}): {problem}")
        leftovers = [n for n in os.listdir(work) if ".tmp-" in n]
        if leftovers:
            failures += 1
            print(f"FAIL: temporary folders left: {leftovers}")
    # An existing, non-empty folder is refused before anything is written.
    r = subprocess.run([cli, "export-lstmvis", "--trace", trace, "--out", docs], capture_output=True, text=True)
    if r.returncode != 2 or "is not an empty folder" not in r.stderr:
        failures += 1
        print(f"FAIL: exporting into a folder that holds files: exit {r.returncode}, {r.stderr}")
    print(f"read_export: {failures} problems")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
