package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/zkaccel/zkaccel"
	"io"
	"os"
	"strings"
	"time"
)

// SchemaVersion is the version of the JSON form of [File] that this package
// writes. It grows when a field changes meaning or is removed; fields may be
// added without a new version. [Decode] reads every version up to this one.
const SchemaVersion = 1

// File is the record of one benchmark run: where it ran, what it measured,
// and every timing. Its JSON form is what `zkaccel bench --json` writes and
// `zkaccel report` reads.
type File struct {
	Schema    int          `json:"schema"`     // SchemaVersion of the writer
	Tool      string       `json:"tool"`       // "zkaccel bench"
	Date      string       `json:"date"`       // start of the run, UTC, RFC 3339
	Command   []string     `json:"command"`    // the command line, when known
	Commit    string       `json:"commit"`     // zkaccel's commit, or "unknown" (see [Commit])
	GoVersion string       `json:"go_version"` // runtime.Version() of the binary
	Machine   Machine      `json:"machine"`
	Devices   []DeviceInfo `json:"devices"` // the devices measured, the CPU first
	Seed      int64        `json:"seed"`    // the inputs' seed
	Runs      int          `json:"runs"`    // timed runs asked for per measurement
	// Env holds the ZKACCEL_* variables set for the run (tuning knobs such
	// as ZKACCEL_MSM_WINDOW or ZKACCEL_GPU_MUL change what is measured);
	// absent where none was set, and in files from before it was recorded.
	Env map[string]string `json:"env,omitempty"`
	// CPU is CPUCheck where the CPU only computed the answers that the
	// devices' were checked against (bench --cpu check): the file then
	// has no speed-ups, and CPU rows only for reference calls that
	// failed. Empty where the CPU was timed.
	CPU     string   `json:"cpu,omitempty"`
	Results []Result `json:"results"`
}

// Machine describes the host a file was measured on.
type Machine struct {
	Hostname string `json:"hostname"`
	OS       string `json:"os"`   // runtime.GOOS
	Arch     string `json:"arch"` // runtime.GOARCH
	CPU      string `json:"cpu"`  // zkaccel.HostCPU().Name()
	NumCPU   int    `json:"num_cpu"`
	Memory   uint64 `json:"memory_bytes"` // 0 where unknown
	// Features are the CPU extensions gnark-crypto uses here
	// (CPUFeatures); absent in files from before they were recorded.
	Features []string `json:"cpu_features,omitempty"`
}

// DeviceInfo describes one device a file measured.
type DeviceInfo struct {
	Spec   string `json:"spec"` // e.g. "cuda:0"
	Kind   string `json:"kind"` // e.g. "cuda"
	Name   string `json:"name"`
	Memory uint64 `json:"memory_bytes"` // 0 where unknown
	// Driver is the device's runtime and driver version, where the device
	// says (e.g. "OpenCL 3.0 PoCL 3.1 …, driver 3.1").
	Driver string `json:"driver,omitempty"`
	// Forms are the forms of the device source its programs were compiled
	// in (gpu.Device.Forms: the field multiplication's, the NTT's layout,
	// the curve formulas'), where the device says; absent in files from
	// before they were recorded.
	Forms string `json:"forms,omitempty"`
	// Telemetry is a reading of the device's sensors when the run started
	// (idle clocks, power limit, PCIe link, driver version), where the
	// device reports them (CUDA GPUs, through NVML).
	Telemetry *zkaccel.Telemetry `json:"telemetry,omitempty"`
}

