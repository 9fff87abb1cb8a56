package plonk

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/utils/cpu"
	gnarkplonk "github.com/consensys/gnark/backend/plonk"
	gplonkbls12377 "github.com/consensys/gnark/backend/plonk/bls12-377"
	gplonkbls12381 "github.com/consensys/gnark/backend/plonk/bls12-381"
	gplonkbn254 "github.com/consensys/gnark/backend/plonk/bn254"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/constraint"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gnark/internal/prover"
	"github.com/zkaccel/zkaccel/internal/envflag"
)

// Errors of the prover; every error it returns starts with
// "zkaccel/gnark/plonk: ".
var (
	// ErrUnsupportedCurve: a proving key of a curve this package does not
	// prove on (it proves on BN254, BLS12-381 and BLS12-377).
	ErrUnsupportedCurve = errors.New("unsupported curve")
	errKey              = errors.New("malformed proving key")
	errMismatch         = errors.New("the constraint system does not match the proving key")
)

// curveProver is the prover of one curve (prove_*.go).
type curveProver interface {
	curve() ecc.ID
	close()
	residency() (onDevice, all int64)
	prove(ccs constraint.ConstraintSystem, fullWitness witness.Witness, cfg *prover.Config) (gnarkplonk.Proof, error)
}

// Prover proves witnesses with one PLONK proving key. Make it once with
// [NewProver]; it keeps each constraint system's trace, in canonical form,
// after the first proof of that system. Prove may be called many times,
// also from several goroutines.
type Prover struct {
	impl curveProver
	opts []Option
}

const pkgName = "plonk"

