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

// WithResetRetries tries a proof again, up to n times, where a device
// reset interrupts it (an error wrapping zkaccel.ErrDeviceReset: a GPU
// that faulted or was reset, whose runtime has made it ready again by the
// time the error returns), so that a proving service need not wrap every
// call in a loop. The witness solved before the
// reset is kept where H was computed on the device (the GPUs: CUDA and
// OpenCL devices compute Groth16's quotient), so a reset during the
// quotient or the MSMs redoes only those; a reset in the solver's
// commitment MSMs, or after H was computed on the host, starts the proof
// again from the solver. Each retry draws new blinding values, so the proof
// is not the one a single attempt would have made from the same random
// bytes; gnark's verifier accepts it all the same. The report counts the
// retries (Report.Retries) and gives each lost attempt as a phase
// "reset". Given to NewProver (or Prove), it also loads the key again
// after a reset during the loading, up to n times. n = 0, the default,
// returns the first reset's error; a negative n is an error. A device lost
// to the process (zkaccel.ErrDeviceLost: its reset failed too) is never
// retried: its error returns at once.
func WithResetRetries(n int) Option { return prover.WithResetRetries(n) }
