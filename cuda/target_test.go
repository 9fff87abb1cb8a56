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
	// cuda.h's codes after which "the process must be terminated and
	// relaunched" (700, 702, 714–719, 810, 911), and 214, 999 alike.
	sticky := map[int]bool{2: false, 1: false, 200: false, 222: false, 701: false, 720: false, 214: true, 999: true}
	for _, c := range []int{700, 702, 714, 715, 716, 717, 718, 719, 810, 911} {
		sticky[c] = true
	}
	for code, want := range sticky {
		if got := (&Error{Code: code}).Sticky(); got != want {
			t.Errorf("Sticky(%d) = %v", code, got)
		}
	}
	e := &Error{Op: "cuMemAlloc_v2(8 bytes)", Code: 2, Name: "CUDA_ERROR_OUT_OF_MEMORY", Detail: "out of memory"}
	if got, want := e.Error(), "zkaccel/cuda: cuMemAlloc_v2(8 bytes): CUDA_ERROR_OUT_OF_MEMORY (2): out of memory"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestParallelCopy(t *testing.T) {
	for _, n := range []int{0, 1, parallelMin - 1, parallelMin, parallelMin + 7, 3*parallelMin + 5} {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(i*31 + i>>8)
		}
		for _, extra := range []int{0, 3} {
			dst := make([]byte, n+extra)
			if got := parallelCopy(dst, src); got != n {
				t.Fatalf("parallelCopy(%d) = %d", n, got)
			}
			for i := 0; i < n; i++ {
				if dst[i] != src[i] {
					t.Fatalf("n %d: byte %d differs", n, i)
				}
			}
			for i := n; i < n+extra; i++ {
				if dst[i] != 0 {
					t.Fatalf("n %d: wrote past the source", n)
				}
			}
		}
	}
	short := make([]byte, 10)
	if got := parallelCopy(short, make([]byte, parallelMin*2)); got != 10 {
		t.Errorf("into a short destination: %d", got)
	}
}
