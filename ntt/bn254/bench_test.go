package bn254_test

import (
	"fmt"
	"slices"
	"testing"
	"unsafe"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/internal/bind"
	"github.com/zkaccel/zkaccel/internal/fakedev"
	"github.com/zkaccel/zkaccel/internal/optest"
	"github.com/zkaccel/zkaccel/ntt"
	"github.com/zkaccel/zkaccel/ntt/bn254"
)

func BenchmarkFFT(b *testing.B) { optest.BenchFFT(b, bind.BN254, bn254.FFT) }

func BenchmarkFFTInverse(b *testing.B) { optest.BenchFFTInverse(b, bind.BN254, bn254.FFTInverse) }

// BenchmarkOverheadFFT measures the front end's cost over
// (*fft.Domain).FFT; see optest.BenchOverhead for its arms. Every arm does
// the same work: each starts from its own copy of the same input
// (optest.NTTInputs) and transforms it in place with a forward DIF FFT,
// again and again, so that its i-th iteration transforms FFT^i(input) in
// every arm. (Refreshing the input would need the timer stopped each
// iteration, which costs more than a small FFT.) 2^4 shows the front end's
// fixed cost per call; 2^16 is the acceptance size.
func BenchmarkOverheadFFT(b *testing.B) {
	optest.BenchOverhead(b, []int{4, 16}, func(n int) (gnark, front, frontDefault func() error) {
		domain, data := optest.NTTInputs(bind.BN254, n)
		a := slices.Clone(data)
		gnark = func() error {
			domain.FFT(a, fft.DIF)
			return nil
		}
		front = func() error { return bn254.FFT(domain, a, fft.DIF, ntt.WithDevice(zkaccel.HostCPU())) }
		frontDefault = func() error { return bn254.FFT(domain, a, fft.DIF) }
		return gnark, front, frontDefault
	})
}

// TestOverheadAllocsFFT checks that the front end on the CPU adds only a
// small constant number of allocations, and far fewer bytes than its input
// takes, to gnark-crypto's own: it transforms the caller's slice in place,
// without copying or converting it.
func TestOverheadAllocsFFT(t *testing.T) {
	const n = 1024
	domain, data := optest.NTTInputs(bind.BN254, n)
	a, c := slices.Clone(data), slices.Clone(data)
	direct := func() { domain.FFT(a, fft.DIF) }
	cpu := zkaccel.HostCPU()
	front := func() {
		if err := bn254.FFT(domain, c, fft.DIF, ntt.WithDevice(cpu)); err != nil {
			t.Fatal(err)
		}
	}
	inputBytes := float64(n) * float64(unsafe.Sizeof(a[0]))
	optest.AllocOverhead(t, n, inputBytes, direct, front, func() bool { return slices.Equal(a, c) })
}

// TestOverheadNoCopyFFT checks that a device transforms the caller's slice
// itself, not a copy.
func TestOverheadNoCopyFFT(t *testing.T) {
	const n = 8
	domain, data := optest.NTTInputs(bind.BN254, n)
	a := slices.Clone(data)
	// dev records the request and reports ErrUnsupported.
	var req zkaccel.NTTRequest
	dev := fakedev.New("view recorder", nil, func(r *zkaccel.NTTRequest) error {
		req = *r
		return fmt.Errorf("view: %w", zkaccel.ErrUnsupported)
	})
	if err := bn254.FFTInverse(domain, a, fft.DIT, ntt.WithDevice(dev)); err != nil {
		t.Fatal(err)
	}
	if req.N != n || req.Field != zkaccel.FieldBN254 || !req.Inverse || req.Decimation != zkaccel.DIT || req.ElemSize != int(unsafe.Sizeof(a[0])) {
		t.Fatalf("request = %s n=%d inverse=%v %v elem %d B; want bn254 n=%d inverse dit 32 B", req.Field, req.N, req.Inverse, req.Decimation, req.ElemSize, n)
	}
	if unsafe.SliceData(req.Data) != (*byte)(unsafe.Pointer(&a[0])) || len(req.Data) != n*req.ElemSize {
		t.Error("request's data is not a view of the caller's slice")
	}
}
