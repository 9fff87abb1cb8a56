// fakenvml.c: a test double of NVML (libnvidia-ml.so.1) with the functions
// the zkaccel cuda package reads telemetry through, returning fixed
// readings for the one GPU at PCI 00000000:65:00.0 (the fake driver's), and
// an energy counter that grows by one joule per reading. Built by the tests
// with the system C compiler; not part of zkaccel.
//
// Its functions return nvmlReturn_t, a 32-bit enum, with junk in the upper
// half of the 64-bit return register, which the ABI leaves undefined: a
// caller must read only the low 32 bits. Built with -DFAKENVML_NEW, it is
// an NVML after the removal of nvmlDeviceGetTemperature (deprecated in
// CUDA 13.0), with only nvmlDeviceGetTemperatureV.
#include <stdio.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

typedef long ret_t;
#define R(code) ((ret_t)((0x5a5a5a5aUL << 32) | (unsigned)(code)))

static int dev = 1;
static unsigned long long energy_mj = 5000000;

EXPORT ret_t nvmlInit_v2(void) { return R(0); }
EXPORT const char* nvmlErrorString(int r) { return r == 6 ? "Not Found" : "fake NVML error"; }
EXPORT ret_t nvmlSystemGetDriverVersion(char* v, unsigned len) {
	snprintf(v, len, "550.54.15");
	return R(0);
}
EXPORT ret_t nvmlDeviceGetHandleByPciBusId_v2(const char* id, void** d) {
	if (strcmp(id, "00000000:65:00.0") != 0) return R(6); // NVML_ERROR_NOT_FOUND
	*d = &dev;
	return R(0);
}
EXPORT ret_t nvmlDeviceGetClockInfo(void* d, int type, unsigned* mhz) {
	if (d != &dev) return R(2);
	*mhz = type == 1 ? 1755 : type == 2 ? 2619 : 0;
	return R(0);
}
EXPORT ret_t nvmlDeviceGetPowerUsage(void* d, unsigned* mw) { *mw = 312500; return R(d == &dev ? 0 : 2); }
EXPORT ret_t nvmlDeviceGetEnforcedPowerLimit(void* d, unsigned* mw) { *mw = 700000; return R(d == &dev ? 0 : 2); }
EXPORT ret_t nvmlDeviceGetTotalEnergyConsumption(void* d, unsigned long long* mj) {
	energy_mj += 1000;
	*mj = energy_mj;
	return R(d == &dev ? 0 : 2);
}
#ifdef FAKENVML_NEW
typedef struct {
	unsigned version; // nvmlTemperature_v1: sizeof | 1 << 24
	int sensor;
	int temperature;
} temperature_v1;
EXPORT ret_t nvmlDeviceGetTemperatureV(void* d, temperature_v1* t) {
	if (t->version != (sizeof(temperature_v1) | 1u << 24)) return R(25); // NVML_ERROR_ARGUMENT_VERSION_MISMATCH
	t->temperature = t->sensor == 0 ? 41 : 0;
	return R(d == &dev ? 0 : 2);
}
#else
EXPORT ret_t nvmlDeviceGetTemperature(void* d, int sensor, unsigned* c) { *c = sensor == 0 ? 41 : 0; return R(d == &dev ? 0 : 2); }
#endif
EXPORT ret_t nvmlDeviceGetCurrPcieLinkGeneration(void* d, unsigned* g) { (void)d; return R(3); } // NVML_ERROR_NOT_SUPPORTED
EXPORT ret_t nvmlDeviceGetCurrPcieLinkWidth(void* d, unsigned* w) { *w = 16; return R(d == &dev ? 0 : 2); }
