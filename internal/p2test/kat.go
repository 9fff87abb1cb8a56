package p2test

import (
	"bufio"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/poseidon"
)

// kat is an instance of a known-answer file and its vectors.
type kat[E any] struct {
	header  string
	inst    Instance
	keys    string // "": gnark-crypto's round keys; "listed": keys; else a name
	listed  [][]E
	in, out [][]E
}

// parse parses a canonical value in decimal or 0x hex.
func parse[E any, PE element[E]](v string) (E, bool) {
	var e E
	b, ok := new(big.Int).SetString(v, 0)
	if !ok || b.Sign() < 0 {
		return e, false
	}
	PE(&e).SetBigInt(b)
	return e, PE(&e).BigInt(new(big.Int)).Cmp(b) == 0 // else b ≥ p
}

// readKATs parses the known-answer file path. Its format (see the files'
// headers): a "params" line names an instance — t, rf, rp, and seed=S or
// keys=listed (the "key" lines that follow, one per round) or keys=NAME —
// then pairs of "in" and "out" lines, a state and its permutation.
func readKATs[E any, PE element[E]](t *testing.T, path string) []*kat[E] {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var out []*kat[E]
	sc := bufio.NewScanner(file)
	sc.Buffer(nil, 1<<20)
	for ln := 1; sc.Scan(); ln++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		bad := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("%s:%d: %s", path, ln, fmt.Sprintf(format, args...))
		}
		if fields[0] == "params" {
			k := &kat[E]{header: sc.Text()}
			for _, kv := range fields[1:] {
				key, val, _ := strings.Cut(kv, "=")
				n, _ := strconv.Atoi(val)
				switch key {
				case "t":
					k.inst.T = n
				case "rf":
					k.inst.RF = n
				case "rp":
					k.inst.RP = n
				case "seed":
					k.inst.Seed = val
				case "keys":
					k.keys = val
				default:
					bad("unknown parameter %q", kv)
				}
			}
			out = append(out, k)
			continue
		}
		if len(out) == 0 {
			bad("%s before params", fields[0])
		}
		k := out[len(out)-1]
		var s []E
		for _, v := range fields[1:] {
			e, ok := parse[E, PE](v)
			if !ok {
				bad("bad element %q", v)
			}
			s = append(s, e)
		}
		switch fields[0] {
		case "key":
			if k.keys != "listed" {
				bad("key line without keys=listed")
			}
			k.listed = append(k.listed, s)
		case "in", "out":
			if len(s) != k.inst.T {
				bad("%d elements, want %d", len(s), k.inst.T)
			}
			if fields[0] == "in" {
				k.in = append(k.in, s)
			} else {
				k.out = append(k.out, s)
			}
		default:
			bad("unknown line")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// KnownAnswers checks permute2 against the vectors of
// testdata/poseidon/poseidon2_<f.Name>.txt, one vector at a time and all
// in one batch, on every device (see [OnDevices]), and that gnark-crypto
// itself still gives those of its instances. named gives the parameters
// of the instances the file names with keys=NAME.
func KnownAnswers[P, Perm, E any, PE element[E]](t *testing.T, f *Field[P, Perm, E], permute2 Front[P, E], named map[string]func() *P) {
	path := "../../testdata/poseidon/poseidon2_" + f.Name + ".txt"
	kats := readKATs[E, PE](t, path)
	if len(kats) < f.MinKATs {
		t.Fatalf("%d instances in %s, want at least %d", len(kats), path, f.MinKATs)
	}
	OnDevices(t, func(t *testing.T, dev zkaccel.Device, onDevice bool) {
		for _, k := range kats {
			var params *P
			var perm *Perm
			switch {
			case k.keys == "":
				params, perm = f.Params(k.inst), f.Perm(k.inst)
			case k.keys == "listed":
				params = f.Make(k.inst.T, k.inst.RF, k.inst.RP, k.listed)
			case named[k.keys] != nil:
				params = named[k.keys]()
			default:
				t.Fatalf("%s: unknown keys", k.header)
			}
			if len(k.in) == 0 || len(k.in) != len(k.out) {
				t.Fatalf("%s: %d inputs, %d outputs", k.header, len(k.in), len(k.out))
			}
			for i := range k.in {
				got := slices.Clone(k.in[i])
				if err := permute2(params, got, poseidon.WithDevice(dev)); err != nil {
					t.Fatalf("%s: %v", k.header, err)
				}
				Diff[E, PE](t, fmt.Sprintf("%s: vector %d", k.header, i), got, k.out[i])
				if perm != nil {
					Diff[E, PE](t, fmt.Sprintf("%s: vector %d (gnark-crypto)", k.header, i), want(t, f, perm, k.inst.T, k.in[i]), k.out[i])
				}
			}
			// All the vectors at once: one batch.
			var all, want []E
			for i := range k.in {
				all, want = append(all, k.in[i]...), append(want, k.out[i]...)
			}
			if err := permute2(params, all, poseidon.WithDevice(dev)); err != nil {
				t.Fatalf("%s: %v", k.header, err)
			}
			Diff[E, PE](t, k.header+": all vectors in one batch", all, want)
		}
	})
}
