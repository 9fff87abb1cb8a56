package devtest

import (
	"errors"
	"testing"

	"github.com/zkaccel/zkaccel/gpu"
)

// stubRuntime is a runtime of kind kind that only says its kind (what
// gpu.NewDevice asks); its other methods are nil and must not be called.
type stubRuntime struct {
	gpu.Runtime
	kind string
}

func (s stubRuntime) Kind() string { return s.kind }

// typedStub is a stub OpenCL runtime with a device type, as POCL's.
type typedStub struct {
	stubRuntime
	typ string
}

func (s typedStub) Type() string { return s.typ }

// stubMark is besideStub's mark.
type stubMark struct{}

func (stubMark) Free() {}

// besideStub is a stub runtime that reads beside later kernels, as CUDA's;
// its reads count in reads.
type besideStub struct {
	stubRuntime
	reads *int
}

func (s besideStub) Mark() (gpu.Mark, error) { return stubMark{}, nil }

func (s besideStub) ReadAfter(gpu.Mark, []byte, gpu.Buffer, int) error {
	*s.reads++
	return nil
}

// dress is what a test of the dressing reads of a device's runtime: its
// OpenCL device type ("-" where it has none) and whether it reads beside
// later kernels.
func dress(d *gpu.Device) (typ string, beside bool) {
	typ = "-"
	if t, ok := d.Runtime().(interface{ Type() string }); ok {
		typ = t.Type()
	}
	_, beside = d.Runtime().(besideReader)
	return typ, beside
}

// TestDressedLike: a Faulty twin and a device WithMemory keep their
// runtime's OpenCL device type and its reads beside later kernels (so
// that they take its paths: a twin of POCL is on the host, as POCL is),
// and a twin NewFaultyAsGPU is an OpenCL GPU that reads beside its kernels
// whatever it wraps. A twin's reads beside kernels are counted and failed
// as its other calls.
func TestDressedLike(t *testing.T) {
	reads := 0
	cases := []struct {
		name   string
		rt     gpu.Runtime
		typ    string
		beside bool
		onHost bool
	}{
		{"POCL", typedStub{stubRuntime{kind: "opencl"}, "cpu"}, "cpu", false, true},
		{"an OpenCL GPU", typedStub{stubRuntime{kind: "opencl"}, "gpu"}, "gpu", false, false},
		{"CUDA", besideStub{stubRuntime{kind: "cuda"}, &reads}, "", true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := gpu.NewDevice(c.rt)
			f := NewFaulty(d)
			small := WithMemory(d, 1<<20)
			for _, w := range []struct {
				what string
				d    *gpu.Device
			}{{"NewFaulty", f.Device}, {"WithMemory", small}, {"WithMemory(NewFaulty)", WithMemory(f.Device, 1<<20)}} {
				if typ, beside := dress(w.d); typ != c.typ || beside != c.beside {
					t.Errorf("%s: type %q, beside reads %v; want %q, %v", w.what, typ, beside, c.typ, c.beside)
				}
				if w.d.OnHost() != c.onHost {
					t.Errorf("%s: on the host %v, want %v", w.what, w.d.OnHost(), c.onHost)
				}
			}
			if small.Memory() != 1<<20 {
				t.Errorf("WithMemory: %d bytes, want %d", small.Memory(), 1<<20)
			}
			g := NewFaultyAsGPU(d)
			if typ, beside := dress(g.Device); typ != "gpu" || !beside || g.OnHost() {
				t.Errorf("NewFaultyAsGPU: type %q, beside reads %v, on the host %v; want gpu, true, false", typ, beside, g.OnHost())
			}
			if !c.beside {
				return
			}
			br := f.Device.Runtime().(besideReader)
			f.Arm(2)
			m, err := br.Mark()
			if err != nil {
				t.Fatalf("Mark, the first call: %v", err)
			}
			if err := br.ReadAfter(m, nil, nil, 0); !errors.Is(err, ErrInjected) {
				t.Errorf("ReadAfter, the second call, armed to fail: %v", err)
			}
			if err := br.ReadAfter(m, nil, nil, 0); err != nil {
				t.Errorf("ReadAfter, the third call: %v", err)
			}
			if f.Calls() != 3 || reads != 1 {
				t.Errorf("%d calls counted and %d reads made, want 3 and 1", f.Calls(), reads)
			}
		})
	}
}