// Result is one measurement: one operation at one size on one device.
// Durations are in nanoseconds in JSON.
type Result struct {
	Op string `json:"op"` // "msm", "ntt", "poseidon", "poseidon2" or "keccak" (see [Ops])
	// Target is the curve (msm), the field (ntt, poseidon, poseidon2) or
	// the hash (keccak: "keccak256"), e.g. "bn254".
	Target string `json:"target"`
	// Variant is "g1" or "g2" (msm), "fft-dif" (ntt), "circom-2" or
	// "hermez" (poseidon), "t=<width>" or "merkle" (poseidon2),
	// "sum256-64B", "f1600" or "merkle" (keccak).
	Variant string `json:"variant"`
	LogN    int    `json:"log_n"` // log2 of N
	// N is the number of points (msm), the domain size (ntt), or the
	// batch: hashes, permutations or Merkle leaves (the hash ops).
	N      int    `json:"n"`
	Device string `json:"device"` // spec of the device asked to run it
	// Call is the front end's name of the operation, as zkaccel.Report.Op
	// gives it ("msm bn254 g1", "ntt bn254 fft", …): the key of the
	// crossovers that `zkaccel tune` derives (see [File.Crossovers]).
	Call string `json:"call,omitempty"`
	// Ran is the spec of the device that actually ran the timed calls: the
	// CPU when the device fell back.
	Ran            string        `json:"ran,omitempty"`
	Fallback       bool          `json:"fallback,omitempty"`        // some call fell back to the CPU
	FallbackReason string        `json:"fallback_reason,omitempty"` // why, from the front end's Report
	Warmup         time.Duration `json:"warmup_ns"`                 // the untimed first call
	// Load is the untimed preparation on the device before the warm-up: a
	// prover's key loaded there (NewProver); 0 for the other ops.
	Load time.Duration `json:"load_ns,omitempty"`
	// KeyResident and KeyBytes are the size of the prover's key points
	// (Groth16's bases, PLONK's SRS) that the device keeps in its memory,
	// and of all of them, in bytes: a GPU keeps them within half of its
	// memory, and each proof copies the rest (0 for the other ops).
	KeyResident int64           `json:"key_resident_bytes,omitempty"`
	KeyBytes    int64           `json:"key_bytes,omitempty"`
	Times       []time.Duration `json:"times_ns"` // every timed call, in order
	Median      time.Duration   `json:"median_ns"`
	Min         time.Duration   `json:"min_ns"`
	Max         time.Duration   `json:"max_ns"`
	// ItemsPerSecond is the throughput at the median time of the hash
	// ops: hashes, permutations or Merkle compressions (N − 1 for N
	// leaves) per second; of the proof ops with proofs in flight
	// (Config.InFlight above 1), proofs per second. It is 0, absent from
	// JSON, for msm, ntt and single proofs, where no timed call
	// completed, and in files written before it existed.
	ItemsPerSecond float64 `json:"items_per_second,omitempty"`
	// Compute and Transfer are the device's own timing of one timed call
	// (the mean over the timed calls): the time its kernels ran, and the
	// time its host↔device copies took, where the device times its work
	// (GPU runtimes; OpenCL times only its kernels). Median − Compute −
	// Transfer is the host's share.
	Compute  time.Duration `json:"compute_ns,omitempty"`
	Transfer time.Duration `json:"transfer_ns,omitempty"`
	// DeviceMemory is the most device memory zkaccel held at once during
	// the timed calls, where the device counts it (GPU runtimes): the
	// calls' buffers, and what the device keeps between calls (cached
	// tables, resident points), counted from the start.
	DeviceMemory uint64 `json:"device_memory_bytes,omitempty"`
	// PowerW is the device's mean power over the timed calls (its energy
	// counter's increase over their wall time, which includes the host's
	// work between calls), and EnergyJ that power times the median: an
	// estimate of one call's energy. SMClockMHz and TemperatureC are read
	// after the timed calls. All are absent where the device reports no
	// telemetry (CUDA GPUs report it through NVML).
	// DeviceCycles is the device's own count of clock cycles for one timed
	// call (the mean), where it counts them (FPGA drivers). On a simulated
	// device they are simulated cycles, and Projected — DeviceCycles at the
	// device's stated clock — and ProjectedItemsPerSecond are projections,
	// not measurements: Simulated says so.
	DeviceCycles            uint64        `json:"device_cycles,omitempty"`
	Simulated               bool          `json:"simulated,omitempty"`
	Projected               time.Duration `json:"projected_ns,omitempty"`
	ProjectedItemsPerSecond float64       `json:"projected_items_per_second,omitempty"`
	// Phases are the proof operations' phases on a device (solve, ntt,
	// each msm): the median of each over the timed calls.
	Phases map[string]time.Duration `json:"phases_ns,omitempty"`
	// Kernels are the device's kernels over the timed calls, per call (the
	// mean), the longest first, where the device times each kernel apart
	// (zkaccel.KernelTimedDevice): where its compute time went.
	Kernels      []KernelStat `json:"kernels,omitempty"`
	PowerW       float64      `json:"power_w,omitempty"`
	EnergyJ      float64      `json:"energy_j,omitempty"`
	SMClockMHz   int          `json:"sm_clock_mhz,omitempty"`
	TemperatureC int          `json:"temperature_c,omitempty"`
	// DeviceResets is how many times the device was reset during the
	// measurement, its key's loading and warm-up included
	// (zkaccel.ResetDevice): each reset lost the device's programs and
	// tables, and the calls after it loaded them again, so their times
	// are not a steady device's. 0, absent, where none happened or the
	// device does not count them.
	DeviceResets uint64 `json:"device_resets,omitempty"`
	// Error says why the measurement failed or was cut short (a device
	// error, a result that differs from the CPU's); Times holds the calls
	// that completed before it.
	Error string `json:"error,omitempty"`
}

