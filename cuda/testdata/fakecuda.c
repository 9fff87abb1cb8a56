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
// hooks (fake_*) report what it saw. Built by the tests with the system C
// compiler; not part of zkaccel.
//
// It runs everything at once, but keeps the order a GPU would give: each
// stream counts its operations, an event holds the point of its stream it
// was recorded at (and what that stream had waited for), and a stream that
// waits for an event is ordered after that point. A copy, read or launch
// that touches an allocation whose last write (or, for a write, last use)
// on another stream it is not ordered after is a hazard, which a GPU would
// race on: fake_hazards counts them.
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
};

#define MEMSIZE (256ull << 20) // a 256 MiB device

struct ctx {
	int alive;
};
static struct ctx primary; // the one device's primary context
static __thread struct ctx* stack[16];
static __thread int depth;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int initialized, sticky;
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
};

// ordered reports whether stream st comes after point q. The caller holds mu.
static int ordered(struct stream* st, struct point q) {
	return q.stream == 0 || q.stream == st->id || st->seen[q.stream] >= q.at || host_done[q.stream] >= q.at;
}

// access records an operation of st on the allocation holding p (a write
// when write is set) and counts a hazard when it is not ordered after the
// accesses it depends on. The caller holds mu.
static void access(struct stream* st, CUdeviceptr p, int write) {
	st->count++;
	for (struct alloc* a = allocs; a; a = a->next) {
		if ((char*)p < a->p || (char*)p >= a->p + a->n) continue;
		if (!ordered(st, a->wrote) || (write && !ordered(st, a->used))) hazards++;
		struct point now = {st->id, st->count};
		a->used = now;
		if (write) a->wrote = now;
		return;
	}
}

// stream_of returns the stream of handle s (NULL: none known).
static struct stream* stream_of(void* s) {
	for (int i = 0; i < nstreams; i++) {
		if ((void*)&streams[i] == s) return &streams[i];
	}
	return NULL;
}

#define EXPORT __attribute__((visibility("default")))

// need_ctx: a context must be current and alive on this thread.
static CUresult need_ctx(void) {
	if (!initialized) return E_NOT_INITIALIZED;
	if (depth == 0 || !stack[depth - 1]->alive) {
		pthread_mutex_lock(&mu);
		ctx_errors++;
		pthread_mutex_unlock(&mu);
		return E_INVALID_CONTEXT;
	}
	return OK;
}

#define CTX() do { CUresult r_ = need_ctx(); if (r_) return r_; } while (0)
#define STICKY() do { if (sticky) return E_ILLEGAL_ADDRESS; } while (0)

// inside reports whether [p, p+n) lies in one live allocation.
static int inside(CUdeviceptr p, size_t n) {
	int ok = 0;
	pthread_mutex_lock(&mu);
	for (struct alloc* a = allocs; a; a = a->next) {
		if ((char*)p >= a->p && (char*)p + n <= a->p + a->n) { ok = 1; break; }
	}
	if (!ok) bad_pointers++;
	pthread_mutex_unlock(&mu);
	return ok;
}

