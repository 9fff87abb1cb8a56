package zkaccel_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
