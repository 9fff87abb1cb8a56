// fakecuda.c: a test double of the CUDA driver API (what libcuda.so.1
// exports), for the zkaccel cuda package's tests on machines without a GPU.
//
// It implements, over host memory, exactly the functions the package
// resolves, and checks how they are called: every call that needs a
// context checks that one is current on the calling thread (goroutines move
// between threads, so the package must make it current on each call), and
// every device pointer is checked against the live allocations. Three
// "kernels" are written in C: add_u32, mul_u64 and fault (which leaves a
// sticky CUDA_ERROR_ILLEGAL_ADDRESS, as a kernel that faults does). Test
// hooks (fake_*) report what it saw, and fake_fail_at makes the k-th call
// that a GPU can fail (an allocation, a copy, a launch, a module load, an
// event, a wait) fail, for the tests that fail each in turn. Built by the
// tests with the system C compiler; not part of zkaccel.
//
// It runs everything at once, but keeps the order a GPU would give: each
// stream counts its operations, an event holds the point of its stream it
// was recorded at (and what that stream had waited for), and a stream that
// waits for an event is ordered after that point. A copy, read or launch
// that touches an allocation whose last write (or, for a write, last use)
// on another stream it is not ordered after is a hazard, which a GPU would
// race on: fake_hazards counts them. Copies between the device and pinned
// host memory are asynchronous toward the host as well (see struct
// flight): a host that touches the pinned bytes before it waits for the
// copy reads poison or is caught, and fake_host_races counts it.
//
// Built with -DFAKECUDA_OPENCL (scripts/cuda-emu.sh), it is an emulated GPU
// instead: device memory is OpenCL fine-grained shared virtual memory, and
// a module made by fakenvrtc.c (the NVRTC double, whose "PTX" is the CUDA
// source itself) is built as OpenCL C by POCL, whose CPU device then runs
// the kernels at launch, one at a time, in the order the streams allow.
// zkaccel's CUDA runtime thus runs every algorithm end to end, with the
// real kernels' results, on a machine without a GPU. The source is the one
// CUDA compiles; what cannot be emulated is CUDA's own code in it (inline
// PTX, warp primitives), which takes its OpenCL form: the forms a CUDA
// build chooses that OpenCL also has (32-bit multiplication, word-major NTT
// blocks) are defined for the build, and ZK_CUDA_EMU gives the CUDA sizes.
// In this form every hazard, bad pointer and missing context is also
// printed to standard error, and FAKECUDA_STRICT=1 aborts the process on
// the first, so that a test run cannot pass over one.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

enum {
	OK = 0,
	E_INVALID_VALUE = 1,
	E_OUT_OF_MEMORY = 2,
	E_NOT_INITIALIZED = 3,
	E_NO_DEVICE = 100,
	E_INVALID_DEVICE = 101,
	E_INVALID_IMAGE = 200,
	E_INVALID_CONTEXT = 201,
	E_NOT_FOUND = 500,
	E_ILLEGAL_ADDRESS = 700,
	E_LAUNCH_FAILED = 719,
};

// memsize is the device's memory: 256 MiB, or 4 GiB emulated, or
// FAKECUDA_MEMORY MiB (set at cuInit).
static unsigned long long memsize = 256ull << 20;

// complain reports a misuse on standard error in the emulated form (and
// aborts under FAKECUDA_STRICT=1); the plain form only counts it, for the
// tests that provoke them.
static void complain(const char* what, const char* detail);

struct ctx {
	int alive;
};
static struct ctx primary; // the one device's primary context
static __thread struct ctx* stack[16];
static __thread int depth;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int initialized, sticky;
// fake_poison: how a sticky error outlives the context's reset, as cuda.h
// says it may ("the process must be terminated and relaunched"): 0, not
// (the reset clears it); 1, every call that needs the device's state
// still fails with it; 2, so does retaining a fresh context.
static int poisoned;
static long ctx_errors, bad_pointers, live_host, launches;
static long largest_copy; // the most bytes one asynchronous copy moved
static unsigned long long used;

#define NSTREAMS 8

// A point of a stream: its id (1…NSTREAMS, 0: none) and operation count.
struct point {
	int stream;
	unsigned long long at;
};

struct alloc {
	char* p;
	size_t n;
	struct point wrote, used; // the last write, and the last access of any kind
	struct alloc* next;
};
static struct alloc* allocs;

struct stream {
	int id;
	unsigned long long count;                 // operations issued
	unsigned long long seen[NSTREAMS + 1];    // of each stream, the point it is ordered after
};
static struct stream streams[NSTREAMS];
static int nstreams;
static unsigned long long host_done[NSTREAMS + 1]; // what the host waited for
static long hazards;

struct event {
	int stream;
	unsigned long long at;
	unsigned long long seen[NSTREAMS + 1];
	double ms; // when it was recorded (the emulated form's timings)
};

// ordered reports whether stream st comes after point q. The caller holds mu.
static int ordered(struct stream* st, struct point q) {
	return q.stream == 0 || q.stream == st->id || st->seen[q.stream] >= q.at || host_done[q.stream] >= q.at;
}

// touch records that st's latest operation (what) accessed the
// allocation holding p (a write when write is set) and counts a hazard
// when it is not ordered after the accesses it depends on. The caller
// holds mu.
static void touch(struct stream* st, CUdeviceptr p, int write, const char* what) {
	for (struct alloc* a = allocs; a; a = a->next) {
		if ((char*)p < a->p || (char*)p >= a->p + a->n) continue;
		if (!ordered(st, a->wrote) || (write && !ordered(st, a->used))) {
			hazards++;
			char d[160];
			snprintf(d, sizeof d, "%s on stream %d, %s an allocation of %zu bytes last written on stream %d",
				what, st->id, write ? "writing" : "reading", a->n, a->wrote.stream);
			complain("a hazard", d);
		}
		struct point now = {st->id, st->count};
		a->used = now;
		if (write) a->wrote = now;
		return;
	}
}

// access records one operation of st on the allocation holding p. The
// caller holds mu.
static void access(struct stream* st, CUdeviceptr p, int write, const char* what) {
	st->count++;
	touch(st, p, write, what);
}

// stream_of returns the stream of handle s (NULL: none known).
static struct stream* stream_of(void* s) {
	for (int i = 0; i < nstreams; i++) {
		if ((void*)&streams[i] == s) return &streams[i];
	}
	return NULL;
}

