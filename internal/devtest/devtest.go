// Package devtest is the test harness shared by zkaccel's tests: it runs a
// test on every device present ([ForEachDevice]), turns an absent device into
// a skip with a reason unless ZKACCEL_REQUIRE demands it, and draws a logged,
// reproducible seed ([Seed]).
package devtest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel"
	_ "github.com/zkaccel/zkaccel/backends" // every shipped backend: tests run on every device present
	"github.com/zkaccel/zkaccel/gpu"
)

// EnvRequire names the devices that must be present, as a comma-separated
// list of kinds or specs ("cuda", "cuda:1", "opencl"). On a machine with a
// GPU, setting it turns a missing device into a failure instead of a skip.
const EnvRequire = "ZKACCEL_REQUIRE"

// EnvSeed fixes the seed of [Seed], to reproduce a failure.
const EnvSeed = "ZKACCEL_SEED"

// Require parses ZKACCEL_REQUIRE into device specs, lower-cased, in the
// order given; an empty or unset variable requires nothing.
func Require() ([]string, error) { return ParseRequire(os.Getenv(EnvRequire)) }

// ParseRequire parses a ZKACCEL_REQUIRE value (see [Require]).
func ParseRequire(v string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(v, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		if _, _, err := zkaccel.ParseSpec(f); err != nil {
			return nil, fmt.Errorf("%s=%q: %w", EnvRequire, v, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// Required reports whether ZKACCEL_REQUIRE names dev, by its kind alone
// ("opencl") or by its spec ("opencl:0"). The conformance suite then
// requires every call on dev to run on it, without a CPU fallback.
func Required(dev zkaccel.Device) bool {
	specs, err := Require()
	if err != nil || dev == nil {
		return false
	}
	for _, s := range specs {
		if s == string(dev.Kind()) || s == dev.String() {
			return true
		}
	}
	return false
}

// Entry is one subtest [ForEachDevice] runs: a device to test, or a device
// that is absent, to skip (Skip set) or to fail on (Fatal set).
type Entry struct {
	Name  string         // the subtest's name: the device spec, or the absent kind or spec
	Dev   zkaccel.Device // nil for an absent device
	Skip  string         // why an absent device is skipped
	Fatal string         // why an absent device is a failure (ZKACCEL_REQUIRE names it)
}

// Plan decides what [ForEachDevice] runs, given the devices present, the
// backends' status (zkaccel.Backends()) and the required specs: one entry
// per present device; one failing entry per required spec that no present
// device satisfies; and one skipped entry per known kind (CUDA, OpenCL,
// FPGA) that has no device and is not required, saying why it has none.
func Plan(devs []zkaccel.Device, backends []zkaccel.BackendStatus, required []string) []Entry {
	var out []Entry
	present := map[string]bool{}
	hasKind := map[zkaccel.Kind]bool{}
	for _, d := range devs {
		out = append(out, Entry{Name: d.String(), Dev: d})
		present[d.String()] = true
		hasKind[d.Kind()] = true
	}
	requiredKind := map[zkaccel.Kind]bool{}
	for _, spec := range required {
		k, ord, err := zkaccel.ParseSpec(spec)
		if err != nil {
			out = append(out, Entry{Name: spec, Fatal: err.Error()})
			continue
		}
		requiredKind[k] = true
		if present[fmt.Sprintf("%s:%d", k, ord)] {
			continue
		}
		why := absence(k, backends)
		if hasKind[k] {
			why = fmt.Sprintf("no device %s:%d among the %s devices present", k, ord, k)
		}
		out = append(out, Entry{Name: spec, Fatal: fmt.Sprintf("%s=%s requires %s, but %s", EnvRequire, strings.Join(required, ","), spec, why)})
	}
	for _, k := range zkaccel.KnownKinds() {
		if k == zkaccel.CPU || hasKind[k] || requiredKind[k] {
			continue
		}
		out = append(out, Entry{Name: string(k), Skip: fmt.Sprintf("no %s device: %s (set %s=%s to make this a failure)", k, absence(k, backends), EnvRequire, k)})
	}
	return out
}

// absence says why kind k has no device.
func absence(k zkaccel.Kind, backends []zkaccel.BackendStatus) string {
	for _, b := range backends {
		if b.Kind != k {
			continue
		}
		if b.Err != nil {
			return fmt.Sprintf("the %s backend failed to load: %v", k, b.Err)
		}
		if len(b.Devices) == 0 {
			return fmt.Sprintf("the %s backend found no devices", k)
		}
		return fmt.Sprintf("the %s backend found %d device(s)", k, len(b.Devices))
	}
	return fmt.Sprintf("no %s backend is registered in this build", k)
}

// ForEachDevice runs fn as a subtest, named by the device's spec, for every
// device present (zkaccel.Devices(): the CPU always). For each known kind
// with no device it adds a subtest that is skipped with the reason, or that
// fails when ZKACCEL_REQUIRE names that kind (or a spec of it).
func ForEachDevice(t *testing.T, fn func(t *testing.T, dev zkaccel.Device)) {
	t.Helper()
	required, err := Require()
	if err != nil {
		t.Fatal(err)
	}
	RunPlan(t, Plan(zkaccel.Devices(), zkaccel.Backends(), required), fn)
}

// RunPlan runs the entries of a [Plan]: fn on each device, a skip or a
// failure for each absent one.
func RunPlan(t *testing.T, plan []Entry, fn func(t *testing.T, dev zkaccel.Device)) {
	t.Helper()
	for _, e := range plan {
		t.Run(e.Name, func(t *testing.T) {
			switch {
			case e.Fatal != "":
				t.Fatal(e.Fatal)
			case e.Skip != "":
				t.Skip(e.Skip)
			default:
				fn(t, e.Dev)
			}
		})
	}
}

// Seed returns the seed for a test's random inputs: ZKACCEL_SEED when set,
// else one drawn from the clock. It logs the seed, so that a failure can be
// reproduced with ZKACCEL_SEED=… go test -run ….
func Seed(t testing.TB) int64 {
	t.Helper()
	if v := os.Getenv(EnvSeed); v != "" {
		s, err := strconv.ParseInt(v, 0, 64)
		if err != nil {
			t.Fatalf("%s=%q: not an integer: %v", EnvSeed, v, err)
		}
		t.Logf("seed %d (from %s)", s, EnvSeed)
		return s
	}
	s := time.Now().UnixNano()
	t.Logf("seed %d (reproduce with %s=%d)", s, EnvSeed, s)
	return s
}

// Absent ends a test that needs a device of kind when there is none: a
// skip saying why, or a failure where ZKACCEL_REQUIRE names the kind (or
// one of its devices).
func Absent(t testing.TB, kind zkaccel.Kind, why string) {
	t.Helper()
	req, err := Require()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range req {
		if k, _, _ := zkaccel.ParseSpec(r); k == kind {
			t.Fatalf("%s=%s requires %s, but: %s", EnvRequire, r, kind, why)
		}
	}
	t.Skipf("%s (set %s=%s to make this a failure)", why, EnvRequire, kind)
}

// MustRun reports whether every call of op on dev must run on dev itself,
// without a CPU fallback: ZKACCEL_REQUIRE names dev, and dev runs op (a
// zkaccel.PartialDevice says which ops it runs). op is an operation
// ("msm") or an operation on one curve or field ("poseidon2/goldilocks"),
// which a device that runs the whole operation runs too.
func MustRun(dev zkaccel.Device, op string) bool {
	if !Required(dev) {
		return false
	}
	if p, ok := dev.(zkaccel.PartialDevice); ok {
		base, _, _ := strings.Cut(op, "/")
		return p.Supports(op) || p.Supports(base)
	}
	return true
}

// memRuntime is a GPU runtime that reports mem bytes of device memory.
type memRuntime struct {
	gpu.Runtime
	mem uint64
}

func (r memRuntime) Memory() uint64 { return r.mem }

// WithMemory returns a device over d's runtime that reports mem bytes of
// device memory: a GPU of that size to what plans by it (what LoadPoints
// keeps, the room a call plans for), whose allocations are still d's. Call
// its ReleaseCache when done.
func WithMemory(d *gpu.Device, mem uint64) *gpu.Device {
	return gpu.NewDevice(like(memRuntime{d.Runtime(), mem}, d.Runtime(), nil))
}

// besideReader is a runtime that reads device memory beside the kernels
// queued after a mark (gpu's besideReader: CUDA's copy stream).
type besideReader interface {
	Mark() (gpu.Mark, error)
	ReadAfter(m gpu.Mark, dst []byte, src gpu.Buffer, off int) error
}

// typed is a runtime with the OpenCL device type typ ("cpu", "gpu"; "" as
// a runtime without one), which gpu's OnHost and its choice of OpenCL
// kernel forms read.
type typed struct {
	gpu.Runtime
	typ   string
	inner gpu.Runtime // the runtime dressed as
}

// Type is the OpenCL device type.
func (t typed) Type() string { return t.typ }

// Generation is the inner runtime's count of device resets (gpu's
// generationRuntime: CUDA's context resets), 0 where it counts none.
func (t typed) Generation() uint64 {
	if g, ok := t.inner.(interface{ Generation() uint64 }); ok {
		return g.Generation()
	}
	return 0
}

// typedBeside is a typed runtime that reads beside later kernels.
type typedBeside struct {
	typed
	besideReader
}

// like returns rt, a runtime wrapping inner, dressed as inner where the
// gpu package chooses its paths by optional methods of a device's runtime:
// inner's OpenCL device type, its count of device resets and, where inner
// reads beside later kernels (CUDA), those reads, made through br (inner's own where br is nil). A
// wrapper that only embedded gpu.Runtime would hide them, and its device
// would take other paths than inner's (on POCL, the OpenCL GPU forms and a
// GPU's plans; on CUDA, reads after every kernel). The optional methods
// that only report (times, telemetry, a memory meter) are not kept.
func like(rt, inner gpu.Runtime, br besideReader) gpu.Runtime {
	t := typed{Runtime: rt, inner: inner}
	if ti, ok := inner.(interface{ Type() string }); ok {
		t.typ = ti.Type()
	}
	ib, ok := inner.(besideReader)
	if !ok {
		return t
	}
	if br == nil {
		br = ib
	}
	return typedBeside{t, br}
}

// Crowded returns a device over d's runtime that reports mem bytes of
// memory and already keeps another key's points (BN254 G1 points at
// infinity, without window multiples), so that at most room bytes, and
// fewer than room plus one such point, are left of its share for resident
// data (half of its memory: what gpu's LoadPoints keeps), and a function
// that frees those points and the device's caches. mem must be at least
// 4·room, so that the points fill more than a quarter of it: window
// multiples then fit neither them nor anything loaded after.
func Crowded(d *gpu.Device, mem, room uint64) (*gpu.Device, func(), error) {
	if mem < 4*room {
		return nil, nil, fmt.Errorf("devtest.Crowded: %d bytes of memory, want at least 4 × the room (%d)", mem, room)
	}
	small := WithMemory(d, mem)
	const ps = 64 // a BN254 G1 affine point
	n := int((mem/2 - room + ps - 1) / ps)
	held, err := small.LoadPoints(zkaccel.BN254, zkaccel.G1, make([]byte, n*ps), n)
	if err != nil {
		small.ReleaseCache()
		return nil, nil, fmt.Errorf("devtest.Crowded: %w", err)
	}
	release := func() {
		held.Free()
		small.ReleaseCache()
	}
	if got := small.ResidentBytes(); got != uint64(n*ps) {
		release()
		return nil, nil, fmt.Errorf("devtest.Crowded: %d points keep %d bytes, want %d", n, got, n*ps)
	}
	return small, release, nil
}
