#!/usr/bin/env bash
# Runs on a lent GPU machine, from the repository root, the binaries that
# scripts/gpu-build.sh packed into bin/gpu-bins.tgz: the CUDA runtime's
# tests, the GPU algorithms' tests and the gnark provers' tests with
# ZKACCEL_REQUIRE=cuda (a missing GPU fails), the conformance suite on
# cuda:0, then the benchmarks (MSM, NTT, hashes, Groth16 and PLONK proofs)
# with the CPU in the same run. Every log goes into $OUT/gpu-logs.tgz, the JSON
# results beside it, and a summary to stdout. ZKACCEL_GPU_CHECK=quick skips
# the long conformance set and the large benchmark sizes.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/zkaccel-gpu-out}
mkdir -p "$OUT" /tmp/zk/logs
L=/tmp/zk/logs
tar -C /tmp/zk -xzf bin/gpu-bins.tgz || { echo "no bin/gpu-bins.tgz: run scripts/gpu-build.sh and carry it"; exit 1; }
B=/tmp/zk/gpu
export ZKACCEL_REQUIRE=cuda ZKACCEL_CACHE_DIR=/tmp/zk/cache
quick=${ZKACCEL_GPU_CHECK:-}
step() { # step NAME TIMEOUT COMMAND...: runs a step with a timeout, logs it, prints one line
	local name=$1 limit=$2
	shift 2
	local start=$SECONDS
	timeout "$limit" "$@" >"$L/$name.log" 2>&1
	local rc=$?
	echo "== $name: exit $rc in $((SECONDS - start)) s"
	tail -n 3 "$L/$name.log" | sed 's/^/   /'
}
{
	nvidia-smi
	nvidia-smi -q -d CLOCK,POWER,PERFORMANCE
	ldconfig -p | grep -E 'libcuda|libnvrtc|libnvidia-ml'
} >"$L/machine.log" 2>&1
echo "== machine: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1)"
step devices 60 "$B/zkaccel" devices
(cd cuda && step cuda-test 300 "$B/cuda.test" -test.v -test.count=1 -test.timeout=290s)
(cd gpu && step gpu-test 400 "$B/gpu.test" -test.v -test.count=1 -test.short -test.timeout=390s)
(cd msm/bn254 && step msm-test 200 "$B/msm-bn254.test" -test.count=1 -test.short -test.timeout=190s)
(cd gnark/groth16 && step groth16-test 300 "$B/groth16.test" -test.v -test.count=1 -test.short -test.timeout=290s)
(cd gnark/plonk && step plonk-test 300 "$B/plonk.test" -test.v -test.count=1 -test.short -test.timeout=290s)
if [ "$quick" = quick ]; then
	step conformance 300 "$B/zkaccel" conformance --device cuda:0
	msm=10,13,16,20 ntt=10,13,16,20 hash=10,13,16,20 proofs=2^16
else
	step conformance 500 "$B/zkaccel" conformance --device cuda:0 --long
	msm=10,12,14,16,18,20,22 ntt=10,12,14,16,20,22 hash=10,13,16,20,22 proofs=2^16,2^20
fi
step bench-msm 600 "$B/zkaccel" bench --device cuda:0 --ops msm --curves bn254,bls12-381,bls12-377 --sizes "$msm" --runs 5 --json "$OUT/bench-msm.json"
step bench-ntt 400 "$B/zkaccel" bench --device cuda:0 --ops ntt --fields bn254,bls12-381,goldilocks,babybear --sizes "$ntt" --runs 5 --json "$OUT/bench-ntt.json"
step bench-hash 400 "$B/zkaccel" bench --device cuda:0 --ops poseidon,poseidon2,keccak --sizes "$hash" --runs 5 --json "$OUT/bench-hash.json"
step bench-proofs 600 "$B/zkaccel" bench --device cuda:0 --ops groth16,plonk --curves bn254 --constraints "$proofs" --runs 3 --json "$OUT/bench-proofs.json"
# The crossovers for the automatic device choice, from the measurements above
# (zkaccel tune --from), brought back for BENCHMARKS.md.
step tune 120 "$B/zkaccel" tune --from "$OUT/bench-msm.json,$OUT/bench-ntt.json,$OUT/bench-hash.json"
cp -r "$ZKACCEL_CACHE_DIR/crossover" "$OUT/" 2>/dev/null
tar -C /tmp/zk -czf "$OUT/gpu-logs.tgz" logs
grep -hE '^(--- FAIL|FAIL|ok|PASS)' "$L"/*-test.log | head -40
grep -E 'passed|failed' "$L/conformance.log" | tail -2