// Pinned host memory (cuMemHostAlloc) and the asynchronous copies that
// use it. As on a GPU, such a copy is asynchronous toward the host too: the
// host may touch its pinned bytes again only once it knows the copy is done,
// from a stream or event synchronisation that comes after it. The fake
// keeps the device's data right (a copy to the device reads its source at
// issue) and makes early host access show:
//   - a copy to the host fills its destination with POISON at issue and
//     writes the data only when the host learns that the copy is done, so
//     that a host that reads it early reads poison;
//   - when the host learns that a copy is done, the fake checks that the
//     host did not change a copy's source (a GPU may have sent the changed
//     bytes) or write into a copy's destination (the DMA would have
//     overwritten it) in between;
//   - two copies of one pinned range that a GPU could run at once (not
//     ordered, at least one of them writing host memory), and pinned
//     memory freed under a copy, are races too.
// Each is counted in host_races (and, emulated, printed: see complain).
// Copies from or to pageable memory complete at issue, as the driver makes
// them. The caller of every function here holds mu.
#define POISON 0xA5
struct pinned {
	char* p;
	size_t n;
	struct pinned* next;
};
static struct pinned* pinned;
struct flight {
	int to_host;     // a copy to the host (else to the device)
	char* host;      // the pinned bytes it reads or writes
	size_t n;
	struct point at; // its stream and operation
	uint64_t sum;    // the host bytes' checksum at issue
	char* data;      // to the host: the data, written when it is done
	struct flight* next;
};
static struct flight* flights;
static long host_races;

// is_pinned reports whether [p, p+n) lies in one pinned allocation.
static int is_pinned(const void* p, size_t n) {
	for (struct pinned* a = pinned; a; a = a->next) {
		if ((const char*)p >= a->p && (const char*)p + n <= a->p + a->n) return 1;
	}
	return 0;
}

// checksum is a 64-bit hash of n bytes.
static uint64_t checksum(const char* p, size_t n) {
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDull;
		h ^= h >> 32;
	}
	for (; i < n; i++) h = (h ^ (unsigned char)p[i]) * 0x100000001B3ull;
	return h;
}

// apart reports whether flight f's host bytes and [p, p+n) do not meet.
static int apart(const struct flight* f, const char* p, size_t n) {
	return f->host >= p + n || p >= f->host + f->n;
}

static void host_race(const char* what, const struct flight* f) {
	host_races++;
	char d[160];
	snprintf(d, sizeof d, "a copy of %zu bytes %s the host on stream %d", f->n, f->to_host ? "to" : "from", f->at.stream);
	complain(what, d);
}

// land ends flight f as the host learns that it is done, checking the
// host bytes it used, and frees it (the caller unlinks it).
static void land(struct flight* f) {
	if (checksum(f->host, f->n) != f->sum) {
		host_race(f->to_host ? "the host wrote into a copy's destination before it waited for the copy"
		                     : "the host changed a copy's source before it waited for the copy", f);
	}
	if (f->to_host) memcpy(f->host, f->data, f->n);
	free(f->data);
	free(f);
}

// settle lands every flight the host now knows is done (host_done).
static void settle(void) {
	for (struct flight** pf = &flights; *pf;) {
		struct flight* f = *pf;
		if (host_done[f->at.stream] >= f->at.at) {
			*pf = f->next;
			land(f);
		} else {
			pf = &f->next;
		}
	}
}

// host_wait records that the host knows stream id done up to at, and
// with it whatever that point had waited for (seen).
static void host_wait(int id, unsigned long long at, const unsigned long long* seen) {
	if (at > host_done[id]) host_done[id] = at;
	for (int i = 1; i <= NSTREAMS; i++) {
		if (seen[i] > host_done[i]) host_done[i] = seen[i];
	}
	settle();
}

// take_off records copy (to_host) of the pinned range [p, p+n) on st,
// just counted (st->count): flights on that range that st comes after
// land first, as a GPU would run them first; one it does not come after
// races with it, unless both only read the host. A copy to the host
// reads the device now, poisons its destination and writes the data when
// it lands.
static void take_off(struct stream* st, int to_host, char* p, const char* dev, size_t n) {
	for (struct flight** pf = &flights; *pf;) {
		struct flight* f = *pf;
		if (apart(f, p, n) || (!to_host && !f->to_host)) {
			pf = &f->next;
			continue;
		}
		*pf = f->next;
		if (!ordered(st, f->at)) host_race("two copies of one pinned range that a GPU may run at once", f);
		land(f);
	}
	struct flight* f = calloc(1, sizeof *f);
	f->to_host = to_host;
	f->host = p;
	f->n = n;
	f->at = (struct point){st->id, st->count};
	if (to_host) {
		f->data = malloc(n);
		memcpy(f->data, dev, n);
		memset(p, POISON, n);
	}
	f->sum = checksum(p, n);
	f->next = flights;
	flights = f;
}

// drop_flights forgets every flight on [p, p+n) (n = 0: every flight),
// counting each as a race where race is set.
static void drop_flights(const char* p, size_t n, const char* race) {
	for (struct flight** pf = &flights; *pf;) {
		struct flight* f = *pf;
		if (n && apart(f, p, n)) {
			pf = &f->next;
			continue;
		}
		*pf = f->next;
		if (race) host_race(race, f);
		free(f->data);
		free(f);
	}
}

#define EXPORT __attribute__((visibility("default")))

// need_ctx: a context must be current and alive on this thread.
static CUresult need_ctx(void) {
	if (!initialized) return E_NOT_INITIALIZED;
	if (depth == 0 || !stack[depth - 1]->alive) {
		pthread_mutex_lock(&mu);
		ctx_errors++;
		pthread_mutex_unlock(&mu);
		complain("a call without a current context", "");
		return E_INVALID_CONTEXT;
	}
	return OK;
}

#define CTX() do { CUresult r_ = need_ctx(); if (r_) return r_; } while (0)
#define STICKY() do { if (sticky) return E_ILLEGAL_ADDRESS; } while (0)

// Injected faults (fake_fail_at): the calls that can fail for want of
// resources on a GPU (allocations, copies, launches, module loads, streams,
// events, waits) are counted, and the k-th fails with
// CUDA_ERROR_OUT_OF_MEMORY, which is not sticky, or with what
// fake_fail_with sets: CUDA_ERROR_ILLEGAL_ADDRESS is sticky, as after a
// kernel fault (every later call fails until the context is reset).
// Releases (frees, unloads, destroys) never fail.
static long fault_calls, fault_at;
static CUresult fault_code = E_OUT_OF_MEMORY; // fake_fail_with
static long live_events, live_modules;

