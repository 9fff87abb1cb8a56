#!/usr/bin/env bash
# Runs a command with zkaccel's OpenCL backend over opencl/testdata/faultcl.c:
# an OpenCL library that forwards every call to the machine's (the ICD
# loader, libOpenCL.so.1; FAULTCL_REAL names another) and that tests can
# make fail the k-th of the calls a device can fail (buffer, program and
# kernel creation, builds, kernel arguments, copies, launches, waits) with
# CL_OUT_OF_RESOURCES, or lose the call's context as well (as a kernel
# fault can: every later call on it fails), and ask what it holds (buffers,
# programs, kernels, events, contexts, queues). zkaccel's tests then fail
# the calls below its OpenCL runtime (gpu's TestDriverFaults, the provers'
# TestDeviceFaults "driver" and "driver-sticky" twins), as
# scripts/cuda-emu.sh lets them do below its CUDA runtime.
#
#   scripts/opencl-faults.sh env ZKACCEL_REQUIRE=opencl go test -short -run 'TestDriverFaults' ./gpu/
#
# With FAULTCL_KERNEL_GROUP=n, kernels allow smaller work-groups than the
# device (n, n/2 or n/4 by name) and refuse larger ones, as a driver does
# for kernels heavy in registers; the algorithms must size their launches
# from each kernel's limit:
#
#   FAULTCL_KERNEL_GROUP=48 scripts/opencl-faults.sh env ZKACCEL_REQUIRE=opencl go test -short ./gpu/
#
# `scripts/opencl-faults.sh --lib` prints the library's path (building it),
# for other runners of OpenCL code: the emulated GPU's kernels run through
# it with FAKECUDA_OPENCL_LIB="$(scripts/opencl-faults.sh --lib)"
# scripts/cuda-emu.sh ….
#
# Needs a C compiler and an OpenCL device (Debian: pocl-opencl-icd). The
# library is built in $ZKACCEL_OPENCL_FAULTS_DIR (default: a directory
# under /tmp). zkaccel loads only its OpenCL backend (ZKACCEL_BACKENDS=opencl).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${ZKACCEL_OPENCL_FAULTS_DIR:-${TMPDIR:-/tmp}/zkaccel-opencl-faults}"
mkdir -p "$dir"
src="$root/opencl/testdata/faultcl.c"
# Named by the source's hash: checkouts of other commits share the directory.
out="$dir/libfaultcl-$(sha256sum <"$src" | cut -c1-16).so"
if [ ! -f "$out" ]; then
  "${CC:-gcc}" -shared -fPIC -O1 -o "$out.$$" "$src" -ldl -lpthread
  mv "$out.$$" "$out"
fi
if [ $# -eq 0 ]; then
  echo "usage: scripts/opencl-faults.sh command [args...]" >&2
  echo "       scripts/opencl-faults.sh --lib   (prints the library's path)" >&2
  exit 2
fi
if [ "$1" = "--lib" ]; then
  echo "$out"
  exit 0
fi
export ZKACCEL_OPENCL_LIBRARY="$out"
export ZKACCEL_BACKENDS="${ZKACCEL_BACKENDS:-opencl}"
exec "$@"
