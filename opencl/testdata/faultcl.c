// faultcl.c: an OpenCL library for tests that forwards every call zkaccel's
// OpenCL runtime makes to a real one (the ICD loader, libOpenCL.so.1, or
// $FAULTCL_REAL) and can fail the k-th of the calls a device can fail:
// faults below the OpenCL runtime (opencl/), where devtest's Faulty twin
// injects them above it. It counts what the real library holds for the
// caller (buffers, programs, kernels, events), so a test can tell whether
// a failed operation left any of it behind.
//
// Build: cc -shared -fPIC -o libfaultcl.so faultcl.c -ldl -lpthread, then
// point ZKACCEL_OPENCL_LIBRARY at it (scripts/opencl-faults.sh does both).
//
// The calls that can fail (counted by faultcl_fault_calls): buffer, program
// and kernel creation, program builds and binaries, kernel arguments and
// work-group queries, copies, launches, clFinish and clWaitForEvents. A
// failing creation, copy, argument or launch does nothing and returns the
// armed code (CL_OUT_OF_RESOURCES unless faultcl_fail_with says another);
// a failing clFinish or clWaitForEvents first waits as asked and then
// reports the code, as a device reports an earlier command's failure
// there. Discovery (platform and device queries, contexts, queues),
// releases, build logs and profiling queries never fail, except that
// faultcl_profiling_late(n) has the next n queries of a launch's start
// time say CL_PROFILING_INFO_NOT_AVAILABLE, as a driver that marks events
// complete late does.
//
// With faultcl_stick(1), the failing call also loses its context, as a
// kernel fault or a lost device does: every later call that can fail,
// on any object of that context (buffer, queue, program, kernel, event),
// fails with CL_OUT_OF_RESOURCES, until the caller releases the context
// and makes a new one. Releases still work (they must, for the caller to
// free what the lost context held); faultcl_live_contexts and
// faultcl_live_queues count what the caller holds of those.
//
// With FAULTCL_KERNEL_GROUP=n in the environment, each kernel allows
// smaller work-groups than its device: its CL_KERNEL_WORK_GROUP_SIZE
// reads as at most n, n/2 or n/4 (by the FNV-1a hash of its name modulo
// 3; at least 1), and a launch with larger work-groups fails with
// CL_INVALID_WORK_GROUP_SIZE, as drivers do for kernels whose registers or
// local memory fit fewer work items than the device's
// CL_DEVICE_MAX_WORK_GROUP_SIZE (which stays the real one).
//
// faultcl_item_size(n) (0: off) caps the first dimension of every device's
// CL_DEVICE_MAX_WORK_ITEM_SIZES at n, below CL_DEVICE_MAX_WORK_GROUP_SIZE,
// and fails launches whose work-groups are wider with
// CL_INVALID_WORK_ITEM_SIZE, as on a device whose first dimension is the
// narrower limit.
//
// The emulated GPU (cuda/testdata/fakecuda.c, FAKECUDA_OPENCL_LIB) runs
// its kernels through this library too; the calls it makes beside
// zkaccel's (shared virtual memory, kernel and kernel argument info) are
// forwarded untouched.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define EXPORT __attribute__((visibility("default")))

typedef int32_t cl_int;
typedef uint32_t cl_uint;
typedef uint64_t cl_ulong;
typedef void* handle;

#define CL_OUT_OF_RESOURCES (-5)
#define CL_INVALID_WORK_GROUP_SIZE (-54)
#define CL_INVALID_WORK_ITEM_SIZE (-55)
#define CL_DEVICE_MAX_WORK_ITEM_SIZES 0x1005
#define CL_INVALID_OPERATION (-59)
#define CL_KERNEL_FUNCTION_NAME 0x1190
#define CL_KERNEL_WORK_GROUP_SIZE 0x11B0

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void* real;
static long fault_calls, fail_at, fail_for = 1, fail_code = CL_OUT_OF_RESOURCES;
static long live_mems, live_programs, live_kernels, live_events, live_contexts, live_queues;
static int stick; // a failing call loses its context
static long item_size; // faultcl_item_size

// The contexts a failing call lost (faultcl_stick), until released.
#define MAX_LOST 64
static handle lost[MAX_LOST];
static int nlost;

