package keccak_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/crypto/sha3"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/devtest"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/keccak"
)

// ref is x/crypto's Keccak-256 of msg, the reference.
func ref(msg []byte) (out [32]byte) {
	h := sha3.NewLegacyKeccak256()
	h.Write(msg)
	h.Sum(out[:0])
	return out
}

// forEachDevice runs fn on every device present and on the loopback, which
// runs the device path.
func forEachDevice(t *testing.T, fn func(t *testing.T, dev zkaccel.Device)) {
	devtest.ForEachDevice(t, fn)
	t.Run("loopback", func(t *testing.T) { fn(t, fakedev.Loopback) })
}

// onDevice returns the options that run a call on dev with a report, and
// a check that the call ran there without falling back (the CPU and the
// loopback run every Keccak operation).
func onDevice(t *testing.T, dev zkaccel.Device) ([]keccak.Option, func()) {
	var rep zkaccel.Report
	return []keccak.Option{keccak.WithDevice(dev), keccak.WithReport(&rep)}, func() {
		t.Helper()
		if rep.Ran != dev || rep.Fallback {
			t.Fatalf("%s n=%d ran on %v (fallback %v: %v), want %v", rep.Op, rep.N, rep.Ran, rep.Fallback, rep.Reason, dev)
		}
	}
}

// vector is one line of testdata/keccak/keccak256.txt.
type vector struct {
	msg    []byte
	digest [32]byte
	note   string
}

func readVectors(t *testing.T) []vector {
	t.Helper()
	f, err := os.Open("../testdata/keccak/keccak256.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []vector
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, note, _ := strings.Cut(sc.Text(), "#")
		w := strings.Fields(line)
		if len(w) == 0 {
			continue
		}
		if len(w) != 2 {
			t.Fatalf("malformed line %q", sc.Text())
		}
		var v vector
		if w[0] != "-" {
			if v.msg, err = hex.DecodeString(w[0]); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
		}
		d, err := hex.DecodeString(w[1])
		if err != nil || len(d) != 32 {
			t.Fatalf("%q: digest %v", line, err)
		}
		v.digest, v.note = [32]byte(d), strings.TrimSpace(note)
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) < 6 {
		t.Fatalf("read %d vectors, want ≥ 6", len(out))
	}
	return out
}

// TestKnownAnswers checks the published digests of keccak256.txt, one
// batch on every device, and x/crypto against them.
func TestKnownAnswers(t *testing.T) {
	vs := readVectors(t)
	msgs := make([][]byte, len(vs))
	for i, v := range vs {
		msgs[i] = v.msg
		if got := ref(v.msg); got != v.digest {
			t.Fatalf("x/crypto gives %x for %s, the file %x", got, v.note, v.digest)
		}
	}
	forEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		opts, ran := onDevice(t, dev)
		got, err := keccak.Sum256Batch(msgs, opts...)
		if err != nil {
			t.Fatal(err)
		}
		ran()
		for i, v := range vs {
			if got[i] != v.digest {
				t.Errorf("%s: got %x, want %x", v.note, got[i], v.digest)
			}
		}
	})
}

// randomMessages returns one seeded random message of every length 0 …
// maxLen (the empty one nil) and extra random long ones, shuffled.
func randomMessages(rng *rand.Rand, maxLen, long int) [][]byte {
	var msgs [][]byte
	for size := 0; size <= maxLen; size++ {
		var m []byte
		if size > 0 {
			m = make([]byte, size)
			rng.Read(m)
		}
		msgs = append(msgs, m)
	}
	for i := 0; i < long; i++ {
		m := make([]byte, 600+rng.Intn(20000))
		rng.Read(m)
		msgs = append(msgs, m)
	}
	msgs = append(msgs, []byte{}) // empty, not nil
	rng.Shuffle(len(msgs), func(i, j int) { msgs[i], msgs[j] = msgs[j], msgs[i] })
	return msgs
}

// cloneMsgs deep-copies a batch, keeping nil messages nil.
func cloneMsgs(msgs [][]byte) [][]byte {
	out := make([][]byte, len(msgs))
	for i, m := range msgs {
		if m != nil {
			out[i] = slices.Clone(m)
		}
	}
	return out
}

func sameMsgs(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) || (a[i] == nil) != (b[i] == nil) {
			return false
		}
	}
	return true
}

