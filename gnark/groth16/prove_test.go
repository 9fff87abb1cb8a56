package groth16_test

import (
	"crypto/sha3"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend"
	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/constraint/solver"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"
	"github.com/consensys/gnark/test/unsafekzg"

	"github.com/zkaccel/zkaccel"
	zgroth16 "github.com/zkaccel/zkaccel/gnark/groth16"
	"github.com/zkaccel/zkaccel/gnark/internal/prover"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

// setup is one circuit compiled and set up on one curve.
type setup struct {
	ccs constraint.ConstraintSystem
	pk  groth16.ProvingKey
	vk  groth16.VerifyingKey
}

var (
	setupsMu sync.Mutex
	setups   = map[string]*setup{}
)

// setupOf compiles and sets up circuit once per test process (setup is the
// slow part of a small test).
func setupOf(t *testing.T, name string, id ecc.ID, circuit frontend.Circuit) *setup {
	t.Helper()
	key := name + "/" + id.String()
	setupsMu.Lock()
	defer setupsMu.Unlock()
	if s, ok := setups[key]; ok {
		return s
	}
	ccs, err := frontend.Compile(id.ScalarField(), r1cs.NewBuilder, circuit)
	if err != nil {
		t.Fatal(err)
	}
	pk, vk, err := groth16.Setup(ccs)
	if err != nil {
		t.Fatal(err)
	}
	s := &setup{ccs, pk, vk}
	setups[key] = s
	return s
}

func fullAndPublic(t *testing.T, id ecc.ID, assignment frontend.Circuit) (witness.Witness, witness.Witness) {
	t.Helper()
	w, err := frontend.NewWitness(assignment, id.ScalarField())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := w.Public()
	if err != nil {
		t.Fatal(err)
	}
	return w, pub
}

// proveCase is a circuit and its assignment on a curve.
type proveCase struct {
	name    string
	circuit frontend.Circuit
	assign  func(id ecc.ID) frontend.Circuit
}

// seedProof makes crypto/rand a stream seeded by devtest.Seed (logged;
// ZKACCEL_SEED fixes it) for the next proof and returns the seed, for
// verifySame to prove again with gnark.
func seedProof(t *testing.T) int64 {
	t.Helper()
	seed := devtest.Seed(t)
	devtest.SeedCryptoRand(t, seed)
	return seed
}

// verifySame has gnark's verifier check proof, then gnark's own prover
// prove w again from the random bytes of seed (seedProof's): zkaccel's
// proof must be gnark's, byte for byte. Both draw r and s alone, after
// solving, so one seed gives both the same r and s.
func verifySame(t *testing.T, s *setup, w, pub witness.Witness, seed int64, proof groth16.Proof) {
	t.Helper()
	verifySameWith(t, s, w, pub, seed, proof, nil, nil)
}

// verifySameWith is verifySame with gnark's prover options opts (given to
// gnark's prover as they were to zkaccel's) and verifier options vopts.
func verifySameWith(t *testing.T, s *setup, w, pub witness.Witness, seed int64, proof groth16.Proof, opts []backend.ProverOption, vopts []backend.VerifierOption) {
	t.Helper()
	if err := groth16.Verify(proof, s.vk, pub, vopts...); err != nil {
		t.Fatalf("gnark rejects the proof: %v", err)
	}
	devtest.SeedCryptoRand(t, seed)
	want, err := groth16.Prove(s.ccs, s.pk, w, opts...)
	if err != nil {
		t.Fatalf("gnark's prover: %v", err)
	}
	if err := prover.SameBytes(want, proof); err != nil {
		t.Errorf("seed %d: %v", seed, err)
	}
}

// TestProveVerify proves on every device present, for every curve, a
// circuit without and circuits with one and two commitments, and has
// gnark's verifier check each proof, which must also be gnark's own proof
// from the same random bytes, byte for byte. Where ZKACCEL_REQUIRE names the
// device, every MSM must have run on it.
func TestProveVerify(t *testing.T) {
	rounds := 300
	if testing.Short() {
		rounds = 60
	}
	cases := []proveCase{
		{"cubic", &cubic{Rounds: rounds}, func(id ecc.ID) frontend.Circuit { return cubicWitness(id.ScalarField(), 3, rounds) }},
		{"rangecheck", &committed{Commits: 1}, func(ecc.ID) frontend.Circuit { return committedWitness(1000, 77777, 1) }},
		{"commit2", &committed{Commits: 2}, func(ecc.ID) frontend.Circuit { return committedWitness(5, 9, 2) }},
	}
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		for _, id := range curves {
			for _, c := range cases {
				t.Run(id.String()+"/"+c.name, func(t *testing.T) { proveAndCheck(t, dev, id, c) })
			}
		}
	})
}

