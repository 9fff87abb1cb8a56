#!/usr/bin/env bash
# Runs a command with zkaccel's CUDA backend on an emulated GPU: the CUDA
# driver and NVRTC are the test doubles cuda/testdata/fakecuda.c (built with
# -DFAKECUDA_OPENCL) and cuda/testdata/fakenvrtc.c, so that cuda:0 exists on
# a machine without a GPU. The CUDA runtime's own code runs as on a GPU
# (contexts, streams, events, pinned staging, chunked copies, the copy
# stream), and the kernels, from the source NVRTC would compile, run on
# POCL's CPU device at launch. Copies of pinned host memory are
# asynchronous toward the host (a copy's destination holds poison until the
# host waits for it). Every stream hazard (an access a GPU would race on),
# host race on pinned memory, bad pointer and missing context aborts the
# run (FAKECUDA_STRICT=1). zkaccel loads only its CUDA backend
# (ZKACCEL_BACKENDS=cuda), so the devices tested are cpu:0 and cuda:0.
#
#   scripts/cuda-emu.sh go test -short ./gpu/
#   scripts/cuda-emu.sh go run ./cmd/zkaccel devices
#
# FAKECUDA_OPENCL_LIB names the OpenCL library the kernels run through
# (default: libOpenCL.so.1); `scripts/opencl-faults.sh --lib` gives one
# whose kernels allow smaller blocks than the device (FAULTCL_KERNEL_GROUP).
#
# Needs a C compiler and POCL (Debian: pocl-opencl-icd). The libraries are
# built in $ZKACCEL_CUDA_EMU_DIR (default: a directory under /tmp).
# What it cannot check: the code that exists only in CUDA's form of the
# source (inline PTX, warp primitives; they run in their OpenCL form here),
# NVRTC's compilation (CI compiles every kernel with the real NVRTC), and
# anything about speed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${ZKACCEL_CUDA_EMU_DIR:-${TMPDIR:-/tmp}/zkaccel-cuda-emu}"
mkdir -p "$dir"
cc="${CC:-gcc}"
# fake NAME builds cuda/testdata/fakeNAME.c once and prints the library's
# path, named by the source's hash: checkouts of other commits share $dir.
fake() {
  local src="$root/cuda/testdata/fake$1.c"
  local out="$dir/libfake$1-$(sha256sum <"$src" | cut -c1-16).so"
  if [ ! -f "$out" ]; then
    "$cc" -shared -fPIC -O1 -DFAKECUDA_OPENCL -o "$out.$$" "$src" -lpthread -ldl
    mv "$out.$$" "$out"
  fi
  echo "$out"
}
lib_cuda=$(fake cuda)
lib_nvrtc=$(fake nvrtc)
if [ $# -eq 0 ]; then
  echo "usage: scripts/cuda-emu.sh command [args...]" >&2
  exit 2
fi
export ZKACCEL_CUDA_DRIVER="$lib_cuda"
export ZKACCEL_NVRTC="$lib_nvrtc"
export ZKACCEL_CACHE_DIR="$dir/cache"
export ZKACCEL_BACKENDS="${ZKACCEL_BACKENDS:-cuda}"
export FAKECUDA_STRICT="${FAKECUDA_STRICT:-1}"
exec "$@"
