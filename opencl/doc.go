// Package opencl is zkaccel's OpenCL runtime: a [gpu.Runtime] for every
// OpenCL device of the machine, registered with zkaccel as the "opencl"
// device kind (opencl:0, opencl:1, … over the devices of every platform, in
// platform order). Import it for its side effect, or import
// github.com/zkaccel/zkaccel/backends:
//
//	import _ "github.com/zkaccel/zkaccel/opencl"
//
// # Loading
//
// Nothing is linked at build time. On the first zkaccel.Devices, Open or
// [Runtimes] call, the package opens the OpenCL ICD loader (libOpenCL.so.1,
// else libOpenCL.so; $ZKACCEL_OPENCL_LIBRARY, [EnvLibrary], names another)
// with dlopen and resolves every function it uses; a machine without the
// library has no OpenCL devices, and zkaccel.Backends says why. A build with CGO_ENABLED=0 has none either. Each device gets
// one context and one in-order command queue with profiling enabled.
//
// # POCL
//
// POCL, the CPU implementation of OpenCL that CI runs the kernels on, is an
// ordinary device here (see [Runtime.IsPOCL]); it is correct but slower
// than gnark-crypto on the same CPU, so zkaccel's automatic device choice
// never picks it. Choosing it explicitly (ZKACCEL_DEVICE=opencl:0, or a
// device option) works.
//
// # Program cache
//
// Compiled programs are cached in memory per device by source, and their
// binaries on disk, keyed by the SHA-256 of the source, the build options,
// the platform's name and version, the device's name and version and the
// driver's version. The directory is $ZKACCEL_CACHE_DIR/opencl, else
// os.UserCacheDir()/zkaccel/opencl; ZKACCEL_CACHE=off disables the disk
// cache. Entries carry a checksum and are written atomically; an entry
// that is corrupt, or that the driver refuses, is deleted and the program
// rebuilt from source; one the device cannot load for want of memory or
// resources (CL_OUT_OF_RESOURCES and the like) is kept, and the error
// returned. A directory that cannot be created disables the
// cache (ZKACCEL_DEBUG shows why).
//
// # Timing
//
// With profiling on (the default), [Runtime.KernelTime] returns the device
// time of the kernels launched since [Runtime.ResetKernelTime], measured
// with OpenCL's event profiling.
//
// # Errors
//
// OpenCL failures are [*Error] values naming the function and the status,
// e.g. "zkaccel/opencl: clEnqueueNDRangeKernel(msm_bucket_acc):
// CL_OUT_OF_RESOURCES (-5)"; a build failure carries the compiler's log.
// A device out of memory wraps gpu.ErrOutOfMemory: at a buffer's creation,
// and where a write, a read or a launch fails with
// CL_MEM_OBJECT_ALLOCATION_FAILURE (a driver may allocate a buffer's memory
// at its first use). A launch in work-groups larger than the kernel allows
// (CL_KERNEL_WORK_GROUP_SIZE, which [Kernel.MaxGroupSize] reports; the
// gpu package sizes its launches from it) is refused before the driver is
// called.
//
// # Lost contexts
//
// OpenCL has no error that says a context is lost, yet after a kernel
// fault or a GPU reset some drivers fail every later call on it. So after
// a failed OpenCL call the runtime writes 4 bytes through its queue; where
// that fails too, it releases every buffer, program, kernel and event it
// made in the context, and the queue and the context, makes new ones, and
// returns the call's error wrapped with gpu.ErrDeviceReset. The device
// then compiles (or loads from the disk cache) and uploads afresh; buffers
// and programs of the old context are refused with gpu.ErrDeviceReset, and
// freeing them does nothing. [Runtime.Generation] counts these resets.
// The write waits for the commands queued before it, so each failed call
// (an allocation for want of memory among them) costs one wait for the
// queue. The probe's 4 bytes are written once when the context is made,
// so that a driver that allocates at first use never needs memory for the
// probe on a full device.
package opencl
