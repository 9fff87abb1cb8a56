package devtest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/gpu"
)

// dev is a device of any kind, for plans.
type dev struct {
	kind zkaccel.Kind
	ord  int
}

func (d dev) Kind() zkaccel.Kind { return d.kind }
func (d dev) Ordinal() int       { return d.ord }
func (d dev) Name() string       { return "test device" }
func (d dev) String() string     { return fmt.Sprintf("%s:%d", d.kind, d.ord) }
func (d dev) Memory() uint64     { return 0 }

func TestParseRequire(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{" , ,", nil, false},
		{"cuda", []string{"cuda"}, false},
		{" CUDA:1 , opencl,fpga:0", []string{"cuda:1", "opencl", "fpga:0"}, false},
		{"cuda:x", nil, true},
		{"cuda:-1", nil, true},
		{":1", nil, true},
	} {
		got, err := ParseRequire(c.in)
		if (err != nil) != c.err || !slices.Equal(got, c.want) {
			t.Errorf("ParseRequire(%q) = %q, %v; want %q, error %v", c.in, got, err, c.want, c.err)
		}
		if err != nil && !strings.Contains(err.Error(), EnvRequire) {
			t.Errorf("ParseRequire(%q): error %q does not name %s", c.in, err, EnvRequire)
		}
	}
}

// summary renders a plan as "name:run", "name:skip" or "name:fatal".
func summary(plan []Entry) []string {
	var out []string
	for _, e := range plan {
		switch {
		case e.Fatal != "":
			out = append(out, e.Name+":fatal")
		case e.Skip != "":
			out = append(out, e.Name+":skip")
		default:
			out = append(out, e.Name+":run")
		}
	}
	return out
}

