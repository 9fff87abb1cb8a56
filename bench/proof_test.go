package bench

import (
	"context"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/proofs"
)

// TestRunProofs proves a small generated circuit with Groth16 and PLONK on
// the CPU (gnark's provers) and on the loopback device (zkaccel's, every
// MSM and NTT through the device interface): the proofs verify, the device
// rows have the provers' phases, and a device whose MSMs are wrong is
// caught by gnark's verifier.
func TestRunProofs(t *testing.T) {
	for _, op := range ProofOps() {
		t.Run(op, func(t *testing.T) { testRunProof(t, op) })
	}
}

func testRunProof(t *testing.T, op string) {
	wrongMSM := fakedev.New("wrong msm", func(r *zkaccel.MSMRequest) error {
		if err := fakedev.LoopbackMSM(r); err != nil {
			return err
		}
		r.Result[0] ^= 1 // a different point (or none)
		return nil
	}, fakedev.LoopbackNTT)
	f, err := Run(context.Background(), Config{Ops: []string{op}, Constraints: []int{6}, Runs: 2,
		Devices: []zkaccel.Device{fakedev.Loopback, wrongMSM}})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Results) != 3 {
		t.Fatalf("%d results, want cpu, loopback, wrong", len(f.Results))
	}
	cpu, lb, wrong := &f.Results[0], &f.Results[1], &f.Results[2]
	checkSane(t, cpu, 2)
	checkSane(t, lb, 2)
	if cpu.Op != op || cpu.Target != "bn254" || cpu.Variant != "prove" || cpu.LogN != 6 || cpu.Phases != nil {
		t.Errorf("cpu row: %+v", cpu)
	}
	// The loopback runs MSMs and NTTs, not the provers' quotients (Groth16's
	// phase "ntt", PLONK's "quotient"), which fall back to the cpu and say
	// so.
	if !lb.Fallback || lb.Ran != fakedev.Loopback.String() || lb.Error != "" {
		t.Errorf("loopback row: %+v", lb)
	}
	// zkaccel's prover loads its key before the warm-up, untimed; the
	// cpu row (gnark's prover) has none to load.
	if lb.Load <= 0 || cpu.Load != 0 {
		t.Errorf("key loads: loopback %v, cpu %v; want > 0 and 0", lb.Load, cpu.Load)
	}
	quotient := map[string]string{OpGroth16: "ntt", OpPlonk: "quotient"}[op]
	if !strings.HasPrefix(lb.FallbackReason, quotient+" fell back") {
		t.Errorf("loopback row's fallback: %q, want the phase %q's", lb.FallbackReason, quotient)
	}
	phases := []string{"solve", "ntt", "msm A", "msm B1", "msm B2", "msm K", "msm Z"}
	if op == OpPlonk {
		phases = []string{"solve", "ntt", "quotient", "msm L", "msm R", "msm O", "msm Z", "msm H1", "msm H2", "msm H3", "msm Z opening", "msm batch opening"}
	}
	for _, ph := range phases {
		if lb.Phases[ph] <= 0 {
			t.Errorf("loopback row lacks phase %q: %v", ph, lb.Phases)
		}
	}
	if !strings.Contains(wrong.Error, "differs from the cpu's") {
		t.Errorf("a device with wrong MSMs: error %q", wrong.Error)
	}
	var tb strings.Builder
	if err := WriteTable(&tb, f); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tb.String(), "phases of "+op+" prove bn254 2^6 on "+fakedev.Loopback.String()+": solve ") {
		t.Errorf("table lacks the phases:\n%s", tb.String())
	}
}