// fault counts a call that can fail and returns the error it must fail
// with, if any. The caller does not hold mu.
// With FAKECUDA_FAULT_LOG set, it names the call it fails on standard
// error.
static CUresult fault(const char* fn) {
	pthread_mutex_lock(&mu);
	fault_calls++;
	CUresult r = fault_at != 0 && fault_calls == fault_at ? fault_code : OK;
	if (r == E_ILLEGAL_ADDRESS) sticky = 1; // as a kernel fault leaves it, until the context is reset
	long k = fault_calls;
	pthread_mutex_unlock(&mu);
	if (r && getenv("FAKECUDA_FAULT_LOG")) fprintf(stderr, "fakecuda: call %ld (%s) fails\n", k, fn);
	return r;
}
#define FAULT() do { CUresult r_ = fault(__func__); if (r_) return r_; } while (0)

// inside reports whether [p, p+n) lies in one live allocation.
static int inside(CUdeviceptr p, size_t n) {
	int ok = 0;
	pthread_mutex_lock(&mu);
	for (struct alloc* a = allocs; a; a = a->next) {
		if ((char*)p >= a->p && (char*)p + n <= a->p + a->n) { ok = 1; break; }
	}
	if (!ok) bad_pointers++;
	pthread_mutex_unlock(&mu);
	if (!ok) {
		char d[96];
		snprintf(d, sizeof d, "[%#llx, +%zu)", p, n);
		complain("a device pointer outside every allocation", d);
	}
	return ok;
}

#ifdef FAKECUDA_OPENCL
// The emulated form's OpenCL: the ICD loader's first platform (POCL in
// CI), or the library FAKECUDA_OPENCL_LIB names.
#include <dlfcn.h>

typedef int32_t cl_int;
typedef uint32_t cl_uint;
typedef uint64_t cl_ulong;
typedef void* cl_handle;

static struct {
	cl_int (*getPlatformIDs)(cl_uint, cl_handle*, cl_uint*);
	cl_int (*getDeviceIDs)(cl_handle, cl_ulong, cl_uint, cl_handle*, cl_uint*);
	cl_handle (*createContext)(const intptr_t*, cl_uint, const cl_handle*, void*, void*, cl_int*);
	cl_handle (*createCommandQueue)(cl_handle, cl_handle, cl_ulong, cl_int*);
	void* (*svmAlloc)(cl_handle, cl_ulong, size_t, cl_uint);
	void (*svmFree)(cl_handle, void*);
	cl_handle (*createProgramWithSource)(cl_handle, cl_uint, const char**, const size_t*, cl_int*);
	cl_int (*buildProgram)(cl_handle, cl_uint, const cl_handle*, const char*, void*, void*);
	cl_int (*getProgramBuildInfo)(cl_handle, cl_handle, cl_uint, size_t, void*, size_t*);
	cl_int (*releaseProgram)(cl_handle);
	cl_int (*releaseKernel)(cl_handle);
	cl_handle (*createKernel)(cl_handle, const char*, cl_int*);
	cl_int (*getKernelInfo)(cl_handle, cl_uint, size_t, void*, size_t*);
	cl_int (*getKernelArgInfo)(cl_handle, cl_uint, cl_uint, size_t, void*, size_t*);
	cl_int (*getKernelWorkGroupInfo)(cl_handle, cl_handle, cl_uint, size_t, void*, size_t*);
	cl_int (*setKernelArg)(cl_handle, cl_uint, size_t, const void*);
	cl_int (*setKernelArgSVMPointer)(cl_handle, cl_uint, const void*);
	cl_int (*enqueueNDRangeKernel)(cl_handle, cl_handle, cl_uint, const size_t*, const size_t*, const size_t*, cl_uint, const void*, void*);
	cl_int (*finish)(cl_handle);
	cl_handle ctx, dev, queue;
} cl;

// OpenCL's constants (CL/cl.h).
enum {
	CL_DEVICE_TYPE_ALL = -1,
	CL_MEM_READ_WRITE = 1 << 0,
	CL_MEM_SVM_FINE_GRAIN_BUFFER = 1 << 10,
	CL_PROGRAM_BUILD_LOG = 0x1183,
	CL_KERNEL_NUM_ARGS = 0x1191,
	CL_KERNEL_ARG_ADDRESS_QUALIFIER = 0x1196,
	CL_KERNEL_ARG_TYPE_NAME = 0x1198,
	CL_KERNEL_ARG_TYPE_QUALIFIER = 0x1199,
	CL_KERNEL_ARG_ADDRESS_GLOBAL = 0x119B,
	CL_KERNEL_ARG_ADDRESS_CONSTANT = 0x119C,
	CL_KERNEL_ARG_TYPE_CONST = 1 << 0,
	CL_KERNEL_WORK_GROUP_SIZE = 0x11B0,
};

// EMU_MARK opens every image fakenvrtc.c makes; the CUDA source follows.
#define EMU_MARK "// zkaccel emulated NVRTC: CUDA source\n"

