package devtest

import (
	"fmt"
	"os"
	"os/exec"
)

// CC returns the C compiler that tests build their test doubles of device
// libraries with (fake drivers, faultcl.c): $CC, else gcc, or an error
// where it cannot be found (such tests then skip).
func CC() (string, error) {
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "gcc"
	}
	if _, err := exec.LookPath(cc); err != nil {
		return "", fmt.Errorf("no C compiler to build the test doubles: %w", err)
	}
	return cc, nil
}

// BuildLibrary compiles the C file src into the shared library out with
// CC (-shared -fPIC -O1), followed by args (defines, libraries to link).
func BuildLibrary(out, src string, args ...string) error {
	cc, err := CC()
	if err != nil {
		return err
	}
	all := append([]string{"-shared", "-fPIC", "-O1", "-o", out, src}, args...)
	if b, err := exec.Command(cc, all...).CombinedOutput(); err != nil {
		return fmt.Errorf("building %s with %s: %v\n%s", src, cc, err, b)
	}
	return nil
}
