package dispatch_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/dispatch"
)

// fakeDevice is a device of a kind no backend registers; Run hands it to
// accel as it would any accelerator.
type fakeDevice struct{}

func (fakeDevice) Kind() zkaccel.Kind { return "zzfake" }
func (fakeDevice) Ordinal() int       { return 0 }
func (fakeDevice) Name() string       { return "fake accelerator" }
func (fakeDevice) String() string     { return "zzfake:0" }
func (fakeDevice) Memory() uint64     { return 0 }

var fake zkaccel.Device = fakeDevice{}

// option is a front end's option type.
type option func(*dispatch.Config)

func withDevice(d zkaccel.Device) option   { return func(c *dispatch.Config) { c.SetDevice(d) } }
func withNbTasks(n int) option             { return func(c *dispatch.Config) { c.SetNbTasks(n) } }
func withReport(r *zkaccel.Report) option  { return func(c *dispatch.Config) { c.Report = r } }
func withCoset() option                    { return func(c *dispatch.Config) { c.Coset = true } }
func failWith(err error) option            { return func(c *dispatch.Config) { c.Fail(err) } }
func apply(opts ...option) dispatch.Config { return dispatch.Apply(opts) }

const op = "msm zz g1"

// calls runs dispatch.Run with accel and cpu that count their calls and
// return the given results.
type calls struct {
	accelErr, cpuErr error
	accel, cpu       int
	accelDev         zkaccel.Device
}

func (k *calls) run(c *dispatch.Config) error {
	return dispatch.Run(c, op, 7,
		func(d zkaccel.Device) error { k.accel++; k.accelDev = d; return k.accelErr },
		func() error { k.cpu++; return k.cpuErr })
}

// captureStderr runs f with os.Stderr redirected and returns what f wrote.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	defer func() {
		os.Stderr = saved
	}()
	f()
	os.Stderr = saved
	w.Close()
	out := <-done
	r.Close()
	return string(out)
}

func TestRunCPU(t *testing.T) {
	var rep zkaccel.Report
	c := apply(withDevice(zkaccel.HostCPU()), withReport(&rep))
	var k calls
	if err := k.run(&c); err != nil {
		t.Fatal(err)
	}
	if k.accel != 0 || k.cpu != 1 {
		t.Errorf("accel called %d times, cpu %d; want 0 and 1", k.accel, k.cpu)
	}
	if rep.Op != op || rep.N != 7 || rep.Requested != zkaccel.HostCPU() || rep.Ran != zkaccel.HostCPU() || rep.Fallback || rep.Reason != nil {
		t.Errorf("report = %+v; want %s n=7 requested and ran on cpu:0, no fallback", rep, op)
	}
	if rep.Elapsed < 0 {
		t.Errorf("report.Elapsed = %v", rep.Elapsed)
	}
}

func TestRunDefaultDevice(t *testing.T) {
	t.Setenv(zkaccel.EnvDevice, "")
	var rep zkaccel.Report
	c := apply(withReport(&rep))
	var k calls
	if err := k.run(&c); err != nil {
		t.Fatal(err)
	}
	if k.accel != 0 || k.cpu != 1 || rep.Requested != zkaccel.HostCPU() || rep.Ran != zkaccel.HostCPU() {
		t.Errorf("with no device option: accel %d, cpu %d calls, report %+v; want the CPU", k.accel, k.cpu, rep)
	}
}

func TestRunInvalidDefault(t *testing.T) {
	t.Setenv(zkaccel.EnvDevice, "cuda:99")
	rep := zkaccel.Report{Op: "untouched"}
	c := apply(withReport(&rep))
	var k calls
	err := k.run(&c)
	if err == nil || !errors.Is(err, zkaccel.ErrNoDevice) || !strings.Contains(err.Error(), zkaccel.EnvDevice) || !strings.Contains(err.Error(), op) {
		t.Errorf("Run with %s=cuda:99 = %v; want an ErrNoDevice naming %s and the op", zkaccel.EnvDevice, err, zkaccel.EnvDevice)
	}
	if k.accel != 0 || k.cpu != 0 {
		t.Errorf("accel called %d times, cpu %d; want neither", k.accel, k.cpu)
	}
	if rep.Op != "untouched" {
		t.Errorf("report written on a failed call: %+v", rep)
	}
	// An explicit device option overrides the invalid variable.
	c = apply(withDevice(zkaccel.HostCPU()))
	if err := k.run(&c); err != nil || k.cpu != 1 {
		t.Errorf("Run with an explicit CPU = %v (cpu calls %d); want the CPU to run", err, k.cpu)
	}
}

