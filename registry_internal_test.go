package zkaccel

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	for _, tc := range []struct {
		in      string
		kind    Kind
		ord     int
		wantErr bool
	}{
		{in: "cpu", kind: CPU},
		{in: "CPU", kind: CPU},
		{in: "cpu:0", kind: CPU},
		{in: "cuda", kind: CUDA},
		{in: "cuda:1", kind: CUDA, ord: 1},
		{in: "Cuda:12", kind: CUDA, ord: 12},
		{in: " opencl:0 ", kind: OpenCL},
		{in: "fpga:3", kind: FPGA, ord: 3},
		{in: "zztest:2", kind: "zztest", ord: 2},
		{in: "", wantErr: true},
		{in: "   ", wantErr: true},
		{in: ":1", wantErr: true},
		{in: "cuda:-1", wantErr: true},
		{in: "cuda:x", wantErr: true},
		{in: "cuda:", wantErr: true},
		{in: "cuda:1:2", wantErr: true},
		{in: "cuda:1.0", wantErr: true},
	} {
		k, ord, err := ParseSpec(tc.in)
		if tc.wantErr {
			if err == nil {
				t.Errorf("ParseSpec(%q) = %q, %d, nil; want an error", tc.in, k, ord)
			}
			continue
		}
		if err != nil || k != tc.kind || ord != tc.ord {
			t.Errorf("ParseSpec(%q) = %q, %d, %v; want %q, %d, nil", tc.in, k, ord, err, tc.kind, tc.ord)
		}
	}
}

func TestKindOrder(t *testing.T) {
	kinds := []Kind{"zzb", FPGA, "aaa", OpenCL, CUDA, "zza"}
	kindOrder(kinds)
	want := []Kind{CUDA, OpenCL, FPGA, "aaa", "zza", "zzb"}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("kindOrder = %v, want %v", kinds, want)
	}
}

func TestSpec(t *testing.T) {
	if got := spec(CUDA, 3); got != "cuda:3" {
		t.Errorf("spec(CUDA, 3) = %q, want cuda:3", got)
	}
}

// countingBackend counts how often its runtime was opened.
type countingBackend struct {
	kind   Kind
	opened int
}

func (b *countingBackend) Kind() Kind { return b.kind }
func (b *countingBackend) Devices() ([]Device, error) {
	b.opened++
	return nil, nil
}

func TestEnvBackends(t *testing.T) {
	for _, c := range []struct {
		env  string
		kind Kind
		load bool
	}{
		{"", "cuda", true},
		{" ", "opencl", true},
		{"cuda", "cuda", true},
		{"cuda", "opencl", false},
		{"CUDA, fpga", "fpga", true},
		{"cpu", "cuda", false},
		{"cdua", "cuda", false},
	} {
		t.Setenv(EnvBackends, c.env)
		b := &countingBackend{kind: c.kind}
		r := &registered{backend: b}
		r.load()
		if got := b.opened == 1; got != c.load {
			t.Errorf("%s=%q: %s opened %d times, want loaded %v", EnvBackends, c.env, c.kind, b.opened, c.load)
		}
		if c.load != (r.err == nil) {
			t.Errorf("%s=%q: %s: err = %v", EnvBackends, c.env, c.kind, r.err)
		}
		if !c.load && (!strings.Contains(r.err.Error(), EnvBackends) || !strings.HasPrefix(r.err.Error(), "zkaccel/"+string(c.kind)+": ")) {
			t.Errorf("%s=%q: err %q should name the backend and the variable", EnvBackends, c.env, r.err)
		}
	}
}
