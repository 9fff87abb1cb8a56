// Package prover holds what zkaccel's gnark provers share: options,
// reports, and helpers around gnark's solver.
package prover

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark/backend"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/frontend"
	"github.com/zkaccel/zkaccel/msm"
	"github.com/zkaccel/zkaccel/ntt"
)

// Option configures a prover.
type Option func(*Config)

// Config is what the options set.
type Config struct {
	Device     zkaccel.Device // nil: the default device (zkaccel.Default)
	ProverOpts []backend.ProverOption
	Report     *Report
	// ResetRetries is how many times a proof (or NewProver's loading of
	// the key) is tried again after a device reset (WithResetRetries).
	ResetRetries int
	retried      int  // the retries this configuration's proof has made
	keepReport   bool // KeepReport
}

// Apply returns the configuration of opts, applied in order.
func Apply(opts ...[]Option) *Config {
	var c Config
	for _, list := range opts {
		for _, o := range list {
			o(&c)
		}
	}
	return &c
}

// WithDevice runs every MSM and NTT of the proof on dev (falling back to
// the CPU, visibly, for what dev does not run). Without it, the default
// device is used: where ZKACCEL_DEVICE names it, or where the automatic
// choice is a device whose crossovers the proof's size reaches (its G1
// MSM's and NTT's), the whole proof runs there as with WithDevice (on a
// GPU: the MSM batches and the one-call quotient); else each call chooses
// from its own size.
func WithDevice(dev zkaccel.Device) Option { return func(c *Config) { c.Device = dev } }

// WithProverOptions passes gnark's prover options through: solver options
// (hints), backend.WithProverHashToFieldFunction, …
func WithProverOptions(opts ...backend.ProverOption) Option {
	return func(c *Config) { c.ProverOpts = append(c.ProverOpts, opts...) }
}

// WithReport fills r, when the proof is done, with where the time went:
// the solver, the NTTs and each MSM, with the device each ran on.
func WithReport(r *Report) Option { return func(c *Config) { c.Report = r } }

// WithResetRetries tries a proof again, up to n times, where a device
// reset interrupts it (an error wrapping zkaccel.ErrDeviceReset: a GPU
// that faulted or was reset, whose runtime has made it ready again by the
// time the error returns). The witness solved before the reset is kept
// where the prover can (Groth16 on a device that computes its quotient,
// the GPUs: a reset during its MSMs or its quotient redoes only those;
// PLONK where the reset came before its quotient), else the proof starts
// again from the solver. Each retry draws new blinding values, so the
// proof is not the one a single attempt would have made from the same
// random bytes; it verifies all the same. The report counts the retries
// (Report.Retries) and gives each lost attempt as a phase "reset".
// NewProver, given it, also loads the key again after a reset, up to n
// times. n = 0, the default, returns the first reset's error, as without
// the option; a negative n is an error. An error wrapping
// zkaccel.ErrDeviceLost (the device's reset failed too) is never retried.
func WithResetRetries(n int) Option { return func(c *Config) { c.ResetRetries = n } }

// Retry reports whether a proof that failed with err, in an attempt begun
// at begin, is to be tried again: err wraps zkaccel.ErrDeviceReset and
// WithResetRetries leaves a retry. It then counts the retry, records the
// lost attempt in the report (a phase "reset", with err as its reason)
// and logs it (ZKACCEL_DEBUG).
func (c *Config) Retry(err error, begin time.Time) bool {
	if err == nil || !errors.Is(err, zkaccel.ErrDeviceReset) || c.retried >= c.ResetRetries {
		return false
	}
	c.retried++
	lost := time.Since(begin)
	c.Report.reset(lost, c.Device, err)
	zkaccel.Debugf("proof: a device reset after %v (retry %d of %d): %v", lost.Round(time.Microsecond), c.retried, c.ResetRetries, err)
	return true
}

