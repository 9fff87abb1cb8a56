package zkaccel

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode"
)

// Crossovers are the sizes from which a device that zkaccel chooses
// automatically runs each operation: below its crossover, or for an
// operation without one, a call runs on the CPU instead (see
// [LookupDefault]). They are measured on the machine itself by
// `zkaccel tune`, which times each operation on the device and on the CPU
// over a range of sizes, and kept in a file per device under the cache
// directory ([CrossoverPath]). Where a machine has measured none for a
// device, the crossovers that ship with zkaccel for that device model
// apply ([ShippedCrossovers]). A device with neither is never chosen
// automatically.
type Crossovers struct {
	Kind   Kind   `json:"kind"`
	Device string `json:"device"` // the device's Name
	Driver string `json:"driver,omitempty"`
	Date   string `json:"date,omitempty"`   // when they were measured (RFC 3339)
	Commit string `json:"commit,omitempty"` // zkaccel's commit that measured them
	// Ops maps an operation, as [Report.Op] names it ("msm bn254 g1",
	// "ntt goldilocks fft", …), to the smallest size N that runs on the
	// device.
	Ops map[string]int `json:"ops"`
	// Machine says, in words, where they were measured: the host's CPU,
	// its threads, its OS and architecture (`zkaccel tune` fills it in).
	Machine string `json:"machine,omitempty"`
	// Shipped is set on crossovers that came with zkaccel, measured on
	// another machine with this device model, rather than on this one.
	Shipped bool `json:"-"`
}

// shippedFS holds the crossovers that ship with zkaccel, in crossover/,
// named as [CrossoverPath] names the files of this machine.
//
//go:embed crossover
var shippedFS embed.FS

// shipped is the folder of shipped crossovers (tests replace it).
var shipped fs.FS = func() fs.FS {
	sub, err := fs.Sub(shippedFS, "crossover")
	if err != nil {
		panic(err) // a constant, valid path
	}
	return sub
}()

// EnvCacheDir names the root directory of zkaccel's caches (default:
// os.UserCacheDir()/zkaccel): compiled device programs in its opencl/ and
// cuda/ subdirectories, measured crossovers in crossover/.
const EnvCacheDir = "ZKACCEL_CACHE_DIR"

// CrossoverDir returns the directory of the crossover files, or "" when
// there is no cache directory.
func CrossoverDir() string {
	root := os.Getenv(EnvCacheDir)
	if root == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		root = filepath.Join(base, "zkaccel")
	}
	return filepath.Join(root, "crossover")
}

// CrossoverPath returns the path of dev's crossover file:
// <CrossoverDir>/<kind>-<name>.json, the name lower-cased with every run of
// other characters than letters and digits made one '-'. It is "" when
// there is no cache directory.
func CrossoverPath(dev Device) string {
	dir := CrossoverDir()
	if dir == "" || dev == nil {
		return ""
	}
	return filepath.Join(dir, crossoverFile(dev))
}

// crossoverFile is the name of dev's crossover file: <kind>-<name>.json.
func crossoverFile(dev Device) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(dev.Name()) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.TrimSuffix(b.String(), "-")
	if name == "" {
		name = "device"
	}
	return string(dev.Kind()) + "-" + name + ".json"
}

// LoadCrossovers reads dev's crossover file: nil and no error where there
// is none, an error where it is unreadable, malformed or another device's.
func LoadCrossovers(dev Device) (*Crossovers, error) {
	path := CrossoverPath(dev)
	if path == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("zkaccel: crossovers of %v: %w", dev, err)
	}
	return parseCrossovers(dev, raw, path)
}

// ShippedCrossovers returns the crossovers that ship with zkaccel for
// dev's model (its kind and name), measured on the machine their Machine
// field names: nil and no error where none ship. They apply where this
// machine has measured none (LoadCrossovers); `zkaccel tune` measures this
// machine's own, which then take their place.
func ShippedCrossovers(dev Device) (*Crossovers, error) {
	if dev == nil {
		return nil, nil
	}
	name := crossoverFile(dev)
	raw, err := fs.ReadFile(shipped, name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("zkaccel: shipped crossovers of %v: %w", dev, err)
	}
	c, err := parseCrossovers(dev, raw, "shipped "+name)
	if err != nil {
		return nil, err
	}
	c.Shipped = true
	return c, nil
}

// parseCrossovers reads a crossover file (named where in errors) and
// checks that it is dev's and that every N is at least 1.
func parseCrossovers(dev Device, raw []byte, where string) (*Crossovers, error) {
	var c Crossovers
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("zkaccel: crossovers of %v: %s: %w", dev, where, err)
	}
	if c.Kind != dev.Kind() || c.Device != dev.Name() {
		return nil, fmt.Errorf("zkaccel: crossovers of %v: %s is for %s %q", dev, where, c.Kind, c.Device)
	}
	for op, n := range c.Ops {
		if n < 1 {
			return nil, fmt.Errorf("zkaccel: crossovers of %v: %s: %q has N = %d", dev, where, op, n)
		}
	}
	return &c, nil
}

