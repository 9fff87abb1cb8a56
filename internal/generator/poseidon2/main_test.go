package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestUpToDate fails when a generated file differs from what the generator
// writes now: run go generate ./poseidon/... after changing the template.
func TestUpToDate(t *testing.T) {
	for _, f := range Fields {
		for name := range Files {
			want, err := Render(f, name)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("..", "..", "..", "poseidon", f.Dir, name)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is out of date: run go generate ./poseidon/%s", path, f.Dir)
			}
		}
	}
}
