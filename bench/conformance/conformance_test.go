package conformance_test

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/bench/conformance"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/optest"
)

// TestConformance runs the whole suite (the -short set under -short) on
// every device present.
func TestConformance(t *testing.T) {
	cases := conformance.Cases(testing.Short())
	seed := devtest.Seed(t)
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		optest.RunCases(t, dev, cases, seed, optest.Anywhere)
	})
}

// TestLoopback runs the suite through the device path: on the loopback
// fake device every call must run on the device and give gnark-crypto's
// answer, which checks the request layout of every curve group and field.
// The loopback computes no prover quotient: in the prover cases every MSM
// must run on it and the quotient fall back to the CPU.
func TestLoopback(t *testing.T) {
	var ops, provers []conformance.Case
	for _, c := range conformance.Cases(testing.Short()) {
		if c.Op == "groth16" || c.Op == "plonk" {
			provers = append(provers, c)
		} else {
			ops = append(ops, c)
		}
	}
	seed := devtest.Seed(t)
	optest.RunCases(t, fakedev.Loopback, ops, seed, optest.OnDevice)
	if len(provers) == 0 {
		t.Fatal("no prover case")
	}
	for _, c := range provers {
		t.Run(c.FullName(), func(t *testing.T) {
			reps, err := c.RunReports(fakedev.Loopback, seed)
			if err != nil {
				t.Fatal(err)
			}
			msms, quotients := 0, 0
			for _, r := range reps {
				switch {
				case strings.Contains(r.Op, " msm "):
					msms++
					if err := optest.OnDevice.Check(r, fakedev.Loopback); err != nil {
						t.Error(err)
					}
				case strings.Contains(r.Op, " ntt ") || strings.Contains(r.Op, " quotient "):
					quotients++
					if err := optest.FallsBack.Check(r, fakedev.Loopback); err != nil {
						t.Error(err)
					}
				default:
					t.Errorf("unexpected report %s", r.Op)
				}
			}
			if msms < 5 || quotients != 1 {
				t.Errorf("%d msm and %d quotient reports", msms, quotients)
			}
		})
	}
}

// TestFallback runs the suite on devices that lack the operations: every
// call must fall back to the CPU, say so in its report, and give the same
// answers.
func TestFallback(t *testing.T) {
	seed := devtest.Seed(t)
	cases := conformance.Cases(testing.Short())
	for _, dev := range []zkaccel.Device{fakedev.Unsupported, fakedev.Bare} {
		t.Run(dev.Name(), func(t *testing.T) { optest.RunCases(t, dev, cases, seed, optest.FallsBack) })
	}
}

// fault is a broken device and what the suite must say about it.
type fault struct {
	dev    zkaccel.Device
	op     string                        // the op it breaks, "" for both
	sample bool                          // only the edge cases and random/n=1 of MSM
	word   string                        // every error must mention it
	misses func(c conformance.Case) bool // cases that cannot see the fault
}

func zeroPoints(c conformance.Case) bool { return c.Op == "msm" && strings.HasSuffix(c.Name, "/n=0") }

// identityOnly are the MSM cases whose every answer is the identity, which a
// corrupted X coordinate (with Z = 0) does not change.
func identityOnly(c conformance.Case) bool {
	return zeroPoints(c) || (c.Op == "msm" && strings.HasSuffix(c.Name, "/cancel"))
}