// TestRunProofsInFlight proves three proofs at once per call, on the CPU
// (gnark) and on the loopback device (zkaccel): the variant says so, the
// rate is three proofs per median call, the device rows keep their phases,
// every proof is verified (a wrong one among them is caught), and a count
// out of range is refused.
func TestRunProofsInFlight(t *testing.T) {
	for _, op := range ProofOps() {
		t.Run(op, func(t *testing.T) {
			var progress strings.Builder
			f, err := Run(context.Background(), Config{Ops: []string{op}, Constraints: []int{6}, Runs: 2, InFlight: 3,
				Devices: []zkaccel.Device{fakedev.Loopback}, Progress: &progress})
			if err != nil {
				t.Fatal(err)
			}
			if want := op + " bn254 prove-x3 2^6: compiling the circuit, setting up the keys (untimed)…"; !strings.Contains(progress.String(), want) {
				t.Errorf("progress lacks %q:\n%s", want, progress.String())
			}
			if len(f.Results) != 2 {
				t.Fatalf("%d results, want cpu and loopback", len(f.Results))
			}
			for i := range f.Results {
				r := &f.Results[i]
				checkSane(t, r, 2)
				if r.Variant != "prove-x3" || r.Error != "" {
					t.Errorf("row %+v", r)
				}
				if want := 3 / r.Median.Seconds(); r.ItemsPerSecond < want*0.999 || r.ItemsPerSecond > want*1.001 {
					t.Errorf("%s: %v proofs/s, want 3 per median call (%v)", r.Device, r.ItemsPerSecond, want)
				}
			}
			if lb := &f.Results[1]; lb.Phases["solve"] <= 0 || lb.Phases["msm Z"] <= 0 {
				t.Errorf("loopback row's phases: %v", lb.Phases)
			}

			// digest checks every proof of the call, not only the first.
			w, err := proofWorkload(op, zkaccel.BN254, CircuitChain, 2)
			if err != nil {
				t.Fatal(err)
			}
			a := w.prepare(rand.New(rand.NewSource(1)), 6).(*proofInstance)
			b := w.prepare(rand.New(rand.NewSource(2)), 6).(*proofInstance)
			var rep zkaccel.Report
			if err := a.run(zkaccel.HostCPU(), &rep); err != nil {
				t.Fatal(err)
			}
			if err := b.run(zkaccel.HostCPU(), &rep); err != nil {
				t.Fatal(err)
			}
			if got := string(a.digest()); got != "verified" {
				t.Fatalf("digest of two good proofs: %q", got)
			}
			a.proofs[1] = b.proofs[0] // a proof of another statement (another public output)
			if got := string(a.digest()); !strings.HasPrefix(got, "proof 2 rejected by gnark's verifier") {
				t.Errorf("digest with a bad second proof: %q", got)
			}
		})
	}
	for _, k := range []int{-1, MaxInFlight + 1} {
		if _, err := (&Config{Ops: []string{OpGroth16}, InFlight: k}).plan(); err == nil || !strings.Contains(err.Error(), "proofs in flight: out of range") {
			t.Errorf("InFlight %d: err = %v", k, err)
		}
	}
}

// TestRunProofsWide proves the wide circuit (many chains side by side) on
// the CPU and on the loopback device: the proofs verify, each fills most of
// its domain without passing it, and an unknown circuit is refused.
func TestRunProofsWide(t *testing.T) {
	for _, op := range ProofOps() {
		t.Run(op, func(t *testing.T) {
			f, err := Run(context.Background(), Config{Ops: []string{op}, Constraints: []int{8, 11}, Runs: 1, Circuit: CircuitWide,
				Devices: []zkaccel.Device{fakedev.Loopback}})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Results) != 4 {
				t.Fatalf("%d results, want cpu and loopback at two sizes", len(f.Results))
			}
			for i := range f.Results {
				r := &f.Results[i]
				checkSane(t, r, 1)
				if r.Variant != "prove-wide" || r.Error != "" || r.Fallback != (r.Device != "cpu:0") {
					t.Errorf("row %+v", r)
				}
			}
			for _, logN := range []int{4, 8, 11, 16, 20} {
				w, rounds := wideShape(op, logN)
				perStep := 2
				if op == OpPlonk {
					perStep = 4
				}
				if n := w*rounds*perStep + w; n > 1<<logN || (logN >= 11 && n < 1<<(logN-1)) {
					t.Errorf("2^%d: %d chains of %d rounds make about %d constraints", logN, w, rounds, n)
				}
			}
		})
	}
	if _, err := (&Config{Ops: []string{OpGroth16}, Circuit: "tall"}).plan(); err == nil || !strings.Contains(err.Error(), `unknown circuit "tall"`) {
		t.Errorf("an unknown circuit: %v", err)
	}
}