// The real library's functions, resolved on first use.
static cl_int (*r_getPlatformIDs)(cl_uint, handle*, cl_uint*);
static cl_int (*r_getPlatformInfo)(handle, cl_uint, size_t, void*, size_t*);
static cl_int (*r_getDeviceIDs)(handle, cl_ulong, cl_uint, handle*, cl_uint*);
static cl_int (*r_getDeviceInfo)(handle, cl_uint, size_t, void*, size_t*);
static handle (*r_createContext)(const intptr_t*, cl_uint, const handle*, void (*)(const char*, const void*, size_t, void*), void*, cl_int*);
static handle (*r_createCommandQueue)(handle, handle, cl_ulong, cl_int*);
static cl_int (*r_releaseContext)(handle);
static handle (*r_createBuffer)(handle, cl_ulong, size_t, void*, cl_int*);
static cl_int (*r_releaseMemObject)(handle);
static cl_int (*r_enqueueWriteBuffer)(handle, handle, cl_uint, size_t, size_t, const void*, cl_uint, const handle*, handle*);
static cl_int (*r_enqueueReadBuffer)(handle, handle, cl_uint, size_t, size_t, void*, cl_uint, const handle*, handle*);
static handle (*r_createProgramWithSource)(handle, cl_uint, const char**, const size_t*, cl_int*);
static handle (*r_createProgramWithBinary)(handle, cl_uint, const handle*, const size_t*, const unsigned char**, cl_int*, cl_int*);
static cl_int (*r_buildProgram)(handle, cl_uint, const handle*, const char*, void (*)(handle, void*), void*);
static cl_int (*r_getProgramBuildInfo)(handle, handle, cl_uint, size_t, void*, size_t*);
static cl_int (*r_getProgramInfo)(handle, cl_uint, size_t, void*, size_t*);
static cl_int (*r_releaseProgram)(handle);
static handle (*r_createKernel)(handle, const char*, cl_int*);
static cl_int (*r_releaseKernel)(handle);
static cl_int (*r_setKernelArg)(handle, cl_uint, size_t, const void*);
static cl_int (*r_getKernelWorkGroupInfo)(handle, handle, cl_uint, size_t, void*, size_t*);
static cl_int (*r_enqueueNDRangeKernel)(handle, handle, cl_uint, const size_t*, const size_t*, const size_t*, cl_uint, const handle*, handle*);
static cl_int (*r_finish)(handle);
static cl_int (*r_flush)(handle);
static cl_int (*r_getEventProfilingInfo)(handle, cl_uint, size_t, void*, size_t*);
static cl_int (*r_releaseEvent)(handle);
static cl_int (*r_waitForEvents)(cl_uint, const handle*);
static cl_int (*r_releaseCommandQueue)(handle);
// Queries of an object's context (not forwarded: the runtime makes none).
static cl_int (*r_getCommandQueueInfo)(handle, cl_uint, size_t, void*, size_t*);
static cl_int (*r_getKernelInfo)(handle, cl_uint, size_t, void*, size_t*);
static cl_int (*r_getEventInfo)(handle, cl_uint, size_t, void*, size_t*);
// OpenCL 2.0 calls zkaccel does not make but the emulated GPU
// (cuda/testdata/fakecuda.c) does: forwarded untouched, where the real
// library has them.
static void* (*r_svmAlloc)(handle, cl_ulong, size_t, cl_uint);
static void (*r_svmFree)(handle, void*);
static cl_int (*r_getKernelArgInfo)(handle, cl_uint, cl_uint, size_t, void*, size_t*);
static cl_int (*r_setKernelArgSVMPointer)(handle, cl_uint, const void*);

#define CL_QUEUE_CONTEXT 0x1090
#define CL_PROGRAM_CONTEXT 0x1161
#define CL_KERNEL_CONTEXT 0x1193
#define CL_EVENT_CONTEXT 0x11D4

static int resolved; // every function was found

#define RESOLVE(var, name)                          \
	do {                                            \
		*(void**)(&var) = dlsym(real, name);        \
		if (!var) {                                 \
			fprintf(stderr, "faultcl: %s: %s\n", name, dlerror()); \
			return;                                 \
		}                                           \
	} while (0)

