#!/usr/bin/env bash
# Runs on a lent GPU machine, from the repository root, the binaries that
# scripts/gpu-build.sh packed into bin/gpu-bins.tgz: the CUDA runtime's
# tests, the GPU algorithms' tests and the gnark provers' tests with
# ZKACCEL_REQUIRE=cuda (a missing GPU fails), the conformance suite on
# cuda:0, and the benchmarks (MSM, NTT, hashes, Groth16 and PLONK proofs)
# with the CPU in the same run.
#
# Device time is scarce (a session may get one call of 10 minutes), so the
# steps run in order of importance against one budget, ZKACCEL_GPU_BUDGET
# seconds (default 480): each step's timeout is cut to what is left, and
# once the budget is spent the rest are skipped and listed. Each step's log
# goes to logs/ and each benchmark's JSON beside it, in a work folder that
# is packed into $OUT/gpu-check.tgz every 30 s and after each step: the
# device tool brings back at most 8 files from $OUT, and a call cut short
# still brings back everything done until the last pack. The summary goes
# to stdout.
#
# ZKACCEL_GPU_RESUME=1, in a later call on the same (still warm) machine,
# skips the steps that passed in an earlier one (the work folder and the
# program cache stay in /tmp/zk): a first call with a budget that leaves
# device time over, then a second that goes on from where it stopped and
# retries what failed (with a fallback setting where the logs point at
# one: ZKACCEL_GPU_WARP=0, ZKACCEL_GPU_SQR=0, ZKACCEL_GPU_MUL=32c, ZKACCEL_GPU_NTT_LAYOUT=element,
# ZKACCEL_CUDA_COPY_STREAM=0, ZKACCEL_GROTH16_FUSE=0, ZKACCEL_PLONK_FUSE=0,
# ZKACCEL_PLONK_RATIO=0, ZKACCEL_PLONK_KEEP=0, ZKACCEL_PLONK_OPEN=0,
# ZKACCEL_MSM_PRECOMPUTE=0,
# ZKACCEL_CUDA_PTX=embedded
# where the machine's NVRTC fails on a program, CUDA_LAUNCH_BLOCKING=1 to
# name a faulting kernel). Every log of both calls comes back.
#
# ZKACCEL_GPU_CHECK=full adds the long conformance set and the large sizes.
#
# A rehearsal, here without a GPU, runs every step on another device and
# cuts each step short, so that a wrong flag or a missing file shows before
# device time is spent: ZKACCEL_GPU_CHECK_DEVICE=opencl:0
# ZKACCEL_GPU_STEP_CAP=20 scripts/gpu-check.sh, then look for exits other
# than 0 and 124 in logs/summary.log (OUT=/tmp/zkaccel-gpu-out by default).
# Closer to the GPU machine, the emulated GPU runs every step on cuda:0 as
# there: scripts/cuda-emu.sh env ZKACCEL_GPU_STEP_CAP=25
# ZKACCEL_GPU_BUDGET=3000 scripts/gpu-check.sh (there the cuda tests'
# NVRTC and embedded-PTX checks fail, as its NVRTC is a test double; at
# 044b3df, again at b9b2b3c and at bc5579d, every step exited 0, 124 or
# 137, in 22 to 24 minutes: 137 is a step still inside one long POCL call
# 20 s after its SIGTERM).
# The proof benchmarks run with --max-time 30s: bench caps the timed runs at
# --max-time over the warm-up, and a prover's warm-up loads its key (with
# its window multiples, ZKACCEL_MSM_PRECOMPUTE).
# The steps that run under a knob (ZKACCEL_GPU_SQR=0, ZKACCEL_MSM_PASSES=2,
# …) to compare with a default step run bench --cpu check: the CPU is not
# timed again, and the answers the GPU's must equal come from the
# reference cache, which the default steps (the CPU timed) fill, or from
# one untimed CPU call (at 2^24 points an MSM on the CPU takes seconds a
# call, and the knob steps made up to four each). Their files have no
# speed-ups; the default steps' have.
# ZKACCEL_GPU_CHECK=proofs runs issue 6's checks first: both provers'
# tests on cuda:0, then Groth16 and PLONK at 2^20 constraints beside
# gnark's CPU provers (the wide circuit, then the chain, then Groth16's
# proofs per second with four in flight), then the rest as in quick mode. On the 2-thread VM, setting up the wide circuit at 2^18
# took 36 s (Groth16) and 17 s (PLONK), so 2^20 on 16 cores is a couple of
# minutes with the proofs.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/zkaccel-gpu-out}
W=/tmp/zk/out # the work folder, packed into $OUT/gpu-check.tgz
L=$W/logs
mkdir -p "$L" "$OUT"
pack() { tar -C "$W" -czf "$OUT/gpu-check.tgz.part" . 2>/dev/null && mv -f "$OUT/gpu-check.tgz.part" "$OUT/gpu-check.tgz"; }
tar -C /tmp/zk -xzf bin/gpu-bins.tgz || { echo "no bin/gpu-bins.tgz: run scripts/gpu-build.sh and carry it"; exit 1; }
B=/tmp/zk/gpu
dev=${ZKACCEL_GPU_CHECK_DEVICE:-cuda:0} # another device only to rehearse the script (see above)
# The proof benchmarks' set-ups (minutes at 2^20) are made once per circuit
# and loaded by the later steps (and calls) from the cache.
export ZKACCEL_REQUIRE=${dev%%:*} ZKACCEL_CACHE_DIR=/tmp/zk/cache ZKACCEL_SETUP_CACHE=1
mode=${ZKACCEL_GPU_CHECK:-quick}
budget=${ZKACCEL_GPU_BUDGET:-480}
[ "$mode" = proofs ] && budget=${ZKACCEL_GPU_BUDGET:-540} # the 2^20 set-ups are long: call with timeout_s ≥ 570
skipped=()
resume=${ZKACCEL_GPU_RESUME:-0}
step() { # [dir=DIR] step NAME LIMIT COMMAND...: runs a step (in DIR) within the budget, logs it, prints one line
	local name=$1 limit=$2
	shift 2
	if [ "$resume" = 1 ] && grep -q "^== $name: exit 0 " "$L/summary.log" 2>/dev/null; then
		echo "== $name: passed in an earlier call"
		return
	fi
	local left=$((budget - SECONDS))
	if [ "$left" -lt 15 ]; then
		skipped+=("$name")
		return
	fi
	[ "$limit" -gt "$left" ] && limit=$left
	[ -n "${ZKACCEL_GPU_STEP_CAP:-}" ] && [ "$limit" -gt "$ZKACCEL_GPU_STEP_CAP" ] && limit=$ZKACCEL_GPU_STEP_CAP
	local start=$SECONDS packed=$SECONDS
	# SIGTERM at the limit: zkaccel bench then writes what it measured
	# (its JSON) and exits; whatever has not stopped 20 s later is killed
	# (bench's JSON, saved after each measurement, keeps all but the one
	# it was making).
	(cd "${dir:-.}" && timeout -k 20 "$limit" "$@") >"$L/$name.log" 2>&1 &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		if [ $((SECONDS - packed)) -ge 30 ]; then
			pack
			packed=$SECONDS
		fi
	done
	wait "$pid"
	local rc=$?
	echo "== $name: exit $rc in $((SECONDS - start)) s (limit $limit s)" | tee -a "$L/summary.log"
	tail -n 3 "$L/$name.log" | sed -e 's/^/   /' -e '$a\'
	pack
}
await() { # await NAME PID: waits for a background job (none where PID is empty), within the budget
	local name=$1 pid=$2 line rc
	[ -z "$pid" ] && return
	while kill -0 "$pid" 2>/dev/null && [ $((budget - SECONDS)) -ge 15 ]; do
		sleep 2
	done
	if kill -0 "$pid" 2>/dev/null; then
		line="== $name: still running at $SECONDS s, the budget spent (a resumed call finds what it finishes in the cache)"
	else
		wait "$pid"
		rc=$?
		line="== $name: exit $rc at $SECONDS s"
	fi
	echo "$line" | tee -a "$L/summary.log"
	pack
}
{
	nvidia-smi
	nvidia-smi -q -d CLOCK,POWER,PERFORMANCE
	ldconfig -p | grep -E 'libcuda|libnvrtc|libnvidia-ml|libOpenCL|libnvidia-opencl'
	ls -l /etc/OpenCL/vendors /usr/local/cuda*/lib64/libOpenCL* 2>&1
	ldd --version 2>&1 | head -1 # the binaries gpu-build.sh makes need glibc 2.34 or newer
} >"$L/machine.log" 2>&1
echo "== machine: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1)"
# NVRTC: zkaccel looks for libnvrtc by its sonames; where the image keeps it
# only in the CUDA toolkit's or a Python wheel's folder, name it.
if [ -z "${ZKACCEL_NVRTC:-}" ]; then
	nv=$(ls /usr/local/cuda*/lib64/libnvrtc.so.* /usr/local/cuda*/targets/*/lib/libnvrtc.so.* 2>/dev/null | grep -v builtins | sort -V | tail -1)
	[ -z "$nv" ] && nv=$(python3 -c 'import glob,site; print("\n".join(sorted(f for d in site.getsitepackages() for f in glob.glob(d+"/nvidia/**/libnvrtc.so*", recursive=True) if "builtins" not in f)))' 2>/dev/null | tail -1)
	[ -n "$nv" ] && export ZKACCEL_NVRTC=$nv
fi
echo "== NVRTC: ${ZKACCEL_NVRTC:-found by soname, or none (then the embedded PTX)}"

# 1. Is it right? The runtime (and the two ceilings), then conformance.
# Proofs mode: the four 2^20 circuits are compiled and set up on the CPU
# (into the set-up cache) beside the first steps, whose work is mostly the
# GPU's; the proof benchmarks wait for them, so that no set-up runs beside
# a timed proof. On the 2-thread VM the four took 427 s (Groth16's about
# 2.5 min each, PLONK's 69 s), so a minute or two on 16 cores.
setups=
if [ "$mode" = proofs ] && [ "$resume" != 1 ]; then
	(for c in wide chain; do timeout 600 "$B/zkaccel" bench --prepare-only --device cpu:0 --ops groth16,plonk --curves bn254 --circuit $c --constraints 2^20; done) >"$L/setups.log" 2>&1 &
	setups=$!
fi
step devices 60 "$B/zkaccel" devices
# Every program compiled once, in parallel, into the disk cache that every
# later step loads from.
step warmup 150 "$B/zkaccel" warmup --device "$dev"
# The knob steps' programs. A knob that changes the device source (its
# prelude) makes each program it touches a new compile, which the bench
# step would otherwise make inside its own time, one program after
# another: on the 2-thread VM NVRTC took 26 s for msm/bls12-381/g1 to
# sm_90, 10 s for poseidon/circom, 6 s for poseidon2/bn254, 4 s for
# msm/bn254/g1. Here they all compile at once, into the program cache,
# beside the GPU-bound steps that follow; the first step that times the
# CPU waits for them, so that no compile runs beside a timed CPU row.
variants=
if [ "$resume" != 1 ] && [ "${dev%%:*}" = cuda ]; then
	(
		v() { env "$1" "$B/zkaccel" warmup --device "$dev" --programs "selfcheck/mul,$2" & }
		v ZKACCEL_GPU_SQR=0 msm/bn254/g1,msm/bls12-381/g1,poseidon2/bn254,poseidon/circom
		v ZKACCEL_GPU_MUL=32s msm/bn254/g1,msm/bls12-381/g1,ntt/bn254,poseidon2/bn254
		v ZKACCEL_GPU_MUL=32c msm/bn254/g1,ntt/bn254
		v ZKACCEL_GPU_MUL=64 msm/bn254/g1,ntt/bn254
		v ZKACCEL_GPU_NTT_LAYOUT=element ntt/bn254
		v ZKACCEL_GPU_WARP=0 msm/bn254/g1
		v ZKACCEL_MSM_BLOCK=128 msm/bn254/g1
		v ZKACCEL_MSM_MIN_BLOCKS=3 msm/bn254/g1
		v ZKACCEL_MSM_MIN_BLOCKS=2 msm/bls12-381/g1
		v ZKACCEL_GPU_INLINE=1 msm/bn254/g2
		wait
	) >"$L/variants.log" 2>&1 &
	variants=$!
fi
if [ "$mode" = proofs ]; then
	# Issue 6 first: the provers on cuda:0, every proof checked by gnark's
	# verifier and compared byte for byte with gnark's own proof from the
	# same random bytes (FuzzProve's random circuits too, the one-element
	# domain among them), each runtime call of a proof failed in turn
	# (TestDeviceFaults: the error returned, no buffer left) and reset in
	# turn (TestResetRetries: the proof retried, WithResetRetries), then
	# its speed target at 2^20.
	dir=gnark/groth16 step groth16-verify 150 "$B/groth16.test" -test.v -test.count=1 -test.short -test.run 'TestProveVerify|TestProverOptions|TestQuotientMSMDeclined|TestDefaultDevice|TestExplicitDevice|TestDeviceFaults|TestResetRetries|FuzzProve' -test.timeout=145s
	dir=gnark/plonk step plonk-verify 150 "$B/plonk.test" -test.v -test.count=1 -test.short -test.run 'TestProveVerify|TestProverOptions|TestQuotientMSM|TestOpenDevice|TestDefaultDevice|TestExplicitDevice|TestDeviceFaults|TestResetRetries|FuzzProve' -test.timeout=145s
	await setups "$setups"
	await variants "$variants"
	variants=
	step bench-proofs-wide-2e20 300 "$B/zkaccel" bench --device "$dev" --ops groth16,plonk --curves bn254 --circuit wide --constraints 2^20 --runs 3 --max-time 30s --json "$W/bench-proofs-wide-2e20.json"
	step bench-proofs-2e20 300 "$B/zkaccel" bench --device "$dev" --ops groth16,plonk --curves bn254 --constraints 2^20 --runs 3 --max-time 30s --json "$W/bench-proofs-2e20.json"
	# Throughput with four proofs in flight (one proof's serial solving
	# beside another's device work), Groth16 on the chain.
	step bench-proofs-2e20-x4 200 "$B/zkaccel" bench --device "$dev" --ops groth16 --curves bn254 --constraints 2^20 --in-flight 4 --runs 2 --max-time 30s --json "$W/bench-proofs-2e20-x4.json"
	# Groth16's quotient and MSMs as two calls, H back on the host between
	# them, and PLONK's quotient apart from H1–H3's MSMs, H going up again
	# for them, and PLONK's ratio Z on the host, against one call each and
	# the ratio on the device (bench-proofs-wide-2e20; the phases "ratio",
	# "quotient" and "msm H1" tell the gains apart).
	ZKACCEL_MSM_PRECOMPUTE=0 step bench-proofs-wide-2e20-noprecompute 300 "$B/zkaccel" bench --cpu check --device "$dev" --ops groth16,plonk --curves bn254 --circuit wide --constraints 2^20 --runs 3 --max-time 30s --json "$W/bench-proofs-wide-2e20-noprecompute.json"
	ZKACCEL_GROTH16_FUSE=0 ZKACCEL_PLONK_FUSE=0 ZKACCEL_PLONK_RATIO=0 step bench-proofs-wide-2e20-nofuse 300 "$B/zkaccel" bench --cpu check --device "$dev" --ops groth16,plonk --curves bn254 --circuit wide --constraints 2^20 --runs 3 --max-time 30s --json "$W/bench-proofs-wide-2e20-nofuse.json"
	# PLONK with σ and each proof's wires and Z uploaded again (7 × 32 MiB
	# a proof at 2^20), against kept on the device (bench-proofs-wide-2e20;
	# the phases "ratio" and "quotient" tell the gain).
	ZKACCEL_PLONK_KEEP=0 step bench-proofs-wide-2e20-nokeep 200 "$B/zkaccel" bench --cpu check --device "$dev" --ops plonk --curves bn254 --circuit wide --constraints 2^20 --runs 3 --max-time 30s --json "$W/bench-proofs-wide-2e20-nokeep.json"
	# PLONK's openings on the host (the values at ζ, the linearised
	# polynomial, the fold, both divisions, the opening MSMs' uploads)
	# against on the device (the phases "evaluate" … "divide Z" tell it).
	ZKACCEL_PLONK_OPEN=0 step bench-proofs-wide-2e20-noopen 200 "$B/zkaccel" bench --cpu check --device "$dev" --ops plonk --curves bn254 --circuit wide --constraints 2^20 --runs 3 --max-time 30s --json "$W/bench-proofs-wide-2e20-noopen.json"
fi
# The runtime on the GPU, and its two ceilings. The compile-only tests
# (NVRTC on every program, its variants, the sm_90 cubins: 95 s on the
# 2-thread VM, mostly one thread) repeat CI's and the warmup's compiles,
# so they run in full mode only.
skip='^(TestNVRTCCubin|TestNVRTCCompilesEveryProgram|TestNVRTCVariants)$'
[ "$mode" = full ] && skip='^$'
dir=cuda step cuda-test 120 "$B/cuda.test" -test.v -test.count=1 -test.short -test.skip "$skip" -test.timeout=115s
# The conformance suite on cuda:0: issue 5's criterion.
if [ "$mode" = full ]; then
	step conformance 500 "$B/zkaccel" conformance --device "$dev" --long
else
	step conformance 240 "$B/zkaccel" conformance --device "$dev"
fi
# 2. How fast? The headline sizes, BN254, beside the CPU.
# Full mode covers issue 5's 2^16…2^26 (the MSM at 2^26 moves 6 GiB).
if [ "$mode" = full ]; then msm=10,12,14,16,18,20,22,24,26 ntt=10,12,14,16,18,20,22,24,26; else msm=16,20,24 ntt=16,20,22,24; fi
await variants "$variants"
step bench-msm-bn254 200 "$B/zkaccel" bench --device "$dev" --ops msm --curves bn254 --sizes "$msm" --runs 5 --max-time 5s --json "$W/bench-msm-bn254.json"
step bench-ntt-bn254 120 "$B/zkaccel" bench --device "$dev" --ops ntt --fields bn254 --sizes "$ntt" --runs 5 --max-time 5s --json "$W/bench-ntt-bn254.json"
step bench-hash 150 "$B/zkaccel" bench --device "$dev" --ops poseidon,poseidon2 --sizes 16,20,24 --runs 5 --max-time 5s --json "$W/bench-hash.json"
# Keccak's target is at 2^26 messages (4 GiB of input).
step bench-keccak 120 "$B/zkaccel" bench --device "$dev" --ops keccak --sizes 20,24,26 --runs 3 --max-time 5s --json "$W/bench-keccak.json"
# The core tests in detail (every field, NTT and MSM path against gnark-crypto),
# with the field and MSM fuzz targets' seeds.
dir=gpu step gpu-core-test 240 "$B/gpu.test" -test.v -test.count=1 -test.short -test.run 'TestField$|TestNTT$|TestMSM|TestWarpEnv|TestResidentMSM|TestResidentAfterReset|TestLoadedBatch|TestPlonkQuotient|TestPlonkRatio|TestPlonkKept|TestPlonkEvaluate|TestPlonkOpen|TestGroth16Quotient|FuzzField$|FuzzMSM' -test.timeout=235s
# A real kernel fault (a write to address 16): the runtime reports it,
# resets the context, and every operation works after it (the emulated
# GPU only models the driver's side of this).
ZKACCEL_TEST_KERNEL_FAULT=1 dir=gpu step kernel-fault 90 "$B/gpu.test" -test.v -test.count=1 -test.short -test.run '^TestKernelFault$' -test.timeout=85s
# Both provers end to end on cuda:0 (their quotients run whole on the
# device), every proof checked by gnark's verifier and compared byte for
# byte with gnark's own proof from the same random bytes, FuzzProve's
# random circuits (its seeds) too, device faults (TestDeviceFaults) and
# resets retried (TestResetRetries).
if [ "$mode" != proofs ]; then
	dir=gnark/groth16 step groth16-verify 150 "$B/groth16.test" -test.v -test.count=1 -test.short -test.run 'TestProveVerify|TestProverOptions|TestQuotientMSMDeclined|TestDefaultDevice|TestExplicitDevice|TestDeviceFaults|TestResetRetries|FuzzProve' -test.timeout=145s
	dir=gnark/plonk step plonk-verify 150 "$B/plonk.test" -test.v -test.count=1 -test.short -test.run 'TestProveVerify|TestProverOptions|TestQuotientMSM|TestOpenDevice|TestDefaultDevice|TestExplicitDevice|TestDeviceFaults|TestResetRetries|FuzzProve' -test.timeout=145s
fi
# The last target row of issue 5: BLS12-381's MSM at 2^24.
step bench-msm-bls12-381 200 "$B/zkaccel" bench --device "$dev" --ops msm --curves bls12-381 --sizes 20,24 --runs 3 --max-time 5s --json "$W/bench-msm-bls12-381.json"
# Out-of-bounds accesses in the kernels and races on shared memory, which
# POCL cannot show: the core tests under NVIDIA's compute-sanitizer, where
# the machine's CUDA toolkit has it (its memcheck slows kernels tenfold or
# more: small cases, short limits; a cut-off log still lists what it found).
san=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer 2>/dev/null | sort -V | tail -1)
if [ -n "$san" ]; then
	dir=gpu step sanitize-memcheck 150 "$san" --tool memcheck --error-exitcode 9 "$B/gpu.test" -test.count=1 -test.short -test.run 'TestNTT$|TestGroth16Quotient$|TestGroth16QuotientMSM$|TestMSMPrecompute$|TestPlonkQuotient$|TestPlonkQuotientMSM$|TestPlonkRatio$|TestPlonkRatioMSM$|TestPlonkRatioSigma$|TestPlonkKeptValues$|TestPlonkEvaluate$|TestPlonkOpen$|TestKeccak256$|TestPoseidon2$|TestMSM$' -test.timeout=145s
	dir=gpu step sanitize-racecheck 90 "$san" --tool racecheck --error-exitcode 9 "$B/gpu.test" -test.count=1 -test.short -test.run 'TestNTT$|TestMSM$' -test.timeout=85s