func TestParseConstraints(t *testing.T) {
	for in, want := range map[string][]int{"2^16": {16}, "12:14": {12, 13, 14}, "2^12,2^16": {12, 16}, "2^10:2^11": {10, 11}} {
		got, err := ParseConstraints(in)
		if err != nil || len(got) != len(want) || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
			t.Errorf("ParseConstraints(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseConstraints("2^x"); err == nil {
		t.Error("2^x accepted")
	}
	if _, err := (&Config{Ops: []string{OpGroth16}, Constraints: []int{30}}).plan(); err == nil {
		t.Error("2^30 constraints accepted")
	}
	if d := medianPhases(nil); d != nil {
		t.Errorf("medianPhases(nil) = %v", d)
	}
	m := medianPhases([]map[string]time.Duration{{"a": 1}, {"a": 3}, {"a": 2}})
	if m["a"] != 2 {
		t.Errorf("median = %v", m)
	}
}

// TestRunProofsZKCPU checks the row of zkaccel's provers on the CPU device
// (ZKCPUSpec): added right after gnark's CPU row where the CPU is named,
// with the provers' phases, no fallback and a speed-up against gnark's
// row; described among the file's devices; absent where the CPU is not
// named, and absent from the other operations.
func TestRunProofsZKCPU(t *testing.T) {
	f, err := Run(context.Background(), Config{Ops: []string{OpPlonk, OpMSM}, Constraints: []int{6}, Sizes: []int{6}, Runs: 1,
		Devices: []zkaccel.Device{zkaccel.HostCPU()}})
	if err != nil {
		t.Fatal(err)
	}
	var devs []string
	for _, r := range f.Results {
		devs = append(devs, r.Op+"@"+r.Device)
	}
	want := []string{OpPlonk + "@cpu:0", OpPlonk + "@" + ZKCPUSpec}
	if len(devs) < 3 || devs[0] != want[0] || devs[1] != want[1] {
		t.Fatalf("rows %v, want %v first, then the msm rows on the cpu alone", devs, want)
	}
	for _, d := range devs[2:] {
		if !strings.HasSuffix(d, "@cpu:0") {
			t.Errorf("row %s: only the proof operations get zkaccel's cpu row", d)
		}
	}
	zk := &f.Results[1]
	checkSane(t, zk, 1)
	if zk.Fallback || zk.Error != "" || zk.Phases["quotient"] <= 0 || zk.Phases["msm L"] <= 0 {
		t.Errorf("zkaccel's cpu row: %+v", zk)
	}
	if zk.Load <= 0 || zk.KeyBytes != 0 || zk.KeyResident != 0 {
		t.Errorf("zkaccel's cpu row: key loaded in %v, %d of %d bytes resident; want a load and no residency (the CPU keeps nothing)", zk.Load, zk.KeyResident, zk.KeyBytes)
	}
	if _, ok := f.SpeedUp(zk); !ok {
		t.Errorf("zkaccel's cpu row has no speed-up against gnark's")
	}
	if d, ok := f.Device(ZKCPUSpec); !ok || !strings.Contains(d.Name, "zkaccel's prover") {
		t.Errorf("devices %+v: want %s described", f.Devices, ZKCPUSpec)
	}
	// The CPU not named: gnark's row alone.
	f, err = Run(context.Background(), Config{Ops: []string{OpPlonk}, Constraints: []int{6}, Runs: 1,
		Devices: []zkaccel.Device{fakedev.Loopback}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Results {
		if r.Device == ZKCPUSpec {
			t.Errorf("a row on %s without the cpu named", ZKCPUSpec)
		}
	}
}

// TestRunProofsSetupCache: with proofs.EnvSetupCache=1 a run with
// PrepareOnly sets the proof benchmark up and measures nothing; a second
// run loads the set-up from the cache and says so in the progress output,
// and its proofs verify (the rows have no error).
func TestRunProofsSetupCache(t *testing.T) {
	t.Setenv(zkaccel.EnvCacheDir, t.TempDir())
	t.Setenv(proofs.EnvSetupCache, "1")
	for _, op := range ProofOps() {
		t.Run(op, func(t *testing.T) {
			for run, prepareOnly := range []bool{true, false} {
				var progress strings.Builder
				f, err := Run(context.Background(), Config{Ops: []string{op}, Constraints: []int{6}, Runs: 1, Circuit: CircuitWide,
					Devices: []zkaccel.Device{fakedev.Loopback}, Progress: &progress, PrepareOnly: prepareOnly})
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Contains(progress.String(), "(from the set-up cache)"); got != (run == 1) {
					t.Errorf("run %d: progress says the set-up came from the cache: %v:\n%s", run, got, progress.String())
				}
				if prepareOnly != (len(f.Results) == 0) {
					t.Errorf("run %d (prepare only %v): %d results", run, prepareOnly, len(f.Results))
				}
				for _, r := range f.Results {
					if r.Error != "" {
						t.Errorf("run %d, %s: %s", run, r.Device, r.Error)
					}
				}
			}
		})
	}
}
