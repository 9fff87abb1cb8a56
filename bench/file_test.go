package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sampleFile is a hand-made File: the CPU and a GPU at two sizes, one GPU
// row that fell back to the CPU and one that failed.
func sampleFile() *File {
	ms := time.Millisecond
	row := func(dev string, logN int, times ...time.Duration) Result {
		r := Result{Op: OpMSM, Target: "bn254", Variant: "g1", LogN: logN, N: 1 << logN, Device: dev, Ran: dev,
			Warmup: times[0], Times: times}
		r.Median, r.Min, r.Max = summarize(times)
		return r
	}
	cpu10 := row("cpu:0", 10, 10*ms, 9*ms, 12*ms)
	gpu10 := row("cuda:0", 10, 2*ms, 2*ms, 3*ms)
	cpu12 := row("cpu:0", 12, 40*ms, 41*ms, 39*ms)
	gpu12 := row("cuda:0", 12, 40*ms, 40*ms, 40*ms)
	gpu12.Ran, gpu12.Fallback, gpu12.FallbackReason = "cpu:0", true, "zkaccel/cuda: msm bn254 g1: unsupported by device: n too small"
	ntt := Result{Op: OpNTT, Target: "goldilocks", Variant: "fft-dif", LogN: 10, N: 1024, Device: "cuda:0",
		Error: "ntt goldilocks fft-dif on cuda:0, warm-up: out of memory | oops"}
	return &File{
		Schema: SchemaVersion, Tool: "zkaccel bench", Date: "2025-01-02T03:04:05Z",
		Command: []string{"zkaccel", "bench", "--sizes", "10,12"}, Commit: "0123456789abcdef0123456789abcdef01234567",
		GoVersion: "go1.25.7",
		Machine:   Machine{Hostname: "box", OS: "linux", Arch: "amd64", CPU: "Test CPU (8 threads)", NumCPU: 8, Memory: 64 << 30},
		Devices: []DeviceInfo{
			{Spec: "cpu:0", Kind: "cpu", Name: "Test CPU (8 threads)", Memory: 64 << 30},
			{Spec: "cuda:0", Kind: "cuda", Name: "Test GPU", Memory: 80 << 30},
		},
		Seed: 42, Runs: 3,
		Results: []Result{cpu10, gpu10, cpu12, gpu12, ntt},
	}
}

func TestJSONRoundTrip(t *testing.T) {
	f := sampleFile()
	var buf bytes.Buffer
	if err := f.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"schema": 1`, `"times_ns": [`, `"median_ns": 10000000`, `"fallback": true`, `"memory_bytes": 85899345920`} {
		if !strings.Contains(buf.String(), field) {
			t.Errorf("JSON lacks %s:\n%s", field, buf.String())
		}
	}
	got, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, f) {
		t.Errorf("round trip changed the file:\n got %+v\nwant %+v", got, f)
	}

	name := filepath.Join(t.TempDir(), "b.json")
	if err := f.WriteFile(name); err != nil {
		t.Fatal(err)
	}
	got, err = ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, f) {
		t.Errorf("file round trip changed the file")
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{``, "not a bench JSON file"},
		{`not json`, "not a bench JSON file"},
		{`{}`, `no "schema" field`},
		{`[1, 2]`, "not a bench JSON file"},
		{`{"schema": 99}`, "schema version 99"},
		{`{"schema": -1}`, "schema version -1"},
		{`{"schema": 1, "results": [{"op": "", "device": "cpu:0"}]}`, "result 0 is malformed"},
		{`{"schema": 1, "results": [{"op": "msm", "device": "cpu:0", "log_n": 99}]}`, "result 0 is malformed"},
		{`{"schema": 1, "results": [{"op": "msm", "device": "cpu:0", "times_ns": "x"}]}`, "not a bench JSON file"},
	} {
		f, err := Decode(strings.NewReader(tc.in))
		if err == nil {
			t.Errorf("Decode(%q) = %+v, want an error", tc.in, f)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "zkaccel bench: ") {
			t.Errorf("Decode(%q) error %q, want one containing %q", tc.in, err, tc.want)
		}
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("ReadFile of a missing file: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(bad); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Errorf("ReadFile of a truncated file: %v", err)
	}
}

func TestSpeedUp(t *testing.T) {
	f := sampleFile()
	want := []struct {
		x  float64
		ok bool
	}{{1, true}, {5, true}, {1, true}, {1, true}, {0, false}}
	for i := range f.Results {
		x, ok := f.SpeedUp(&f.Results[i])
		if x != want[i].x || ok != want[i].ok {
			t.Errorf("SpeedUp(result %d) = %v, %v; want %v, %v", i, x, ok, want[i].x, want[i].ok)
		}
	}
	if !f.Failed() {
		t.Error("Failed() = false for a file with an error")
	}
	f.Results = f.Results[:4]
	if f.Failed() {
		t.Error("Failed() = true for a file without errors")
	}
}
