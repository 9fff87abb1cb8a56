package fpga

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/zkaccel/zkaccel"
	"github.com/zkaccel/zkaccel/cgo"
)

// Device is one FPGA device of a driver: a zkaccel.Device that runs the
// operations its capabilities name (zkaccel.KeccakDevice,
// zkaccel.MerkleDevice for Keccak-256 trees, zkaccel.PoseidonDevice for
// Goldilocks Poseidon2) and returns zkaccel.ErrUnsupported for the rest.
// Calls on a device are serialised.
type Device struct {
	drv     *driver
	ordinal int
	handle  uintptr

	name      string
	caps      uint64
	clockHz   uint64
	simulated bool
	cores     int

	mu     sync.Mutex
	cycles uint64 // device cycles reported since ResetCycles
}

// The size and layout of zkaccel_fpga_info: name[64], capabilities,
// clock_hz (uint64), simulated, cores (uint32).
const infoSize = 64 + 8 + 8 + 4 + 4

// openDevice opens device ordinal of d, reads its info and runs its
// self-test.
func openDevice(d *driver, ordinal int) (*Device, error) {
	var ps cgo.Pins
	defer ps.Done()
	h := ps.Word(0)
	if err := d.call(d.open, uintptr(ordinal), cgo.Addr(h)); err != nil {
		return nil, err
	}
	dev := &Device{drv: d, ordinal: ordinal, handle: *h}
	info := make([]byte, infoSize)
	if err := d.call(d.info, dev.handle, ps.Bytes(info)); err != nil {
		d.close.Call(dev.handle)
		return nil, err
	}
	dev.name = string(bytes.TrimRight(info[:64], "\x00"))
	if i := strings.IndexByte(dev.name, 0); i >= 0 {
		dev.name = dev.name[:i]
	}
	dev.caps = binary.LittleEndian.Uint64(info[64:])
	dev.clockHz = binary.LittleEndian.Uint64(info[72:])
	dev.simulated = binary.LittleEndian.Uint32(info[80:]) != 0
	dev.cores = max(int(binary.LittleEndian.Uint32(info[84:])), 1)
	if dev.caps&CapKeccakF1600 != 0 && !d.keccakF1600.Valid() || dev.caps&CapKeccak256 != 0 && !d.keccak256.Valid() ||
		dev.caps&CapPoseidon2Goldilocks != 0 && !d.poseidon2Goldilocks.Valid() || dev.caps&CapNTTGoldilocks != 0 && !d.nttGoldilocks.Valid() {
		d.close.Call(dev.handle)
		return nil, fmt.Errorf("zkaccel/fpga: fpga:%d claims an operation its driver table lacks", ordinal)
	}
	if err := dev.selfTest(); err != nil {
		d.close.Call(dev.handle)
		return nil, fmt.Errorf("zkaccel/fpga: fpga:%d (%s): %w", ordinal, dev.name, err)
	}
	dev.cycles = 0
	return dev, nil
}

// selfTest checks every claimed operation against known answers:
// Keccak-f[1600] of the zero state (lane 0 and lane 24, from the Keccak
// team's KeccakF-1600-IntermediateValues.txt), Keccak-256 of "" and of
// "abc" (as Ethereum computes them), Poseidon2 over Goldilocks of one
// state per width against gnark-crypto (p2SelfTest), and a Goldilocks NTT
// against gnark-crypto (nttSelfTest).
func (d *Device) selfTest() error {
	if d.caps&CapKeccakF1600 != 0 {
		st := make([]byte, 200)
		if err := d.f1600(st, 1); err != nil {
			return fmt.Errorf("%w: keccak-f1600: %v", errSelfTest, err)
		}
		if l0, l24 := binary.LittleEndian.Uint64(st), binary.LittleEndian.Uint64(st[192:]); l0 != 0xF1258F7940E1DDE7 || l24 != 0xEAF1FF7B5CECA249 {
			return fmt.Errorf("%w: keccak-f1600 of the zero state gave lanes 0 and 24 = %016x, %016x", errSelfTest, l0, l24)
		}
	}
	if d.caps&CapKeccak256 != 0 {
		out := make([]byte, 64)
		if err := d.sum256([]byte("abc"), []int{0, 0, 3}, 2, out); err != nil {
			return fmt.Errorf("%w: keccak256: %v", errSelfTest, err)
		}
		for i, want := range []string{
			"c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", // ""
			"4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45", // "abc"
		} {
			if got := hex.EncodeToString(out[32*i : 32*i+32]); got != want {
				return fmt.Errorf("%w: keccak256 known answer %d: %s, want %s", errSelfTest, i, got, want)
			}
		}
	}
	if d.caps&CapPoseidon2Goldilocks != 0 {
		if err := d.p2SelfTest(); err != nil {
			return fmt.Errorf("%w: poseidon2_goldilocks: %v", errSelfTest, err)
		}
	}
	if d.caps&CapNTTGoldilocks != 0 {
		if err := d.nttSelfTest(); err != nil {
			return fmt.Errorf("%w: ntt_goldilocks: %v", errSelfTest, err)
		}
	}
	return nil
}

// Close closes the device's driver handle; the device cannot be used
// after. zkaccel's registered devices stay open for the process.
func (d *Device) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.handle != 0 {
		d.drv.close.Call(d.handle)
		d.handle = 0
	}
}

// Kind is zkaccel.FPGA.
func (d *Device) Kind() zkaccel.Kind { return zkaccel.FPGA }

// Ordinal is the device's index in its driver.
func (d *Device) Ordinal() int { return d.ordinal }

// Name is the driver's name for the device.
func (d *Device) Name() string { return d.name }

