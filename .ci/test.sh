#!/usr/bin/env bash
# Set-up (install, build) and the whole test suite: release build, then the bad-input and engine tests
# again under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh

ctest --preset release -j2

cmake --preset asan >/dev/null
cmake --build --preset asan
# LeakSanitizer cannot follow OpenMP's thread pool teardown; ASan and UBSan still check every access.
ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 OMP_NUM_THREADS=2 ctest --preset asan -j2
