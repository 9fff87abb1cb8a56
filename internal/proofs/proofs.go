// Package proofs drives gnark's proof systems the same way for every tool
// that proves: the benchmarks (bench) and the conformance suite
// (bench/conformance). A [System] compiles a circuit, sets it up, proves
// with gnark's own prover or with zkaccel's (gnark/groth16, gnark/plonk) on
// a device, and verifies with gnark's verifier.
package proofs

import (
	"math/big"

	"github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/backend/plonk"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/consensys/gnark/frontend/cs/scs"
	"github.com/consensys/gnark/test/unsafekzg"

	"github.com/zkaccel/zkaccel"
	zgroth16 "github.com/zkaccel/zkaccel/gnark/groth16"
	zplonk "github.com/zkaccel/zkaccel/gnark/plonk"
)

// The proof systems' names, as the bench and conformance ops name them.
const (
	Groth16 = "groth16" // gnark's groth16 and zkaccel's gnark/groth16
	Plonk   = "plonk"   // gnark's plonk (KZG, an unsafe test SRS) and zkaccel's gnark/plonk
)

// Report is the phases of a zkaccel proof (the same type for both
// systems).
type Report = zgroth16.Report

// System is one proof system. Keys and proofs are gnark's, as any.
type System struct {
	Name string
	// Compile builds c over the scalar field field (R1CS for Groth16,
	// SparseR1CS for PLONK).
	Compile func(field *big.Int, c frontend.Circuit) (constraint.ConstraintSystem, error)
	// Setup makes the keys; PLONK's uses gnark's unsafe test SRS, not for
	// production keys.
	Setup func(ccs constraint.ConstraintSystem) (pk, vk any, err error)
	// GnarkProve proves with gnark's own prover.
	GnarkProve func(ccs constraint.ConstraintSystem, pk any, w witness.Witness) (any, error)
	// Verify is gnark's verifier.
	Verify func(proof, vk any, public witness.Witness) error
	// NewProver makes zkaccel's prover of pk on dev.
	NewProver func(pk any, dev zkaccel.Device) (Prover, error)
}

// Prover is zkaccel's prover of one system with one key on one device.
type Prover interface {
	// Prove proves w, filling rep with the phases.
	Prove(ccs constraint.ConstraintSystem, w witness.Witness, rep *Report) (any, error)
	// Close frees the device's copy of the key's points.
	Close()
	// Residency is the size of the key's points kept in the device's
	// memory, and of all of them, in bytes.
	Residency() (onDevice, all int64)
}

type groth16Prover struct{ p *zgroth16.Prover }

func (g groth16Prover) Prove(ccs constraint.ConstraintSystem, w witness.Witness, rep *Report) (any, error) {
	return g.p.Prove(ccs, w, zgroth16.WithReport(rep))
}

func (g groth16Prover) Close() { g.p.Close() }

func (g groth16Prover) Residency() (int64, int64) { return g.p.Residency() }

type plonkProver struct{ p *zplonk.Prover }

func (g plonkProver) Prove(ccs constraint.ConstraintSystem, w witness.Witness, rep *Report) (any, error) {
	return g.p.Prove(ccs, w, zplonk.WithReport(rep))
}

func (g plonkProver) Close() { g.p.Close() }

func (g plonkProver) Residency() (int64, int64) { return g.p.Residency() }

// Systems are the proof systems by name.
var Systems = map[string]*System{
	Groth16: {
		Name: Groth16,
		Compile: func(field *big.Int, c frontend.Circuit) (constraint.ConstraintSystem, error) {
			return frontend.Compile(field, r1cs.NewBuilder, c)
		},
		Setup: func(ccs constraint.ConstraintSystem) (any, any, error) { return groth16.Setup(ccs) },
		GnarkProve: func(ccs constraint.ConstraintSystem, pk any, w witness.Witness) (any, error) {
			return groth16.Prove(ccs, pk.(groth16.ProvingKey), w)
		},
		Verify: func(proof, vk any, public witness.Witness) error {
			return groth16.Verify(proof.(groth16.Proof), vk.(groth16.VerifyingKey), public)
		},
		NewProver: func(pk any, dev zkaccel.Device) (Prover, error) {
			p, err := zgroth16.NewProver(pk.(groth16.ProvingKey), zgroth16.WithDevice(dev))
			if err != nil {
				return nil, err
			}
			return groth16Prover{p}, nil
		},
	},
	Plonk: {
		Name: Plonk,
		Compile: func(field *big.Int, c frontend.Circuit) (constraint.ConstraintSystem, error) {
			return frontend.Compile(field, scs.NewBuilder, c)
		},
		Setup: func(ccs constraint.ConstraintSystem) (any, any, error) {
			srs, srsLagrange, err := unsafekzg.NewSRS(ccs)
			if err != nil {
				return nil, nil, err
			}
			return plonk.Setup(ccs, srs, srsLagrange)
		},
		GnarkProve: func(ccs constraint.ConstraintSystem, pk any, w witness.Witness) (any, error) {
			return plonk.Prove(ccs, pk.(plonk.ProvingKey), w)
		},
		Verify: func(proof, vk any, public witness.Witness) error {
			return plonk.Verify(proof.(plonk.Proof), vk.(plonk.VerifyingKey), public)
		},
		NewProver: func(pk any, dev zkaccel.Device) (Prover, error) {
			p, err := zplonk.NewProver(pk.(plonk.ProvingKey), zplonk.WithDevice(dev))
			if err != nil {
				return nil, err
			}
			return plonkProver{p}, nil
		},
	},
}