EXPORT CUresult cuInit(unsigned flags) {
	if (flags != 0) return E_INVALID_VALUE;
	if (getenv("FAKECUDA_NO_DEVICE")) return E_NO_DEVICE;
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
EXPORT CUresult cuDeviceGetName(char* name, int len, int dev) {
	if (dev != 0 || len < 1) return E_INVALID_VALUE;
	snprintf(name, (size_t)len, "zkaccel fake GPU");
	return OK;
}
EXPORT CUresult cuDeviceTotalMem_v2(size_t* b, int dev) { *b = MEMSIZE; return dev ? E_INVALID_DEVICE : OK; }
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
	primary.alive = 1;
	*c = &primary;
	return OK;
}
EXPORT CUresult cuDevicePrimaryCtxRelease_v2(int dev) { return dev ? E_INVALID_DEVICE : OK; }
// cuDevicePrimaryCtxReset_v2 destroys the context's state: every allocation.
EXPORT CUresult cuDevicePrimaryCtxReset_v2(int dev) {
	if (dev != 0) return E_INVALID_DEVICE;
	pthread_mutex_lock(&mu);
	while (allocs) {
		struct alloc* a = allocs;
		allocs = a->next;
		free(a->p);
		free(a);
	}
	used = 0;
	sticky = 0;
	primary.alive = 0;
	nstreams = 0;
	memset(host_done, 0, sizeof host_done);
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
	pthread_mutex_lock(&mu);
	struct stream* st = stream_of(s);
	if (st) host_done[st->id] = st->count;
	pthread_mutex_unlock(&mu);
	return st ? OK : E_INVALID_VALUE;
}
EXPORT CUresult cuStreamDestroy_v2(void* s) { (void)s; return OK; }
EXPORT CUresult cuStreamWaitEvent(void* s, void* e, unsigned flags) {
	CTX();
	STICKY();
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
	if (n == 0) return E_INVALID_VALUE;
	pthread_mutex_lock(&mu);
	if (used + n > MEMSIZE) { pthread_mutex_unlock(&mu); return E_OUT_OF_MEMORY; }
	struct alloc* a = calloc(1, sizeof *a);
	a->p = malloc(n);
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
			if (a->used.stream && host_done[a->used.stream] < a->used.at) hazards++; // freed while in use
			*pa = a->next;
			used -= a->n;
			free(a->p);
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
	*f = MEMSIZE - used;
	*t = MEMSIZE;
	pthread_mutex_unlock(&mu);
	return OK;
}
EXPORT CUresult cuMemHostAlloc(void** pp, size_t n, unsigned flags) {
	CTX();
	(void)flags;
	*pp = malloc(n);
	pthread_mutex_lock(&mu);
	live_host++;
	pthread_mutex_unlock(&mu);
	return *pp ? OK : E_OUT_OF_MEMORY;
}
EXPORT CUresult cuMemFreeHost(void* p) {
	free(p);
	pthread_mutex_lock(&mu);
	live_host--;
	pthread_mutex_unlock(&mu);
	return OK;
}
EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, void* s) {
	CTX();
	STICKY();
	pthread_mutex_lock(&mu);
	if ((long)n > largest_copy) largest_copy = (long)n;
	pthread_mutex_unlock(&mu);
	if (!inside(dst, n)) return E_INVALID_VALUE;
	pthread_mutex_lock(&mu);
	struct stream* st = stream_of(s);
	if (st) access(st, dst, 1);
	pthread_mutex_unlock(&mu);
	if (!st) return E_INVALID_VALUE;
	memcpy((void*)dst, src, n);
	return OK;
}
EXPORT CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, void* s) {
	CTX();
	STICKY();
	pthread_mutex_lock(&mu);
	if ((long)n > largest_copy) largest_copy = (long)n;
	pthread_mutex_unlock(&mu);
	if (!inside(src, n)) return E_INVALID_VALUE;
	pthread_mutex_lock(&mu);
	struct stream* st = stream_of(s);
	if (st) access(st, src, 0);
	pthread_mutex_unlock(&mu);
	if (!st) return E_INVALID_VALUE;
	memcpy(dst, (void*)src, n);
	return OK;
}

