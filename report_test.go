package zkaccel_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zkaccel/zkaccel"
)

func TestReportString(t *testing.T) {
	var nilReport *zkaccel.Report
	if got := nilReport.String(); got != "<nil>" {
		t.Errorf("(*Report)(nil).String() = %q, want <nil>", got)
	}

	r := &zkaccel.Report{
		Op: "msm bn254 g1", N: 1024,
		Requested: zkaccel.HostCPU(), Ran: zkaccel.HostCPU(),
		Elapsed: 1500 * time.Microsecond,
	}
	if got, want := r.String(), "msm bn254 g1 n=1024 on cpu:0 in 1.5ms"; got != want {
		t.Errorf("Report.String() = %q, want %q", got, want)
	}

	dev := &testDevice{kind: "zzreport", ord: 1}
	reason := fmt.Errorf("zkaccel/zzreport: ntt goldilocks fft: %w: no NTT", zkaccel.ErrUnsupported)
	r = &zkaccel.Report{
		Op: "ntt goldilocks fft", N: 1 << 20,
		Requested: dev, Ran: zkaccel.HostCPU(),
		Fallback: true, Reason: reason, Elapsed: 2 * time.Second,
	}
	want := "ntt goldilocks fft n=1048576 on cpu:0 in 2s (fallback from zzreport:1: " + reason.Error() + ")"
	if got := r.String(); got != want {
		t.Errorf("Report.String() = %q, want %q", got, want)
	}
	if !errors.Is(r.Reason, zkaccel.ErrUnsupported) {
		t.Errorf("Reason does not wrap ErrUnsupported")
	}

	// A zero report prints without panicking.
	if got := (&zkaccel.Report{}).String(); !strings.Contains(got, "n=0") {
		t.Errorf("zero Report.String() = %q", got)
	}
}

func TestDebug(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "1": true, "yes": true} {
		t.Setenv(zkaccel.EnvDebug, v)
		if got := zkaccel.Debug(); got != want {
			t.Errorf("Debug() with %s=%q = %v, want %v", zkaccel.EnvDebug, v, got, want)
		}
	}
}

func TestEnumStrings(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{zkaccel.G1.String(), "g1"},
		{zkaccel.G2.String(), "g2"},
		{zkaccel.Group(0).String(), "g?"},
		{zkaccel.DIT.String(), "dit"},
		{zkaccel.DIF.String(), "dif"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestSentinels(t *testing.T) {
	if errors.Is(zkaccel.ErrUnsupported, zkaccel.ErrNoDevice) || errors.Is(zkaccel.ErrNoDevice, zkaccel.ErrUnsupported) {
		t.Error("ErrUnsupported and ErrNoDevice must be distinct")
	}
	// The sentinels are bare phrases; the errors that wrap them carry the
	// "zkaccel: " prefix once, not twice.
	_, err := zkaccel.Open("nosuchkind:0")
	if err == nil || !errors.Is(err, zkaccel.ErrNoDevice) {
		t.Fatalf("Open(nosuchkind:0) = %v; want ErrNoDevice", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "zkaccel: ") || strings.Count(msg, "zkaccel:") != 1 {
		t.Errorf("Open error %q: want exactly one leading \"zkaccel: \"", msg)
	}
}
