package plonk_test

import (
	"crypto/sha3"
	"fmt"
	"math/big"
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
	"github.com/zkaccel/zkaccel/gnark/internal/prover"
	zplonk "github.com/zkaccel/zkaccel/gnark/plonk"
	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/devtest"
)

var curves = []ecc.ID{ecc.BN254, ecc.BLS12_381, ecc.BLS12_377}

// setup is one circuit compiled and set up on one curve.
type setup struct {
	ccs constraint.ConstraintSystem
	pk  plonk.ProvingKey
	vk  plonk.VerifyingKey
}

var (
	setupsMu sync.Mutex
	setups   = map[string]*setup{}
)

func setupOf(t testing.TB, name string, id ecc.ID, circuit frontend.Circuit) *setup {
	t.Helper()
	key := name + "/" + id.String()
	setupsMu.Lock()
	defer setupsMu.Unlock()
	if s, ok := setups[key]; ok {
		return s
	}
	ccs, err := frontend.Compile(id.ScalarField(), scs.NewBuilder, circuit)
	if err != nil {
		t.Fatal(err)
	}
	srs, srsLagrange, err := unsafekzg.NewSRS(ccs)
	if err != nil {
		t.Fatal(err)
	}
	pk, vk, err := plonk.Setup(ccs, srs, srsLagrange)
	if err != nil {
		t.Fatal(err)
	}
	s := &setup{ccs, pk, vk}
	setups[key] = s
	return s
}

func fullAndPublic(t testing.TB, id ecc.ID, assignment frontend.Circuit) (witness.Witness, witness.Witness) {
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

type testCase struct {
	name    string
	circuit frontend.Circuit
	assign  func(id ecc.ID) frontend.Circuit
}

func cases(rounds int) []testCase {
	return []testCase{
		{"cubic", &circuits.Cubic{Rounds: rounds}, func(id ecc.ID) frontend.Circuit {
			return circuits.CubicAssignment(id.ScalarField(), big.NewInt(3), rounds)
		}},
		{"rangecheck", &circuits.Committed{Commits: 1}, func(ecc.ID) frontend.Circuit { return circuits.CommittedAssignment(1000, 77777, 1) }},
		{"commit2", &circuits.Committed{Commits: 2}, func(ecc.ID) frontend.Circuit { return circuits.CommittedAssignment(5, 9, 2) }},
	}
}

// randomness is how a proof's random values were drawn, for verifySame
// to draw gnark's the same: a seeded stream, or the same value for each.
// The second serves circuits with BSB22 commitments, whose blinding gnark
// draws in the solver while another goroutine draws L, R, O and Z's: in no
// fixed order. Without commitments gnark's order is fixed (the quotient's
// randomizers, then L, R, O and Z's blinding), and zkaccel's must be it.
type randomness struct {
	seed     int64
	constant bool
}

// seedProof sets crypto/rand for the next proof of s's circuit (the seed
// from devtest.Seed: logged, and ZKACCEL_SEED fixes it) and returns how,
// for verifySame.
func seedProof(t *testing.T, s *setup) randomness {
	t.Helper()
	r := randomness{constant: len(s.ccs.GetCommitments().CommitmentIndexes()) > 0}
	if !r.constant {
		r.seed = devtest.Seed(t)
	}
	r.set(t)
	return r
}

func (r randomness) set(t *testing.T) {
	if r.constant {
		devtest.ConstantCryptoRand(t)
	} else {
		devtest.SeedCryptoRand(t, r.seed)
	}
}

func (r randomness) String() string {
	if r.constant {
		return "each random value the same"
	}
	return fmt.Sprintf("seed %d", r.seed)
}

// verifySame has gnark's verifier check proof, then gnark's own prover
// prove w again (with gnark's prover options opts) from the same random
// bytes (seedProof's r): zkaccel's proof must be gnark's, byte for byte.
func verifySame(t *testing.T, s *setup, w, pub witness.Witness, r randomness, proof plonk.Proof, opts ...backend.ProverOption) {
	t.Helper()
	verifySameWith(t, s, w, pub, r, proof, opts, nil)
}

// verifySameWith is verifySame with gnark's verifier options vopts, for
// proofs made with other hashes.
func verifySameWith(t *testing.T, s *setup, w, pub witness.Witness, r randomness, proof plonk.Proof, opts []backend.ProverOption, vopts []backend.VerifierOption) {
	t.Helper()
	if err := plonk.Verify(proof, s.vk, pub, vopts...); err != nil {
		t.Fatalf("gnark rejects the proof: %v", err)
	}
	r.set(t)
	want, err := plonk.Prove(s.ccs, s.pk, w, opts...)
	if err != nil {
		t.Fatalf("gnark's prover: %v", err)
	}
	if err := prover.SameBytes(want, proof); err != nil {
		t.Errorf("%v: %v", r, err)
	}
}

// TestProveVerify proves on every device present, for every curve, a
// circuit without and circuits with one and two commitments, and has
// gnark's verifier check each proof, which must also be gnark's own proof
// from the same random bytes, byte for byte. Where ZKACCEL_REQUIRE names the
// device, every MSM must have run on it.
func TestProveVerify(t *testing.T) {
	rounds := 200
	if testing.Short() {
		rounds = 40
	}
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		for _, id := range curves {
			for _, c := range cases(rounds) {
				t.Run(id.String()+"/"+c.name, func(t *testing.T) { proveAndCheck(t, dev, id, c) })
			}
		}
	})
}

