package cuda

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/gpu"
)

// The CUDA driver API constants this package uses, with the values of the
// driver's header cuda.h (unchanged since CUDA 11). No header is needed to
// build: libcuda is opened at run time.
const (
	cudaSuccess               = 0   // CUDA_SUCCESS
	cudaErrorOutOfMemory      = 2   // CUDA_ERROR_OUT_OF_MEMORY
	cudaErrorNotInitialized   = 3   // CUDA_ERROR_NOT_INITIALIZED
	cudaErrorDeinitialized    = 4   // CUDA_ERROR_DEINITIALIZED
	cudaErrorInvalidContext   = 201 // CUDA_ERROR_INVALID_CONTEXT
	cudaErrorPTXVersion       = 222 // CUDA_ERROR_UNSUPPORTED_PTX_VERSION
	cudaErrorContextDestroyed = 709 // CUDA_ERROR_CONTEXT_IS_DESTROYED
	cudaErrorNoDevice         = 100 // CUDA_ERROR_NO_DEVICE
	cudaErrorNotReady         = 600 // CUDA_ERROR_NOT_READY
	cudaErrorECC              = 214 // CUDA_ERROR_ECC_UNCORRECTABLE
	cudaErrorIllegalAddr      = 700 // CUDA_ERROR_ILLEGAL_ADDRESS
	cudaErrorLaunchTimout     = 702 // CUDA_ERROR_LAUNCH_TIMEOUT
	cudaErrorHWStack          = 714 // CUDA_ERROR_HARDWARE_STACK_ERROR
	cudaErrorIllegalInstr     = 715 // CUDA_ERROR_ILLEGAL_INSTRUCTION
	cudaErrorMisaligned       = 716 // CUDA_ERROR_MISALIGNED_ADDRESS
	cudaErrorAddrSpace        = 717 // CUDA_ERROR_INVALID_ADDRESS_SPACE
	cudaErrorInvalidPC        = 718 // CUDA_ERROR_INVALID_PC
	cudaErrorLaunchFailed     = 719 // CUDA_ERROR_LAUNCH_FAILED
	cudaErrorMPSTerminated    = 810 // CUDA_ERROR_MPS_CLIENT_TERMINATED
	cudaErrorExternalDevice   = 911 // CUDA_ERROR_EXTERNAL_DEVICE
	cudaErrorUnknown          = 999 // CUDA_ERROR_UNKNOWN

	attrMaxThreadsPerBlock = 1  // CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK
	attrClockRate          = 13 // CU_DEVICE_ATTRIBUTE_CLOCK_RATE (kHz)
	attrMultiprocessors    = 16 // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
	attrPCIBusID           = 33 // CU_DEVICE_ATTRIBUTE_PCI_BUS_ID
	attrPCIDeviceID        = 34 // CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID
	attrMemoryClockRate    = 36 // CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE (kHz)
	attrMemoryBusWidth     = 37 // CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH (bits)
	attrPCIDomainID        = 50 // CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID
	attrCCMajor            = 75 // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
	attrCCMinor            = 76 // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR

	funcAttrMaxThreads = 0 // CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK
	funcAttrNumRegs    = 4 // CU_FUNC_ATTRIBUTE_NUM_REGS

	jitErrorLogBuffer     = 5 // CU_JIT_ERROR_LOG_BUFFER
	jitErrorLogBufferSize = 6 // CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES

	streamNonBlocking   = 1 // CU_STREAM_NON_BLOCKING
	eventDefault        = 0 // CU_EVENT_DEFAULT
	eventDisableTiming  = 2 // CU_EVENT_DISABLE_TIMING
	memHostAllocDefault = 0
)

// Error is a failed CUDA driver API call: the function (and what it worked
// on), the CUresult and its name. Its message reads like
// "zkaccel/cuda: cuMemAlloc_v2(6.0 GiB): CUDA_ERROR_OUT_OF_MEMORY (2): out of memory".
type Error struct {
	Op     string // the driver function, with its subject in parentheses
	Code   int    // the CUresult
	Name   string // e.g. "CUDA_ERROR_OUT_OF_MEMORY"
	Detail string // the driver's description, and more (a JIT log)
}

