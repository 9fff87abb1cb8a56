package bench

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"

	"github.com/zkaccel/zkaccel"
)

// checkSane checks what every successful measurement must satisfy.
func checkSane(t *testing.T, r *Result, runs int) {
	t.Helper()
	if !r.OK() {
		t.Errorf("%s on %s: not OK: %+v", r.Key(), r.Device, r)
		return
	}
	if r.N != 1<<r.LogN || len(r.Times) != runs || r.Warmup <= 0 {
		t.Errorf("%s: n %d, %d times, warm-up %v; want n 2^%d, %d times, warm-up > 0", r.Key(), r.N, len(r.Times), r.Warmup, r.LogN, runs)
	}
	if !(0 < r.Min && r.Min <= r.Median && r.Median <= r.Max) {
		t.Errorf("%s: min %v, median %v, max %v out of order", r.Key(), r.Min, r.Median, r.Max)
	}
	for _, d := range r.Times {
		if d < r.Min || d > r.Max {
			t.Errorf("%s: time %v outside [min, max]", r.Key(), d)
		}
	}
}

func TestRunTiny(t *testing.T) {
	cpu := zkaccel.HostCPU()
	var progress strings.Builder
	f, err := Run(context.Background(), Config{Ops: []string{OpMSM}, Sizes: []int{4, 5}, Runs: 1, Devices: []zkaccel.Device{cpu}, Seed: 7, Progress: &progress, Command: []string{"test"}})
	if err != nil {
		t.Fatal(err)
	}
	g, err := Run(context.Background(), Config{Ops: []string{OpNTT}, Sizes: []int{4}, Runs: 1, Devices: []zkaccel.Device{cpu}, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	f.Results = append(f.Results, g.Results...)
	want := []string{"msm/bn254/g1/4", "msm/bn254/g1/5", "ntt/bn254/fft-dif/4"}
	if len(f.Results) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(f.Results), len(want), f.Results)
	}
	for i := range f.Results {
		r := &f.Results[i]
		if r.Key() != want[i] || r.Device != "cpu:0" || r.Ran != "cpu:0" || r.Fallback {
			t.Errorf("result %d: %s on %s (ran %s, fallback %v); want %s on cpu:0", i, r.Key(), r.Device, r.Ran, r.Fallback, want[i])
		}
		checkSane(t, r, 1)
		if x, ok := f.SpeedUp(r); !ok || x != 1 {
			t.Errorf("%s: speed-up %v, %v; want 1 for the CPU", r.Key(), x, ok)
		}
	}
	if f.Schema != SchemaVersion || f.Tool != "zkaccel bench" || f.Seed != 7 || f.Runs != 1 || f.GoVersion == "" || f.Commit == "" {
		t.Errorf("header: %+v", f)
	}
	if _, err := time.Parse(time.RFC3339, f.Date); err != nil || !strings.HasSuffix(f.Date, "Z") {
		t.Errorf("date %q is not UTC RFC 3339: %v", f.Date, err)
	}
	if m := f.Machine; m.Hostname == "" || m.OS == "" || m.Arch == "" || m.CPU != cpu.Name() || m.NumCPU < 1 {
		t.Errorf("machine: %+v", m)
	}
	if len(f.Devices) != 1 || f.Devices[0] != Describe(cpu) || f.Devices[0].Spec != "cpu:0" {
		t.Errorf("devices: %+v", f.Devices)
	}
	for _, s := range []string{"msm bn254 g1 2^4: drawing inputs", "cpu:0: median"} {
		if !strings.Contains(progress.String(), s) {
			t.Errorf("progress lacks %q:\n%s", s, progress.String())
		}
	}
}

