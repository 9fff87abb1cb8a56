package cgo

import (
	"runtime"
	"unsafe"
)

// Pins holds Go memory that C reads or writes during calls: every value is
// allocated on the heap and pinned (runtime.Pinner), so that it neither
// moves nor is freed until [Pins.Done]. Stack variables are never passed to
// C. Pinned memory holds only words (uintptr) and bytes, never Go pointers,
// as cgo's rules require.
//
//	var ps cgo.Pins
//	defer ps.Done()
//	n := ps.Word(0)
//	f.Call(cgo.Addr(n))
type Pins struct{ p runtime.Pinner }

// Word returns a pinned machine word holding v, for an out-parameter or a
// by-reference argument.
func (ps *Pins) Word(v uintptr) *uintptr {
	w := new(uintptr)
	*w = v
	ps.p.Pin(w)
	return w
}

// Words returns a pinned array holding vs (at least one word long).
func (ps *Pins) Words(vs ...uintptr) []uintptr {
	w := make([]uintptr, len(vs), max(1, len(vs)))
	copy(w, vs)
	ps.p.Pin(unsafe.SliceData(w))
	return w
}

// Bytes pins b and returns the address of its first byte (0 for an empty b).
func (ps *Pins) Bytes(b []byte) uintptr {
	if len(b) == 0 {
		return 0
	}
	ps.p.Pin(&b[0])
	return uintptr(unsafe.Pointer(&b[0]))
}

// CString returns the address of a pinned NUL-terminated copy of s.
func (ps *Pins) CString(s string) uintptr {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return ps.Bytes(b)
}

// Done unpins everything; the addresses handed out must no longer be used.
func (ps *Pins) Done() { ps.p.Unpin() }

// Addr is the address of a word from [Pins.Word].
func Addr(w *uintptr) uintptr { return uintptr(unsafe.Pointer(w)) }

// Addrs is the address of the first word of an array from [Pins.Words].
func Addrs(w []uintptr) uintptr { return uintptr(unsafe.Pointer(&w[0])) }

// CStringAt returns the NUL-terminated C string at address p (C memory,
// such as a runtime's static error names), reading at most limit bytes; ""
// for p = 0.
func CStringAt(p uintptr, limit int) string {
	if p == 0 || limit <= 0 {
		return ""
	}
	// p is C memory that the Go garbage collector does not manage.
	b := unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&p))), limit)
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// FuncAt is the C function at address p (a function pointer read from a
// table a library returned), named name in errors. A zero p gives a Func
// whose Call fails.
func FuncAt(name string, p uintptr) Func {
	return Func{name: name, p: *(*unsafe.Pointer)(unsafe.Pointer(&p))}
}

// ReadWords copies n machine words from C memory at address p (a table a
// library returned); nil for p = 0.
func ReadWords(p uintptr, n int) []uintptr {
	if p == 0 || n <= 0 {
		return nil
	}
	base := *(*unsafe.Pointer)(unsafe.Pointer(&p))
	out := make([]uintptr, n)
	// Word by word: a copy() from this slice crashes go1.26.8's compiler
	// (disjointTypes) where it inlines into its caller.
	for i := range out {
		out[i] = *(*uintptr)(unsafe.Add(base, i*int(unsafe.Sizeof(uintptr(0)))))
	}
	return out
}
