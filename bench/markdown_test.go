package bench

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWriteMarkdown(t *testing.T) {
	f := sampleFile()
	other := sampleFile()
	other.Results = other.Results[:2]
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, []*File{f, other}); err != nil {
		t.Fatal(err)
	}
	want := `### Machines

| machine | CPU | memory | OS/arch | Go | zkaccel commit | date | devices |
|---|---|---|---|---|---|---|---|
| box | Test CPU (8 threads) | 64.0 GiB | linux/amd64 | go1.25.7 | 0123456789abcdef0123456789abcdef01234567 | 2025-01-02T03:04:05Z | cpu:0: Test CPU (8 threads); cuda:0: Test GPU |
| box (2) | Test CPU (8 threads) | 64.0 GiB | linux/amd64 | go1.25.7 | 0123456789abcdef0123456789abcdef01234567 | 2025-01-02T03:04:05Z | cpu:0: Test CPU (8 threads); cuda:0: Test GPU |

### Results

| machine | device | op | curve/field | size | median | speed-up vs cpu |
|---|---|---|---|---:|---:|---:|
| box | cpu:0 | msm g1 | bn254 | 2^10 | 10.0 ms | 1.00× |
| box | cuda:0 | msm g1 | bn254 | 2^10 | 2.00 ms | 5.00× |
| box | cpu:0 | msm g1 | bn254 | 2^12 | 40.0 ms | 1.00× |
| box | cuda:0 (fell back to cpu) | msm g1 | bn254 | 2^12 | 40.0 ms | 1.00× |
| box | cuda:0 | ntt fft-dif | goldilocks | 2^10 | FAILED | - |
| box (2) | cpu:0 | msm g1 | bn254 | 2^10 | 10.0 ms | 1.00× |
| box (2) | cuda:0 | msm g1 | bn254 | 2^10 | 2.00 ms | 5.00× |

Failed measurements:

- box, cuda:0: ntt goldilocks fft-dif on cuda:0, warm-up: out of memory \| oops
`
	if got := buf.String(); got != want {
		t.Errorf("WriteMarkdown:\n%s\nwant:\n%s", got, want)
	}
}

// TestMarkdownSettings checks that a file's ZKACCEL_* settings are listed
// under the machines, sorted, and that a file without them lists none.
func TestMarkdownSettings(t *testing.T) {
	f, plain := sampleFile(), sampleFile()
	f.Env = map[string]string{"ZKACCEL_MSM_WINDOW": "18", "ZKACCEL_GPU_MUL": "32c"}
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, []*File{f, plain}); err != nil {
		t.Fatal(err)
	}
	want := "Settings of box (2025-01-02T03:04:05Z): `ZKACCEL_GPU_MUL=32c`, `ZKACCEL_MSM_WINDOW=18`\n\n### Results"
	if got := buf.String(); !strings.Contains(got, want) || strings.Count(got, "Settings of") != 1 {
		t.Errorf("WriteMarkdown:\n%s\nwant one settings line, %q", got, want)
	}
}

// TestKernels checks how a result's kernels are listed: the longest
// first as recorded, each with its share of their total, cut after top
// with the count of the rest; in the table's notes and under the Markdown
// results.
func TestKernels(t *testing.T) {
	ms := time.Millisecond
	r := &Result{Kernels: []KernelStat{{"msm_task_accumulate", 1, 6 * ms}, {"msm_scatter", 1, 3 * ms}, {"msm_digits", 1, ms}}}
	if got, want := kernelsCell(r, 2), "msm_task_accumulate 6.00 ms 60%, msm_scatter 3.00 ms 30%, … (+1 more)"; got != want {
		t.Errorf("kernelsCell = %q, want %q", got, want)
	}
	if got := kernelsCell(&Result{}, 2); got != "-" {
		t.Errorf("kernelsCell without kernels = %q", got)
	}
	f := sampleFile()
	f.Results[1].Kernels = r.Kernels
	var tb, md bytes.Buffer
	if err := WriteTable(&tb, f); err != nil {
		t.Fatal(err)
	}
	if want := "kernels of msm g1 bn254 2^10 on cuda:0, per call: msm_task_accumulate 6.00 ms 60%, msm_scatter 3.00 ms 30%, msm_digits 1.00 ms 10%"; !strings.Contains(tb.String(), want) {
		t.Errorf("table lacks %q:\n%s", want, tb.String())
	}
	if err := WriteMarkdown(&md, []*File{f}); err != nil {
		t.Fatal(err)
	}
	if want := "Kernels, per call (device time, share of the kernels' total):\n\n- box, cuda:0, msm g1 bn254 2^10: msm_task_accumulate 6.00 ms 60%"; !strings.Contains(md.String(), want) {
		t.Errorf("markdown lacks %q:\n%s", want, md.String())
	}
}