// cl_open loads OpenCL and makes the context and queue of its first
// device; it returns a reason, or NULL.
static const char* cl_open(void) {
	const char* name = getenv("FAKECUDA_OPENCL_LIB");
	void* h = dlopen(name && *name ? name : "libOpenCL.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h) return "cannot open libOpenCL.so.1 (or FAKECUDA_OPENCL_LIB)";
#define SYM(f, s) if (!(*(void**)&cl.f = dlsym(h, s))) return "OpenCL lacks " s
	SYM(getPlatformIDs, "clGetPlatformIDs");
	SYM(getDeviceIDs, "clGetDeviceIDs");
	SYM(createContext, "clCreateContext");
	SYM(createCommandQueue, "clCreateCommandQueue");
	SYM(svmAlloc, "clSVMAlloc");
	SYM(svmFree, "clSVMFree");
	SYM(createProgramWithSource, "clCreateProgramWithSource");
	SYM(buildProgram, "clBuildProgram");
	SYM(getProgramBuildInfo, "clGetProgramBuildInfo");
	SYM(releaseProgram, "clReleaseProgram");
	SYM(releaseKernel, "clReleaseKernel");
	SYM(createKernel, "clCreateKernel");
	SYM(getKernelInfo, "clGetKernelInfo");
	SYM(getKernelArgInfo, "clGetKernelArgInfo");
	SYM(getKernelWorkGroupInfo, "clGetKernelWorkGroupInfo");
	SYM(setKernelArg, "clSetKernelArg");
	SYM(setKernelArgSVMPointer, "clSetKernelArgSVMPointer");
	SYM(enqueueNDRangeKernel, "clEnqueueNDRangeKernel");
	SYM(finish, "clFinish");
#undef SYM
	cl_handle plat;
	cl_uint n = 0;
	if (cl.getPlatformIDs(1, &plat, &n) != 0 || n == 0) return "OpenCL has no platform";
	if (cl.getDeviceIDs(plat, (cl_ulong)(cl_uint)CL_DEVICE_TYPE_ALL, 1, &cl.dev, &n) != 0 || n == 0) return "OpenCL has no device";
	cl_int err = 0;
	cl.ctx = cl.createContext(NULL, 1, &cl.dev, NULL, NULL, &err);
	if (err != 0) return "clCreateContext failed";
	cl.queue = cl.createCommandQueue(cl.ctx, cl.dev, 0, &err);
	if (err != 0) return "clCreateCommandQueue failed";
	return NULL;
}

static void* dev_alloc(size_t n) {
	return cl.svmAlloc(cl.ctx, CL_MEM_READ_WRITE | CL_MEM_SVM_FINE_GRAIN_BUFFER, n, 128);
}
static void dev_free(void* p) { cl.svmFree(cl.ctx, p); }

// An emulated module: an OpenCL program, and the functions made of it.
struct emu_module {
	unsigned magic;
	cl_handle prog;
	struct emu_func* funcs;
	struct emu_module* next; // in modules
};
#define MODULE_MAGIC 0x7a6b6d6fu
#define FUNC_MAGIC 0x7a6b666eu
#define MAXARGS 32

// An emulated function: an OpenCL kernel and its parameters.
struct emu_func {
	unsigned magic;
	cl_handle kernel;
	char name[64];
	cl_uint nargs;
	struct {
		int ptr;   // a global pointer (else a value of size bytes)
		int write; // a pointer not to const: written, for the hazard check
		size_t size;
	} args[MAXARGS];
	size_t maxgroup;
	struct emu_func* next; // in its module's funcs
};

// modules are the context's loaded modules (under mu).
static struct emu_module* modules;

// emu_drop releases what em holds in OpenCL (its functions' kernels; its
// program stays built in programs) and marks it and its functions dead: a
// launch or unload of either then fails or does nothing. Their small
// structures stay allocated, as a runtime may still hold their handles
// (after a reset, it must not use them). Called under mu, with no launch
// running.
static void emu_drop(struct emu_module* em) {
	for (struct emu_func* ef = em->funcs; ef; ef = ef->next) {
		cl.releaseKernel(ef->kernel);
		ef->kernel = NULL;
		ef->magic = 0;
	}
	em->funcs = NULL;
	em->prog = NULL;
	em->magic = 0;
}

// programs are the OpenCL programs built for modules, by source and
// options, kept for the process: a module loaded again (after a reset, as
// a runtime reloads its modules) takes the program built before instead of
// building it again on POCL, which would take seconds and memory each time.
struct emu_prog {
	uint64_t hash;
	size_t len;
	cl_handle prog;
	struct emu_prog* next;
};
static struct emu_prog* programs;
static pthread_mutex_t build_mu = PTHREAD_MUTEX_INITIALIZER; // over programs and the builds

// fnv1a hashes n bytes of p onto h (FNV-1a, 64 bits).
static uint64_t fnv1a(uint64_t h, const char* p, size_t n) {
	for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
	return h;
}

// emu_load builds the CUDA source that follows EMU_MARK as OpenCL C, with
// the forms a CUDA build takes by default that OpenCL also has.
static CUresult emu_load(void** m, const char* src, char* log, size_t logsize) {
	char opts[256];
	snprintf(opts, sizeof opts, "-cl-std=CL1.2 -cl-kernel-arg-info -DZK_CUDA_EMU=1 -DNTT_WORD_MAJOR=1%s",
		strstr(src, "#define ZK_MUL64") ? "" : " -DZK_MUL32=1");
	size_t len = strlen(src);
	uint64_t hash = fnv1a(fnv1a(0xcbf29ce484222325ull, opts, strlen(opts) + 1), src, len);
	pthread_mutex_lock(&build_mu);
	cl_handle prog = NULL;
	for (struct emu_prog* ep = programs; ep; ep = ep->next) {
		if (ep->hash == hash && ep->len == len) {
			prog = ep->prog;
			break;
		}
	}
	if (!prog) {
		cl_int err = 0;
		prog = cl.createProgramWithSource(cl.ctx, 1, &src, NULL, &err);
		if (err != 0) {
			pthread_mutex_unlock(&build_mu);
			return E_INVALID_IMAGE;
		}
		if (cl.buildProgram(prog, 1, &cl.dev, opts, NULL, NULL) != 0) {
			if (log && logsize > 0) {
				log[0] = 0;
				cl.getProgramBuildInfo(prog, cl.dev, CL_PROGRAM_BUILD_LOG, logsize - 1, log, NULL);
				log[logsize - 1] = 0;
			}
			cl.releaseProgram(prog);
			pthread_mutex_unlock(&build_mu);
			return E_INVALID_IMAGE;
		}
		struct emu_prog* ep = calloc(1, sizeof *ep);
		ep->hash = hash;
		ep->len = len;
		ep->prog = prog;
		ep->next = programs;
		programs = ep;
	}
	pthread_mutex_unlock(&build_mu);
	struct emu_module* em = calloc(1, sizeof *em);
	em->magic = MODULE_MAGIC;
	em->prog = prog;
	pthread_mutex_lock(&mu);
	em->next = modules;
	modules = em;
	pthread_mutex_unlock(&mu);
	*m = em;
	return OK;
}

// emu_function makes the kernel name of module em and reads its
// parameters' kinds and sizes.
static CUresult emu_function(void** f, struct emu_module* em, const char* name) {
	cl_int err = 0;
	cl_handle k = cl.createKernel(em->prog, name, &err);
	if (err != 0) return E_NOT_FOUND;
	struct emu_func* ef = calloc(1, sizeof *ef);
	ef->magic = FUNC_MAGIC;
	ef->kernel = k;
	snprintf(ef->name, sizeof ef->name, "%s", name);
	if (cl.getKernelInfo(k, CL_KERNEL_NUM_ARGS, sizeof ef->nargs, &ef->nargs, NULL) != 0 || ef->nargs > MAXARGS) {
		complain("a kernel with too many parameters", name);
		return E_INVALID_VALUE;
	}
	for (cl_uint i = 0; i < ef->nargs; i++) {
		cl_uint space = 0;
		cl_ulong qual = 0;
		char type[64] = {0};
		cl.getKernelArgInfo(k, i, CL_KERNEL_ARG_ADDRESS_QUALIFIER, sizeof space, &space, NULL);
		cl.getKernelArgInfo(k, i, CL_KERNEL_ARG_TYPE_QUALIFIER, sizeof qual, &qual, NULL);
		cl.getKernelArgInfo(k, i, CL_KERNEL_ARG_TYPE_NAME, sizeof type - 1, type, NULL);
		if (space == CL_KERNEL_ARG_ADDRESS_GLOBAL || space == CL_KERNEL_ARG_ADDRESS_CONSTANT) {
			ef->args[i].ptr = 1;
			ef->args[i].write = space == CL_KERNEL_ARG_ADDRESS_GLOBAL && !(qual & CL_KERNEL_ARG_TYPE_CONST);
			continue;
		}
		static const struct {
			const char* t;
			size_t n;
		} sizes[] = {{"u32", 4}, {"i32", 4}, {"uint", 4}, {"int", 4}, {"u64", 8}, {"i64", 8}, {"ulong", 8}, {"long", 8}};
		for (size_t j = 0; j < sizeof sizes / sizeof sizes[0]; j++) {
			if (strcmp(type, sizes[j].t) == 0) ef->args[i].size = sizes[j].n;
		}
		if (ef->args[i].size == 0) {
			char d[160];
			snprintf(d, sizeof d, "%s parameter %u has type %s", name, i, type);
			complain("a kernel parameter no launch can pass (zkaccel passes 4- and 8-byte integers and pointers)", d);
			return E_INVALID_VALUE;
		}
	}
	cl.getKernelWorkGroupInfo(k, cl.dev, CL_KERNEL_WORK_GROUP_SIZE, sizeof ef->maxgroup, &ef->maxgroup, NULL);
	pthread_mutex_lock(&mu);
	ef->next = em->funcs;
	em->funcs = ef;
	pthread_mutex_unlock(&mu);
	*f = ef;
	return OK;
}

static pthread_mutex_t launch_mu = PTHREAD_MUTEX_INITIALIZER; // a kernel's arguments are set, then run

// emu_launch runs ef over gx blocks of bx threads on st, at once: the
// stream's earlier work has run, as everything runs at issue.
static CUresult emu_launch(struct emu_func* ef, unsigned gx, unsigned bx, struct stream* st, void** params) {
	if (bx > 1024 || bx > ef->maxgroup) return E_INVALID_VALUE;
	for (cl_uint i = 0; i < ef->nargs; i++) {
		if (params == NULL || params[i] == NULL) return E_INVALID_VALUE;
		if (ef->args[i].ptr && !inside(*(CUdeviceptr*)params[i], 1)) {
			complain("a launch with an argument that is no device pointer", ef->name);
			return E_INVALID_VALUE;
		}
	}
	pthread_mutex_lock(&mu);
	st->count++;
	char what[96];
	snprintf(what, sizeof what, "kernel %s", ef->name);
	for (int pass = 0; pass < 2; pass++) { // the reads, then the writes
		for (cl_uint i = 0; i < ef->nargs; i++) {
			if (ef->args[i].ptr && ef->args[i].write == pass) touch(st, *(CUdeviceptr*)params[i], pass, what);
		}
	}
	pthread_mutex_unlock(&mu);
	pthread_mutex_lock(&launch_mu);
	cl_int err = 0;
	for (cl_uint i = 0; i < ef->nargs && err == 0; i++) {
		if (ef->args[i].ptr) {
			err = cl.setKernelArgSVMPointer(ef->kernel, i, (void*)*(CUdeviceptr*)params[i]);
		} else {
			err = cl.setKernelArg(ef->kernel, i, ef->args[i].size, params[i]);
		}
	}
	size_t global = (size_t)gx * bx, local = bx;
	if (err == 0) err = cl.enqueueNDRangeKernel(cl.queue, ef->kernel, 1, NULL, &global, &local, 0, NULL, NULL);
	if (err == 0) err = cl.finish(cl.queue);
	pthread_mutex_unlock(&launch_mu);
	if (err != 0) {
		char d[128];
		snprintf(d, sizeof d, "%s: OpenCL error %d", ef->name, err);
		complain("a launch that failed", d);
		return E_LAUNCH_FAILED;
	}
	return OK;
}

static void complain(const char* what, const char* detail) {
	fprintf(stderr, "fakecuda (emulated): %s%s%s\n", what, *detail ? ": " : "", detail);
	const char* strict = getenv("FAKECUDA_STRICT");
	if (strict && strcmp(strict, "1") == 0) abort();
}
#else
static void* dev_alloc(size_t n) { return malloc(n); }
static void dev_free(void* p) { free(p); }
static void complain(const char* what, const char* detail) {
	(void)what;
	(void)detail;
}
#endif

// now is a monotonic clock in milliseconds, for the events' times.
static double now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

EXPORT CUresult cuInit(unsigned flags) {
	if (flags != 0) return E_INVALID_VALUE;
	if (getenv("FAKECUDA_NO_DEVICE")) return E_NO_DEVICE;
	if (initialized) return OK;
#ifdef FAKECUDA_OPENCL
	const char* why = cl_open();
	if (why) {
		fprintf(stderr, "fakecuda (emulated): no device: %s\n", why);
		return E_NO_DEVICE;
	}
	memsize = 4096ull << 20;
#endif
	const char* mem = getenv("FAKECUDA_MEMORY");
	if (mem && atoll(mem) > 0) memsize = (unsigned long long)atoll(mem) << 20;
	initialized = 1;
	return OK;
}
EXPORT CUresult cuDriverGetVersion(int* v) { *v = 12040; return OK; }
EXPORT CUresult cuDeviceGetCount(int* n) { *n = 1; return OK; }
EXPORT CUresult cuDeviceGet(int* d, int ord) {
	if (ord != 0) return E_INVALID_DEVICE;
	*d = 0;
	return OK;
}
EXPORT CUresult cuDeviceGetPCIBusId(char* id, int len, int dev) {
	if (dev != 0 || len < 13) return E_INVALID_VALUE;
	snprintf(id, (size_t)len, "0000:65:00.0");
	return OK;
}
EXPORT CUresult cuDeviceGetName(char* name, int len, int dev) {
	if (dev != 0 || len < 1) return E_INVALID_VALUE;
#ifdef FAKECUDA_OPENCL
	snprintf(name, (size_t)len, "zkaccel emulated GPU (kernels on POCL)");
#else
	snprintf(name, (size_t)len, "zkaccel fake GPU");
#endif
	return OK;
}
EXPORT CUresult cuDeviceTotalMem_v2(size_t* b, int dev) { *b = memsize; return dev ? E_INVALID_DEVICE : OK; }
EXPORT CUresult cuDeviceGetAttribute(int* v, int attr, int dev) {
	if (dev != 0) return E_INVALID_DEVICE;
	switch (attr) {
	case 1: *v = 1024; break;     // max threads per block
	case 13: *v = 1980000; break; // clock, kHz
	case 16: *v = 4; break;       // SMs
	case 33: *v = 0x65; break;    // PCI bus
	case 34: *v = 0; break;
	case 36: *v = 2619000; break; // memory clock, kHz
	case 37: *v = 5120; break;    // bus width
	case 50: *v = 0; break;
	case 75: *v = 9; break; // compute capability 9.0
	case 76: *v = 0; break;
	default: *v = 0;
	}
	return OK;
}

EXPORT CUresult cuDevicePrimaryCtxRetain(void** c, int dev) {
	if (dev != 0) return E_INVALID_DEVICE;
	if (poisoned == 2 && sticky) return E_ILLEGAL_ADDRESS;
	primary.alive = 1;
	*c = &primary;
	return OK;
}
EXPORT CUresult cuDevicePrimaryCtxRelease_v2(int dev) { return dev ? E_INVALID_DEVICE : OK; }
// cuDevicePrimaryCtxReset_v2 destroys the context's state: every
// allocation, pinned buffer, event and module (the events' and modules'
// handles stay allocated here, but no longer count as live: a runtime that
// destroyed one after the reset would count below zero; an emulated
// module's OpenCL program and kernels are released).
EXPORT CUresult cuDevicePrimaryCtxReset_v2(int dev) {
	if (dev != 0) return E_INVALID_DEVICE;
#ifdef FAKECUDA_OPENCL
	pthread_mutex_lock(&launch_mu);
	pthread_mutex_lock(&mu);
	for (struct emu_module* em = modules; em; em = em->next) emu_drop(em);
	modules = NULL;
	pthread_mutex_unlock(&launch_mu);
#else
	pthread_mutex_lock(&mu);
#endif
	while (allocs) {
		struct alloc* a = allocs;
		allocs = a->next;
		dev_free(a->p);
		free(a);
	}
	while (pinned) {
		struct pinned* h = pinned;
		pinned = h->next;
		free(h->p);
		free(h);
	}
	live_host = 0;
	live_events = 0;
	live_modules = 0;
	used = 0;
	if (!poisoned) sticky = 0;
	primary.alive = 0;
	nstreams = 0;
	memset(host_done, 0, sizeof host_done);
	drop_flights(NULL, 0, NULL); // the context's copies end with it
	pthread_mutex_unlock(&mu);
	return OK;
}
EXPORT CUresult cuCtxPushCurrent_v2(void* c) {
	if (c != &primary || !primary.alive || depth == 16) return E_INVALID_CONTEXT;
	stack[depth++] = c;
	return OK;
}
EXPORT CUresult cuCtxPopCurrent_v2(void** old) {
	if (depth == 0) {
		pthread_mutex_lock(&mu);
		ctx_errors++;
		pthread_mutex_unlock(&mu);
		return E_INVALID_CONTEXT;
	}
	if (old) *old = stack[depth - 1];
	depth--;
	return OK;
}

EXPORT CUresult cuStreamCreate(void** s, unsigned flags) {
	CTX();
	FAULT();
	(void)flags;
	pthread_mutex_lock(&mu);
	if (nstreams == NSTREAMS) { pthread_mutex_unlock(&mu); return E_OUT_OF_MEMORY; }
	struct stream* st = &streams[nstreams++];
	memset(st, 0, sizeof *st);
	st->id = nstreams;
	*s = st;
	pthread_mutex_unlock(&mu);
	return OK;
}
EXPORT CUresult cuStreamSynchronize(void* s) {
	CTX();
	STICKY();
	FAULT();
	pthread_mutex_lock(&mu);
	struct stream* st = stream_of(s);
	if (st) host_wait(st->id, st->count, st->seen);
	pthread_mutex_unlock(&mu);
	return st ? OK : E_INVALID_VALUE;
}
EXPORT CUresult cuStreamDestroy_v2(void* s) { (void)s; return OK; }
EXPORT CUresult cuStreamWaitEvent(void* s, void* e, unsigned flags) {
	CTX();
	STICKY();
	FAULT();
	if (flags != 0) return E_INVALID_VALUE;
	pthread_mutex_lock(&mu);
	struct stream* st = stream_of(s);
	struct event* ev = e;
	if (st && ev->stream) {
		for (int i = 1; i <= NSTREAMS; i++) {
			if (ev->seen[i] > st->seen[i]) st->seen[i] = ev->seen[i];
		}
		if (ev->at > st->seen[ev->stream]) st->seen[ev->stream] = ev->at;
	}
	pthread_mutex_unlock(&mu);
	return st ? OK : E_INVALID_VALUE;
}

EXPORT CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t n) {
	CTX();
	STICKY();
	FAULT();
	if (n == 0) return E_INVALID_VALUE;
	pthread_mutex_lock(&mu);
	if (used + n > memsize) { pthread_mutex_unlock(&mu); return E_OUT_OF_MEMORY; }
	struct alloc* a = calloc(1, sizeof *a);
	a->p = dev_alloc(n);
	if (!a->p) { pthread_mutex_unlock(&mu); free(a); return E_OUT_OF_MEMORY; }
	a->n = n;
	a->next = allocs;
	allocs = a;
	used += n;
	*p = (CUdeviceptr)a->p;
	pthread_mutex_unlock(&mu);
	return OK;
}
EXPORT CUresult cuMemFree_v2(CUdeviceptr p) {
	CTX();
	pthread_mutex_lock(&mu);
	for (struct alloc** pa = &allocs; *pa; pa = &(*pa)->next) {
		if ((CUdeviceptr)(*pa)->p == p) {
			struct alloc* a = *pa;
			if (a->used.stream && host_done[a->used.stream] < a->used.at) { // freed while in use
				hazards++;
				char d[96];
				snprintf(d, sizeof d, "an allocation of %zu bytes last used on stream %d", a->n, a->used.stream);
				complain("a free before the host waited for the work that uses it", d);
			}
			*pa = a->next;
			used -= a->n;
			dev_free(a->p);
			free(a);
			pthread_mutex_unlock(&mu);
			return OK;
		}
	}
	bad_pointers++;
	pthread_mutex_unlock(&mu);
	return E_INVALID_VALUE;
}
EXPORT CUresult cuMemGetInfo_v2(size_t* f, size_t* t) {
	CTX();
	pthread_mutex_lock(&mu);
	*f = memsize - used;
	*t = memsize;
	pthread_mutex_unlock(&mu);
	return OK;
}
EXPORT CUresult cuMemHostAlloc(void** pp, size_t n, unsigned flags) {
	CTX();
	FAULT();
	(void)flags;
	if (n == 0) return E_INVALID_VALUE;
	struct pinned* a = malloc(sizeof *a);
	*pp = malloc(n);
	if (!a || !*pp) {
		free(a);
		free(*pp);
		return E_OUT_OF_MEMORY;
	}
	pthread_mutex_lock(&mu);
	*a = (struct pinned){*pp, n, pinned};
	pinned = a;
	live_host++;
	pthread_mutex_unlock(&mu);
	return OK;
}
EXPORT CUresult cuMemFreeHost(void* p) {
	pthread_mutex_lock(&mu);
	for (struct pinned** pa = &pinned; *pa; pa = &(*pa)->next) {
		if ((*pa)->p == p) {
			struct pinned* a = *pa;
			drop_flights(a->p, a->n, "pinned memory freed before the host waited for a copy that uses it");
			*pa = a->next;
			free(a);
			free(p);
			live_host--;
			pthread_mutex_unlock(&mu);
			return OK;
		}
	}
	pthread_mutex_unlock(&mu);
	return E_INVALID_VALUE;
}
EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, void* s) {
	CTX();
	STICKY();
	FAULT();
	pthread_mutex_lock(&mu);
	if ((long)n > largest_copy) largest_copy = (long)n;
	pthread_mutex_unlock(&mu);
	if (!inside(dst, n)) return E_INVALID_VALUE;
	pthread_mutex_lock(&mu);
	struct stream* st = stream_of(s);
	if (!st) {
		pthread_mutex_unlock(&mu);
		return E_INVALID_VALUE;
	}
	access(st, dst, 1, "a copy to the device");
	if (is_pinned(src, n)) take_off(st, 0, (char*)src, NULL, n);
	memcpy((void*)dst, src, n);
	pthread_mutex_unlock(&mu);
	return OK;
}
EXPORT CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, void* s) {
	CTX();
	STICKY();
	FAULT();
	pthread_mutex_lock(&mu);
	if ((long)n > largest_copy) largest_copy = (long)n;
	pthread_mutex_unlock(&mu);
	if (!inside(src, n)) return E_INVALID_VALUE;
	pthread_mutex_lock(&mu);
	struct stream* st = stream_of(s);
	if (!st) {
		pthread_mutex_unlock(&mu);
		return E_INVALID_VALUE;
	}
	access(st, src, 0, "a copy to the host");
	if (is_pinned(dst, n)) {
		take_off(st, 1, dst, (const char*)src, n);
	} else {
		memcpy(dst, (void*)src, n);
	}
	pthread_mutex_unlock(&mu);
	return OK;
}