// proveAndCheck proves case c on dev for curve id, has gnark's verifier
// check the proof, compares it with gnark's own (verifySame), and checks where the report says each step ran. It
// returns the report.
func proveAndCheck(t *testing.T, dev zkaccel.Device, id ecc.ID, c testCase) *zplonk.Report {
	t.Helper()
	s := setupOf(t, c.name, id, c.circuit)
	w, pub := fullAndPublic(t, id, c.assign(id))
	var rep zplonk.Report
	r := seedProof(t, s)
	proof, err := zplonk.Prove(s.ccs, s.pk, w, zplonk.WithDevice(dev), zplonk.WithReport(&rep))
	if err != nil {
		t.Fatal(err)
	}
	verifySame(t, s, w, pub, r, proof)
	msms := 0
	for _, p := range rep.Phases {
		if strings.HasPrefix(p.Name, "msm ") {
			msms++
			if devtest.MustRun(dev, "msm") && (p.Fallback || p.Ran != dev) {
				t.Errorf("%s ran on %v (fallback %v), want %v", p.Name, p.Ran, p.Fallback, dev)
			}
		}
	}
	// On a GPU the quotient and the commitments to H's
	// shards are one call, whose time each of them reports.
	if _, fused := dev.(zkaccel.PlonkMSMDevice); fused && prover.SwitchedOn(gpu.EnvPlonkFuse) && (rep.Get("quotient") != rep.Get("msm H1") || rep.Get("quotient") != rep.Get("msm H3")) {
		t.Errorf("the quotient and H's MSMs were not one call: %s", rep.String())
	}
	if _, onDev := dev.(zkaccel.PlonkRatioDevice); onDev {
		if err := prover.CheckPlace(&rep, "ratio", dev, prover.SwitchedOn(gpu.EnvPlonkRatio), true); err != nil {
			t.Error(err)
		}
	}
	// On a GPU the ratio and Z's commitment are one call too.
	if _, fused := dev.(zkaccel.PlonkRatioMSMDevice); fused && prover.SwitchedOn(gpu.EnvPlonkFuse, gpu.EnvPlonkRatio) && rep.Get("ratio") != rep.Get("msm Z") {
		t.Errorf("the ratio and Z's MSM were not one call: %s", rep.String())
	}
	// On a GPU the openings are one call too: the
	// divisions and the MSMs report its time.
	if _, opens := dev.(zkaccel.PlonkOpenDevice); opens && prover.SwitchedOn(zplonk.EnvOpen) {
		call := rep.Get("msm batch opening")
		for _, ph := range []string{"msm Z opening", "divide", "divide Z"} {
			if rep.Get(ph) != call {
				t.Errorf("the openings were not one call on %v (%s): %s", dev, ph, rep.String())
			}
		}
	}
	_, runs := dev.(zkaccel.PlonkDevice) // where the quotient runs whole
	if err := prover.CheckPlace(&rep, "quotient", dev, runs, devtest.Required(dev)); err != nil {
		t.Error(err)
	}
	for _, host := range []string{"ratio", "evaluate", "linearise", "fold", "divide", "divide Z"} {
		if rep.Get(host) <= 0 {
			t.Errorf("report lacks the host phase %q: %s", host, rep.String())
		}
	}
	// L, R, O, Z, H1–H3 and the two openings (the
	// linearised polynomial's commitment is no MSM).
	if msms < 9 || rep.Get("msm linearised") != 0 || rep.Get("solve") <= 0 || rep.Get("ntt") <= 0 || rep.Curve != id {
		t.Errorf("report: %s", rep.String())
	}
	return &rep
}