func find(t *testing.T, plan []Entry, name string) Entry {
	t.Helper()
	for _, e := range plan {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no entry %s in %q", name, summary(plan))
	return Entry{}
}

func TestPlan(t *testing.T) {
	cpu := zkaccel.HostCPU()
	cuda0, cuda1 := dev{zkaccel.CUDA, 0}, dev{zkaccel.CUDA, 1}
	loadErr := errors.New("libOpenCL.so.1: cannot open shared object file")
	backends := []zkaccel.BackendStatus{
		{Kind: zkaccel.CUDA, Devices: []zkaccel.Device{cuda0, cuda1}},
		{Kind: zkaccel.OpenCL, Err: loadErr},
		{Kind: zkaccel.FPGA},
	}
	for _, c := range []struct {
		name     string
		devs     []zkaccel.Device
		backends []zkaccel.BackendStatus
		required []string
		want     []string
	}{
		{"nothing registered", []zkaccel.Device{cpu}, nil, nil,
			[]string{"cpu:0:run", "cuda:skip", "opencl:skip", "fpga:skip"}},
		{"required kind absent", []zkaccel.Device{cpu}, nil, []string{"cuda"},
			[]string{"cpu:0:run", "cuda:fatal", "opencl:skip", "fpga:skip"}},
		{"required spec absent", []zkaccel.Device{cpu}, nil, []string{"opencl:1"},
			[]string{"cpu:0:run", "opencl:1:fatal", "cuda:skip", "fpga:skip"}},
		{"required cpu", []zkaccel.Device{cpu}, nil, []string{"cpu"},
			[]string{"cpu:0:run", "cuda:skip", "opencl:skip", "fpga:skip"}},
		{"devices present", []zkaccel.Device{cpu, cuda0, cuda1}, backends, nil,
			[]string{"cpu:0:run", "cuda:0:run", "cuda:1:run", "opencl:skip", "fpga:skip"}},
		{"required present", []zkaccel.Device{cpu, cuda0, cuda1}, backends, []string{"cuda", "cuda:1"},
			[]string{"cpu:0:run", "cuda:0:run", "cuda:1:run", "opencl:skip", "fpga:skip"}},
		{"required ordinal absent", []zkaccel.Device{cpu, cuda0, cuda1}, backends, []string{"cuda:2", "fpga"},
			[]string{"cpu:0:run", "cuda:0:run", "cuda:1:run", "cuda:2:fatal", "fpga:fatal", "opencl:skip"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan := Plan(c.devs, c.backends, c.required)
			if got := summary(plan); !slices.Equal(got, c.want) {
				t.Fatalf("Plan = %q, want %q", got, c.want)
			}
			for _, e := range plan {
				if (e.Dev == nil) == (e.Skip == "" && e.Fatal == "") {
					t.Errorf("entry %s: device %v with skip %q, fatal %q", e.Name, e.Dev, e.Skip, e.Fatal)
				}
			}
		})
	}

	// The reasons say why a kind has no device.
	plan := Plan([]zkaccel.Device{cpu}, backends[1:], []string{"fpga:0"})
	for name, words := range map[string][]string{
		"cuda":   {"no cuda backend is registered", EnvRequire + "=cuda"},
		"opencl": {"failed to load", loadErr.Error()},
		"fpga:0": {EnvRequire, "requires fpga:0", "found no devices"},
	} {
		e := find(t, plan, name)
		for _, w := range words {
			if !strings.Contains(e.Skip+e.Fatal, w) {
				t.Errorf("entry %s: reason %q does not mention %q", name, e.Skip+e.Fatal, w)
			}
		}
	}
	if e := find(t, Plan([]zkaccel.Device{cpu, cuda0}, backends, []string{"cuda:1"}), "cuda:1"); !strings.Contains(e.Fatal, "no device cuda:1") {
		t.Errorf("required cuda:1 with only cuda:0: reason %q", e.Fatal)
	}
}

func TestRequireEnv(t *testing.T) {
	t.Setenv(EnvRequire, "opencl, cuda:0")
	got, err := Require()
	if err != nil || !slices.Equal(got, []string{"opencl", "cuda:0"}) {
		t.Fatalf("Require() = %q, %v", got, err)
	}
}

func TestSeed(t *testing.T) {
	t.Setenv(EnvSeed, "12345")
	if s := Seed(t); s != 12345 {
		t.Fatalf("Seed = %d with %s=12345", s, EnvSeed)
	}
	t.Setenv(EnvSeed, "0x10")
	if s := Seed(t); s != 16 {
		t.Fatalf("Seed = %d with %s=0x10", s, EnvSeed)
	}
	t.Setenv(EnvSeed, "")
	Seed(t) // from the clock; logged
}

// TestForEachDevice checks that the CPU always runs and that, with nothing
// required, absent kinds are skipped rather than failed.
func TestForEachDevice(t *testing.T) {
	t.Setenv(EnvRequire, "")
	var ran []string
	ForEachDevice(t, func(t *testing.T, d zkaccel.Device) { ran = append(ran, d.String()) })
	if len(ran) == 0 || ran[0] != "cpu:0" {
		t.Fatalf("ForEachDevice ran %q, want cpu:0 first", ran)
	}
}

// TestCrowded: on each GPU-runtime device present, a crowded device leaves
// between room − 63 and room bytes of its resident share: points of room
// − 63 bytes or fewer load beside the other key's, one point more than
// room does not, and the release frees them all.
func TestCrowded(t *testing.T) {
	ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		gd, ok := dev.(*gpu.Device)
		if !ok {
			t.Skipf("%v keeps no points", dev)
		}
		const mem, room = 1 << 20, 10000
		if _, _, err := Crowded(gd, 4*room-1, room); err == nil {
			t.Error("Crowded took less memory than 4 × the room")
		}
		small, release, err := Crowded(gd, mem, room)
		if err != nil {
			t.Fatal(err)
		}
		left := mem/2 - small.ResidentBytes()
		if left > room || left+64 <= room {
			t.Errorf("%d bytes left of the share, want %d − 63 … %d", left, room, room)
		}
		load := func(n int) error {
			p, err := small.LoadPoints(zkaccel.BN254, zkaccel.G1, make([]byte, 64*n), n)
			if err == nil {
				p.Free()
			}
			return err
		}
		if err := load(room/64 - 1); err != nil {
			t.Errorf("%d points within the room: %v", room/64-1, err)
		}
		if err := load(room/64 + 1); !errors.Is(err, zkaccel.ErrUnsupported) {
			t.Errorf("%d points past the room: %v, want ErrUnsupported", room/64+1, err)
		}
		release()
		if n := small.ResidentBytes(); n != 0 {
			t.Errorf("%d bytes resident after the release", n)
		}
	})
}

// TestKeepOf: Bits and KeepOf are inverses on every way of keeping a key,
// and KeepOf reads only the low three bits.
func TestKeepOf(t *testing.T) {
	for _, k := range []Keep{KeepNone, KeepAll, KeepQuarter, KeepHalf, KeepThreeQuarters} {
		if got := KeepOf(k.Bits()); got != k {
			t.Errorf("KeepOf(%v.Bits() = %d) = %v", k, k.Bits(), got)
		}
		if got := KeepOf(k.Bits() + 8); got != k {
			t.Errorf("KeepOf(%d) = %v, want %v", k.Bits()+8, got, k)
		}
	}
	if KeepOf(2) != KeepNone || KeepOf(5) != KeepHalf {
		t.Errorf("KeepOf(2) = %v, KeepOf(5) = %v", KeepOf(2), KeepOf(5))
	}
}
