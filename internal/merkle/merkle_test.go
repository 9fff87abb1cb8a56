package merkle

import (
	"errors"
	"fmt"
	"testing"
)

// concat "hashes" by joining strings, so the tree's shape is visible.
func concat(pairs, out []string) error {
	for i := range out {
		out[i] = "(" + pairs[2*i] + pairs[2*i+1] + ")"
	}
	return nil
}

func TestLayersShape(t *testing.T) {
	for _, tc := range []struct {
		leaves []string
		root   string
		nb     int
	}{
		{[]string{"a"}, "a", 1},
		{[]string{"a", "b"}, "(ab)", 2},
		{[]string{"a", "b", "c"}, "((ab)(c0))", 3},
		{[]string{"a", "b", "c", "d", "e"}, "(((ab)(cd))((e0)(00)))", 4},
	} {
		layers, err := Layers(tc.leaves, "0", concat)
		if err != nil {
			t.Fatal(err)
		}
		if len(layers) != tc.nb || layers[len(layers)-1][0] != tc.root {
			t.Errorf("Layers(%v) = %v; want %d layers, root %s", tc.leaves, layers, tc.nb, tc.root)
		}
		root, err := Root(tc.leaves, "0", concat)
		if err != nil || root != tc.root {
			t.Errorf("Root(%v) = %q, %v; want %q", tc.leaves, root, err, tc.root)
		}
		if fmt.Sprint(tc.leaves) != fmt.Sprint(tc.leaves[:len(tc.leaves)]) || len(layers[0]) != Padded(len(tc.leaves)) {
			t.Errorf("layer 0 has %d nodes; want %d", len(layers[0]), Padded(len(tc.leaves)))
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := Layers[string](nil, "0", concat); !errors.Is(err, ErrNoLeaves) {
		t.Errorf("Layers(nil) error = %v; want ErrNoLeaves", err)
	}
	if _, err := Root([]string{}, "0", concat); !errors.Is(err, ErrNoLeaves) {
		t.Errorf("Root([]) error = %v; want ErrNoLeaves", err)
	}
	boom := errors.New("boom")
	if _, err := Root([]string{"a", "b"}, "0", func(p, o []string) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Root with a failing compression: %v; want boom", err)
	}
}