else
	echo "== sanitize: no compute-sanitizer on this machine" | tee -a "$L/summary.log"
fi
# 3. The field arithmetic's other forms (gpu.EnvMul: the default is 32,
# inline PTX for the multiplication, as wide multiply-adds, and for the
# carry-flag addition and subtraction; 32s has the multiplication's rows
# in split carry chains, the default until 2026-12-06: about twice the
# machine instructions, fewer registers; 32c is the same in C, 64 over
# 64-bit limbs) at one size. If 32s wins here, make it the default again
# (gpu/source.go's montRowCUDA).
# The squarings as multiplications (gpu.EnvSqr=0: the wide form's squaring
# has 100 wide multiply-adds for BN254 against 128, and 2 of a mixed
# addition's 10 multiplications and 2 of Poseidon2's S-box's 3 are
# squarings), against bench-msm-bn254, bench-msm-bls12-381 and bench-hash
# at 2^20. If this wins, make ZK_SQR_MUL the default (gpu/source.go's
# montRowCUDA).
ZKACCEL_GPU_SQR=0 step bench-nosqr 120 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm,poseidon2,poseidon --curves bn254,bls12-381 --fields bn254 --sizes 20 --runs 5 --max-time 5s --json "$W/bench-nosqr.json"
ZKACCEL_GPU_MUL=32s step bench-mul32s 150 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm,ntt,poseidon2 --curves bn254,bls12-381 --fields bn254 --sizes 20 --runs 5 --max-time 5s --json "$W/bench-mul32s.json"
ZKACCEL_GPU_MUL=32c step bench-mul32c 120 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm,ntt --curves bn254 --fields bn254 --sizes 20 --runs 5 --max-time 5s --json "$W/bench-mul32c.json"
ZKACCEL_GPU_MUL=64 step bench-mul64 120 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm,ntt --curves bn254 --fields bn254 --sizes 20 --runs 5 --max-time 5s --json "$W/bench-mul64.json"
# The copy stream (cuda.EnvCopyStream): copies on the launch stream, for
# what the overlap gains at the largest MSM and NTT.
ZKACCEL_CUDA_COPY_STREAM=0 step bench-onestream 120 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm,ntt --curves bn254 --fields bn254 --sizes 24 --runs 3 --max-time 5s --json "$W/bench-onestream.json"
# The NTT's local blocks element-major (gpu.EnvNTTLayout) against the
# default word-major (bench-ntt-bn254 at 2^20 and 2^24).
ZKACCEL_GPU_NTT_LAYOUT=element step bench-layout-element 90 "$B/zkaccel" bench --cpu check --device "$dev" --ops ntt --fields bn254 --sizes 20,24 --runs 5 --max-time 5s --json "$W/bench-layout-element.json"
# The MSM on 0/1 scalars (a witness's bits: half the entries in one
# bucket), and both distributions with the warp-level primitives off
# (gpu.EnvWarp: each work item's own atomic on the crowded bucket's count
# and cursor) against bench-msm-bn254 and bench-bits.
step bench-bits 90 "$B/zkaccel" bench --device "$dev" --ops msm --curves bn254 --scalars bits --sizes 20,24 --runs 5 --max-time 5s --json "$W/bench-bits.json"
ZKACCEL_GPU_WARP=0 step bench-nowarp-bits 90 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm --curves bn254 --scalars bits --sizes 20,24 --runs 5 --max-time 5s --json "$W/bench-nowarp-bits.json"
ZKACCEL_GPU_WARP=0 step bench-nowarp 90 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm --curves bn254 --sizes 20,24 --runs 3 --max-time 5s --json "$W/bench-nowarp.json"
# An MSM in 2 and 4 passes (gpu.EnvMSMPasses), each pass's copies beside
# the one before's kernels, against one pass (bench-msm-bn254 at 2^20 and
# 2^24): with the points from the host, the copies (96 MiB at 2^20) are
# about as long as the kernels, and one pass overlaps only the sort.
# Copies in chunks of 2 and 32 MiB through the staging buffers
# (cuda.EnvCopyChunk), against 8 (bench-msm-bn254 at 2^20 and 2^24).
ZKACCEL_CUDA_COPY_CHUNK=2 step bench-chunk2 90 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm --curves bn254 --sizes 20,24 --runs 3 --max-time 5s --json "$W/bench-chunk2.json"
ZKACCEL_CUDA_COPY_CHUNK=32 step bench-chunk32 90 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm --curves bn254 --sizes 20,24 --runs 3 --max-time 5s --json "$W/bench-chunk32.json"
ZKACCEL_MSM_PASSES=2 step bench-passes2 90 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm --curves bn254 --sizes 20,24 --runs 3 --max-time 5s --json "$W/bench-passes2.json"
ZKACCEL_MSM_PASSES=4 step bench-passes4 90 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm --curves bn254 --sizes 20,24 --runs 3 --max-time 5s --json "$W/bench-passes4.json"
# The bucket kernels' occupancy (gpu.EnvMSMBlock, gpu.EnvMSMMinBlocks),
# with the wide-multiply-add form (sm_90, 2026-12-06): at 112 registers a
# thread (BN254 G1) two blocks of 256 threads fit on a multiprocessor (16
# warps), and four of 128 (16 warps); bounds of three blocks of 256 cap it
# at 80 registers with a 112-byte spill (24 warps). BLS12-381 G1 at 156
# registers fits one block of 256 (8 warps); bounds of two cap it at 128
# with a 112-byte spill (16 warps). Against bench-msm-bn254 and
# bench-msm-bls12-381 at 2^20 and 2^24.
ZKACCEL_MSM_BLOCK=128 step bench-block128 90 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm --curves bn254 --sizes 20,24 --runs 3 --max-time 5s --json "$W/bench-block128.json"
ZKACCEL_MSM_MIN_BLOCKS=3 step bench-minblocks3 90 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm --curves bn254 --sizes 20,24 --runs 3 --max-time 5s --json "$W/bench-minblocks3.json"
ZKACCEL_MSM_MIN_BLOCKS=2 step bench-minblocks2-bls12-381 120 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm --curves bls12-381 --sizes 20,24 --runs 3 --max-time 5s --json "$W/bench-minblocks2-bls12-381.json"
# The G2 MSM (Groth16's B), BN254 at 2^20, with the curve formulas as
# calls (CUDA's default: each Fp2 multiplication of the bucket loop is a
# call) and inlined (gpu.EnvInline=1, whose compile is among the variants
# above). If inlined wins by more than the noise, make it CUDA's default
# for G2 (gpu/device.go's devicePrelude).
step bench-msm-g2 120 "$B/zkaccel" bench --device "$dev" --ops msm --curves bn254 --group g2 --sizes 20 --runs 5 --max-time 5s --json "$W/bench-msm-g2.json"
ZKACCEL_GPU_INLINE=1 step bench-inline-g2 90 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm --curves bn254 --group g2 --sizes 20 --runs 5 --max-time 5s --json "$W/bench-inline-g2.json"
# 4. Everything else: the other tests and curves, the windows, the provers.
# The MSM window width (gpu.EnvMSMWindow) at 2^22: the default (16) against 18 and 20.
for c in default 18 20; do
	if [ $c = default ]; then w=; else w=$c; fi
	ZKACCEL_MSM_WINDOW=$w step bench-window-$c 90 "$B/zkaccel" bench --cpu check --device "$dev" --ops msm --curves bn254 --sizes 22 --runs 3 --max-time 5s --json "$W/bench-window-$c.json"
