package zkaccel

import (
	"encoding/json"
	"errors"
	"fmt"
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
// directory ([CrossoverPath]). A device without a crossovers file is never
// chosen automatically.
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
}

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
	return filepath.Join(dir, string(dev.Kind())+"-"+name+".json")
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
	var c Crossovers
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("zkaccel: crossovers of %v: %s: %w", dev, path, err)
	}
	if c.Kind != dev.Kind() || c.Device != dev.Name() {
		return nil, fmt.Errorf("zkaccel: crossovers of %v: %s is for %s %q", dev, path, c.Kind, c.Device)
	}
	for op, n := range c.Ops {
		if n < 1 {
			return nil, fmt.Errorf("zkaccel: crossovers of %v: %s: %q has N = %d", dev, path, op, n)
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

// crossovers returns dev's crossovers, read once per process (a file that
// cannot be read counts as none, with a ZKACCEL_DEBUG line).
func crossovers(dev Device) *Crossovers {
	crossoverCache.Lock()
	defer crossoverCache.Unlock()
	if c, ok := crossoverCache.byDevice[dev]; ok {
		return c
	}
	c, err := LoadCrossovers(dev)
	if err != nil {
		Debugf("%v; it is not chosen automatically", err)
		c = nil
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
	c := crossovers(dev)
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
// Devices' order (CUDA first), with at least one measured crossover, else
// the CPU.
// Without any crossover file it opens no backend.
func autoChoice() Device {
	dir := CrossoverDir()
	if dir == "" {
		return HostCPU()
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) == 0 {
		return HostCPU()
	}
	for _, d := range Devices() {
		if c := crossovers(d); AutoCandidate(d) && c != nil && len(c.Ops) > 0 {
			return d
		}
	}
	return HostCPU()
}

// AutomaticDefault reports whether the default device is the automatic
// choice (ZKACCEL_DEVICE unset), whose calls run on the device only from
// the operation's crossover size on.
func AutomaticDefault() bool { return os.Getenv(EnvDevice) == "" }
