package cuda

import (
	"encoding/binary"
	"fmt"
	"strings"
	"sync"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
)

// NVML, the NVIDIA Management Library that ships with the driver
// (libnvidia-ml.so.1), gives the telemetry of benchmark reports: clocks,
// power, energy, temperature, PCIe link. It is opened with dlopen like the
// driver and called through function pointers, so that zkaccel builds with
// CGO_ENABLED=0 and links nothing unresolved (github.com/NVIDIA/go-nvml,
// the obvious alternative, does neither: it does not build without cgo and
// links against unresolved symbols). Its constants are those of nvml.h.
const (
	nvmlSuccess      = 0 // NVML_SUCCESS
	nvmlClockSM      = 1 // NVML_CLOCK_SM
	nvmlClockMem     = 2 // NVML_CLOCK_MEM
	nvmlTemperature  = 0 // NVML_TEMPERATURE_GPU
	nvmlDriverVerLen = 80

	nvmlTemperatureV1Size = 12 // sizeof(nvmlTemperature_v1_t)
)

var nvmlNames = []string{"libnvidia-ml.so.1", "libnvidia-ml.so"}

// nvmlAPI holds the NVML functions this package calls.
type nvmlAPI struct {
	lib *cgo.Library

	init, errorString, driverVersion, handleByPCI                          cgo.Func
	clockInfo, powerUsage, powerLimit, energy, temperature, pcieGen, pcieW cgo.Func
	temperatureV                                                           cgo.Func
	driver                                                                 string
}

var (
	nvmlOnce sync.Once
	nvmlVal  *nvmlAPI
	nvmlErr  error
)

// loadNVML opens NVML once and initialises it.
func loadNVML() (*nvmlAPI, error) {
	nvmlOnce.Do(func() { nvmlVal, nvmlErr = openNVML(nvmlNames) })
	return nvmlVal, nvmlErr
}

func openNVML(names []string) (*nvmlAPI, error) {
	n := &nvmlAPI{}
	lib, err := cgo.Bind(names, []cgo.Symbol{
		{Name: "nvmlInit_v2", Func: &n.init},
		{Name: "nvmlErrorString", Func: &n.errorString},
		{Name: "nvmlSystemGetDriverVersion", Func: &n.driverVersion},
		{Name: "nvmlDeviceGetHandleByPciBusId_v2", Func: &n.handleByPCI},
		{Name: "nvmlDeviceGetClockInfo", Func: &n.clockInfo},
		{Name: "nvmlDeviceGetPowerUsage", Func: &n.powerUsage},
		{Name: "nvmlDeviceGetEnforcedPowerLimit", Func: &n.powerLimit},
		{Name: "nvmlDeviceGetTotalEnergyConsumption", Func: &n.energy},
		{Name: "nvmlDeviceGetCurrPcieLinkGeneration", Func: &n.pcieGen},
		{Name: "nvmlDeviceGetCurrPcieLinkWidth", Func: &n.pcieW},
	})
	if err != nil {
		return nil, fmt.Errorf("zkaccel/cuda: NVML: %w", err)
	}
	n.lib = lib
	// The temperature: nvmlDeviceGetTemperatureV where NVML has it (since
	// CUDA 12.5; the older function is deprecated from CUDA 13.0, to be
	// removed), else nvmlDeviceGetTemperature; with neither, it reads 0.
	n.temperatureV, _ = lib.Lookup("nvmlDeviceGetTemperatureV")
	n.temperature, _ = lib.Lookup("nvmlDeviceGetTemperature")
	if err := n.check("nvmlInit_v2", n.call(n.init)); err != nil {
		return nil, err
	}
	var ps cgo.Pins
	defer ps.Done()
	buf := make([]byte, nvmlDriverVerLen)
	if n.check("nvmlSystemGetDriverVersion", n.call(n.driverVersion, ps.Bytes(buf), uintptr(len(buf)))) == nil {
		n.driver = cString(buf)
	}
	return n, nil
}

// call calls f and returns its nvmlReturn_t, a C enum: the low 32 bits of
// the return register (the ABI leaves the upper half undefined), or
// callFailed.
func (n *nvmlAPI) call(f cgo.Func, args ...uintptr) uintptr {
	r, err := f.Call(args...)
	if err != nil {
		return callFailed
	}
	return uintptr(uint32(r))
}

