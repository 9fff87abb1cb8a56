#!/usr/bin/env bash
# Runs conformance cases on Oclgrind, an OpenCL device simulator that checks
# every memory access of the kernels it runs: out-of-bounds reads and
# writes of buffers and local memory, data races between work items (in
# local and global memory, --data-races), barriers not reached by a whole
# work-group, and misuse of the OpenCL API. Oclgrind reports itself as a
# GPU, so zkaccel runs its GPU forms there: the MSM's bucket tasks and
# tree sums, the NTT's local-memory passes, the 32-bit field
# multiplication, the provers' quotients. It is the check that NVIDIA's
# compute-sanitizer makes on a GPU (scripts/gpu-check.sh), on the shared
# kernel source's OpenCL form, with no GPU.
#
#   scripts/oclgrind.sh                 the quick set (what CI runs)
#   scripts/oclgrind.sh conformance --run 'msm/bn254/g2/random/n=9$' [--seed N]
#   scripts/oclgrind.sh test 'TestPlonkOpen$/opencl:0/bn254/'
#
# The quick set is conformance cases (every op) and gpu's tests of the
# provers' device calls, at small sizes. "conformance ARGS" runs
# `zkaccel conformance --device opencl:0 ARGS` instead, and "test REGEXP"
# gpu's tests that REGEXP selects. The run fails if a case or test fails or
# Oclgrind reports anything (its log is printed). Needs Oclgrind (Debian:
# oclgrind); it is loaded as the only OpenCL platform (OCL_ICD_VENDORS), so
# POCL does not take part. Oclgrind interprets every instruction: a BN254
# MSM of 33 points takes about 15 s, so the sizes stay small.
#
# Oclgrind 21.10 (Debian 12) cannot run the llvm.experimental.noalias.scope.decl
# intrinsic that clang's optimiser emits, so programs are built with
# -cl-opt-disable, into a program cache of their own.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${ZKACCEL_OCLGRIND_DIR:-${TMPDIR:-/tmp}/zkaccel-oclgrind}"
lib=""
for f in /usr/lib/oclgrind/liboclgrind-rt-icd.so /usr/lib/*/oclgrind/liboclgrind-rt-icd.so /usr/local/lib/liboclgrind-rt-icd.so; do
  if [ -f "$f" ]; then
    lib=$f
    break
  fi
done
if [ -z "$lib" ]; then
  echo "oclgrind.sh: no Oclgrind (liboclgrind-rt-icd.so; Debian: apt-get install oclgrind)" >&2
  exit 2
fi
rm -rf "$dir/cache" "$dir/oclgrind.log" "$dir/conformance.out" "$dir/gpu.out"
mkdir -p "$dir/icd"
echo "$lib" >"$dir/icd/oclgrind.icd"
(cd "$root" && go build -o "$dir/zkaccel" ./cmd/zkaccel)

export OCL_ICD_VENDORS="$dir/icd" ZKACCEL_CACHE_DIR="$dir/cache"
export ZKACCEL_BACKENDS=opencl ZKACCEL_REQUIRE=opencl
export OCLGRIND_BUILD_OPTIONS=-cl-opt-disable OCLGRIND_DATA_RACES=1 OCLGRIND_CHECK_API=1
export OCLGRIND_GLOBAL_MEM_SIZE=$((1 << 30)) OCLGRIND_LOG="$dir/oclgrind.log"

# The listing is read whole before grep looks at it: with pipefail, grep -q
# leaving the pipe at its first match could fail the pipeline (SIGPIPE).
devices=$("$dir/zkaccel" devices 2>&1 || true)
if ! grep -q '^opencl:0 .*Oclgrind' <<<"$devices"; then
  echo "$devices" >&2
  echo "oclgrind.sh: opencl:0 is not Oclgrind" >&2
  exit 2
fi

# The quick set: each op's GPU kernels once, at small sizes. MSM: BN254 G1
# (random, and P, −P cancelling in a bucket), G2 (Fp2) and BLS12-381 G1
# (the 48-byte field); NTT: the local-memory passes and the one-launch
# stages over a 64-bit and a 31-bit field; every hash. (The provers'
# cases take over ten minutes each here: their device calls are checked by
# gpu's tests below.)
quick='^(msm/bn254/g1/random/n=(3|33)|msm/bn254/g1/cancel|msm/bn254/g2/random/n=9|msm/bls12-381/g1/random/n=5|ntt/goldilocks/n=2\^0\.\.2\^7|ntt/babybear/n=2\^9|poseidon/circom-bn254/batch/t=3/n=2|poseidon/hermez-goldilocks/batch/n=3|poseidon2/(bn254/t=3|goldilocks/t=8|babybear/t=16|koalabear/t=24)/n=1|poseidon2/bn254/merkle/n=3|keccak/sum256/batch/n=3|keccak/f1600/n=7|keccak/merkle/n=5)$'
# gpu's tests of the provers' device calls at their smaller sizes: the
# Groth16 and PLONK quotients, the ratio Z (its chunks too) and the
# evaluations at ζ, whose kernel the openings share. (The tests with MSMs
# over resident points take minutes a case here: TestPlonkOpen at n = 16
# took 4.5 min a case, so it and the quotients' one-call forms stay out.)
tests='^(TestGroth16Quotient|TestPlonkQuotient|TestPlonkQuotientLagrange|TestPlonkRatio|TestPlonkEvaluate)$/opencl:0/bn254/n=(1|2|4|8|16|64)(,|$)'
# What the quick set must have run, so that a renamed case or test fails
# the run instead of leaving it out: the conformance cases it names, and
# each test on opencl:0.
quickCases=17
quickTests=(TestGroth16Quotient TestPlonkQuotient TestPlonkQuotientLagrange TestPlonkRatio TestPlonkEvaluate)

conformance() {
  "$dir/zkaccel" conformance --device opencl:0 "$@" | tee "$dir/conformance.out"
}
gputests() {
  (cd "$root" && go test -c -o "$dir/gpu.test" ./gpu/)
  (cd "$root/gpu" && "$dir/gpu.test" -test.v -test.short -test.count=1 -test.timeout=20m -test.run "$1") | tee "$dir/gpu.out"
}
# ranQuick fails unless the quick set ran everything it names.
ranQuick() {
  if ! grep -q "^$quickCases passed, 0 failed" "$dir/conformance.out"; then
    echo "oclgrind.sh: the quick set's conformance did not pass $quickCases cases" >&2
    return 1
  fi
  for t in "${quickTests[@]}"; do
    if ! grep -q -- "--- PASS: $t/opencl:0 " "$dir/gpu.out"; then
      echo "oclgrind.sh: $t did not pass on opencl:0" >&2
      return 1
    fi
  done
}
rc=0
case "${1:-}" in
"") conformance --run "$quick" && gputests "$tests" && ranQuick || rc=$? ;;
conformance) shift; conformance "$@" || rc=$? ;;
test) gputests "${2:?usage: scripts/oclgrind.sh test REGEXP}" || rc=$? ;;
*) echo "usage: scripts/oclgrind.sh [conformance ARGS | test REGEXP]" >&2; exit 2 ;;
esac
if [ -s "$dir/oclgrind.log" ]; then
  echo "oclgrind.sh: Oclgrind reported errors (the first 60 lines of $dir/oclgrind.log):" >&2
  head -n 60 "$dir/oclgrind.log" >&2
  exit 1
fi
if [ "$rc" -ne 0 ]; then
  echo "oclgrind.sh: a case or test failed (exit $rc)" >&2
  exit "$rc"
fi
echo "oclgrind.sh: every case passed, and Oclgrind reported nothing"
