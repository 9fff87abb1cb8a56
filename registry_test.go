package zkaccel_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel"
)

// testDevice is a device of a test-only kind.
type testDevice struct {
	kind zkaccel.Kind
	ord  int
}

func (d *testDevice) Kind() zkaccel.Kind { return d.kind }
func (d *testDevice) Ordinal() int       { return d.ord }
func (d *testDevice) Name() string       { return "test device " + d.String() }
func (d *testDevice) String() string     { return fmt.Sprintf("%s:%d", d.kind, d.ord) }
func (d *testDevice) Memory() uint64     { return 1 << 30 }

// testBackend is a backend of a test-only kind that counts the calls of its
// Devices method.
type testBackend struct {
	kind  zkaccel.Kind
	devs  []zkaccel.Device
	err   error
	delay time.Duration // how long Devices takes, to widen race windows
	calls atomic.Int32
}

func newTestBackend(kind zkaccel.Kind, n int) *testBackend {
	b := &testBackend{kind: kind}
	for i := range n {
		b.devs = append(b.devs, &testDevice{kind: kind, ord: i})
	}
	return b
}

func (b *testBackend) Kind() zkaccel.Kind { return b.kind }

func (b *testBackend) Devices() ([]zkaccel.Device, error) {
	b.calls.Add(1)
	time.Sleep(b.delay)
	return b.devs, b.err
}

// kindSeq makes the kinds registered by a test unique, since a kind cannot
// be unregistered and tests may run more than once (-count).
var kindSeq atomic.Int32

func uniqueKind(prefix string) zkaccel.Kind {
	return zkaccel.Kind(fmt.Sprintf("%s%d", prefix, kindSeq.Add(1)))
}

func TestOpenCPU(t *testing.T) {
	for _, s := range []string{"cpu", "CPU", "cpu:0", " cpu "} {
		d, err := zkaccel.Open(s)
		if err != nil {
			t.Fatalf("Open(%q): %v", s, err)
		}
		if d != zkaccel.HostCPU() {
			t.Errorf("Open(%q) = %v, want HostCPU()", s, d)
		}
	}
}

func TestDevicesCPUFirst(t *testing.T) {
	devs := zkaccel.Devices()
	if len(devs) == 0 || devs[0] != zkaccel.HostCPU() {
		t.Fatalf("Devices() = %v; want the CPU first", devs)
	}
	for _, d := range devs[1:] {
		if d.Kind() == zkaccel.CPU {
			t.Errorf("Devices() lists a second CPU device %v", d)
		}
	}
}

func TestOpenRoundTrip(t *testing.T) {
	// Include a registered test backend, so that the loop covers more
	// than the CPU on machines without accelerators.
	zkaccel.Register(newTestBackend(uniqueKind("zzround"), 2))
	devs := zkaccel.Devices()
	if len(devs) < 3 {
		t.Fatalf("Devices() = %v; want at least the CPU and two test devices", devs)
	}
	seen := map[string]bool{}
	for _, d := range devs {
		s := d.String()
		if seen[s] {
			t.Errorf("Devices() lists %q twice", s)
		}
		seen[s] = true
		got, err := zkaccel.Open(s)
		if err != nil {
			t.Errorf("Open(%q): %v", s, err)
			continue
		}
		if got != d {
			t.Errorf("Open(%q) = %v (%p), want the device Devices() lists (%p)", s, got, got, d)
		}
		if d.Ordinal() == 0 {
			// A spec without an ordinal means ordinal 0.
			if got, err := zkaccel.Open(string(d.Kind())); err != nil || got != d {
				t.Errorf("Open(%q) = %v, %v; want %v", d.Kind(), got, err, d)
			}
		}
	}
}

