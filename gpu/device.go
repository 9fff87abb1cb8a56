package gpu

import (
	"errors"
	"fmt"
	"math/bits"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/envflag"
)

// Device is a zkaccel.Device over one [Runtime]. It implements every request
// interface of package zkaccel; each request runs under the device's lock,
// so concurrent calls from many goroutines are safe and run one at a time.
type Device struct {
	rt Runtime

	mu    sync.Mutex
	progs map[string]Program // compiled programs by key
	// prelude goes before every program's source: the field
	// multiplication's form (EnvMul) and squaring (EnvSqr), the NTT's
	// local layout (EnvNTTLayout), CUDA's warp-level primitives (EnvWarp) and the
	// MSM bucket kernels' register bound (EnvMSMMinBlocks), or an error for
	// a bad value of any.
	prelude    string
	preludeErr error
	// msmBlock is the MSM bucket kernels' block size (EnvMSMBlock; 0: the
	// runtime's default).
	msmBlock int
	cache    map[string]any // per-op device data (twiddles, parameters) by value key

	resident atomic.Int64 // bytes held by resident points, polynomials and kept values
	resets   atomic.Int64 // the device resets seen (forgetIfReset, lock): resident data older than the last load again
	gen      uint64       // the runtime's generation (generationRuntime) when last seen
}

// generationRuntime is a runtime that counts the resets of its device
// (CUDA's context resets after a sticky error, OpenCL's new context after
// one stopped running commands), also those no error of an operation
// reported (a reset that a Free met, which has no error to return).
type generationRuntime interface {
	Generation() uint64
}

// lock takes d.mu and, where the runtime was reset since d last looked
// (generationRuntime), forgets what the reset lost, as forgetIfReset
// does, so that no operation uses a program or table that is gone.
func (d *Device) lock() {
	d.mu.Lock()
	if gen := generation(d.rt); gen != d.gen {
		d.gen = gen
		d.forget()
	}
}

// Resets counts the device's resets since its runtime was opened (CUDA's
// context resets after a sticky error, OpenCL's new contexts): the
// runtime's generation, so also resets no call of this device has seen
// yet. It implements zkaccel.ResetDevice.
func (d *Device) Resets() uint64 { return generation(d.rt) }

var _ zkaccel.ResetDevice = (*Device)(nil)

// generation is rt's count of device resets (generationRuntime), 0 where
// it counts none.
func generation(rt Runtime) uint64 {
	if g, ok := rt.(generationRuntime); ok {
		return g.Generation()
	}
	return 0
}

// groupFor returns the work-group size to launch kernel k with, at most
// want: the largest power of two within want, the device's MaxGroupSize
// and the kernel's own limit (Kernel.MaxGroupSize), which on some devices
// is lower than the device's for kernels heavy in registers or local
// memory. Callers whose global size counts groups compute it from the
// size this returns.
func (d *Device) groupFor(k Kernel, want int) int {
	if m := d.rt.MaxGroupSize(); m > 0 {
		want = min(want, m)
	}
	if m := k.MaxGroupSize(); m > 0 {
		want = min(want, m)
	}
	if want < 1 {
		return 1
	}
	return 1 << (bits.Len(uint(want)) - 1)
}

// NewDevice wraps a runtime as a zkaccel device.
func NewDevice(rt Runtime) *Device {
	d := &Device{rt: rt, progs: map[string]Program{}, cache: map[string]any{}}
	d.prelude, d.msmBlock, d.preludeErr = devicePrelude(rt)
	d.gen = generation(rt)
	return d
}

// EnvMul names the variable that chooses how the device programs multiply
// in the fields of 64-bit limbs (BN254, BLS12-381, BLS12-377): "32" over
// 32-bit words, the fast form on GPUs, under CUDA with the carry chains in
// inline PTX (the multiplication as wide multiply-adds, gpu/source.go's
// montMulPTX, and the addition, subtraction and final reduction with the
// carry flag); "32s" the same with the multiplication's rows in split
// carry chains (montRowPTX: more instructions, fewer registers), the
// default until 2026-12-06; "32c" the same in C only; "64"
// over 64-bit limbs (also in C), the fast
// form on CPUs. Unset, CUDA devices and OpenCL GPUs use 32 and OpenCL CPU
// devices (POCL) 64. All give the same results; tests run each.
const EnvMul = "ZKACCEL_GPU_MUL"

