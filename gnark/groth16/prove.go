package groth16

import (
	"errors"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc"
	gnarkgroth16 "github.com/consensys/gnark/backend/groth16"
	g16bls12377 "github.com/consensys/gnark/backend/groth16/bls12-377"
	g16bls12381 "github.com/consensys/gnark/backend/groth16/bls12-381"
	g16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"

	"github.com/zkaccel/zkaccel/gnark/internal/prover"
)

// Errors of the prover; every error it returns starts with
// "zkaccel/gnark/groth16: ".
var (
	// ErrUnsupportedCurve: a proving key of a curve this package does not
	// prove on (it proves on BN254, BLS12-381 and BLS12-377).
	ErrUnsupportedCurve = errors.New("unsupported curve")
	// errKey: a malformed proving key.
	errKey = errors.New("malformed proving key")
	// errMismatch: the constraint system, witness and key do not belong
	// together.
	errMismatch = errors.New("the constraint system does not match the proving key")
)

// curveProver is the prover of one curve (prove_*.go).
type curveProver interface {
	curve() ecc.ID
	close()
	residency() (onDevice, all int64)
	prove(ccs constraint.ConstraintSystem, fullWitness witness.Witness, cfg *config) (gnarkgroth16.Proof, error)
}

// Prover proves witnesses of one circuit with one proving key. Make it
// once with [NewProver]; Prove may be called many times, also from several
// goroutines.
type Prover struct {
	impl curveProver
	opts []Option
}

const pkgName = "groth16"

// NewProver checks a gnark Groth16 proving key (BN254, BLS12-381 or
// BLS12-377) and derives what every proof with it needs. opts apply to
// every Prove call, before the call's own. The key's points are loaded
// into the memory of the device of WithDevice (else the default device),
// where that device keeps points, so that proofs on it move none (as much
// of them as fits in half of a GPU's memory: see [Prover.Residency]): call
// [Prover.Close] to free them.
func NewProver(pk gnarkgroth16.ProvingKey, opts ...Option) (*Prover, error) {
	cfg := prover.Apply(opts)
	dev, err := cfg.Target()
	if err != nil {
		return nil, fmt.Errorf("zkaccel/gnark/%s: %w", pkgName, err)
	}
	var impl curveProver
	err = cfg.Load(func() error { // again after a device reset (WithResetRetries)
		var err error
		switch k := pk.(type) {
		case *g16bn254.ProvingKey:
			impl, err = newProverBN254(k, dev)
		case *g16bls12381.ProvingKey:
			impl, err = newProverBLS12381(k, dev)
		case *g16bls12377.ProvingKey:
			impl, err = newProverBLS12377(k, dev)
		case nil:
			err = fmt.Errorf("%w: nil proving key", errKey)
		default:
			err = fmt.Errorf("proving key %T: %w (BN254, BLS12-381 and BLS12-377 are)", pk, ErrUnsupportedCurve)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("zkaccel/gnark/groth16: %w", err)
	}
	return &Prover{impl: impl, opts: opts}, nil
}

// Close frees the device's copy of the key's points (its bases or its SRS,
// kept in the memory of the device the prover was made for where that
// device keeps points). The prover still proves afterwards, moving the
// points on every call. Closing twice does nothing.
func (p *Prover) Close() { p.impl.close() }

// Residency is the size, in bytes, of the key's points that the prover
// keeps in the device's memory, and of all of them (its bases).
// A GPU keeps points while its resident data stay within half of its
// memory (and it has room): the others stay in host memory, and each proof
// copies them to the device. After Close, onDevice is 0. Not to be called
// during Close.
func (p *Prover) Residency() (onDevice, all int64) { return p.impl.residency() }

// Curve is the proving key's curve.
func (p *Prover) Curve() ecc.ID { return p.impl.curve() }

// Prove computes a proof that fullWitness (public and secret parts)
// satisfies ccs, which must be the R1CS the key was set up for. A witness
// that does not satisfy the circuit is an error (the solver's, naming the
// constraint), as is a constraint system or witness that does not match
// the key; nothing panics.
func (p *Prover) Prove(ccs constraint.ConstraintSystem, fullWitness witness.Witness, opts ...Option) (gnarkgroth16.Proof, error) {
	return prover.Run(pkgName, p.impl.curve(), p.opts, opts, ccs, fullWitness, func(cfg *prover.Config) (gnarkgroth16.Proof, error) {
		return p.impl.prove(ccs, fullWitness, cfg)
	})
}

// Prove is NewProver(pk, opts...).Prove(ccs, fullWitness), closing the
// prover after: a drop-in for
// gnark's groth16.Prove that runs the MSMs and NTTs through zkaccel.
func Prove(ccs constraint.ConstraintSystem, pk gnarkgroth16.ProvingKey, fullWitness witness.Witness, opts ...Option) (gnarkgroth16.Proof, error) {
	prover.Apply(opts).Report.Reset() // NewProver records its key's loading's resets
	p, err := NewProver(pk, opts...)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	return p.Prove(ccs, fullWitness, prover.KeepReport())
}
