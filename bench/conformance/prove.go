package conformance

import (
	"fmt"
	"math/big"
	"strings"
	"sync"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/circuits"
	"github.com/zkaccel/zkaccel/internal/proofs"
)

// The prover cases ("groth16", "plonk"), for each curve: zkaccel's prover
// (gnark/groth16, gnark/plonk) proves on the device
//
//   - "cubic": a chain of cubic steps x ← x³ + x + 5 from a secret to a
//     public value, of about 2^8 constraints (2^12 in the long set,
//     "cubic-2^12");
//   - "commit": a circuit with two BSB22 commitments (a range check's and
//     an api.Commit), two public inputs;
//
// and gnark's verifier must accept the proof and reject it against another
// public input. Proofs are randomised, so a device is checked here by what
// gnark's verifier says, not by the proof's bytes. (The provers' own tests
// compare the bytes too, with gnark's proof from the same random bytes:
// that replaces the process's crypto/rand.Reader, which a test binary may
// do and a library such as this suite must not.) The reports are the
// prover's phases that name a device: every MSM, and the quotient
// (Groth16's phase "ntt", PLONK's "quotient"), which runs whole on a device
// that computes it. The keys are made once per process (gnark's setup;
// PLONK's with an unsafe test SRS) and shared by every device.

func init() {
	for _, sys := range []string{proofs.Groth16, proofs.Plonk} {
		for _, id := range []ecc.ID{ecc.BN254, ecc.BLS12_381, ecc.BLS12_377} {
			for _, c := range []struct {
				name  string
				short bool
				log   int // constraints, about 2^log; 0 for the commitment circuit
			}{{"cubic", true, 8}, {"commit", true, 0}, {"cubic-2^12", false, 12}} {
				register(Case{
					Op:    sys,
					Name:  curveName(id) + "/" + c.name,
					Short: c.short,
					check: func(t *trial) error { return proveCase(t, sys, id, c.log) },
				})
			}
		}
	}
}

// curveName is zkaccel's name of a gnark-crypto curve.
func curveName(id ecc.ID) string {
	switch id {
	case ecc.BLS12_381:
		return string(zkaccel.BLS12381)
	case ecc.BLS12_377:
		return string(zkaccel.BLS12377)
	}
	return string(zkaccel.BN254)
}

// proofSetup is a circuit compiled and set up once, with a statement it
// holds for and another public input.
type proofSetup struct {
	ccs          constraint.ConstraintSystem
	pk, vk       any
	full, public witness.Witness
	otherPublic  witness.Witness // another statement's public part
}

var (
	setupsMu sync.Mutex
	setups   = map[string]*setupOnce{}
)

type setupOnce struct {
	once sync.Once
	s    *proofSetup
	err  error
}

// setupOf returns the setup of system sys on curve id, for the cubic chain
// of about 2^logN constraints (logN > 0) or the commitment circuit.
func setupOf(sys *proofs.System, id ecc.ID, logN int) (*proofSetup, error) {
	key := fmt.Sprintf("%s/%s/%d", sys.Name, id, logN)
	setupsMu.Lock()
	o := setups[key]
	if o == nil {
		o = &setupOnce{}
		setups[key] = o
	}
	setupsMu.Unlock()
	o.once.Do(func() { o.s, o.err = newSetup(sys, id, logN) })
	return o.s, o.err
}

func newSetup(sys *proofs.System, id ecc.ID, logN int) (*proofSetup, error) {
	field := id.ScalarField()
	var shape, assign, other frontend.Circuit
	if logN > 0 {
		perRound := 2 // constraints per step: R1CS 2, PLONK 4
		if sys.Name == proofs.Plonk {
			perRound = 4
		}
		rounds := (1<<logN)/perRound - 1
		shape = &circuits.Cubic{Rounds: rounds}
		assign = circuits.CubicAssignment(field, big.NewInt(3), rounds)
		other = circuits.CubicAssignment(field, big.NewInt(4), rounds)
	} else {
		shape = &circuits.Committed{Commits: 2}
		assign = circuits.CommittedAssignment(123, 456, 2)
		other = circuits.CommittedAssignment(124, 456, 2)
	}
	s := &proofSetup{}
	var err error
	if s.ccs, err = sys.Compile(field, shape); err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	if s.pk, s.vk, err = sys.Setup(s.ccs); err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	if s.full, err = frontend.NewWitness(assign, field); err != nil {
		return nil, err
	}
	if s.public, err = s.full.Public(); err != nil {
		return nil, err
	}
	if s.otherPublic, err = frontend.NewWitness(other, field, frontend.PublicOnly()); err != nil {
		return nil, err
	}
	return s, nil
}

// proveCase proves the case's statement with zkaccel's prover on t's
// device and checks the proof with gnark's verifier.
func proveCase(t *trial, name string, id ecc.ID, logN int) error {
	sys := proofs.Systems[name]
	s, err := setupOf(sys, id, logN)
	if err != nil {
		return err
	}
	p, err := sys.NewProver(s.pk, t.dev)
	if err != nil {
		return fmt.Errorf("new prover: %w", err)
	}
	defer p.Close()
	var rep proofs.Report
	proof, err := p.Prove(s.ccs, s.full, &rep)
	if err != nil {
		return fmt.Errorf("prove: %w", err)
	}
	if err := sys.Verify(proof, s.vk, s.public); err != nil {
		return fmt.Errorf("gnark's verifier rejects the proof: %w", err)
	}
	if err := sys.Verify(proof, s.vk, s.otherPublic); err == nil {
		return fmt.Errorf("gnark's verifier accepts the proof for another public input")
	}
	phases := 0
	for _, ph := range rep.Phases {
		if ph.Ran == nil {
			continue // the solver and PLONK's NTT phase
		}
		phases++
		r := t.report()
		*r = zkaccel.Report{Op: name + " " + ph.Name + " " + curveName(id), N: s.ccs.GetNbConstraints(),
			Requested: t.dev, Ran: ph.Ran, Fallback: ph.Fallback, Reason: ph.Reason, Elapsed: ph.Elapsed}
	}
	if phases == 0 || !strings.Contains(rep.String(), "msm") {
		return fmt.Errorf("the prover's report names no device: %s", rep.String())
	}
	return nil
}