// EnvSqr names the variable that turns off ("0") or on ("1", the default)
// CUDA's dedicated squaring in the fields of 64-bit limbs (the 32 form of
// EnvMul only: gpu/source.go's montSqrPTX, each cross product once, 100
// wide multiply-adds for BN254 where a multiplication takes 128). Off, a
// square is a multiplication of an element by itself, as in the other
// forms. For measuring the gain, and as a way around a GPU on which it
// misbehaves. Both give the same results; tests run each.
const EnvSqr = "ZKACCEL_GPU_SQR"

// EnvNTTLayout names the variable that chooses how the NTT's local-memory
// kernels lay out their block (src/ntt.cl): "word", word-major (word w of
// element e at w·size + e), so that adjacent work items touch adjacent
// words, which a GPU's shared memory serves from distinct banks; or
// "element", element-major, an element's words side by side, which suits a
// CPU's cache lines. Unset, GPUs (CUDA, OpenCL GPUs) use word and OpenCL
// CPU devices (POCL) element. Both give the same results; tests run each.
const EnvNTTLayout = "ZKACCEL_GPU_NTT_LAYOUT"

// EnvWarp names the variable that turns CUDA's warp-level primitives off
// ("0") or on ("1", the default): the MSM's bucket counts and its counting
// sort aggregate the atomic increments of a warp's work items that share a
// bucket (src/msm.cl's msm_inc). Off, each work item makes its own atomic,
// as on OpenCL. For measuring the gain, and as a way around a GPU on
// which they misbehave.
const EnvWarp = "ZKACCEL_GPU_WARP"

// EnvInline names the variable that chooses how the curve formulas the
// source keeps apart (src/curve.cl's point addition and doubling,
// src/fp2.cl's multiplication and squaring in Fp2) are compiled: "0", as
// calls, one copy of each in a program, also in the MSM's bucket
// reduction; "1", inlined at every call site. The MSM's bucket loop
// inlines its formulas under every setting. Inlined, a G2 MSM's code and
// compile time grow tenfold and more: NVRTC took 184 s over BLS12-377 G2
// with them inlined and 1.7 s with calls, and Intel's OpenCL compiler
// did not finish BN254 G2 in 20 minutes inlined and took half a minute
// with calls (BENCHMARKS.md). Unset: Intel's OpenCL GPUs use calls, as
// with "0"; CUDA uses calls, but inlines the bucket reduction's formulas
// in the curve groups larger than BN254 G1 (whose points would pass
// through local memory into the calls); other OpenCL devices inline the
// same reductions and leave the rest to their compiler (AMD's clang
// inlines some formulas and calls others). For measuring what inlining
// buys at run time, and as a way around a compiler that mishandles a
// form. All give the same results; tests run each.
const EnvInline = "ZKACCEL_GPU_INLINE"

// EnvMSMBlock names the variable that sets the number of work items per
// work-group (threads per block) of the MSM's bucket kernels
// (msm_accumulate, msm_task_accumulate) on GPU runtime devices: a multiple
// of 32 from 32 to 256. A tuning knob: a block is the unit in which a GPU
// grants registers, so a smaller one can fit more threads beside the
// others (at 90 registers a thread, two blocks of 256 or five of 128 fit in
// an H100 multiprocessor's 65,536 registers). Unset, the runtime's default
// (256 under CUDA).
const EnvMSMBlock = "ZKACCEL_MSM_BLOCK"

// EnvMSMMinBlocks names the variable that, under CUDA, asks the compiler to
// let that many blocks of the bucket kernels (of EnvMSMBlock threads, 256
// when unset) reside on one multiprocessor, from 1 to 32
// (__launch_bounds__): it caps their registers, spilling what does not
// fit. A tuning knob for occupancy; BENCHMARKS.md lists the registers and
// spills it gives. Unset, the compiler chooses. OpenCL ignores it.
const EnvMSMMinBlocks = "ZKACCEL_MSM_MIN_BLOCKS"

