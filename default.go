package zkaccel

import (
	"fmt"
	"os"
	"sync"
)

// EnvDevice is the environment variable that names the default device.
const EnvDevice = "ZKACCEL_DEVICE"

var defaultCache struct {
	sync.Mutex
	value string
	dev   Device
	err   error
	valid bool
}

// LookupDefault returns the device that operations use when no device option
// is given, or the reason ZKACCEL_DEVICE cannot be honoured.
//
// If ZKACCEL_DEVICE is set and non-empty it names the device, and an invalid
// or absent device is an error (never silently replaced). Otherwise the
// automatic policy applies, which never runs a call on a device that was
// measured slower than the CPU for its size: the default is the first
// device, in [Devices]' order (CUDA first), that has at least one
// crossover ([Crossovers]: measured on this machine by `zkaccel tune`, or
// else shipped with zkaccel for the device's model, [ShippedCrossovers]),
// and is neither the host CPU behind a GPU runtime (POCL) nor a
// simulation; else the CPU. A call made on the automatic default runs on
// that device only from its operation's crossover size on, and on the CPU
// below it or where no crossover was measured ([Report.Auto] says so).
// Without a crossover file, on this machine or shipped, the policy opens no
// backend and chooses the CPU; with some, it opens only the backends of
// the kinds they name.
func LookupDefault() (Device, error) {
	v := os.Getenv(EnvDevice)
	key := v
	if v == "" { // the automatic choice also depends on the crossover files' place
		key = "\x00" + CrossoverDir()
	}
	defaultCache.Lock()
	defer defaultCache.Unlock()
	if defaultCache.valid && defaultCache.value == key {
		return defaultCache.dev, defaultCache.err
	}
	var dev Device
	var err error
	if v == "" {
		dev = autoChoice()
	} else if dev, err = open(v); err != nil {
		// Two layers, so that front ends can put the operation's name
		// between "zkaccel:" and the variable (errors.Unwrap).
		dev, err = nil, fmt.Errorf("zkaccel: %w", fmt.Errorf("%s=%q: %w", EnvDevice, v, err))
	}
	// An absent device may appear later only if a backend registers late;
	// cache successes and failures alike, keyed by the variable's value
	// (and, for the automatic choice, the crossover directory; SaveCrossovers
	// and ForgetCrossovers invalidate it).
	defaultCache.value, defaultCache.dev, defaultCache.err, defaultCache.valid = key, dev, err, true
	return dev, err
}

// Default returns the device that operations use when no device option is
// given (see [LookupDefault]). If ZKACCEL_DEVICE names no present device,
// Default returns a device whose every operation fails with that error, so
// that a mistyped variable is reported by the first operation rather than
// ignored; [LookupDefault] reports it up front.
func Default() Device {
	d, err := LookupDefault()
	if err != nil {
		return &invalidDevice{err: err}
	}
	return d
}

// invalidDevice stands for a ZKACCEL_DEVICE value that could not be opened.
type invalidDevice struct{ err error }

func (d *invalidDevice) Kind() Kind     { return "invalid" }
func (d *invalidDevice) Ordinal() int   { return 0 }
func (d *invalidDevice) Name() string   { return d.err.Error() }
func (d *invalidDevice) String() string { return "invalid" }
func (d *invalidDevice) Memory() uint64 { return 0 }

// Err returns why the device is invalid.
func (d *invalidDevice) Err() error { return d.err }

// DeviceErr returns the error carried by a device that stands for an invalid
// ZKACCEL_DEVICE (as returned by [Default]), and nil for every real device.
func DeviceErr(d Device) error {
	if d == nil {
		return fmt.Errorf("zkaccel: nil device")
	}
	if inv, ok := d.(*invalidDevice); ok {
		return inv.err
	}
	return nil
}