// cuModuleLoadDataEx reads the JIT options CU_JIT_ERROR_LOG_BUFFER (5) and
// its size (6) of cuda.h.
EXPORT CUresult cuModuleLoadDataEx(void** m, const void* image, unsigned nopt, int* opts, void** vals) {
	CTX();
	STICKY();
	FAULT();
	char* log = NULL;
	size_t size = 0;
	for (unsigned i = 0; i < nopt; i++) {
		if (opts[i] == 5) log = vals[i];
		if (opts[i] == 6) size = (size_t)vals[i];
	}
	if (strncmp((const char*)image, "BADIMAGE", 8) == 0) {
		if (log && size > 0) snprintf(log, size, "fake JIT: line 1: this is not PTX");
		return E_INVALID_IMAGE;
	}
	CUresult r = OK;
#ifdef FAKECUDA_OPENCL
	if (strncmp((const char*)image, EMU_MARK, strlen(EMU_MARK)) == 0) {
		r = emu_load(m, (const char*)image + strlen(EMU_MARK), log, size);
	} else
#endif
		*m = (void*)0x10;
	if (r == OK) {
		pthread_mutex_lock(&mu);
		live_modules++;
		pthread_mutex_unlock(&mu);
	}
	return r;
}
EXPORT CUresult cuModuleUnload(void* m) {
	pthread_mutex_lock(&mu);
	live_modules--;
	pthread_mutex_unlock(&mu);
#ifdef FAKECUDA_OPENCL
	struct emu_module* em = m;
	if (em && em != (void*)0x10 && em->magic == MODULE_MAGIC) {
		pthread_mutex_lock(&launch_mu);
		pthread_mutex_lock(&mu);
		for (struct emu_module** p = &modules; *p; p = &(*p)->next) {
			if (*p == em) {
				*p = em->next;
				break;
			}
		}
		emu_drop(em);
		pthread_mutex_unlock(&mu);
		pthread_mutex_unlock(&launch_mu);
	}
#endif
	(void)m;
	return OK;
}