// EnvGroth16Fuse names the variable that turns off ("0") or on ("1", the
// default) Groth16's quotient and MSMs as one call
// (zkaccel.Groth16MSMDevice): off, the device declines such a call
// (zkaccel.ErrUnsupported), and gnark/groth16 sends the quotient and the
// MSMs as two, H coming back to the host between them. For measuring the
// gain, and as a way around a device on which the one call misbehaves.
const EnvGroth16Fuse = "ZKACCEL_GROTH16_FUSE"

// EnvPlonkFuse names the variable that turns off ("0") or on ("1", the
// default) PLONK's one-call paths: the quotient and the commitments to
// H's shards (zkaccel.PlonkMSMDevice), the ratio and the commitment to Z
// (zkaccel.PlonkRatioMSMDevice). Off, the device declines such calls
// (zkaccel.ErrUnsupported), and gnark/plonk sends two, H or Z going up
// again between them. For measuring the gain, and
// as a way around a device on which the one call misbehaves.
const EnvPlonkFuse = "ZKACCEL_PLONK_FUSE"

// EnvPlonkRatio names the variable that turns off ("0") or on ("1", the
// default) PLONK's copy-constraint ratio on the device
// (zkaccel.PlonkRatioDevice): off, the device declines it
// (zkaccel.ErrUnsupported), and gnark/plonk computes it on the host. For
// measuring the gain, and as a way around a device on which it misbehaves.
const EnvPlonkRatio = "ZKACCEL_PLONK_RATIO"

// EnvPlonkOpen names the variable that turns off ("0") or on ("1", the
// default) PLONK's openings on the device (zkaccel.PlonkOpenDevice: the
// values at ζ and ωζ and the opening proofs, from polynomials held
// there): off, the device declines them (zkaccel.ErrUnsupported), and
// gnark/plonk computes them on the host from the coefficients it read
// back. For measuring the gain, and as a way around a device on which
// they misbehave.
const EnvPlonkOpen = "ZKACCEL_PLONK_OPEN"

// switchedOn returns nil where every switch of names (default on) is on,
// an error wrapping zkaccel.ErrUnsupported naming the first that is off
// (the device declines op), or a malformed-request error for a bad value.
func (d *Device) switchedOn(op string, names ...string) error {
	for _, name := range names {
		switch on, err := envflag.Switch(name, true); {
		case err != nil:
			return d.errorf(op, fmt.Errorf("%w: %w", errBadRequest, err))
		case !on:
			return d.unsupported(op, "%s=0", name)
		}
	}
	return nil
}

