// The CUDA driver API, loaded at run time (dlopen of libcuda.so.1), so that the
// library links and runs on machines without a driver or GPU and CPU-only use
// never loads it. Only what the CUDA variants need: availability, the call's
// context, pointer checks and stream-ordered copies. Types are declared here
// (values as in the CUDA 12/13 cuda.h) so the build needs no CUDA toolkit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace crgb::detail::cuda {

using CUresult = int;
using CUdevice = int;
using CUcontext = void *;
using CUstream = void *;
using CUdeviceptr = unsigned long long;

constexpr CUresult kSuccess = 0;

struct Driver {
  CUresult (*cuInit)(unsigned int);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  CUresult (*cuCtxGetCurrent)(CUcontext *);
  CUresult (*cuCtxGetDevice)(CUdevice *);
  CUresult (*cuCtxPushCurrent)(CUcontext);
  CUresult (*cuCtxPopCurrent)(CUcontext *);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuPointerGetAttribute)(void *, int, CUdeviceptr);
  CUresult (*cuMemcpyHtoDAsync)(CUdeviceptr, const void *, size_t, CUstream);
  CUresult (*cuMemcpyDtoHAsync)(void *, CUdeviceptr, size_t, CUstream);
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned int, size_t, CUstream);
  CUresult (*cuMemsetD8Async)(CUdeviceptr, unsigned char, size_t, CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
};

// The driver, loaded and initialised once per process (thread-safe), or
// nullptr with the reason in *why: "libcuda.so.1: cannot open shared object
// file...", "cuInit: CUDA_ERROR_NO_DEVICE (no CUDA-capable device is
// detected)", "the driver reports 0 devices".
const Driver *driver(std::string *why);

// The highest compute capability of the visible devices, as 10 * major +
// minor (80 for sm_80), or 0 with the reason in *why.
int best_capability(std::string *why);

// "CUDA_ERROR_INVALID_VALUE (invalid argument)" for a result code.
std::string error_text(CUresult result);

// Parses a variant's requirement "sm_80" into 80; 0 if malformed.
int parse_capability(const std::string &sm);

}  // namespace crgb::detail::cuda
