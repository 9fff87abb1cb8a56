package zkaccel_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/zkaccel/zkaccel"
)

// namedDevice is a test device with a given name that may say it is the
// host CPU behind a GPU runtime, or a simulation.
type namedDevice struct {
	testDevice
	name          string
	onHost, simul bool
}

func (d *namedDevice) Name() string    { return d.name }
func (d *namedDevice) OnHost() bool    { return d.onHost }
func (d *namedDevice) Simulated() bool { return d.simul }
func (d *namedDevice) String() string  { return d.testDevice.String() }

// isolateCrossovers points the cache at an empty directory for the test.
func isolateCrossovers(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(zkaccel.EnvCacheDir, dir)
	t.Setenv(zkaccel.EnvDevice, "")
	zkaccel.ForgetCrossovers()
	t.Cleanup(zkaccel.ForgetCrossovers)
	return dir
}

func TestCrossoverPath(t *testing.T) {
	dir := isolateCrossovers(t)
	d := &namedDevice{testDevice: testDevice{kind: "cuda"}, name: "NVIDIA H100 80GB HBM3"}
	if got, want := zkaccel.CrossoverPath(d), filepath.Join(dir, "crossover", "cuda-nvidia-h100-80gb-hbm3.json"); got != want {
		t.Errorf("CrossoverPath = %s, want %s", got, want)
	}
	d.name = " ~~ "
	if got := zkaccel.CrossoverPath(d); filepath.Base(got) != "cuda-device.json" {
		t.Errorf("CrossoverPath of a name without letters = %s", got)
	}
}

func TestCrossoversSaveLoad(t *testing.T) {
	isolateCrossovers(t)
	d := &namedDevice{testDevice: testDevice{kind: uniqueKind("zzcross")}, name: "Test GPU"}
	if c, err := zkaccel.LoadCrossovers(d); c != nil || err != nil {
		t.Fatalf("LoadCrossovers without a file = %v, %v", c, err)
	}
	if _, ok := zkaccel.Crossover(d, "msm bn254 g1"); ok {
		t.Error("a crossover without a file")
	}
	if err := zkaccel.SaveCrossovers(d, &zkaccel.Crossovers{Ops: map[string]int{"msm bn254 g1": 1 << 14, "ntt bn254 fft": 1 << 12}}); err != nil {
		t.Fatal(err)
	}
	c, err := zkaccel.LoadCrossovers(d)
	if err != nil || c == nil || c.Kind != d.Kind() || c.Device != "Test GPU" || c.Ops["msm bn254 g1"] != 1<<14 {
		t.Fatalf("LoadCrossovers = %+v, %v", c, err)
	}
	if n, ok := zkaccel.Crossover(d, "ntt bn254 fft"); !ok || n != 1<<12 {
		t.Errorf("Crossover = %d, %v", n, ok)
	}
	if _, ok := zkaccel.Crossover(d, "keccak256"); ok {
		t.Error("a crossover for an op that was not measured")
	}
	if err := zkaccel.SaveCrossovers(d, &zkaccel.Crossovers{Ops: map[string]int{"x": 0}}); err == nil {
		t.Error("SaveCrossovers accepted N = 0")
	}
	if err := zkaccel.SaveCrossovers(nil, &zkaccel.Crossovers{}); err == nil {
		t.Error("SaveCrossovers(nil, …) accepted")
	}

	// Another device's file under this name, a malformed file, a bad N:
	// errors, and the device has no crossovers.
	path := zkaccel.CrossoverPath(d)
	for _, bad := range []string{
		`{"kind": "cuda", "device": "Other GPU", "ops": {}}`,
		`{"kind": `,
		`{"kind": "` + string(d.Kind()) + `", "device": "Test GPU", "ops": {"msm bn254 g1": -3}}`,
	} {
		if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		zkaccel.ForgetCrossovers()
		if c, err := zkaccel.LoadCrossovers(d); err == nil {
			t.Errorf("LoadCrossovers of %s = %+v, no error", bad, c)
		}
		if _, ok := zkaccel.Crossover(d, "msm bn254 g1"); ok {
			t.Errorf("a crossover from %s", bad)
		}
	}
}