// Retrying runs attempt, and runs it again as Retry allows after a device
// reset: the one loop of a proof's retries, around the whole proof (Run)
// and around what follows its solve (the provers, which keep the solved
// witness). intact (nil: always) reports, after a failed attempt, whether
// what the attempt works from is still as the solver left it (else the
// error is returned, for a retry with a new solve); prepare (nil: nothing)
// runs before each retry, to drop what the reset lost.
func Retrying[P any](c *Config, attempt func() (P, error), intact func() bool, prepare func()) (P, error) {
	for {
		begin := time.Now()
		res, err := attempt()
		if err == nil || (intact != nil && !intact()) || !c.Retry(err, begin) {
			return res, err
		}
		if prepare != nil {
			prepare()
		}
	}
}

// Load runs load, a prover's loading of its key onto the device, again
// after a device reset, as WithResetRetries allows (load must leave
// nothing on the device when it fails).
func (c *Config) Load(load func() error) error {
	if c.ResetRetries < 0 {
		return fmt.Errorf("WithResetRetries(%d): the retries must be 0 or more", c.ResetRetries)
	}
	for tries := 0; ; tries++ {
		begin := time.Now()
		err := load()
		if err == nil || !errors.Is(err, zkaccel.ErrDeviceReset) || tries >= c.ResetRetries {
			return err
		}
		c.Report.reset(time.Since(begin), c.Device, err)
		zkaccel.Debugf("loading a proving key: a device reset (retry %d of %d): %v", tries+1, c.ResetRetries, err)
	}
}

// KeepReport keeps what the report holds when the proof starts (a
// one-shot Prove's: its key's loading, made just before).
func KeepReport() Option { return func(c *Config) { c.keepReport = true } }

// Retried is the number of retries this configuration's proof has made.
func (c *Config) Retried() int { return c.retried }

// MSMOpts are the front-end options of one MSM: the device, the report,
// and (tasks > 0) the CPU tasks.
func (c *Config) MSMOpts(rep *zkaccel.Report, tasks int) []msm.Option {
	opts := []msm.Option{msm.WithReport(rep)}
	if c.Device != nil {
		opts = append(opts, msm.WithDevice(c.Device))
	}
	if tasks > 0 {
		opts = append(opts, msm.WithNbTasks(min(tasks, 1024)))
	}
	return opts
}

// Batches reports whether c's device runs MSM batches (the GPUs): a
// prover then sends the MSMs that can go together as one call (MSMBatch).
func (c *Config) Batches() bool {
	_, ok := c.Device.(zkaccel.MSMBatchDevice)
	return ok
}

// MSMBatch runs items as one call on c's device (through the front end's
// MultiExpLoadedBatch) and records each item's phase, "msm " and its name
// in names, with the batch's time.
func MSMBatch[J, A, S any, PJ frontend.Jacobian[J, A, S]](rep *Report, names []string, items []frontend.BatchItem[J, A, S], c *Config) error {
	zrs := reports(items)
	if err := frontend.MultiExpLoadedBatch[J, A, S, PJ](items, c.MSMOpts(nil, 0)); err != nil {
		return fmt.Errorf("msm %s: %w", strings.Join(names, ", "), err)
	}
	record(rep, names, zrs)
	return nil
}

// MSMBatch2 is MSMBatch over the items of two groups (G1 and G2) as one
// call (the front end's MultiExpLoadedBatch2).
func MSMBatch2[J1, A1, S any, PJ1 frontend.Jacobian[J1, A1, S], J2, A2 any, PJ2 frontend.Jacobian[J2, A2, S]](rep *Report, names1 []string, items1 []frontend.BatchItem[J1, A1, S], names2 []string, items2 []frontend.BatchItem[J2, A2, S], c *Config) error {
	zrs1, zrs2 := reports(items1), reports(items2)
	if err := frontend.MultiExpLoadedBatch2[J1, A1, S, PJ1, J2, A2, PJ2](items1, items2, c.MSMOpts(nil, 0)); err != nil {
		return fmt.Errorf("msm %s: %w", joinNames(names1, names2), err)
	}
	record(rep, names1, zrs1)
	record(rep, names2, zrs2)
	return nil
}