static void load(void) {
	const char* name = getenv("FAULTCL_REAL");
	if (!name || !*name) name = "libOpenCL.so.1";
	real = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	if (!real) {
		fprintf(stderr, "faultcl: %s\n", dlerror());
		return;
	}
	RESOLVE(r_getPlatformIDs, "clGetPlatformIDs");
	RESOLVE(r_getPlatformInfo, "clGetPlatformInfo");
	RESOLVE(r_getDeviceIDs, "clGetDeviceIDs");
	RESOLVE(r_getDeviceInfo, "clGetDeviceInfo");
	RESOLVE(r_createContext, "clCreateContext");
	RESOLVE(r_createCommandQueue, "clCreateCommandQueue");
	RESOLVE(r_releaseContext, "clReleaseContext");
	RESOLVE(r_createBuffer, "clCreateBuffer");
	RESOLVE(r_releaseMemObject, "clReleaseMemObject");
	RESOLVE(r_enqueueWriteBuffer, "clEnqueueWriteBuffer");
	RESOLVE(r_enqueueReadBuffer, "clEnqueueReadBuffer");
	RESOLVE(r_createProgramWithSource, "clCreateProgramWithSource");
	RESOLVE(r_createProgramWithBinary, "clCreateProgramWithBinary");
	RESOLVE(r_buildProgram, "clBuildProgram");
	RESOLVE(r_getProgramBuildInfo, "clGetProgramBuildInfo");
	RESOLVE(r_getProgramInfo, "clGetProgramInfo");
	RESOLVE(r_releaseProgram, "clReleaseProgram");
	RESOLVE(r_createKernel, "clCreateKernel");
	RESOLVE(r_releaseKernel, "clReleaseKernel");
	RESOLVE(r_setKernelArg, "clSetKernelArg");
	RESOLVE(r_getKernelWorkGroupInfo, "clGetKernelWorkGroupInfo");
	RESOLVE(r_enqueueNDRangeKernel, "clEnqueueNDRangeKernel");
	RESOLVE(r_finish, "clFinish");
	RESOLVE(r_flush, "clFlush");
	RESOLVE(r_getEventProfilingInfo, "clGetEventProfilingInfo");
	RESOLVE(r_releaseEvent, "clReleaseEvent");
	RESOLVE(r_waitForEvents, "clWaitForEvents");
	RESOLVE(r_releaseCommandQueue, "clReleaseCommandQueue");
	RESOLVE(r_getCommandQueueInfo, "clGetCommandQueueInfo");
	RESOLVE(r_getKernelInfo, "clGetKernelInfo");
	RESOLVE(r_getEventInfo, "clGetEventInfo");
	*(void**)(&r_svmAlloc) = dlsym(real, "clSVMAlloc");
	*(void**)(&r_svmFree) = dlsym(real, "clSVMFree");
	*(void**)(&r_getKernelArgInfo) = dlsym(real, "clGetKernelArgInfo");
	*(void**)(&r_setKernelArgSVMPointer) = dlsym(real, "clSetKernelArgSVMPointer");
	resolved = 1;
}

// ready loads the real library once; without it every call fails with
// CL_INVALID_OPERATION (and clGetPlatformIDs says there is no platform).
static int ready(void) {
	pthread_once(&once, load);
	return resolved;
}

// is_lost reports whether ctx is a lost context. The caller holds mu.
static int is_lost(handle ctx) {
	for (int i = 0; i < nlost; i++)
		if (lost[i] == ctx) return 1;
	return 0;
}

// forget drops ctx from the lost contexts (released, or a new context
// that took its address). The caller holds mu.
static void forget(handle ctx) {
	for (int i = 0; i < nlost; i++)
		if (lost[i] == ctx) {
			lost[i] = lost[--nlost];
			return;
		}
}

// fault counts a call that can fail, on an object of context ctx (NULL:
// unknown), and returns the code it must fail with, or 0: the armed code
// where this is the call to fail (which then loses ctx where stick is
// on), CL_OUT_OF_RESOURCES where ctx is lost.
static cl_int fault(handle ctx) {
	pthread_mutex_lock(&mu);
	long n = ++fault_calls;
	cl_int code = 0;
	if (ctx && is_lost(ctx)) {
		code = CL_OUT_OF_RESOURCES;
	} else if (fail_at != 0 && n >= fail_at && n < fail_at + fail_for) {
		code = (cl_int)fail_code;
		if (stick && ctx && nlost < MAX_LOST) lost[nlost++] = ctx;
	}
	pthread_mutex_unlock(&mu);
	return code;
}

