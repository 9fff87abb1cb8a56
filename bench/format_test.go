package bench

import (
	"strings"
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0 ns"},
		{850, "850 ns"},
		{time.Microsecond, "1.00 µs"},
		{12345 * time.Nanosecond, "12.3 µs"},
		{105 * time.Millisecond, "105 ms"},
		{2345 * time.Millisecond, "2.35 s"},
		{9999 * time.Microsecond, "10.0 ms"},
		{1234 * time.Second, "1234 s"},
	} {
		if got := FormatDuration(tc.d); got != tc.want {
			t.Errorf("FormatDuration(%d) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestFormatGiBAndSpeedUp(t *testing.T) {
	if got := FormatGiB(0); got != "-" {
		t.Errorf("FormatGiB(0) = %q, want -", got)
	}
	if got := FormatGiB(80 << 30); got != "80.0 GiB" {
		t.Errorf("FormatGiB(80 GiB) = %q", got)
	}
	for x, want := range map[float64]string{1: "1.00×", 12.34: "12.3×", 150: "150×", 0.42: "0.42×"} {
		if got := FormatSpeedUp(x); got != want {
			t.Errorf("FormatSpeedUp(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestSummarize(t *testing.T) {
	ms := time.Millisecond
	if m, lo, hi := summarize([]time.Duration{5 * ms, 1 * ms, 3 * ms}); m != 3*ms || lo != ms || hi != 5*ms {
		t.Errorf("odd count: got %v %v %v", m, lo, hi)
	}
	if m, lo, hi := summarize([]time.Duration{4 * ms, 1 * ms, 2 * ms, 9 * ms}); m != 3*ms || lo != ms || hi != 9*ms {
		t.Errorf("even count: got %v %v %v", m, lo, hi)
	}
	if m, lo, hi := summarize(nil); m != 0 || lo != 0 || hi != 0 {
		t.Errorf("empty: got %v %v %v", m, lo, hi)
	}
}

func TestFormatRate(t *testing.T) {
	for _, tc := range []struct {
		x    float64
		want string
	}{
		{0.5, "0.5"}, {1, "1.00"}, {850, "850"}, {999.4, "999"}, {999.6, "1.00 k"}, {12345, "12.3 k"},
		{999_960, "1.00 M"}, {4.56e6, "4.56 M"}, {1.2e9, "1.20 G"}, {3.4e12, "3400 G"},
	} {
		if got := FormatRate(tc.x); got != tc.want {
			t.Errorf("FormatRate(%v) = %q, want %q", tc.x, got, tc.want)
		}
	}
}

// TestSummaryKey checks the progress line of a prover's row: the key's
// load, and how much of its points the device keeps when not all.
func TestSummaryKey(t *testing.T) {
	r := Result{Device: "cuda:0", Times: []time.Duration{time.Second}, Median: time.Second, Min: time.Second, Max: time.Second,
		Load: 2 * time.Second, KeyResident: 3 << 30, KeyBytes: 3 << 30}
	if s := r.summary(); !strings.Contains(s, "key loaded in 2.00 s (untimed)") || strings.Contains(s, "device memory") {
		t.Errorf("the whole key resident: %q", s)
	}
	r.KeyResident = 1 << 30
	if s := r.summary(); !strings.Contains(s, "key loaded in 2.00 s (untimed), 1.0 GiB of its 3.0 GiB of points in device memory (the rest copied on each proof)") {
		t.Errorf("a third of the key resident: %q", s)
	}
}