// devicePrelude returns the definitions that go before every program's
// source on rt: the field multiplication's form (EnvMul) and squaring
// (EnvSqr), the NTT's local layout (EnvNTTLayout), CUDA's warp-level
// primitives (EnvWarp), the curve formulas as calls or inlined
// (EnvInline) and the bucket kernels' register bound
// (EnvMSMMinBlocks); none where the source's default is right (common.h, ntt.cl, msm.cl: under
// CUDA the 32-bit multiplication, word-major and the warp primitives,
// under OpenCL the 64-bit one and element-major), so that CUDA's default
// sources are those of the embedded PTX.
// It also returns the bucket kernels' block size (EnvMSMBlock; 0 unset).
func devicePrelude(rt Runtime) (string, int, error) {
	gpuCL := false // an OpenCL GPU: the GPU forms, which OpenCL's defaults are not
	if rt.Kind() == "opencl" {
		if t, ok := rt.(interface{ Type() string }); ok && t.Type() != "cpu" {
			gpuCL = true
		}
	}
	var pre string
	switch v := os.Getenv(EnvMul); v {
	case "32":
		pre = "#define ZK_MUL32 1\n"
	case "32s":
		pre = "#define ZK_MUL32 1\n#define ZK_MUL_ROWS 1\n"
	case "32c":
		pre = "#define ZK_MUL32 1\n#define ZK_NO_ASM 1\n"
	case "64":
		pre = "#define ZK_MUL64 1\n"
	case "":
		if gpuCL {
			pre = "#define ZK_MUL32 1\n"
		}
	default:
		return "", 0, fmt.Errorf("%s=%q: want 32, 32s, 32c or 64", EnvMul, v)
	}
	switch v := os.Getenv(EnvNTTLayout); v {
	case "word":
		pre += "#define NTT_WORD_MAJOR 1\n"
	case "element":
		pre += "#define NTT_ELEMENT_MAJOR 1\n"
	case "":
		if gpuCL {
			pre += "#define NTT_WORD_MAJOR 1\n"
		}
	default:
		return "", 0, fmt.Errorf("%s=%q: want word or element", EnvNTTLayout, v)
	}
	switch v := os.Getenv(EnvInline); v {
	case "0":
		pre += "#define ZK_FORMULA_CALLS 1\n"
	case "1":
		pre += "#define ZK_FORMULA_INLINE 1\n"
	case "":
		if gpuCL && intelGPU(rt) {
			pre += "#define ZK_FORMULA_CALLS 1\n"
		}
	default:
		return "", 0, fmt.Errorf("%s=%q: want 0 or 1", EnvInline, v)
	}
	// The switches (default on) whose "0" defines a macro.
	for _, sw := range []struct{ env, off string }{{EnvSqr, "ZK_SQR_MUL"}, {EnvWarp, "ZK_NO_WARP"}} {
		switch on, err := envflag.Switch(sw.env, true); {
		case err != nil:
			return "", 0, err
		case !on:
			pre += "#define " + sw.off + " 1\n"
		}
	}
	block := 0
	if v := os.Getenv(EnvMSMBlock); v != "" {
		b, err := strconv.Atoi(v)
		if err != nil || b < 32 || b > 256 || b%32 != 0 {
			return "", 0, fmt.Errorf("%s=%q: want a multiple of 32 from 32 to 256", EnvMSMBlock, v)
		}
		block = b
	}
	if v := os.Getenv(EnvMSMMinBlocks); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 32 {
			return "", 0, fmt.Errorf("%s=%q: want a number of blocks from 1 to 32", EnvMSMMinBlocks, v)
		}
		b := block
		if b == 0 {
			b = 256
		}
		if rt.Kind() == "cuda" { // OpenCL's source has no bounds: leave its text (and its compile caches) as they are
			pre += fmt.Sprintf("#define MSM_BLOCK %d\n#define MSM_MIN_BLOCKS %d\n", b, n)
		}
	}
	return pre, block, nil
}

// intelGPU reports whether rt is an OpenCL device of Intel's (by its
// vendor string, "Intel(R) Corporation" from Intel's drivers).
func intelGPU(rt Runtime) bool {
	v, ok := rt.(interface{ Vendor() string })
	return ok && strings.Contains(strings.ToLower(v.Vendor()), "intel")
}

// Kind is the runtime's kind.
func (d *Device) Kind() zkaccel.Kind { return zkaccel.Kind(d.rt.Kind()) }

// Ordinal is the runtime's ordinal.
func (d *Device) Ordinal() int { return d.rt.Ordinal() }

// Name is the device's human name.
func (d *Device) Name() string { return d.rt.Name() }

// String is the device spec, e.g. "opencl:0".
func (d *Device) String() string { return fmt.Sprintf("%s:%d", d.rt.Kind(), d.rt.Ordinal()) }

// Memory is the device's total memory in bytes.
func (d *Device) Memory() uint64 { return d.rt.Memory() }

// room is the device memory one call may plan for: the device's, less what
// outlives calls (resident points and polynomials, kept values:
// ResidentBytes; the NTT tables cached), at least 1 byte; 0 where the
// runtime does not say. A call whose plan exceeds it declines
// (zkaccel.ErrUnsupported), so that the caller falls back, where its
// allocations would otherwise fail halfway. The caller holds d.mu.
func (d *Device) room() uint64 {
	mem := d.rt.Memory()
	if mem == 0 {
		return 0
	}
	return max(mem-min(d.ResidentBytes()+d.nttCached(), mem), 1)
}

