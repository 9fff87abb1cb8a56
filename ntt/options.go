// Package ntt holds the options shared by the per-field NTT front ends in its
// sub-packages (ntt/bn254, ntt/bls12-381, ntt/bls12-377, ntt/goldilocks,
// ntt/babybear, ntt/koalabear).
package ntt

import (
	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/dispatch"
)

// Option configures one NTT call.
type Option func(*dispatch.Config)

// WithDevice runs the NTT on d instead of zkaccel.Default(). A device that
// lacks the NTT (or the field or size) makes the call fall back to the CPU,
// recorded in the call's Report; a nil d is an error.
func WithDevice(d zkaccel.Device) Option { return func(c *dispatch.Config) { c.SetDevice(d) } }

// OnCoset makes FFT evaluate on the coset g·⟨ω⟩ and FFTInverse interpolate
// from it, where g is the domain's FrMultiplicativeGen (its shift), exactly as
// gnark-crypto's fft.OnCoset does.
func OnCoset() Option { return func(c *dispatch.Config) { c.Coset = true } }

// WithNbTasks bounds the number of goroutines of the CPU computation to n,
// which must be in [1, 1024] (gnark-crypto caps FFTs at 512); by default
// gnark-crypto uses one per CPU.
func WithNbTasks(n int) Option { return func(c *dispatch.Config) { c.SetNbTasks(n) } }

// WithReport fills r with what became of the call: the device that ran it,
// whether it fell back to the CPU and why, and its wall time.
func WithReport(r *zkaccel.Report) Option { return func(c *dispatch.Config) { c.Report = r } }
