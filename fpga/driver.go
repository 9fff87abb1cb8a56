package fpga

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
)

// EnvDriver names the FPGA driver library to open.
const EnvDriver = "ZKACCEL_FPGA_DRIVER"

// ABIVersion is the version of include/zkaccel_fpga.h this package speaks.
const ABIVersion = 1

// The capability bits of zkaccel_fpga_info.capabilities.
const (
	CapKeccakF1600         = 1 << 0
	CapKeccak256           = 1 << 1
	CapPoseidon2Goldilocks = 1 << 2
	CapNTTGoldilocks       = 1 << 3
)

// codeUnsupported is ZKACCEL_FPGA_UNSUPPORTED: the device runs the
// operation, but not for the request's shape.
const codeUnsupported = 2

// errLen is the size of the error buffers handed to the driver.
const errLen = 512

// driver is an opened driver library and its table of functions.
type driver struct {
	lib  *cgo.Library
	path string

	deviceCount, open, close, info, keccakF1600, keccak256 cgo.Func
	// Entries added at the table's end after the first release: invalid
	// where the driver's struct_size stops before them.
	poseidon2Goldilocks, nttGoldilocks cgo.Func
}

var (
	driverOnce sync.Once
	driverVal  *driver
	driverErr  error
)

// loadDriver opens the driver named by ZKACCEL_FPGA_DRIVER once.
func loadDriver() (*driver, error) {
	driverOnce.Do(func() {
		path := strings.TrimSpace(os.Getenv(EnvDriver))
		if path == "" {
			driverErr = fmt.Errorf("zkaccel/fpga: no driver: %s is not set (name your FPGA's driver library, or zkaccel's simulator, fpga/sim/build/libzkaccel_fpga_sim.so)", EnvDriver)
			return
		}
		driverVal, driverErr = openDriver(path)
	})
	return driverVal, driverErr
}

// tableWords is the size of ABI v1's first table in words: the version
// and size (two uint32 in one word), then six function pointers; the
// entries added since follow (fullTableWords in all).
const (
	tableWords     = 7
	fullTableWords = 9
)

// openDriver opens the library at path and reads its function table.
func openDriver(path string) (*driver, error) {
	lib, err := cgo.Open([]string{path}, []string{"zkaccel_fpga_driver"})
	if err != nil {
		return nil, fmt.Errorf("zkaccel/fpga: %w", err)
	}
	entry, _ := lib.Func("zkaccel_fpga_driver")
	tbl, err := entry.Call()
	if err != nil {
		return nil, fmt.Errorf("zkaccel/fpga: %s: %w", path, err)
	}
	if tbl == 0 {
		return nil, fmt.Errorf("zkaccel/fpga: %s: zkaccel_fpga_driver returned NULL", path)
	}
	head := cgo.ReadWords(tbl, 1)
	version, size := uint32(head[0]), uint32(head[0]>>32)
	switch {
	case version != ABIVersion:
		return nil, fmt.Errorf("zkaccel/fpga: %s: driver ABI version %d, zkaccel speaks %d", path, version, ABIVersion)
	case size < 8*tableWords:
		return nil, fmt.Errorf("zkaccel/fpga: %s: driver table of %d bytes, ABI %d needs %d", path, size, ABIVersion, 8*tableWords)
	}
	words := min(int(size/8), fullTableWords)
	w := append(cgo.ReadWords(tbl, words), make([]uintptr, fullTableWords-words)...)
	d := &driver{lib: lib, path: path,
		deviceCount: cgo.FuncAt("device_count", w[1]),
		open:        cgo.FuncAt("open", w[2]),
		close:       cgo.FuncAt("close", w[3]),
		info:        cgo.FuncAt("info", w[4]),
		keccakF1600: cgo.FuncAt("keccak_f1600", w[5]),
		keccak256:   cgo.FuncAt("keccak256", w[6]),

		poseidon2Goldilocks: cgo.FuncAt("poseidon2_goldilocks", w[7]),
		nttGoldilocks:       cgo.FuncAt("ntt_goldilocks", w[8]),
	}
	for _, f := range []cgo.Func{d.deviceCount, d.open, d.close, d.info} {
		if !f.Valid() {
			return nil, fmt.Errorf("zkaccel/fpga: %s: the driver table has no %s", path, f.Name())
		}
	}
	return d, nil
}

// call calls a driver function whose last two arguments are the error
// buffer, and turns a nonzero result into an error carrying the driver's
// message.
func (d *driver) call(f cgo.Func, args ...uintptr) error {
	if !f.Valid() {
		return fmt.Errorf("%s: not in the driver", f.Name())
	}
	var ps cgo.Pins
	defer ps.Done()
	buf := make([]byte, errLen)
	r, err := f.Call(append(args, ps.Bytes(buf), errLen)...)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Name(), err)
	}
	if int32(uint32(r)) != 0 {
		msg := string(buf)
		if i := strings.IndexByte(msg, 0); i >= 0 {
			msg = msg[:i]
		}
		if msg == "" {
			msg = "no message"
		}
		if int32(uint32(r)) == codeUnsupported {
			return fmt.Errorf("%s: %s: %w", f.Name(), msg, zkaccel.ErrUnsupported)
		}
		return fmt.Errorf("%s: driver error %d: %s", f.Name(), int32(uint32(r)), msg)
	}
	return nil
}

// errSelfTest marks a device that failed its known-answer self-test.
var errSelfTest = errors.New("self-test failed")

// count returns the number of devices the driver sees.
func (d *driver) count() (int, error) {
	var ps cgo.Pins
	defer ps.Done()
	c := ps.Word(0)
	if err := d.call(d.deviceCount, cgo.Addr(c)); err != nil {
		return 0, fmt.Errorf("zkaccel/fpga: %s: %w", d.path, err)
	}
	n := int(int32(uint32(*c)))
	if n < 0 || n > 1024 {
		return 0, fmt.Errorf("zkaccel/fpga: %s: the driver reports %d devices", d.path, n)
	}
	return n, nil
}