// QuotientMSM2 runs Groth16's quotient q and the MSMs of items1 and items2
// (named names1, names2) as one call on c's device, where that device runs
// such calls (zkaccel.Groth16MSMDevice: the GPUs), and records the phase
// "ntt" and each MSM's, all with the call's time. Where h ≥ 0, items1[h]
// has no scalars: it takes H's first hn coefficients, which stay on the
// device. It returns false, having done nothing, where c's device runs no
// such call or declines this one (an error wrapping
// zkaccel.ErrUnsupported): the caller then runs them apart.
func QuotientMSM2[J1, A1, S any, PJ1 frontend.Jacobian[J1, A1, S], J2, A2 any, PJ2 frontend.Jacobian[J2, A2, S]](rep *Report, q *zkaccel.Groth16QuotientRequest, names1 []string, items1 []frontend.BatchItem[J1, A1, S], h, hn int, names2 []string, items2 []frontend.BatchItem[J2, A2, S], c *Config) (bool, error) {
	fd, ok := c.Device.(zkaccel.Groth16MSMDevice)
	if !ok {
		return false, nil
	}
	names := joinNames(names1, names2)
	zrs1, zrs2 := reports(items1), reports(items2)
	b, err := frontend.NewDeviceBatch2[J1, A1, S, PJ1, J2, A2, PJ2](items1, items2, h, hn, fd, 0)
	if err != nil {
		return false, fmt.Errorf("msm %s: %w", names, err)
	}
	start := time.Now()
	switch err := fd.Groth16QuotientMSM(q, b.Requests); {
	case errors.Is(err, zkaccel.ErrUnsupported):
		zkaccel.Debugf("groth16 quotient and msm %s on %v: %v; apart", names, fd, err)
		return false, nil
	case err != nil:
		return false, fmt.Errorf("quotient and msm %s: %w", names, err)
	}
	elapsed := time.Since(start)
	if err := b.Done(fd, elapsed); err != nil {
		return false, fmt.Errorf("msm %s: %w", names, err)
	}
	rep.Add("ntt", elapsed, &zkaccel.Report{Op: "groth16 quotient " + string(q.Field), N: q.N, Requested: fd, Ran: fd, Elapsed: elapsed})
	record(rep, names1, zrs1)
	record(rep, names2, zrs2)
	return true, nil
}

// PlonkQuotientMSM runs PLONK's quotient q and the MSMs of items (named
// names) as one call on fd (zkaccel.PlonkMSMDevice: the GPUs), and records
// each MSM's phase, "msm " and its name, with the call's time, which it
// returns for the caller's phase of the quotient. Where hn[i] > 0,
// items[i] has no scalars: it takes hn[i] of H's coefficients from
// from[i], on the device. It returns false, having done nothing, where fd
// declines the call (an error wrapping zkaccel.ErrUnsupported): the
// caller then runs them apart.
func PlonkQuotientMSM[J, A, S any, PJ frontend.Jacobian[J, A, S]](rep *Report, fd zkaccel.PlonkMSMDevice, q *zkaccel.PlonkQuotientRequest, names []string, items []frontend.BatchItem[J, A, S], hn, from []int) (time.Duration, bool, error) {
	return deviceMSMCall[J, A, S, PJ](rep, fd, "plonk quotient", names, items, hn, from, func(reqs []*zkaccel.MSMRequest, from []int) error {
		return fd.PlonkQuotientMSM(q, reqs, from)
	})
}

// PlonkRatioMSM is PlonkQuotientMSM for PLONK's ratio and the MSMs over
// Z's values (zkaccel.PlonkRatioMSMDevice): Z's commitment.
func PlonkRatioMSM[J, A, S any, PJ frontend.Jacobian[J, A, S]](rep *Report, fd zkaccel.PlonkRatioMSMDevice, req *zkaccel.PlonkRatioRequest, names []string, items []frontend.BatchItem[J, A, S], hn, from []int) (time.Duration, bool, error) {
	return deviceMSMCall[J, A, S, PJ](rep, fd, "plonk ratio", names, items, hn, from, func(reqs []*zkaccel.MSMRequest, from []int) error {
		return fd.PlonkRatioMSM(req, reqs, from)
	})
}

