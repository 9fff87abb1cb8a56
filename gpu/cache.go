package gpu

// release frees a cached NTT table (see Device.ReleaseCache).
func (t *nttTable) release(rt Runtime) { rt.Free(t.buf) }

// release frees every cached Poseidon2 parameter set (see
// Device.ReleaseCache).
func (c *p2ParamsCache) release(rt Runtime) {
	for e := c.lru.Front(); e != nil; e = e.Next() {
		p := e.Value.(*p2DeviceParams)
		rt.Free(p.keys)
		rt.Free(p.diag)
	}
	c.lru.Init()
	clear(c.byKey)
}
