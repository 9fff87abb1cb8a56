package fpga_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
	"github.com/zkaccel/zkaccel/fpga"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/keccak"
	"github.com/zkaccel/zkaccel/msm"
	zmsm "github.com/zkaccel/zkaccel/msm/bn254"
)

var (
	buildMu sync.Mutex
	built   = map[string]string{}
)

// fakeDriver builds testdata/fakedriver.c with the given defines (once per
// variant) and returns the library's path.
func fakeDriver(t *testing.T, defines ...string) string {
	t.Helper()
	if !cgo.Available {
		t.Skip("built without cgo")
	}
	key := strings.Join(defines, " ")
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[key]; ok {
		return p
	}
	if _, err := devtest.CC(); err != nil {
		t.Skip(err)
	}
	dir, err := os.MkdirTemp("", "zkaccel-fakefpga-")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "libfake.so")
	if err := devtest.BuildLibrary(path, filepath.Join("testdata", "fakedriver.c"), defines...); err != nil {
		t.Fatal(err)
	}
	built[key] = path
	return path
}

func TestFakeDriver(t *testing.T) {
	devs, err := fpga.OpenDriverAt(fakeDriver(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 1 {
		t.Fatalf("%d devices", len(devs))
	}
	d := devs[0].(*fpga.Device)
	defer d.Close()
	if d.String() != "fpga:0" || d.Kind() != zkaccel.FPGA || d.Name() != "fake FPGA" || !d.Simulated() || d.ClockHz() != 300000000 {
		t.Errorf("device %v %q simulated %v clock %d", d, d.Name(), d.Simulated(), d.ClockHz())
	}
	if !strings.Contains(d.Driver(), "ABI 1, simulated (figures are projections), 2 core(s) at a stated 300 MHz") {
		t.Errorf("Driver() = %q", d.Driver())
	}
	if !d.Supports("keccak") || d.Supports("msm") {
		t.Error("Supports")
	}
	checkKeccak(t, d)
	// An operation the device lacks falls back to the CPU, visibly.
	_, _, g1, _ := bn254.Generators()
	var s fr.Element
	s.SetUint64(3)
	var p bn254.G1Jac
	var rep zkaccel.Report
	if _, err := zmsm.MultiExpG1(&p, []bn254.G1Affine{g1}, []fr.Element{s}, msm.WithDevice(d), msm.WithReport(&rep)); err != nil {
		t.Fatal(err)
	}
	if !rep.Fallback || !errors.Is(rep.Reason, zkaccel.ErrUnsupported) {
		t.Errorf("an MSM on the FPGA: %v", rep.String())
	}
}

// checkKeccak runs Keccak-f[1600], Keccak-256 and a Merkle tree on d and
// compares them with the CPU; the cycle counter must move.
func checkKeccak(t *testing.T, d *fpga.Device) {
	t.Helper()
	d.ResetCycles()
	states := make([][25]uint64, 7)
	raw := make([]byte, 8*25*len(states))
	rand.Read(raw)
	for i := range states {
		for j := range states[i] {
			for k := 0; k < 8; k++ {
				states[i][j] |= uint64(raw[8*(25*i+j)+k]) << (8 * k)
			}
		}
	}
	want := append([][25]uint64(nil), states...)
	if err := keccak.PermuteBatch(want, keccak.WithDevice(zkaccel.HostCPU())); err != nil {
		t.Fatal(err)
	}
	var rep zkaccel.Report
	if err := keccak.PermuteBatch(states, keccak.WithDevice(d), keccak.WithReport(&rep)); err != nil {
		t.Fatal(err)
	}
	if rep.Ran != zkaccel.Device(d) || rep.Fallback {
		t.Errorf("f1600 ran on %v (fallback %v)", rep.Ran, rep.Fallback)
	}
	for i := range states {
		if states[i] != want[i] {
			t.Fatalf("state %d differs", i)
		}
	}
	msgs := [][]byte{{}, []byte("abc"), bytes.Repeat([]byte{7}, 135), bytes.Repeat([]byte{8}, 136), bytes.Repeat([]byte{9}, 300)}
	got, err := keccak.Sum256Batch(msgs, keccak.WithDevice(d))
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := keccak.Sum256Batch(msgs, keccak.WithDevice(zkaccel.HostCPU()))
	for i := range msgs {
		if got[i] != ref[i] {
			t.Errorf("message %d (%d bytes): digest differs", i, len(msgs[i]))
		}
	}
	leaves := make([][32]byte, 16)
	for i := range leaves {
		leaves[i][0] = byte(i)
	}
	rootDev, err := keccak.MerkleRoot(leaves, keccak.WithDevice(d))
	if err != nil {
		t.Fatal(err)
	}
	rootCPU, _ := keccak.MerkleRoot(leaves, keccak.WithDevice(zkaccel.HostCPU()))
	if rootDev != rootCPU {
		t.Error("Merkle root differs")
	}
	if d.Cycles() == 0 {
		t.Error("no device cycles counted")
	}
}

func TestDriverErrors(t *testing.T) {
	for _, c := range []struct {
		name    string
		defines []string
		want    string
	}{
		{"abi", []string{"-DFAKE_ABI=9"}, "driver ABI version 9, zkaccel speaks 1"},
		{"wrong", []string{"-DFAKE_WRONG"}, "self-test failed"},
		{"fail", []string{"-DFAKE_FAIL"}, "the fake device is on fire"},
		{"null", []string{"-DFAKE_NOTABLE"}, "returned NULL"},
		{"claims", []string{"-DFAKE_CLAIM_P2"}, "claims an operation its driver table lacks"},
		{"claims-old-table", []string{"-DFAKE_OLD_TABLE", "-DFAKE_CLAIM_P2"}, "claims an operation its driver table lacks"},
		{"claims-ntt", []string{"-DFAKE_CLAIM_NTT"}, "claims an operation its driver table lacks"},
	} {
		t.Run(c.name, func(t *testing.T) {
			devs, err := fpga.OpenDriverAt(fakeDriver(t, c.defines...))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("devices %v, error %v; want %q", devs, err, c.want)
			}
		})
	}
	if _, err := fpga.OpenDriverAt(filepath.Join(t.TempDir(), "missing.so")); err == nil || !strings.Contains(err.Error(), "missing.so") {
		t.Errorf("missing library: %v", err)
	}
}

// TestOldTable: a driver built against the first release of the header
// (a shorter table) still works for what it has, and lacks the rest.
func TestOldTable(t *testing.T) {
	devs, err := fpga.OpenDriverAt(fakeDriver(t, "-DFAKE_OLD_TABLE"))
	if err != nil {
		t.Fatal(err)
	}
	d := devs[0].(*fpga.Device)
	defer d.Close()
	checkKeccak(t, d)
	if d.Supports("poseidon2/goldilocks") {
		t.Error("Supports(poseidon2/goldilocks)")
	}
	err = d.Poseidon2(&zkaccel.Poseidon2Request{Field: zkaccel.FieldGoldilocks, Width: 8, N: 1})
	if !errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("Poseidon2: %v", err)
	}
	if err := d.NTT(&zkaccel.NTTRequest{Field: zkaccel.FieldGoldilocks, ElemSize: 8, N: 1}); !errors.Is(err, zkaccel.ErrUnsupported) {
		t.Errorf("NTT: %v", err)
	}
}