// The context of a queue, program, kernel or event (NULL without the real
// library, or where it cannot say).
static handle context_of(cl_int (**info)(handle, cl_uint, size_t, void*, size_t*), handle h, cl_uint param) {
	handle ctx = NULL;
	if (!ready() || !h || (*info)(h, param, sizeof ctx, &ctx, NULL) != 0) return NULL;
	return ctx;
}
static handle queue_ctx(handle q) { return context_of(&r_getCommandQueueInfo, q, CL_QUEUE_CONTEXT); }
static handle program_ctx(handle p) { return context_of(&r_getProgramInfo, p, CL_PROGRAM_CONTEXT); }
static handle kernel_ctx(handle k) { return context_of(&r_getKernelInfo, k, CL_KERNEL_CONTEXT); }
static handle event_ctx(handle e) { return context_of(&r_getEventInfo, e, CL_EVENT_CONTEXT); }

static void count(long* c, long d) {
	pthread_mutex_lock(&mu);
	*c += d;
	pthread_mutex_unlock(&mu);
}

static void set(cl_int* p, cl_int v) {
	if (p) *p = v;
}

// A call made through an event pointer that succeeded holds one event more.
static cl_int evented(cl_int st, handle* ev) {
	if (st == 0 && ev && *ev) count(&live_events, 1);
	return st;
}

// gate makes a call that can fail, on an object of context ctx:
// CL_INVALID_OPERATION without the real library, else fault's code.
static cl_int gate(handle ctx) {
	if (!ready()) return CL_INVALID_OPERATION;
	return fault(ctx);
}

// refused is gate for a creation, which reports through err: it sets
// *err and returns 1 where the creation must fail.
static int refused(handle ctx, cl_int* err) {
	cl_int code = gate(ctx);
	if (code) set(err, code);
	return code != 0;
}

// created ends a creation: it reports st through err and counts h among
// what live holds when it was made.
static handle created(handle h, cl_int st, cl_int* err, long* live) {
	set(err, st);
	if (st == 0 && h) count(live, 1);
	return h;
}

// released ends a release: it counts one fewer in live when it worked.
static cl_int released(cl_int st, long* live) {
	if (st == 0) count(live, -1);
	return st;
}

EXPORT cl_int clGetPlatformIDs(cl_uint n, handle* ids, cl_uint* num) {
	if (!ready()) return -1001; // CL_PLATFORM_NOT_FOUND_KHR
	return r_getPlatformIDs(n, ids, num);
}

EXPORT cl_int clGetPlatformInfo(handle pl, cl_uint p, size_t s, void* v, size_t* r) {
	if (!ready()) return CL_INVALID_OPERATION;
	return r_getPlatformInfo(pl, p, s, v, r);
}

EXPORT cl_int clGetDeviceIDs(handle pl, cl_ulong type, cl_uint n, handle* ids, cl_uint* num) {
	if (!ready()) return CL_INVALID_OPERATION;
	return r_getDeviceIDs(pl, type, n, ids, num);
}

EXPORT cl_int clGetDeviceInfo(handle d, cl_uint p, size_t s, void* v, size_t* r) {
	if (!ready()) return CL_INVALID_OPERATION;
	cl_int st = r_getDeviceInfo(d, p, s, v, r);
	pthread_mutex_lock(&mu);
	long cap = item_size;
	pthread_mutex_unlock(&mu);
	if (st == 0 && p == CL_DEVICE_MAX_WORK_ITEM_SIZES && cap > 0 && v && s >= sizeof(size_t) && *(size_t*)v > (size_t)cap)
		*(size_t*)v = (size_t)cap;
	return st;
}

EXPORT long faultcl_item_size(long n) {
	pthread_mutex_lock(&mu);
	item_size = n;
	pthread_mutex_unlock(&mu);
	return 0;
}