func TestOpenAbsent(t *testing.T) {
	for _, s := range []string{"cpu:1", "nosuchkind", "nosuchkind:0", "fpga:999", "cuda:999", "opencl:999"} {
		d, err := zkaccel.Open(s)
		if err == nil {
			t.Errorf("Open(%q) = %v, nil; want an error", s, d)
			continue
		}
		if d != nil {
			t.Errorf("Open(%q) returned device %v with error %v", s, d, err)
		}
		if !errors.Is(err, zkaccel.ErrNoDevice) {
			t.Errorf("Open(%q) = %v; want an error wrapping ErrNoDevice", s, err)
		}
		if !strings.Contains(err.Error(), "cpu:0") {
			t.Errorf("Open(%q) = %v; want the error to list the present devices (cpu:0)", s, err)
		}
		if !strings.Contains(err.Error(), strings.TrimSpace(s)) {
			t.Errorf("Open(%q) = %v; want the error to name the spec", s, err)
		}
	}
}

func TestOpenBadSpec(t *testing.T) {
	for _, s := range []string{"", ":1", "cuda:-1", "cuda:x"} {
		if d, err := zkaccel.Open(s); err == nil {
			t.Errorf("Open(%q) = %v, nil; want an error", s, d)
		}
	}
}

func TestRegisterLazy(t *testing.T) {
	kind := uniqueKind("zztest")
	b := newTestBackend(kind, 2)
	b.delay = 5 * time.Millisecond
	zkaccel.Register(b)
	if n := b.calls.Load(); n != 0 {
		t.Fatalf("Register called the backend's Devices %d times; want 0 (lazy)", n)
	}
	spec1 := string(kind) + ":1"

	// Many concurrent first uses must load the backend once.
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i % 3 {
			case 0:
				if devs := zkaccel.Devices(); len(devs) < 3 {
					errs <- fmt.Errorf("Devices() = %v; want the test devices listed", devs)
				}
			case 1:
				if d, err := zkaccel.Open(spec1); err != nil || d != b.devs[1] {
					errs <- fmt.Errorf("Open(%q) = %v, %v; want %v", spec1, d, err, b.devs[1])
				}
			case 2:
				zkaccel.Backends()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for range 10 {
		zkaccel.Devices()
		zkaccel.Backends()
		if _, err := zkaccel.Open(spec1); err != nil {
			t.Fatalf("Open(%q): %v", spec1, err)
		}
	}
	if n := b.calls.Load(); n != 1 {
		t.Errorf("backend's Devices called %d times; want exactly 1", n)
	}

	// The test devices come after the CPU, in ordinal order.
	devs := zkaccel.Devices()
	if devs[0] != zkaccel.HostCPU() {
		t.Errorf("Devices()[0] = %v, want the CPU", devs[0])
	}
	idx := -1
	for i, d := range devs {
		if d == b.devs[0] {
			idx = i
		}
	}
	if idx < 1 || idx+1 >= len(devs) || devs[idx+1] != b.devs[1] {
		t.Errorf("Devices() = %v; want %v then %v after the CPU", devs, b.devs[0], b.devs[1])
	}

	// Open's error lists the present devices, the test devices among them.
	_, err := zkaccel.Open(string(kind) + ":2")
	if !errors.Is(err, zkaccel.ErrNoDevice) || !strings.Contains(err.Error(), spec1) {
		t.Errorf("Open(%s:2) = %v; want ErrNoDevice listing %s", kind, err, spec1)
	}

	var found bool
	for _, st := range zkaccel.Backends() {
		if st.Kind == kind {
			found = true
			if st.Err != nil || len(st.Devices) != 2 {
				t.Errorf("Backends() entry for %s = %+v; want 2 devices, no error", kind, st)
			}
		}
		if st.Kind == zkaccel.CPU {
			t.Errorf("Backends() lists the CPU")
		}
	}
	if !found {
		t.Errorf("Backends() does not list %s", kind)
	}
}

func TestRegisterUppercaseKind(t *testing.T) {
	// Kinds are lower case; specs are case-insensitive, so an upper-case
	// kind could never be opened by its own String().
	kind := zkaccel.Kind(strings.ToUpper(string(uniqueKind("zzupper"))))
	defer func() {
		if recover() == nil {
			t.Errorf("Register(%q) did not panic", kind)
		}
	}()
	zkaccel.Register(newTestBackend(kind, 1))
}

func TestRegisterBroken(t *testing.T) {
	kind := uniqueKind("zzbroken")
	cause := errors.New("libzz.so.1: cannot open shared object file")
	b := &testBackend{kind: kind, err: cause}
	zkaccel.Register(b)

	_, err := zkaccel.Open(string(kind))
	if err == nil {
		t.Fatalf("Open(%q) succeeded on a backend that fails to load", kind)
	}
	if !errors.Is(err, zkaccel.ErrNoDevice) {
		t.Errorf("Open(%q) = %v; want ErrNoDevice", kind, err)
	}
	if !strings.Contains(err.Error(), cause.Error()) {
		t.Errorf("Open(%q) = %v; want the backend's error %q in it", kind, err, cause)
	}
	if !strings.Contains(err.Error(), "cpu:0") {
		t.Errorf("Open(%q) = %v; want the present devices listed", kind, err)
	}

	var found bool
	for _, st := range zkaccel.Backends() {
		if st.Kind != kind {
			continue
		}
		found = true
		if !errors.Is(st.Err, cause) || len(st.Devices) != 0 {
			t.Errorf("Backends() entry = %+v; want no devices and the error %v", st, cause)
		}
		if !strings.Contains(st.Err.Error(), string(kind)) {
			t.Errorf("Backends() error %q does not name the kind %s", st.Err, kind)
		}
	}
	if !found {
		t.Errorf("Backends() does not list %s", kind)
	}
	for _, d := range zkaccel.Devices() {
		if d.Kind() == kind {
			t.Errorf("Devices() lists %v of a backend that failed to load", d)
		}
	}
	if n := b.calls.Load(); n != 1 {
		t.Errorf("failing backend's Devices called %d times; want 1", n)
	}
}

func TestRegisterMalformed(t *testing.T) {
	for name, mk := range map[string]func(k zkaccel.Kind) []zkaccel.Device{
		"wrong ordinal": func(k zkaccel.Kind) []zkaccel.Device { return []zkaccel.Device{&testDevice{kind: k, ord: 1}} },
		"wrong kind":    func(k zkaccel.Kind) []zkaccel.Device { return []zkaccel.Device{&testDevice{kind: "other", ord: 0}} },
		"nil device":    func(k zkaccel.Kind) []zkaccel.Device { return []zkaccel.Device{nil} },
	} {
		t.Run(name, func(t *testing.T) {
			kind := uniqueKind("zzbad")
			zkaccel.Register(&testBackend{kind: kind, devs: mk(kind)})
			_, err := zkaccel.Open(string(kind))
			if !errors.Is(err, zkaccel.ErrNoDevice) || !strings.Contains(err.Error(), "malformed") {
				t.Errorf("Open(%q) = %v; want ErrNoDevice about a malformed list", kind, err)
			}
			for _, d := range zkaccel.Devices() {
				if d == nil || d.Kind() == kind || d.Kind() == "other" {
					t.Errorf("Devices() lists %v from a malformed backend", d)
				}
			}
		})
	}
}

func TestRegisterPanics(t *testing.T) {
	dup := uniqueKind("zzdup")
	zkaccel.Register(newTestBackend(dup, 0))
	for name, b := range map[string]zkaccel.Backend{
		"nil":            nil,
		"cpu":            newTestBackend(zkaccel.CPU, 1),
		"CPU":            newTestBackend("CPU", 1),
		"empty":          newTestBackend("", 1),
		"colon":          newTestBackend("zz:x", 1),
		"space":          newTestBackend("zz x", 1),
		"duplicate":      newTestBackend(dup, 1),
		"duplicate case": newTestBackend(zkaccel.Kind(strings.ToUpper(string(dup))), 1),
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%s) did not panic", name)
				}
			}()
			zkaccel.Register(b)
		})
	}
	// The CPU is untouched.
	if d, err := zkaccel.Open("cpu"); err != nil || d != zkaccel.HostCPU() {
		t.Errorf("Open(cpu) = %v, %v after bad registrations", d, err)
	}
}
