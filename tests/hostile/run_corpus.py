#!/usr/bin/python3
"""Runs lstmscope-cli on every entry of the hostile-file corpus (tests/hostile/make_corpus.py) and checks
what docs/SECURITY.md promises of each run:

- it ends by itself within the time limit, in exit 0, 2 (usage) or 3 (bad input) -- never a signal, a
  sanitizer report or an internal error; entries known to be bad end in the exit status they must;
- nothing it prints or writes holds the bytes of the foreign files that crafted models point at;
- a run that fails leaves no output and no temporary file; a run that succeeds leaves an output that
  lstmscope-cli info opens again;
- a pickle's code never ran (the file it would have made does not exist).

usage: run_corpus.py CLI CORPUS_DIR [TIMEOUT_SECONDS]
"""
import json
import os
import re
import subprocess
import sys
import time

ALLOWED = {"any": {0, 2, 3}, "refused": {3}, "usage": {2}}


def leftovers(output):
    folder, name = os.path.split(output)
    return [f for f in os.listdir(folder) if f.startswith(name + ".tmp") or f.startswith("." + name + ".tmp")]


def check(cli, run, marker, timeout):
    """The problems of one run, as sentences (none: it held)."""
    output = run["output"]
    if output and os.path.lexists(output):
        os.remove(output)
    try:
        started = time.monotonic()
        r = subprocess.run([cli] + run["args"], capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
        seconds = time.monotonic() - started
    except subprocess.TimeoutExpired:
        return [f"did not end within {timeout} s"], timeout, "timeout"
    problems = []
    said = (r.stdout + r.stderr).decode("utf-8", "replace")
    # Under ASan with allocator_may_return_null=1 (tests/CMakeLists.txt), a damaged HDF5 size that asks for
    # petabytes is refused as glibc refuses it, with this warning: the refusal is no fault of ours, and what
    # follows (the exit status and its message) is still checked. Any other sanitizer report still fails.
    said = re.sub(r"==\d+==WARNING: AddressSanitizer failed to allocate 0x[0-9a-f]+ bytes\n?", "", said)
    if r.returncode < 0:
        problems.append(f"killed by signal {-r.returncode}")
    elif r.returncode not in ALLOWED[run["expect"]]:
        problems.append(f"exit {r.returncode}, expected {sorted(ALLOWED[run['expect']])}")
    if r.returncode == 3 and "error:" not in said:
        problems.append("exit 3 without a message naming the problem")
    if "internal error" in said or "Sanitizer" in said or "runtime error:" in said:
        problems.append("internal error or sanitizer report")
    if not run.get("marker_allowed"):
        if marker in r.stdout or marker in r.stderr:
            problems.append("printed the bytes of a foreign file")
        if output and os.path.isfile(output):
            with open(output, "rb") as f:
                if marker in f.read():
                    problems.append("wrote the bytes of a foreign file into its output")
    if output:
        if r.returncode != 0 and os.path.lexists(output):
            problems.append("failed but left an output")
        if r.returncode == 0:
            again = subprocess.run([cli, "info", output], capture_output=True, timeout=timeout)
            if again.returncode != 0:
                problems.append("succeeded, but its output does not open: " + again.stderr.decode("utf-8", "replace"))
        if os.path.isdir(os.path.dirname(output)) and leftovers(output):
            problems.append(f"left temporary files {leftovers(output)}")
    if run.get("must_not_exist") and os.path.lexists(run["must_not_exist"]):
        problems.append("the pickle's code ran")
    if problems:
        problems.append("output: " + said[-600:].strip())
    return problems, seconds, r.returncode


def main():
    cli, corpus = sys.argv[1], sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 60
    with open(os.path.join(corpus, "manifest.json")) as f:
        manifest = json.load(f)
    marker = manifest["marker"].encode()
    failures, slowest, codes = 0, (0.0, None), {}
    for run in manifest["runs"]:
        problems, seconds, code = check(cli, run, marker, timeout)
        codes[code] = codes.get(code, 0) + 1
        slowest = max(slowest, (seconds, run["why"]), key=lambda s: s[0])
        if problems:
            failures += 1
            print(f"FAIL {run['why']}: lstmscope-cli {' '.join(run['args'])}")
            for p in problems:
                print("    " + p)
    print(f"run_corpus: {len(manifest['runs'])} runs, {failures} failed; exit statuses "
          f"{', '.join(f'{code}: {count}' for code, count in sorted(codes.items(), key=str))}; "
          f"slowest {slowest[0]:.2f} s ({slowest[1]})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