// TestSum256Lengths compares Sum256Batch with x/crypto on seeded random
// messages of every length 0 … 600 (every padding position, the rate
// boundary 135/136/137 and its multiples) and random long ones, on every
// device and with several NbTasks, and checks that the messages are left as
// they were.
func TestSum256Lengths(t *testing.T) {
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	msgs := randomMessages(rng, 600, 20)
	want := make([][32]byte, len(msgs))
	for i, m := range msgs {
		want[i] = ref(m)
	}
	orig := cloneMsgs(msgs)
	forEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		for _, nt := range []int{0, 1, 2, 3, 1024} {
			opts, ran := onDevice(t, dev)
			if nt != 0 {
				opts = append(opts, keccak.WithNbTasks(nt))
			}
			got, err := keccak.Sum256Batch(msgs, opts...)
			if err != nil {
				t.Fatal(err)
			}
			ran()
			if len(got) != len(msgs) {
				t.Fatalf("NbTasks %d: %d digests for %d messages", nt, len(got), len(msgs))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("NbTasks %d: message %d (%d bytes): got %x, want %x", nt, i, len(msgs[i]), got[i], want[i])
				}
			}
			if !sameMsgs(msgs, orig) {
				t.Fatalf("NbTasks %d: the messages were modified", nt)
			}
		}
	})
}

// TestSum256OneAtATime checks that a batch equals its messages hashed one
// per call.
func TestSum256OneAtATime(t *testing.T) {
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	msgs := randomMessages(rng, 300, 3)
	batch, err := keccak.Sum256Batch(msgs)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		one, err := keccak.Sum256Batch([][]byte{m}, keccak.WithNbTasks(1))
		if err != nil {
			t.Fatal(err)
		}
		if len(one) != 1 || one[0] != batch[i] {
			t.Fatalf("message %d: alone %x, in the batch %x", i, one, batch[i])
		}
	}
}

// TestSum256Empty: a nil or empty batch gives an empty result on every
// device, asking no device (not even a failing one); nil and empty messages
// hash as "".
func TestSum256Empty(t *testing.T) {
	empty := ref(nil)
	failing := fakedev.FailingKeccak(errors.New("must not be called"))
	for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), fakedev.Loopback, fakedev.Bare, fakedev.Unsupported, failing} {
		for _, msgs := range [][][]byte{nil, {}} {
			got, err := keccak.Sum256Batch(msgs, keccak.WithDevice(dev))
			if err != nil || got == nil || len(got) != 0 {
				t.Errorf("%v: Sum256Batch(%#v) = %#v, %v; want an empty result", dev, msgs, got, err)
			}
		}
		if dev == failing {
			continue
		}
		got, err := keccak.Sum256Batch([][]byte{nil, {}, nil}, keccak.WithDevice(dev))
		if err != nil || len(got) != 3 || got[0] != empty || got[1] != empty || got[2] != empty {
			t.Errorf("%v: three empty messages: %x, %v; want %x three times", dev, got, err, empty)
		}
	}
}

// TestSum256BadOptions: out-of-range NbTasks, a nil device and an invalid
// ZKACCEL_DEVICE are errors naming the problem, returning no digests.
func TestSum256BadOptions(t *testing.T) {
	msgs := [][]byte{[]byte("abc")}
	for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), fakedev.Loopback} {
		for _, nt := range []int{0, -1, 1025} {
			for _, batch := range [][][]byte{msgs, nil} {
				got, err := keccak.Sum256Batch(batch, keccak.WithDevice(dev), keccak.WithNbTasks(nt))
				want := fmt.Sprintf("zkaccel: keccak256: WithNbTasks(%d): out of range", nt)
				if err == nil || !strings.Contains(err.Error(), want) || got != nil {
					t.Errorf("%v, WithNbTasks(%d), %d messages: %v, %v; want nil and an error containing %q", dev, nt, len(batch), got, err, want)
				}
			}
		}
	}
	if got, err := keccak.Sum256Batch(msgs, keccak.WithDevice(nil)); err == nil || !strings.Contains(err.Error(), "WithDevice(nil)") || got != nil {
		t.Errorf("WithDevice(nil): %v, %v", got, err)
	}
	t.Run("env", func(t *testing.T) {
		t.Setenv(zkaccel.EnvDevice, "cuda:7")
		if _, err := zkaccel.Open("cuda:7"); err == nil {
			t.Skip("cuda:7 is present")
		}
		if _, err := keccak.Sum256Batch(msgs); err == nil || !strings.Contains(err.Error(), zkaccel.EnvDevice) || !strings.Contains(err.Error(), "keccak256") {
			t.Errorf("%s=cuda:7: error %v", zkaccel.EnvDevice, err)
		}
		if got, err := keccak.Sum256Batch(msgs, keccak.WithDevice(zkaccel.HostCPU())); err != nil || got[0] != ref(msgs[0]) {
			t.Errorf("an explicit CPU under a bad %s: %x, %v", zkaccel.EnvDevice, got, err)
		}
	})
}

