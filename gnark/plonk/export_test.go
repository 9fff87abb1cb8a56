package plonk

// SetDeclineOpen makes the openings on the device decline (as a device
// may) while on, and returns what restores the default.
func SetDeclineOpen(on bool) func() {
	declineOpen.Store(on)
	return func() { declineOpen.Store(false) }
}
