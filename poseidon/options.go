// Package poseidon holds the options shared by the Poseidon and Poseidon2
// front ends in its sub-packages (poseidon/bn254, poseidon/goldilocks,
// poseidon/babybear, poseidon/koalabear).
package poseidon

import (
	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/dispatch"
)

// Option configures one hashing call.
type Option func(*dispatch.Config)

// WithDevice runs the call on d instead of zkaccel.Default(). A device that
// lacks the operation (or the field, width or size) makes the call fall back
// to the CPU, recorded in the call's Report; a nil d is an error.
func WithDevice(d zkaccel.Device) Option { return func(c *dispatch.Config) { c.SetDevice(d) } }

// WithNbTasks bounds the number of goroutines of a batch's CPU computation to
// n, which must be in [1, 1024]; by default one per CPU.
func WithNbTasks(n int) Option { return func(c *dispatch.Config) { c.SetNbTasks(n) } }

// WithReport fills r with what became of the call: the device that ran it,
// whether it fell back to the CPU and why, and its wall time.
func WithReport(r *zkaccel.Report) Option { return func(c *dispatch.Config) { c.Report = r } }
