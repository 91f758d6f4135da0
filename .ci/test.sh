#!/usr/bin/env bash
# Set-up (install, build) and the whole test suite: release build, then the MPI build's tests, then the suite
# again under AddressSanitizer + UBSan, less the runs that only repeat covered code at a larger size (below).
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh

ctest --preset release -j2

# The Debian package that package_install built (docs/PACKAGING.md), installed with apt, run and removed: in
# CI only, since it changes the machine's /usr.
if [[ "${CI:-}" == true ]]; then
  bash tests/install/apt_install_check.sh build/release/tests/package/lstmscope_*_amd64.deb
fi

# The cluster build (docs/SCALING.md): lstmscope-cli with MPI and parallel HDF5; its record, match and unit
# under mpirun with 2 and 3 ranks compared with one rank, bit for bit.
cmake --preset mpi >/dev/null
cmake --build --preset mpi
ctest --preset mpi

cmake --preset asan >/dev/null
cmake --build --preset asan
# Under ASan at -O1 the numbers run about 10x slower. Left out there (the release pass above runs them all):
# the oracle cases on the three largest models (7, 10, 11; ASan checks the same code on the other 15), the
# long-text occlusion and float32 IG runs (their short siblings stay), and the app suites that mostly wait
# out typing pauses and long background jobs (the monkey tests, the docks and the sessions stay). This keeps
# CI under its time budget (the brief: 45 minutes on 2 cores). Also left out: gemm_eigen_fallback, which
# repeats test binaries that run here anyway, only on Eigen's product instead of OpenBLAS's; and the unit
# summaries' numpy oracle, whose builder runs here in UnitSummary.*, the trace tests and the unit dock's.
asan_skip='^Cases/.*/(7|10|11)$|^Occlusion\.ATargetLateInALongText|^IntegratedGradientsBatches\.Float32Path|^gemm_eigen_fallback$'
asan_skip+='|^unit_summary_oracle$'
# Packaging is the release build's (package_install): an ASan build is not what anyone installs.
asan_skip+='|^package_install$'
asan_skip+='|^(MainWindowTest|TypingTest|AttributionJobs|AttributionMatrixTest|UserPlaceTest|LrpDefaultTest|EffectsDock)\.'
# LeakSanitizer cannot follow OpenMP's thread pool teardown; ASan and UBSan still check every access.
ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 OMP_NUM_THREADS=2 ctest --preset asan -j2 -E "$asan_skip"
