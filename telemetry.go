package zkaccel

import "time"

// Telemetry is one reading of a device's sensors, for benchmark reports.
// A zero field is one the device does not report.
type Telemetry struct {
	SMClockMHz   int     // current streaming-multiprocessor (core) clock
	MemClockMHz  int     // current memory clock
	PowerW       float64 // current power draw
	PowerLimitW  float64 // enforced power limit
	EnergyJ      float64 // energy counter: joules since the driver loaded (differences are meaningful)
	TemperatureC int     // core temperature
	PCIeGen      int     // current PCIe link generation
	PCIeWidth    int     // current PCIe link width (lanes)
	Driver       string  // the driver's version, e.g. "550.54.15"
}

// SensorDevice is implemented by devices that can report [Telemetry] (CUDA
// GPUs, through NVML). Telemetry returns an error wrapping
// [ErrUnsupported] where the device has no sensors to read.
type SensorDevice interface {
	Device
	Telemetry() (Telemetry, error)
}

// TimedDevice is implemented by devices that time their own work: the time
// their kernels ran and the time their host↔device copies took, summed
// since the last ResetTimes. Times waits for the work issued so far; a
// device that times only its kernels reports zero transfer time.
type TimedDevice interface {
	Device
	ResetTimes()
	Times() (compute, transfer time.Duration, err error)
}

// KernelTime is the device time of one kernel's launches, summed.
type KernelTime struct {
	Name     string        // the kernel's name in the device source
	Launches int           // the launches timed
	Time     time.Duration // their summed device time
}

// KernelTimedDevice is implemented by devices that time each kernel apart:
// KernelTimes returns each kernel launched since the last ResetTimes with
// its launches and summed device time, the longest first (the kernels'
// times add up to Times' compute time). It waits for the work issued so
// far.
type KernelTimedDevice interface {
	TimedDevice
	KernelTimes() ([]KernelTime, error)
}

// MemoryDevice is implemented by devices that count the memory zkaccel
// allocates on them. PeakMemory returns the most bytes held at once since
// the last ResetPeakMemory: the calls' buffers and what the device keeps
// between calls (cached tables, resident points), which ResetPeakMemory
// counts from the start. An error wraps [ErrUnsupported] where the device
// does not count.
type MemoryDevice interface {
	Device
	ResetPeakMemory()
	PeakMemory() (uint64, error)
}

// ResetDevice is implemented by devices that recover from a lost device
// context (the CUDA and OpenCL devices). Resets counts the device's resets
// since it was opened. A reset failed the call it happened in with an
// error wrapping [ErrDeviceReset], or met no call's error at all (one
// noticed while freeing memory). Either way the device lost what it kept:
// compiled programs, tables, a kept prover's key. Its next calls load them
// again. A service can export the count as a health metric; a benchmark
// whose device's count moved measured reloads too (`zkaccel bench` notes
// it).
type ResetDevice interface {
	Device
	Resets() uint64
}