func TestAutomaticDefault(t *testing.T) {
	isolateCrossovers(t)
	kind := uniqueKind("zzauto")
	host := &namedDevice{testDevice: testDevice{kind: kind, ord: 0}, name: "host through a GPU runtime", onHost: true}
	sim := &namedDevice{testDevice: testDevice{kind: kind, ord: 1}, name: "a simulation", simul: true}
	gpu := &namedDevice{testDevice: testDevice{kind: kind, ord: 2}, name: "a real GPU"}
	zkaccel.Register(&testBackend{kind: kind, devs: []zkaccel.Device{host, sim, gpu}})

	check := func(want zkaccel.Device, why string) {
		t.Helper()
		zkaccel.ForgetCrossovers()
		if d, err := zkaccel.LookupDefault(); err != nil || d != want {
			t.Errorf("%s: LookupDefault() = %v, %v; want %v", why, d, err, want)
		}
	}
	check(zkaccel.HostCPU(), "no crossover file")
	ops := map[string]int{"msm bn254 g1": 1 << 15}
	for _, d := range []zkaccel.Device{host, sim} {
		if err := zkaccel.SaveCrossovers(d, &zkaccel.Crossovers{Ops: ops}); err != nil {
			t.Fatal(err)
		}
	}
	check(zkaccel.HostCPU(), "crossovers only for the host CPU behind a GPU runtime and a simulation")
	if err := zkaccel.SaveCrossovers(gpu, &zkaccel.Crossovers{Ops: ops}); err != nil {
		t.Fatal(err)
	}
	check(gpu, "crossovers for a real GPU")
	if !zkaccel.AutomaticDefault() {
		t.Error("AutomaticDefault() with ZKACCEL_DEVICE unset")
	}
	t.Setenv(zkaccel.EnvDevice, "cpu")
	check(zkaccel.HostCPU(), "ZKACCEL_DEVICE=cpu")
	if zkaccel.AutomaticDefault() {
		t.Error("AutomaticDefault() with ZKACCEL_DEVICE=cpu")
	}
	t.Setenv(zkaccel.EnvDevice, "")
	// A new cache directory is a new choice, without ForgetCrossovers.
	t.Setenv(zkaccel.EnvCacheDir, t.TempDir())
	if d, _ := zkaccel.LookupDefault(); d != zkaccel.HostCPU() {
		t.Errorf("an empty cache directory: LookupDefault() = %v", d)
	}
}

func TestReportAutoString(t *testing.T) {
	gpu := &namedDevice{testDevice: testDevice{kind: "cuda"}, name: "GPU"}
	r := zkaccel.Report{Op: "msm bn254 g1", N: 100, Requested: gpu, Ran: zkaccel.HostCPU(), Auto: true, Crossover: 4096}
	if s := r.String(); !strings.Contains(s, "automatic: below cuda:0's crossover, n=4096") {
		t.Errorf("String() = %q", s)
	}
	r.Crossover = 0
	if s := r.String(); !strings.Contains(s, "automatic: no crossover measured on cuda:0") {
		t.Errorf("String() = %q", s)
	}
	r.Ran = gpu
	if s := r.String(); strings.Contains(s, "automatic") {
		t.Errorf("String() of a call that ran on the device = %q", s)
	}
}

