package cuda

import "github.com/zkaccel/zkaccel"

// ForgetModules drops the runtime's loaded modules (not unloading them), so
// that the next Compile goes to the disk cache, NVRTC or the embedded PTX.
func ForgetModules(rt *Runtime) {
	rt.mu.Lock()
	rt.modules = map[[32]byte]*Program{}
	rt.mu.Unlock()
}

// StagingSize is the size of one pinned staging buffer.
const StagingSize = stagingSize

// OpenDriver opens the driver library at path (a test double) and returns
// runtimes over its devices, apart from the process's own driver.
func OpenDriver(path string) ([]*Runtime, error) {
	a, err := openDriver([]string{path})
	if err != nil {
		return nil, err
	}
	return discoverWith(a)
}

// LoadImage loads a module image as Compile would, for tests of the JIT
// error path.
func LoadImage(rt *Runtime, image []byte) error {
	exit, err := rt.enter()
	if err != nil {
		return err
	}
	defer exit()
	_, err = rt.load(image, "test-image", "test")
	return err
}

// TelemetryFrom reads rt's telemetry through the NVML library at path (a
// test double).
func TelemetryFrom(rt *Runtime, path string) (zkaccel.Telemetry, error) {
	n, err := openNVML([]string{path})
	if err != nil {
		return zkaccel.Telemetry{}, err
	}
	return rt.telemetry(n)
}