// String is "fpga:N".
func (d *Device) String() string { return fmt.Sprintf("fpga:%d", d.ordinal) }

// Memory is 0: the ABI does not report the device's memory.
func (d *Device) Memory() uint64 { return 0 }

// Driver describes the driver: its library, the ABI, the clock and whether
// it is a simulation.
func (d *Device) Driver() string {
	kind := "hardware"
	if d.simulated {
		kind = "simulated (figures are projections)"
	}
	return fmt.Sprintf("%s, ABI %d, %s, %d core(s) at a stated %.0f MHz", d.drv.path, ABIVersion, kind, d.cores, float64(d.clockHz)/1e6)
}

// Simulated reports whether the device is a simulation.
func (d *Device) Simulated() bool { return d.simulated }

// ClockHz is the clock the device's cycle counts refer to.
func (d *Device) ClockHz() uint64 { return d.clockHz }

// Cycles is the number of device cycles the driver reported since the last
// ResetCycles.
func (d *Device) Cycles() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cycles
}

// ResetCycles sets the cycle counter to zero.
func (d *Device) ResetCycles() {
	d.mu.Lock()
	d.cycles = 0
	d.mu.Unlock()
}

// Supports reports whether the device runs op (zkaccel.PartialDevice):
// "keccak" when it runs both Keccak operations, "poseidon2/goldilocks"
// when it runs Goldilocks Poseidon2 (of gnark-crypto's widths and round
// counts: the self-test ran them), "ntt/goldilocks" when it runs Goldilocks
// NTTs (up to its memory's size).
func (d *Device) Supports(op string) bool {
	switch op {
	case "keccak":
		return d.caps&(CapKeccakF1600|CapKeccak256) == CapKeccakF1600|CapKeccak256
	case "poseidon2/goldilocks":
		return d.caps&CapPoseidon2Goldilocks != 0
	case "ntt/goldilocks":
		return d.caps&CapNTTGoldilocks != 0
	}
	return false
}

func (d *Device) unsupported(op string) error {
	return fmt.Errorf("zkaccel/fpga: %s on %v: the device does not run it: %w", op, d, zkaccel.ErrUnsupported)
}

func (d *Device) errorf(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("zkaccel/fpga: %s on %v: %w", op, d, err)
}

// f1600 permutes n states in place through the driver, adding the cycles.
// The caller holds d.mu or has the device to itself.
func (d *Device) f1600(states []byte, n int) error {
	var ps cgo.Pins
	defer ps.Done()
	cyc := ps.Word(0)
	if err := d.drv.call(d.drv.keccakF1600, d.handle, ps.Bytes(states), uintptr(n), cgo.Addr(cyc)); err != nil {
		return err
	}
	d.cycles += uint64(*cyc)
	return nil
}

// sum256 hashes n messages (data, n+1 offsets) into out through the driver.
func (d *Device) sum256(data []byte, offsets []int, n int, out []byte) error {
	var ps cgo.Pins
	defer ps.Done()
	offs := make([]byte, 8*len(offsets))
	for i, o := range offsets {
		binary.LittleEndian.PutUint64(offs[8*i:], uint64(o))
	}
	cyc := ps.Word(0)
	if err := d.drv.call(d.drv.keccak256, d.handle, ps.Bytes(data), ps.Bytes(offs), uintptr(n), ps.Bytes(out), cgo.Addr(cyc)); err != nil {
		return err
	}
	d.cycles += uint64(*cyc)
	return nil
}

// KeccakF1600 permutes a batch of states (zkaccel.KeccakDevice).
func (d *Device) KeccakF1600(req *zkaccel.KeccakPermuteRequest) error {
	const op = "keccak-f1600"
	if d.caps&CapKeccakF1600 == 0 {
		return d.unsupported(op)
	}
	if err := req.Check(); err != nil {
		return d.errorf(op, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.errorf(op, d.f1600(req.States, req.N))
}

// Keccak256 hashes a batch of messages (zkaccel.KeccakDevice).
func (d *Device) Keccak256(req *zkaccel.KeccakRequest) error {
	const op = "keccak256"
	if d.caps&CapKeccak256 == 0 {
		return d.unsupported(op)
	}
	if err := req.Check(); err != nil {
		return d.errorf(op, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]byte, len(req.Out)) // written only on success
	if err := d.sum256(req.Data, req.Offsets, req.N, out); err != nil {
		return d.errorf(op, err)
	}
	copy(req.Out, out)
	return nil
}

// Merkle builds a Keccak-256 Merkle tree layer by layer, each layer one
// batch of 64-byte messages through the driver (zkaccel.MerkleDevice);
// other hashes are zkaccel.ErrUnsupported.
func (d *Device) Merkle(req *zkaccel.MerkleRequest) error {
	if req == nil || req.Hash != zkaccel.MerkleKeccak256 || d.caps&CapKeccak256 == 0 {
		h := zkaccel.MerkleHash("")
		if req != nil {
			h = req.Hash
		}
		return d.unsupported("merkle " + string(h))
	}
	op := "merkle " + string(req.Hash)
	if err := req.CheckKeccak(); err != nil {
		return d.errorf(op, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]byte, len(req.Out))
	layer := req.Leaves
	pos := 0
	for n := req.N / 2; n >= 1; n /= 2 {
		offs := make([]int, n+1)
		for i := range offs {
			offs[i] = 64 * i
		}
		next := out[pos : pos+32*n]
		if err := d.sum256(layer, offs, n, next); err != nil {
			return d.errorf(op, err)
		}
		layer, pos = next, pos+32*n
	}
	copy(req.Out, out)
	return nil
}

var (
	_ zkaccel.KeccakDevice = (*Device)(nil)
	_ zkaccel.MerkleDevice = (*Device)(nil)
)
