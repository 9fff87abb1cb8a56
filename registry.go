package zkaccel

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Backend is what a device backend registers with [Register]. Its Devices
// method is called at most once, on the first call of [Devices], [Open] or
// [Default] that needs it (never in init), so that a runtime library is only
// opened when a caller asks for devices.
type Backend interface {
	// Kind is the kind of every device the backend returns.
	Kind() Kind
	// Devices opens the backend's runtime and lists its devices, with
	// ordinals 0, 1, … in order. An error means the runtime could not be
	// used (e.g. "libcuda.so.1: cannot open shared object file"); the kind
	// then has no devices, and the error is shown by [Backends].
	Devices() ([]Device, error)
}

// BackendStatus describes one registered backend after it was probed.
type BackendStatus struct {
	Kind    Kind     // the backend's kind
	Devices []Device // the devices it found
	Err     error    // why it found none, if it failed to load
}

type registered struct {
	backend Backend
	once    sync.Once
	devices []Device
	err     error
}

// EnvBackends is the environment variable that limits which backends
// load: a comma-separated list of kinds ("cuda", "cuda,fpga"). A backend
// whose kind it does not name opens no runtime and has no devices, and
// [Backends] says why. Unset or empty, every registered backend loads. The
// CPU is always present.
const EnvBackends = "ZKACCEL_BACKENDS"

// backendAllowed reports whether ZKACCEL_BACKENDS lets kind k load, and
// the error that says why not.
func backendAllowed(k Kind) error {
	v := strings.TrimSpace(os.Getenv(EnvBackends))
	if v == "" {
		return nil
	}
	for _, f := range strings.Split(v, ",") {
		if Kind(strings.ToLower(strings.TrimSpace(f))) == k {
			return nil
		}
	}
	return fmt.Errorf("zkaccel/%s: not loaded: %s=%s does not name it", k, EnvBackends, v)
}

func (r *registered) load() {
	r.once.Do(func() {
		if err := backendAllowed(r.backend.Kind()); err != nil {
			r.err = err
			return
		}
		devs, err := r.backend.Devices()
		if err != nil {
			if prefix := fmt.Sprintf("zkaccel/%s: ", r.backend.Kind()); strings.HasPrefix(err.Error(), prefix) {
				r.err = err // the backend already named itself
			} else {
				r.err = fmt.Errorf("zkaccel/%s: %w", r.backend.Kind(), err)
			}
			return
		}
		for i, d := range devs {
			if d == nil || d.Kind() != r.backend.Kind() || d.Ordinal() != i {
				r.err = fmt.Errorf("zkaccel/%s: backend returned a malformed device list (entry %d)", r.backend.Kind(), i)
				return
			}
		}
		r.devices = devs
	})
}

var (
	regMu    sync.RWMutex
	backends = map[Kind]*registered{}
)

