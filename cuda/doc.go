// Package cuda is zkaccel's CUDA runtime: a [gpu.Runtime] for every NVIDIA
// GPU of the machine, registered with zkaccel as the "cuda" device kind
// (cuda:0, cuda:1, … by CUDA ordinal). Import it for its side effect, or
// import github.com/zkaccel/zkaccel/backends:
//
//	import _ "github.com/zkaccel/zkaccel/cuda"
//
// # Zero install
//
// Nothing is linked at build time and no CUDA header or toolkit is needed
// to build. On the first zkaccel.Devices, Open or [Runtimes] call the
// package opens the driver (libcuda.so.1, or $ZKACCEL_CUDA_DRIVER) with
// dlopen and resolves every function it uses (the versioned _v2 entry
// points); a machine without the driver, or without a GPU, has no CUDA
// devices and zkaccel.Backends says why. A build with CGO_ENABLED=0 has
// none either. scripts/cuda-emu.sh points $ZKACCEL_CUDA_DRIVER and
// $ZKACCEL_NVRTC at test doubles that emulate a GPU with POCL, so that the
// whole backend runs in CI without one.
//
// # Kernels
//
// The kernels are the ones of package gpu, written once for OpenCL and
// CUDA. They are compiled at run time with NVRTC (libnvrtc of CUDA 11.0 to
// 13, opened with dlopen, or $ZKACCEL_NVRTC) for the GPU's exact
// architecture, and the cubins are cached on disk
// ($ZKACCEL_CACHE_DIR/cuda, else os.UserCacheDir()/zkaccel/cuda; ZKACCEL_CACHE=off
// disables the cache). Where NVRTC is absent — a machine with only the
// driver — the PTX embedded in package cuda/ptx (made by go generate with
// NVRTC, and checked against the sources by the tests) is loaded and the
// driver compiles it for the GPU.
//
// # Execution
//
// Each device has its primary context, made current on the calling OS
// thread for the span of each call (goroutines move between threads), a
// non-blocking stream on which launches and reads run in order, and a
// second one for copies to the device, which overlap the kernels queued
// before them: each launch or read waits (an event per buffer) for the
// copies into its buffers, and a copy into a buffer that kernels have used
// waits for them ([EnvCopyStream] turns the copy stream off). Host data
// moves through two pinned staging buffers, in chunks of their size
// ([EnvCopyChunk], 8 MiB by default), so that the host's copy of one chunk
// overlaps the DMA of the other. Events time kernels and copies apart
// ([Runtime.Times]).
//
// # Errors
//
// Driver failures are [*Error] values naming the function, the CUresult
// and the driver's description, e.g. "zkaccel/cuda: cuMemAlloc_v2(…):
// CUDA_ERROR_OUT_OF_MEMORY (2): out of memory"; an allocation failure says
// how much was asked and how much is free. A sticky error (a kernel fault,
// an uncorrectable ECC error) resets the device's context: the error wraps
// gpu.ErrDeviceReset, the device's buffers and modules are gone, and the
// next call starts afresh. cuda.h says that after most sticky errors the
// process must be restarted to use CUDA again, so the runtime tries the
// fresh context at once (a small allocation): where that fails with a
// sticky error too, the device is lost to the process, the error wraps
// gpu.ErrDeviceLost instead (zkaccel.ErrDeviceLost; a retry cannot help),
// and every later call on the device fails at once with it.
package cuda
