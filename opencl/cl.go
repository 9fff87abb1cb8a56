package opencl

import (
	"fmt"
	"os"
	"sync"

	"github.com/zkaccel/zkaccel/cgo"
)

// The OpenCL constants this package uses, with the values of the Khronos
// header CL/cl.h (OpenCL 1.2 API; unchanged in 3.0). No header is needed to
// build: the library is opened at run time.
const (
	clSuccess                    = 0     // CL_SUCCESS
	clTrue                       = 1     // CL_TRUE
	clDeviceNotFound             = -1    // CL_DEVICE_NOT_FOUND
	clMemObjectAllocationFailure = -4    // CL_MEM_OBJECT_ALLOCATION_FAILURE
	clProfilingInfoNotAvailable  = -7    // CL_PROFILING_INFO_NOT_AVAILABLE
	clOutOfResources             = -5    // CL_OUT_OF_RESOURCES
	clOutOfHostMemory            = -6    // CL_OUT_OF_HOST_MEMORY
	clPlatformNotFound           = -1001 // CL_PLATFORM_NOT_FOUND_KHR (cl_ext.h; the ICD loader's "no platform")

	clPlatformVersion = 0x0901 // CL_PLATFORM_VERSION
	clPlatformName    = 0x0902 // CL_PLATFORM_NAME
	clPlatformVendor  = 0x0903 // CL_PLATFORM_VENDOR

	clDeviceTypeCPU         = 1 << 1     // CL_DEVICE_TYPE_CPU
	clDeviceTypeGPU         = 1 << 2     // CL_DEVICE_TYPE_GPU
	clDeviceTypeAccelerator = 1 << 3     // CL_DEVICE_TYPE_ACCELERATOR
	clDeviceTypeAll         = 0xFFFFFFFF // CL_DEVICE_TYPE_ALL

	clDeviceType             = 0x1000 // CL_DEVICE_TYPE
	clDeviceMaxWorkGroupSize = 0x1004 // CL_DEVICE_MAX_WORK_GROUP_SIZE
	clDeviceMaxWorkItemSizes = 0x1005 // CL_DEVICE_MAX_WORK_ITEM_SIZES
	clDeviceMaxMemAllocSize  = 0x1010 // CL_DEVICE_MAX_MEM_ALLOC_SIZE
	clDeviceGlobalMemSize    = 0x101F // CL_DEVICE_GLOBAL_MEM_SIZE
	clDeviceName             = 0x102B // CL_DEVICE_NAME
	clDeviceVendor           = 0x102C // CL_DEVICE_VENDOR
	clDriverVersion          = 0x102D // CL_DRIVER_VERSION
	clDeviceVersion          = 0x102F // CL_DEVICE_VERSION

	clQueueProfilingEnable = 1 << 1 // CL_QUEUE_PROFILING_ENABLE
	clContextPlatform      = 0x1084 // CL_CONTEXT_PLATFORM
	clMemReadWrite         = 1 << 0 // CL_MEM_READ_WRITE

	clProgramBinarySizes = 0x1165 // CL_PROGRAM_BINARY_SIZES
	clProgramBinaries    = 0x1166 // CL_PROGRAM_BINARIES
	clProgramBuildLog    = 0x1183 // CL_PROGRAM_BUILD_LOG

	clKernelWorkGroupSize = 0x11B0 // CL_KERNEL_WORK_GROUP_SIZE

	clProfilingCommandStart = 0x1282 // CL_PROFILING_COMMAND_START
	clProfilingCommandEnd   = 0x1283 // CL_PROFILING_COMMAND_END
)