done
dir=gpu step gpu-test 400 "$B/gpu.test" -test.v -test.count=1 -test.short -test.skip '^TestAMDGPU' -test.timeout=390s
step bench-msm 400 "$B/zkaccel" bench --device "$dev" --ops msm --curves bls12-381,bls12-377 --sizes "$msm" --runs 5 --max-time 5s --json "$W/bench-msm.json"
step bench-ntt 200 "$B/zkaccel" bench --device "$dev" --ops ntt --fields bls12-381,goldilocks,babybear --sizes "$ntt" --runs 5 --max-time 5s --json "$W/bench-ntt.json"
dir=msm/bn254 step msm-test 200 "$B/msm-bn254.test" -test.count=1 -test.short -test.timeout=190s
dir=gnark/groth16 step groth16-test 300 "$B/groth16.test" -test.v -test.count=1 -test.short -test.timeout=290s
dir=gnark/plonk step plonk-test 300 "$B/plonk.test" -test.v -test.count=1 -test.short -test.timeout=290s
if [ "$mode" != proofs ]; then
	if [ "$mode" = full ]; then proofs=2^16,2^20; else proofs=2^16; fi
	step bench-proofs 600 "$B/zkaccel" bench --device "$dev" --ops groth16,plonk --curves bn254 --constraints "$proofs" --runs 3 --max-time 30s --json "$W/bench-proofs.json"
	# The same on the wide circuit, whose solving spreads over the cores (the
	# chain's is serial: an Amdahl bound on the chain's speed-up, BENCHMARKS.md).
	step bench-proofs-wide 600 "$B/zkaccel" bench --device "$dev" --ops groth16,plonk --curves bn254 --circuit wide --constraints "$proofs" --runs 3 --max-time 30s --json "$W/bench-proofs-wide.json"
	# Proofs per second with four in flight (bench --in-flight): the chain's
	# serial solving of one proof beside another's device work.
	step bench-proofs-x4 300 "$B/zkaccel" bench --device "$dev" --ops groth16,plonk --curves bn254 --constraints "$proofs" --in-flight 4 --runs 3 --max-time 30s --json "$W/bench-proofs-x4.json"
	# Groth16's quotient and MSMs as two calls, H back on the host between
	# them, PLONK's quotient apart from H1–H3's MSMs, and PLONK's ratio on
	# the host, against one call each and the ratio on the device
	# (bench-proofs-wide; the phases tell the gains apart).
	# The provers without their keys' window multiples, against with them
	# (bench-proofs-wide).
	ZKACCEL_MSM_PRECOMPUTE=0 step bench-proofs-wide-noprecompute 200 "$B/zkaccel" bench --cpu check --device "$dev" --ops groth16,plonk --curves bn254 --circuit wide --constraints "$proofs" --runs 3 --max-time 30s --json "$W/bench-proofs-wide-noprecompute.json"
	ZKACCEL_GROTH16_FUSE=0 ZKACCEL_PLONK_FUSE=0 ZKACCEL_PLONK_RATIO=0 step bench-proofs-wide-nofuse 200 "$B/zkaccel" bench --cpu check --device "$dev" --ops groth16,plonk --curves bn254 --circuit wide --constraints "$proofs" --runs 3 --max-time 30s --json "$W/bench-proofs-wide-nofuse.json"
