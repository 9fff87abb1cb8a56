package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/zkaccel/zkaccel"
)

// Defaults that [Run] applies to a [Config]'s zero fields.
const (
	DefaultRuns    = 5                // timed calls per measurement
	DefaultMaxTime = 10 * time.Second // time budget of one measurement's timed calls
	DefaultMinLog  = 10               // smallest default size, 2^10
	DefaultMaxLog  = 16               // largest default size, 2^16
	// The default sizes of the hash operations' batches, 2^10 to 2^16
	// hashes (or permutations, or Merkle leaves).
	DefaultHashMinLog = 10
	DefaultHashMaxLog = 16
)

// Config says what [Run] measures. Zero fields take the defaults stated on
// each.
type Config struct {
	// Ops are the operations, from [Ops]; default [DefaultOps] (msm and
	// ntt).
	Ops []string
	// Curves are the MSM curves, from [Curves]; default bn254.
	Curves []zkaccel.Curve
	// Group is the MSM group, G1 or G2; default G1.
	Group zkaccel.Group
	// Scalars is the MSM's scalar distribution, from [ScalarKinds];
	// default ScalarsUniform.
	Scalars string
	// Fields are the NTT fields, from [Fields]; default bn254. For the
	// poseidon and poseidon2 operations they select the targets (see
	// [Targets]): those whose field is listed, and by default every one.
	// An operation with targets none of which is listed is an error;
	// keccak's one target is not a field and is always measured.
	Fields []zkaccel.Field
	// Sizes are the log2 sizes, each in [0, MaxLogSize] (see
	// [ParseSizes]): of the MSM (points), the NTT (domain) and the hash
	// batches (hashes, permutations or Merkle leaves). Default
	// DefaultMinLog to DefaultMaxLog for msm and ntt, DefaultHashMinLog to
	// DefaultHashMaxLog for the hash operations.
	Sizes []int
	// Circuit is the shape of the proof operations' generated circuit:
	// CircuitChain (the default) or CircuitWide.
	Circuit string
	// Constraints are the log2 constraint counts of the proof operations
	// ([ProofOps]); default DefaultProofMinLog…DefaultProofMaxLog.
	Constraints []int
	// InFlight is the number of proofs each timed call of a proof
	// operation makes at once, from 1 to MaxInFlight: that many goroutines
	// prove the same witness with one prover (gnark's, on the CPU, the same
	// way), as a proving service keeps several proofs in flight so that one
	// proof's solving on the host overlaps another's work on the device.
	// Above 1 the variant gains "-x<InFlight>" and the result reports
	// proofs per second (ItemsPerSecond). Default 1.
	InFlight int
	// Devices are the devices to measure; default every device present
	// (zkaccel.Devices()) but the host CPU seen through a GPU runtime (an
	// OpenCL CPU device such as POCL), which is measured only when named.
	// The CPU is always measured too, first, as the
	// baseline of every speed-up and the reference every other device's
	// output is compared with (see CPU).
	Devices []zkaccel.Device
	// CPU is the CPU's role, from [CPURoles]: CPUMeasure (the default)
	// times it; CPUCheck has it compute only the answers the other
	// devices' are checked against, from a cache where an earlier run
	// computed them.
	CPU string
	// Runs is the number of timed calls per measurement, after one
	// untimed warm-up call; default DefaultRuns.
	Runs int
	// MaxTime bounds the timed calls of one measurement: when the warm-up
	// call shows that Runs calls would take longer, fewer are made (never
	// fewer than one). The number made is len(Result.Times). Default
	// DefaultMaxTime.
	MaxTime time.Duration
	// Seed seeds the inputs; the same seed gives the same inputs.
	Seed int64
	// Progress, when not nil, receives a line per step (inputs drawn, each
	// device measured).
	Progress io.Writer
	// Command is recorded in the File as the command line.
	Command []string
	// Checkpoint, when not nil, is called with the File after each result
	// is added to it (from Run's goroutine), so that a caller can save
	// what is measured as it goes: a run killed part-way then keeps all
	// but the measurement it was making.
	Checkpoint func(*File)
	// PrepareOnly prepares each workload at each size (draws the inputs;
	// for the proof ops compiles the circuit and sets it up, into the
	// set-up cache where proofs.EnvSetupCache keeps set-ups) and measures
	// nothing: the File holds no results. A set-up that fails is Run's
	// error.
	PrepareOnly bool
}

// plan is a validated Config: the workloads in order, the sizes, and the
// devices with the CPU first.
type plan struct {
	workloads   []*workload
	sizes       []int // the sizes asked for; nil for each op's default
	constraints []int // the log2 constraint counts asked for; nil for the default
	devices     []zkaccel.Device
	// zkCPU is set where the CPU device was named: the proof operations
	// then add zkaccel's provers on it (ZKCPUSpec) beside gnark's.
	zkCPU bool
	// cpuCheck is set for CPUCheck: the CPU computes the references only.
	cpuCheck bool
	runs     int
	maxTime  time.Duration
}

// devicesFor returns the devices on which w is measured: the plan's, and
// for a proof operation where the CPU was named, zkaccel's provers on it
// (ZKCPUSpec) right after gnark's CPU row.
func (p *plan) devicesFor(w *workload) []zkaccel.Device {
	if !p.zkCPU || !w.proof() {
		return p.devices
	}
	return slices.Insert(slices.Clone(p.devices), 1, zkaccel.Device(zkaccelCPU{p.devices[0]}))
}

