#!/usr/bin/env bash
# Builds bench/gpu's binary here for the GPU machine (which has no Swift toolchain): the Swift runtime linked
# statically, OpenBLAS/LAPACKE and their Fortran runtime copied beside it (bench/gpu/bin, bench/gpu/lib).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --static-swift-stdlib --product rapideels-gpu-bench
mkdir -p bench/gpu/bin bench/gpu/lib
cp .build/release/rapideels-gpu-bench bench/gpu/bin/
ldd bench/gpu/bin/rapideels-gpu-bench | awk '/=>/ {print $3}' \
  | grep -E 'openblas|lapack|blas|gfortran|quadmath' | while read -r lib; do cp -L "$lib" bench/gpu/lib/; done
du -sh bench/gpu/bin bench/gpu/lib