// PlonkWiresMSM is PlonkQuotientMSM for a PLONK proof's wires kept on the
// device from their commitments (zkaccel.PlonkWiresDevice): items[i]
// takes hn[i] of the wires' values from from[i], in L‖R‖O.
func PlonkWiresMSM[J, A, S any, PJ frontend.Jacobian[J, A, S]](rep *Report, fd zkaccel.PlonkWiresDevice, req *zkaccel.PlonkWiresRequest, names []string, items []frontend.BatchItem[J, A, S], hn, from []int) (time.Duration, bool, error) {
	return deviceMSMCall[J, A, S, PJ](rep, fd, "plonk wires", names, items, hn, from, func(reqs []*zkaccel.MSMRequest, from []int) error {
		return fd.PlonkWiresMSM(req, reqs, from)
	})
}

// PlonkCommittedMSM is PlonkQuotientMSM for a BSB22 commitment's values
// kept on the device from their commitment (zkaccel.PlonkWiresDevice):
// item commits to values, all of them, which the device keeps; it returns
// what it keeps.
func PlonkCommittedMSM[J, A, S any, PJ frontend.Jacobian[J, A, S]](rep *Report, fd zkaccel.PlonkWiresDevice, field zkaccel.Field, elemSize int, values []byte, name string, item frontend.BatchItem[J, A, S]) (time.Duration, bool, zkaccel.ResidentPolys, error) {
	var kept zkaccel.ResidentPolys
	elapsed, ok, err := deviceMSMCall[J, A, S, PJ](rep, fd, "plonk committed", []string{name}, []frontend.BatchItem[J, A, S]{item}, []int{len(values) / elemSize}, []int{0}, func(reqs []*zkaccel.MSMRequest, _ []int) error {
		if len(reqs) != 1 {
			return fmt.Errorf("%d MSM requests for one commitment", len(reqs))
		}
		var err error
		kept, err = fd.PlonkCommittedMSM(field, elemSize, values, reqs[0])
		return err
	})
	if err != nil || !ok {
		if kept != nil {
			kept.Free()
		}
		return 0, false, nil, err
	}
	return elapsed, true, kept, nil
}

// PlonkOpen is PlonkQuotientMSM for PLONK's openings on the device
// (zkaccel.PlonkOpenDevice): items[i] commits to req's opening i, whose
// quotient (Len − 1 coefficients) stays on the device; its MSM request is
// made here.
func PlonkOpen[J, A, S any, PJ frontend.Jacobian[J, A, S]](rep *Report, fd zkaccel.PlonkOpenDevice, req *zkaccel.PlonkOpenRequest, names []string, items []frontend.BatchItem[J, A, S]) (time.Duration, bool, error) {
	if len(items) != len(req.Openings) {
		return 0, false, fmt.Errorf("plonk open: %d MSMs for %d openings", len(items), len(req.Openings))
	}
	hn, from := make([]int, len(items)), make([]int, len(items))
	for i, o := range req.Openings {
		hn[i] = o.Len - 1
	}
	return deviceMSMCall[J, A, S, PJ](rep, fd, "plonk open", names, items, hn, from, func(reqs []*zkaccel.MSMRequest, _ []int) error {
		for i, r := range reqs {
			req.Openings[i].MSM = r
		}
		return fd.PlonkOpen(req)
	})
}

// deviceMSMCall makes items' requests to dev and runs them through call,
// a device call that does work of its own first (what, for errors and log
// lines) and takes the requests with their offsets into its vector: see
// PlonkQuotientMSM.
func deviceMSMCall[J, A, S any, PJ frontend.Jacobian[J, A, S]](rep *Report, dev zkaccel.Device, what string, names []string, items []frontend.BatchItem[J, A, S], hn, from []int, call func(reqs []*zkaccel.MSMRequest, from []int) error) (time.Duration, bool, error) {
	all := strings.Join(names, ", ")
	zrs := reports(items)
	b, err := frontend.NewDeviceBatch[J, A, S, PJ](items, hn, dev, 0)
	if err != nil {
		return 0, false, fmt.Errorf("msm %s: %w", all, err)
	}
	if len(from) != len(items) {
		return 0, false, fmt.Errorf("msm %s: %d offsets for %d MSMs", all, len(from), len(items))
	}
	start := time.Now()
	switch err := call(b.Requests, b.Select(from)); {
	case errors.Is(err, zkaccel.ErrUnsupported):
		zkaccel.Debugf("%s and msm %s on %v: %v; apart", what, all, dev, err)
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("%s and msm %s: %w", what, all, err)
	}
	elapsed := time.Since(start)
	if err := b.Done(dev, elapsed); err != nil {
		return 0, false, fmt.Errorf("msm %s: %w", all, err)
	}
	record(rep, names, zrs)
	return elapsed, true, nil
}

