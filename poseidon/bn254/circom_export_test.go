package bn254

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
)

// CircomKAT is one known answer of testdata/poseidon/circom_bn254.txt.
type CircomKAT struct {
	Name string
	Init fr.Element   // state[0] before the permutation (0 but for HashWithState cases)
	In   []fr.Element // state[1:]
	Out  fr.Element   // state[0] after it
}

// CircomKATs reads testdata/poseidon/circom_bn254.txt (see its header for
// the format and the sources).
func CircomKATs(t testing.TB) []CircomKAT {
	t.Helper()
	const path = "../../testdata/poseidon/circom_bn254.txt"
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var kats []CircomKAT
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, rest, ok := strings.Cut(text, ": ")
		in, out, ok2 := strings.Cut(rest, " -> ")
		if !ok || !ok2 {
			t.Fatalf("%s:%d: want \"name: in… -> out\"", path, line)
		}
		k := CircomKAT{Name: name}
		parse := func(s string) fr.Element {
			var e fr.Element
			if _, err := e.SetString(s); err != nil || e.String() != s {
				t.Fatalf("%s:%d: %q is not a canonical decimal element", path, line, s)
			}
			return e
		}
		fields := strings.Fields(in)
		if len(fields) > 0 && strings.HasPrefix(fields[0], "init=") {
			k.Init = parse(strings.TrimPrefix(fields[0], "init="))
			fields = fields[1:]
		}
		for _, s := range fields {
			k.In = append(k.In, parse(s))
		}
		k.Out = parse(strings.TrimSpace(out))
		kats = append(kats, k)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(kats) < 10 {
		t.Fatalf("%s: only %d known answers", path, len(kats))
	}
	return kats
}