// check turns an nvmlReturn_t into an error (nil for NVML_SUCCESS).
func (n *nvmlAPI) check(op string, r uintptr) error {
	code := int32(uint32(r))
	if code == nvmlSuccess {
		return nil
	}
	msg := "NVML error"
	if s, err := n.errorString.Call(uintptr(code)); err == nil && s != 0 {
		msg = cgo.CStringAt(s, 128)
	}
	return fmt.Errorf("zkaccel/cuda: %s: %s (%d)", op, msg, code)
}

// Telemetry reads the GPU's sensors through NVML: clocks, power and its
// limit, the energy counter, temperature and the PCIe link. A reading that
// the GPU does not support is left zero; a machine without NVML, or an
// NVML that does not know the GPU, is an error wrapping
// zkaccel.ErrUnsupported.
func (rt *Runtime) Telemetry() (zkaccel.Telemetry, error) {
	n, err := loadNVML()
	if err != nil {
		return zkaccel.Telemetry{}, fmt.Errorf("%w (%w)", err, zkaccel.ErrUnsupported)
	}
	return rt.telemetry(n)
}

func (rt *Runtime) telemetry(n *nvmlAPI) (zkaccel.Telemetry, error) {
	var ps cgo.Pins
	defer ps.Done()
	dev := ps.Word(0)
	var err error
	// NVML names PCI devices with an 8-digit domain; older versions also
	// take the 4-digit one that CUDA uses.
	id := rt.PCIBusID()
	dom, rest, _ := strings.Cut(id, ":")
	for _, id := range []string{
		strings.Repeat("0", max(0, 8-len(dom))) + dom + ":" + rest,
		id,
	} {
		if err = n.check("nvmlDeviceGetHandleByPciBusId_v2("+id+")", n.call(n.handleByPCI, ps.CString(id), cgo.Addr(dev))); err == nil {
			break
		}
	}
	if err != nil {
		return zkaccel.Telemetry{}, fmt.Errorf("%w (%w)", err, zkaccel.ErrUnsupported)
	}
	t := zkaccel.Telemetry{Driver: n.driver}
	v := ps.Word(0)
	read := func(f cgo.Func, args ...uintptr) (uint64, bool) {
		*v = 0
		ok := n.call(f, append(append([]uintptr{*dev}, args...), cgo.Addr(v))...) == nvmlSuccess
		return uint64(*v), ok
	}
	if x, ok := read(n.clockInfo, nvmlClockSM); ok {
		t.SMClockMHz = int(uint32(x))
	}
	if x, ok := read(n.clockInfo, nvmlClockMem); ok {
		t.MemClockMHz = int(uint32(x))
	}
	if x, ok := read(n.powerUsage); ok {
		t.PowerW = float64(uint32(x)) / 1000
	}
	if x, ok := read(n.powerLimit); ok {
		t.PowerLimitW = float64(uint32(x)) / 1000
	}
	if x, ok := read(n.energy); ok { // unsigned long long, millijoules
		t.EnergyJ = float64(x) / 1000
	}
	t.TemperatureC = n.temperatureOf(*dev)
	if x, ok := read(n.pcieGen); ok {
		t.PCIeGen = int(uint32(x))
	}
	if x, ok := read(n.pcieW); ok {
		t.PCIeWidth = int(uint32(x))
	}
	return t, nil
}

// temperatureOf reads the GPU's temperature in °C (0 where NVML cannot):
// through nvmlDeviceGetTemperatureV and its versioned struct
// nvmlTemperature_v1_t {unsigned version; sensor type; int temperature},
// else through nvmlDeviceGetTemperature.
func (n *nvmlAPI) temperatureOf(dev uintptr) int {
	var ps cgo.Pins
	defer ps.Done()
	if n.temperatureV.Valid() {
		b := make([]byte, nvmlTemperatureV1Size)
		binary.LittleEndian.PutUint32(b, nvmlTemperatureV1Size|1<<24) // nvmlTemperature_v1
		binary.LittleEndian.PutUint32(b[4:], nvmlTemperature)
		if n.call(n.temperatureV, dev, ps.Bytes(b)) == nvmlSuccess {
			return int(int32(binary.LittleEndian.Uint32(b[8:])))
		}
	}
	if n.temperature.Valid() {
		v := ps.Word(0)
		if n.call(n.temperature, dev, nvmlTemperature, cgo.Addr(v)) == nvmlSuccess {
			return int(uint32(*v))
		}
	}
	return 0
}
