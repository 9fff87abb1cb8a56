// fakenvml.c: a test double of NVML (libnvidia-ml.so.1) with the functions
// the zkaccel cuda package reads telemetry through, returning fixed
// readings for the one GPU at PCI 00000000:65:00.0 (the fake driver's), and
// an energy counter that grows by one joule per reading. Built by the tests
// with the system C compiler; not part of zkaccel.
#include <stdio.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

static int dev = 1;
static unsigned long long energy_mj = 5000000;

EXPORT int nvmlInit_v2(void) { return 0; }
EXPORT const char* nvmlErrorString(int r) { return r == 6 ? "Not Found" : "fake NVML error"; }
EXPORT int nvmlSystemGetDriverVersion(char* v, unsigned len) {
	snprintf(v, len, "550.54.15");
	return 0;
}
EXPORT int nvmlDeviceGetHandleByPciBusId_v2(const char* id, void** d) {
	if (strcmp(id, "00000000:65:00.0") != 0) return 6; // NVML_ERROR_NOT_FOUND
	*d = &dev;
	return 0;
}
EXPORT int nvmlDeviceGetClockInfo(void* d, int type, unsigned* mhz) {
	if (d != &dev) return 2;
	*mhz = type == 1 ? 1755 : type == 2 ? 2619 : 0;
	return 0;
}
EXPORT int nvmlDeviceGetPowerUsage(void* d, unsigned* mw) { *mw = 312500; return d == &dev ? 0 : 2; }
EXPORT int nvmlDeviceGetEnforcedPowerLimit(void* d, unsigned* mw) { *mw = 700000; return d == &dev ? 0 : 2; }
EXPORT int nvmlDeviceGetTotalEnergyConsumption(void* d, unsigned long long* mj) {
	energy_mj += 1000;
	*mj = energy_mj;
	return d == &dev ? 0 : 2;
}
EXPORT int nvmlDeviceGetTemperature(void* d, int sensor, unsigned* c) { *c = sensor == 0 ? 41 : 0; return d == &dev ? 0 : 2; }
EXPORT int nvmlDeviceGetCurrPcieLinkGeneration(void* d, unsigned* g) { (void)d; return 3; } // NVML_ERROR_NOT_SUPPORTED
EXPORT int nvmlDeviceGetCurrPcieLinkWidth(void* d, unsigned* w) { *w = 16; return d == &dev ? 0 : 2; }