typedef void (*kernel)(unsigned threads, void** params);

static void k_add(unsigned threads, void** p) {
	uint32_t* a = *(uint32_t**)p[0];
	uint32_t n = *(uint32_t*)p[1], v = *(uint32_t*)p[2];
	for (uint32_t i = 0; i < threads && i < n; i++) a[i] += v;
}
static void k_mul(unsigned threads, void** p) {
	uint64_t* x = *(uint64_t**)p[0];
	uint32_t n = *(uint32_t*)p[1];
	uint64_t k = *(uint64_t*)p[2];
	for (uint32_t i = 0; i < threads && i < n; i++) x[i] *= k;
}
static void k_fault(unsigned threads, void** p) {
	(void)threads;
	(void)p;
	sticky = 1;
}

static const struct {
	const char* name;
	kernel fn;
} kernels[] = {{"add_u32", k_add}, {"mul_u64", k_mul}, {"fault", k_fault}};

EXPORT CUresult cuModuleGetFunction(void** f, void* m, const char* name) {
	CTX();
	FAULT();
#ifdef FAKECUDA_OPENCL
	if (m != (void*)0x10 && ((struct emu_module*)m)->magic == MODULE_MAGIC) return emu_function(f, m, name);
#endif
	(void)m;
	for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
		if (strcmp(kernels[i].name, name) == 0) {
			*f = (void*)&kernels[i];
			return OK;
		}
	}
	return E_NOT_FOUND;
}
EXPORT CUresult cuFuncGetAttribute(int* v, int attr, void* f) {
	CTX();
#ifdef FAKECUDA_OPENCL
	struct emu_func* ef = f;
	if (ef->magic == FUNC_MAGIC) {
		*v = attr == 0 ? (int)(ef->maxgroup < 1024 ? ef->maxgroup : 1024) : attr == 4 ? 32 : 0;
		return OK;
	}
#endif
	(void)f;
	*v = attr == 0 ? 1024 : attr == 4 ? 32 : 0;
	return OK;
}
EXPORT CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
		unsigned shmem, void* stream, void** params, void** extra) {
	CTX();
	STICKY();
	FAULT();
	(void)shmem;
	(void)extra;
	if (gy != 1 || gz != 1 || by != 1 || bz != 1 || bx == 0 || bx > 1024 || gx == 0) return E_INVALID_VALUE;
#ifdef FAKECUDA_OPENCL
	if (((struct emu_func*)f)->magic == FUNC_MAGIC) {
		pthread_mutex_lock(&mu);
		struct stream* est = stream_of(stream);
		pthread_mutex_unlock(&mu);
		if (!est) return E_INVALID_VALUE;
		CUresult r = emu_launch(f, gx, bx, est, params);
		pthread_mutex_lock(&mu);
		launches++;
		pthread_mutex_unlock(&mu);
		return r;
	}
#endif
	for (size_t i = 0; i < 3 && f != (void*)&kernels[2]; i++) {
		if (params == NULL || params[i] == NULL) return E_INVALID_VALUE;
	}
	pthread_mutex_lock(&mu);
	struct stream* st = stream_of(stream);
	if (st && f != (void*)&kernels[2]) access(st, *(CUdeviceptr*)params[0], 1, "a launch"); // the kernels write their first argument
	pthread_mutex_unlock(&mu);
	if (!st) return E_INVALID_VALUE;
	((kernel)(((const void**)f)[1]))(gx * bx, params);
	pthread_mutex_lock(&mu);
	launches++;
	pthread_mutex_unlock(&mu);
	return OK;
}