func TestWriteTable(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteTable(&buf, sampleFile()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 8 {
		t.Fatalf("table has %d lines, want header + 5 rows + 2 notes:\n%s", len(lines), buf.String())
	}
	for i, want := range [][]string{
		{"OP", "CURVE/FIELD", "SIZE", "DEVICE", "MEDIAN", "MIN", "MAX", "RUNS", "SPEED-UP", "VS", "CPU"},
		{"msm", "g1", "bn254", "2^10", "cpu:0", "10.0", "ms", "9.00", "ms", "12.0", "ms", "3", "1.00×"},
		{"msm", "g1", "bn254", "2^10", "cuda:0", "2.00", "ms", "2.00", "ms", "3.00", "ms", "3", "5.00×"},
		{"msm", "g1", "bn254", "2^12", "cpu:0", "40.0", "ms", "39.0", "ms", "41.0", "ms", "3", "1.00×"},
		{"msm", "g1", "bn254", "2^12", "cuda:0", "(fell", "back", "to", "cpu)", "40.0", "ms", "40.0", "ms", "40.0", "ms", "3", "1.00×"},
		{"ntt", "fft-dif", "goldilocks", "2^10", "cuda:0", "FAILED", "-", "-", "0", "-"},
	} {
		if got := strings.Fields(lines[i]); !slices.Equal(got, want) {
			t.Errorf("line %d = %q, want fields %q", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[6], "cuda:0 fell back to cpu: zkaccel/cuda: msm bn254 g1: unsupported") ||
		!strings.Contains(lines[7], "error: ntt goldilocks") {
		t.Errorf("notes:\n%s\n%s", lines[6], lines[7])
	}
}

func TestMachineLabels(t *testing.T) {
	a, b, c := sampleFile(), sampleFile(), sampleFile()
	c.Machine.Hostname = ""
	got := MachineLabels([]*File{a, b, c, a})
	want := []string{"box", "box (2)", "unknown", "box (3)"}
	if !slices.Equal(got, want) {
		t.Errorf("MachineLabels = %q, want %q", got, want)
	}
}

// TestHashRates checks the items/s column: shown only when a file has a
// throughput, "-" for rows without one and for failed rows.
func TestHashRates(t *testing.T) {
	f := sampleFile()
	ms := time.Millisecond
	cpu := Result{Op: OpKeccak, Target: "keccak256", Variant: "f1600", LogN: 10, N: 1024, Device: "cpu:0", Ran: "cpu:0",
		Times: []time.Duration{2 * ms}, Median: 2 * ms, Min: 2 * ms, Max: 2 * ms, ItemsPerSecond: 512000}
	gpu := cpu
	gpu.Device, gpu.Ran, gpu.Error = "cuda:0", "cuda:0", "keccak keccak256 f1600 on cuda:0: the result differs from the cpu's (seed 42)"
	f.Results = append(f.Results, cpu, gpu)
	var md bytes.Buffer
	if err := WriteMarkdown(&md, []*File{f, sampleFile()}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| machine | device | op | curve/field | size | median | items/s | speed-up vs cpu |\n|---|---|---|---|---:|---:|---:|---:|\n",
		"| box | cpu:0 | msm g1 | bn254 | 2^10 | 10.0 ms | - | 1.00× |\n",
		"| box | cpu:0 | keccak f1600 | keccak256 | 2^10 | 2.00 ms | 512 k | 1.00× |\n",
		"| box | cuda:0 | keccak f1600 | keccak256 | 2^10 | FAILED | - | - |\n",
		"| box (2) | cuda:0 | msm g1 | bn254 | 2^10 | 2.00 ms | - | 5.00× |\n",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	var table bytes.Buffer
	if err := WriteTable(&table, f); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(table.String(), "\n")
	for i, want := range [][]string{
		{"OP", "CURVE/FIELD", "SIZE", "DEVICE", "MEDIAN", "MIN", "MAX", "RUNS", "ITEMS/S", "SPEED-UP", "VS", "CPU"},
		{"msm", "g1", "bn254", "2^10", "cpu:0", "10.0", "ms", "9.00", "ms", "12.0", "ms", "3", "-", "1.00×"},
	} {
		if got := strings.Fields(lines[i]); !slices.Equal(got, want) {
			t.Errorf("line %d = %q, want fields %q", i, lines[i], want)
		}
	}
	for _, want := range [][]string{
		{"keccak", "f1600", "keccak256", "2^10", "cpu:0", "2.00", "ms", "2.00", "ms", "2.00", "ms", "1", "512", "k", "1.00×"},
		{"keccak", "f1600", "keccak256", "2^10", "cuda:0", "FAILED", "2.00", "ms", "2.00", "ms", "1", "-", "-"},
	} {
		found := false
		for _, l := range lines {
			found = found || slices.Equal(strings.Fields(l), want)
		}
		if !found {
			t.Errorf("table lacks a row %q:\n%s", want, table.String())
		}
	}
}

// TestDeviceMemoryColumn: the device memory column appears, in the table
// and in Markdown, when a result has it, with "-" for the others.
func TestDeviceMemoryColumn(t *testing.T) {
	f := sampleFile()
	f.Results[1].DeviceMemory = 3<<20 + 1<<19 // cuda:0, 2^10
	var tb, md bytes.Buffer
	if err := WriteTable(&tb, f); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, []*File{f}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(tb.String(), "\n")
	if !strings.Contains(lines[0], "DEVICE MEMORY") || !strings.Contains(lines[2], "3.5 MiB") || !strings.Contains(lines[1], " - ") {
		t.Errorf("table:\n%s", tb.String())
	}
	if !strings.Contains(md.String(), " device memory |") || !strings.Contains(md.String(), "| 3.5 MiB |") {
		t.Errorf("markdown:\n%s", md.String())
	}
	for b, want := range map[uint64]string{0: "-", 2048: "2.0 KiB", 5 << 30: "5.0 GiB"} {
		if got := memoryCell(&Result{DeviceMemory: b}); got != want {
			t.Errorf("memoryCell(%d) = %q, want %q", b, got, want)
		}
	}
}

// TestMarkdownCPUFeatures checks that a file's CPU features follow its CPU
// in the machines' table and survive the JSON round trip, and that the
// features this machine reports are ordered as CPUFeatures documents
// (each implies the ones before it).
func TestMarkdownCPUFeatures(t *testing.T) {
	f := sampleFile()
	f.Machine.Features = []string{"adx", "avx512"}
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, []*File{f}); err != nil {
		t.Fatal(err)
	}
	if want := "| box | Test CPU (8 threads) (adx, avx512) | 64.0 GiB |"; !strings.Contains(buf.String(), want) {
		t.Errorf("WriteMarkdown:\n%s\nwant a row with %q", buf.String(), want)
	}
	buf.Reset()
	if err := f.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"cpu_features": [`) {
		t.Errorf("JSON lacks cpu_features:\n%s", buf.String())
	}
	got, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Machine.Features, f.Machine.Features) {
		t.Errorf("round trip: features %v, want %v", got.Machine.Features, f.Machine.Features)
	}
	all := []string{"adx", "avx512", "avx512ifma"}
	if have := CPUFeatures(); !slices.Equal(have, all[:len(have)]) {
		t.Errorf("CPUFeatures() = %v, want a prefix of %v", have, all)
	}
	if have := Host().Features; !slices.Equal(have, CPUFeatures()) {
		t.Errorf("Host().Features = %v, want %v", have, CPUFeatures())
	}
}
