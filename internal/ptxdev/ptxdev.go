// Package ptxdev is a GPU device for tests whose kernels are the CUDA PTX
// that zkaccel embeds for the driver (cuda/ptx), run by the PTX
// interpreter internal/ptxsim: a gpu.Runtime of kind "cuda" under the
// device's own host code. It runs what neither POCL nor Oclgrind can, the
// CUDA form of the kernels with its inline PTX and warp-level primitives,
// under an adversarial scheduler of each warp's threads, and fails a
// launch at an access outside an allocation, a warp-level deadlock or a
// data race. It is thousands of times slower than POCL: tests use it for
// small inputs. Where NVIDIA's NVRTC loads, sources without embedded PTX
// (the forms that settings such as ZKACCEL_GPU_WARP=0 choose) are compiled
// for the embedded PTX's architecture.
package ptxdev

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cuda"
	"github.com/zkaccel/zkaccel/cuda/ptx"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/ptxsim"
)

// Runtime is the gpu.Runtime over the interpreter. Its fields that are
// options are read at each Compile or Launch; set them before use.
type Runtime struct {
	// Mutate, if set, edits the PTX of a program (named as in cuda/ptx's
	// index, e.g. "msm/bn254/g1") before it is parsed: tests' mutants.
	Mutate func(program, code string) string
	// NVRTC compiles the sources that have no embedded PTX; unset, the
	// first such source loads it (LoadNVRTC).
	NVRTC *cuda.NVRTC
	// Lockstep runs whole warps in lockstep (see ptxsim.Launch).
	Lockstep bool
	// KernelGroup, if set, gives each kernel by name its own work-group
	// limit (the kernel's MaxGroupSize, ≥ 1), and Launch refuses larger
	// blocks, as a GPU does for a kernel whose registers do not fit more
	// threads; unset, every kernel allows the device's 1024.
	KernelGroup func(name string) int
	// Ops, if not nil, counts the instructions run by opcode.
	Ops map[string]int64
	// Kernels counts each kernel's launches, work items and instructions.
	Kernels map[string]*Count
	// Stats sums every launch's statistics.
	Stats ptxsim.Stats
	// Compiles counts the programs built; Embedded those whose PTX was
	// the embedded one.
	Compiles, Embedded int

	mem   *ptxsim.Memory
	meter gpu.MemoryMeter
	mods  map[[32]byte]*ptxsim.Module
	seed  int64
	live  map[*buffer]bool
}

// Count is what one kernel ran: launches, work items (the global sizes
// asked for) and PTX instructions, summed over its threads.
type Count struct {
	Launches            int
	Items, Instructions int64
}

// New returns a runtime whose scheduler takes its choices from seed.
func New(seed int64) *Runtime {
	return &Runtime{mem: ptxsim.NewMemory(), mods: map[[32]byte]*ptxsim.Module{}, seed: seed, live: map[*buffer]bool{}}
}

// NewDevice returns a GPU device over a new runtime.
func NewDevice(seed int64) (*gpu.Device, *Runtime) {
	rt := New(seed)
	return gpu.NewDevice(rt), rt
}

// Is reports whether dev is a GPU device over this package's runtime.
func Is(dev zkaccel.Device) bool {
	g, ok := dev.(*gpu.Device)
	if !ok || g == nil {
		return false
	}
	_, ok = g.Runtime().(*Runtime)
	return ok
}

// ErrNVRTCUnusable marks an NVRTC that loads but makes no PTX for the
// embedded PTX's architecture: cuda/testdata's test double, which
// scripts/cuda-emu.sh loads, or a CUDA release that dropped it.
var ErrNVRTCUnusable = errors.New("NVRTC makes no PTX for the embedded PTX's architecture")

var (
	nvOnce sync.Once
	nvVal  *cuda.NVRTC
	nvErr  error
	// nvPTX caches the PTX that NVRTC made, by the source's hash.
	nvPTX sync.Map
)

