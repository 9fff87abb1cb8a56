// Command poseidon2 writes the field-typed part of a Poseidon2 front end
// into the packages poseidon/bn254, goldilocks, babybear and koalabear,
// from one template per file:
//
//   - poseidon2_kernel.go (kernel.go.tmpl): the CPU kernels — the
//     one-state permutation and the batched kernel on field.Vector — which
//     must stay monomorphic so that the field's arithmetic is called
//     directly, and their glue to the field-independent parts in
//     internal/poseidon2x;
//   - poseidon2_kernel_export_test.go (export_test.go.tmpl): the kernels
//     exposed to the shared tests of internal/p2test.
//
// Each of those packages runs it with go generate:
//
//	//go:generate go run ../../internal/generator/poseidon2 babybear
//
// writes both files into the current directory for the field named. The
// test of this package fails when a file on disk differs from what it
// would write.
package main

import (
	"bytes"
	_ "embed"
	"fmt"
	"go/format"
	"log"
	"os"
	"text/template"
)

// Field is what the template needs to know of a field.
type Field struct {
	Dir         string // the package's directory under poseidon/
	Package     string // its name
	Name        string // the field's name in comments
	ElementPath string // gnark-crypto's package of the field's Element; its poseidon2 package lies below
	GnarkDir    string // that package's directory in gnark-crypto, for comments
	Degree      int    // the S-box x^Degree
	M4          string // the 4×4 block of the external matrix: "HorizenLabs" or "Plonky3"
	// SmallWidths: widths 2, 3 (fixed matrices) and 4k, with DiagM1 taken
	// from the parameters (BN254); otherwise the widths of Widths, with
	// diagonals from the package's table (p2Diag).
	SmallWidths bool
	Widths      string // the widths gnark-crypto supports, for errors, where not SmallWidths
	Lanes       bool   // the batched kernel on field.Vector (needs p2Lanes, p2Block, p2MinLanes)
	// Gnark24 is (rf, rp) of gnark-crypto's default width-24 instance,
	// which it runs with Permutation16x24; nil where it has none.
	Gnark24 []int
	// FieldConst names the zkaccel.Field of the device requests.
	FieldConst string

	// The tuning of the CPU kernels, with the notes that justify it (each
	// line of a note after the first starts with "// ").
	MinChunk     int    // the fewest states a goroutine of a batch gets
	MinChunkNote string // why
	// Where Lanes: the batched kernel runs where cpu.<LanesCPU> is true
	// (LanesNote says why), on blocks of BlockSmall states for widths up to
	// BlockSplit and BlockLarge for the others (BlockNote says why), for
	// runs of at least MinLanes states.
	LanesCPU, LanesNote                string
	BlockSplit, BlockSmall, BlockLarge int
	BlockNote                          string
	MinLanes                           int
}

// TableDiag reports whether the field's diagonals come from p2Diag.
func (f Field) TableDiag() bool { return !f.SmallWidths }

// Fields are the four fields of zkaccel's Poseidon2 front ends.
var Fields = []Field{
	{Dir: "bn254", Package: "bn254", Name: "BN254's Fr", ElementPath: "github.com/consensys/gnark-crypto/ecc/bn254/fr", GnarkDir: "ecc/bn254/fr",
		Degree: 5, M4: "HorizenLabs", SmallWidths: true, Lanes: true, FieldConst: "FieldBN254",
		MinChunk: 16, MinChunkNote: ": a BN254\n// permutation takes microseconds, so a few dozen outweigh a goroutine",
		LanesCPU: "SupportAVX512IFMA", LanesNote: "where fr.Vector's\n// multiplications use AVX-512 IFMA",
		BlockSplit: 4, BlockSmall: 64, BlockLarge: 32, BlockNote: ": its columns and temporaries then take 14 to 23 KiB,\n// inside a core's L1 data cache. (Measured on a Zen 4 core, blocks of 16 to\n// 128 states run within a few per cent of each other.)",
		MinLanes: 8},
	{Dir: "goldilocks", Package: "goldilocks", Name: "Goldilocks", ElementPath: "github.com/consensys/gnark-crypto/field/goldilocks", GnarkDir: "field/goldilocks",
		Degree: 7, M4: "HorizenLabs", Widths: "8 or 12", FieldConst: "FieldGoldilocks", MinChunk: 64},
	{Dir: "babybear", Package: "babybear", Name: "BabyBear", ElementPath: "github.com/consensys/gnark-crypto/field/babybear", GnarkDir: "field/babybear",
		Degree: 7, M4: "Plonky3", Widths: "16 or 24", Lanes: true, Gnark24: []int{8, 21}, FieldConst: "FieldBabyBear",
		MinChunk: 256, LanesCPU: "SupportAVX512", LanesNote: bearLanesNote,
		BlockSplit: 16, BlockSmall: 512, BlockLarge: 384, BlockNote: bearBlockNote, MinLanes: 16},
	{Dir: "koalabear", Package: "koalabear", Name: "KoalaBear", ElementPath: "github.com/consensys/gnark-crypto/field/koalabear", GnarkDir: "field/koalabear",
		Degree: 3, M4: "Plonky3", Widths: "16 or 24", Lanes: true, Gnark24: []int{6, 21}, FieldConst: "FieldKoalaBear",
		MinChunk: 256, LanesCPU: "SupportAVX512", LanesNote: bearLanesNote,
		BlockSplit: 16, BlockSmall: 512, BlockLarge: 384, BlockNote: bearBlockNote, MinLanes: 16},
}

// The tuning notes of the 31-bit fields, BabyBear and KoalaBear.
const (
	bearLanesNote = "where\n// field.Vector's arithmetic uses AVX-512"
	bearBlockNote = ". Larger blocks amortise the cost of each vector call;\n// beyond these (measured on a Zen 4 core: 512 and 384 states, about 45 KiB\n// of columns) the columns no longer stay in the L1 and L2 caches' sweet spot."
)

//go:embed kernel.go.tmpl
var kernelTemplate string

//go:embed export_test.go.tmpl
var exportTemplate string

// Files are the files written into each package, by name.
var Files = map[string]*template.Template{
	"poseidon2_kernel.go":             template.Must(template.New("kernel").Parse(kernelTemplate)),
	"poseidon2_kernel_export_test.go": template.Must(template.New("export").Parse(exportTemplate)),
}

// Render returns the gofmt-ed file name of f.
func Render(f Field, name string) ([]byte, error) {
	var b bytes.Buffer
	if err := Files[name].Execute(&b, f); err != nil {
		return nil, err
	}
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%s/%s: %w\n%s", f.Dir, name, err, b.Bytes())
	}
	return src, nil
}

// lookup returns the field of directory dir.
func lookup(dir string) (Field, bool) {
	for _, f := range Fields {
		if f.Dir == dir {
			return f, true
		}
	}
	return Field{}, false
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("poseidon2 generator: ")
	if len(os.Args) != 2 {
		log.Fatal("usage: go run ./internal/generator/poseidon2 <field> (bn254, goldilocks, babybear or koalabear), in that field's package")
	}
	f, ok := lookup(os.Args[1])
	if !ok {
		log.Fatalf("unknown field %q", os.Args[1])
	}
	for name := range Files {
		src, err := Render(f, name)
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(name, src, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