// The JIT option numbers of cuda.h: CU_JIT_ERROR_LOG_BUFFER and its size.
EXPORT CUresult cuModuleLoadDataEx(void** m, const void* image, unsigned nopt, int* opts, void** vals) {
	CTX();
	STICKY();
	if (strncmp((const char*)image, "BADIMAGE", 8) == 0) {
		char* log = NULL;
		size_t size = 0;
		for (unsigned i = 0; i < nopt; i++) {
			if (opts[i] == 5) log = vals[i];
			if (opts[i] == 6) size = (size_t)vals[i];
		}
		if (log && size > 0) snprintf(log, size, "fake JIT: line 1: this is not PTX");
		return E_INVALID_IMAGE;
	}
	*m = (void*)0x10;
	return OK;
}
EXPORT CUresult cuModuleUnload(void* m) { (void)m; return OK; }

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
	(void)f;
	*v = attr == 0 ? 1024 : attr == 4 ? 32 : 0;
	return OK;
}
EXPORT CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
		unsigned shmem, void* stream, void** params, void** extra) {
	CTX();
	STICKY();
	(void)shmem;
	(void)extra;
	if (gy != 1 || gz != 1 || by != 1 || bz != 1 || bx == 0 || bx > 1024 || gx == 0) return E_INVALID_VALUE;
	for (size_t i = 0; i < 3 && f != (void*)&kernels[2]; i++) {
		if (params == NULL || params[i] == NULL) return E_INVALID_VALUE;
	}
	pthread_mutex_lock(&mu);
	struct stream* st = stream_of(stream);
	if (st && f != (void*)&kernels[2]) access(st, *(CUdeviceptr*)params[0], 1); // the kernels write their first argument
	pthread_mutex_unlock(&mu);
	if (!st) return E_INVALID_VALUE;
	((kernel)(((const void**)f)[1]))(gx * bx, params);
	pthread_mutex_lock(&mu);
	launches++;
	pthread_mutex_unlock(&mu);
	return OK;
}

EXPORT CUresult cuEventCreate(void** e, unsigned flags) { CTX(); (void)flags; *e = calloc(1, sizeof(struct event)); return OK; }
EXPORT CUresult cuEventRecord(void* e, void* s) {
	CTX();
	pthread_mutex_lock(&mu);
	struct stream* st = stream_of(s);
	struct event* ev = e;
	if (st) {
		ev->stream = st->id;
		ev->at = st->count;
		memcpy(ev->seen, st->seen, sizeof ev->seen);
	}
	pthread_mutex_unlock(&mu);
	return st ? OK : E_INVALID_VALUE;
}
EXPORT CUresult cuEventSynchronize(void* e) {
	CTX();
	STICKY();
	pthread_mutex_lock(&mu);
	struct event* ev = e;
	if (ev->stream && ev->at > host_done[ev->stream]) host_done[ev->stream] = ev->at;
	pthread_mutex_unlock(&mu);
	return OK;
}
EXPORT CUresult cuEventElapsedTime(float* ms, void* a, void* b) { CTX(); (void)a; (void)b; *ms = 0.5f; return OK; }
EXPORT CUresult cuEventDestroy_v2(void* e) { free(e); return OK; }

EXPORT CUresult cuGetErrorName(CUresult code, const char** s) {
	switch (code) {
	case E_INVALID_VALUE: *s = "CUDA_ERROR_INVALID_VALUE"; break;
	case E_OUT_OF_MEMORY: *s = "CUDA_ERROR_OUT_OF_MEMORY"; break;
	case E_NO_DEVICE: *s = "CUDA_ERROR_NO_DEVICE"; break;
	case E_INVALID_IMAGE: *s = "CUDA_ERROR_INVALID_IMAGE"; break;
	case E_INVALID_CONTEXT: *s = "CUDA_ERROR_INVALID_CONTEXT"; break;
	case E_NOT_FOUND: *s = "CUDA_ERROR_NOT_FOUND"; break;
	case E_ILLEGAL_ADDRESS: *s = "CUDA_ERROR_ILLEGAL_ADDRESS"; break;
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
EXPORT long fake_largest_copy(void) {
	pthread_mutex_lock(&mu);
	long n = largest_copy;
	largest_copy = 0;
	pthread_mutex_unlock(&mu);
	return n;
}
EXPORT long fake_hazards(void) { return hazards; }
EXPORT long fake_clear_hazards(void) {
	pthread_mutex_lock(&mu);
	long n = hazards;
	hazards = 0;
	pthread_mutex_unlock(&mu);
	return n;
}
EXPORT long fake_streams(void) { return nstreams; }