EXPORT CUresult cuEventCreate(void** e, unsigned flags) {
	CTX();
	FAULT();
	(void)flags;
	*e = calloc(1, sizeof(struct event));
	pthread_mutex_lock(&mu);
	live_events++;
	pthread_mutex_unlock(&mu);
	return OK;
}
EXPORT CUresult cuEventRecord(void* e, void* s) {
	CTX();
	FAULT();
	pthread_mutex_lock(&mu);
	struct stream* st = stream_of(s);
	struct event* ev = e;
	if (st) {
		ev->stream = st->id;
		ev->at = st->count;
		memcpy(ev->seen, st->seen, sizeof ev->seen);
		ev->ms = now_ms();
	}
	pthread_mutex_unlock(&mu);
	return st ? OK : E_INVALID_VALUE;
}
EXPORT CUresult cuEventSynchronize(void* e) {
	CTX();
	STICKY();
	FAULT();
	pthread_mutex_lock(&mu);
	struct event* ev = e;
	if (ev->stream) host_wait(ev->stream, ev->at, ev->seen);
	pthread_mutex_unlock(&mu);
	return OK;
}
// cuEventElapsedTime: 0.5 ms for every pair, or, emulated, the time
// between the records (the work between them ran at issue).
EXPORT CUresult cuEventElapsedTime(float* ms, void* a, void* b) {
	CTX();
#ifdef FAKECUDA_OPENCL
	double d = ((struct event*)b)->ms - ((struct event*)a)->ms;
	*ms = d > 0 ? (float)d : 0.0f;
#else
	(void)a;
	(void)b;
	*ms = 0.5f;
#endif
	return OK;
}
EXPORT CUresult cuEventDestroy_v2(void* e) {
	free(e);
	pthread_mutex_lock(&mu);
	live_events--;
	pthread_mutex_unlock(&mu);
	return OK;
}