EXPORT handle clCreateContext(const intptr_t* props, cl_uint n, const handle* devs,
                              void (*notify)(const char*, const void*, size_t, void*), void* user, cl_int* err) {
	if (!ready()) {
		set(err, CL_INVALID_OPERATION);
		return NULL;
	}
	cl_int st = 0;
	handle ctx = r_createContext(props, n, devs, notify, user, &st);
	set(err, st);
	if (st == 0 && ctx) {
		pthread_mutex_lock(&mu);
		forget(ctx); // a new context at a lost one's address
		live_contexts++;
		pthread_mutex_unlock(&mu);
	}
	return ctx;
}

EXPORT handle clCreateCommandQueue(handle ctx, handle dev, cl_ulong props, cl_int* err) {
	if (!ready()) {
		set(err, CL_INVALID_OPERATION);
		return NULL;
	}
	cl_int st = 0;
	handle q = r_createCommandQueue(ctx, dev, props, &st);
	return created(q, st, err, &live_queues);
}

EXPORT cl_int clReleaseCommandQueue(handle q) {
	if (!ready()) return CL_INVALID_OPERATION;
	return released(r_releaseCommandQueue(q), &live_queues);
}

EXPORT cl_int clReleaseContext(handle ctx) {
	if (!ready()) return CL_INVALID_OPERATION;
	cl_int st = r_releaseContext(ctx);
	if (st == 0) {
		pthread_mutex_lock(&mu);
		forget(ctx);
		live_contexts--;
		pthread_mutex_unlock(&mu);
	}
	return st;
}

EXPORT handle clCreateBuffer(handle ctx, cl_ulong flags, size_t size, void* host, cl_int* err) {
	if (refused(ctx, err)) return NULL;
	cl_int st = 0;
	handle h = r_createBuffer(ctx, flags, size, host, &st);
	return created(h, st, err, &live_mems);
}

EXPORT cl_int clReleaseMemObject(handle m) {
	if (!ready()) return CL_INVALID_OPERATION;
	return released(r_releaseMemObject(m), &live_mems);
}

EXPORT cl_int clEnqueueWriteBuffer(handle q, handle m, cl_uint blocking, size_t off, size_t size, const void* p,
                                   cl_uint nw, const handle* wl, handle* ev) {
	cl_int code = gate(queue_ctx(q));
	if (code) return code;
	return evented(r_enqueueWriteBuffer(q, m, blocking, off, size, p, nw, wl, ev), ev);
}

EXPORT cl_int clEnqueueReadBuffer(handle q, handle m, cl_uint blocking, size_t off, size_t size, void* p,
                                  cl_uint nw, const handle* wl, handle* ev) {
	cl_int code = gate(queue_ctx(q));
	if (code) return code;
	return evented(r_enqueueReadBuffer(q, m, blocking, off, size, p, nw, wl, ev), ev);
}

EXPORT handle clCreateProgramWithSource(handle ctx, cl_uint n, const char** strs, const size_t* lens, cl_int* err) {
	if (refused(ctx, err)) return NULL;
	cl_int st = 0;
	handle h = r_createProgramWithSource(ctx, n, strs, lens, &st);
	return created(h, st, err, &live_programs);
}

EXPORT handle clCreateProgramWithBinary(handle ctx, cl_uint n, const handle* devs, const size_t* lens,
                                        const unsigned char** bins, cl_int* binst, cl_int* err) {
	if (refused(ctx, err)) return NULL;
	cl_int st = 0;
	handle h = r_createProgramWithBinary(ctx, n, devs, lens, bins, binst, &st);
	return created(h, st, err, &live_programs);
}

EXPORT cl_int clBuildProgram(handle p, cl_uint n, const handle* devs, const char* opts, void (*notify)(handle, void*), void* user) {
	cl_int code = gate(program_ctx(p));
	if (code) return code;
	return r_buildProgram(p, n, devs, opts, notify, user);
}

EXPORT cl_int clGetProgramBuildInfo(handle p, handle d, cl_uint param, size_t s, void* v, size_t* r) {
	if (!ready()) return CL_INVALID_OPERATION;
	return r_getProgramBuildInfo(p, d, param, s, v, r);
}

EXPORT cl_int clGetProgramInfo(handle p, cl_uint param, size_t s, void* v, size_t* r) {
	cl_int code = gate(program_ctx(p));
	if (code) return code;
	return r_getProgramInfo(p, param, s, v, r);
}