// joinNames lists the MSMs of two groups for an error or a log line.
func joinNames(names1, names2 []string) string {
	return strings.Join(append(names1[:len(names1):len(names1)], names2...), ", ")
}

// reports gives each item a report of its own and returns them.
func reports[J, A, S any](items []frontend.BatchItem[J, A, S]) []zkaccel.Report {
	zrs := make([]zkaccel.Report, len(items))
	for i := range items {
		items[i].Report = &zrs[i]
	}
	return zrs
}

// record records each batch item's phase.
func record(rep *Report, names []string, zrs []zkaccel.Report) {
	for i := range zrs {
		rep.Add("msm "+names[i], zrs[i].Elapsed, &zrs[i])
	}
}

// NTTOpts are the front-end options of one NTT: the device and extra.
func (c *Config) NTTOpts(extra ntt.Option) []ntt.Option {
	var opts []ntt.Option
	if c.Device != nil {
		opts = append(opts, ntt.WithDevice(c.Device))
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
	// Retries is the number of attempts tried again after a device reset
	// (WithResetRetries): the proof's, and a one-shot Prove's loading of
	// its key. Each lost attempt is a phase "reset" in Phases, its Elapsed
	// the time from the attempt's start to the reset, its Reason the
	// reset's error.
	Retries int
	mu      sync.Mutex
}

// Phase is one step of a proof.
type Phase struct {
	// Name is "solve", "ntt" (Groth16: the quotient H, its NTTs and
	// pointwise work; PLONK: the circuit's trace in canonical form, made
	// at a circuit's first proof), "quotient" (PLONK's quotient H: the
	// interpolation of the proof's polynomials, the NTTs and the pointwise
	// work), "ratio" (PLONK's copy constraint ratio Z, on the host),
	// PLONK's other host steps ("evaluate": the values at ζ and ωζ;
	// "linearise": the linearised polynomial; "fold": the batch opening's
	// values and Σγⁱ·polysᵢ; "divide" and "divide Z": the openings'
	// divisions by X − a, Z's beside the rest; where the openings run on
	// the device (zkaccel.PlonkOpenDevice), "evaluate" is its call for the
	// values, and "divide", "divide Z", "msm batch opening" and "msm Z
	// opening" all report its call for the openings; "read back": H and the
	// coefficients read from the device where it declined the openings
	// after keeping them there only), Groth16's "wires" (the wire
	// values filtered for A, B and K, on the host), or "msm " and the MSM's
	// name (Groth16: "A", "B1", "B2", "K", "Z",
	// "commitment i", "commitment i knowledge"; PLONK: "L", "R", "O", "Z",
	// "H1"…). MSMs sent together as one device call (a batch: on GPU
	// devices, Groth16's Z, K, A, B1 and B2, PLONK's L, R, O and H1–H3)
	// each report the batch's time; where Groth16's quotient goes in the
	// same call (zkaccel.Groth16MSMDevice), "ntt" reports it too; where
	// PLONK's does (zkaccel.PlonkMSMDevice: its quotient and H1–H3),
	// "quotient" does, and where its ratio and Z's commitment are one call
	// (zkaccel.PlonkRatioMSMDevice), "ratio" and "msm Z" both report it.
	// "reset" is an attempt a device reset interrupted, tried again
	// (WithResetRetries): its time until the reset, Reason the reset's
	// error; the phases it finished before the reset stay in the report.
	Name    string
	Elapsed time.Duration
	// Ran is the device that ran it (MSMs and the quotients; nil for the
	// solver and PLONK's NTT phase), and Fallback reports a CPU fallback,
	// for Reason (an error wrapping zkaccel.ErrUnsupported). A phase that
	// failed (a "solve" in an attempt a reset interrupted, a "reset") has
	// its error as Reason, without Fallback.
	Ran      zkaccel.Device
	Fallback bool
	Reason   error
}

// Add records one phase; a nil report records nothing.
func (r *Report) Add(name string, d time.Duration, zr *zkaccel.Report) {
	if r == nil {
		return
	}
	ph := Phase{Name: name, Elapsed: d}
	if zr != nil {
		ph.Ran, ph.Fallback, ph.Reason = zr.Ran, zr.Fallback, zr.Reason
	}
	r.mu.Lock()
	r.Phases = append(r.Phases, ph)
	r.mu.Unlock()
}

// Step records one phase that may have failed: with err as its Reason
// where it did (a solve that failed, e.g. in a commitment's MSM).
func (r *Report) Step(name string, d time.Duration, err error) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.Phases = append(r.Phases, Phase{Name: name, Elapsed: d, Reason: err})
	r.mu.Unlock()
}