// SaveCrossovers writes c as dev's crossover file (atomically: a reader
// sees the old file or the new one), setting its Kind and Device, and makes
// this process use it.
func SaveCrossovers(dev Device, c *Crossovers) error {
	if dev == nil || c == nil {
		return errors.New("zkaccel: SaveCrossovers: nil device or crossovers")
	}
	path := CrossoverPath(dev)
	if path == "" {
		return errors.New("zkaccel: SaveCrossovers: no cache directory (set " + EnvCacheDir + ")")
	}
	for op, n := range c.Ops {
		if n < 1 {
			return fmt.Errorf("zkaccel: SaveCrossovers: %q has N = %d", op, n)
		}
	}
	c.Kind, c.Device = dev.Kind(), dev.Name()
	raw, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("zkaccel: SaveCrossovers: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("zkaccel: SaveCrossovers: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".crossover-*")
	if err != nil {
		return fmt.Errorf("zkaccel: SaveCrossovers: %w", err)
	}
	_, werr := tmp.Write(append(raw, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("zkaccel: SaveCrossovers: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("zkaccel: SaveCrossovers: %w", err)
	}
	ForgetCrossovers()
	return nil
}

// crossoverCache holds each device's crossovers once read (nil: none).
var crossoverCache struct {
	sync.Mutex
	byDevice map[Device]*Crossovers
}

// CrossoversOf returns the crossovers that the automatic choice uses for
// dev: this machine's (LoadCrossovers), else the shipped ones for its
// model (ShippedCrossovers; Shipped is then set), else nil. They are read
// once per process; a file that cannot be read counts as none, with a
// ZKACCEL_DEBUG line. The caller must not modify the result.
func CrossoversOf(dev Device) *Crossovers {
	crossoverCache.Lock()
	defer crossoverCache.Unlock()
	if c, ok := crossoverCache.byDevice[dev]; ok {
		return c
	}
	c, err := LoadCrossovers(dev)
	if err != nil {
		Debugf("%v; it is not used", err)
		c = nil
	}
	if c == nil {
		if c, err = ShippedCrossovers(dev); err != nil {
			Debugf("%v; it is not used", err)
			c = nil
		}
	}
	if crossoverCache.byDevice == nil {
		crossoverCache.byDevice = map[Device]*Crossovers{}
	}
	crossoverCache.byDevice[dev] = c
	return c
}

// Crossover returns the smallest size of op that runs on dev when dev was
// chosen automatically, and whether one was measured.
func Crossover(dev Device, op string) (n int, ok bool) {
	c := CrossoversOf(dev)
	if c == nil {
		return 0, false
	}
	n, ok = c.Ops[op]
	return n, ok
}

// ForgetCrossovers makes the process read the crossover files again, and
// choose the default device again (LookupDefault); SaveCrossovers calls it.
func ForgetCrossovers() {
	crossoverCache.Lock()
	crossoverCache.byDevice = nil
	crossoverCache.Unlock()
	defaultCache.Lock()
	defaultCache.valid = false
	defaultCache.Unlock()
}

// AutoCandidate reports whether the automatic choice may pick dev (once it
// has crossovers): a device that is not the host CPU, not even through a
// GPU runtime (POCL's OpenCL CPU device), and not a simulation.
func AutoCandidate(dev Device) bool {
	if dev.Kind() == CPU {
		return false
	}
	if h, ok := dev.(interface{ OnHost() bool }); ok && h.OnHost() {
		return false
	}
	if s, ok := dev.(interface{ Simulated() bool }); ok && s.Simulated() {
		return false
	}
	return true
}

// autoChoice is the automatic default: the first eligible device, in
// Devices' order (CUDA first), with at least one crossover, measured on
// this machine or shipped, else the CPU. It opens only the backends whose
// kind a crossover file names (none without any file).
func autoChoice() Device {
	var files []string
	if dir := CrossoverDir(); dir != "" {
		local, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range local {
			files = append(files, filepath.Base(f))
		}
	}
	if ship, err := fs.Glob(shipped, "*.json"); err == nil {
		files = append(files, ship...)
	}
	if len(files) == 0 {
		return HostCPU()
	}
	for _, r := range registeredKinds() {
		named := false
		for _, f := range files {
			named = named || strings.HasPrefix(f, string(r.backend.Kind())+"-")
		}
		if !named {
			continue
		}
		r.load()
		for _, d := range r.devices {
			if c := CrossoversOf(d); AutoCandidate(d) && c != nil && len(c.Ops) > 0 {
				return d
			}
		}
	}
	return HostCPU()
}

// AutomaticDefault reports whether the default device is the automatic
// choice (ZKACCEL_DEVICE unset), whose calls run on the device only from
// the operation's crossover size on.
func AutomaticDefault() bool { return os.Getenv(EnvDevice) == "" }
