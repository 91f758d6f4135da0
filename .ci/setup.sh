#!/usr/bin/env bash
# Installs what is missing (Debian 12, as root), then configures and builds the release preset.
# Used by both README commands and by CI, so CI proves the set-up a new user runs.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  cmake ninja-build g++ pkg-config
  libhdf5-dev libeigen3-dev libgtest-dev libzip-dev nlohmann-json3-dev libonnx-dev libprotobuf-dev
  # LSTMVis projects (lstm.yml) are YAML; regular-expression meta tracks use RE2.
  libyaml-cpp-dev libre2-dev
  # The PyTorch float64 oracle for the tests and benchmarks, on OpenBLAS (not the slow reference BLAS).
  python3-torch python3-h5py python3-numpy python3-onnx libopenblas0-pthread
  # scipy and scikit-learn: the oracles of the unit rankings and probes.
  python3-scipy python3-sklearn
  # Pillow: the MPI tests count the colours of the app's screenshot of a trace the ranks wrote.
  python3-pil
  # The desktop app: Qt 6 Widgets, Charts and Svg; fonts so offscreen rendering draws text; xvfb-run to
  # open the window on a machine without a display; pdftoppm to look at exported PDFs. Qt Charts needs
  # Qt OpenGL's CMake files, which --no-install-recommends leaves out.
  # The cluster build (preset mpi, docs/SCALING.md): Open MPI and HDF5 built on it, beside the serial one.
  libopenmpi-dev openmpi-bin libhdf5-openmpi-dev
  # Installing (docs/PACKAGING.md): man pages from --help; the package's and desktop files' checkers; GIO and
  # the MIME database to check the file types; bash-completion to check the CLI's completion.
  help2man lintian desktop-file-utils appstream shared-mime-info libglib2.0-bin bash-completion man-db
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libgl1-mesa-dev fonts-dejavu-core xvfb xauth poppler-utils
)
# node and npm run the TF.js oracle; keep a node that is already there (npm comes with some builds of it).
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# TF.js, the independent oracle for TF.js (Keras-config) models in the tests, from the npm registry:
# Debian does not package it. Pure JavaScript; installed once under build/tfjs.
if [[ ! -f build/tfjs/node_modules/@tensorflow/tfjs/package.json ]]; then
  echo "installing @tensorflow/tfjs (npm) under build/tfjs"
  mkdir -p build/tfjs
  npm install --prefix build/tfjs --no-audit --no-fund --loglevel=error @tensorflow/tfjs@4.22.0 >/dev/null
fi

cmake --preset release >/dev/null
cmake --build --preset release
