package zkaccel

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

type cpuDevice struct {
	once   sync.Once
	name   string
	memory uint64
}

var hostCPU = &cpuDevice{}

// HostCPU returns the CPU device, cpu:0. It is always present and runs every
// operation through gnark-crypto (or x/crypto), using all cores by default.
func HostCPU() Device { return hostCPU }

func (c *cpuDevice) Kind() Kind     { return CPU }
func (c *cpuDevice) Ordinal() int   { return 0 }
func (c *cpuDevice) String() string { return spec(CPU, 0) }

func (c *cpuDevice) Name() string {
	c.probe()
	return c.name
}

func (c *cpuDevice) Memory() uint64 {
	c.probe()
	return c.memory
}

// probe reads the CPU model and the memory size where the OS tells them
// (Linux /proc); elsewhere the name is the architecture.
func (c *cpuDevice) probe() {
	c.once.Do(func() {
		model := cpuModel()
		if model == "" {
			model = runtime.GOARCH
		}
		c.name = fmt.Sprintf("%s (%d threads)", model, runtime.NumCPU())
		c.memory = memTotal()
	})
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name", "Model", "cpu model":
			return strings.Join(strings.Fields(v), " ")
		}
	}
	return ""
}

func memTotal() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseUint(fields[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}