fi
# 5. zkaccel's OpenCL runtime on the same GPU, where the machine has an
# OpenCL loader (the CUDA toolkit ships one) and NVIDIA's OpenCL driver
# (libnvidia-opencl; its ICD file is often missing in containers, so both
# loaders are pointed at it here): the conformance suite on an OpenCL GPU,
# the kernels' GPU forms as OpenCL compiles them, and a kernel fault there
# (whether the driver loses the context, and the runtime makes a new one).
ocl=$(ldconfig -p 2>/dev/null | awk '/libOpenCL\.so\.1 /{print $NF; exit}')
[ -z "$ocl" ] && ocl=$(ls /usr/local/cuda*/lib64/libOpenCL.so.1 /usr/local/cuda*/targets/*/lib/libOpenCL.so.1 2>/dev/null | sort -V | tail -1)
# ZKACCEL_GPU_OPENCL_DRIVER names another OpenCL driver (to rehearse this
# block here: libpocl.so.2.10.0, POCL's, under scripts/cuda-emu.sh).
nvocl=${ZKACCEL_GPU_OPENCL_DRIVER:-$(ldconfig -p 2>/dev/null | awk '/libnvidia-opencl\.so\.1 /{print $NF; exit}')}
if [ "${dev%%:*}" = cuda ] && [ -n "$ocl" ] && [ -n "$nvocl" ]; then
	mkdir -p /tmp/zk/icd && echo "$nvocl" >/tmp/zk/icd/nvidia.icd
	oclenv=(env OCL_ICD_VENDORS=/tmp/zk/icd OCL_ICD_FILENAMES="$nvocl" ZKACCEL_OPENCL_LIBRARY="$ocl" ZKACCEL_BACKENDS=opencl ZKACCEL_REQUIRE=opencl)
	step opencl-devices 60 "${oclenv[@]}" "$B/zkaccel" devices
	step opencl-conformance 240 "${oclenv[@]}" "$B/zkaccel" conformance --device opencl:0
	dir=gpu step opencl-kernel-fault 120 "${oclenv[@]}" ZKACCEL_TEST_KERNEL_FAULT=1 "$B/gpu.test" -test.v -test.count=1 -test.short -test.run '^TestKernelFault$' -test.timeout=115s
else
	echo "== opencl: no OpenCL loader or NVIDIA OpenCL driver here (loader: ${ocl:-none}; libnvidia-opencl: ${nvocl:-none})" | tee -a "$L/summary.log"
fi
# The crossovers for the automatic device choice, from the measurements
# above (zkaccel tune --from), brought back for BENCHMARKS.md.
from=$(ls "$W"/bench-msm*.json "$W"/bench-ntt*.json "$W"/bench-hash.json "$W"/bench-keccak.json 2>/dev/null | paste -sd,)
[ -n "$from" ] && step tune 60 "$B/zkaccel" tune --from "$from"
cp -r "$ZKACCEL_CACHE_DIR/crossover" "$W/" 2>/dev/null
# Issues 5 and 6's speed targets against everything measured above.
jsons=("$W"/*.json)
[ -e "${jsons[0]}" ] && "$B/zkaccel" report --targets "${jsons[@]}" >"$W/targets.md" 2>&1
# Every measurement in one Markdown file (with each one's kernels, and the
# settings of the runs made under a knob) and a chart, for BENCHMARKS.md.
[ -e "${jsons[0]}" ] && "$B/zkaccel" report --md "$W/report.md" --svg "$W/report.svg" "${jsons[@]}" >>"$L/report.log" 2>&1
pack

echo "== skipped for want of time: ${skipped[*]:-none}"
grep -h "CEILING" "$L/cuda-test.log" 2>/dev/null | sed 's/^ *//' 
grep -hE '^(--- FAIL|FAIL|ok|PASS)' "$L"/*-test.log 2>/dev/null | head -40
grep -hE 'passed|failed' "$L/conformance.log" 2>/dev/null | tail -2
cat "$W/targets.md" 2>/dev/null || echo "== no targets table: no benchmark wrote its JSON"
