package groth16

import (
	"github.com/consensys/gnark/backend"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gnark/internal/prover"
)

// Option configures [Prove], [NewProver] and [Prover.Prove].
type Option = prover.Option

// config is what the options set.
type config = prover.Config

// Report says where a proof's time went: the solver, the NTTs and each
// MSM, with the device each ran on (see [WithReport]).
type Report = prover.Report

// Phase is one step of a proof in a [Report].
type Phase = prover.Phase

// WithDevice runs every MSM and NTT of the proof on dev (falling back to
// the CPU, visibly, for what dev does not run). Without it, the default
// device is used: where ZKACCEL_DEVICE names it, or where the automatic
// choice is a device whose crossovers the proof's size reaches (its G1
// MSM's and NTT's), the whole proof runs there as with WithDevice (on a
// GPU: the MSM batches and the one-call quotient); else each call chooses
// from its own size.
func WithDevice(dev zkaccel.Device) Option { return prover.WithDevice(dev) }

// WithProverOptions passes gnark's prover options through: solver options
// (hints), backend.WithProverHashToFieldFunction, …
func WithProverOptions(opts ...backend.ProverOption) Option {
	return prover.WithProverOptions(opts...)
}

// WithReport fills r, when the proof is done, with where the time went:
// the solver, the NTTs and each MSM, with the device each ran on.
func WithReport(r *Report) Option { return prover.WithReport(r) }
