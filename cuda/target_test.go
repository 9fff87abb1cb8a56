package cuda

import "testing"

func TestBestTarget(t *testing.T) {
	archs := []int{50, 60, 70, 75, 80, 86, 89, 90}
	for _, c := range []struct {
		cc    int
		cubin bool
		want  Target
		ok    bool
	}{
		{90, true, Target{90, true}, true},
		{90, false, Target{90, false}, true},
		{100, true, Target{90, false}, true}, // newer than NVRTC: PTX, JIT by the driver
		{87, true, Target{86, false}, true},  // unknown in between: the newest below
		{35, true, Target{}, false},
	} {
		got, ok := bestTarget(c.cc, archs, c.cubin)
		if got != c.want || ok != c.ok {
			t.Errorf("bestTarget(%d, cubin %v) = %v, %v; want %v, %v", c.cc, c.cubin, got, ok, c.want, c.ok)
		}
	}
	if s := (Target{90, true}).String(); s != "sm_90" {
		t.Errorf("String = %q", s)
	}
	if s := (Target{70, false}).String(); s != "compute_70" {
		t.Errorf("String = %q", s)
	}
}

func TestStickyErrors(t *testing.T) {
	for code, want := range map[int]bool{700: true, 719: true, 214: true, 2: false, 1: false, 200: false} {
		if got := (&Error{Code: code}).Sticky(); got != want {
			t.Errorf("Sticky(%d) = %v", code, got)
		}
	}
	e := &Error{Op: "cuMemAlloc_v2(8 bytes)", Code: 2, Name: "CUDA_ERROR_OUT_OF_MEMORY", Detail: "out of memory"}
	if got, want := e.Error(), "zkaccel/cuda: cuMemAlloc_v2(8 bytes): CUDA_ERROR_OUT_OF_MEMORY (2): out of memory"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