// Register makes a backend's devices available. Backends call it from an
// init function, database/sql style; it does no loading. Registering nil, the
// CPU kind, or a kind twice is a programming error and panics at init.
func Register(b Backend) {
	if b == nil {
		panic("zkaccel: Register of a nil backend")
	}
	k := b.Kind()
	if k == "" || k == CPU || string(k) != strings.ToLower(string(k)) || strings.ContainsAny(string(k), ": ,") {
		panic(fmt.Sprintf("zkaccel: Register of backend with invalid kind %q (want lower case, not cpu, no ':', ' ' or ',')", b.Kind()))
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := backends[k]; dup {
		panic(fmt.Sprintf("zkaccel: Register called twice for kind %q", k))
	}
	backends[k] = &registered{backend: b}
}

// kindOrder sorts kinds: the known kinds first, in KnownKinds order, then
// the others alphabetically.
func kindOrder(kinds []Kind) {
	rank := func(k Kind) int {
		for i, kk := range KnownKinds() {
			if k == kk {
				return i
			}
		}
		return len(KnownKinds())
	}
	sort.Slice(kinds, func(i, j int) bool {
		ri, rj := rank(kinds[i]), rank(kinds[j])
		if ri != rj {
			return ri < rj
		}
		return kinds[i] < kinds[j]
	})
}

func registeredKinds() []*registered {
	regMu.RLock()
	kinds := make([]Kind, 0, len(backends))
	for k := range backends {
		kinds = append(kinds, k)
	}
	regMu.RUnlock()
	kindOrder(kinds)
	out := make([]*registered, len(kinds))
	regMu.RLock()
	for i, k := range kinds {
		out[i] = backends[k]
	}
	regMu.RUnlock()
	return out
}

// Backends probes every registered backend (loading its runtime on first
// use) and reports what each found. The CPU is not listed: it is always
// present.
func Backends() []BackendStatus {
	var out []BackendStatus
	for _, r := range registeredKinds() {
		r.load()
		out = append(out, BackendStatus{Kind: r.backend.Kind(), Devices: r.devices, Err: r.err})
	}
	return out
}

// Devices returns every device present: the CPU first (always present),
// then each backend's devices, CUDA, OpenCL and FPGA in that order.
func Devices() []Device {
	out := []Device{HostCPU()}
	for _, st := range Backends() {
		out = append(out, st.Devices...)
	}
	return out
}

// ParseSpec splits a device spec ("cuda", "cuda:1", "CPU") into its kind
// and ordinal; a spec without an ordinal means ordinal 0.
func ParseSpec(s string) (Kind, int, error) {
	k, ord, err := parseSpec(s)
	if err != nil {
		return "", 0, fmt.Errorf("zkaccel: %w", err)
	}
	return k, ord, nil
}

func parseSpec(s string) (Kind, int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", 0, fmt.Errorf("empty device spec")
	}
	name, num, hasNum := strings.Cut(s, ":")
	if name == "" {
		return "", 0, fmt.Errorf("device spec %q has no kind", s)
	}
	ord := 0
	if hasNum {
		n, err := strconv.Atoi(num)
		if err != nil || n < 0 {
			return "", 0, fmt.Errorf("device spec %q: ordinal %q is not a non-negative integer", s, num)
		}
		ord = n
	}
	return Kind(name), ord, nil
}

// Open returns the device named by spec: "cpu", "cuda" (the first CUDA
// device), "cuda:1", "opencl:0", "fpga:0". An unknown kind or an absent
// device is an error wrapping [ErrNoDevice] that lists the devices present
// (and, for a kind whose runtime failed to load, why).
func Open(spec string) (Device, error) {
	d, err := open(spec)
	if err != nil {
		return nil, fmt.Errorf("zkaccel: open %q: %w", spec, err)
	}
	return d, nil
}

// open is Open without the "zkaccel: open SPEC: " prefix on its errors.
func open(spec string) (Device, error) {
	k, ord, err := parseSpec(spec)
	if err != nil {
		return nil, err
	}
	if k == CPU {
		if ord != 0 {
			return nil, fmt.Errorf("%w: there is one CPU device, cpu:0 (present: %s)", ErrNoDevice, presentList())
		}
		return HostCPU(), nil
	}
	regMu.RLock()
	r := backends[k]
	regMu.RUnlock()
	if r == nil {
		known := make([]string, 0, 4)
		for _, kk := range KnownKinds() {
			known = append(known, string(kk))
		}
		return nil, fmt.Errorf("%w: unknown or unregistered device kind %q (kinds: %s; present: %s)",
			ErrNoDevice, k, strings.Join(known, ", "), presentList())
	}
	r.load()
	if r.err != nil {
		return nil, fmt.Errorf("%w: %v (present: %s)", ErrNoDevice, r.err, presentList())
	}
	if ord >= len(r.devices) {
		return nil, fmt.Errorf("%w: %d %s device(s) present (present: %s)", ErrNoDevice, len(r.devices), k, presentList())
	}
	return r.devices[ord], nil
}

func presentList() string {
	var names []string
	for _, d := range Devices() {
		names = append(names, d.String())
	}
	return strings.Join(names, ", ")
}
