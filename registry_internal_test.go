package zkaccel

import (
	"reflect"
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
