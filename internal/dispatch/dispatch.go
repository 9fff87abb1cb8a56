// Package dispatch is the path every front end takes to a device: option
// handling, device choice, the call to the device, the CPU fallback on
// zkaccel.ErrUnsupported, and the report of what happened.
package dispatch

import (
	"errors"
	"fmt"
	"time"

	"github.com/zkaccel/zkaccel"
)

// MaxNbTasks is the largest NbTasks a front end accepts (gnark-crypto's
// limit for MSMs).
const MaxNbTasks = 1024

// Config collects a front end's options. The zero value means: the default
// device, gnark-crypto's default parallelism, no coset, no report.
type Config struct {
	Device  zkaccel.Device  // nil: zkaccel.Default()
	NbTasks int             // 0: default
	Coset   bool            // NTT only
	Report  *zkaccel.Report // filled in when not nil
	// CrossoverOp, when set, names the op whose measured crossover gates
	// the call on the automatic default device (a composite op, such as
	// PLONK's quotient, by the NTT it is made of); "" means the op itself.
	CrossoverOp string
	err         error // the first invalid option
}

// Fail records an invalid option; the call returns it before doing any work.
func (c *Config) Fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// SetDevice records a device option.
func (c *Config) SetDevice(d zkaccel.Device) {
	if d == nil {
		c.Fail(errors.New("WithDevice(nil): no device given"))
		return
	}
	c.Device = d
}

// SetNbTasks records an NbTasks option, which must lie in [1, MaxNbTasks].
func (c *Config) SetNbTasks(n int) {
	if n < 1 || n > MaxNbTasks {
		c.Fail(fmt.Errorf("WithNbTasks(%d): out of range [1, %d]", n, MaxNbTasks))
		return
	}
	c.NbTasks = n
}

// Apply applies options of any front end's option type (each is a
// func(*Config)) and returns the resulting Config.
func Apply[O ~func(*Config)](opts []O) Config {
	if len(opts) == 0 {
		return Config{} // the common case: no allocation
	}
	c := new(Config) // an option may keep its argument: escapes
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return *c
}

// Target returns the device the options choose (else zkaccel.Default()),
// or the invalid option's or the invalid default device's error.
func (c *Config) Target() (zkaccel.Device, error) {
	if c.err != nil {
		return nil, c.err
	}
	dev := c.Device
	if dev == nil {
		dev = zkaccel.Default()
	}
	if err := zkaccel.DeviceErr(dev); err != nil {
		return nil, err
	}
	return dev, nil
}

// Err returns the first invalid option, prefixed with the operation's name.
func (c *Config) Err(op string) error {
	if c.err == nil {
		return nil
	}
	return fmt.Errorf("zkaccel: %s: %w", op, c.err)
}

// Unsupported returns the error a front end gives for a device that does not
// implement the operation's request interface at all.
func Unsupported(dev zkaccel.Device, op string) error {
	return fmt.Errorf("zkaccel/%s: %s: %w: %v does not run this operation", dev.Kind(), op, zkaccel.ErrUnsupported, dev)
}

// Run executes one operation of size n. It resolves the device (the
// option's, else zkaccel.Default()), calls accel for any device but the CPU
// and cpu for the CPU (and for the automatic default below the op's
// crossover, zkaccel.Crossover), and falls back to cpu when accel's error wraps
// zkaccel.ErrUnsupported, logging the fallback under ZKACCEL_DEBUG and
// recording it in the Report. Any other error from accel is returned as it
// is (backends format their own errors); errors from cpu are prefixed with
// the operation.
func Run(c *Config, op string, n int, accel func(zkaccel.Device) error, cpu func() error) error {
	rep := c.Report
	var start time.Time
	if rep != nil {
		start = time.Now()
	}
	if err := c.Err(op); err != nil {
		return err
	}
	dev := c.Device
	if dev == nil {
		dev = zkaccel.Default()
	}
	if err := zkaccel.DeviceErr(dev); err != nil {
		// err is "zkaccel: ZKACCEL_DEVICE=…: …"; name the operation too.
		if inner := errors.Unwrap(err); inner != nil {
			err = inner
		}
		return fmt.Errorf("zkaccel: %s: %w", op, err)
	}
	// The automatic default runs a call on its device only from the op's
	// measured crossover on (zkaccel.LookupDefault).
	auto := c.Device == nil && dev.Kind() != zkaccel.CPU && zkaccel.AutomaticDefault()
	cross, measured := 0, false
	if auto {
		gate := op
		if c.CrossoverOp != "" {
			gate = c.CrossoverOp
		}
		cross, measured = zkaccel.Crossover(dev, gate)
	}
	if rep != nil {
		*rep = zkaccel.Report{Op: op, N: n, Requested: dev, Auto: auto, Crossover: cross}
	}
	ran := dev
	var reason error
	if auto && (!measured || n < cross) {
		ran = zkaccel.HostCPU()
		zkaccel.Debugf("%s n=%d: below %v's crossover (%d; measured %v); running on cpu", op, n, dev, cross, measured)
	} else if dev.Kind() != zkaccel.CPU {
		err := accel(dev)
		switch {
		case err == nil:
		case errors.Is(err, zkaccel.ErrUnsupported):
			reason = err
			ran = zkaccel.HostCPU()
			zkaccel.Debugf("%s n=%d: %v; running on cpu", op, n, err)
		default:
			zkaccel.Debugf("%s n=%d on %v failed: %v", op, n, dev, err)
			return err
		}
	}
	if ran.Kind() == zkaccel.CPU {
		if err := runCPU(cpu); err != nil {
			return fmt.Errorf("zkaccel/cpu: %s: %w", op, err)
		}
	}
	if rep != nil {
		rep.Ran, rep.Fallback, rep.Reason, rep.Elapsed = ran, reason != nil, reason, time.Since(start)
	}
	return nil
}

// runCPU calls cpu, turning a panic inside gnark-crypto (which it raises on
// inputs it does not expect, e.g. a hand-built fft.Domain without its
// twiddles) into an error: library code must not panic on bad input.
func runCPU(cpu func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("gnark-crypto panicked (invalid input?): %v", r)
		}
	}()
	return cpu()
}
