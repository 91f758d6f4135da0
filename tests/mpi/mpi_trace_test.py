#!/usr/bin/env python3
"""`mpirun -np N lstmscope-cli` record, match, unit and probe (docs/SCALING.md) against the same commands on one rank.

usage: mpi_trace_test.py CLI MODEL WORKDIR RANKS APP

For each corpus below, the trace the ranks write together must equal the serial command's trace: the same
groups and datasets, every dataset's type, shape and bytes, and every attribute (h5py reads both). The corpora
have documents that do not divide evenly among the ranks, empty documents, and fewer documents than ranks
(a rank with nothing to record). The ordinary build's desktop app (APP) opens a trace the ranks wrote. A rank
that fails must fail the whole command, name the rank and leave no
trace and no temporary file behind.
"""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

CLI, MODEL, WORK, RANKS, APP = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]

TEXT = open(os.path.join(os.path.dirname(MODEL), "sample.py"), encoding="utf-8").read()


def mpirun(n):
    command = ["mpirun", "--oversubscribe", "-np", str(n)]
    if os.geteuid() == 0:  # CI runs as root
        command.insert(1, "--allow-run-as-root")
    return command


def run(command, expect=0, env=None):
    result = subprocess.run(command, capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, **env) if env else None)
    if result.returncode != expect:
        sys.exit(f"FAIL: {' '.join(command)}\nexit {result.returncode}, expected {expect}\n{result.stderr}")
    return result


def objects(f):
    names = []
    f.visit(names.append)
    return sorted(names)


def same_attributes(a, b, where):
    assert sorted(a.attrs.keys()) == sorted(b.attrs.keys()), f"{where}: attributes {list(a.attrs)} != {list(b.attrs)}"
    for key in a.attrs:
        x, y = a.attrs[key], b.attrs[key]
        assert np.array_equal(np.asarray(x), np.asarray(y)), f"{where}: attribute {key}: {x!r} != {y!r}"


def compare(serial, shared):
    """Every object, dataset and attribute of two traces, bit for bit."""
    with h5py.File(serial, "r") as a, h5py.File(shared, "r") as b:
        assert objects(a) == objects(b), f"objects differ:\n{objects(a)}\n{objects(b)}"
        same_attributes(a, b, "/")
        datasets = 0
        for name in objects(a):
            x, y = a[name], b[name]
            same_attributes(x, y, name)
            if not isinstance(x, h5py.Dataset):
                continue
            datasets += 1
            assert x.dtype == y.dtype and x.shape == y.shape, f"{name}: {x.dtype}{x.shape} != {y.dtype}{y.shape}"
            if h5py.check_string_dtype(x.dtype):
                assert list(x[()]) == list(y[()]), f"{name}: strings differ"
            else:
                assert x[()].tobytes() == y[()].tobytes(), f"{name}: values differ"
        return datasets