// TestShippedCrossovers checks the crossovers that ship with zkaccel: they
// make a device model the automatic default where this machine measured
// none, this machine's own take their place, and a shipped file that is
// another device's, malformed or for the host CPU behind a GPU runtime is
// not used.
func TestShippedCrossovers(t *testing.T) {
	isolateCrossovers(t)
	kind := uniqueKind("zzship")
	host := &namedDevice{testDevice: testDevice{kind: kind, ord: 0}, name: "host through a GPU runtime", onHost: true}
	gpu := &namedDevice{testDevice: testDevice{kind: kind, ord: 1}, name: "Shipped GPU 80GB"}
	other := &namedDevice{testDevice: testDevice{kind: kind, ord: 2}, name: "Other GPU"}
	zkaccel.Register(&testBackend{kind: kind, devs: []zkaccel.Device{host, gpu, other}})
	idle := &testBackend{kind: uniqueKind("zzidle")} // no file names its kind
	zkaccel.Register(idle)
	defer func() {
		if n := idle.calls.Load(); n != 0 {
			t.Errorf("the automatic choice opened a backend that no crossover file names (%d calls)", n)
		}
	}()
	file := func(d zkaccel.Device, body string) (string, *fstest.MapFile) {
		return filepath.Base(zkaccel.CrossoverPath(d)), &fstest.MapFile{Data: []byte(body)}
	}
	entry := func(d zkaccel.Device, n int) string {
		return fmt.Sprintf(`{"kind": %q, "device": %q, "ops": {"msm bn254 g1": %d}, "machine": "a 16-thread host", "commit": "abc", "date": "2026-12-05T00:00:00Z"}`, d.Kind(), d.Name(), n)
	}
	check := func(want zkaccel.Device, why string) {
		t.Helper()
		zkaccel.ForgetCrossovers()
		if d, err := zkaccel.LookupDefault(); err != nil || d != want {
			t.Errorf("%s: LookupDefault() = %v, %v; want %v", why, d, err, want)
		}
	}

	fsys := fstest.MapFS{}
	restore := zkaccel.SetShipped(fsys)
	defer restore()
	check(zkaccel.HostCPU(), "nothing measured, nothing shipped")

	name, f := file(host, entry(host, 1<<10))
	fsys[name] = f
	name, f = file(other, entry(gpu, 1<<12)) // another device's content under Other GPU's name
	fsys[name] = f
	check(zkaccel.HostCPU(), "shipped only for the host CPU, and a file that is another device's")
	if c := zkaccel.CrossoversOf(other); c != nil {
		t.Errorf("crossovers from another device's file: %+v", c)
	}

	name, f = file(gpu, entry(gpu, 1<<14))
	fsys[name] = f
	check(gpu, "shipped for the GPU's model")
	c := zkaccel.CrossoversOf(gpu)
	if c == nil || !c.Shipped || c.Machine != "a 16-thread host" {
		t.Fatalf("CrossoversOf = %+v, want the shipped ones", c)
	}
	if n, ok := zkaccel.Crossover(gpu, "msm bn254 g1"); !ok || n != 1<<14 {
		t.Errorf("Crossover = %d, %v; want the shipped 2^14", n, ok)
	}
	if c, err := zkaccel.LoadCrossovers(gpu); c != nil || err != nil {
		t.Errorf("LoadCrossovers (this machine's) = %+v, %v; want none", c, err)
	}

	// This machine's own take the shipped ones' place.
	if err := zkaccel.SaveCrossovers(gpu, &zkaccel.Crossovers{Ops: map[string]int{"msm bn254 g1": 1 << 16}}); err != nil {
		t.Fatal(err)
	}
	if c := zkaccel.CrossoversOf(gpu); c == nil || c.Shipped || c.Ops["msm bn254 g1"] != 1<<16 {
		t.Errorf("CrossoversOf after tune = %+v, want this machine's", c)
	}

	// A malformed shipped file is not used.
	isolateCrossovers(t)
	fsys[name] = &fstest.MapFile{Data: []byte(`{"kind": `)}
	check(zkaccel.HostCPU(), "a malformed shipped file")
	fsys[name] = &fstest.MapFile{Data: []byte(strings.Replace(entry(gpu, 1<<14), "16384", "0", 1))}
	check(zkaccel.HostCPU(), "a shipped file with N = 0")
}

// TestShippedFiles checks every crossover file that ships with zkaccel:
// named as CrossoverPath names its device, for a device that the automatic
// choice may pick, every N at least 1, with the machine, date and commit
// that measured it.
func TestShippedFiles(t *testing.T) {
	files, err := fs.Glob(zkaccel.Shipped(), "*.json")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d shipped crossover files", len(files))
	for _, name := range files {
		raw, err := fs.ReadFile(zkaccel.Shipped(), name)
		if err != nil {
			t.Fatal(err)
		}
		var c zkaccel.Crossovers
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		d := &namedDevice{testDevice: testDevice{kind: c.Kind}, name: c.Device}
		if got := filepath.Base(zkaccel.CrossoverPath(d)); got != name {
			t.Errorf("%s: the file of %s %q is named %s", name, c.Kind, c.Device, got)
		}
		if len(c.Ops) == 0 || c.Machine == "" || c.Date == "" || c.Commit == "" {
			t.Errorf("%s: want ops, machine, date and commit: %+v", name, c)
		}
		shipped, err := zkaccel.ShippedCrossovers(d)
		if err != nil || shipped == nil || !shipped.Shipped {
			t.Errorf("%s: ShippedCrossovers = %+v, %v", name, shipped, err)
		}
	}
}