// proveAndCheck proves case c on dev for curve id, has gnark's verifier
// check the proof, compares it with gnark's own (verifySame), and checks where the report says each step ran. It
// returns the setup, the witnesses and the report.
func proveAndCheck(t *testing.T, dev zkaccel.Device, id ecc.ID, c proveCase) (*setup, witness.Witness, witness.Witness, *zgroth16.Report) {
	t.Helper()
	s := setupOf(t, c.name, id, c.circuit)
	w, pub := fullAndPublic(t, id, c.assign(id))
	var rep zgroth16.Report
	seed := seedProof(t)
	proof, err := zgroth16.Prove(s.ccs, s.pk, w, zgroth16.WithDevice(dev), zgroth16.WithReport(&rep))
	if err != nil {
		t.Fatal(err)
	}
	verifySame(t, s, w, pub, seed, proof)
	if proof.CurveID() != id || rep.Curve != id || rep.Total <= 0 {
		t.Errorf("proof curve %v, report %v", proof.CurveID(), rep.String())
	}
	msms := 0
	for _, p := range rep.Phases {
		if strings.HasPrefix(p.Name, "msm ") {
			msms++
			if devtest.MustRun(dev, "msm") && (p.Fallback || p.Ran != dev) {
				t.Errorf("%s ran on %v (fallback %v), want %v", p.Name, p.Ran, p.Fallback, dev)
			}
		}
	}
	if msms < 5 || rep.Get("solve") <= 0 || rep.Get("ntt") <= 0 || rep.Get("wires") <= 0 {
		t.Errorf("report lacks phases: %s", rep.String())
	}
	// On a GPU the quotient and the MSMs are one call, whose
	// time each of them reports.
	if _, fused := dev.(zkaccel.Groth16MSMDevice); fused && prover.SwitchedOn(gpu.EnvGroth16Fuse) && (rep.Get("ntt") != rep.Get("msm Z") || rep.Get("ntt") != rep.Get("msm B2") || !pokInCall(&rep, "ntt")) {
		t.Errorf("the quotient and the MSMs (the commitments' proofs of knowledge too) were not one call: %s", rep.String())
	}
	_, runs := dev.(zkaccel.Groth16Device) // where the quotient runs whole
	if err := prover.CheckPlace(&rep, "ntt", dev, runs, devtest.Required(dev)); err != nil {
		t.Error(err)
	}
	return s, w, pub, &rep
}

// TestProverOptions: gnark's prover options pass through, on every
// device. Solver options reach the solver: a circuit whose hint is not
// registered with gnark fails to prove without them and proves with them.
// Another hash to the field for the commitments gives a proof that gnark's
// verifier accepts with that hash only. Each proof is gnark's own, made
// with the same options from the same random bytes.
func TestProverOptions(t *testing.T) {
	id := ecc.BN254
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		t.Run("solver-hints", func(t *testing.T) {
			s := setupOf(t, "hinted", id, &circuits.Hinted{})
			w, pub := fullAndPublic(t, id, &circuits.Hinted{X: 7, Y: 49})
			if _, err := zgroth16.Prove(s.ccs, s.pk, w, zgroth16.WithDevice(dev)); err == nil {
				t.Fatal("proved without the hint")
			}
			hints := backend.WithSolverOptions(solver.WithHints(circuits.SquareHint))
			seed := seedProof(t)
			proof, err := zgroth16.Prove(s.ccs, s.pk, w, zgroth16.WithDevice(dev), zgroth16.WithProverOptions(hints))
			if err != nil {
				t.Fatal(err)
			}
			verifySameWith(t, s, w, pub, seed, proof, []backend.ProverOption{hints}, nil)
		})
		t.Run("sha3-hash-to-field", func(t *testing.T) {
			s := setupOf(t, "rangecheck", id, &committed{Commits: 1})
			w, pub := fullAndPublic(t, id, committedWitness(1000, 77777, 1))
			// A hash is stateful: each prover and the verifier get a new one.
			htf := func() backend.ProverOption { return backend.WithProverHashToFieldFunction(sha3.New256()) }
			seed := seedProof(t)
			proof, err := zgroth16.Prove(s.ccs, s.pk, w, zgroth16.WithDevice(dev), zgroth16.WithProverOptions(htf()))
			if err != nil {
				t.Fatal(err)
			}
			if groth16.Verify(proof, s.vk, pub) == nil {
				t.Error("gnark's verifier, with its default hash, accepts a proof made with another")
			}
			verifySameWith(t, s, w, pub, seed, proof, []backend.ProverOption{htf()}, []backend.VerifierOption{backend.WithVerifierHashToFieldFunction(sha3.New256())})
		})
	})
}

