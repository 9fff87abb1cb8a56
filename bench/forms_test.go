package bench

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// formsDevice is a device that says which source forms it compiles.
type formsDevice struct {
	fakeDevice
	forms string
	err   error
}

func (d *formsDevice) Forms() (string, error) { return d.forms, d.err }

// TestDescribeForms: a file records the forms of a device's programs
// where the device says them (in JSON as "forms"), and leaves them out
// where it says nothing or cannot say (a malformed setting).
func TestDescribeForms(t *testing.T) {
	const forms = "field multiplication: 32-bit words; NTT blocks: word-major; curve formulas: calls"
	info := Describe(&formsDevice{forms: forms})
	if info.Forms != forms {
		t.Errorf("Forms = %q, want %q", info.Forms, forms)
	}
	b, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"forms":"`+forms+`"`) {
		t.Errorf("JSON %s lacks the forms", b)
	}
	if info := Describe(&formsDevice{err: errors.New("ZKACCEL_GPU_INLINE=\"x\"")}); info.Forms != "" {
		t.Errorf("Forms with an error = %q, want none", info.Forms)
	}
	if b, _ := json.Marshal(Describe(&fakeDevice{})); strings.Contains(string(b), "forms") {
		t.Errorf("a device without forms: JSON %s", b)
	}
}
