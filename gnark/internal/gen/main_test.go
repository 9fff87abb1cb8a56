package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestUpToDate fails when a generated prover differs from what the
// templates give now: run go generate ./gnark/... after changing one.
func TestUpToDate(t *testing.T) {
	for name := range Templates {
		for _, c := range Curves {
			want, err := Render(name, c)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("..", "..", Path(name, c))
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is out of date: run go generate ./gnark/...", path)
			}
		}
	}
}
