package groth16

import (
	"fmt"
	"sync"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/msm"
	"github.com/zkaccel/zkaccel/ntt"
)

// Option configures [Prove] and [NewProver].
type Option func(*config)

type config struct {
	device     zkaccel.Device // nil: the default device (zkaccel.Default)
	proverOpts []backend.ProverOption
	report     *Report
}

// WithDevice runs every MSM and NTT of the proof on dev (falling back to
// the CPU, visibly, for what dev does not run). Without it, the default
// device (ZKACCEL_DEVICE, else the automatic choice) is used.
func WithDevice(dev zkaccel.Device) Option { return func(c *config) { c.device = dev } }

// WithProverOptions passes gnark's prover options through: solver options
// (hints), backend.WithProverHashToFieldFunction, …
func WithProverOptions(opts ...backend.ProverOption) Option {
	return func(c *config) { c.proverOpts = append(c.proverOpts, opts...) }
}

// WithReport fills r, when the proof is done, with where the time went:
// the solver, the NTTs and each MSM, with the device each ran on.
func WithReport(r *Report) Option { return func(c *config) { c.report = r } }

func (c *config) msmOpts(rep *zkaccel.Report, tasks int) []msm.Option {
	opts := []msm.Option{msm.WithReport(rep)}
	if c.device != nil {
		opts = append(opts, msm.WithDevice(c.device))
	}
	if tasks > 0 {
		opts = append(opts, msm.WithNbTasks(min(tasks, 1024)))
	}
	return opts
}

func (c *config) nttOpts(extra ntt.Option) []ntt.Option {
	var opts []ntt.Option
	if c.device != nil {
		opts = append(opts, ntt.WithDevice(c.device))
	}
	if extra != nil {
		opts = append(opts, extra)
	}
	return opts
}

// Report says where a proof's time went.
type Report struct {
	Curve  ecc.ID
	Total  time.Duration // the whole Prove call
	Phases []Phase       // in the order they finished
	mu     sync.Mutex
}

// Phase is one step of a proof.
type Phase struct {
	// Name is "solve", "ntt" (the quotient's seven NTTs and its pointwise
	// products), "msm A", "msm B1", "msm B2" (G2), "msm K", "msm Z",
	// "msm commitment i" or "msm commitment i knowledge".
	Name    string
	Elapsed time.Duration
	// Ran is the device that ran it (MSMs; nil for the solver and the
	// NTT phase), and Fallback reports a CPU fallback.
	Ran      zkaccel.Device
	Fallback bool
}

// phase records one phase; a nil report records nothing.
func (r *Report) phase(name string, d time.Duration, zr *zkaccel.Report) {
	if r == nil {
		return
	}
	ph := Phase{Name: name, Elapsed: d}
	if zr != nil {
		ph.Ran, ph.Fallback = zr.Ran, zr.Fallback
	}
	r.mu.Lock()
	r.Phases = append(r.Phases, ph)
	r.mu.Unlock()
}

func (r *Report) finish(c ecc.ID, total time.Duration) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.Curve, r.Total = c, total
	r.mu.Unlock()
}

// reset empties the report before a proof.
func (r *Report) reset() {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.Curve, r.Total, r.Phases = ecc.UNKNOWN, 0, nil
	r.mu.Unlock()
}

// Get returns the total time of the phases named name (the MSMs of all the
// commitments are "msm commitment …" each).
func (r *Report) Get(name string) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var d time.Duration
	for _, p := range r.Phases {
		if p.Name == name {
			d += p.Elapsed
		}
	}
	return d
}

// String lists the phases, e.g. "bn254 1.2s: solve 120ms, ntt 300ms, msm A
// 200ms on cuda:0, …".
func (r *Report) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := fmt.Sprintf("%s %v:", r.Curve, r.Total.Round(time.Microsecond))
	for i, p := range r.Phases {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprintf(" %s %v", p.Name, p.Elapsed.Round(time.Microsecond))
		if p.Ran != nil {
			s += " on " + p.Ran.String()
		}
		if p.Fallback {
			s += " (cpu fallback)"
		}
	}
	return s
}