// sizesFor returns the log2 sizes at which w is measured.
func (p *plan) sizesFor(w *workload) []int {
	proof := w.proof()
	switch {
	case proof && p.constraints != nil:
		return p.constraints
	case !proof && p.sizes != nil:
		return p.sizes
	}
	lo, hi := DefaultMinLog, DefaultMaxLog
	if proof {
		lo, hi = DefaultProofMinLog, DefaultProofMaxLog
	}
	if slices.Contains(HashOps(), w.op) {
		lo, hi = DefaultHashMinLog, DefaultHashMaxLog
	}
	var out []int
	for k := lo; k <= hi; k++ {
		out = append(out, k)
	}
	return out
}

// plan checks c and fills in its defaults.
func (c *Config) plan() (*plan, error) {
	p := &plan{runs: c.Runs, maxTime: c.MaxTime}
	switch c.CPU {
	case "", CPUMeasure:
	case CPUCheck:
		p.cpuCheck = true
	default:
		return nil, fmt.Errorf("zkaccel bench: unknown CPU role %q (known: %s)", c.CPU, strings.Join(CPURoles(), ", "))
	}
	if p.runs == 0 {
		p.runs = DefaultRuns
	}
	if p.runs < 1 || p.runs > 1000 {
		return nil, fmt.Errorf("zkaccel bench: %d runs is out of range [1, 1000]", c.Runs)
	}
	if p.maxTime == 0 {
		p.maxTime = DefaultMaxTime
	}
	if p.maxTime < 0 {
		return nil, fmt.Errorf("zkaccel bench: negative time budget %v", c.MaxTime)
	}
	if len(c.Sizes) > 0 {
		p.sizes = slices.Clone(c.Sizes)
	}
	for _, k := range p.sizes {
		if k < 0 || k > MaxLogSize {
			return nil, fmt.Errorf("zkaccel bench: log2 size %d is out of range [0, %d]", k, MaxLogSize)
		}
	}
	if len(c.Constraints) > 0 {
		p.constraints = slices.Clone(c.Constraints)
	}
	ops := c.Ops
	if len(ops) == 0 {
		ops = DefaultOps()
	}
	group := c.Group
	if group == 0 {
		group = zkaccel.G1
	}
	curves, fields := c.Curves, c.Fields
	if len(curves) == 0 {
		curves = []zkaccel.Curve{zkaccel.BN254}
	}
	if len(fields) == 0 {
		fields = []zkaccel.Field{zkaccel.FieldBN254}
	}
	for _, op := range ops {
		switch op {
		case OpMSM:
			for _, cv := range curves {
				w, err := msmWorkload(cv, group, c.Scalars)
				if err != nil {
					return nil, err
				}
				p.workloads = append(p.workloads, w)
			}
		case OpNTT:
			for _, f := range fields {
				w, err := nttWorkload(f)
				if err != nil {
					return nil, err
				}
				p.workloads = append(p.workloads, w)
			}
		case OpGroth16, OpPlonk:
			for _, cv := range curves {
				w, err := proofWorkload(op, cv, c.Circuit, c.InFlight)
				if err != nil {
					return nil, err
				}
				p.workloads = append(p.workloads, w)
			}
		case OpPoseidon, OpPoseidon2, OpKeccak:
			ws, err := hashWorkloadsOf(op, c.Fields)
			if err != nil {
				return nil, err
			}
			p.workloads = append(p.workloads, ws...)
		default:
			return nil, fmt.Errorf("zkaccel bench: unknown op %q (ops: %s)", op, strings.Join(Ops(), ", "))
		}
	}
	for _, w := range p.workloads {
		for _, k := range p.sizesFor(w) {
			if err := w.check(k); err != nil {
				return nil, fmt.Errorf("zkaccel bench: %s: %w", w.name(), err)
			}
		}
	}
	devs := c.Devices
	if len(devs) == 0 {
		for _, d := range zkaccel.Devices() {
			if h, ok := d.(interface{ OnHost() bool }); ok && h.OnHost() {
				continue // an OpenCL CPU device (POCL): measured only when named
			}
			devs = append(devs, d)
		}
	}
	p.devices = []zkaccel.Device{zkaccel.HostCPU()}
	for _, d := range devs {
		if d == nil {
			return nil, fmt.Errorf("zkaccel bench: nil device")
		}
		if err := zkaccel.DeviceErr(d); err != nil {
			return nil, fmt.Errorf("zkaccel bench: %w", err)
		}
		if len(c.Devices) > 0 && d.Kind() == zkaccel.CPU {
			p.zkCPU = true
		}
		dup := false
		for _, have := range p.devices {
			dup = dup || have.String() == d.String()
		}
		if !dup {
			p.devices = append(p.devices, d)
		}
	}
	if p.cpuCheck && len(p.devices) == 1 && !(p.zkCPU && slices.ContainsFunc(p.workloads, (*workload).proof)) {
		return nil, fmt.Errorf("zkaccel bench: the CPU in check mode (%s) and no other device: nothing would be timed", CPUCheck)
	}
	return p, nil
}

// joinNames joins names of any string type with ", ".
func joinNames[S ~string](names []S) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	return strings.Join(s, ", ")
}

// hashWorkloadsOf returns the workloads of hash operation op whose field is
// one of fields (every one when fields is empty; keccak's, which have no
// field, always).
func hashWorkloadsOf(op string, fields []zkaccel.Field) ([]*workload, error) {
	for _, f := range fields {
		if !slices.Contains(Fields(), f) {
			return nil, fmt.Errorf("zkaccel bench: %s: unknown field %q (fields: %s)", op, f, joinNames(Fields()))
		}
	}
	var out []*workload
	for _, w := range hashWorkloads() {
		if w.op == op && (len(fields) == 0 || w.field == "" || slices.Contains(fields, w.field)) {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("zkaccel bench: %s: no target among the fields %s (its targets: %s)", op, joinNames(fields), strings.Join(Targets(op), ", "))
	}
	return out, nil
}
