package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/inputs"
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
	t.Setenv("ZKACCEL_MSM_WINDOW", "9") // recorded, not used by the CPU
	t.Setenv("ZKACCEL_EMPTY_KNOB", "")
	f, err := Run(context.Background(), Config{Ops: []string{OpMSM}, Sizes: []int{4, 5}, Runs: 1, Devices: []zkaccel.Device{cpu}, Seed: 7, Progress: &progress, Command: []string{"test"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.Env["ZKACCEL_MSM_WINDOW"] != "9" {
		t.Errorf("Env = %v, want ZKACCEL_MSM_WINDOW=9 recorded", f.Env)
	}
	if _, ok := f.Env["ZKACCEL_EMPTY_KNOB"]; ok {
		t.Errorf("Env = %v records an empty variable", f.Env)
	}
	var saved []int // the results each checkpoint saw
	g, err := Run(context.Background(), Config{Ops: []string{OpNTT}, Sizes: []int{4, 5}, Runs: 1, Devices: []zkaccel.Device{cpu}, Seed: 7,
		Checkpoint: func(f *File) { saved = append(saved, len(f.Results)) }})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(saved, []int{1, 2}) {
		t.Errorf("checkpoints after %v results, want after 1 and 2", saved)
	}
	g.Results = g.Results[:1]
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

// TestRunScalarBits measures the MSM on 0/1 scalars (ScalarsBits): its
// results are variant "g1-bits" (G2: "g2-bits"), drawn from the same seed
// for every device, and any device registered here agrees with the CPU.
func TestRunScalarBits(t *testing.T) {
	devs := []zkaccel.Device{zkaccel.HostCPU()}
	for _, d := range zkaccel.Devices() {
		if d.Kind() != zkaccel.CPU {
			devs = append(devs, d)
		}
	}
	for _, g := range []zkaccel.Group{zkaccel.G1, zkaccel.G2} {
		f, err := Run(context.Background(), Config{Ops: []string{OpMSM}, Group: g, Scalars: ScalarsBits, Sizes: []int{6}, Runs: 1, Devices: devs, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("msm/bn254/%s-bits/6", g)
		if len(f.Results) != len(devs) {
			t.Fatalf("%d results, want %d (one per device)", len(f.Results), len(devs))
		}
		for i := range f.Results {
			r := &f.Results[i]
			if r.Key() != want || r.Error != "" {
				t.Errorf("%s on %s: error %q; want %s without error", r.Key(), r.Device, r.Error, want)
			}
			checkSane(t, r, 1)
		}
	}
	// The distribution: about half ones, the rest zeros.
	s := msmScalars[fr.Element](rand.New(rand.NewSource(1)), 1000, ScalarsBits)
	ones := 0
	for i := range s {
		switch {
		case s[i].IsOne():
			ones++
		case !s[i].IsZero():
			t.Fatalf("scalar %d is %s, want 0 or 1", i, s[i].String())
		}
	}
	if ones < 400 || ones > 600 {
		t.Errorf("%d ones in 1000 bits scalars, want about 500", ones)
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
		{Config{Ops: []string{OpMSM}, Scalars: "ones"}, `unknown scalar distribution "ones"`},
		{Config{Ops: []string{OpNTT}, Fields: []zkaccel.Field{"m31"}}, `unknown field "m31"`},
		{Config{Ops: []string{OpNTT}, Fields: []zkaccel.Field{zkaccel.FieldKoalaBear}, Sizes: []int{25}}, "largest power-of-two domain is 2^24"},
		{Config{Ops: []string{OpNTT}, Fields: []zkaccel.Field{zkaccel.FieldBabyBear}, Sizes: []int{28}}, "largest power-of-two domain is 2^27"},
		{Config{Sizes: []int{29}}, "out of range"},
		{Config{Runs: -1}, "runs is out of range"},
		{Config{MaxTime: -time.Second}, "negative time budget"},
		{Config{Devices: []zkaccel.Device{nil}}, "nil device"},
		{Config{CPU: "skip"}, `unknown CPU role "skip"`},
		{Config{CPU: CPUCheck, Devices: []zkaccel.Device{zkaccel.HostCPU()}}, "nothing would be timed"},
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

// TestRunCancelledMidway cancels the run during a device's warm-up call:
// Run keeps the CPU's result, adds no row for the device (which made no
// timed call), and returns context.Canceled.
func TestRunCancelledMidway(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dev := &fakeNTT{fn: func(req *zkaccel.NTTRequest) error { cancel(); return correctNTT(req) }}
	f, err := Run(ctx, Config{Ops: []string{OpNTT}, Sizes: []int{3, 4}, Runs: 2, Devices: []zkaccel.Device{dev}})
	if !errors.Is(err, context.Canceled) || f == nil {
		t.Fatalf("Run = %v, %v; want the file and context.Canceled", f, err)
	}
	if len(f.Results) != 1 || f.Results[0].Device != "cpu:0" || !f.Results[0].OK() {
		t.Errorf("results %+v; want the CPU's at 2^3 alone", f.Results)
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

// hashKeys lists the keys of every hash workload of ops at the sizes, in
// the order Run measures them.
func hashKeys(sizes []int, ops ...string) []string {
	variants := map[string][]string{
		OpPoseidon:  {"bn254/circom-2", "goldilocks/hermez"},
		OpPoseidon2: {"bn254/t=3", "goldilocks/t=8", "babybear/t=16", "koalabear/t=16", "bn254/merkle"},
		OpKeccak:    {"keccak256/sum256-64B", "keccak256/f1600", "keccak256/merkle"},
	}
	var out []string
	for _, op := range ops {
		for _, v := range variants[op] {
			for _, k := range sizes {
				out = append(out, fmt.Sprintf("%s/%s/%d", op, v, k))
			}
		}
	}
	return out
}

// checkRate checks a hash measurement's throughput: the hashes one call
// computes (N, or N − 1 Merkle compressions) over the median time.
func checkRate(t *testing.T, r *Result) {
	t.Helper()
	items := float64(r.N)
	if r.Variant == "merkle" {
		items--
	}
	want := items / r.Median.Seconds()
	if r.ItemsPerSecond <= 0 || math.Abs(r.ItemsPerSecond-want) > 1e-9*want {
		t.Errorf("%s on %s: %v items/s, want %v (%v items in %v)", r.Key(), r.Device, r.ItemsPerSecond, want, items, r.Median)
	}
}

func TestRunHashTiny(t *testing.T) {
	for _, op := range HashOps() {
		t.Run(op, func(t *testing.T) {
			f, err := Run(context.Background(), Config{Ops: []string{op}, Sizes: []int{2, 3}, Runs: 1, Devices: []zkaccel.Device{zkaccel.HostCPU()}, Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			want := hashKeys([]int{2, 3}, op)
			if len(f.Results) != len(want) {
				t.Fatalf("%d results, want %d: %+v", len(f.Results), len(want), f.Results)
			}
			for i := range f.Results {
				r := &f.Results[i]
				if r.Key() != want[i] || r.Device != "cpu:0" || r.Ran != "cpu:0" || r.Fallback {
					t.Errorf("result %d: %s on %s (ran %s, fallback %v); want %s on cpu:0", i, r.Key(), r.Device, r.Ran, r.Fallback, want[i])
				}
				checkSane(t, r, 1)
				checkRate(t, r)
			}
			var buf strings.Builder
			if err := WriteTable(&buf, f); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), "ITEMS/S") {
				t.Errorf("table has no throughput column:\n%s", buf.String())
			}
		})
	}
}

// TestRunHashSameInputs checks that a hash workload's inputs depend on the
// seed only: the same seed gives the same answer, whichever other
// workloads run with it, and another seed another answer.
func TestRunHashSameInputs(t *testing.T) {
	digests := func(ops []string, seed int64) map[string]string {
		p, err := (&Config{Ops: ops, Sizes: []int{3}, Seed: seed}).plan()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, w := range p.workloads {
			inst := w.prepare(inputs.NewRand(w.seed(seed, 3)), 3)
			inst.reset()
			if err := inst.run(zkaccel.HostCPU(), &zkaccel.Report{}); err != nil {
				t.Fatalf("%s: %v", w.name(), err)
			}
			out[w.name()] = fmt.Sprintf("%x", inst.digest())
		}
		return out
	}
	all := digests(HashOps(), 1)
	alone := digests([]string{OpKeccak}, 1)
	other := digests([]string{OpKeccak}, 2)
	for name, d := range alone {
		if all[name] != d {
			t.Errorf("%s: digest %s alone, %s with the other ops", name, d, all[name])
		}
		if other[name] == d {
			t.Errorf("%s: seeds 1 and 2 give the same answer", name)
		}
	}
}

// fakePoseidon2 runs Poseidon2 batches with fn and no fixed-constant
// Poseidon (those fall back).
type fakePoseidon2 struct {
	fakeDevice
	fn func(*zkaccel.Poseidon2Request) error
}

func (d *fakePoseidon2) Poseidon(req *zkaccel.PoseidonRequest) error {
	return fmt.Errorf("zkaccel/fake: poseidon %s: %w", req.Variant, zkaccel.ErrUnsupported)
}

func (d *fakePoseidon2) Poseidon2(req *zkaccel.Poseidon2Request) error { return d.fn(req) }

// runHashOn measures hash op at size 2^2 and 2^3 on the CPU and dev, and
// returns dev's results by key.
func runHashOn(t *testing.T, op string, dev zkaccel.Device) (*File, map[string]*Result) {
	t.Helper()
	f, err := Run(context.Background(), Config{Ops: []string{op}, Sizes: []int{2, 3}, Runs: 1, Devices: []zkaccel.Device{dev}})
	if err != nil {
		t.Fatal(err)
	}
	keys := hashKeys([]int{2, 3}, op)
	if len(f.Results) != 2*len(keys) {
		t.Fatalf("%d results, want %d", len(f.Results), 2*len(keys))
	}
	byKey := map[string]*Result{}
	for i := range f.Results {
		r := &f.Results[i]
		want := keys[i/2]
		if dev := []string{"cpu:0", dev.String()}[i%2]; r.Key() != want || r.Device != dev {
			t.Errorf("result %d: %s on %s, want %s on %s", i, r.Key(), r.Device, want, dev)
		}
		if r.Device == "cpu:0" {
			checkSane(t, r, 1)
			checkRate(t, r)
		} else {
			byKey[r.Key()] = r
		}
	}
	return f, byKey
}

func TestRunHashDevices(t *testing.T) {
	for _, op := range HashOps() {
		t.Run(op+"/fallback", func(t *testing.T) {
			f, got := runHashOn(t, op, fakedev.Bare)
			for key, r := range got {
				checkSane(t, r, 1)
				if !r.Fallback || r.Ran != "cpu:0" || r.Error != "" || !strings.Contains(r.FallbackReason, "does not run this operation") {
					t.Errorf("%s on a device without it: %+v; want a recorded fallback", key, r)
				}
			}
			var buf strings.Builder
			if err := WriteTable(&buf, f); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), "fake:0 (fell back to cpu)") || !strings.Contains(buf.String(), "fake:0 fell back to cpu: ") {
				t.Errorf("table does not show the fallback:\n%s", buf.String())
			}
		})
		t.Run(op+"/loopback", func(t *testing.T) {
			f, got := runHashOn(t, op, fakedev.Loopback)
			for key, r := range got {
				checkSane(t, r, 1)
				checkRate(t, r)
				if r.Fallback || r.Ran != fakedev.Loopback.String() || r.Error != "" {
					t.Errorf("%s on the loopback: %+v; want it run there", key, r)
				}
				if _, ok := f.SpeedUp(r); !ok {
					t.Errorf("%s: no speed-up", key)
				}
			}
		})
	}
}

// flipFirst flips a bit of b's first byte, when it has one.
func flipFirst(b []byte) {
	if len(b) > 0 {
		b[0] ^= 1
	}
}

func TestRunHashDeviceWrong(t *testing.T) {
	// One wrong operation per hash op: the others of the device are right,
	// or fall back.
	lb := fakedev.LoopbackKeccak()
	keccakDev := fakedev.NewKeccak("wrong keccak256", fakedev.KeccakFuncs{
		Keccak256: func(req *zkaccel.KeccakRequest) error {
			err := lb.Keccak256(req)
			flipFirst(req.Out)
			return err
		},
		Merkle: lb.Merkle,
	})
	lc := fakedev.LoopbackCircom()
	circomDev := fakedev.NewCircom("wrong circom", fakedev.CircomFuncs{
		Poseidon: func(req *zkaccel.PoseidonRequest) error {
			err := lc.Poseidon(req)
			flipFirst(req.Out)
			return err
		},
	})
	p2Dev := &fakePoseidon2{fakeDevice: fakeDevice{ord: 1}, fn: func(req *zkaccel.Poseidon2Request) error {
		if req.Field != zkaccel.FieldKoalaBear {
			return fmt.Errorf("zkaccel/fake: poseidon2 %s: %w", req.Field, zkaccel.ErrUnsupported)
		}
		err := fakedev.LoopbackPoseidon2(req)
		flipFirst(req.States[len(req.States)-4:]) // the last state's last element
		return err
	}}
	for _, tc := range []struct {
		op    string
		dev   zkaccel.Device
		wrong string // the variant computed wrong; the others…
		right string // …run on the device where not "", else fall back
	}{
		{OpKeccak, keccakDev, "keccak256/sum256-64B", "keccak256/merkle"},
		{OpPoseidon, circomDev, "bn254/circom-2", ""},
		{OpPoseidon2, p2Dev, "koalabear/t=16", ""},
	} {
		t.Run(tc.op, func(t *testing.T) {
			f, got := runHashOn(t, tc.op, tc.dev)
			for key, r := range got {
				switch {
				case strings.HasPrefix(key, tc.op+"/"+tc.wrong+"/"):
					if !strings.Contains(r.Error, "differs from the cpu's") || r.Fallback {
						t.Errorf("%s on a device that computes it wrong: %+v; want a mismatch error", key, r)
					}
				case tc.right != "" && strings.HasPrefix(key, tc.op+"/"+tc.right+"/"):
					if r.Error != "" || r.Fallback || r.Ran != tc.dev.String() {
						t.Errorf("%s on a device that computes it right: %+v", key, r)
					}
				default:
					if r.Error != "" || !r.Fallback {
						t.Errorf("%s on a device without it: %+v; want a fallback", key, r)
					}
				}
			}
			if !f.Failed() {
				t.Error("Failed() = false")
			}
			var buf strings.Builder
			if err := WriteTable(&buf, f); err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(tc.op) + ` .*` + regexp.QuoteMeta(tc.dev.String()) + `\s+FAILED\s+.*\s-\s+-$`).MatchString(buf.String()) {
				t.Errorf("table has no FAILED row without throughput and speed-up:\n%s", buf.String())
			}
		})
	}
}

func TestHashConfig(t *testing.T) {
	// No ops: msm and ntt only, at the default sizes.
	p, err := (&Config{}).plan()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range p.workloads {
		names = append(names, w.name())
	}
	if !slices.Equal(names, []string{"msm bn254 g1", "ntt bn254 fft-dif"}) {
		t.Errorf("default workloads %q, want msm and ntt on bn254", names)
	}
	// Hash ops at their default sizes; --fields selects the Poseidon
	// targets, not keccak's.
	for _, tc := range []struct {
		ops    []string
		fields []zkaccel.Field
		want   []string
	}{
		{[]string{OpPoseidon}, nil, []string{"poseidon bn254 circom-2", "poseidon goldilocks hermez"}},
		{[]string{OpPoseidon2}, []zkaccel.Field{zkaccel.FieldBabyBear, zkaccel.FieldBN254}, []string{"poseidon2 bn254 t=3", "poseidon2 babybear t=16", "poseidon2 bn254 merkle"}},
		{[]string{OpNTT, OpPoseidon, OpKeccak}, []zkaccel.Field{zkaccel.FieldGoldilocks}, []string{"ntt goldilocks fft-dif", "poseidon goldilocks hermez", "keccak keccak256 sum256-64B", "keccak keccak256 f1600", "keccak keccak256 merkle"}},
		{[]string{OpKeccak}, []zkaccel.Field{zkaccel.FieldBLS12381}, []string{"keccak keccak256 sum256-64B", "keccak keccak256 f1600", "keccak keccak256 merkle"}},
	} {
		p, err := (&Config{Ops: tc.ops, Fields: tc.fields}).plan()
		if err != nil {
			t.Errorf("ops %q, fields %q: %v", tc.ops, tc.fields, err)
			continue
		}
		names = nil
		for _, w := range p.workloads {
			names = append(names, w.name())
			sizes, want := p.sizesFor(w), []int{DefaultMinLog, DefaultMaxLog}
			if w.items != nil {
				want = []int{DefaultHashMinLog, DefaultHashMaxLog}
			}
			if sizes[0] != want[0] || sizes[len(sizes)-1] != want[1] || len(sizes) != want[1]-want[0]+1 {
				t.Errorf("%s: default sizes %v, want %d:%d", w.name(), sizes, want[0], want[1])
			}
		}
		if !slices.Equal(names, tc.want) {
			t.Errorf("ops %q, fields %q: workloads %q, want %q", tc.ops, tc.fields, names, tc.want)
		}
	}
	for op, want := range map[string][]string{
		OpPoseidon: {"bn254", "goldilocks"}, OpPoseidon2: {"bn254", "goldilocks", "babybear", "koalabear"},
		OpKeccak: {"keccak256"}, OpMSM: nil, OpNTT: nil,
	} {
		if got := Targets(op); !slices.Equal(got, want) {
			t.Errorf("Targets(%s) = %q, want %q", op, got, want)
		}
	}
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Ops: []string{OpPoseidon}, Fields: []zkaccel.Field{zkaccel.FieldBabyBear}}, "poseidon: no target among the fields babybear (its targets: bn254, goldilocks)"},
		{Config{Ops: []string{OpPoseidon2}, Fields: []zkaccel.Field{"m31"}}, `poseidon2: unknown field "m31"`},
		{Config{Ops: []string{OpKeccak}, Sizes: []int{29}}, "out of range"},
	} {
		if f, err := Run(context.Background(), tc.cfg); err == nil || f != nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "zkaccel bench: ") {
			t.Errorf("Run(%+v) = %v, %v; want an error containing %q", tc.cfg, f, err, tc.want)
		}
	}
}

// sensorNTT is a correct NTT device that times its work (3 ms of kernels
// and 1 ms of copies per call) and reports telemetry whose energy counter
// grows by 2 J per call.
type sensorNTT struct {
	fakeNTT
	calls, sinceReset int
}

func (d *sensorNTT) NTT(req *zkaccel.NTTRequest) error {
	d.calls++
	d.sinceReset++
	return correctNTT(req)
}
func (d *sensorNTT) ResetTimes() { d.sinceReset = 0 }
func (d *sensorNTT) Times() (time.Duration, time.Duration, error) {
	return time.Duration(d.sinceReset) * 3 * time.Millisecond, time.Duration(d.sinceReset) * time.Millisecond, nil
}
func (d *sensorNTT) Telemetry() (zkaccel.Telemetry, error) {
	return zkaccel.Telemetry{SMClockMHz: 1755, TemperatureC: 40 + d.calls, EnergyJ: 100 + 2*float64(d.calls), PowerW: 90, PCIeGen: 5, Driver: "fake 1.0"}, nil
}

// TestRunDeviceTelemetry: the device's own timing and its telemetry reach
// the results, the device description, the table and the Markdown.
func TestRunDeviceTelemetry(t *testing.T) {
	dev := &sensorNTT{fakeNTT: fakeNTT{fn: correctNTT}}
	f, err := Run(context.Background(), Config{Ops: []string{OpNTT}, Sizes: []int{3}, Runs: 4, Devices: []zkaccel.Device{dev}})
	if err != nil {
		t.Fatal(err)
	}
	r := &f.Results[1]
	checkSane(t, r, 4)
	if r.Compute != 3*time.Millisecond || r.Transfer != time.Millisecond {
		t.Errorf("Compute, Transfer = %v, %v; want 3ms, 1ms per call (the warm-up excluded)", r.Compute, r.Transfer)
	}
	wall := float64(len(r.Times)) * r.Median.Seconds() // at least about the loop's wall time
	if r.PowerW <= 0 || r.PowerW > 8/wall*1.01 || r.SMClockMHz != 1755 || r.TemperatureC != 45 {
		t.Errorf("power %v W (want 8 J over the loop's wall time, at most %.0f W), clock %d, temperature %d", r.PowerW, 8/wall, r.SMClockMHz, r.TemperatureC)
	}
	if math.Abs(r.EnergyJ-r.PowerW*r.Median.Seconds()) > 1e-9 {
		t.Errorf("energy %v J, want power × median", r.EnergyJ)
	}
	if d := f.Devices[1]; d.Telemetry == nil || d.Telemetry.PCIeGen != 5 || d.Telemetry.Driver != "fake 1.0" {
		t.Errorf("device description: %+v", d)
	}
	if cpu := &f.Results[0]; cpu.Compute != 0 || cpu.PowerW != 0 {
		t.Errorf("the cpu row has device timing or power: %+v", cpu)
	}
	for name, out := range renders(t, f) {
		for _, want := range []string{"k 3.00 ms + x 1.00 ms", " W, "} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q:\n%s", name, want, out)
			}
		}
	}
}

