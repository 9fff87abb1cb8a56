package bench

import (
	"fmt"
	"io"
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
)

// Config says what [Run] measures. Zero fields take the defaults stated on
// each.
type Config struct {
	// Ops are the operations, from [Ops]; default all of them.
	Ops []string
	// Curves are the MSM curves, from [Curves]; default bn254.
	Curves []zkaccel.Curve
	// Group is the MSM group, G1 or G2; default G1.
	Group zkaccel.Group
	// Fields are the NTT fields, from [Fields]; default bn254.
	Fields []zkaccel.Field
	// Sizes are the log2 sizes, each in [0, MaxLogSize] (see
	// [ParseSizes]); default DefaultMinLog to DefaultMaxLog.
	Sizes []int
	// Devices are the devices to measure; default every device present
	// (zkaccel.Devices()). The CPU is always measured too, first, as the
	// baseline of every speed-up and the reference every other device's
	// output is compared with.
	Devices []zkaccel.Device
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
}

// plan is a validated Config: the workloads in order, the sizes, and the
// devices with the CPU first.
type plan struct {
	workloads []*workload
	sizes     []int
	devices   []zkaccel.Device
	runs      int
	maxTime   time.Duration
}

// plan checks c and fills in its defaults.
func (c *Config) plan() (*plan, error) {
	p := &plan{runs: c.Runs, maxTime: c.MaxTime, sizes: c.Sizes}
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
	if len(p.sizes) == 0 {
		for k := DefaultMinLog; k <= DefaultMaxLog; k++ {
			p.sizes = append(p.sizes, k)
		}
	}
	for _, k := range p.sizes {
		if k < 0 || k > MaxLogSize {
			return nil, fmt.Errorf("zkaccel bench: log2 size %d is out of range [0, %d]", k, MaxLogSize)
		}
	}
	ops := c.Ops
	if len(ops) == 0 {
		ops = Ops()
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
				w, err := msmWorkload(cv, group)
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
		default:
			return nil, fmt.Errorf("zkaccel bench: unknown op %q (ops: %s)", op, strings.Join(Ops(), ", "))
		}
	}
	for _, w := range p.workloads {
		for _, k := range p.sizes {
			if err := w.check(k); err != nil {
				return nil, fmt.Errorf("zkaccel bench: %s: %w", w.name(), err)
			}
		}
	}
	devs := c.Devices
	if len(devs) == 0 {
		devs = zkaccel.Devices()
	}
	p.devices = []zkaccel.Device{zkaccel.HostCPU()}
	for _, d := range devs {
		if d == nil {
			return nil, fmt.Errorf("zkaccel bench: nil device")
		}
		if err := zkaccel.DeviceErr(d); err != nil {
			return nil, fmt.Errorf("zkaccel bench: %w", err)
		}
		dup := false
		for _, have := range p.devices {
			dup = dup || have.String() == d.String()
		}
		if !dup {
			p.devices = append(p.devices, d)
		}
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
