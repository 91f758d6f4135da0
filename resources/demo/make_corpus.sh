#!/bin/sh
# Builds the demo model's training corpus: every top-level module of the Python 3.11 standard library
# that Debian 12 ships (packages libpython3.11-minimal and libpython3.11-stdlib), concatenated in byte
# order of their file names. Usage: make_corpus.sh OUT.txt
set -eu
out=${1:?usage: make_corpus.sh OUT.txt}
# shellcheck disable=SC2046
cat $(ls /usr/lib/python3.11/*.py | LC_ALL=C sort) > "$out"