// TestWrongStatement: a proof does not verify against another public input.
func TestWrongStatement(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "cubic-small", id, &cubic{Rounds: 3})
	w, _ := fullAndPublic(t, id, cubicWitness(id.ScalarField(), 3, 3))
	proof, err := zgroth16.Prove(s.ccs, s.pk, w, zgroth16.WithDevice(zkaccel.HostCPU()))
	if err != nil {
		t.Fatal(err)
	}
	_, otherPub := fullAndPublic(t, id, cubicWitness(id.ScalarField(), 4, 3))
	if err := groth16.Verify(proof, s.vk, otherPub); err == nil {
		t.Fatal("a proof verified against another public input")
	}
}

// TestBadInput: a witness that does not satisfy the circuit, keys and
// systems that do not belong together, other proof systems: errors, never
// panics.
func TestBadInput(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "cubic-small", id, &cubic{Rounds: 3})
	w, _ := fullAndPublic(t, id, cubicWitness(id.ScalarField(), 3, 3))

	// A witness that does not satisfy the circuit.
	bad := cubicWitness(id.ScalarField(), 3, 3)
	bad.Y = 12345
	wb, _ := fullAndPublic(t, id, bad)
	if _, err := zgroth16.Prove(s.ccs, s.pk, wb); err == nil || !strings.Contains(err.Error(), "solve") {
		t.Errorf("unsatisfied witness: %v", err)
	}

	// The key of another circuit on the same curve.
	other := setupOf(t, "rangecheck", id, &committed{Commits: 1})
	if _, err := zgroth16.Prove(s.ccs, other.pk, w); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("another circuit's key: %v", err)
	}

	// The key of another curve.
	bls := setupOf(t, "cubic-small", ecc.BLS12_381, &cubic{Rounds: 3})
	if _, err := zgroth16.Prove(s.ccs, bls.pk, w); err == nil || !strings.Contains(err.Error(), "R1CS over bn254, the proving key BLS12-381") {
		t.Errorf("another curve's key: %v", err)
	}

	// A PLONK constraint system.
	sccs, err := frontend.Compile(id.ScalarField(), scs.NewBuilder, &cubic{Rounds: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zgroth16.Prove(sccs, s.pk, w); err == nil || !strings.Contains(err.Error(), "PLONK") {
		t.Errorf("a PLONK system: %v", err)
	}
	// A PLONK proving key.
	srs, srsLagrange, err := unsafekzg.NewSRS(sccs)
	if err != nil {
		t.Fatal(err)
	}
	ppk, _, err := plonk.Setup(sccs, srs, srsLagrange)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := any(ppk).(groth16.ProvingKey); ok {
		if _, err := zgroth16.NewProver(k); err == nil {
			t.Error("a PLONK key accepted")
		}
	}

	// nil inputs, a malformed key, an invalid default device.
	if _, err := zgroth16.Prove(nil, s.pk, w); err == nil {
		t.Error("nil constraint system accepted")
	}
	if _, err := zgroth16.NewProver(nil); err == nil {
		t.Error("nil key accepted")
	}
	t.Setenv(zkaccel.EnvDevice, "nosuch:7")
	if _, err := zgroth16.Prove(s.ccs, s.pk, w); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("invalid ZKACCEL_DEVICE: %v", err)
	}
}