// Driver describes the device's runtime and driver version in one line
// (the runtime's DriverInfo, where it has one), "" where it does not say.
func (d *Device) Driver() string {
	if di, ok := d.rt.(interface{ DriverInfo() string }); ok {
		return di.DriverInfo()
	}
	return ""
}

// Telemetry reads the device's sensors through its runtime (CUDA: NVML);
// an error wrapping zkaccel.ErrUnsupported where the runtime has none.
func (d *Device) Telemetry() (zkaccel.Telemetry, error) {
	if s, ok := d.rt.(interface {
		Telemetry() (zkaccel.Telemetry, error)
	}); ok {
		return s.Telemetry()
	}
	return zkaccel.Telemetry{}, d.unsupported("telemetry", "the %s runtime has no sensors", d.rt.Kind())
}

// timedRuntime is a runtime that times its kernels and copies.
type timedRuntime interface {
	ResetTimes()
	Times() (compute, transfer time.Duration, err error)
}

// ResetTimes zeroes the runtime's timers (see Times).
func (d *Device) ResetTimes() {
	if t, ok := d.rt.(timedRuntime); ok {
		t.ResetTimes()
	}
}

// Times returns the device time of the kernels and of the host↔device
// copies since ResetTimes, measured by the runtime (CUDA events, OpenCL
// profiling); an error wrapping zkaccel.ErrUnsupported where the runtime
// does not time its work.
func (d *Device) Times() (compute, transfer time.Duration, err error) {
	if t, ok := d.rt.(timedRuntime); ok {
		return t.Times()
	}
	return 0, 0, d.unsupported("times", "the %s runtime does not time its work", d.rt.Kind())
}

// kernelTimedRuntime is a runtime that times each kernel apart.
type kernelTimedRuntime interface {
	KernelTimes() ([]zkaccel.KernelTime, error)
}

// KernelTimes returns each kernel launched since ResetTimes with its
// launches and summed device time, the longest first, measured by the
// runtime (CUDA events, OpenCL profiling); an error wrapping
// zkaccel.ErrUnsupported where the runtime does not time its kernels.
func (d *Device) KernelTimes() ([]zkaccel.KernelTime, error) {
	if t, ok := d.rt.(kernelTimedRuntime); ok {
		return t.KernelTimes()
	}
	return nil, d.unsupported("kernel times", "the %s runtime does not time its kernels", d.rt.Kind())
}

// Runtime returns the device's runtime.
func (d *Device) Runtime() Runtime { return d.rt }

// program returns the compiled program key (see [Programs]), compiling it
// on first use. The caller holds d.mu.
func (d *Device) program(key string) (Program, error) {
	if p, ok := d.progs[key]; ok {
		return p, nil
	}
	if d.preludeErr != nil {
		return nil, fmt.Errorf("compile %s: %w", key, d.preludeErr)
	}
	src, err := ProgramSource(key)
	if err != nil {
		return nil, err
	}
	if d.needsMulCheck(key, src) {
		if err := d.mulCheck(); err != nil {
			return nil, fmt.Errorf("compile %s: %w", key, err)
		}
	}
	p, err := d.rt.Compile(d.prelude + src)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", key, err)
	}
	d.progs[key] = p
	return p, nil
}

// Warmup compiles and loads every device program ([Programs]) on d ahead
// of first use, so that no later call waits for a compiler. Where the
// runtime can compile apart from loading (CUDA with NVRTC: cuda's
// Precompile) the compiles run in parallel, one per CPU, into the disk
// cache; then each program is loaded, from the disk cache where the
// runtime has one. progress, if not nil, is called as work completes:
// stage "compile" with the programs compiled so far, then stage "load".
func (d *Device) Warmup(progress func(stage string, done, total int)) error {
	return d.WarmupPrograms(Programs(), progress)
}