func TestRunAccel(t *testing.T) {
	var rep zkaccel.Report
	c := apply(withDevice(fake), withReport(&rep))
	var k calls
	out := captureStderr(t, func() {
		t.Setenv(zkaccel.EnvDebug, "1")
		if err := k.run(&c); err != nil {
			t.Error(err)
		}
	})
	if k.accel != 1 || k.cpu != 0 || k.accelDev != fake {
		t.Errorf("accel called %d times (on %v), cpu %d; want accel once on %v", k.accel, k.accelDev, k.cpu, fake)
	}
	if rep.Ran != fake || rep.Requested != fake || rep.Fallback || rep.Reason != nil {
		t.Errorf("report = %+v; want ran on %v, no fallback", rep, fake)
	}
	if out != "" {
		t.Errorf("a successful device call logged %q", out)
	}
}

func TestRunFallback(t *testing.T) {
	for _, debug := range []string{"", "0", "1"} {
		t.Run("debug="+debug, func(t *testing.T) {
			t.Setenv(zkaccel.EnvDebug, debug)
			unsupported := fmt.Errorf("zkaccel/zzfake: %s: %w: no such kernel", op, zkaccel.ErrUnsupported)
			var rep zkaccel.Report
			c := apply(withDevice(fake), withReport(&rep))
			k := calls{accelErr: unsupported}
			var err error
			out := captureStderr(t, func() { err = k.run(&c) })
			if err != nil {
				t.Fatalf("Run = %v; want the CPU fallback to succeed", err)
			}
			if k.accel != 1 || k.cpu != 1 {
				t.Errorf("accel called %d times, cpu %d; want 1 and 1", k.accel, k.cpu)
			}
			if !rep.Fallback || rep.Reason != unsupported || rep.Ran != zkaccel.HostCPU() || rep.Requested != fake {
				t.Errorf("report = %+v; want a fallback from %v to cpu:0 with reason %v", rep, fake, unsupported)
			}
			if !strings.Contains(rep.String(), "fallback from zzfake:0") {
				t.Errorf("report.String() = %q; want the fallback shown", rep.String())
			}
			if debug == "1" {
				if !strings.HasPrefix(out, "zkaccel: ") || !strings.Contains(out, op) || !strings.Contains(out, "no such kernel") ||
					!strings.Contains(out, "cpu") || strings.Count(out, "\n") != 1 {
					t.Errorf("%s=1: stderr = %q; want one zkaccel: line naming the op, the reason and the cpu", zkaccel.EnvDebug, out)
				}
			} else if out != "" {
				t.Errorf("%s=%q: stderr = %q; want nothing", zkaccel.EnvDebug, debug, out)
			}
		})
	}
}

func TestRunUnsupportedSentinel(t *testing.T) {
	// The bare sentinel, and Unsupported's error, fall back too.
	for _, e := range []error{zkaccel.ErrUnsupported, dispatch.Unsupported(fake, op)} {
		var rep zkaccel.Report
		c := apply(withDevice(fake), withReport(&rep))
		k := calls{accelErr: e}
		if err := k.run(&c); err != nil || k.cpu != 1 || !rep.Fallback {
			t.Errorf("accel error %v: Run = %v, cpu calls %d, fallback %v; want a fallback", e, err, k.cpu, rep.Fallback)
		}
	}
}

func TestRunDeviceError(t *testing.T) {
	kernelErr := errors.New("zkaccel/zzfake: msm zz g1: out of device memory (need 6.1 GiB, free 3.9 GiB)")
	for _, accelErr := range []error{kernelErr, fmt.Errorf("launch: %w", kernelErr)} {
		var rep zkaccel.Report
		c := apply(withDevice(fake), withReport(&rep))
		k := calls{accelErr: accelErr}
		var err error
		out := captureStderr(t, func() {
			t.Setenv(zkaccel.EnvDebug, "1")
			err = k.run(&c)
		})
		if err != accelErr || !errors.Is(err, kernelErr) {
			t.Errorf("Run = %v; want the device's error %v unchanged", err, accelErr)
		}
		if k.cpu != 0 {
			t.Errorf("cpu called %d times after a device error; must not recompute silently", k.cpu)
		}
		if rep.Fallback || rep.Ran != nil {
			t.Errorf("report = %+v after a device error; want no fallback and nothing ran", rep)
		}
		if !strings.Contains(out, "out of device memory") {
			t.Errorf("%s=1: stderr = %q; want the device error logged", zkaccel.EnvDebug, out)
		}
	}
}

