package cgo

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// libc is opened by its SONAME on glibc systems (Debian here and in CI).
var libc = []string{"libc.so.6"}

func TestOpenAndCall(t *testing.T) {
	if !Available {
		t.Skip("built without cgo")
	}
	lib, err := Open(libc, []string{"strlen", "getpid", "memset"})
	if err != nil {
		t.Fatal(err)
	}
	if lib.Name() != "libc.so.6" {
		t.Errorf("Name() = %q", lib.Name())
	}
	strlen, err := lib.Func("strlen")
	if err != nil {
		t.Fatal(err)
	}
	s := []byte("zkaccel\x00")
	n, err := strlen.Call(uintptr(unsafe.Pointer(&s[0])))
	if err != nil || n != 7 {
		t.Errorf("strlen(\"zkaccel\") = %d, %v; want 7", n, err)
	}
	getpid, _ := lib.Func("getpid")
	if pid, err := getpid.Call(); err != nil || int32(pid) != int32(os.Getpid()) {
		t.Errorf("getpid() = %d, %v; want %d", int32(pid), err, os.Getpid())
	}
	// Three arguments, and the result is the first argument back.
	memset, _ := lib.Func("memset")
	buf := make([]byte, 16)
	r, err := memset.Call(uintptr(unsafe.Pointer(&buf[0])), 0xAB, 10)
	if err != nil || r != uintptr(unsafe.Pointer(&buf[0])) {
		t.Errorf("memset returned %#x, %v", r, err)
	}
	for i, b := range buf {
		if want := byte(0xAB); (i < 10 && b != want) || (i >= 10 && b != 0) {
			t.Fatalf("after memset(buf, 0xAB, 10): buf = % x", buf)
		}
	}
}

func TestManyArguments(t *testing.T) {
	if !Available {
		t.Skip("built without cgo")
	}
	// snprintf takes a variadic tail; with only integer arguments, passing
	// them as words exercises the 12-argument trampoline on amd64/arm64
	// (variadic integer arguments travel like fixed ones there).
	lib, err := Open(libc, []string{"snprintf"})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := lib.Func("snprintf")
	buf := make([]byte, 64)
	format := []byte("%ld %ld %ld %ld %ld %ld %ld %ld %ld\x00")
	args := []uintptr{uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), uintptr(unsafe.Pointer(&format[0]))}
	for i := 1; i <= 9; i++ {
		args = append(args, uintptr(i*11))
	}
	n, err := f.Call(args...)
	if err != nil {
		t.Fatal(err)
	}
	got := string(buf[:n])
	if want := "11 22 33 44 55 66 77 88 99"; got != want {
		t.Errorf("snprintf with 12 arguments wrote %q; want %q", got, want)
	}
}

func TestErrors(t *testing.T) {
	if !Available {
		_, err := Open(libc, nil)
		if !errors.Is(err, ErrNoCgo) {
			t.Fatalf("Open without cgo: %v; want ErrNoCgo", err)
		}
		return
	}
	_, err := Open([]string{"libzkaccel-does-not-exist.so.1", "libnor-this.so"}, nil)
	if err == nil || !strings.Contains(err.Error(), "libzkaccel-does-not-exist.so.1") || !strings.Contains(err.Error(), "libnor-this.so") {
		t.Errorf("Open of missing libraries: %v; want both names in the error", err)
	}
	_, err = Open(libc, []string{"strlen", "zkaccel_no_such_symbol"})
	if err == nil || !strings.Contains(err.Error(), "zkaccel_no_such_symbol") {
		t.Errorf("Open with a missing symbol: %v; want the symbol named", err)
	}
	if _, err := Open(nil, nil); err == nil {
		t.Error("Open with no candidates succeeded")
	}
	lib, err := Open(libc, []string{"strlen"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Func("getpid"); err == nil {
		t.Error("Func of a symbol not resolved at open succeeded")
	}
	if _, ok := lib.Lookup("zkaccel_no_such_symbol"); ok {
		t.Error("Lookup of a missing symbol reported ok")
	}
	if f, ok := lib.Lookup("getpid"); !ok || f.Name() != "getpid" {
		t.Error("Lookup of getpid failed")
	}
	if _, err := (Func{}).Call(); err == nil {
		t.Error("Call of a zero Func succeeded")
	}
	f, _ := lib.Func("strlen")
	if _, err := f.Call(make([]uintptr, MaxArgs+1)...); err == nil {
		t.Error("Call with too many arguments succeeded")
	}
}

func TestPinsAndCStringAt(t *testing.T) {
	if !Available {
		t.Skip("built without cgo")
	}
	libc, err := Open([]string{"libc.so.6"}, []string{"strlen", "strncpy"})
	if err != nil {
		t.Fatal(err)
	}
	strlen, _ := libc.Func("strlen")
	strncpy, _ := libc.Func("strncpy")
	var ps Pins
	defer ps.Done()
	s := ps.CString("hello, pins")
	if n, _ := strlen.Call(s); n != 11 {
		t.Errorf("strlen = %d", n)
	}
	if got := CStringAt(s, 64); got != "hello, pins" {
		t.Errorf("CStringAt = %q", got)
	}
	if got := CStringAt(s, 5); got != "hello" {
		t.Errorf("CStringAt(limit 5) = %q", got)
	}
	if got := CStringAt(0, 5); got != "" {
		t.Errorf("CStringAt(0) = %q", got)
	}
	dst := make([]byte, 8)
	strncpy.Call(ps.Bytes(dst), s, 5)
	if string(dst[:5]) != "hello" {
		t.Errorf("strncpy into pinned bytes: %q", dst)
	}
	w := ps.Words(1, 2, 3)
	if Addrs(w) == 0 || Addr(ps.Word(7)) == 0 || ps.Bytes(nil) != 0 {
		t.Error("addresses")
	}
}
