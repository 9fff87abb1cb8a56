// Package msm holds the options shared by the per-curve multi-scalar
// multiplication front ends in its sub-packages (msm/bn254, msm/bls12-381,
// msm/bls12-377).
package msm

import (
	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/dispatch"
)

// Option configures one MSM call.
type Option func(*dispatch.Config)

// WithDevice runs the MSM on d instead of zkaccel.Default(). A device that
// lacks the MSM (or the curve, group or size) makes the call fall back to the
// CPU, recorded in the call's Report; a nil d is an error.
func WithDevice(d zkaccel.Device) Option { return func(c *dispatch.Config) { c.SetDevice(d) } }

// WithNbTasks bounds the number of goroutines of the CPU computation (and of
// a device backend's host-side work) to n, which must be in [1, 1024]; by
// default gnark-crypto's choice (twice the number of CPUs) applies.
func WithNbTasks(n int) Option { return func(c *dispatch.Config) { c.SetNbTasks(n) } }

// WithReport fills r with what became of the call: the device that ran it,
// whether it fell back to the CPU and why, and its wall time.
func WithReport(r *zkaccel.Report) Option { return func(c *dispatch.Config) { c.Report = r } }