// TestProverOptions: gnark's prover options pass through, on every
// device: solver options (a hint not registered with gnark), and, with and
// without a commitment, statistical zero knowledge (whose
// two randomizers of the quotient's shards zkaccel must draw where gnark
// does, first), and other hashes (three different ones) for the
// Fiat-Shamir challenges, the KZG folding and the commitments' hash to the
// field. Each proof verifies with
// the matching verifier options and is gnark's own, made with the same
// options from the same random bytes.
func TestProverOptions(t *testing.T) {
	id := ecc.BN254
	// Each call makes new hashes: a hash is stateful, and each prover
	// (and the verifier) must start from a fresh one.
	sets := []struct {
		name   string
		prover func() []backend.ProverOption
		verify func() []backend.VerifierOption
	}{
		{"statistical-zk", func() []backend.ProverOption {
			return []backend.ProverOption{backend.WithStatisticalZeroKnowledge()}
		}, func() []backend.VerifierOption { return nil }},
		{"sha3-hashes", func() []backend.ProverOption {
			return []backend.ProverOption{
				backend.WithProverChallengeHashFunction(sha3.New256()),
				backend.WithProverKZGFoldingHashFunction(sha3.New512()),
				backend.WithProverHashToFieldFunction(sha3.New384()),
			}
		}, func() []backend.VerifierOption {
			return []backend.VerifierOption{
				backend.WithVerifierChallengeHashFunction(sha3.New256()),
				backend.WithVerifierKZGFoldingHashFunction(sha3.New512()),
				backend.WithVerifierHashToFieldFunction(sha3.New384()),
			}
		}},
	}
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		// Solver options reach the solver: the circuit's hint is not
		// registered with gnark.
		t.Run("solver-hints", func(t *testing.T) {
			s := setupOf(t, "hinted", id, &circuits.Hinted{})
			w, pub := fullAndPublic(t, id, &circuits.Hinted{X: 7, Y: 49})
			if _, err := zplonk.Prove(s.ccs, s.pk, w, zplonk.WithDevice(dev)); err == nil {
				t.Fatal("proved without the hint")
			}
			hints := backend.WithSolverOptions(solver.WithHints(circuits.SquareHint))
			r := seedProof(t, s)
			proof, err := zplonk.Prove(s.ccs, s.pk, w, zplonk.WithDevice(dev), zplonk.WithProverOptions(hints))
			if err != nil {
				t.Fatal(err)
			}
			verifySame(t, s, w, pub, r, proof, hints)
		})
		for _, set := range sets {
			for _, c := range cases(8)[:2] {
				t.Run(set.name+"/"+c.name, func(t *testing.T) {
					s := setupOf(t, c.name+"-8", id, c.circuit)
					w, pub := fullAndPublic(t, id, c.assign(id))
					r := seedProof(t, s)
					proof, err := zplonk.Prove(s.ccs, s.pk, w, zplonk.WithDevice(dev), zplonk.WithProverOptions(set.prover()...))
					if err != nil {
						t.Fatal(err)
					}
					if set.name != "statistical-zk" {
						if err := plonk.Verify(proof, s.vk, pub); err == nil {
							t.Error("gnark's verifier, with its default hashes, accepts a proof made with others")
						}
					}
					verifySameWith(t, s, w, pub, r, proof, set.prover(), set.verify())
				})
			}
		}
	})
}

// TestWrongStatement: a proof does not verify against another public input.
func TestWrongStatement(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "cubic-small", id, &circuits.Cubic{Rounds: 3})
	w, _ := fullAndPublic(t, id, circuits.CubicAssignment(id.ScalarField(), big.NewInt(3), 3))
	proof, err := zplonk.Prove(s.ccs, s.pk, w, zplonk.WithDevice(zkaccel.HostCPU()))
	if err != nil {
		t.Fatal(err)
	}
	_, other := fullAndPublic(t, id, circuits.CubicAssignment(id.ScalarField(), big.NewInt(4), 3))
	if err := plonk.Verify(proof, s.vk, other); err == nil {
		t.Fatal("a proof verified against another public input")
	}
}

