package svg

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel/bench"
)

func file(host string) *bench.File {
	f := &bench.File{Schema: bench.SchemaVersion, Machine: bench.Machine{Hostname: host}}
	for k := 10; k <= 14; k += 2 {
		for _, dev := range []string{"cpu:0", "cuda:0"} {
			d := time.Duration(k) * time.Millisecond
			r := bench.Result{Op: bench.OpMSM, Target: "bn254", Variant: "g1", LogN: k, N: 1 << k, Device: dev,
				Times: []time.Duration{d}, Median: d, Min: d, Max: d}
			if dev != "cpu:0" && k == 14 {
				r.Fallback = true
			}
			f.Results = append(f.Results, r)
		}
	}
	f.Results = append(f.Results, bench.Result{Op: bench.OpNTT, Target: "babybear", Variant: "fft-dif", LogN: 10, N: 1024, Device: "cpu:0", Error: "failed"})
	return f
}

func TestWrite(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, []*bench.File{file("alpha"), file("beta")}); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	if !strings.HasPrefix(s, "<?xml") || !strings.Contains(s, "<svg") || !strings.HasSuffix(strings.TrimSpace(s), "</svg>") {
		t.Fatalf("not an SVG document:\n%.300s", s)
	}
	for _, want := range []string{
		"alpha · cpu:0 · msm g1 bn254", "alpha · cuda:0 · msm g1 bn254", "alpha · cuda:0 (fell back to cpu) · msm g1 bn254",
		"beta · cpu:0 · msm g1 bn254", "2^10", "2^14", "10 ms", "median time",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if strings.Contains(s, "babybear") {
		t.Error("SVG plots a failed measurement")
	}
}

func TestWriteNothing(t *testing.T) {
	f := file("alpha")
	f.Results = f.Results[len(f.Results)-1:] // only the failed one
	for _, files := range [][]*bench.File{nil, {f}} {
		if err := Write(&bytes.Buffer{}, files); err == nil || !strings.Contains(err.Error(), "no successful measurements") {
			t.Errorf("Write(%d files without measurements) = %v", len(files), err)
		}
	}
}

func TestTicks(t *testing.T) {
	var labels []string
	for _, tk := range pow2Ticks(1000, 70000) {
		labels = append(labels, tk.Label)
	}
	if got := strings.Join(labels, ","); got != "2^10,2^11,2^12,2^13,2^14,2^15,2^16" {
		t.Errorf("pow2Ticks(1000, 70000) labels %s", got)
	}
	labels = nil
	for _, tk := range timeTicks(5e-6, 2e-3) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, ","); got != "10 µs,100 µs,1 ms" {
		t.Errorf("timeTicks(5 µs, 2 ms) labels %s", got)
	}
	labels = nil
	for _, tk := range timeTicks(2.1e-3, 2.9e-3) { // within a decade, no tick
		labels = append(labels, tk.Label)
	}
	if got := strings.Join(labels, ","); got != "2.1 ms,2.9 ms" {
		t.Errorf("timeTicks(2.1 ms, 2.9 ms) labels %s", got)
	}
}

func TestWriteDegenerate(t *testing.T) {
	// One point, of size 2^0, with a 1 ns median and a bogus N.
	f := &bench.File{Schema: bench.SchemaVersion, Results: []bench.Result{{
		Op: bench.OpNTT, Target: "babybear", Variant: "fft-dif", LogN: 0, N: 0, Device: "cpu:0",
		Times: []time.Duration{1}, Median: 1, Min: 1, Max: 1,
	}}}
	var buf bytes.Buffer
	if err := Write(&buf, []*bench.File{f}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "2^0") || !strings.Contains(buf.String(), "unknown · cpu:0") {
		t.Errorf("single-point chart lacks its tick or legend:\n%.2000s", buf.String())
	}
}
