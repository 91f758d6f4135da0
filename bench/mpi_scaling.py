#!/usr/bin/env python3
"""Strong scaling of `record`, `match` and `probe` under MPI (docs/SCALING.md), measured side by side in one run.

usage: /usr/bin/python3 bench/mpi_scaling.py [--steps N] [--out DIR] [--keep]
  (the MPI build first: cmake --preset mpi && cmake --build --preset mpi)

On a corpus of N steps (default 1,000,000; documents of 500 to 4,000 characters of the demo's Python text, a
.jsonl file) and the demo model (2 layers of 256 units), it times:
  - record (c and h of both layers in float16, no outputs: what a corpus study keeps) on 1 rank with 1 thread,
    on 2 ranks with 1 thread each (strong scaling: efficiency = T1 / (2 T2)), and on 1 rank with 2 threads
    (what one process makes of both cores without MPI);
  - match from the match index and by scanning the values, on 1 rank and on 2;
  - probe's unit ranking (c of both layers, no probe trained) by Pearson r against bracket depth and by ROC
    AUC against "inside a string", on 1 rank and on 2 (each with 1 thread);
  - this machine's own throughputs for the same work: single-precision GEMM (numpy on OpenBLAS) for the
    engine's arithmetic, and sequential write and read of a file of the trace's size for the I/O.
Every rank runs on this machine: 2 cores, one disk.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core's SGEMM: what one rank of one thread can reach
import numpy as np  # noqa: E402 (after the thread count)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "build", "mpi", "app", "lstmscope-cli")
MODEL = os.path.join(ROOT, "resources", "demo", "python_char.h5")
SAMPLE = open(os.path.join(ROOT, "resources", "demo", "sample.py"), encoding="utf-8").read()
TEXT = SAMPLE * (1 + 8000 // len(SAMPLE))  # documents are cut from it at random places


def mpirun(n):
    command = ["mpirun", "--oversubscribe", "--bind-to", "none", "-np", str(n)]
    return command[:1] + (["--allow-run-as-root"] if os.geteuid() == 0 else []) + command[1:]


def timed(command, env=None):
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stderr}")
    return seconds


def corpus(path, steps):
    rng = random.Random(1)
    total = 0
    with open(path, "w", encoding="utf-8") as f:
        while total < steps:
            n = min(rng.randint(500, 4000), steps - total)
            start = rng.randrange(0, len(TEXT) - n)
            f.write(json.dumps({"text": TEXT[start:start + n]}) + "\n")
            total += n


def gemm_gflops():
    a = np.random.rand(1024, 256).astype(np.float32)
    b = np.random.rand(256, 4096).astype(np.float32)
    a @ b
    start = time.perf_counter()
    for _ in range(20):
        a @ b
    return 20 * 2 * 1024 * 256 * 4096 / (time.perf_counter() - start) / 1e9


def disk_throughput(folder, size):
    path = os.path.join(folder, "throughput.bin")
    block = os.urandom(1 << 22)
    start = time.perf_counter()
    with open(path, "wb") as f:
        for _ in range(max(1, size >> 22)):
            f.write(block)
        f.flush()
        os.fsync(f.fileno())
    write = size / (time.perf_counter() - start) / 1e6
    start = time.perf_counter()
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass
    read = size / (time.perf_counter() - start) / 1e6
    os.remove(path)
    return write, read


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--out", default="/tmp/lstmscope-mpi-bench")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(CLI):
        sys.exit(f"{CLI} is missing: build the MPI preset first (cmake --preset mpi && cmake --build --preset mpi)")
    os.makedirs(args.out, exist_ok=True)
    jsonl = os.path.join(args.out, "corpus.jsonl")
    corpus(jsonl, args.steps)
    record = ["record", "--model", MODEL, "--corpus", jsonl, "--quantities", "c,h", "--no-outputs",
              "--precision", "float16", "--quiet"]
    one, two, both = (os.path.join(args.out, f"{name}.h5") for name in ("one", "two", "both"))
    t1 = timed([CLI, *record, "--threads", "1", "--out", one])
    t2 = timed(mpirun(2) + [CLI, *record, "--threads", "1", "--out", two])
    tb = timed([CLI, *record, "--threads", "2", "--out", both])
    size = os.path.getsize(one)
    # Multiply-adds x 2 per step: both layers' recurrent products (4H x H) and layer 1's input product (layer 0
    # reads one-hot characters: a column gather).
    flops = args.steps * 2 * 3 * (4 * 256 * 256)
    gemm = gemm_gflops()
    write, read = disk_throughput(args.out, size)
    print(f"corpus: {args.steps} steps; trace {size / 1e6:.0f} MB ({size / args.steps:.0f} bytes per step)")
    print(f"record, 1 rank x 1 thread:  {t1:7.1f} s  {args.steps / t1 / 1e3:6.1f} k steps/s  "
          f"{flops / t1 / 1e9:5.1f} GFLOP/s ({flops / t1 / 1e9 / gemm:.0%} of one core's SGEMM, {gemm:.0f} GFLOP/s)")
    print(f"record, 2 ranks x 1 thread: {t2:7.1f} s  {args.steps / t2 / 1e3:6.1f} k steps/s  "
          f"speed-up {t1 / t2:.2f}, efficiency {t1 / (2 * t2):.0%}")
    print(f"record, 1 rank x 2 threads: {tb:7.1f} s  {args.steps / tb / 1e3:6.1f} k steps/s  speed-up {t1 / tb:.2f}")
    print(f"  written {size / t2 / 1e6:.0f} MB/s by 2 ranks; this disk: {write:.0f} MB/s sequential write, "
          f"{read:.0f} MB/s read (page cache included)")
    for name, extra in [("index", []), ("scan", ["--no-index"])]:
        query = ["match", "--trace", one, "--quantity", "1/fwd/c", "--units", "3,17,42,100,200", "--top", "100",
                 *extra]
        m1 = timed([CLI, *query, "--out", os.path.join(args.out, f"m1-{name}.json")])
        m2 = timed(mpirun(2) + [CLI, *query, "--out", os.path.join(args.out, f"m2-{name}.json")])
        same = open(os.path.join(args.out, f"m1-{name}.json")).read() == open(
            os.path.join(args.out, f"m2-{name}.json")).read()
        print(f"match ({name}): 1 rank {m1:6.2f} s, 2 ranks {m2:6.2f} s: speed-up {m1 / m2:.2f}, "
              f"efficiency {m1 / (2 * m2):.0%}; answers {'identical' if same else 'DIFFER'}")
    for name, label in [("pearson", "builtin:bracket-depth"), ("auc", "builtin:quote")]:
        rank = ["probe", "--trace", one, "--label", label, "--quantity", "c", "--probe", "none", "--threads", "1"]
        outputs = [os.path.join(args.out, f"p{n}-{name}.json") for n in (1, 2)]
        p1 = timed([CLI, *rank, "--out", outputs[0]])
        p2 = timed(mpirun(2) + [CLI, *rank, "--out", outputs[1]])
        same = open(outputs[0]).read() == open(outputs[1]).read()
        print(f"probe ranking ({name}, 512 units): 1 rank {p1:6.2f} s, 2 ranks {p2:6.2f} s: speed-up {p1 / p2:.2f}, "
              f"efficiency {p1 / (2 * p2):.0%}; rankings {'identical' if same else 'DIFFER'}")
    if not args.keep:
        shutil.rmtree(args.out)


if __name__ == "__main__":
    main()
