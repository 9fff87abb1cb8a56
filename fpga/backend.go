package fpga

import (
	"errors"

	"github.com/zkaccel/zkaccel"
)

func init() { zkaccel.Register(backend{}) }

// backend registers the devices of the driver that ZKACCEL_FPGA_DRIVER names.
type backend struct{}

// Kind is zkaccel.FPGA.
func (backend) Kind() zkaccel.Kind { return zkaccel.FPGA }

// Devices opens the driver and its devices (zkaccel calls it once).
func (backend) Devices() ([]zkaccel.Device, error) {
	d, err := loadDriver()
	if err != nil {
		return nil, err
	}
	return openAll(d)
}

// openAll opens every device of d; a device that cannot be opened or fails
// its self-test makes the whole backend fail with its reason.
func openAll(d *driver) ([]zkaccel.Device, error) {
	count, err := d.count()
	if err != nil {
		return nil, err
	}
	var out []zkaccel.Device
	var errs []error
	for i := 0; i < count; i++ {
		dev, err := openDevice(d, i)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, dev)
	}
	if len(errs) > 0 {
		for _, dv := range out {
			dv.(*Device).Close()
		}
		return nil, errors.Join(errs...)
	}
	return out, nil
}