// KernelStat is one kernel's part of a measurement's device time.
type KernelStat struct {
	Name     string        `json:"name"`     // the kernel's name in the device source
	Launches float64       `json:"launches"` // launches per timed call
	Time     time.Duration `json:"time_ns"`  // device time per timed call
}

// OpLabel names the operation with its variant, e.g. "msm g1" or
// "ntt fft-dif".
func (r *Result) OpLabel() string {
	if r.Variant == "" {
		return r.Op
	}
	return r.Op + " " + r.Variant
}

// Key identifies what r measured, apart from the device: results with the
// same key are the same computation on different devices.
func (r *Result) Key() string {
	return fmt.Sprintf("%s/%s/%s/%d", r.Op, r.Target, r.Variant, r.LogN)
}

// OK reports whether r holds a usable measurement: no error and at least
// one timed call.
func (r *Result) OK() bool { return r.Error == "" && len(r.Times) > 0 && r.Median > 0 }

// isCPU reports whether spec names the CPU device.
func isCPU(spec string) bool { return spec == "cpu" || strings.HasPrefix(spec, "cpu:") }

// Baseline returns the CPU's measurement of what r measured, from the same
// file.
func (f *File) Baseline(r *Result) (*Result, bool) {
	for i := range f.Results {
		b := &f.Results[i]
		if isCPU(b.Device) && b.Key() == r.Key() {
			return b, true
		}
	}
	return nil, false
}

// SpeedUp returns the CPU's median time over r's, both from f: how many
// times faster r's device was than the CPU. ok is false when either
// measurement is missing or failed.
func (f *File) SpeedUp(r *Result) (speedUp float64, ok bool) {
	b, found := f.Baseline(r)
	if !found || !b.OK() || !r.OK() {
		return 0, false
	}
	return float64(b.Median) / float64(r.Median), true
}

// Device returns the description of the device with the given spec.
func (f *File) Device(spec string) (DeviceInfo, bool) {
	for _, d := range f.Devices {
		if d.Spec == spec {
			return d, true
		}
	}
	return DeviceInfo{}, false
}

// Failed reports whether any measurement of f failed.
func (f *File) Failed() bool {
	for i := range f.Results {
		if f.Results[i].Error != "" {
			return true
		}
	}
	return false
}

// Encode writes f as indented JSON.
func (f *File) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("zkaccel bench: encoding results: %w", err)
	}
	return nil
}

// WriteFile writes f as indented JSON to the named file: to a temporary
// file beside it, then renamed over it, so that a reader (or a process
// killed while writing) never leaves a partial file.
func (f *File) WriteFile(name string) error {
	var buf bytes.Buffer
	if err := f.Encode(&buf); err != nil {
		return err
	}
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("zkaccel bench: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("zkaccel bench: %w", err)
	}
	return nil
}

// Decode reads one File in JSON form and checks that it is one: a schema
// version this package reads, and results that name an op, a device and a
// size.
func Decode(r io.Reader) (*File, error) {
	f, err := decode(r)
	if err != nil {
		return nil, fmt.Errorf("zkaccel bench: %w", err)
	}
	return f, nil
}

func decode(r io.Reader) (*File, error) {
	var f File
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("not a bench JSON file: %w", err)
	}
	switch {
	case f.Schema == 0:
		return nil, fmt.Errorf("not a bench JSON file: no \"schema\" field")
	case f.Schema < 0 || f.Schema > SchemaVersion:
		return nil, fmt.Errorf("schema version %d is not one this zkaccel reads (1 to %d); use a newer zkaccel", f.Schema, SchemaVersion)
	}
	for i, r := range f.Results {
		if r.Op == "" || r.Device == "" || r.LogN < 0 || r.LogN > 62 {
			return nil, fmt.Errorf("result %d is malformed (op %q, device %q, log_n %d)", i, r.Op, r.Device, r.LogN)
		}
	}
	return &f, nil
}

// ReadFile reads the File in the named JSON file.
func ReadFile(name string) (*File, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("zkaccel bench: %w", err)
	}
	defer fh.Close()
	f, err := decode(fh)
	if err != nil {
		return nil, fmt.Errorf("zkaccel bench: %s: %w", name, err)
	}
	return f, nil
}