func TestRunCPUError(t *testing.T) {
	cause := errors.New("gnark said no")
	for name, dev := range map[string]zkaccel.Device{"cpu": zkaccel.HostCPU(), "fallback": fake} {
		c := apply(withDevice(dev))
		k := calls{accelErr: zkaccel.ErrUnsupported, cpuErr: cause}
		err := k.run(&c)
		if !errors.Is(err, cause) || !strings.HasPrefix(err.Error(), "zkaccel/cpu: "+op+": ") {
			t.Errorf("%s: Run = %v; want %q wrapped as zkaccel/cpu: %s: …", name, err, cause, op)
		}
	}
}

func TestOptionErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		opts []option
		want string
	}{
		"NbTasks 0":         {[]option{withNbTasks(0)}, "WithNbTasks(0)"},
		"NbTasks -1":        {[]option{withNbTasks(-1)}, "WithNbTasks(-1)"},
		"NbTasks 1025":      {[]option{withNbTasks(1025)}, "WithNbTasks(1025)"},
		"nil device":        {[]option{withDevice(nil)}, "WithDevice(nil)"},
		"first one wins":    {[]option{withNbTasks(4), withNbTasks(2000), withDevice(nil)}, "WithNbTasks(2000)"},
		"after good device": {[]option{withDevice(fake), withDevice(nil)}, "WithDevice(nil)"},
		"fail":              {[]option{failWith(errors.New("bad option"))}, "bad option"},
	} {
		t.Run(name, func(t *testing.T) {
			rep := zkaccel.Report{Op: "untouched"}
			c := apply(append(tc.opts, withReport(&rep))...)
			k := calls{accelErr: zkaccel.ErrUnsupported}
			err := k.run(&c)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "zkaccel: "+op+": ") {
				t.Errorf("Run = %v; want zkaccel: %s: …%s…", err, op, tc.want)
			}
			if c.Err(op) == nil {
				t.Errorf("Config.Err = nil after an invalid option")
			}
			if k.accel != 0 || k.cpu != 0 {
				t.Errorf("accel called %d times, cpu %d; want no work before the option error", k.accel, k.cpu)
			}
			if rep.Op != "untouched" {
				t.Errorf("report written: %+v", rep)
			}
		})
	}
}

func TestOptionsValid(t *testing.T) {
	var rep zkaccel.Report
	for _, n := range []int{1, 7, dispatch.MaxNbTasks} {
		c := apply(withNbTasks(n))
		if c.Err(op) != nil || c.NbTasks != n {
			t.Errorf("WithNbTasks(%d): NbTasks %d, err %v", n, c.NbTasks, c.Err(op))
		}
	}
	c := apply(withDevice(fake), withNbTasks(3), withCoset(), withReport(&rep))
	if c.Err(op) != nil || c.Device != fake || c.NbTasks != 3 || !c.Coset || c.Report != &rep {
		t.Errorf("Config = %+v, err %v", c, c.Err(op))
	}
	// A later device option replaces an earlier one.
	c = apply(withDevice(fake), withDevice(zkaccel.HostCPU()))
	if c.Device != zkaccel.HostCPU() {
		t.Errorf("Device = %v; want the last option's", c.Device)
	}
}

func TestApplyZero(t *testing.T) {
	for name, c := range map[string]dispatch.Config{
		"none":     dispatch.Apply[option](nil),
		"nil opts": apply(nil, nil),
	} {
		if c.Device != nil || c.NbTasks != 0 || c.Coset || c.Report != nil || c.Err(op) != nil {
			t.Errorf("%s: Apply = %+v, err %v; want the zero Config", name, c, c.Err(op))
		}
	}
	c := apply(nil, withNbTasks(5), nil)
	if c.NbTasks != 5 || c.Err(op) != nil {
		t.Errorf("Apply(nil, WithNbTasks(5), nil) = %+v, err %v", c, c.Err(op))
	}
}

func TestUnsupported(t *testing.T) {
	err := dispatch.Unsupported(fake, op)
	if !errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("Unsupported = %v; want ErrUnsupported", err)
	}
	for _, s := range []string{"zkaccel/zzfake: ", op, "zzfake:0"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("Unsupported = %q; want it to contain %q", err, s)
		}
	}
}

