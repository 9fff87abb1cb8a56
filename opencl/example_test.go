package opencl_test

import (
	"fmt"

	"github.com/zkaccel/zkaccel/gpu"
	"github.com/zkaccel/zkaccel/opencl"
)

// Example lists the OpenCL devices of the machine.
func Example() {
	rts, err := opencl.Runtimes()
	if err != nil {
		fmt.Println("no OpenCL:", err)
		return
	}
	for _, rt := range rts {
		fmt.Printf("%s:%d %s, %d MiB\n", rt.Kind(), rt.Ordinal(), rt.Name(), rt.Memory()>>20)
	}
}

// Example_launch compiles a kernel, runs it and reads the result back.
func Example_launch() {
	rts, err := opencl.Runtimes()
	if err != nil || len(rts) == 0 {
		fmt.Println("no OpenCL device")
		return
	}
	rt := rts[0]
	p, err := rt.Compile(gpu.Source(`
KERNEL void square(GLOBAL u32* a, u32 n) {
	u32 i = GLOBAL_ID();
	if (i < n) a[i] = a[i] * a[i];
}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	k, err := p.Kernel("square")
	if err != nil {
		fmt.Println(err)
		return
	}
	data := []byte{3, 0, 0, 0, 5, 0, 0, 0, 7, 0, 0, 0}
	buf, err := rt.Alloc(len(data))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rt.Free(buf)
	if err := rt.Write(buf, 0, data); err != nil {
		fmt.Println(err)
		return
	}
	if err := rt.Launch(k, 3, 0, buf, uint32(3)); err != nil {
		fmt.Println(err)
		return
	}
	if err := rt.Read(data, buf, 0); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(data[0], data[4], data[8])
}