// NewProver checks a gnark PLONK proving key (BN254, BLS12-381 or
// BLS12-377). opts apply to every Prove call, before the call's own. The
// key's SRS is loaded into the memory of the device of WithDevice (else the
// default device), where that device keeps points, so that proofs on it
// move none (as much of it as fits in half of a GPU's memory: see
// [Prover.Residency]): call [Prover.Close] to free it.
func NewProver(pk gnarkplonk.ProvingKey, opts ...Option) (*Prover, error) {
	cfg := prover.Apply(opts)
	dev, err := cfg.Target()
	if err != nil {
		return nil, fmt.Errorf("zkaccel/gnark/%s: %w", pkgName, err)
	}
	var impl curveProver
	err = cfg.Load(func() error { // again after a device reset (WithResetRetries)
		var err error
		switch k := pk.(type) {
		case *gplonkbn254.ProvingKey:
			impl, err = newProverBN254(k, dev)
		case *gplonkbls12381.ProvingKey:
			impl, err = newProverBLS12381(k, dev)
		case *gplonkbls12377.ProvingKey:
			impl, err = newProverBLS12377(k, dev)
		case nil:
			err = fmt.Errorf("%w: nil proving key", errKey)
		default:
			err = fmt.Errorf("proving key %T: %w (BN254, BLS12-381 and BLS12-377 are)", pk, ErrUnsupportedCurve)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("zkaccel/gnark/plonk: %w", err)
	}
	return &Prover{impl: impl, opts: opts}, nil
}

// Close frees the device's copy of the key's points (its bases or its SRS,
// kept in the memory of the device the prover was made for where that
// device keeps points). The prover still proves afterwards, moving the
// points on every call. Closing twice does nothing.
func (p *Prover) Close() { p.impl.close() }

// Residency is the size, in bytes, of the key's points that the prover
// keeps in the device's memory, and of all of them (its SRS, canonical
// and Lagrange).
// A GPU keeps points while its resident data stay within half of its
// memory (and it has room): the others stay in host memory, and each proof
// copies them to the device. After Close, onDevice is 0. Not to be called
// during Close.
func (p *Prover) Residency() (onDevice, all int64) { return p.impl.residency() }

// Curve is the proving key's curve.
func (p *Prover) Curve() ecc.ID { return p.impl.curve() }

// Prove computes a proof that fullWitness (public and secret parts)
// satisfies ccs, the SparseR1CS the key was set up for. A witness that does
// not satisfy the circuit is an error (the solver's), as is a constraint
// system or witness that does not match the key; nothing panics.
func (p *Prover) Prove(ccs constraint.ConstraintSystem, fullWitness witness.Witness, opts ...Option) (gnarkplonk.Proof, error) {
	return prover.Run(pkgName, p.impl.curve(), p.opts, opts, ccs, fullWitness, func(cfg *prover.Config) (gnarkplonk.Proof, error) {
		return p.impl.prove(ccs, fullWitness, cfg)
	})
}

// Prove is NewProver(pk, opts...).Prove(ccs, fullWitness), closing the
// prover after: a drop-in for
// gnark's plonk.Prove that runs the MSMs and NTTs through zkaccel.
func Prove(ccs constraint.ConstraintSystem, pk gnarkplonk.ProvingKey, fullWitness witness.Witness, opts ...Option) (gnarkplonk.Proof, error) {
	prover.Apply(opts).Report.Reset() // NewProver records its key's loading's resets
	p, err := NewProver(pk, opts...)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	return p.Prove(ccs, fullWitness, prover.KeepReport())
}

// The slots of a proof's workspace (prover.Workspace, each curve's
// prover's ws): commitLRO's three vectors (the host's MSM scalars), Z's
// values, Qk with the public inputs, H, the blinded Z, the linearised
// polynomial, and each BSB22 commitment's committed values.
const (
	wsLRO       = iota // three slots
	wsZ         = wsLRO + 3
	wsQk        = wsZ + 1
	wsH         = wsQk + 1
	wsBlindZ    = wsH + 1
	wsLin       = wsBlindZ + 1
	wsCommitted = wsLin + 1 // one slot per commitment
)

// vecBlock is the block, in field elements, of the host steps that use
// gnark-crypto's vectorised field arithmetic (evalMany, combine): small
// enough for a core's cache, large enough for the vector loops.
const vecBlock = 1024

// pointBlock is the block of points of the host quotient's pointwise step;
// tests set it smaller, so that small domains take several blocks.
var pointBlock = vecBlock

// vecEval says whether evalMany makes its values as inner products with
// the point's powers (gnark-crypto's InnerProduct, vectorised with
// AVX-512) rather than by Horner's rule, which is faster where the CPU
// lacks AVX-512. Tests set it both ways.
var vecEval = cpu.SupportAVX512

// EnvHostFixed names the variable that decides whether a prover's host
// quotient (on the CPU device, or where a device declines the quotient)
// keeps each circuit's fixed polynomials (the selectors but Qk, the
// permutation's S1–S3 and the Qcpᵢ) evaluated on the quotient's four
// cosets from a circuit's second proof on (a one-shot [Prove] keeps none),
// so that later proofs skip their transforms, as the GPU devices keep them
// in device memory: "1" keeps them, "0" does not, and unset keeps them
// where they take at most an eighth of the host's memory (7 + the
// commitments' polynomials × 4n elements: 896 MiB at n = 2^20 for BN254
// without commitments).
const EnvHostFixed = "ZKACCEL_PLONK_HOST_FIXED"

// EnvKeep names the variable that decides whether a prover on a device
// that keeps PLONK polynomials (the GPUs) spares the ratio's and the
// quotient's uploads: the ratio reads σ's values from the circuit's
// polynomials kept there (loaded with the fixed ones at the first proof),
// and the wires' and Z's values stay there from the ratio to the quotient.
// At n = 2^20 for BN254 that is 7 × 32 MiB less to upload per proof. "1"
// or unset does, "0" does not (every proof uploads them, as before: a
// switch to measure the difference).
const EnvKeep = "ZKACCEL_PLONK_KEEP"

// EnvOpen names the variable that decides whether a prover on a device
// that opens PLONK polynomials in its memory (zkaccel.PlonkOpenDevice: the
// GPUs) makes a proof's openings there: the values at ζ and ωζ, and the
// batch opening's and Z's opening proofs (the combination of the
// polynomials, the division by X − a and its MSM), from the coefficients
// that the quotient leaves on the device and the circuit's, which a
// prover loads with its fixed polynomials. Then neither the openings'
// polynomials nor their quotients cross to the host, and the host only
// binds the transcript. "1" or unset does, "0" does not (the host
// computes them, as before: a switch to measure the difference).
const EnvOpen = "ZKACCEL_PLONK_OPEN"

// declineOpen makes the openings on the device decline, as a device may
// (tests: the host then reads back what it needs and opens).
var declineOpen atomic.Bool

// openOn reports whether EnvOpen allows the openings on the device.
func openOn() (bool, error) { return envflag.Switch(EnvOpen, true) }

// keepOn reports whether EnvKeep allows the ratio's σ and kept values.
func keepOn() (bool, error) { return envflag.Switch(EnvKeep, true) }

// hostFixedOn reports whether a host quotient keeps its fixed polynomials'
// coset values, bytes of them (EnvHostFixed).
func hostFixedOn(bytes uint64) (bool, error) {
	on, set, err := envflag.Lookup(EnvHostFixed)
	if err != nil || set {
		return on, err
	}
	limit := zkaccel.HostCPU().Memory() / 8
	if limit == 0 { // unknown
		limit = 1 << 30
	}
	return bytes <= limit, nil
}