EXPORT cl_int clReleaseProgram(handle p) {
	if (!ready()) return CL_INVALID_OPERATION;
	return released(r_releaseProgram(p), &live_programs);
}

EXPORT handle clCreateKernel(handle p, const char* name, cl_int* err) {
	if (refused(program_ctx(p), err)) return NULL;
	cl_int st = 0;
	handle h = r_createKernel(p, name, &st);
	return created(h, st, err, &live_kernels);
}

EXPORT cl_int clReleaseKernel(handle k) {
	if (!ready()) return CL_INVALID_OPERATION;
	return released(r_releaseKernel(k), &live_kernels);
}

EXPORT cl_int clSetKernelArg(handle k, cl_uint i, size_t s, const void* v) {
	cl_int code = gate(kernel_ctx(k));
	if (code) return code;
	return r_setKernelArg(k, i, s, v);
}

// kernel_group is kernel k's work-group limit under FAULTCL_KERNEL_GROUP
// (see the top), 0 where that is unset or k's name cannot be read.
static size_t kernel_group(handle k) {
	const char* e = getenv("FAULTCL_KERNEL_GROUP");
	if (!e || !*e) return 0;
	long n = strtol(e, NULL, 10);
	if (n < 1) return 0;
	char name[512];
	size_t len = 0;
	if (r_getKernelInfo(k, CL_KERNEL_FUNCTION_NAME, sizeof name, name, &len) != 0) return 0;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len && name[i]; i++) {
		h ^= (unsigned char)name[i];
		h *= 16777619u;
	}
	n >>= h % 3;
	return n < 1 ? 1 : (size_t)n;
}

EXPORT cl_int clGetKernelWorkGroupInfo(handle k, handle d, cl_uint param, size_t s, void* v, size_t* r) {
	cl_int code = gate(kernel_ctx(k));
	if (code) return code;
	cl_int st = r_getKernelWorkGroupInfo(k, d, param, s, v, r);
	if (st == 0 && param == CL_KERNEL_WORK_GROUP_SIZE && v && s >= sizeof(size_t)) {
		size_t lim = kernel_group(k);
		if (lim && *(size_t*)v > lim) *(size_t*)v = lim;
	}
	return st;
}

EXPORT cl_int clEnqueueNDRangeKernel(handle q, handle k, cl_uint dim, const size_t* off, const size_t* global,
                                     const size_t* local, cl_uint nw, const handle* wl, handle* ev) {
	cl_int code = gate(queue_ctx(q));
	if (code) return code;
	if (local) {
		size_t lim = kernel_group(k), items = 1;
		for (cl_uint i = 0; i < dim; i++) items *= local[i];
		if (lim && items > lim) return CL_INVALID_WORK_GROUP_SIZE;
		pthread_mutex_lock(&mu);
		long cap = item_size;
		pthread_mutex_unlock(&mu);
		if (cap > 0 && dim > 0 && local[0] > (size_t)cap) return CL_INVALID_WORK_ITEM_SIZE;
	}
	return evented(r_enqueueNDRangeKernel(q, k, dim, off, global, local, nw, wl, ev), ev);
}

EXPORT cl_int clFinish(handle q) {
	if (!ready()) return CL_INVALID_OPERATION;
	cl_int code = fault(queue_ctx(q)); // reported after the wait
	cl_int st = r_finish(q);
	return code ? code : st;
}

EXPORT cl_int clFlush(handle q) {
	if (!ready()) return CL_INVALID_OPERATION;
	return r_flush(q);
}

static long profiling_late; // faultcl_profiling_late

EXPORT cl_int clGetEventProfilingInfo(handle e, cl_uint param, size_t s, void* v, size_t* r) {
	if (!ready()) return CL_INVALID_OPERATION;
	if (param == 0x1282) { // CL_PROFILING_COMMAND_START
		pthread_mutex_lock(&mu);
		int late = profiling_late > 0;
		if (late) profiling_late--;
		pthread_mutex_unlock(&mu);
		if (late) return -7; // CL_PROFILING_INFO_NOT_AVAILABLE
	}
	return r_getEventProfilingInfo(e, param, s, v, r);
}

