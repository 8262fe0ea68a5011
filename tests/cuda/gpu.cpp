#include "cuda/gpu.h"

#include <dlfcn.h>

#include <stdexcept>

namespace crgb_test {

// Values from cuda.h (CUDA 12/13).
struct Gpu::Api {
  int (*cuInit)(unsigned);
  int (*cuDeviceGetCount)(int *);
  int (*cuDeviceGet)(int *, int);
  int (*cuDeviceGetAttribute)(int *, int, int);
  int (*cuDevicePrimaryCtxRetain)(void **, int);
  int (*cuCtxSetCurrent)(void *);
  int (*cuMemAlloc)(uint64_t *, size_t);
  int (*cuMemFree)(uint64_t);
  int (*cuMemcpyHtoD)(uint64_t, const void *, size_t);
  int (*cuMemcpyDtoH)(void *, uint64_t, size_t);
  int (*cuMemsetD8)(uint64_t, unsigned char, size_t);
  int (*cuStreamCreate)(void **, unsigned);
  int (*cuStreamDestroy)(void *);
  int (*cuStreamSynchronize)(void *);
  int (*cuCtxSynchronize)();
  int (*cuMemGetInfo)(size_t *, size_t *);
  int (*cuGetErrorName)(int, const char **);
};

namespace {

template <typename F>
bool bind(void *lib, const char *name, F *fn) {
  *fn = reinterpret_cast<F>(dlsym(lib, name));
  return *fn != nullptr;
}

std::string name_of(const Gpu::Api &api, int r) {
  const char *s = nullptr;
  api.cuGetErrorName(r, &s);
  return s ? s : "CUDA error " + std::to_string(r);
}

void check(const Gpu::Api &api, int r, const char *what) {
  if (r != 0) throw std::runtime_error(std::string(what) + ": " + name_of(api, r));
}

}  // namespace

Gpu *Gpu::get(std::string *why) {
  static std::string reason;
  static Gpu *gpu = []() -> Gpu * {
    static Api api{};
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char *e = dlerror();
      reason = e ? e : "libcuda.so.1 could not be loaded";
      return nullptr;
    }
    if (!(bind(lib, "cuInit", &api.cuInit) &&
          bind(lib, "cuDeviceGetCount", &api.cuDeviceGetCount) &&
          bind(lib, "cuDeviceGet", &api.cuDeviceGet) &&
          bind(lib, "cuDeviceGetAttribute", &api.cuDeviceGetAttribute) &&
          bind(lib, "cuDevicePrimaryCtxRetain", &api.cuDevicePrimaryCtxRetain) &&
          bind(lib, "cuCtxSetCurrent", &api.cuCtxSetCurrent) &&
          bind(lib, "cuMemAlloc_v2", &api.cuMemAlloc) &&
          bind(lib, "cuMemFree_v2", &api.cuMemFree) &&
          bind(lib, "cuMemcpyHtoD_v2", &api.cuMemcpyHtoD) &&
          bind(lib, "cuMemcpyDtoH_v2", &api.cuMemcpyDtoH) &&
          bind(lib, "cuMemsetD8_v2", &api.cuMemsetD8) &&
          bind(lib, "cuStreamCreate", &api.cuStreamCreate) &&
          bind(lib, "cuStreamDestroy_v2", &api.cuStreamDestroy) &&
          bind(lib, "cuStreamSynchronize", &api.cuStreamSynchronize) &&
          bind(lib, "cuCtxSynchronize", &api.cuCtxSynchronize) &&
          bind(lib, "cuMemGetInfo_v2", &api.cuMemGetInfo) &&
          bind(lib, "cuGetErrorName", &api.cuGetErrorName))) {
      reason = "libcuda.so.1 lacks a driver API function the tests use";
      return nullptr;
    }
    if (int r = api.cuInit(0); r != 0) {
      reason = "cuInit: " + name_of(api, r);
      return nullptr;
    }
    int count = 0;
    if (int r = api.cuDeviceGetCount(&count); r != 0 || count == 0) {
      reason = r != 0 ? "cuDeviceGetCount: " + name_of(api, r) : "the driver reports 0 devices";
      return nullptr;
    }
    static Gpu g;
    g.api_ = &api;
    int dev = 0, major = 0, minor = 0;
    check(api, api.cuDeviceGet(&dev, 0), "cuDeviceGet");
    check(api, api.cuDeviceGetAttribute(&major, 75, dev), "cuDeviceGetAttribute");
    check(api, api.cuDeviceGetAttribute(&minor, 76, dev), "cuDeviceGetAttribute");
    g.capability_ = 10 * major + minor;
    check(api, api.cuDevicePrimaryCtxRetain(&g.context_, dev), "cuDevicePrimaryCtxRetain");
    return &g;
  }();
  if (gpu == nullptr && why != nullptr) *why = reason;
  if (gpu != nullptr) gpu->make_current();
  return gpu;
}

void Gpu::make_current() const {
  check(*api_, api_->cuCtxSetCurrent(context_), "cuCtxSetCurrent");
}

uint64_t Gpu::alloc(size_t bytes) const {
  uint64_t p = 0;
  check(*api_, api_->cuMemAlloc(&p, bytes ? bytes : 1), "cuMemAlloc");
  return p;
}
void Gpu::free(uint64_t ptr) const {
  api_->cuMemFree(ptr);
}
void Gpu::upload(uint64_t dst, const void *src, size_t bytes) const {
  check(*api_, api_->cuMemcpyHtoD(dst, src, bytes), "cuMemcpyHtoD");
}
void Gpu::download(void *dst, uint64_t src, size_t bytes) const {
  check(*api_, api_->cuMemcpyDtoH(dst, src, bytes), "cuMemcpyDtoH");
}
void Gpu::fill_bytes(uint64_t dst, unsigned char value, size_t bytes) const {
  check(*api_, api_->cuMemsetD8(dst, value, bytes), "cuMemsetD8");
  check(*api_, api_->cuCtxSynchronize(), "cuCtxSynchronize");
}
void *Gpu::create_stream() const {
  void *s = nullptr;
  check(*api_, api_->cuStreamCreate(&s, 1 /* CU_STREAM_NON_BLOCKING */), "cuStreamCreate");
  return s;
}
void Gpu::destroy_stream(void *stream) const {
  api_->cuStreamDestroy(stream);
}
void Gpu::synchronize(void *stream) const {
  check(*api_, api_->cuStreamSynchronize(stream), "cuStreamSynchronize");
}
size_t Gpu::free_memory() const {
  size_t free_bytes = 0, total = 0;
  check(*api_, api_->cuMemGetInfo(&free_bytes, &total), "cuMemGetInfo");
  return free_bytes;
}

DeviceBuffer::DeviceBuffer(const Gpu &gpu, const void *data, size_t bytes)
    : gpu_(gpu), ptr_(gpu.alloc(bytes)) {
  if (bytes) gpu_.upload(ptr_, data, bytes);
}
DeviceBuffer::DeviceBuffer(const Gpu &gpu, size_t bytes) : gpu_(gpu), ptr_(gpu.alloc(bytes)) {}
DeviceBuffer::~DeviceBuffer() {
  gpu_.free(ptr_);
}

}  // namespace crgb_test