def folder_corpus(name, lengths):
    folder = os.path.join(WORK, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    start = 0
    for k, n in enumerate(lengths):
        with open(os.path.join(folder, f"doc{k:02d}.py"), "w", encoding="utf-8") as f:
            f.write(TEXT[start:start + n])
        start = (start + n) % (len(TEXT) // 2)
    return folder


def check(name, corpus, ranks, options=(), env=None):
    serial = os.path.join(WORK, name + "-serial.h5")
    shared = os.path.join(WORK, name + f"-{ranks}.h5")
    record = ["record", "--model", MODEL, "--corpus", corpus, "--quiet", *options]
    run([CLI, *record, "--out", serial], env=env)
    run(mpirun(ranks) + [CLI, *record, "--out", shared], env=env)
    datasets = compare(serial, shared)
    print(f"{name}, {ranks} ranks: {datasets} datasets equal bit for bit")


def leftovers(folder, stem):
    return [f for f in os.listdir(folder) if f.startswith(stem)]


os.makedirs(WORK, exist_ok=True)
uneven = folder_corpus("uneven", [0, 1, 37, 300, 5, 1200, 64, 2, 0, 417])
check("uneven", uneven, RANKS)
check("half", uneven, RANKS, ["--precision", "float16", "--batch", "3", "--meta", "depth=builtin:bracket-depth",
                              "--quantities", "c,h", "--preactivations"])
check("double", uneven, RANKS, ["--precision", "double", "--batch", "1"])
# Without our AVX-512 kernel (as on CPUs that lack it) every product is one matrix-vector product per column.
check("eigen", uneven, RANKS, ["--batch", "4"], env={"LSTMSCOPE_GEMM": "eigen"})
# Fewer documents than ranks: a rank records nothing and still writes its (empty) part.
few = folder_corpus("few", [260, 0] if RANKS > 2 else [260])
check("few", few, RANKS)

# The desktop app (the ordinary build: .ci/test.sh builds it first) opens the ranks' trace and draws it.
if not os.path.exists(APP):
    sys.exit(f"FAIL: {APP} is missing: build the release preset first (cmake --build --preset release)")
shot = os.path.join(WORK, "app.png")
result = subprocess.run([APP, os.path.join(WORK, f"uneven-{RANKS}.h5"), "--size", "1000x700", "--screenshot", shot],
                        capture_output=True, text=True, timeout=300, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
assert result.returncode == 0 and "analysis shown" in result.stdout, result.stdout + result.stderr
from PIL import Image  # noqa: E402 (only this check needs it)
colours = len(Image.open(shot).convert("RGB").getcolors(1 << 20) or [])
assert colours > 100, f"the app's screenshot has {colours} colours: nothing drawn"
print(f"the app opens the trace of {RANKS} ranks ({colours} colours drawn)")

# match: the ranks share the documents; the JSON and CSV answers are the serial command's, byte for byte, from the
# match index and by scanning the values, for queries with many candidates (the merge must choose).
trace = os.path.join(WORK, "uneven-serial.h5")
for name, query in [("index", ["--quantity", "0/fwd/c", "--units", "3,7,11,20", "--top", "30"]),
                    ("scan", ["--quantity", "1/fwd/h", "--units", "0,1,2,5,8", "--threshold", "0.1", "--top", "25",
                              "--no-index"]),
                    ("phrases", ["--quantity", "0/fwd/i", "--units", "4,9", "--phrase-length", "3",
                                 "--constrain-left", "--constrain-right", "--top", "1000"])]:
    for suffix in ("json", "csv"):
        serial, shared = (os.path.join(WORK, f"match-{name}-{who}.{suffix}") for who in ("serial", RANKS))
        run([CLI, "match", "--trace", trace, *query, "--out", serial])
        run(mpirun(RANKS) + [CLI, "match", "--trace", trace, *query, "--out", shared])
        a, b = open(serial, "rb").read(), open(shared, "rb").read()
        assert a == b, f"match {name} ({suffix}) differs between one rank and {RANKS}"
    candidates = __import__("json").load(open(os.path.join(WORK, f"match-{name}-serial.json")))["candidates"]
    print(f"match {name}, {RANKS} ranks: the same answer ({candidates} candidates)")

# unit on a trace that stores no summaries (an older trace): the ranks share the pass over the values, and the
# report and JSON are the serial command's, byte for byte.
bare = os.path.join(WORK, "no-summaries.h5")
shutil.copy(trace, bare)
with h5py.File(bare, "r+") as f:
    del f["summaries"]
for unit in ("0/fwd/c:5", "1/fwd/h:200", "0/fwd/f:0"):
    what, number = unit.split(":")
    outputs = []
    for command in ([CLI], mpirun(RANKS) + [CLI]):
        path = os.path.join(WORK, f"unit-{len(outputs)}.json")
        run(command + ["unit", "--trace", bare, "--quantity", what, "--unit", number, "--out", path])
        report = run(command + ["unit", "--trace", bare, "--quantity", what, "--unit", number]).stdout
        outputs.append((open(path, "rb").read(), report))
    assert outputs[0] == outputs[1], f"unit {unit} differs between one rank and {RANKS}"
    assert "computed" in outputs[0][1] or "pass" in outputs[0][1], outputs[0][1][:300]
print(f"unit without stored summaries, {RANKS} ranks: the same report and JSON")

# probe: the ranks share the units of every quantity; each scores its units over every step and the root ranks
# them (and trains the probes alone). The JSON and CSV are the serial command's, byte for byte, for every metric.
for name, options in [("depth", ["--label", "builtin:bracket-depth", "--quantity", "c,h", "--no-l1-path"]),
                      ("spearman", ["--label", "builtin:indent", "--metric", "spearman", "--quantity", "all",
                                    "--probe", "none", "--top", "3000"]),
                      ("quote-auc", ["--label", "builtin:quote", "--layers", "1", "--probe", "none", "--top", "600"]),
                      ("quote-iou", ["--label", "builtin:quote", "--metric", "iou", "--quantity", "o,c",
                                     "--probe", "none", "--top", "600"]),
                      ("categories", ["--label", "regex:(def|class|return)", "--quantity", "h", "--probe", "none"])]:
    for suffix in ("json", "csv"):
        if suffix == "csv" and name == "depth":
            continue
        outputs = []
        for command in ([CLI], mpirun(RANKS) + [CLI]):
            path = os.path.join(WORK, f"probe-{name}-{len(outputs)}.{suffix}")
            run(command + ["probe", "--trace", trace, *options, "--threads", "2", "--out", path])
            outputs.append(open(path, "rb").read())
        assert outputs[0] == outputs[1], f"probe {name} ({suffix}) differs between one rank and {RANKS}"
    ranked = __import__("json").load(open(os.path.join(WORK, f"probe-{name}-0.json")))
    print(f"probe {name}, {RANKS} ranks: the same ranking ({ranked['units_scored']} units scored, "
          f"{ranked['units_unscored']} not)")
result = run(mpirun(RANKS) + [CLI, "probe", "--model", MODEL, "--text", "x = (1)", "--label", "builtin:paren-depth",
                              "--out", os.path.join(WORK, "p.json")], expect=2)
assert "--trace" in result.stderr and result.stderr.count("lstmscope-cli probe:") == 1, result.stderr
result = run(mpirun(RANKS) + [CLI, "probe", "--trace", trace, "--label", "meta:nothing",
                              "--out", os.path.join(WORK, "p.json")], expect=3)
assert result.stderr.count("lstmscope-cli probe: error:") == 1 and "nothing" in result.stderr, result.stderr
# A usage error found in the set-up, before the shared ranking: every rank stops with exit 2, said once.
result = run(mpirun(RANKS) + [CLI, "probe", "--trace", trace, "--label", "builtin:indent", "--probe", "logistic",
                              "--out", os.path.join(WORK, "p.json")], expect=2)
assert result.stderr.count("--probe logistic needs") == 1, result.stderr
print("probe under mpirun: a model instead of a trace or a logistic probe of numbers is exit 2, a missing meta "
      "track exit 3, said once")

# A rank that cannot write (its file size limit is reached: a full disk as that rank sees it) fails the command:
# every rank exits 3, the message names the rank, and neither the trace nor a temporary file is left.
out = os.path.join(WORK, "failed.h5")
last = RANKS - 1
limited = f'if [ "$OMPI_COMM_WORLD_RANK" = {last} ]; then trap "" XFSZ; ulimit -f 64; fi; exec "$@"'
result = run(mpirun(RANKS) + ["sh", "-c", limited, "sh", CLI, "record", "--model", MODEL, "--corpus", uneven,
                               "--quiet", "--out", out], expect=3)
assert f"rank {last} of {RANKS}" in result.stderr, result.stderr
assert result.stderr.count("error:") == 1, "only the root reports:\n" + result.stderr
assert not leftovers(WORK, "failed.h5"), leftovers(WORK, "failed.h5")
print(f"a failing rank: exit 3, {result.stderr.strip()!r}, nothing left behind")

# Errors every rank meets alike (a missing output folder, a character outside the vocabulary) give the serial
# command's message, once.
bad = folder_corpus("bad", [40, 300])
with open(os.path.join(bad, "doc02.py"), "w", encoding="utf-8") as f:
    f.write("x = '\u2026'\n")
for name, args in [("missing folder", ["--corpus", uneven, "--out", os.path.join(WORK, "no", "such", "t.h5")]),
                   ("vocabulary", ["--corpus", bad, "--out", os.path.join(WORK, "bad.h5")])]:
    serial = run([CLI, "record", "--model", MODEL, *args], expect=3).stderr.strip()
    shared = run(mpirun(RANKS) + [CLI, "record", "--model", MODEL, *args], expect=3).stderr
    assert shared.count("lstmscope-cli record:") == 1 and serial in shared, f"{serial!r}\n{shared}"
    print(f"{name}: exit 3 with the serial message")
assert not leftovers(WORK, "bad.h5")

# A single text is not shared among ranks: said, exit 2.
result = run(mpirun(RANKS) + [CLI, "record", "--model", MODEL, "--text", "x = 1", "--out", out], expect=2)
assert "corpus" in result.stderr and result.stderr.count("lstmscope-cli record:") == 1, result.stderr
print("a single text under mpirun: exit 2")