func TestRunBudget(t *testing.T) {
	f, err := Run(context.Background(), Config{Ops: []string{OpNTT}, Fields: []zkaccel.Field{zkaccel.FieldBabyBear}, Sizes: []int{3}, Runs: 4, MaxTime: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Results) < 1 || len(f.Results[0].Times) != 1 {
		t.Fatalf("with a 1 ns budget: %+v; want one timed run", f.Results)
	}
	checkSane(t, &f.Results[0], 1)
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f, err := Run(ctx, Config{Sizes: []int{2}})
	if !errors.Is(err, context.Canceled) || f == nil || len(f.Results) != 0 {
		t.Errorf("Run with a cancelled context = %v, %v; want no results and context.Canceled", f, err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Ops: []string{"fft"}}, `unknown op "fft"`},
		{Config{Ops: []string{OpMSM}, Curves: []zkaccel.Curve{"secp256k1"}}, `unknown curve "secp256k1"`},
		{Config{Ops: []string{OpMSM}, Group: 3}, "unknown group"},
		{Config{Ops: []string{OpNTT}, Fields: []zkaccel.Field{"m31"}}, `unknown field "m31"`},
		{Config{Ops: []string{OpNTT}, Fields: []zkaccel.Field{zkaccel.FieldKoalaBear}, Sizes: []int{25}}, "largest power-of-two domain is 2^24"},
		{Config{Ops: []string{OpNTT}, Fields: []zkaccel.Field{zkaccel.FieldBabyBear}, Sizes: []int{28}}, "largest power-of-two domain is 2^27"},
		{Config{Sizes: []int{29}}, "out of range"},
		{Config{Runs: -1}, "runs is out of range"},
		{Config{MaxTime: -time.Second}, "negative time budget"},
		{Config{Devices: []zkaccel.Device{nil}}, "nil device"},
	} {
		f, err := Run(context.Background(), tc.cfg)
		if err == nil || f != nil {
			t.Errorf("Run(%+v) = %v, %v; want an error", tc.cfg, f, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "zkaccel bench: ") {
			t.Errorf("Run(%+v) error %q, want one containing %q", tc.cfg, err, tc.want)
		}
	}
}

// fakeDevice runs nothing: every operation sent to it falls back.
type fakeDevice struct{ ord int }

func (d *fakeDevice) Kind() zkaccel.Kind { return "fake" }
func (d *fakeDevice) Ordinal() int       { return d.ord }
func (d *fakeDevice) Name() string       { return "Fake Accelerator" }
func (d *fakeDevice) String() string     { return fmt.Sprintf("fake:%d", d.ord) }
func (d *fakeDevice) Memory() uint64     { return 1 << 30 }

// fakeNTT runs NTTs with fn.
type fakeNTT struct {
	fakeDevice
	fn func(*zkaccel.NTTRequest) error
}

func (d *fakeNTT) NTT(req *zkaccel.NTTRequest) error { return d.fn(req) }

// fakeMSM runs MSMs with fn.
type fakeMSM struct {
	fakeDevice
	fn func(*zkaccel.MSMRequest) error
}

func (d *fakeMSM) MSM(req *zkaccel.MSMRequest) error { return d.fn(req) }

// correctNTT computes a forward DIF NTT over BN254's Fr as gnark-crypto does.
func correctNTT(req *zkaccel.NTTRequest) error {
	if req.Field != zkaccel.FieldBN254 || req.Inverse || req.Coset || req.Decimation != zkaccel.DIF {
		return fmt.Errorf("fake: %w", zkaccel.ErrUnsupported)
	}
	data := unsafe.Slice((*fr.Element)(unsafe.Pointer(&req.Data[0])), req.N)
	fft.NewDomain(uint64(req.N)).FFT(data, fft.DIF)
	return nil
}

// runOn measures one op at size 2^3 on the CPU and dev.
func runOn(t *testing.T, op string, dev zkaccel.Device) *File {
	t.Helper()
	f, err := Run(context.Background(), Config{Ops: []string{op}, Sizes: []int{3}, Runs: 2, Devices: []zkaccel.Device{dev}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Results) != 2 || f.Results[0].Device != "cpu:0" || f.Results[1].Device != dev.String() {
		t.Fatalf("results: %+v; want the cpu then %v", f.Results, dev)
	}
	if len(f.Devices) != 2 || f.Devices[1] != Describe(dev) {
		t.Errorf("devices: %+v", f.Devices)
	}
	checkSane(t, &f.Results[0], 2)
	return f
}

func TestRunDeviceCorrect(t *testing.T) {
	f := runOn(t, OpNTT, &fakeNTT{fn: correctNTT})
	r := &f.Results[1]
	checkSane(t, r, 2)
	if r.Fallback || r.Ran != "fake:0" || r.Error != "" {
		t.Errorf("correct device: %+v", r)
	}
	if _, ok := f.SpeedUp(r); !ok {
		t.Error("no speed-up for a correct device")
	}
}

func TestRunDeviceFallback(t *testing.T) {
	f := runOn(t, OpMSM, &fakeDevice{})
	r := &f.Results[1]
	checkSane(t, r, 2)
	if !r.Fallback || r.Ran != "cpu:0" || !strings.Contains(r.FallbackReason, "does not run this operation") {
		t.Errorf("device without MSM: %+v; want a recorded fallback", r)
	}
	var buf strings.Builder
	if err := WriteTable(&buf, f); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "fake:0 (fell back to cpu)") {
		t.Errorf("table does not show the fallback:\n%s", buf.String())
	}
}

func TestRunDeviceWrong(t *testing.T) {
	f := runOn(t, OpNTT, &fakeNTT{fn: func(*zkaccel.NTTRequest) error { return nil }})
	if r := f.Results[1]; !strings.Contains(r.Error, "differs from the cpu's") {
		t.Errorf("device that computes nothing: %+v; want a mismatch error", r)
	}
	if !f.Failed() {
		t.Error("Failed() = false")
	}
}

func TestRunDeviceErrors(t *testing.T) {
	f := runOn(t, OpNTT, &fakeNTT{fn: func(*zkaccel.NTTRequest) error { return errors.New("zkaccel/fake: ntt: kernel failed") }})
	if r := f.Results[1]; !strings.Contains(r.Error, "warm-up: zkaccel/fake: ntt: kernel failed") || len(r.Times) != 0 {
		t.Errorf("failing device: %+v", r)
	}
	f = runOn(t, OpMSM, &fakeMSM{fn: func(*zkaccel.MSMRequest) error { panic("boom") }})
	if r := f.Results[1]; !strings.Contains(r.Error, "panic: boom") {
		t.Errorf("panicking device: %+v", r)
	}
	// A device that fails after the warm-up keeps the calls made before.
	calls := 0
	f = runOn(t, OpNTT, &fakeNTT{fn: func(req *zkaccel.NTTRequest) error {
		if calls++; calls > 2 {
			return errors.New("zkaccel/fake: device lost")
		}
		return correctNTT(req)
	}})
	if r := f.Results[1]; !strings.Contains(r.Error, "run 2: zkaccel/fake: device lost") || len(r.Times) != 1 || r.Median != r.Times[0] {
		t.Errorf("device failing on run 2: %+v", r)
	}
}

func TestCommit(t *testing.T) {
	c := Commit()
	if _, err := exec.LookPath("git"); err == nil && moduleRoot() != "" && c == "unknown" {
		t.Errorf("Commit() = unknown inside a checkout of zkaccel, with git present")
	}
	if c != "unknown" && !regexp.MustCompile(`^([0-9a-f]{40}(-dirty)?|v\S+)$`).MatchString(c) {
		t.Errorf("Commit() = %q, want a revision, a version or unknown", c)
	}
	t.Logf("Commit() = %s", c)
}