// TestBadInput: errors, never panics.
func TestBadInput(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "cubic-small", id, &circuits.Cubic{Rounds: 3})
	w, _ := fullAndPublic(t, id, circuits.CubicAssignment(id.ScalarField(), big.NewInt(3), 3))

	bad := circuits.CubicAssignment(id.ScalarField(), big.NewInt(3), 3)
	bad.Y = 12345
	wb, _ := fullAndPublic(t, id, bad)
	if _, err := zplonk.Prove(s.ccs, s.pk, wb); err == nil || !strings.Contains(err.Error(), "solve") {
		t.Errorf("unsatisfied witness: %v", err)
	}
	other := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
	if _, err := zplonk.Prove(s.ccs, other.pk, w); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Errorf("another circuit's key: %v", err)
	}
	bls := setupOf(t, "cubic-small", ecc.BLS12_381, &circuits.Cubic{Rounds: 3})
	if _, err := zplonk.Prove(s.ccs, bls.pk, w); err == nil || !strings.Contains(err.Error(), "over bn254, the proving key BLS12-381") {
		t.Errorf("another curve's key: %v", err)
	}
	rccs, err := frontend.Compile(id.ScalarField(), r1cs.NewBuilder, &circuits.Cubic{Rounds: 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zplonk.Prove(rccs, s.pk, w); err == nil || !strings.Contains(err.Error(), "an R1CS") {
		t.Errorf("an R1CS: %v", err)
	}
	gpk, _, err := groth16.Setup(rccs)
	if err != nil {
		t.Fatal(err)
	}
	if k, ok := any(gpk).(plonk.ProvingKey); ok {
		if _, err := zplonk.NewProver(k); err == nil {
			t.Error("a Groth16 key accepted")
		}
	}
	if _, err := zplonk.Prove(nil, s.pk, w); err == nil {
		t.Error("nil constraint system accepted")
	}
	if _, err := zplonk.NewProver(nil); err == nil {
		t.Error("nil key accepted")
	}
	t.Setenv(zkaccel.EnvDevice, "nosuch:7")
	if _, err := zplonk.Prove(s.ccs, s.pk, w); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("invalid ZKACCEL_DEVICE: %v", err)
	}
}

// TestNoDeviceMemoryLeft proves on every device that counts its memory
// with bad inputs (a witness that does not satisfy the circuit, another
// circuit's key), then one good proof, and checks that the device holds
// no more memory than before (its caches dropped on both sides).
func TestNoDeviceMemoryLeft(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "cubic-small", id, &circuits.Cubic{Rounds: 3})
	other := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
	w, pub := fullAndPublic(t, id, circuits.CubicAssignment(id.ScalarField(), big.NewInt(3), 3))
	bad := circuits.CubicAssignment(id.ScalarField(), big.NewInt(3), 3)
	bad.Y = 12345
	wb, _ := fullAndPublic(t, id, bad)
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		before, ok := prover.DeviceHeld(dev)
		if !ok {
			t.Skipf("%v does not count its memory", dev)
		}
		if _, err := zplonk.Prove(s.ccs, s.pk, wb, zplonk.WithDevice(dev)); err == nil {
			t.Error("an unsatisfied witness proved")
		}
		if _, err := zplonk.Prove(s.ccs, other.pk, w, zplonk.WithDevice(dev)); err == nil {
			t.Error("another circuit's key proved")
		}
		r := seedProof(t, s)
		proof, err := zplonk.Prove(s.ccs, s.pk, w, zplonk.WithDevice(dev))
		if err != nil {
			t.Fatal(err)
		}
		verifySame(t, s, w, pub, r, proof)
		if after, _ := prover.DeviceHeld(dev); after != before {
			t.Errorf("%v holds %d bytes after the proofs, %d before", dev, after, before)
		}
	})
}

// TestProverConcurrent proves with one Prover from several goroutines.
func TestProverConcurrent(t *testing.T) {
	id := ecc.BN254
	s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
	p, err := zplonk.NewProver(s.pk)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, pub := fullAndPublic(t, id, circuits.CommittedAssignment(int64(10+g), int64(20+g), 1))
			proof, err := p.Prove(s.ccs, w)
			if err == nil {
				err = plonk.Verify(proof, s.vk, pub)
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

// TestResidentKey: a Prover made for a GPU device keeps the SRS in its
// memory (and its proofs verify); Close frees it, and the prover still
// proves, from host memory.
func TestResidentKey(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		rd, ok := dev.(interface{ ResidentBytes() uint64 })
		if !ok {
			t.Skipf("%v keeps no points", dev)
		}
		id := ecc.BLS12_381
		s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
		before := rd.ResidentBytes()
		p, err := zplonk.NewProver(s.pk, zplonk.WithDevice(dev))
		if err != nil {
			t.Fatal(err)
		}
		if rd.ResidentBytes() == before {
			t.Fatal("the SRS is not resident on the device")
		}
		for round := 0; round < 2; round++ {
			w, pub := fullAndPublic(t, id, circuits.CommittedAssignment(int64(40+round), 2, 1))
			r := seedProof(t, s)
			proof, err := p.Prove(s.ccs, w)
			if err != nil {
				t.Fatal(err)
			}
			verifySame(t, s, w, pub, r, proof)
			if round == 0 {
				p.Close()
				if rd.ResidentBytes() != before {
					t.Errorf("Close left %d bytes resident", rd.ResidentBytes()-before)
				}
			}
		}
	})
}