// TestFailingDevice: a device's own error is returned for every operation,
// not hidden by a CPU fallback, and the caller's inputs are untouched.
func TestFailingDevice(t *testing.T) {
	cause := errors.New("simulated kernel failure")
	dev := fakedev.FailingKeccak(cause)
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, cause) || errors.Is(err, zkaccel.ErrUnsupported) {
			t.Errorf("%s: error %v, want the device's", what, err)
		}
	}
	var rep zkaccel.Report
	got, err := keccak.Sum256Batch([][]byte{[]byte("x")}, keccak.WithDevice(dev), keccak.WithReport(&rep))
	check("Sum256Batch", err)
	if got != nil {
		t.Errorf("Sum256Batch returned %x with its error", got)
	}
	states := make([][25]uint64, 3)
	states[1][7] = 42
	check("PermuteBatch", keccak.PermuteBatch(states, keccak.WithDevice(dev)))
	if states[1][7] != 42 || states[0] != ([25]uint64{}) {
		t.Error("PermuteBatch: a failing device that wrote nothing changed the states")
	}
	leaves := [][32]byte{{1}, {2}, {3}}
	layers, err := keccak.MerkleTree(leaves, keccak.WithDevice(dev))
	check("MerkleTree", err)
	if layers != nil {
		t.Error("MerkleTree returned layers with its error")
	}
	root, err := keccak.MerkleRoot(leaves, keccak.WithDevice(dev))
	check("MerkleRoot", err)
	if root != ([32]byte{}) {
		t.Error("MerkleRoot returned a root with its error")
	}
	if leaves[0] != ([32]byte{1}) || leaves[2] != ([32]byte{3}) {
		t.Error("the leaves were modified")
	}
}

// TestFallback: on devices that lack the operations, every call falls
// back to the CPU, says so in its report, and gives the CPU's answer.
func TestFallback(t *testing.T) {
	msgs := [][]byte{[]byte("abc"), nil, bytes.Repeat([]byte{7}, 136)}
	noOps := fakedev.NewKeccak("keccak, no ops", fakedev.KeccakFuncs{})
	for _, dev := range []zkaccel.Device{fakedev.Bare, fakedev.Unsupported, noOps} {
		t.Run(dev.Name(), func(t *testing.T) {
			fellBack := func(rep *zkaccel.Report) {
				t.Helper()
				if !rep.Fallback || rep.Ran != zkaccel.HostCPU() || rep.Requested != dev || !errors.Is(rep.Reason, zkaccel.ErrUnsupported) {
					t.Errorf("%s: report %+v, want a fallback from %v to the CPU", rep.Op, rep, dev)
				}
			}
			var rep zkaccel.Report
			got, err := keccak.Sum256Batch(msgs, keccak.WithDevice(dev), keccak.WithReport(&rep))
			if err != nil {
				t.Fatal(err)
			}
			fellBack(&rep)
			for i, m := range msgs {
				if got[i] != ref(m) {
					t.Errorf("digest %d: %x, want %x", i, got[i], ref(m))
				}
			}
			states := make([][25]uint64, 2)
			want := make([][25]uint64, 2)
			if err := keccak.PermuteBatch(want, keccak.WithDevice(zkaccel.HostCPU())); err != nil {
				t.Fatal(err)
			}
			if err := keccak.PermuteBatch(states, keccak.WithDevice(dev), keccak.WithReport(&rep)); err != nil {
				t.Fatal(err)
			}
			fellBack(&rep)
			if !slices.Equal(states, want) {
				t.Error("PermuteBatch: the fallback's states differ from the CPU's")
			}
			leaves := [][32]byte{{1}, {2}, {3}}
			root, err := keccak.MerkleRoot(leaves, keccak.WithDevice(dev), keccak.WithReport(&rep))
			if err != nil {
				t.Fatal(err)
			}
			fellBack(&rep)
			if wantRoot, _ := keccak.MerkleRoot(leaves, keccak.WithDevice(zkaccel.HostCPU())); root != wantRoot {
				t.Error("MerkleRoot: the fallback's root differs from the CPU's")
			}
		})
	}
}