// reset records an attempt lost to a device reset: a retry, and the
// phase "reset" of the attempt's time, on dev, for err.
func (r *Report) reset(lost time.Duration, dev zkaccel.Device, err error) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.Retries++
	r.Phases = append(r.Phases, Phase{Name: "reset", Elapsed: lost, Ran: dev, Reason: err})
	r.mu.Unlock()
}

// Finish records the curve and the whole call's time.
func (r *Report) Finish(c ecc.ID, total time.Duration) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.Curve, r.Total = c, total
	r.mu.Unlock()
}

// Reset empties the report before a proof.
func (r *Report) Reset() {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.Curve, r.Total, r.Phases, r.Retries = ecc.UNKNOWN, 0, nil, 0
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
		switch {
		case p.Fallback:
			s += " (cpu fallback)"
		case p.Reason != nil && p.Name != "reset":
			s += " (failed)"
		}
	}
	return s
}

// resolveDefault returns the device a proof of about n constraints on
// curve runs on when the options name none, so that it takes that
// device's batched and one-call paths as with WithDevice: the default
// device where ZKACCEL_DEVICE names it; the automatic choice where it is
// not the CPU and n reaches its crossovers for the curve's G1 MSM and its
// scalar field's NTT. Otherwise, or where the default cannot be opened
// (the proof's calls then report it), nil: each call chooses for itself,
// from its own size.
func resolveDefault(curve ecc.ID, n int) zkaccel.Device {
	dev, err := zkaccel.LookupDefault()
	if err != nil || dev == nil {
		return nil
	}
	return pickDefault(dev, zkaccel.AutomaticDefault(), zkaccel.Crossover, curve, n)
}

// pickDefault is resolveDefault's choice for the default device dev (auto:
// chosen automatically), with crossover giving its crossovers.
func pickDefault(dev zkaccel.Device, auto bool, crossover func(zkaccel.Device, string) (int, bool), curve ecc.ID, n int) zkaccel.Device {
	if !auto {
		return dev
	}
	if dev.Kind() == zkaccel.CPU {
		return nil
	}
	name, ok := curveNames[curve]
	if !ok {
		return nil
	}
	for _, op := range []string{"msm " + name + " g1", "ntt " + name + " fft"} {
		if x, ok := crossover(dev, op); !ok || n < x {
			return nil
		}
	}
	return dev
}

// curveNames are the curves of the provers by zkaccel's names, which its
// operations' names use.
var curveNames = map[ecc.ID]string{
	ecc.BN254:     string(zkaccel.BN254),
	ecc.BLS12_381: string(zkaccel.BLS12381),
	ecc.BLS12_377: string(zkaccel.BLS12377),
}

// Target is the device of the options, else the default device
// (zkaccel.LookupDefault: an invalid ZKACCEL_DEVICE is an error).
func (c *Config) Target() (zkaccel.Device, error) {
	if c.Device != nil {
		return c.Device, zkaccel.DeviceErr(c.Device)
	}
	return zkaccel.LookupDefault()
}