// proveCommitted proves the committed circuit's assignment of seed with p
// (two range-checked values, one commitment), has gnark's verifier check
// the proof, and returns the proof's report.
func proveCommitted(t *testing.T, p *zplonk.Prover, s *setup, id ecc.ID, seed int64) *zplonk.Report {
	t.Helper()
	w, pub := fullAndPublic(t, id, circuits.CommittedAssignment(seed, 3, 1))
	var rep zplonk.Report
	r := seedProof(t, s)
	proof, err := p.Prove(s.ccs, w, zplonk.WithReport(&rep))
	if err != nil {
		t.Fatal(err)
	}
	verifySame(t, s, w, pub, r, proof)
	return &rep
}

// TestKeyPartlyResident: on a GPU whose share for resident data (half of
// its memory) has room for the SRS's canonical points but not also its
// Lagrange points, beside another key's points already there, a Prover
// keeps the first and leaves the second in host memory; its proofs run
// every MSM on the GPU and verify, and Close frees what it kept. The
// device is a GPU present, reporting 4 MiB of memory.
func TestKeyPartlyResident(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		gd, ok := dev.(*gpu.Device)
		if !ok {
			t.Skipf("%v keeps no points", dev)
		}
		id := ecc.BN254
		s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
		whole, err := zplonk.NewProver(s.pk, zplonk.WithDevice(gd))
		if err != nil {
			t.Fatal(err)
		}
		on, all := whole.Residency()
		whole.Close()
		if on != all || all == 0 {
			t.Fatalf("on %v: %d of the SRS's %d bytes resident, want all", gd, on, all)
		}

		const mem = 4 << 20
		t.Setenv(gpu.EnvMSMPrecompute, "0")
		// Another key's points hold the share but for the canonical SRS and
		// half of the Lagrange one (about half of the SRS each).
		small, release, err := devtest.Crowded(gd, mem, uint64(all*3/4))
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		before := small.ResidentBytes()
		p, err := zplonk.NewProver(s.pk, zplonk.WithDevice(small))
		if err != nil {
			t.Fatal(err)
		}
		on, all = p.Residency()
		t.Logf("%d of %d bytes of the SRS resident, beside %d bytes of another key's", on, all, before)
		if on == 0 || on >= all || small.ResidentBytes() > mem/2 {
			t.Errorf("%d of %d bytes of the SRS resident (the device holds %d), want some, within half of its memory", on, all, small.ResidentBytes())
		}
		for round := range 2 {
			rep := proveCommitted(t, p, s, id, int64(60+round))
			if err := prover.MSMsOn(rep, small); err != nil {
				t.Errorf("round %d: %v", round, err)
			}
		}
		p.Close()
		if small.ResidentBytes() != before {
			t.Errorf("Close left %d bytes resident", small.ResidentBytes()-before)
		}
	})
}

// TestResidentFixed: on a device that keeps a circuit's fixed polynomials
// (zkaccel.ResidentPlonkDevice), a Prover loads them at its first proof
// and reuses them in the next ones (the device holds no more after the
// second proof than after the first), every proof verifies, and Close
// frees them with the SRS.
func TestResidentFixed(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		rd, ok := dev.(interface{ ResidentBytes() uint64 })
		if _, keeps := dev.(zkaccel.ResidentPlonkDevice); !ok || !keeps {
			t.Skipf("%v keeps no PLONK polynomials", dev)
		}
		id := ecc.BN254
		s := setupOf(t, "rangecheck", id, &circuits.Committed{Commits: 1})
		before := rd.ResidentBytes()
		p, err := zplonk.NewProver(s.pk, zplonk.WithDevice(dev))
		if err != nil {
			t.Fatal(err)
		}
		srs := rd.ResidentBytes()
		var held []uint64
		for round := 0; round < 3; round++ {
			proveCommitted(t, p, s, id, int64(70+round))
			held = append(held, rd.ResidentBytes())
		}
		if held[0] <= srs || held[1] != held[0] || held[2] != held[0] {
			t.Errorf("resident bytes: %d with the SRS, then %v after each proof; want more after the first, then the same", srs, held)
		}
		p.Close()
		if rd.ResidentBytes() != before {
			t.Errorf("Close left %d bytes resident", rd.ResidentBytes()-before)
		}
	})
}