// WarmupPrograms is Warmup for the programs keys only (from [Programs];
// see [SelectPrograms]).
func (d *Device) WarmupPrograms(keys []string, progress func(stage string, done, total int)) error {
	if progress == nil {
		progress = func(string, int, int) {}
	}
	if d.preludeErr != nil {
		return d.errorf("warmup", d.preludeErr)
	}
	for _, key := range keys {
		if _, ok := programs[key]; !ok {
			return d.errorf("warmup", fmt.Errorf("gpu: no device program %q", key))
		}
	}
	if p, ok := d.rt.(interface {
		Precompile(srcs []string, workers int, progress func(done, total int)) error
	}); ok {
		srcs := make([]string, len(keys))
		for i, key := range keys {
			src, err := ProgramSource(key)
			if err != nil {
				return d.errorf("warmup", err)
			}
			srcs[i] = d.prelude + src
		}
		err := p.Precompile(srcs, runtime.NumCPU(), func(done, total int) { progress("compile", done, total) })
		if err != nil && !errors.Is(err, zkaccel.ErrUnsupported) {
			return d.errorf("warmup", err)
		}
	}
	for i, key := range keys {
		d.lock()
		_, err := d.program(key)
		d.mu.Unlock()
		if err != nil {
			return d.errorf("warmup", err)
		}
		progress("load", i+1, len(keys))
	}
	return nil
}

// cached is a value of d.cache that holds device memory: ReleaseCache
// frees it through release.
type cached interface {
	release(rt Runtime)
}

// ReleaseCache frees every piece of device data the device keeps between
// calls (NTT twiddles, hash parameters); the next call that needs them
// recomputes them. Compiled programs stay.
func (d *Device) ReleaseCache() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, v := range d.cache {
		switch c := v.(type) {
		case cached:
			c.release(d.rt)
		case Buffer:
			d.rt.Free(c)
		default:
			continue // a setting, not device data
		}
		delete(d.cache, k)
	}
}

// kernels resolves kernel names in p.
func kernels(p Program, names ...string) ([]Kernel, error) {
	ks := make([]Kernel, len(names))
	for i, n := range names {
		k, err := p.Kernel(n)
		if err != nil {
			return nil, err
		}
		ks[i] = k
	}
	return ks, nil
}

// OnHost reports whether the device is the host CPU seen through a GPU
// runtime (an OpenCL CPU device such as POCL): correct, but slower than
// gnark-crypto on the same CPU, so that tools never choose it unless named.
func (d *Device) OnHost() bool {
	t, ok := d.rt.(interface{ Type() string })
	return ok && t.Type() == "cpu"
}

// opError is an error of one op on one device. Its message names the op and
// the device once, even when the runtime's own error already starts with
// the backend's prefix; it unwraps to the runtime's error.
type opError struct {
	msg string
	err error
}

func (e *opError) Error() string { return e.msg }
func (e *opError) Unwrap() error { return e.err }

// errorf formats an error of op on this device:
// "zkaccel/opencl: op on opencl:0: …".
func (d *Device) errorf(op string, err error) error {
	if err == nil {
		return nil
	}
	prefix := "zkaccel/" + d.rt.Kind() + ": "
	return &opError{
		msg: fmt.Sprintf("%s%s on %s: %s", prefix, op, d, strings.TrimPrefix(err.Error(), prefix)),
		err: err,
	}
}

// unsupported returns an error wrapping zkaccel.ErrUnsupported for op.
func (d *Device) unsupported(op, format string, args ...any) error {
	return fmt.Errorf("zkaccel/%s: %s: %s: %w", d.rt.Kind(), op, fmt.Sprintf(format, args...), zkaccel.ErrUnsupported)
}

// ErrOutOfMemory marks a runtime's failure to allocate device memory for
// want of room (CUDA's CUDA_ERROR_OUT_OF_MEMORY, OpenCL's
// CL_MEM_OBJECT_ALLOCATION_FAILURE and CL_OUT_OF_RESOURCES at a buffer's
// creation). Data a caller only keeps there to spare copies (resident MSM
// points) then stay in host memory; the work itself still fails with it.
var ErrOutOfMemory = errors.New("out of device memory")