// TestDevice runs the operations on the FPGA devices zkaccel found
// (ZKACCEL_FPGA_DRIVER; the simulator in CI), when there is one: Keccak,
// and Poseidon2 and NTTs over Goldilocks where the device runs them.
func TestDevice(t *testing.T) {
	devtest.ForEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		d, ok := dev.(*fpga.Device)
		if !ok {
			t.Skipf("%v is not an FPGA device", dev)
		}
		t.Logf("%v: %s; %s", d, d.Name(), d.Driver())
		checkKeccak(t, d)
		if d.Supports("poseidon2/goldilocks") {
			checkPoseidon2(t, d)
		} else {
			t.Logf("%v does not run Poseidon2 over Goldilocks", d)
		}
		if d.Supports("ntt/goldilocks") {
			checkNTT(t, d)
		} else {
			t.Logf("%v does not run Goldilocks NTTs", d)
		}
	})
}

// TestNoDriver: without ZKACCEL_FPGA_DRIVER, the backend says how to name
// one.
func TestNoDriver(t *testing.T) {
	if os.Getenv(fpga.EnvDriver) != "" {
		t.Skip("a driver is named")
	}
	for _, b := range zkaccel.Backends() {
		if b.Kind == zkaccel.FPGA && (b.Err == nil || !strings.Contains(b.Err.Error(), fpga.EnvDriver)) {
			t.Errorf("backend status: %v", b.Err)
		}
	}
}
