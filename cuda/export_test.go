package cuda

// ForgetModules drops the runtime's loaded modules (not unloading them), so
// that the next Compile goes to the disk cache, NVRTC or the embedded PTX.
func ForgetModules(rt *Runtime) {
	rt.mu.Lock()
	rt.modules = map[[32]byte]*Program{}
	rt.mu.Unlock()
}

// StagingSize is the size of one pinned staging buffer.
const StagingSize = stagingSize