// ErrDeviceReset marks a runtime error after which the runtime reset its
// device (a kernel fault or an uncorrectable memory error left the device's
// context unusable, as CUDA's sticky errors do; an OpenCL context whose
// queue no longer runs commands is made again): every buffer and program
// the runtime held is gone. The [Device] that sees it forgets its compiled
// programs and cached tables, so the next call compiles and uploads afresh.
//
// It is zkaccel.ErrDeviceReset, so that callers need not import this
// package to recognise it.
var ErrDeviceReset = zkaccel.ErrDeviceReset

// ErrDeviceLost marks a runtime error after which the device cannot be
// used again in this process (its reset failed: CUDA's fresh context
// failed with the same kind of error). Every later call fails with it.
// It is zkaccel.ErrDeviceLost.
var ErrDeviceLost = zkaccel.ErrDeviceLost

// forgetIfReset drops every program and cached table after an error that
// wraps ErrDeviceReset or ErrDeviceLost (their device memory is already gone, so nothing is
// freed), and counts the reset, so that resident points load again at
// their next use (residentOf). The caller holds d.mu.
func (d *Device) forgetIfReset(err error) error {
	if err != nil && (errors.Is(err, ErrDeviceReset) || errors.Is(err, ErrDeviceLost)) {
		d.gen = generation(d.rt)
		d.forget()
	}
	return err
}

// forget drops every program and cached table, which a device reset
// lost, and counts the reset. The caller holds d.mu.
func (d *Device) forget() {
	d.progs = map[string]Program{}
	d.cache = map[string]any{}
	d.resets.Add(1)
}

// errBadRequest marks a malformed request (wrong buffer sizes …).
var errBadRequest = zkaccel.ErrBadRequest

// scratch tracks the buffers of one operation so that every path frees
// them: allocate through it and defer free.
type scratch struct {
	rt   Runtime
	bufs []Buffer
	used uint64
}

func (d *Device) scratch() *scratch { return &scratch{rt: d.rt} }

// alloc allocates n bytes (at least 1), failing with a clear message when
// the request exceeds the device's limits.
func (s *scratch) alloc(n int) (Buffer, error) {
	if n < 1 {
		n = 1
	}
	if max := s.rt.MaxAlloc(); max > 0 && uint64(n) > max {
		return nil, fmt.Errorf("out of device memory: a buffer of %s exceeds the device's largest allocation (%s)", bytesStr(uint64(n)), bytesStr(max))
	}
	if mem := s.rt.Memory(); mem > 0 && s.used+uint64(n) > mem {
		return nil, fmt.Errorf("out of device memory (need %s, device has %s)", bytesStr(s.used+uint64(n)), bytesStr(mem))
	}
	b, err := s.rt.Alloc(n)
	if err != nil {
		return nil, fmt.Errorf("allocating %s: %w", bytesStr(uint64(n)), err)
	}
	s.bufs = append(s.bufs, b)
	s.used += uint64(n)
	return b, nil
}

// upload allocates a buffer holding data.
func (s *scratch) upload(data []byte) (Buffer, error) {
	b, err := s.alloc(len(data))
	if err != nil {
		return nil, err
	}
	if len(data) > 0 {
		if err := s.rt.Write(b, 0, data); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// take removes bufs from s, so that free leaves them allocated, and
// returns their size in bytes: they then belong to the caller.
func (s *scratch) take(bufs ...Buffer) uint64 {
	var size uint64
	for _, b := range bufs {
		for i, c := range s.bufs {
			if c == b {
				s.bufs = append(s.bufs[:i], s.bufs[i+1:]...)
				s.used -= uint64(b.Size())
				size += uint64(b.Size())
				break
			}
		}
	}
	return size
}

// free releases every buffer allocated through s (nil: none).
func (s *scratch) free() {
	if s == nil {
		return
	}
	for _, b := range s.bufs {
		s.rt.Free(b)
	}
	s.bufs = nil
	s.used = 0
}

func bytesStr(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// MSM runs a multi-scalar multiplication (see msm.go).
func (d *Device) MSM(req *zkaccel.MSMRequest) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.msm(req))
}

// MSMBatch runs several MSMs as one call (see msm.go's msmBatch).
func (d *Device) MSMBatch(reqs []*zkaccel.MSMRequest) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.msmBatch(reqs))
}