// faultcl_profiling_late has the next n queries of a start time fail with
// CL_PROFILING_INFO_NOT_AVAILABLE.
EXPORT long faultcl_profiling_late(long n) {
	pthread_mutex_lock(&mu);
	profiling_late = n;
	pthread_mutex_unlock(&mu);
	return 0;
}

EXPORT cl_int clReleaseEvent(handle e) {
	if (!ready()) return CL_INVALID_OPERATION;
	return released(r_releaseEvent(e), &live_events);
}

EXPORT cl_int clWaitForEvents(cl_uint n, const handle* evs) {
	if (!ready()) return CL_INVALID_OPERATION;
	cl_int code = fault(n > 0 && evs ? event_ctx(evs[0]) : NULL); // reported after the wait
	cl_int st = r_waitForEvents(n, evs);
	return code ? code : st;
}

// faultcl_fail_at restarts the count of the calls that can fail and makes
// the k-th from now fail (0: none); faultcl_fault_calls is the count.
EXPORT long faultcl_fail_at(long k) {
	pthread_mutex_lock(&mu);
	fault_calls = 0;
	fail_at = k;
	pthread_mutex_unlock(&mu);
	return 0;
}

EXPORT long faultcl_fault_calls(void) {
	pthread_mutex_lock(&mu);
	long n = fault_calls;
	pthread_mutex_unlock(&mu);
	return n;
}

// faultcl_fail_for makes the n calls from the armed one fail (1, the
// default, where n < 1).
EXPORT long faultcl_fail_for(long n) {
	pthread_mutex_lock(&mu);
	fail_for = n < 1 ? 1 : n;
	pthread_mutex_unlock(&mu);
	return 0;
}

// faultcl_stick makes the failing call lose its context (1) or not (0,
// the default).
EXPORT long faultcl_stick(long on) {
	pthread_mutex_lock(&mu);
	stick = on != 0;
	pthread_mutex_unlock(&mu);
	return 0;
}

// faultcl_fail_with sets the code of the failing call (a negative cl_int,
// passed as its two's complement in a long; 0 restores
// CL_OUT_OF_RESOURCES).
EXPORT long faultcl_fail_with(long code) {
	pthread_mutex_lock(&mu);
	fail_code = code ? (cl_int)code : CL_OUT_OF_RESOURCES;
	pthread_mutex_unlock(&mu);
	return 0;
}

static long get(long* c) {
	pthread_mutex_lock(&mu);
	long v = *c;
	pthread_mutex_unlock(&mu);
	return v;
}

// What the real library holds for the caller: buffers, programs, kernels
// and events created through this library and not released.
EXPORT long faultcl_live_mems(void) { return get(&live_mems); }
EXPORT long faultcl_live_programs(void) { return get(&live_programs); }
EXPORT long faultcl_live_kernels(void) { return get(&live_kernels); }
EXPORT long faultcl_live_events(void) { return get(&live_events); }
EXPORT long faultcl_live_contexts(void) { return get(&live_contexts); }
EXPORT long faultcl_live_queues(void) { return get(&live_queues); }

// The emulated GPU's calls that zkaccel does not make, forwarded (see
// r_svmAlloc).

EXPORT void* clSVMAlloc(handle ctx, cl_ulong flags, size_t size, cl_uint align) {
	if (!ready() || !r_svmAlloc) return NULL;
	return r_svmAlloc(ctx, flags, size, align);
}

EXPORT void clSVMFree(handle ctx, void* p) {
	if (ready() && r_svmFree) r_svmFree(ctx, p);
}

EXPORT cl_int clGetKernelInfo(handle k, cl_uint param, size_t s, void* v, size_t* r) {
	if (!ready()) return CL_INVALID_OPERATION;
	return r_getKernelInfo(k, param, s, v, r);
}

EXPORT cl_int clGetKernelArgInfo(handle k, cl_uint i, cl_uint param, size_t s, void* v, size_t* r) {
	if (!ready() || !r_getKernelArgInfo) return CL_INVALID_OPERATION;
	return r_getKernelArgInfo(k, i, param, s, v, r);
}

EXPORT cl_int clSetKernelArgSVMPointer(handle k, cl_uint i, const void* p) {
	if (!ready() || !r_setKernelArgSVMPointer) return CL_INVALID_OPERATION;
	return r_setKernelArgSVMPointer(k, i, p);
}
