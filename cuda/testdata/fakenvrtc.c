// fakenvrtc.c: a test double of NVRTC (libnvrtc) for the emulated GPU of
// fakecuda.c built with -DFAKECUDA_OPENCL (scripts/cuda-emu.sh). Its
// "compilation" keeps the CUDA source: the PTX (or cubin) it returns is a
// marker line and then the source, which the emulated driver builds as
// OpenCL C. It targets sm_90 only, as NVRTC for an H100 would. Not part of
// zkaccel.
#include <stdlib.h>
#include <string.h>

typedef int nvrtcResult;

#define EXPORT __attribute__((visibility("default")))

// MARK must equal fakecuda.c's EMU_MARK.
#define MARK "// zkaccel emulated NVRTC: CUDA source\n"

struct prog {
	char* image; // MARK, then the source, NUL-terminated
	size_t size; // with the NUL
};

// Built with -DFAKENVRTC_MINOR=0 or 1, it is NVRTC 11.0 or 11.1, which
// cannot list the architectures it targets (nvrtcGetSupportedArchs came
// with 11.2).
#ifdef FAKENVRTC_MINOR
EXPORT nvrtcResult nvrtcVersion(int* major, int* minor) {
	*major = 11;
	*minor = FAKENVRTC_MINOR;
	return 0;
}
#else
EXPORT nvrtcResult nvrtcVersion(int* major, int* minor) {
	*major = 12;
	*minor = 0;
	return 0;
}
EXPORT nvrtcResult nvrtcGetNumSupportedArchs(int* n) {
	*n = 1;
	return 0;
}
EXPORT nvrtcResult nvrtcGetSupportedArchs(int* archs) {
	archs[0] = 90;
	return 0;
}
#endif
EXPORT nvrtcResult nvrtcCreateProgram(struct prog** p, const char* src, const char* name, int nheaders, const char** headers, const char** names) {
	(void)name;
	(void)headers;
	(void)names;
	if (!p || !src || nheaders != 0) return 3; // NVRTC_ERROR_INVALID_INPUT
	struct prog* q = calloc(1, sizeof *q);
	size_t n = strlen(src);
	q->size = strlen(MARK) + n + 1;
	q->image = malloc(q->size);
	memcpy(q->image, MARK, strlen(MARK));
	memcpy(q->image + strlen(MARK), src, n + 1);
	*p = q;
	return 0;
}
EXPORT nvrtcResult nvrtcDestroyProgram(struct prog** p) {
	if (p && *p) {
		free((*p)->image);
		free(*p);
		*p = NULL;
	}
	return 0;
}
EXPORT nvrtcResult nvrtcCompileProgram(struct prog* p, int nopts, const char** opts) {
	(void)nopts;
	(void)opts;
	return p ? 0 : 4; // NVRTC_ERROR_INVALID_PROGRAM
}
EXPORT nvrtcResult nvrtcGetProgramLogSize(struct prog* p, size_t* n) {
	(void)p;
	*n = 1;
	return 0;
}
EXPORT nvrtcResult nvrtcGetProgramLog(struct prog* p, char* log) {
	(void)p;
	log[0] = 0;
	return 0;
}
EXPORT nvrtcResult nvrtcGetPTXSize(struct prog* p, size_t* n) {
	*n = p->size;
	return 0;
}
EXPORT nvrtcResult nvrtcGetPTX(struct prog* p, char* out) {
	memcpy(out, p->image, p->size);
	return 0;
}
EXPORT nvrtcResult nvrtcGetCUBINSize(struct prog* p, size_t* n) { return nvrtcGetPTXSize(p, n); }
EXPORT nvrtcResult nvrtcGetCUBIN(struct prog* p, char* out) { return nvrtcGetPTX(p, out); }
EXPORT const char* nvrtcGetErrorString(nvrtcResult r) {
	return r == 0 ? "NVRTC_SUCCESS" : "NVRTC_ERROR (fake)";
}