func faults() []fault {
	loopMSM, loopNTT := fakedev.LoopbackMSM, fakedev.LoopbackNTT
	return []fault{{
		dev: fakedev.New("flips a bit of the MSM result", func(r *zkaccel.MSMRequest) error {
			err := loopMSM(r)
			r.Result[0] ^= 1
			return err
		}, loopNTT),
		op: "msm", word: "result differs", misses: identityOnly,
	}, {
		dev: fakedev.New("flips a bit of the last NTT element", loopMSM, func(r *zkaccel.NTTRequest) error {
			err := loopNTT(r)
			r.Data[(r.N-1)*r.ElemSize] ^= 1
			return err
		}),
		op: "ntt", word: "differs", misses: func(conformance.Case) bool { return false },
	}, {
		dev: fakedev.New("writes nothing", func(*zkaccel.MSMRequest) error { return nil },
			func(*zkaccel.NTTRequest) error { return nil }),
		word: "differs", misses: zeroPoints, sample: true,
	}, {
		dev: fakedev.New("writes its inputs", func(r *zkaccel.MSMRequest) error {
			err := loopMSM(r)
			r.Scalars[len(r.Scalars)-1] ^= 1
			return err
		}, loopNTT),
		op: "msm", word: "scalars were modified", misses: zeroPoints, sample: true,
	}, {
		dev:  fakedev.New("panics", func(*zkaccel.MSMRequest) error { panic("boom") }, func(*zkaccel.NTTRequest) error { panic("boom") }),
		word: "panic: boom", misses: zeroPoints, sample: true,
	}}
}

// TestSuiteCanFail runs the suite's cases of the op each fault breaks (all
// of them for wrong answers; a sample for the other faults) on devices that
// compute wrong answers, compute nothing, write their inputs or panic, and
// checks that every case that can see the fault reports it (and that the
// others pass).
func TestSuiteCanFail(t *testing.T) {
	seed := devtest.Seed(t)
	for _, f := range faults() {
		t.Run(f.dev.Name(), func(t *testing.T) {
			// Faults with no op of their own break the MSM and NTT
			// requests; the hash ops have their own can-fail tests
			// (TestPoseidon2SuiteCanFail here, and in their packages),
			// since these fake devices do not implement hash requests and
			// hash cases would rightly fall back to the CPU on them.
			ops := []string{"msm", "ntt"}
			if f.op != "" {
				ops = []string{f.op}
			}
			for _, c := range conformance.Cases(true, ops...) {
				if f.sample && strings.Contains(c.Name, "/random/") && !strings.HasSuffix(c.Name, "/n=1") {
					continue
				}
				err := c.Run(f.dev, seed)
				switch {
				case f.misses(c) && err != nil:
					t.Errorf("%s: %v", c.FullName(), err)
				case f.misses(c):
				case err == nil:
					t.Errorf("%s passed on a device that %s", c.FullName(), f.dev.Name())
				case !strings.Contains(err.Error(), f.word):
					t.Errorf("%s: error %q does not mention %q", c.FullName(), err, f.word)
				}
			}
		})
	}
}

// TestCases checks the suite's shape: unique names, both ops, the -short
// set inside the long one, and the sizes and variants the suite promises.
func TestCases(t *testing.T) {
	if got := conformance.Ops(); !slices.Equal(got, []string{"msm", "ntt", "poseidon", "poseidon2", "keccak", "groth16", "plonk"}) {
		t.Fatalf("Ops() = %v", got)
	}
	names := map[string]bool{}
	for _, c := range conformance.Cases(false) {
		if names[c.FullName()] {
			t.Errorf("duplicate case %s", c.FullName())
		}
		names[c.FullName()] = true
		if c.Run == nil || c.FullName() != c.Op+"/"+c.Name {
			t.Errorf("malformed case %+v", c)
		}
	}
	short := map[string]bool{}
	for _, c := range conformance.Cases(true) {
		short[c.FullName()] = true
		if !names[c.FullName()] {
			t.Errorf("short case %s is not in the long set", c.FullName())
		}
	}
	for _, c := range conformance.Cases(false, "ntt") {
		if c.Op != "ntt" {
			t.Errorf("Cases(false, \"ntt\") returned %s", c.FullName())
		}
	}
	want := func(set map[string]bool, setName string, names ...string) {
		for _, n := range names {
			if !set[n] {
				t.Errorf("the %s set lacks %s", setName, n)
			}
		}
	}
	for _, cg := range []string{"bn254/g1", "bn254/g2", "bls12-381/g1", "bls12-381/g2", "bls12-377/g1", "bls12-377/g2"} {
		for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 63, 64, 65} {
			want(short, "short", fmt.Sprintf("msm/%s/random/n=%d", cg, n))
		}
		for _, e := range []string{"equal-points", "scalars-edge", "scalars-constant", "infinity", "cancel", "duplicates", "nbtasks"} {
			want(short, "short", "msm/"+cg+"/"+e)
		}
	}
	for _, g1 := range []string{"bn254/g1", "bls12-381/g1", "bls12-377/g1"} {
		want(short, "short", "msm/"+g1+"/random/n=255", "msm/"+g1+"/random/n=257", "msm/"+g1+"/random/n=1025")
		want(names, "long", "msm/"+g1+"/random/n=16383", "msm/"+g1+"/random/n=16385")
	}
	want(names, "long", "msm/bls12-377/g2/random/n=4097")
	for _, f := range []string{"bn254", "bls12-381", "bls12-377", "goldilocks", "babybear", "koalabear"} {
		want(short, "short", "ntt/"+f+"/n=2^0..2^7", "ntt/"+f+"/n=2^8", "ntt/"+f+"/n=2^12")
		want(names, "long", "ntt/"+f+"/n=2^16")
	}
	want(names, "long", "ntt/goldilocks/n=2^18", "ntt/babybear/n=2^20", "ntt/koalabear/n=2^20")
}

