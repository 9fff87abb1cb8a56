// Command gen writes the per-curve provers of packages gnark/groth16 and
// gnark/plonk, each from one template (run by go generate ./gnark/...):
// gnark's types live in one package per curve, so each prover is
// instantiated once per curve, as gnark itself does.
package main

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"text/template"
)

// Curve is one instantiation of the templates.
type Curve struct {
	Dir    string // gnark's and gnark-crypto's package directory, e.g. "bls12-381"
	Name   string // as people write it, e.g. "BLS12-381"
	Suffix string // in Go identifiers, e.g. "BLS12381"
	ECC    string // the ecc.ID constant, e.g. "BLS12_381"
}

// Curves are the curves of the provers.
var Curves = []Curve{
	{Dir: "bn254", Name: "BN254", Suffix: "BN254", ECC: "BN254"},
	{Dir: "bls12-381", Name: "BLS12-381", Suffix: "BLS12381", ECC: "BLS12_381"},
	{Dir: "bls12-377", Name: "BLS12-377", Suffix: "BLS12377", ECC: "BLS12_377"},
}

//go:embed groth16.go.tmpl
var groth16Tmpl string

//go:embed plonk.go.tmpl
var plonkTmpl string

// Templates maps each template to its output file name pattern (%s: the
// curve's Dir without dashes) and the package directory it goes to,
// relative to gnark/.
var Templates = map[string]struct{ Text, File, Dir string }{
	"groth16": {groth16Tmpl, "prove_%s.go", "groth16"},
	"plonk":   {plonkTmpl, "prove_%s.go", "plonk"},
}

// Render returns the formatted source of template name for c.
func Render(name string, c Curve) ([]byte, error) {
	t, ok := Templates[name]
	if !ok {
		return nil, fmt.Errorf("gen: no template %q", name)
	}
	tmpl, err := template.New(name).Parse(t.Text)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, c); err != nil {
		return nil, err
	}
	out, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("gen: %s for %s: %w", name, c.Name, err)
	}
	return out, nil
}

// Path is the file template name writes for c, relative to gnark/.
func Path(name string, c Curve) string {
	t := Templates[name]
	return filepath.Join(t.Dir, fmt.Sprintf(t.File, stripDash(c.Dir)))
}

func stripDash(s string) string {
	return string(bytes.ReplaceAll([]byte(s), []byte("-"), nil))
}

func main() {
	// go generate runs in the package directory (gnark/groth16).
	root := ".."
	for name := range Templates {
		for _, c := range Curves {
			src, err := Render(name, c)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			if err := os.WriteFile(filepath.Join(root, Path(name, c)), src, 0o644); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
	}
}