func TestRunCPUPanicBecomesError(t *testing.T) {
	var c dispatch.Config
	c.SetDevice(zkaccel.HostCPU())
	err := dispatch.Run(&c, "ntt test fft", 8, nil, func() error { panic("index out of range [3] with length 0") })
	if err == nil {
		t.Fatal("Run returned nil for a CPU implementation that panicked")
	}
	if !strings.Contains(err.Error(), "ntt test fft") || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("Run error %q: want the op and the panic in it", err)
	}
}

// autoDevice is the device of a test backend that the automatic choice
// picks once it has crossovers.
type autoDevice struct{}

func (autoDevice) Kind() zkaccel.Kind { return "zzautodispatch" }
func (autoDevice) Ordinal() int       { return 0 }
func (autoDevice) Name() string       { return "auto accelerator" }
func (autoDevice) String() string     { return "zzautodispatch:0" }
func (autoDevice) Memory() uint64     { return 0 }

var registerAuto = sync.OnceFunc(func() {
	zkaccel.Register(autoBackend{})
})

type autoBackend struct{}

func (autoBackend) Kind() zkaccel.Kind                 { return "zzautodispatch" }
func (autoBackend) Devices() ([]zkaccel.Device, error) { return []zkaccel.Device{autoDevice{}}, nil }

// TestRunAutomatic: on the automatic default, a call runs on the device
// from its op's crossover on, and on the CPU below it or without one (not
// a fallback); a composite op is gated by the crossover of the op its
// CrossoverOp names; an explicit device is obeyed at every size.
func TestRunAutomatic(t *testing.T) {
	registerAuto()
	t.Setenv(zkaccel.EnvCacheDir, t.TempDir())
	t.Setenv(zkaccel.EnvDevice, "")
	zkaccel.ForgetCrossovers()
	t.Cleanup(zkaccel.ForgetCrossovers)
	dev := zkaccel.Device(autoDevice{})
	if err := zkaccel.SaveCrossovers(dev, &zkaccel.Crossovers{Ops: map[string]int{op: 8}}); err != nil {
		t.Fatal(err)
	}
	if d := zkaccel.Default(); d != dev {
		t.Fatalf("Default() = %v, want %v", d, dev)
	}
	run := func(c dispatch.Config, op string, n int) (accel, cpu int, rep zkaccel.Report) {
		t.Helper()
		c.Report = &rep
		err := dispatch.Run(&c, op, n,
			func(zkaccel.Device) error { accel++; return nil },
			func() error { cpu++; return nil })
		if err != nil {
			t.Fatal(err)
		}
		return accel, cpu, rep
	}
	for _, c := range []struct {
		name    string
		cfg     dispatch.Config
		op      string
		n       int
		onDev   bool
		auto    bool
		crossAt int
	}{
		{"below the crossover", apply(), op, 7, false, true, 8},
		{"at the crossover", apply(), op, 8, true, true, 8},
		{"above it", apply(), op, 1 << 20, true, true, 8},
		{"an op not measured", apply(), "ntt zz fft", 1 << 20, false, true, 0},
		{"explicit device below the crossover", apply(withDevice(dev)), op, 7, true, false, 0},
		{"a composite op gated by op, below", dispatch.Config{CrossoverOp: op}, "plonk quotient zz", 7, false, true, 8},
		{"a composite op gated by op, at", dispatch.Config{CrossoverOp: op}, "plonk quotient zz", 8, true, true, 8},
		{"a composite op gated by an op not measured", dispatch.Config{CrossoverOp: "ntt zz fft"}, op, 1 << 20, false, true, 0},
	} {
		accel, cpu, rep := run(c.cfg, c.op, c.n)
		if got := accel == 1 && cpu == 0; got != c.onDev || accel+cpu != 1 {
			t.Errorf("%s: accel %d, cpu %d calls; want on the device: %v", c.name, accel, cpu, c.onDev)
		}
		wantRan := zkaccel.HostCPU()
		if c.onDev {
			wantRan = dev
		}
		if rep.Ran != wantRan || rep.Requested != dev || rep.Fallback || rep.Auto != c.auto || rep.Crossover != c.crossAt {
			t.Errorf("%s: report %+v", c.name, rep)
		}
	}
	// ZKACCEL_DEVICE naming the device is an explicit choice too.
	t.Setenv(zkaccel.EnvDevice, dev.String())
	if accel, _, rep := run(apply(), op, 7); accel != 1 || rep.Auto {
		t.Errorf("ZKACCEL_DEVICE=%v below the crossover: accel %d, report %+v", dev, accel, rep)
	}
}