// recorder is a loopback device that hashes every request's inputs.
type recorder struct {
	mu     sync.Mutex
	hashes []string
}

func (r *recorder) add(parts ...[]byte) {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	r.mu.Lock()
	r.hashes = append(r.hashes, fmt.Sprintf("%x", h.Sum(nil)))
	r.mu.Unlock()
}

func (r *recorder) device() zkaccel.Device {
	return fakedev.New("recorder", func(q *zkaccel.MSMRequest) error {
		r.add(q.Points, q.Scalars)
		return fakedev.LoopbackMSM(q)
	}, func(q *zkaccel.NTTRequest) error {
		r.add(q.Data, q.CosetShift)
		return fakedev.LoopbackNTT(q)
	})
}

// TestSeedDeterminism checks that a case draws the same inputs from the
// same seed, and other inputs from another seed.
func TestSeedDeterminism(t *testing.T) {
	for _, name := range []string{"msm/bn254/g1/random/n=33", "msm/bls12-381/g2/infinity", "ntt/goldilocks/n=2^8"} {
		var c conformance.Case
		for _, cc := range conformance.Cases(true) {
			if cc.FullName() == name {
				c = cc
			}
		}
		if c.Run == nil {
			t.Fatalf("no case %s", name)
		}
		run := func(seed int64) []string {
			var r recorder
			if err := c.Run(r.device(), seed); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return r.hashes
		}
		a, b, other := run(42), run(42), run(43)
		if len(a) == 0 || !slices.Equal(a, b) {
			t.Errorf("%s: two runs with seed 42 sent different inputs", name)
		}
		if slices.Equal(a, other) {
			t.Errorf("%s: seeds 42 and 43 sent the same inputs", name)
		}
	}
}

// TestProverCasesCanFail runs the prover cases on a device whose MSMs are
// off by one bit: every proof must be rejected, and the case say so.
func TestProverCasesCanFail(t *testing.T) {
	dev := fakedev.New("flips a bit of the MSM result", func(r *zkaccel.MSMRequest) error {
		err := fakedev.LoopbackMSM(r)
		r.Result[0] ^= 1
		return err
	}, fakedev.LoopbackNTT)
	for _, op := range []string{"groth16", "plonk"} {
		for _, c := range optest.Select(t, true, op, "bn254/") {
			err := c.Run(dev, 1)
			switch {
			case err == nil:
				t.Errorf("%s passed on a device that flips MSM bits", c.FullName())
			case !strings.Contains(err.Error(), "rejects"):
				t.Errorf("%s: error %q does not say the proof was rejected", c.FullName(), err)
			}
		}
	}
}
