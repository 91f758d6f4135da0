#!/bin/sh
# Reproduces resources/demo/python_char.h5 (see docs/DEMO.md): about 40 minutes on one core.
# usage: resources/demo/train_demo.sh CLI OUT_DIR   (CLI = path to lstmscope-cli)
set -eu
cli=${1:?usage: train_demo.sh CLI OUT_DIR}
out=${2:?usage: train_demo.sh CLI OUT_DIR}
here=$(dirname "$0")
mkdir -p "$out"
"$here/make_corpus.sh" "$out/corpus.txt"
# Stage 1: five epochs from a seeded initialisation. --threads 1 makes the run bit-for-bit reproducible.
"$cli" train --text-file "$out/corpus.txt" --out "$out/stage1.h5" --name python-stdlib-char \
  --layers 2 --hidden 256 --batch 64 --bptt 100 --lr 0.002 --lr-decay 0.85 --epochs 5 --seed 1 --threads 1
# Stage 2: five more epochs at a lower learning rate, continuing stage 1's weights.
"$cli" train --text-file "$out/corpus.txt" --out "$out/python_char.h5" --name python-stdlib-char \
  --resume "$out/stage1.h5" --batch 64 --bptt 100 --lr 0.001 --lr-decay 0.8 --epochs 5 --threads 1
