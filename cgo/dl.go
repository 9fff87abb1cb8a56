//go:build cgo

package cgo

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>

#include <string.h>

// dlerror's message is thread-local, and a goroutine may move to another
// thread between two cgo calls: copy it into err within the same call.
static void zk_copyerr(char* err, int errlen) {
	const char* msg = dlerror();
	if (msg == NULL) msg = "unknown dl error";
	strncpy(err, msg, errlen - 1);
	err[errlen - 1] = 0;
}

static void* zk_dlopen(const char* name, char* err, int errlen) {
	void* h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) zk_copyerr(err, errlen);
	return h;
}

static void* zk_dlsym(void* h, const char* name, char* err, int errlen) {
	dlerror(); // clear: NULL is a valid symbol value only with an error set
	void* p = dlsym(h, name);
	if (p == NULL) zk_copyerr(err, errlen);
	return p;
}

typedef uintptr_t W;
typedef W (*fn0)(void);
typedef W (*fn1)(W);
typedef W (*fn2)(W, W);
typedef W (*fn3)(W, W, W);
typedef W (*fn4)(W, W, W, W);
typedef W (*fn5)(W, W, W, W, W);
typedef W (*fn6)(W, W, W, W, W, W);
typedef W (*fn7)(W, W, W, W, W, W, W);
typedef W (*fn8)(W, W, W, W, W, W, W, W);
typedef W (*fn9)(W, W, W, W, W, W, W, W, W);
typedef W (*fn10)(W, W, W, W, W, W, W, W, W, W);
typedef W (*fn11)(W, W, W, W, W, W, W, W, W, W, W);
typedef W (*fn12)(W, W, W, W, W, W, W, W, W, W, W, W);

// zk_call calls f with the first n words of a (n <= 12).
static W zk_call(void* f, int n, W* a) {
	switch (n) {
	case 0: return ((fn0)f)();
	case 1: return ((fn1)f)(a[0]);
	case 2: return ((fn2)f)(a[0], a[1]);
	case 3: return ((fn3)f)(a[0], a[1], a[2]);
	case 4: return ((fn4)f)(a[0], a[1], a[2], a[3]);
	case 5: return ((fn5)f)(a[0], a[1], a[2], a[3], a[4]);
	case 6: return ((fn6)f)(a[0], a[1], a[2], a[3], a[4], a[5]);
	case 7: return ((fn7)f)(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
	case 8: return ((fn8)f)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
	case 9: return ((fn9)f)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
	case 10: return ((fn10)f)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
	case 11: return ((fn11)f)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10]);
	default: return ((fn12)f)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11]);
	}
}
*/
import "C"

import (
	"errors"
	"strings"
	"unsafe"
)

// Available reports whether this build can open libraries (it was built
// with cgo).
const Available = true

// errLen bounds a copied dlerror message.
const errLen = 512

func dlopen(name string) (unsafe.Pointer, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	cerr := (*C.char)(C.calloc(errLen, 1))
	defer C.free(unsafe.Pointer(cerr))
	h := C.zk_dlopen(cname, cerr, errLen)
	if h == nil {
		return nil, errors.New(strings.TrimSpace(C.GoString(cerr)))
	}
	return h, nil
}

func dlsym(h unsafe.Pointer, name string) (unsafe.Pointer, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	cerr := (*C.char)(C.calloc(errLen, 1))
	defer C.free(unsafe.Pointer(cerr))
	p := C.zk_dlsym(h, cname, cerr, errLen)
	if p == nil {
		return nil, errors.New(strings.TrimSpace(C.GoString(cerr)))
	}
	return p, nil
}

// call invokes the C function at f with args (at most MaxArgs words).
func call(f unsafe.Pointer, args []uintptr) uintptr {
	var a [MaxArgs]C.W
	for i, v := range args {
		a[i] = C.W(v)
	}
	return uintptr(C.zk_call(f, C.int(len(args)), &a[0]))
}
