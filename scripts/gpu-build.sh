#!/usr/bin/env bash
# Builds, here, what scripts/gpu-check.sh runs on a lent GPU machine (which
# has the NVIDIA driver, NVRTC and nvcc, but no Go): the command line and the
# test binaries of the CUDA runtime and of the GPU algorithms, stripped and
# packed into bin/gpu-bins.tgz (bin/ is git-ignored), which the device call
# carries:
#
#   scripts/gpu-build.sh
#   device run: carry ["bin/gpu-bins.tgz"], command "scripts/gpu-check.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf bin/gpu && mkdir -p bin/gpu
flags=(-trimpath -ldflags=-s\ -w)
go build "${flags[@]}" -o bin/gpu/zkaccel ./cmd/zkaccel
go test -c "${flags[@]}" -o bin/gpu/cuda.test ./cuda
go test -c "${flags[@]}" -o bin/gpu/gpu.test ./gpu
go test -c "${flags[@]}" -o bin/gpu/msm-bn254.test ./msm/bn254
go test -c "${flags[@]}" -o bin/gpu/groth16.test ./gnark/groth16
go test -c "${flags[@]}" -o bin/gpu/plonk.test ./gnark/plonk
tar -C bin -czf bin/gpu-bins.tgz gpu
ls -la bin/gpu bin/gpu-bins.tgz