// TestNoDeviceMemoryLeft proves on every device that counts its memory
// with bad inputs (a witness that does not satisfy the circuit, another
// circuit's key), then one good proof, and checks that the device holds
// no more memory than before (its caches dropped on both sides).
func TestNoDeviceMemoryLeft(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "cubic-small", id, &cubic{Rounds: 3})
	other := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
	w, pub := fullAndPublic(t, id, cubicWitness(id.ScalarField(), 3, 3))
	bad := cubicWitness(id.ScalarField(), 3, 3)
	bad.Y = 12345
	wb, _ := fullAndPublic(t, id, bad)
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		before, ok := prover.DeviceHeld(dev)
		if !ok {
			t.Skipf("%v does not count its memory", dev)
		}
		if _, err := zgroth16.Prove(s.ccs, s.pk, wb, zgroth16.WithDevice(dev)); err == nil {
			t.Error("an unsatisfied witness proved")
		}
		if _, err := zgroth16.Prove(s.ccs, other.pk, w, zgroth16.WithDevice(dev)); err == nil {
			t.Error("another circuit's key proved")
		}
		seed := seedProof(t)
		proof, err := zgroth16.Prove(s.ccs, s.pk, w, zgroth16.WithDevice(dev))
		if err != nil {
			t.Fatal(err)
		}
		verifySame(t, s, w, pub, seed, proof)
		if after, _ := prover.DeviceHeld(dev); after != before {
			t.Errorf("%v holds %d bytes after the proofs, %d before", dev, after, before)
		}
	})
}

// TestProverConcurrent proves with one Prover from several goroutines
// (run with -race).
func TestProverConcurrent(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "rangecheck", id, &committed{Commits: 1})
	p, err := zgroth16.NewProver(s.pk)
	if err != nil {
		t.Fatal(err)
	}
	if p.Curve() != id {
		t.Errorf("Curve = %v", p.Curve())
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, pub := fullAndPublic(t, id, committedWitness(int64(10+g), int64(20+g), 1))
			proof, err := p.Prove(s.ccs, w)
			if err == nil {
				err = groth16.Verify(proof, s.vk, pub)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestResidentKey: a Prover made for a GPU device keeps the key's bases in
// its memory (and its proofs verify); Close frees them, and the prover
// still proves, from host memory.
func TestResidentKey(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		rd, ok := dev.(interface{ ResidentBytes() uint64 })
		if !ok {
			t.Skipf("%v keeps no points", dev)
		}
		id := ecc.BLS12_377
		s := setupOf(t, "rangecheck", id, &committed{Commits: 1})
		before := rd.ResidentBytes()
		p, err := zgroth16.NewProver(s.pk, zgroth16.WithDevice(dev))
		if err != nil {
			t.Fatal(err)
		}
		held := rd.ResidentBytes() - before
		if held == 0 {
			t.Fatal("the key's bases are not resident on the device")
		}
		t.Logf("%d bytes of bases resident on %v", held, dev)
		for round := 0; round < 2; round++ {
			w, pub := fullAndPublic(t, id, committedWitness(int64(40+round), 2, 1))
			seed := seedProof(t)
			proof, err := p.Prove(s.ccs, w)
			if err != nil {
				t.Fatal(err)
			}
			verifySame(t, s, w, pub, seed, proof)
			if round == 0 {
				p.Close()
				p.Close()
				if rd.ResidentBytes() != before {
					t.Errorf("Close left %d bytes resident", rd.ResidentBytes()-before)
				}
			}
		}
	})
}

