#include "opencl_probe.h"

#include <dlfcn.h>

#include <cstdint>
#include <vector>

namespace crgb::detail::opencl {
namespace {

// The few OpenCL 1.2 entry points the probe needs, with cl.h's values, so the
// build needs no OpenCL headers.
using cl_int = int32_t;
using cl_uint = uint32_t;
using Platform = void *;
using Device = void *;
constexpr cl_int kSuccess = 0;
constexpr uint64_t kDeviceTypeAll = 0xFFFFFFFF;  // CL_DEVICE_TYPE_ALL
constexpr cl_uint kDeviceName = 0x102B;          // CL_DEVICE_NAME
constexpr cl_uint kDeviceExtensions = 0x1030;    // CL_DEVICE_EXTENSIONS

using GetPlatformIDs = cl_int (*)(cl_uint, Platform *, cl_uint *);
using GetDeviceIDs = cl_int (*)(Platform, uint64_t, cl_uint, Device *, cl_uint *);
using GetDeviceInfo = cl_int (*)(Device, cl_uint, size_t, void *, size_t *);

std::string device_string(GetDeviceInfo info, Device d, cl_uint what) {
  size_t n = 0;
  if (info(d, what, 0, nullptr, &n) != kSuccess || n == 0) return "";
  std::string s(n, '\0');
  if (info(d, what, n, s.data(), nullptr) != kSuccess) return "";
  s.resize(s.find('\0') == std::string::npos ? n : s.find('\0'));
  return s;
}

std::string look() {
  // An OpenCL driver may bring its own LLVM (PoCL loads libclang-cpp and
  // libLLVM). Where this process already has an LLVM with global symbols
  // (TensorFlow's libtensorflow_framework exports its own), the driver's
  // static initialisers bind to that one and crash: SIGSEGV in
  // llvm::cl::Option::addArgument while loading libpocl, in a process that
  // had imported tensorflow 2.20 (2026-12-02). Such a process never loads a
  // driver, and the OpenCL variants are unavailable in it, saying why.
  if (dlsym(RTLD_DEFAULT, "_ZN4llvm2cl6Option11addArgumentEv") != nullptr)
    return "this process already has an LLVM with global symbols (TensorFlow's, for one), in "
           "which an OpenCL driver that brings its own LLVM (PoCL) crashes, so none is loaded";
  // Halide's OpenCL runtime loads the same library by name when a variant
  // first runs; the ICD loader finds the platforms (/etc/OpenCL/vendors).
  void *lib = dlopen("libOpenCL.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char *e = dlerror();
    return e ? e : "libOpenCL.so.1 could not be loaded";
  }
  auto platforms_of = reinterpret_cast<GetPlatformIDs>(dlsym(lib, "clGetPlatformIDs"));
  auto devices_of = reinterpret_cast<GetDeviceIDs>(dlsym(lib, "clGetDeviceIDs"));
  auto info = reinterpret_cast<GetDeviceInfo>(dlsym(lib, "clGetDeviceInfo"));
  if (!platforms_of || !devices_of || !info) return "libOpenCL.so.1 lacks the OpenCL 1.2 API";
  cl_uint n = 0;
  if (platforms_of(0, nullptr, &n) != kSuccess || n == 0) return "no OpenCL platform";
  std::vector<Platform> platforms(n);
  if (platforms_of(n, platforms.data(), nullptr) != kSuccess) return "no OpenCL platform";
  std::string without_fp64;
  for (Platform p : platforms) {
    cl_uint m = 0;
    if (devices_of(p, kDeviceTypeAll, 0, nullptr, &m) != kSuccess || m == 0) continue;
    std::vector<Device> devices(m);
    if (devices_of(p, kDeviceTypeAll, m, devices.data(), nullptr) != kSuccess) continue;
    for (Device d : devices) {
      if (device_string(info, d, kDeviceExtensions).find("cl_khr_fp64") != std::string::npos)
        return "";
      without_fp64 += (without_fp64.empty() ? "" : ", ") + device_string(info, d, kDeviceName);
    }
  }
  if (without_fp64.empty()) return "no OpenCL device on any platform";
  return "no OpenCL device has cl_khr_fp64 (" + without_fp64 + ")";
}

}  // namespace

const std::string &problem() {
  static const std::string why = look();
  return why;
}

}  // namespace crgb::detail::opencl