// LoadNVRTC loads NVRTC and checks, once, that it makes PTX for the
// embedded PTX's architecture (else the error wraps ErrNVRTCUnusable).
func LoadNVRTC() (*cuda.NVRTC, error) {
	nvOnce.Do(func() {
		nv, err := cuda.LoadNVRTC()
		if err != nil {
			nvErr = err
			return
		}
		arch, err := embeddedArch()
		if err != nil {
			nvErr = err
			return
		}
		code, err := nv.Compile(`extern "C" __global__ void probe(int* p) { *p = 1; }`, "probe", cuda.Target{Arch: arch})
		switch {
		case err != nil:
			nvErr = fmt.Errorf("%w: %v", ErrNVRTCUnusable, err)
		case !strings.Contains(string(code), ".entry probe"):
			nvErr = fmt.Errorf("%w: NVRTC %s returned no PTX", ErrNVRTCUnusable, nv.Version())
		default:
			nvVal = nv
		}
	})
	return nvVal, nvErr
}

// embeddedArch is the architecture of the embedded PTX (70 for
// compute_70).
func embeddedArch() (int, error) {
	ix, err := ptx.Load()
	if err != nil {
		return 0, err
	}
	arch, err := strconv.Atoi(strings.TrimPrefix(ix.Arch, "compute_"))
	if err != nil {
		return 0, fmt.Errorf("ptxdev: the embedded PTX's architecture %q: %w", ix.Arch, err)
	}
	return arch, nil
}

type buffer struct {
	addr uint64
	size int
}

func (b *buffer) Size() int { return b.size }

type program struct {
	rt  *Runtime
	mod *ptxsim.Module
}

type kernel struct {
	mod      *ptxsim.Module
	name     string
	maxGroup int
}

func (k *kernel) Name() string { return k.name }

func (k *kernel) MaxGroupSize() int { return k.maxGroup }