// errNames maps OpenCL error codes to their names in CL/cl.h (and the ICD
// loader's CL_PLATFORM_NOT_FOUND_KHR of CL/cl_ext.h).
var errNames = map[int32]string{
	0: "CL_SUCCESS", -1: "CL_DEVICE_NOT_FOUND", -2: "CL_DEVICE_NOT_AVAILABLE",
	-3: "CL_COMPILER_NOT_AVAILABLE", -4: "CL_MEM_OBJECT_ALLOCATION_FAILURE",
	-5: "CL_OUT_OF_RESOURCES", -6: "CL_OUT_OF_HOST_MEMORY",
	-7: "CL_PROFILING_INFO_NOT_AVAILABLE", -8: "CL_MEM_COPY_OVERLAP",
	-9: "CL_IMAGE_FORMAT_MISMATCH", -10: "CL_IMAGE_FORMAT_NOT_SUPPORTED",
	-11: "CL_BUILD_PROGRAM_FAILURE", -12: "CL_MAP_FAILURE",
	-13: "CL_MISALIGNED_SUB_BUFFER_OFFSET", -14: "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST",
	-15: "CL_COMPILE_PROGRAM_FAILURE", -16: "CL_LINKER_NOT_AVAILABLE",
	-17: "CL_LINK_PROGRAM_FAILURE", -18: "CL_DEVICE_PARTITION_FAILED",
	-19: "CL_KERNEL_ARG_INFO_NOT_AVAILABLE",
	-30: "CL_INVALID_VALUE", -31: "CL_INVALID_DEVICE_TYPE", -32: "CL_INVALID_PLATFORM",
	-33: "CL_INVALID_DEVICE", -34: "CL_INVALID_CONTEXT", -35: "CL_INVALID_QUEUE_PROPERTIES",
	-36: "CL_INVALID_COMMAND_QUEUE", -37: "CL_INVALID_HOST_PTR", -38: "CL_INVALID_MEM_OBJECT",
	-39: "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR", -40: "CL_INVALID_IMAGE_SIZE",
	-41: "CL_INVALID_SAMPLER", -42: "CL_INVALID_BINARY", -43: "CL_INVALID_BUILD_OPTIONS",
	-44: "CL_INVALID_PROGRAM", -45: "CL_INVALID_PROGRAM_EXECUTABLE",
	-46: "CL_INVALID_KERNEL_NAME", -47: "CL_INVALID_KERNEL_DEFINITION",
	-48: "CL_INVALID_KERNEL", -49: "CL_INVALID_ARG_INDEX", -50: "CL_INVALID_ARG_VALUE",
	-51: "CL_INVALID_ARG_SIZE", -52: "CL_INVALID_KERNEL_ARGS",
	-53: "CL_INVALID_WORK_DIMENSION", -54: "CL_INVALID_WORK_GROUP_SIZE",
	-55: "CL_INVALID_WORK_ITEM_SIZE", -56: "CL_INVALID_GLOBAL_OFFSET",
	-57: "CL_INVALID_EVENT_WAIT_LIST", -58: "CL_INVALID_EVENT", -59: "CL_INVALID_OPERATION",
	-60: "CL_INVALID_GL_OBJECT", -61: "CL_INVALID_BUFFER_SIZE", -62: "CL_INVALID_MIP_LEVEL",
	-63: "CL_INVALID_GLOBAL_WORK_SIZE", -64: "CL_INVALID_PROPERTY",
	-65: "CL_INVALID_IMAGE_DESCRIPTOR", -66: "CL_INVALID_COMPILER_OPTIONS",
	-67: "CL_INVALID_LINKER_OPTIONS", -68: "CL_INVALID_DEVICE_PARTITION_COUNT",
	-69: "CL_INVALID_PIPE_SIZE", -70: "CL_INVALID_DEVICE_QUEUE", -71: "CL_INVALID_SPEC_ID",
	-72: "CL_MAX_SIZE_RESTRICTION_EXCEEDED", -1001: "CL_PLATFORM_NOT_FOUND_KHR",
}

// Error is a failed OpenCL call: the function (and what it worked on) and
// the cl_int status it returned. Its message reads like
// "zkaccel/opencl: clEnqueueNDRangeKernel(msm_bucket_acc): CL_OUT_OF_RESOURCES (-5)".
type Error struct {
	Op     string // the OpenCL function, with its subject in parentheses
	Code   int32  // the status code, e.g. -5
	Detail string // more text (the build log), possibly empty
}

// Name is the code's name in CL/cl.h, e.g. "CL_OUT_OF_RESOURCES", or
// "CL_ERROR" for a code this package does not know.
func (e *Error) Name() string { return codeName(e.Code) }

