package goldilocks_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	field "github.com/consensys/gnark-crypto/field/goldilocks"

	"github.com/zkaccel/zkaccel/poseidon/goldilocks"
)

// TestPermuteHermezFullState checks all 12 output elements of the
// permutation against Polygon Hermez's published full-state results
// (testdata/poseidon/hermez_goldilocks_fullstate.txt), not only the 4 that
// the hash returns.
func TestPermuteHermezFullState(t *testing.T) {
	const path = "../../testdata/poseidon/hermez_goldilocks_fullstate.txt"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cases := 0
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, ok := strings.Cut(line, ":")
		in, out, ok2 := strings.Cut(rest, "->")
		if !ok || !ok2 {
			t.Fatalf("%s: malformed line %q", path, line)
		}
		parse := func(s string) [12]uint64 {
			f := strings.Fields(s)
			if len(f) != 12 {
				t.Fatalf("%s: %s: %d values, want 12", path, name, len(f))
			}
			var v [12]uint64
			for i, x := range f {
				if v[i], err = strconv.ParseUint(x, 0, 64); err != nil {
					t.Fatalf("%s: %s: %v", path, name, err)
				}
			}
			return v
		}
		inV, want := parse(in), parse(out)
		var state [12]field.Element
		for i := range state {
			state[i].SetUint64(inV[i])
		}
		goldilocks.PermuteHermez(&state)
		for i := range state {
			if got := state[i].Uint64(); got != want[i] {
				t.Errorf("%s: state[%d] = %#x, want %#x", name, i, got, want[i])
			}
		}
		cases++
	}
	if cases != 2 {
		t.Fatalf("%s: %d cases, want 2", path, cases)
	}
}