func (p *program) Kernel(name string) (gpu.Kernel, error) {
	for _, e := range p.mod.Entries() {
		if e == name {
			k := &kernel{mod: p.mod, name: name, maxGroup: 1024}
			if p.rt.KernelGroup != nil {
				k.maxGroup = max(1, min(1024, p.rt.KernelGroup(name)))
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("ptxdev: no kernel %q", name)
}

// Kind is "cuda": the device makes CUDA's choices (layouts, inline PTX).
func (rt *Runtime) Kind() string { return "cuda" }

// Ordinal is 0.
func (rt *Runtime) Ordinal() int { return 0 }

// Name says what the device is.
func (rt *Runtime) Name() string { return "PTX interpreter" }

// Memory is 1 GiB, as the device plans for it.
func (rt *Runtime) Memory() uint64 { return 1 << 30 }

// MaxAlloc is 1 GiB.
func (rt *Runtime) MaxAlloc() uint64 { return 1 << 30 }

// MaxGroupSize is 1024 threads, as on NVIDIA GPUs.
func (rt *Runtime) MaxGroupSize() int { return 1024 }

// Finish does nothing: every launch has ended when it returns.
func (rt *Runtime) Finish() error { return nil }

// String is the device's name in messages.
func (rt *Runtime) String() string { return "ptx:0" }

// Live is the number of buffers allocated and not freed.
func (rt *Runtime) Live() int { return len(rt.live) }

// Meter counts the bytes allocated (gpu.Device's PeakMemory reads it).
func (rt *Runtime) Meter() *gpu.MemoryMeter { return &rt.meter }

// Compile finds the embedded PTX of src by the hash of the source, as the
// CUDA runtime does where NVRTC is absent; else NVRTC compiles it.
func (rt *Runtime) Compile(src string) (gpu.Program, error) {
	key := sha256.Sum256([]byte(src))
	if m, ok := rt.mods[key]; ok {
		return &program{rt: rt, mod: m}, nil
	}
	code, embedded := ptx.Lookup(key)
	ok := embedded
	if c, cached := nvPTX.Load(key); !ok && cached {
		code, ok = c.([]byte), true
	}
	if !ok && rt.NVRTC == nil {
		rt.NVRTC, _ = LoadNVRTC() // only now: most tests need no compile
	}
	if !ok && rt.NVRTC != nil {
		arch, err := embeddedArch()
		if err != nil {
			return nil, err
		}
		if code, err = rt.NVRTC.Compile(src, "ptxdev", cuda.Target{Arch: arch}); err != nil {
			return nil, err
		}
		nvPTX.Store(key, code)
		ok = true
	}
	if !ok {
		return nil, fmt.Errorf("ptxdev: no embedded PTX for this source and no NVRTC: %w", zkaccel.ErrUnsupported)
	}
	rt.Compiles++
	if embedded {
		rt.Embedded++
	}
	text := string(code)
	if rt.Mutate != nil {
		ix, err := ptx.Load()
		if err != nil {
			return nil, err
		}
		for _, e := range ix.Entries {
			if e.SourceHash == key {
				text = rt.Mutate(e.Program, text)
			}
		}
	}
	m, err := ptxsim.Parse(text)
	if err != nil {
		return nil, err
	}
	rt.mods[key] = m
	return &program{rt: rt, mod: m}, nil
}

// Alloc allocates size bytes of the interpreter's global memory.
func (rt *Runtime) Alloc(size int) (gpu.Buffer, error) {
	if size < 1 {
		return nil, fmt.Errorf("ptxdev: alloc of %d bytes", size)
	}
	b := &buffer{addr: rt.mem.Alloc(size), size: size}
	rt.live[b] = true
	rt.meter.Allocated(size)
	return b, nil
}

// Free releases b (nil: nothing).
func (rt *Runtime) Free(b gpu.Buffer) {
	if bb, ok := b.(*buffer); ok && rt.live[bb] {
		delete(rt.live, bb)
		rt.meter.Freed(bb.size)
	}
}

func (rt *Runtime) own(b gpu.Buffer, off, n int) (*buffer, error) {
	bb, ok := b.(*buffer)
	if !ok || !rt.live[bb] {
		return nil, fmt.Errorf("ptxdev: %T is not a live buffer of this device", b)
	}
	if off < 0 || n < 0 || off+n > bb.size {
		return nil, fmt.Errorf("ptxdev: %d bytes at %d of a buffer of %d", n, off, bb.size)
	}
	return bb, nil
}

// Write copies src into dst at byte offset off.
func (rt *Runtime) Write(dst gpu.Buffer, off int, src []byte) error {
	b, err := rt.own(dst, off, len(src))
	if err != nil {
		return err
	}
	return rt.mem.Write(b.addr+uint64(off), src)
}

// Read copies len(dst) bytes of src at byte offset off into dst.
func (rt *Runtime) Read(dst []byte, src gpu.Buffer, off int) error {
	b, err := rt.own(src, off, len(dst))
	if err != nil {
		return err
	}
	v, err := rt.mem.Read(b.addr+uint64(off), len(dst))
	copy(dst, v)
	return err
}

// Launch runs kernel k to its end, blocks of local threads (0: 256) over
// global work items, with the race check on.
func (rt *Runtime) Launch(k gpu.Kernel, global, local int, args ...any) error {
	kk, ok := k.(*kernel)
	if !ok {
		return fmt.Errorf("ptxdev: %T is not a kernel of this device", k)
	}
	if global == 0 {
		return nil
	}
	if local == 0 {
		local = min(256, kk.maxGroup)
	}
	if local > kk.maxGroup {
		return fmt.Errorf("ptxdev: launch %s: blocks of %d threads exceed the kernel's limit of %d", kk.name, local, kk.maxGroup)
	}
	vals := make([]uint64, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case gpu.Buffer:
			b, err := rt.own(v, 0, 0)
			if err != nil {
				return fmt.Errorf("ptxdev: launch %s: argument %d: %w", kk.name, i, err)
			}
			vals[i] = b.addr
		case int32:
			vals[i] = uint64(uint32(v))
		case uint32:
			vals[i] = uint64(v)
		case int64:
			vals[i] = uint64(v)
		case uint64:
			vals[i] = v
		default:
			return fmt.Errorf("ptxdev: launch %s: argument %d has type %T", kk.name, i, a)
		}
	}
	rt.seed++
	st, err := kk.mod.Run(ptxsim.Launch{Kernel: kk.name, Grid: (global + local - 1) / local, Block: local,
		Args: vals, Mem: rt.mem, Seed: rt.seed, Lockstep: rt.Lockstep, Profile: rt.Ops != nil, Races: true})
	for op, n := range st.Ops {
		rt.Ops[op] += n
	}
	rt.Stats.Instructions += st.Instructions
	rt.Stats.Splits += st.Splits
	if rt.Kernels == nil {
		rt.Kernels = map[string]*Count{}
	}
	c := rt.Kernels[kk.name]
	if c == nil {
		c = &Count{}
		rt.Kernels[kk.name] = c
	}
	c.Launches++
	c.Items += int64(global)
	c.Instructions += st.Instructions
	return err
}