// NTT runs an in-place NTT (see ntt.go).
func (d *Device) NTT(req *zkaccel.NTTRequest) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.ntt(req))
}

// Poseidon runs a batch of fixed-constant Poseidon hashes (see poseidon.go).
func (d *Device) Poseidon(req *zkaccel.PoseidonRequest) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.poseidon(req))
}

// Poseidon2 runs a batch of Poseidon2 permutations (see poseidon2.go).
func (d *Device) Poseidon2(req *zkaccel.Poseidon2Request) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.poseidon2(req))
}

// Keccak256 runs a batch of Keccak-256 digests (see keccak.go).
func (d *Device) Keccak256(req *zkaccel.KeccakRequest) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.keccak256(req))
}

// KeccakF1600 runs a batch of Keccak-f[1600] permutations (see keccak.go).
func (d *Device) KeccakF1600(req *zkaccel.KeccakPermuteRequest) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.keccakF1600(req))
}

// Merkle builds a Merkle tree layer by layer on the device (see merkle.go).
func (d *Device) Merkle(req *zkaccel.MerkleRequest) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.merkle(req))
}

// PlonkQuotient computes PLONK's quotient on the device (see plonk.go).
func (d *Device) PlonkQuotient(req *zkaccel.PlonkQuotientRequest) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.plonkQuotient(req))
}

// Groth16Quotient computes Groth16's quotient on the device (see
// groth16.go).
func (d *Device) Groth16Quotient(req *zkaccel.Groth16QuotientRequest) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.groth16Quotient(req))
}

// Groth16QuotientMSM runs Groth16's quotient and then a proof's MSMs as
// one call (see groth16.go's groth16QuotientMSM).
func (d *Device) Groth16QuotientMSM(q *zkaccel.Groth16QuotientRequest, msms []*zkaccel.MSMRequest) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.groth16QuotientMSM(q, msms))
}

// PlonkQuotientMSM runs PLONK's quotient and then MSMs, some of them over
// H's shards, as one call (see plonk.go's plonkQuotientMSM).
func (d *Device) PlonkQuotientMSM(q *zkaccel.PlonkQuotientRequest, msms []*zkaccel.MSMRequest, from []int) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.plonkQuotientMSM(q, msms, from))
}

// PlonkRatio computes PLONK's copy-constraint ratio on the device (see
// plonk_ratio.go).
func (d *Device) PlonkRatio(req *zkaccel.PlonkRatioRequest) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.plonkRatio(req))
}

// PlonkRatioMSM runs PLONK's ratio and then MSMs, some of them over Z's
// values, as one call (see plonk_ratio.go's plonkRatioMSM).
func (d *Device) PlonkRatioMSM(req *zkaccel.PlonkRatioRequest, msms []*zkaccel.MSMRequest, from []int) error {
	d.lock()
	defer d.mu.Unlock()
	return d.forgetIfReset(d.plonkRatioMSM(req, msms, from))
}

var (
	_ zkaccel.PlonkRatioMSMDevice = (*Device)(nil)
	_ zkaccel.PlonkRatioDevice    = (*Device)(nil)
	_ zkaccel.PlonkMSMDevice      = (*Device)(nil)
	_ zkaccel.Groth16MSMDevice    = (*Device)(nil)
	_ zkaccel.Groth16Device       = (*Device)(nil)
	_ zkaccel.PlonkDevice         = (*Device)(nil)
	_ zkaccel.MSMDevice           = (*Device)(nil)
	_ zkaccel.NTTDevice           = (*Device)(nil)
	_ zkaccel.PoseidonDevice      = (*Device)(nil)
	_ zkaccel.KeccakDevice        = (*Device)(nil)
	_ zkaccel.MerkleDevice        = (*Device)(nil)
	_ zkaccel.SensorDevice        = (*Device)(nil)
	_ zkaccel.TimedDevice         = (*Device)(nil)
	_ zkaccel.MSMBatchDevice      = (*Device)(nil)
)