// TestKeccakRequest checks the request a device receives: the messages
// concatenated with N+1 offsets, a poisoned output of N × 32 bytes, the
// NbTasks option; and that what the device writes is what the caller gets.
func TestKeccakRequest(t *testing.T) {
	msgs := [][]byte{[]byte("ab"), nil, []byte("cde"), {}, []byte("f")}
	var req zkaccel.KeccakRequest
	var out0 []byte
	dev := fakedev.NewKeccak("recorder", fakedev.KeccakFuncs{Keccak256: func(r *zkaccel.KeccakRequest) error {
		req, out0 = *r, slices.Clone(r.Out)
		for i := range r.Out {
			r.Out[i] = byte(i)
		}
		return nil
	}})
	got, err := keccak.Sum256Batch(msgs, keccak.WithDevice(dev), keccak.WithNbTasks(3))
	if err != nil {
		t.Fatal(err)
	}
	if req.N != 5 || string(req.Data) != "abcdef" || !slices.Equal(req.Offsets, []int{0, 2, 2, 5, 5, 6}) || req.NbTasks != 3 {
		t.Errorf("request N=%d Data=%q Offsets=%v NbTasks=%d; want 5, \"abcdef\", [0 2 2 5 5 6], 3", req.N, req.Data, req.Offsets, req.NbTasks)
	}
	if len(out0) != 5*32 || bytes.Count(out0, []byte{0}) == len(out0) {
		t.Errorf("request Out: %d bytes, all zero: %v; want 160 poisoned bytes", len(out0), bytes.Count(out0, []byte{0}) == len(out0))
	}
	for i := range got {
		for j := range got[i] {
			if got[i][j] != byte(32*i+j) {
				t.Fatalf("digest %d byte %d = %d, want what the device wrote, %d", i, j, got[i][j], byte(32*i+j))
			}
		}
	}
	if string(msgs[0]) != "ab" || string(msgs[2]) != "cde" {
		t.Error("messages modified")
	}
}

// TestPermuteRequest checks that a device permutes the caller's states in
// place: the request's States are a view of them, 200 bytes per state,
// little-endian lanes.
func TestPermuteRequest(t *testing.T) {
	states := make([][25]uint64, 3)
	states[1][2] = 0x0102030405060708
	var req zkaccel.KeccakPermuteRequest
	dev := fakedev.NewKeccak("recorder", fakedev.KeccakFuncs{KeccakF1600: func(r *zkaccel.KeccakPermuteRequest) error {
		req = *r
		return fakedev.LoopbackKeccakF1600(r)
	}})
	want := slices.Clone(states)
	if err := keccak.PermuteBatch(want, keccak.WithDevice(zkaccel.HostCPU())); err != nil {
		t.Fatal(err)
	}
	view := unsafe.Slice((*byte)(unsafe.Pointer(&states[0])), 3*200)
	if view[200+16] != 0x08 || view[200+23] != 0x01 {
		t.Fatalf("lane 2 of state 1 is not little-endian in memory: % x", view[200+16:200+24])
	}
	if err := keccak.PermuteBatch(states, keccak.WithDevice(dev)); err != nil {
		t.Fatal(err)
	}
	if req.N != 3 || len(req.States) != 600 || unsafe.SliceData(req.States) != &view[0] {
		t.Errorf("request N=%d, %d bytes of states, a view of the caller's: %v", req.N, len(req.States), unsafe.SliceData(req.States) == &view[0])
	}
	if !slices.Equal(states, want) {
		t.Error("the loopback's permutation differs from the CPU's")
	}
}