EXPORT CUresult cuGetErrorName(CUresult code, const char** s) {
	switch (code) {
	case E_INVALID_VALUE: *s = "CUDA_ERROR_INVALID_VALUE"; break;
	case E_OUT_OF_MEMORY: *s = "CUDA_ERROR_OUT_OF_MEMORY"; break;
	case E_NO_DEVICE: *s = "CUDA_ERROR_NO_DEVICE"; break;
	case E_INVALID_IMAGE: *s = "CUDA_ERROR_INVALID_IMAGE"; break;
	case E_INVALID_CONTEXT: *s = "CUDA_ERROR_INVALID_CONTEXT"; break;
	case E_NOT_FOUND: *s = "CUDA_ERROR_NOT_FOUND"; break;
	case E_ILLEGAL_ADDRESS: *s = "CUDA_ERROR_ILLEGAL_ADDRESS"; break;
	case E_LAUNCH_FAILED: *s = "CUDA_ERROR_LAUNCH_FAILED"; break;
	case 222: *s = "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"; break;
	default: *s = NULL; return E_INVALID_VALUE;
	}
	return OK;
}
EXPORT CUresult cuGetErrorString(CUresult code, const char** s) {
	switch (code) {
	case E_OUT_OF_MEMORY: *s = "out of memory"; break;
	case E_ILLEGAL_ADDRESS: *s = "an illegal memory access was encountered"; break;
	default: *s = "fake error"; break;
	}
	return OK;
}

// Test hooks.

// take returns *v and sets it to 0.
static long take(long* v) {
	pthread_mutex_lock(&mu);
	long n = *v;
	*v = 0;
	pthread_mutex_unlock(&mu);
	return n;
}
EXPORT long fake_live_allocs(void) {
	long n = 0;
	pthread_mutex_lock(&mu);
	for (struct alloc* a = allocs; a; a = a->next) n++;
	pthread_mutex_unlock(&mu);
	return n;
}
EXPORT long fake_ctx_errors(void) { return ctx_errors; }
EXPORT long fake_bad_pointers(void) { return bad_pointers; }
EXPORT long fake_live_host(void) { return live_host; }
EXPORT long fake_launches(void) { return launches; }
EXPORT long fake_largest_copy(void) { return take(&largest_copy); }
EXPORT long fake_hazards(void) { return hazards; }
EXPORT long fake_clear_hazards(void) { return take(&hazards); }
EXPORT long fake_host_races(void) { return host_races; }
EXPORT long fake_clear_host_races(void) { return take(&host_races); }
// fake_in_flight is the number of copies of pinned memory the host has not
// waited for.
EXPORT long fake_in_flight(void) {
	long n = 0;
	pthread_mutex_lock(&mu);
	for (struct flight* f = flights; f; f = f->next) n++;
	pthread_mutex_unlock(&mu);
	return n;
}
EXPORT long fake_streams(void) { return nstreams; }
EXPORT long fake_live_events(void) { return live_events; }
EXPORT long fake_live_modules(void) { return live_modules; }

// fake_fail_at restarts the count of calls that can fail (see fault) and
// makes the k-th from now fail (0: none); fake_fault_calls is the count.
EXPORT long fake_fail_at(long k) {
	pthread_mutex_lock(&mu);
	fault_calls = 0;
	fault_at = k;
	pthread_mutex_unlock(&mu);
	return 0;
}
EXPORT long fake_fault_calls(void) { return fault_calls; }
// fake_poison sets how a sticky error outlives a reset (see poisoned);
// 0 also clears the sticky error.
EXPORT long fake_poison(long mode) {
	pthread_mutex_lock(&mu);
	poisoned = (int)mode;
	if (!mode) sticky = 0;
	pthread_mutex_unlock(&mu);
	return 0;
}
EXPORT long fake_fail_with(long code) {
	fault_code = (CUresult)code;
	return 0;
}