// TestKeyPartlyResident: on a GPU whose share for resident data (half of
// its memory) has room for only part of the key, beside another key's
// points already there, a Prover keeps what fits and the rest stays in
// host memory; its proofs run every MSM on the GPU (those points copied
// on each call) and verify, and Close frees what it kept. The device is
// a GPU present, reporting 8 MiB of memory.
func TestKeyPartlyResident(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		gd, ok := dev.(*gpu.Device)
		if !ok {
			t.Skipf("%v keeps no points", dev)
		}
		id := ecc.BLS12_377
		s := setupOf(t, "rangecheck", id, &committed{Commits: 1})
		whole, err := zgroth16.NewProver(s.pk, zgroth16.WithDevice(gd))
		if err != nil {
			t.Fatal(err)
		}
		on, all := whole.Residency()
		whole.Close()
		if on != all || all == 0 {
			t.Fatalf("on %v: %d of the key's %d bytes of bases resident, want all", gd, on, all)
		}
		if on, _ := whole.Residency(); on != 0 {
			t.Errorf("after Close: %d bytes resident", on)
		}

		const mem = 8 << 20
		// Another key's points hold the share but for half of this key.
		t.Setenv(gpu.EnvMSMPrecompute, "0")
		small, release, err := devtest.Crowded(gd, mem, uint64(all/2))
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		before := small.ResidentBytes()
		p, err := zgroth16.NewProver(s.pk, zgroth16.WithDevice(small))
		if err != nil {
			t.Fatal(err)
		}
		on, all = p.Residency()
		t.Logf("%d of %d bytes of bases resident, beside %d bytes of another key's", on, all, before)
		if on == 0 || on >= all || small.ResidentBytes() > mem/2 {
			t.Errorf("%d of %d bytes of bases resident (the device holds %d), want some, within half of its memory", on, all, small.ResidentBytes())
		}
		for round := range 2 {
			w, pub := fullAndPublic(t, id, committedWitness(int64(60+round), 3, 1))
			var rep zgroth16.Report
			seed := seedProof(t)
			proof, err := p.Prove(s.ccs, w, zgroth16.WithReport(&rep))
			if err != nil {
				t.Fatal(err)
			}
			verifySame(t, s, w, pub, seed, proof)
			if err := prover.MSMsOn(&rep, small); err != nil {
				t.Errorf("round %d: %v", round, err)
			}
		}
		p.Close()
		if small.ResidentBytes() != before {
			t.Errorf("Close left %d bytes resident", small.ResidentBytes()-before)
		}
	})
}

// declining is a GPU device that declines (ErrUnsupported) or fails (err)
// the quotient and MSMs as one call.
type declining struct {
	zkaccel.Groth16MSMDevice
	err   error
	calls int
}

func (d *declining) Groth16QuotientMSM(*zkaccel.Groth16QuotientRequest, []*zkaccel.MSMRequest) error {
	d.calls++
	return d.err
}

// pokInCall reports whether the commitments' proofs of knowledge, if any,
// ran in the device call of phase call.
func pokInCall(rep *zgroth16.Report, call string) bool {
	_, ok := inCall(rep, call)
	return ok
}

// inCall returns the commitments' proofs of knowledge ("msm commitment i
// knowledge") in rep, and whether each reports the time of phase call: it
// ran in that device call.
func inCall(rep *zgroth16.Report, call string) (n int, ok bool) {
	ok = true
	for _, p := range rep.Phases {
		if strings.HasSuffix(p.Name, " knowledge") {
			ok = ok && rep.Get(p.Name) == rep.Get(call)
			n++
		}
	}
	return n, ok
}

// TestQuotientMSMDeclined: where a GPU declines the quotient and the MSMs
// as one call, the prover runs them apart and the proof verifies; where
// the call fails, Prove returns its error.
func TestQuotientMSMDeclined(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		gd, ok := dev.(zkaccel.Groth16MSMDevice)
		if !ok {
			t.Skipf("%v does not run the quotient and MSMs as one call", dev)
		}
		id := ecc.BN254
		s := setupOf(t, "commit2", id, &committed{Commits: 2})
		w, pub := fullAndPublic(t, id, committedWitness(5, 9, 2))
		// proveApart proves on dev, checks the proof, and that the quotient
		// and the MSMs ran as two calls.
		proveApart := func(t *testing.T, dev zkaccel.Device) {
			t.Helper()
			var rep zgroth16.Report
			seed := seedProof(t)
			proof, err := zgroth16.Prove(s.ccs, s.pk, w, zgroth16.WithDevice(dev), zgroth16.WithReport(&rep))
			if err != nil {
				t.Fatal(err)
			}
			verifySame(t, s, w, pub, seed, proof)
			if rep.Get("ntt") == rep.Get("msm Z") {
				t.Errorf("the quotient and MSMs did not run apart: %s", rep.String())
			}
			if n, ok := inCall(&rep, "msm Z"); n != 2 || !ok { // the MSMs' one call
				t.Errorf("the commitments' %d proofs of knowledge were not in the MSMs' call: %s", n, rep.String())
			}
		}
		dd := &declining{Groth16MSMDevice: gd, err: fmt.Errorf("%w: declined by the test", zkaccel.ErrUnsupported)}
		proveApart(t, dd)
		if dd.calls != 1 {
			t.Errorf("%d calls of the declining device, want 1", dd.calls)
		}
		// ZKACCEL_GROTH16_FUSE=0: the GPU itself declines.
		t.Run("fuse-off", func(t *testing.T) {
			t.Setenv(gpu.EnvGroth16Fuse, "0")
			proveApart(t, dev)
		})
		boom := errors.New("the test's device failed")
		dd = &declining{Groth16MSMDevice: gd, err: boom}
		if _, err := zgroth16.Prove(s.ccs, s.pk, w, zgroth16.WithDevice(dd)); !errors.Is(err, boom) {
			t.Fatalf("got %v, want the device's error", err)
		}
	})
}