// TestPermuteBatch checks PermuteBatch on every device against the states
// permuted one per call on the CPU, and the known answers F(0), F(F(0)).
func TestPermuteBatch(t *testing.T) {
	rng := rand.New(rand.NewSource(devtest.Seed(t)))
	const n = 777
	states := make([][25]uint64, n)
	for i := 2; i < n; i++ {
		for j := range states[i] {
			states[i][j] = rng.Uint64()
		}
	}
	want := slices.Clone(states)
	for i := range want {
		if err := keccak.PermuteBatch(want[i:i+1], keccak.WithDevice(zkaccel.HostCPU()), keccak.WithNbTasks(1)); err != nil {
			t.Fatal(err)
		}
	}
	states[1] = want[0] // F(0), to become F(F(0))
	want[1] = states[1]
	if err := keccak.PermuteBatch(want[1:2]); err != nil {
		t.Fatal(err)
	}
	if want[0][0] != 0xF1258F7940E1DDE7 || want[0][24] != 0xEAF1FF7B5CECA249 || want[1][0] != 0x2D5C954DF96ECB3C || want[1][24] != 0x20D06CD26A8FBF5C {
		t.Fatalf("F(0), F(F(0)) lanes 0 and 24: %016X %016X, %016X %016X; want XKCP's", want[0][0], want[0][24], want[1][0], want[1][24])
	}
	forEachDevice(t, func(t *testing.T, dev zkaccel.Device) {
		for _, nt := range []int{0, 1, 2, 1024} {
			got := slices.Clone(states)
			opts, ran := onDevice(t, dev)
			if nt != 0 {
				opts = append(opts, keccak.WithNbTasks(nt))
			}
			if err := keccak.PermuteBatch(got, opts...); err != nil {
				t.Fatal(err)
			}
			ran()
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("NbTasks %d: state %d differs", nt, i)
				}
			}
		}
	})
}

// TestPermuteBatchEdges: empty batches, bad options (states untouched).
func TestPermuteBatchEdges(t *testing.T) {
	for _, dev := range []zkaccel.Device{zkaccel.HostCPU(), fakedev.Loopback, fakedev.Bare} {
		if err := keccak.PermuteBatch(nil, keccak.WithDevice(dev)); err != nil {
			t.Errorf("%v: nil batch: %v", dev, err)
		}
		if err := keccak.PermuteBatch([][25]uint64{}, keccak.WithDevice(dev)); err != nil {
			t.Errorf("%v: empty batch: %v", dev, err)
		}
		states := [][25]uint64{{1, 2, 3}}
		for _, nt := range []int{0, -1, 1025} {
			err := keccak.PermuteBatch(states, keccak.WithDevice(dev), keccak.WithNbTasks(nt))
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("zkaccel: keccak-f1600: WithNbTasks(%d)", nt)) {
				t.Errorf("%v: WithNbTasks(%d): %v", dev, nt, err)
			}
			if states[0] != ([25]uint64{1, 2, 3}) {
				t.Fatalf("%v: WithNbTasks(%d): the state was modified", dev, nt)
			}
		}
	}
}

// TestSum256NoCopy checks that Sum256Batch on the CPU allocates its output
// and a few small values, never a copy of the messages.
func TestSum256NoCopy(t *testing.T) {
	const n, size = 1024, 200
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = bytes.Repeat([]byte{byte(i)}, size)
	}
	cpu := keccak.WithDevice(zkaccel.HostCPU())
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := keccak.Sum256Batch(msgs, cpu, keccak.WithNbTasks(1)); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 8 {
		t.Errorf("Sum256Batch allocates %.0f times per call, want the output and a few closures", allocs)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		if _, err := keccak.Sum256Batch(msgs, cpu); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if perCall := (after.TotalAlloc - before.TotalAlloc) / 10; perCall > 32*n+4096 {
		t.Errorf("Sum256Batch allocates %d B per call for %d messages of %d B: more than its %d B output; does it copy the messages?", perCall, n, size, 32*n)
	}
}

// TestSum256BatchInto checks that the allocation-free form writes the same
// digests as Sum256Batch, and rejects an output of the wrong length.
func TestSum256BatchInto(t *testing.T) {
	msgs := [][]byte{nil, []byte("abc"), make([]byte, 136), make([]byte, 137)}
	want, err := keccak.Sum256Batch(msgs)
	if err != nil {
		t.Fatal(err)
	}
	got := make([][32]byte, len(msgs))
	for i := range got {
		got[i][0] = 0xA5 // must be overwritten
	}
	if err := keccak.Sum256BatchInto(got, msgs); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d: Sum256BatchInto %x, Sum256Batch %x", i, got[i], want[i])
		}
	}
	if err := keccak.Sum256BatchInto(make([][32]byte, 3), msgs); err == nil {
		t.Error("Sum256BatchInto accepted 3 output slots for 4 messages")
	}
}
