package gpu

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/zkaccel/zkaccel"
)

// Buffer is a region of device memory allocated by a [Runtime]. It belongs
// to the runtime that allocated it and is released with its Free.
type Buffer interface {
	// Size is the buffer's length in bytes.
	Size() int
}

// Program is device code compiled by a [Runtime].
type Program interface {
	// Kernel returns the entry point name of the program (a function marked
	// KERNEL in the device source). Kernels are cached by the program.
	Kernel(name string) (Kernel, error)
}

// Kernel is one entry point of a [Program].
type Kernel interface {
	// Name is the kernel's function name.
	Name() string
	// MaxGroupSize is the largest work-group (thread block) the kernel
	// can be launched with on its device: OpenCL's
	// CL_KERNEL_WORK_GROUP_SIZE, CUDA's
	// CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK. It depends on the kernel's
	// registers and local memory and may be below the runtime's
	// MaxGroupSize; 0 or less means no limit of its own.
	MaxGroupSize() int
}

// Mark is a point of a runtime's queued work (see besideReader). Free
// releases it.
type Mark interface {
	Free()
}

// besideReader is implemented by runtimes that can copy device memory to
// the host beside kernels queued later (CUDA, whose copies run on a stream
// of their own): Mark returns the point the work queued so far will
// reach, and ReadAfter copies once that point is reached, without waiting
// for the kernels queued after it, which must not write the buffer.
type besideReader interface {
	Mark() (Mark, error)
	ReadAfter(m Mark, dst []byte, src Buffer, off int) error
}

// Runtime is the small interface a GPU runtime (OpenCL, CUDA) implements
// for one device, and against which every algorithm of this package is
// written once: compile, alloc, copy, launch, wait.
//
// A Runtime is used by one goroutine at a time: [Device] serialises every
// operation on its runtime with a mutex. Launches and copies act on each
// buffer in the order they were issued (one in-order queue or stream, or,
// as CUDA's copy stream does, events between streams, so that work on
// other buffers may overlap); Read returns once the data is on the host.
type Runtime interface {
	// Kind is the runtime's device kind, "opencl" or "cuda".
	Kind() string
	// Ordinal is the device's index among its kind's devices.
	Ordinal() int
	// Name is the device's human name.
	Name() string
	// Memory is the device's total memory in bytes.
	Memory() uint64
	// MaxAlloc is the largest single buffer the device allows, in bytes.
	MaxAlloc() uint64
	// MaxGroupSize is the largest work-group (thread block) the device runs.
	MaxGroupSize() int

	// Compile builds device source (complete: it already holds the
	// portability header of [Source]) into a program. The runtime may cache
	// the result on disk, keyed by the source, the device and the driver;
	// a build failure is an error that carries the compiler's log.
	Compile(src string) (Program, error)

	// Alloc allocates size bytes of device memory (size ≥ 1).
	Alloc(size int) (Buffer, error)
	// Free releases a buffer; freeing nil does nothing.
	Free(b Buffer)
	// Write copies src into dst at byte offset off.
	Write(dst Buffer, off int, src []byte) error
	// Read copies len(dst) bytes of src at byte offset off into dst, and
	// returns when they are on the host (after every earlier launch).
	Read(dst []byte, src Buffer, off int) error

	// Launch runs kernel k over a 1-D range of global work items in groups
	// of local items (0: the runtime chooses). The runtime rounds global up
	// to a multiple of local, so kernels check their index against the size
	// they are passed. Each argument is a Buffer, an int32, a uint32, an
	// int64 or a uint64, passed by value in that width.
	Launch(k Kernel, global, local int, args ...any) error
	// Finish waits for every launch and copy issued so far, and reports an
	// error that happened asynchronously.
	Finish() error
}

// KernelStats sums device time by kernel name: what a runtime's
// KernelTimes reports. The zero value is empty; it is not safe for
// concurrent use (runtimes hold their lock).
type KernelStats map[string]*zkaccel.KernelTime

// Add counts one launch of kernel name that took d.
func (s *KernelStats) Add(name string, d time.Duration) {
	if *s == nil {
		*s = KernelStats{}
	}
	k := (*s)[name]
	if k == nil {
		k = &zkaccel.KernelTime{Name: name}
		(*s)[name] = k
	}
	k.Launches++
	k.Time += d
}

// List returns the kernels' times, the longest first, then by name.
func (s KernelStats) List() []zkaccel.KernelTime {
	out := make([]zkaccel.KernelTime, 0, len(s))
	for _, k := range s {
		out = append(out, *k)
	}
	slices.SortFunc(out, func(a, b zkaccel.KernelTime) int {
		if a.Time != b.Time {
			return cmp.Compare(b.Time, a.Time)
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}