// resettingNTT is a correct NTT device that counts its resets
// (zkaccel.ResetDevice) and is reset during its third call.
type resettingNTT struct {
	fakeNTT
	calls  int
	resets uint64
}

func (d *resettingNTT) NTT(req *zkaccel.NTTRequest) error {
	d.calls++
	if d.calls == 3 {
		d.resets++
	}
	return correctNTT(req)
}
func (d *resettingNTT) Resets() uint64 { return d.resets }

// TestRunDeviceResets: a reset during a measurement is counted in its
// result and shown in the table and the Markdown; one before it is not.
func TestRunDeviceResets(t *testing.T) {
	dev := &resettingNTT{fakeNTT: fakeNTT{fn: correctNTT}, resets: 5}
	f, err := Run(context.Background(), Config{Ops: []string{OpNTT}, Sizes: []int{3, 4}, Runs: 2, Devices: []zkaccel.Device{dev}})
	if err != nil {
		t.Fatal(err)
	}
	var got []uint64
	for _, r := range f.Results {
		got = append(got, r.DeviceResets)
	}
	// cpu 2^3, fake 2^3 (calls 1–3: the warm-up and two timed), cpu 2^4, fake 2^4
	if want := []uint64{0, 1, 0, 0}; !slices.Equal(got, want) {
		t.Fatalf("DeviceResets of the results: %v, want %v", got, want)
	}
	if f.Results[1].Device != "fake:0" || f.Results[1].LogN != 3 {
		t.Fatalf("second result: %+v", f.Results[1])
	}
	out := renders(t, f)
	for name, text := range out {
		if strings.Count(text, "fake:0 (reset 1×)") != 1 {
			t.Errorf("%s does not show the one reset once:\n%s", name, text)
		}
	}
	if !strings.Contains(out["table"], "fake:0 was reset 1× during ntt fft-dif bn254 2^3") {
		t.Errorf("table lacks the reset's note:\n%s", out["table"])
	}
}

// renders writes f as the table and as Markdown, by those names.
func renders(t *testing.T, f *File) map[string]string {
	t.Helper()
	var tb, md strings.Builder
	if err := WriteTable(&tb, f); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, []*File{f}); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"table": tb.String(), "markdown": md.String()}
}