// Error returns the message.
func (e *Error) Error() string {
	msg := fmt.Sprintf("zkaccel/cuda: %s: %s (%d)", e.Op, e.Name, e.Code)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Sticky reports whether the error leaves the CUDA context unusable (a
// kernel fault, an uncorrectable ECC error …): every later call in the
// context fails until it is reset. cuda.h says of most of these codes
// (700, 702, 714–719, 810, 911) that the process must be terminated and
// relaunched to use CUDA again; the runtime resets the context all the
// same and tries the fresh one, which either works (the call's error then
// wraps gpu.ErrDeviceReset) or fails too (gpu.ErrDeviceLost). It treats
// an uncorrectable ECC error (214) and CUDA_ERROR_UNKNOWN (999) alike:
// whether the context survives them is not documented, and a reset costs
// only the reloads.
func (e *Error) Sticky() bool { return sticky(e.Code) }

func sticky(code int) bool {
	switch code {
	case cudaErrorECC, cudaErrorIllegalAddr, cudaErrorLaunchTimout, cudaErrorHWStack, cudaErrorIllegalInstr,
		cudaErrorMisaligned, cudaErrorAddrSpace, cudaErrorInvalidPC, cudaErrorLaunchFailed, cudaErrorUnknown,
		cudaErrorMPSTerminated, cudaErrorExternalDevice:
		return true
	}
	return false
}

// EnvDriver names the CUDA driver library to open instead of libcuda.so.1
// (a file name or a path): a driver outside the loader's path, or the
// emulated GPU of scripts/cuda-emu.sh.
const EnvDriver = "ZKACCEL_CUDA_DRIVER"

// driverNames are the names under which the driver library is opened:
// $ZKACCEL_CUDA_DRIVER alone where set.
func driverNames() []string {
	if v := os.Getenv(EnvDriver); v != "" {
		return []string{v}
	}
	return []string{"libcuda.so.1", "libcuda.so"}
}

// driverAPI holds every driver entry point this package calls, resolved
// when the library is opened (the _v2 names are the current ABI of each
// function; the driver keeps the old names for old binaries).
type driverAPI struct {
	lib *cgo.Library

	init, driverGetVersion, deviceGetCount, deviceGet, deviceGetName cgo.Func
	deviceTotalMem, deviceGetAttribute                               cgo.Func
	primaryCtxRetain, primaryCtxRelease, primaryCtxReset             cgo.Func
	ctxPushCurrent, ctxPopCurrent                                    cgo.Func
	streamCreate, streamSynchronize, streamDestroy, streamWaitEvent  cgo.Func
	memAlloc, memFree, memGetInfo, memHostAlloc, memFreeHost         cgo.Func
	memcpyHtoDAsync, memcpyDtoHAsync                                 cgo.Func
	moduleLoadDataEx, moduleUnload, moduleGetFunction                cgo.Func
	funcGetAttribute, launchKernel                                   cgo.Func
	eventCreate, eventRecord, eventSynchronize, eventElapsedTime     cgo.Func
	eventDestroy, getErrorName, getErrorString                       cgo.Func
	pciBusID                                                         cgo.Func // optional: cuDeviceGetPCIBusId

	version int // cuDriverGetVersion: 1000·major + 10·minor
}

var (
	driverOnce sync.Once
	driverVal  *driverAPI
	driverErr  error
)

// loadDriver opens libcuda once (lazily, never in init), resolves every
// symbol and calls cuInit.
func loadDriver() (*driverAPI, error) {
	driverOnce.Do(func() { driverVal, driverErr = openDriver(driverNames()) })
	return driverVal, driverErr
}

func openDriver(names []string) (*driverAPI, error) {
	a := &driverAPI{}
	lib, err := cgo.Bind(names, []cgo.Symbol{
		{Name: "cuInit", Func: &a.init},
		{Name: "cuDriverGetVersion", Func: &a.driverGetVersion},
		{Name: "cuDeviceGetCount", Func: &a.deviceGetCount},
		{Name: "cuDeviceGet", Func: &a.deviceGet},
		{Name: "cuDeviceGetName", Func: &a.deviceGetName},
		{Name: "cuDeviceTotalMem_v2", Func: &a.deviceTotalMem},
		{Name: "cuDeviceGetAttribute", Func: &a.deviceGetAttribute},
		{Name: "cuDevicePrimaryCtxRetain", Func: &a.primaryCtxRetain},
		{Name: "cuDevicePrimaryCtxRelease_v2", Func: &a.primaryCtxRelease},
		{Name: "cuDevicePrimaryCtxReset_v2", Func: &a.primaryCtxReset},
		{Name: "cuCtxPushCurrent_v2", Func: &a.ctxPushCurrent},
		{Name: "cuCtxPopCurrent_v2", Func: &a.ctxPopCurrent},
		{Name: "cuStreamCreate", Func: &a.streamCreate},
		{Name: "cuStreamSynchronize", Func: &a.streamSynchronize},
		{Name: "cuStreamDestroy_v2", Func: &a.streamDestroy},
		{Name: "cuStreamWaitEvent", Func: &a.streamWaitEvent},
		{Name: "cuMemAlloc_v2", Func: &a.memAlloc},
		{Name: "cuMemFree_v2", Func: &a.memFree},
		{Name: "cuMemGetInfo_v2", Func: &a.memGetInfo},
		{Name: "cuMemHostAlloc", Func: &a.memHostAlloc},
		{Name: "cuMemFreeHost", Func: &a.memFreeHost},
		{Name: "cuMemcpyHtoDAsync_v2", Func: &a.memcpyHtoDAsync},
		{Name: "cuMemcpyDtoHAsync_v2", Func: &a.memcpyDtoHAsync},
		{Name: "cuModuleLoadDataEx", Func: &a.moduleLoadDataEx},
		{Name: "cuModuleUnload", Func: &a.moduleUnload},
		{Name: "cuModuleGetFunction", Func: &a.moduleGetFunction},
		{Name: "cuFuncGetAttribute", Func: &a.funcGetAttribute},
		{Name: "cuLaunchKernel", Func: &a.launchKernel},
		{Name: "cuEventCreate", Func: &a.eventCreate},
		{Name: "cuEventRecord", Func: &a.eventRecord},
		{Name: "cuEventSynchronize", Func: &a.eventSynchronize},
		{Name: "cuEventElapsedTime", Func: &a.eventElapsedTime},
		{Name: "cuEventDestroy_v2", Func: &a.eventDestroy},
		{Name: "cuGetErrorName", Func: &a.getErrorName},
		{Name: "cuGetErrorString", Func: &a.getErrorString},
	})
	if err != nil {
		return nil, err
	}
	a.lib = lib
	a.pciBusID, _ = lib.Lookup("cuDeviceGetPCIBusId")
	if err := a.check("cuInit", a.call(a.init, 0)); err != nil {
		return nil, err
	}
	var ps cgo.Pins
	defer ps.Done()
	v := ps.Word(0)
	if err := a.check("cuDriverGetVersion", a.call(a.driverGetVersion, cgo.Addr(v))); err != nil {
		return nil, err
	}
	a.version = int(int32(*v))
	return a, nil
}

// callFailed is the status call returns when the call could not be made
// (an unresolved function, which openDriver rules out): a code no driver
// function returns.
const callFailed = uintptr(0x7FFF_FFFF)

// call calls f and returns its CUresult (or callFailed): the low 32 bits
// of the return register, which are all that a function returning a C
// enum sets (the ABI leaves the upper half undefined).
func (a *driverAPI) call(f cgo.Func, args ...uintptr) uintptr {
	r, err := f.Call(args...)
	if err != nil {
		return callFailed
	}
	return uintptr(uint32(r))
}

// check turns a CUresult into an *Error (nil for CUDA_SUCCESS), with the
// driver's name and description of the code.
func (a *driverAPI) check(op string, r uintptr) error {
	code := int(int32(uint32(r)))
	if code == cudaSuccess {
		return nil
	}
	e := &Error{Op: op, Code: code, Name: "CUDA_ERROR"}
	if uintptr(code) == callFailed {
		e.Name, e.Detail = "CALL_FAILED", "the function could not be called"
		return e
	}
	var ps cgo.Pins
	defer ps.Done()
	s := ps.Word(0)
	if int32(a.call(a.getErrorName, uintptr(code), cgo.Addr(s))) == cudaSuccess {
		e.Name = cgo.CStringAt(*s, 128)
	}
	*s = 0
	if int32(a.call(a.getErrorString, uintptr(code), cgo.Addr(s))) == cudaSuccess {
		e.Detail = cgo.CStringAt(*s, 512)
	}
	return e
}

// deviceReset marks an error after which the runtime reset its context.
func deviceReset(err error) error {
	return fmt.Errorf("%w (%w: the device's context was reset; the next call starts afresh)", err, gpu.ErrDeviceReset)
}

// deviceLost marks err, the sticky error after which the runtime of dev
// reset its context, as the loss of the device to the process: the fresh
// context failed too (why).
func deviceLost(dev fmt.Stringer, err, why error) error {
	return fmt.Errorf("%w (%w: %s's context was reset and the fresh one failed too: %v; cuda.h says the process must be restarted after this error, and every later call on %s fails)", err, gpu.ErrDeviceLost, dev, why, dev)
}

// errNoDevice reports a machine whose driver sees no GPU.
var errNoDevice = errors.New("the CUDA driver found no device")

// EnvNVRTC names the NVRTC library to open instead of the default
// candidates (a file name or a path).
const EnvNVRTC = "ZKACCEL_NVRTC"

// nvrtcNames are the names under which NVRTC is opened: the sonames of
// CUDA 13, 12 and 11.2–11.8 (which share libnvrtc.so.11.2), 11.1 and 11.0,
// then the toolkit's default directory.
func nvrtcNames() []string {
	if v := os.Getenv(EnvNVRTC); v != "" {
		return []string{v}
	}
	names := []string{"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so.11.1", "libnvrtc.so.11.0", "libnvrtc.so"}
	for _, n := range []string{"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"} {
		names = append(names, "/usr/local/cuda/lib64/"+n)
	}
	return names
}
