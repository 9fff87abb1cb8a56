package cgo

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// MaxArgs is the most arguments a [Func] call may pass.
const MaxArgs = 12

// ErrNoCgo is returned by [Open] in a build without cgo (CGO_ENABLED=0):
// such a build cannot load device runtimes, and so has no devices but the
// CPU.
var ErrNoCgo = errors.New("built without cgo (CGO_ENABLED=0): device runtimes cannot be loaded")

// Library is an opened shared library and the symbols resolved in it. It is
// never closed: device runtimes stay loaded for the life of the process, as
// their drivers expect.
type Library struct {
	name string // the candidate name that opened
	h    unsafe.Pointer
	syms map[string]Func
}

// Func is a C function resolved in a [Library].
type Func struct {
	name string
	p    unsafe.Pointer
}

// Open opens the first of candidates that loads (dlopen with
// RTLD_NOW|RTLD_LOCAL) and resolves every symbol in symbols. It fails, naming
// every candidate tried and why, when none loads; and, naming the library
// and the symbol, when a symbol is missing, so that an old or partial
// runtime is refused at load time rather than crashing at its first use.
func Open(candidates []string, symbols []string) (*Library, error) {
	if len(candidates) == 0 {
		return nil, errors.New("zkaccel/cgo: open: no library names given")
	}
	if !Available {
		return nil, fmt.Errorf("zkaccel/cgo: open %s: %w", candidates[0], ErrNoCgo)
	}
	var tried []string
	for _, name := range candidates {
		h, err := dlopen(name)
		if err != nil {
			tried = append(tried, err.Error())
			continue
		}
		lib := &Library{name: name, h: h, syms: make(map[string]Func, len(symbols))}
		for _, s := range symbols {
			p, err := dlsym(h, s)
			if err != nil {
				return nil, fmt.Errorf("zkaccel/cgo: %s lacks symbol %s: %v", name, s, err)
			}
			lib.syms[s] = Func{name: s, p: p}
		}
		return lib, nil
	}
	return nil, fmt.Errorf("zkaccel/cgo: cannot open any of %s: %s", strings.Join(candidates, ", "), strings.Join(tried, "; "))
}

// Name is the candidate name under which the library was opened.
func (l *Library) Name() string { return l.name }

// Func returns a symbol resolved by [Open]; asking for one that was not in
// Open's list is an error (resolve everything up front).
func (l *Library) Func(name string) (Func, error) {
	f, ok := l.syms[name]
	if !ok {
		return Func{}, fmt.Errorf("zkaccel/cgo: %s: symbol %s was not resolved at open", l.name, name)
	}
	return f, nil
}

// Lookup resolves an optional symbol after opening (e.g. an extension a
// runtime may lack), reporting ok=false when it is absent.
func (l *Library) Lookup(name string) (Func, bool) {
	if f, ok := l.syms[name]; ok {
		return f, true
	}
	p, err := dlsym(l.h, name)
	if err != nil {
		return Func{}, false
	}
	f := Func{name: name, p: p}
	l.syms[name] = f
	return f, true
}

// Name is the symbol's name.
func (f Func) Name() string { return f.name }

// Valid reports whether f holds a function (a NULL entry of a table does
// not).
func (f Func) Valid() bool { return f.p != nil }

// Call calls the function with up to MaxArgs word-sized arguments and
// returns its word-sized result (zero-extended or truncated as the C type
// says: the caller converts it, e.g. int32(r) for a cl_int). Calling a zero
// Func, or passing more than MaxArgs arguments, is an error, never a crash.
//
// Pointers to Go memory passed as arguments must follow cgo's rules: the
// memory must not contain Go pointers, and must stay reachable until the
// call returns (use runtime.KeepAlive, or pin it).
func (f Func) Call(args ...uintptr) (uintptr, error) {
	if f.p == nil {
		return 0, errors.New("zkaccel/cgo: call of an unresolved function")
	}
	if len(args) > MaxArgs {
		return 0, fmt.Errorf("zkaccel/cgo: call %s: %d arguments, at most %d", f.name, len(args), MaxArgs)
	}
	return call(f.p, args), nil
}

// Symbol names a symbol and the Func that [Bind] stores it in: a runtime's
// table of entry points is a list of these.
type Symbol struct {
	Name string
	Func *Func
}

// Bind is [Open] that stores each resolved symbol in its Func.
func Bind(candidates []string, syms []Symbol) (*Library, error) {
	names := make([]string, len(syms))
	for i, s := range syms {
		names[i] = s.Name
	}
	lib, err := Open(candidates, names)
	if err != nil {
		return nil, err
	}
	for _, s := range syms {
		if *s.Func, err = lib.Func(s.Name); err != nil {
			return nil, err
		}
	}
	return lib, nil
}
