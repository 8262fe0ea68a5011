#include "cuda_driver.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>

namespace crgb::detail::cuda {
namespace {

constexpr int kAttributeCapabilityMajor = 75;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
constexpr int kAttributeCapabilityMinor = 76;

template <typename F>
bool bind(void *lib, const char *name, F *fn, std::string *why) {
  *fn = reinterpret_cast<F>(dlsym(lib, name));
  if (*fn == nullptr) *why = std::string("libcuda.so.1 lacks ") + name;
  return *fn != nullptr;
}

std::string describe(const Driver &api, CUresult result) {
  const char *name = nullptr, *text = nullptr;
  if (api.cuGetErrorName != nullptr) api.cuGetErrorName(result, &name);
  if (api.cuGetErrorString != nullptr) api.cuGetErrorString(result, &text);
  std::string s = name ? name : "CUDA error " + std::to_string(result);
  if (text != nullptr) s += std::string(" (") + text + ")";
  return s;
}

struct Loaded {
  Driver api{};
  bool ok = false;
  std::string why;
  int best_capability = 0;

  Loaded() {
    // RTLD_GLOBAL: Halide's CUDA runtime looks the driver's symbols up in the
    // process before it tries to dlopen "libcuda.so" (the unversioned name,
    // which a driver-only install may lack), so it finds this copy.
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
    if (lib == nullptr) {
      const char *e = dlerror();
      why = e ? e : "libcuda.so.1 could not be loaded";
      return;
    }
    // The _v2 entry points are the ones cuda.h maps the plain names to.
    if (!(bind(lib, "cuInit", &api.cuInit, &why) &&
          bind(lib, "cuDeviceGetCount", &api.cuDeviceGetCount, &why) &&
          bind(lib, "cuDeviceGet", &api.cuDeviceGet, &why) &&
          bind(lib, "cuDeviceGetAttribute", &api.cuDeviceGetAttribute, &why) &&
          bind(lib, "cuGetErrorName", &api.cuGetErrorName, &why) &&
          bind(lib, "cuGetErrorString", &api.cuGetErrorString, &why) &&
          bind(lib, "cuCtxGetCurrent", &api.cuCtxGetCurrent, &why) &&
          bind(lib, "cuCtxGetDevice", &api.cuCtxGetDevice, &why) &&
          bind(lib, "cuCtxPushCurrent_v2", &api.cuCtxPushCurrent, &why) &&
          bind(lib, "cuCtxPopCurrent_v2", &api.cuCtxPopCurrent, &why) &&
          bind(lib, "cuDevicePrimaryCtxRetain", &api.cuDevicePrimaryCtxRetain, &why) &&
          bind(lib, "cuPointerGetAttribute", &api.cuPointerGetAttribute, &why) &&
          bind(lib, "cuMemcpyHtoDAsync_v2", &api.cuMemcpyHtoDAsync, &why) &&
          bind(lib, "cuMemcpyDtoHAsync_v2", &api.cuMemcpyDtoHAsync, &why) &&
          bind(lib, "cuMemsetD32Async", &api.cuMemsetD32Async, &why) &&
          bind(lib, "cuMemsetD8Async", &api.cuMemsetD8Async, &why) &&
          bind(lib, "cuStreamSynchronize", &api.cuStreamSynchronize, &why)))
      return;  // the library stays loaded: unloading a driver is not worth the risk
    if (CUresult r = api.cuInit(0); r != kSuccess) {
      why = "cuInit: " + describe(api, r);
      return;
    }
    int count = 0;
    if (CUresult r = api.cuDeviceGetCount(&count); r != kSuccess) {
      why = "cuDeviceGetCount: " + describe(api, r);
      return;
    }
    for (int i = 0; i < count; ++i) {
      CUdevice dev = 0;
      int major = 0, minor = 0;
      if (api.cuDeviceGet(&dev, i) == kSuccess &&
          api.cuDeviceGetAttribute(&major, kAttributeCapabilityMajor, dev) == kSuccess &&
          api.cuDeviceGetAttribute(&minor, kAttributeCapabilityMinor, dev) == kSuccess)
        best_capability = std::max(best_capability, 10 * major + minor);
    }
    if (best_capability == 0) {
      why = count == 0 ? "the driver reports 0 devices"
                       : "no device's compute capability is readable";
      return;
    }
    ok = true;
  }
};

const Loaded &loaded() {
  static const Loaded instance;  // thread-safe initialisation
  return instance;
}

}  // namespace

const Driver *driver(std::string *why) {
  const Loaded &l = loaded();
  if (!l.ok && why != nullptr) *why = l.why;
  return l.ok ? &l.api : nullptr;
}

int best_capability(std::string *why) {
  const Loaded &l = loaded();
  if (!l.ok && why != nullptr) *why = l.why;
  return l.ok ? l.best_capability : 0;
}

std::string error_text(CUresult result) {
  return describe(loaded().api, result);
}

int parse_capability(const std::string &sm) {
  if (sm.size() < 5 || sm.compare(0, 3, "sm_") != 0) return 0;
  char *end = nullptr;
  const long v = std::strtol(sm.c_str() + 3, &end, 10);
  return (*end == '\0' && v > 0 && v < 1000) ? static_cast<int>(v) : 0;
}

}  // namespace crgb::detail::cuda