// Error returns the message: the function, the code's name and value, and
// the detail.
func (e *Error) Error() string {
	msg := fmt.Sprintf("zkaccel/opencl: %s: %s (%d)", e.Op, codeName(e.Code), e.Code)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

func codeName(c int32) string {
	if n, ok := errNames[c]; ok {
		return n
	}
	return "CL_ERROR"
}

// check turns a cl_int status into an *Error (nil for CL_SUCCESS).
func check(op string, status uintptr) error {
	if c := int32(status); c != clSuccess {
		return &Error{Op: op, Code: c}
	}
	return nil
}

// succeeded reports whether a cl_int status is CL_SUCCESS. A status is
// only the low 32 bits of the returned word: the upper half is undefined.
func succeeded(status uintptr) bool { return int32(status) == clSuccess }

// EnvLibrary names the OpenCL library to open instead of the ICD loader
// (libOpenCL.so.1, else libOpenCL.so): a file name or a path, e.g. a
// vendor's library that is not registered with the loader, or the test
// double of scripts/opencl-faults.sh.
const EnvLibrary = "ZKACCEL_OPENCL_LIBRARY"

// libNames are the names under which the OpenCL library is opened, in
// order: $ZKACCEL_OPENCL_LIBRARY alone where set.
func libNames() []string {
	if v := os.Getenv(EnvLibrary); v != "" {
		return []string{v}
	}
	return []string{"libOpenCL.so.1", "libOpenCL.so"}
}

// api holds every OpenCL entry point this package calls, resolved when the
// library is opened so that a partial library is refused up front.
type api struct {
	lib *cgo.Library

	getPlatformIDs, getPlatformInfo, getDeviceIDs, getDeviceInfo cgo.Func
	createContext, createCommandQueue, releaseContext            cgo.Func
	releaseCommandQueue                                          cgo.Func
	createBuffer, releaseMemObject                               cgo.Func
	enqueueWriteBuffer, enqueueReadBuffer                        cgo.Func
	createProgramWithSource, createProgramWithBinary             cgo.Func
	buildProgram, getProgramBuildInfo, getProgramInfo            cgo.Func
	releaseProgram                                               cgo.Func
	createKernel, releaseKernel, setKernelArg                    cgo.Func
	getKernelWorkGroupInfo                                       cgo.Func
	enqueueNDRangeKernel, finish, flush                          cgo.Func
	getEventProfilingInfo, releaseEvent, waitForEvents           cgo.Func
}

var (
	apiOnce sync.Once
	apiVal  *api
	apiErr  error
)

// loadAPI opens the OpenCL library once (lazily, never in init) and
// resolves every symbol.
func loadAPI() (*api, error) {
	apiOnce.Do(func() { apiVal, apiErr = openAPI(libNames()) })
	return apiVal, apiErr
}

// openAPI opens the first of names that loads and resolves every symbol.
func openAPI(names []string) (*api, error) {
	a := &api{}
	lib, err := cgo.Bind(names, []cgo.Symbol{
		{Name: "clGetPlatformIDs", Func: &a.getPlatformIDs},
		{Name: "clGetPlatformInfo", Func: &a.getPlatformInfo},
		{Name: "clGetDeviceIDs", Func: &a.getDeviceIDs},
		{Name: "clGetDeviceInfo", Func: &a.getDeviceInfo},
		{Name: "clCreateContext", Func: &a.createContext},
		{Name: "clCreateCommandQueue", Func: &a.createCommandQueue},
		{Name: "clReleaseContext", Func: &a.releaseContext},
		{Name: "clReleaseCommandQueue", Func: &a.releaseCommandQueue},
		{Name: "clCreateBuffer", Func: &a.createBuffer},
		{Name: "clReleaseMemObject", Func: &a.releaseMemObject},
		{Name: "clEnqueueWriteBuffer", Func: &a.enqueueWriteBuffer},
		{Name: "clEnqueueReadBuffer", Func: &a.enqueueReadBuffer},
		{Name: "clCreateProgramWithSource", Func: &a.createProgramWithSource},
		{Name: "clCreateProgramWithBinary", Func: &a.createProgramWithBinary},
		{Name: "clBuildProgram", Func: &a.buildProgram},
		{Name: "clGetProgramBuildInfo", Func: &a.getProgramBuildInfo},
		{Name: "clGetProgramInfo", Func: &a.getProgramInfo},
		{Name: "clReleaseProgram", Func: &a.releaseProgram},
		{Name: "clCreateKernel", Func: &a.createKernel},
		{Name: "clReleaseKernel", Func: &a.releaseKernel},
		{Name: "clSetKernelArg", Func: &a.setKernelArg},
		{Name: "clGetKernelWorkGroupInfo", Func: &a.getKernelWorkGroupInfo},
		{Name: "clEnqueueNDRangeKernel", Func: &a.enqueueNDRangeKernel},
		{Name: "clFinish", Func: &a.finish},
		{Name: "clFlush", Func: &a.flush},
		{Name: "clGetEventProfilingInfo", Func: &a.getEventProfilingInfo},
		{Name: "clReleaseEvent", Func: &a.releaseEvent},
		{Name: "clWaitForEvents", Func: &a.waitForEvents},
	})
	if err != nil {
		return nil, err
	}
	a.lib = lib
	return a, nil
}

// call calls f and returns its word result; cgo.Func.Call fails only for an
// unresolved function or too many arguments, which loadAPI rules out, but
// the failure is still reported as a status rather than ignored.
func call(f cgo.Func, args ...uintptr) uintptr {
	r, err := f.Call(args...)
	if err != nil {
		return callFailed
	}
	return r
}

// callFailed is the status call returns when the call could not be made:
// a code no OpenCL function returns, which check reports as CL_ERROR.
const callFailed = uintptr(0xFFFFD8F1) // -9999 as a cl_int