// TestDefaultDevice: with ZKACCEL_DEVICE naming a GPU and no WithDevice, a
// proof runs whole on it as with WithDevice: its quotient and MSMs as one
// call, every MSM there; and gnark's verifier accepts it.
func TestDefaultDevice(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		if _, ok := dev.(zkaccel.Groth16MSMDevice); !ok {
			t.Skipf("%v does not run the quotient and MSMs as one call", dev)
		}
		t.Setenv(zkaccel.EnvDevice, dev.String())
		id := ecc.BN254
		s := setupOf(t, "commit2", id, &committed{Commits: 2})
		w, pub := fullAndPublic(t, id, committedWitness(5, 9, 2))
		var rep zgroth16.Report
		seed := seedProof(t)
		proof, err := zgroth16.Prove(s.ccs, s.pk, w, zgroth16.WithReport(&rep))
		if err != nil {
			t.Fatal(err)
		}
		verifySame(t, s, w, pub, seed, proof)
		if prover.SwitchedOn(gpu.EnvGroth16Fuse) && rep.Get("ntt") != rep.Get("msm Z") {
			t.Errorf("the quotient and the MSMs were not one call: %s", rep.String())
		}
		for _, p := range rep.Phases {
			if strings.HasPrefix(p.Name, "msm ") && (p.Ran == nil || p.Ran.String() != dev.String() || p.Fallback) {
				t.Errorf("%s ran on %v (fallback %v), want %v", p.Name, p.Ran, p.Fallback, dev)
			}
		}
	})
}

// TestProverReuse: one prover makes several proofs on every device, each
// with its own witness, reusing the filtered wires of the proofs before
// (its workspaces); gnark's verifier accepts each one, and rejects each
// against the previous proof's public input.
func TestProverReuse(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		id := ecc.BN254
		s := setupOf(t, "commit2", id, &committed{Commits: 2})
		p, err := zgroth16.NewProver(s.pk, zgroth16.WithDevice(dev))
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		var prevPub witness.Witness
		for k := range 3 {
			w, pub := fullAndPublic(t, id, committedWitness(int64(5+k), int64(9+2*k), 2))
			seed := seedProof(t)
			proof, err := p.Prove(s.ccs, w)
			if err != nil {
				t.Fatal(err)
			}
			verifySame(t, s, w, pub, seed, proof)
			if prevPub != nil && groth16.Verify(proof, s.vk, prevPub) == nil {
				t.Fatalf("proof %d verifies against the previous public input", k)
			}
			prevPub = pub
		}
	})
}

// TestProverSteady: a kept Prover's proofs hold no more as they go, on
// every device (devtest.SteadyProofs): after a few, the device holds the
// same bytes (the key's) and the Go heap grows by less than half of one of
// the proof's vectors (A, B, C, H) a proof.
func TestProverSteady(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "commit2", id, &committed{Commits: 2})
	w, _ := fullAndPublic(t, id, committedWitness(5, 9, 2))
	devtest.SteadyProofs(t, ecc.NextPowerOfTwo(uint64(s.ccs.GetNbConstraints())),
		func(d zkaccel.Device) (*zgroth16.Prover, error) {
			return zgroth16.NewProver(s.pk, zgroth16.WithDevice(d))
		},
		prover.DeviceHeld,
		func(p *zgroth16.Prover) error {
			_, err := p.Prove(s.ccs, w)
			return err
		})
}
