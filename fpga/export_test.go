package fpga

import "github.com/zkaccel/zkaccel"

// OpenDriverAt opens the driver at path and its devices, apart from the
// process's own driver.
func OpenDriverAt(path string) ([]zkaccel.Device, error) {
	d, err := openDriver(path)
	if err != nil {
		return nil, err
	}
	return openAll(d)
}
