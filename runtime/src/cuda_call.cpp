#include "cuda_call.h"

#include <HalideRuntime.h>
#include <HalideRuntimeCuda.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "buffer_view.h"
#include "cuda_driver.h"
#include "cuda_hooks.h"
#include "halide_call.h"

namespace crgb::detail {
namespace {

using cuda::CUcontext;
using cuda::CUdevice;
using cuda::CUdeviceptr;
using cuda::CUresult;
using cuda::CUstream;
using cuda::Driver;
using cuda::error_text;
using cuda::kSuccess;

// CU_STREAM_PER_THREAD (cudaStreamPerThread): the calling thread's default stream.
CUstream const kPerThreadStream = reinterpret_cast<CUstream>(uintptr_t{2});

// generators/device_check_generator.cpp's codes.
constexpr int kNonFinite = 1;
constexpr int kOutOfRange = 2;

// cuda.h's CUpointer_attribute and CUdevice_attribute values.
constexpr int kPointerContext = 1;
constexpr int kPointerMemoryType = 2;
constexpr int kPointerDeviceOrdinal = 9;
constexpr int kPointerRangeStart = 11;
constexpr int kPointerRangeSize = 12;
constexpr int kCapabilityMajor = 75;
constexpr int kCapabilityMinor = 76;

Status internal(const std::string &what, CUresult r) {
  return {CRGB_INTERNAL, what + ": " + error_text(r)};
}

CUdeviceptr device_address(const void *p) {
  return static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(p));
}

// Device ordinal -> its primary context, retained on first use and kept for
// the life of the process (a context the caller did not name must outlive
// Halide's kernels cached in it).
Status primary_context(const Driver &d, int ordinal, CUcontext *out) {
  static std::mutex mutex;
  static std::map<int, CUcontext> retained;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = retained.find(ordinal);
  if (it == retained.end()) {
    CUdevice dev = 0;
    CUcontext ctx = nullptr;
    if (CUresult r = d.cuDeviceGet(&dev, ordinal); r != kSuccess)
      return internal("cuDeviceGet(" + std::to_string(ordinal) + ")", r);
    if (CUresult r = d.cuDevicePrimaryCtxRetain(&ctx, dev); r != kSuccess)
      return internal("cuDevicePrimaryCtxRetain", r);
    it = retained.emplace(ordinal, ctx).first;
  }
  *out = it->second;
  return {};
}

// The context of a call: the one asked for, else the calling thread's
// current one, else (device data) the one owning grads' memory or its
// device's primary context, else device 0's primary context.
Status choose_context(const Driver &d, void *requested, const Shapes &s, const void *grads,
                      CUcontext *out) {
  if (requested != nullptr) {
    *out = requested;
    return {};
  }
  CUcontext current = nullptr;
  if (d.cuCtxGetCurrent(&current) == kSuccess && current != nullptr) {
    *out = current;
    return {};
  }
  int ordinal = 0;
  if (s.device == CRGB_DEVICE_CUDA) {
    CUcontext owner = nullptr;
    if (d.cuPointerGetAttribute(&owner, kPointerContext, device_address(grads)) == kSuccess &&
        owner != nullptr) {
      *out = owner;
      return {};
    }
    int o = -1;  // stream-ordered allocations name no context, only a device
    if (d.cuPointerGetAttribute(&o, kPointerDeviceOrdinal, device_address(grads)) == kSuccess &&
        o >= 0)
      ordinal = o;
  }
  return primary_context(d, ordinal, out);
}

class ScopedPush {
 public:
  ScopedPush(const Driver &d, CUcontext ctx) : d_(d), result_(d.cuCtxPushCurrent(ctx)) {}
  ~ScopedPush() {
    CUcontext popped = nullptr;
    if (result_ == kSuccess) d_.cuCtxPopCurrent(&popped);
  }
  CUresult result() const { return result_; }
  ScopedPush(const ScopedPush &) = delete;
  ScopedPush &operator=(const ScopedPush &) = delete;

 private:
  const Driver &d_;
  CUresult result_;
};

// The current context's device can run code for `needs` (10 * major + minor).
Status check_capability(const Driver &d, const HalideVariant &v) {
  const int needs = cuda::parse_capability(v.features);
  CUdevice dev = 0;
  int major = 0, minor = 0;
  if (CUresult r = d.cuCtxGetDevice(&dev); r != kSuccess) return internal("cuCtxGetDevice", r);
  if (CUresult r = d.cuDeviceGetAttribute(&major, kCapabilityMajor, dev); r != kSuccess)
    return internal("cuDeviceGetAttribute", r);
  if (CUresult r = d.cuDeviceGetAttribute(&minor, kCapabilityMinor, dev); r != kSuccess)
    return internal("cuDeviceGetAttribute", r);
  if (10 * major + minor >= needs) return {};
  return {CRGB_UNAVAILABLE, std::string("variant '") + v.name + "' needs compute capability " +
                                std::to_string(needs / 10) + "." + std::to_string(needs % 10) +
                                "; the call's CUDA device " + std::to_string(dev) + " has " +
                                std::to_string(major) + "." + std::to_string(minor)};
}

// A caller's device pointer must be memory the driver knows, and the tensor
// must lie inside its allocation: a kernel reading past it would fault and
// leave the caller's context unusable.
Status check_device_range(const Driver &d, const char *name, const void *p, size_t bytes) {
  const CUdeviceptr at = device_address(p);
  unsigned int memory_type = 0;
  if (CUresult r = d.cuPointerGetAttribute(&memory_type, kPointerMemoryType, at); r != kSuccess)
    return {CRGB_INVALID_ARGUMENT, std::string(name) + " is marked CRGB_DEVICE_CUDA but " +
                                       "is not CUDA memory: " + error_text(r)};
  CUdeviceptr start = 0;
  size_t size = 0;
  // Some memory kinds (e.g. host memory registered with the driver) report
  // no range: then only the kind is checked.
  if (d.cuPointerGetAttribute(&start, kPointerRangeStart, at) == kSuccess &&
      d.cuPointerGetAttribute(&size, kPointerRangeSize, at) == kSuccess &&
      (at < start || at - start > size || bytes > size - (at - start)))
    return {CRGB_INVALID_ARGUMENT, std::string(name) + " needs " + std::to_string(bytes) +
                                       " bytes of CUDA memory; its allocation holds " +
                                       std::to_string(size - (at - start)) + " from there"};
  return {};
}

// The device buffers of one call. Owned ones (copies of host inputs, scratch)
// go back to Halide's allocation cache on destruction; wrapped ones (the
// caller's memory) are only detached. Must be destroyed inside the call's
// ScopedHalideContext, so the cache files them under the call's stream.
class DeviceBuffers {
 public:
  ~DeviceBuffers() {
    for (auto &[view, owned] : buffers_) {
      if (owned)
        halide_device_free(nullptr, &view->buffer);
      else
        halide_cuda_detach_device_ptr(nullptr, &view->buffer);
    }
  }

  // A tensor already in CUDA memory, read or written in place.
  Status wrap(const char *name, const void *data, crgb_dtype dtype,
              std::initializer_list<int64_t> nhwc, halide_buffer_t **out) {
    View &v = add(dtype, nhwc, false);
    std::string why;
    if (call_halide(
            [&] { return halide_cuda_wrap_device_ptr(nullptr, &v.buffer, device_address(data)); },
            &why) != 0)
      return {CRGB_INTERNAL, std::string("wrapping ") + name + ": " + why};
    *out = &v.buffer;
    return {};
  }

  // Device memory of the tensor's size, from Halide's cache.
  Status allocate(const char *name, crgb_dtype dtype, std::initializer_list<int64_t> nhwc,
                  halide_buffer_t **out) {
    View &v = add(dtype, nhwc, true);
    std::string why;
    if (call_halide(
            [&] {
              return halide_device_malloc(nullptr, &v.buffer, halide_cuda_device_interface());
            },
            &why) != 0) {
      buffers_.back().second = false;  // nothing to free
      return {CRGB_INTERNAL, std::string("allocating ") + name + " on the GPU: " + why};
    }
    *out = &v.buffer;
    return {};
  }

 private:
  View &add(crgb_dtype dtype, std::initializer_list<int64_t> nhwc, bool owned) {
    // Device-only: host stays NULL, so Halide never copies to or from it.
    buffers_.emplace_back(std::make_unique<View>(nullptr, dtype, nhwc), owned);
    return *buffers_.back().first;
  }

  std::vector<std::pair<std::unique_ptr<View>, bool>> buffers_;
};

// One input on the device: the caller's memory, or a copy of host memory
// made on the call's stream.
Status input(const Driver &d, DeviceBuffers &bufs, CUstream stream, const char *name,
             const crgb_tensor &t, std::initializer_list<int64_t> nhwc, halide_buffer_t **out) {
  if (t.device == CRGB_DEVICE_CUDA) {
    const View probe(nullptr, t.dtype, nhwc);
    Status s = check_device_range(d, name, t.data, probe.bytes());
    return s.ok() ? bufs.wrap(name, t.data, t.dtype, nhwc, out) : s;
  }
  Status s = bufs.allocate(name, t.dtype, nhwc, out);
  if (!s.ok()) return s;
  // From pageable memory this returns once the data is staged: the caller's
  // buffer may change as soon as the call returns.
  if (CUresult r = d.cuMemcpyHtoDAsync((*out)->device, t.data, (*out)->size_in_bytes(), stream);
      r != kSuccess)
    return internal(std::string("copying ") + name + " to the GPU", r);
  return {};
}

// TensorFlow's data checks, made on the GPU; only their 4-byte verdict comes
// back (the one synchronisation of a call on device data).
Status check_on_device(const Driver &d, const HalideVariant &v, DeviceBuffers &bufs,
                       CUstream stream, const Shapes &s, halide_buffer_t *boxes,
                       halide_buffer_t *box_ind) {
  halide_buffer_t *worst = nullptr;
  Status st = bufs.allocate("the check result", CRGB_INT32, {}, &worst);
  if (!st.ok()) return st;
  std::string why;
  if (call_halide([&] { return v.check(boxes, box_ind, static_cast<int32_t>(s.batch), worst); },
                  &why) != 0)
    return {CRGB_INTERNAL, std::string("variant '") + v.name + "' failed checking inputs: " + why};
  int32_t verdict = 0;
  if (CUresult r = d.cuMemcpyDtoHAsync(&verdict, worst->device, sizeof verdict, stream);
      r != kSuccess)
    return internal("copying the check result", r);
  if (CUresult r = d.cuStreamSynchronize(stream); r != kSuccess)
    return internal("cuStreamSynchronize", r);
  if (verdict == kOutOfRange) return {CRGB_OUT_OF_RANGE, kBoxIndexOutOfRange};
  if (verdict == kNonFinite) return {CRGB_INVALID_ARGUMENT, kNonFiniteBoxes};
  return {};
}

// Depth 0: every sum is empty. grads and image hold no data then, so the
// pipeline (whose empty buffers would read as bounds queries) does not run.
Status write_zeros(const Driver &d, CUstream stream, float *output, int64_t bytes,
                   crgb_device where) {
  if (where == CRGB_DEVICE_HOST) {
    std::fill(output, output + bytes / sizeof(float), 0.0f);
    return {};
  }
  Status st = check_device_range(d, "output", output, static_cast<size_t>(bytes));
  if (!st.ok()) return st;
  if (CUresult r = d.cuMemsetD32Async(device_address(output), 0, bytes / sizeof(float), stream);
      r != kSuccess)
    return internal("clearing the output", r);
  return {};
}

// What every op's CUDA call shares: the driver, the context and stream, the
// device buffers, boxes and box_ind on the device and (for device data)
// checked there. `data` is an input whose memory names the context when the
// caller names none. `body` then queues the op; a host output is copied back
// and waited for.
Status run_on_gpu(const HalideVariant &v, const Shapes &s, const void *data,
                  const crgb_tensor &boxes, const crgb_tensor &box_ind,
                  const CudaPlacement &placement,
                  const std::function<Status(const Driver &, DeviceBuffers &, CUstream,
                                             halide_buffer_t *, halide_buffer_t *)> &body) {
  // Halide's allocation cache reuses scratch freed on the same stream handle
  // before that stream has finished with it, which stream order makes safe;
  // this one handle names a different stream on each thread, so it is not.
  if (placement.stream == kPerThreadStream)
    return {CRGB_INVALID_ARGUMENT,
            "cuda_stream CU_STREAM_PER_THREAD names a different stream on each thread; pass the "
            "thread's stream handle itself"};
  std::string why;
  const Driver *d = cuda::driver(&why);
  if (d == nullptr)
    return {CRGB_UNAVAILABLE,
            std::string("variant '") + v.name + "' needs a CUDA GPU; no CUDA device: " + why};

  CUcontext ctx = nullptr;
  Status st = choose_context(*d, placement.context, s, data, &ctx);
  if (!st.ok()) return st;
  const ScopedPush push(*d, ctx);
  if (push.result() != kSuccess) return internal("cuCtxPushCurrent", push.result());
  st = check_capability(*d, v);
  if (!st.ok()) return st;
  CUstream stream = placement.stream;
  const cuda::ScopedHalideContext halide_context(ctx, stream);
  DeviceBuffers bufs;  // after halide_context: released inside it

  // boxes and box_ind first: on device data their check decides whether the
  // op runs at all (and an empty image with boxes fails it, OutOfRange).
  halide_buffer_t *bx = nullptr, *bi = nullptr;
  st = input(*d, bufs, stream, "boxes", boxes, {s.num_boxes, 4}, &bx);
  if (st.ok()) st = input(*d, bufs, stream, "box_ind", box_ind, {s.num_boxes}, &bi);
  if (st.ok() && s.device == CRGB_DEVICE_CUDA) st = check_on_device(*d, v, bufs, stream, s, bx, bi);
  if (!st.ok()) return st;
  return body(*d, bufs, stream, bx, bi);
}

// The op's output: the caller's device memory, or device scratch that
// finish_output() copies to the host.
Status output_buffer(const Driver &d, DeviceBuffers &bufs, void *output, crgb_dtype dtype,
                     std::initializer_list<int64_t> nhwc, const CudaPlacement &placement,
                     halide_buffer_t **out) {
  if (placement.output == CRGB_DEVICE_CUDA) {
    const View probe(nullptr, dtype, nhwc);
    Status st = check_device_range(d, "output", output, probe.bytes());
    return st.ok() ? bufs.wrap("output", output, dtype, nhwc, out) : st;
  }
  return bufs.allocate("output", dtype, nhwc, out);
}

Status finish_output(const Driver &d, CUstream stream, void *output, halide_buffer_t *out,
                     const CudaPlacement &placement) {
  if (placement.output == CRGB_DEVICE_CUDA) return {};
  if (CUresult r = d.cuMemcpyDtoHAsync(output, out->device, out->size_in_bytes(), stream);
      r != kSuccess)
    return internal("copying the result to the host", r);
  // Also reports a kernel fault as this call's error.
  if (CUresult r = d.cuStreamSynchronize(stream); r != kSuccess)
    return internal("cuStreamSynchronize", r);
  return {};
}

}  // namespace

Status run_cuda(const HalideVariant &v, const Shapes &s, const crgb_tensor &grads,
                const crgb_tensor &image, const crgb_tensor &boxes, const crgb_tensor &box_ind,
                float *output, const CudaPlacement &placement) {
  HalidePipeline fn = v.by_dtype[image.dtype];
  if (fn == nullptr) return not_built(v, image.dtype);
  return run_on_gpu(
      v, s, grads.data, boxes, box_ind, placement,
      [&](const Driver &d, DeviceBuffers &bufs, CUstream stream, halide_buffer_t *bx,
          halide_buffer_t *bi) -> Status {
        const int64_t out_bytes = s.num_boxes * 4 * static_cast<int64_t>(sizeof(float));
        if (s.depth == 0) return write_zeros(d, stream, output, out_bytes, placement.output);
        halide_buffer_t *g = nullptr, *im = nullptr, *out = nullptr;
        Status st = input(d, bufs, stream, "grads", grads,
                          {s.num_boxes, s.crop_height, s.crop_width, s.depth}, &g);
        if (st.ok())
          st = input(d, bufs, stream, "image", image,
                     {s.batch, s.image_height, s.image_width, s.depth}, &im);
        if (st.ok())
          st = output_buffer(d, bufs, output, CRGB_FLOAT32, {s.num_boxes, 4}, placement, &out);
        if (!st.ok()) return st;
        std::string why;
        if (call_halide([&] { return fn(g, im, bx, bi, out); }, &why) != 0)
          return {CRGB_INTERNAL, std::string("variant '") + v.name + "' failed: " + why};
        return finish_output(d, stream, output, out, placement);
      });
}

Status run_cuda_crop(const HalideVariant &v, const Shapes &s, const crgb_tensor &image,
                     const crgb_tensor &boxes, const crgb_tensor &box_ind, bool nearest,
                     float extrapolation_value, float *output, const CudaPlacement &placement) {
  HalideCropPipeline fn = v.crop_by_dtype[image.dtype];
  if (fn == nullptr) return not_built(v, CRGB_OP_CROP_AND_RESIZE, image.dtype);
  return run_on_gpu(
      v, s, image.data, boxes, box_ind, placement,
      [&](const Driver &d, DeviceBuffers &bufs, CUstream stream, halide_buffer_t *bx,
          halide_buffer_t *bi) -> Status {
        halide_buffer_t *im = nullptr, *out = nullptr;
        Status st = input(d, bufs, stream, "image", image,
                          {s.batch, s.image_height, s.image_width, s.depth}, &im);
        if (st.ok())
          st = output_buffer(d, bufs, output, CRGB_FLOAT32,
                             {s.num_boxes, s.crop_height, s.crop_width, s.depth}, placement, &out);
        if (!st.ok()) return st;
        std::string why;
        if (call_halide([&] { return fn(im, bx, bi, nearest, extrapolation_value, out); }, &why) !=
            0)
          return {CRGB_INTERNAL, std::string("variant '") + v.name + "' failed: " + why};
        return finish_output(d, stream, output, out, placement);
      });
}

Status run_cuda_grad_image(const HalideVariant &v, const Shapes &s, const crgb_tensor &grads,
                           const crgb_tensor &boxes, const crgb_tensor &box_ind, bool nearest,
                           crgb_dtype output_dtype, void *output, const CudaPlacement &placement) {
  HalideGradImagePipeline fn = v.grad_image_by_dtype[output_dtype];
  if (fn == nullptr) return not_built(v, CRGB_OP_GRAD_IMAGE, output_dtype);
  return run_on_gpu(
      v, s, grads.data, boxes, box_ind, placement,
      [&](const Driver &d, DeviceBuffers &bufs, CUstream stream, halide_buffer_t *bx,
          halide_buffer_t *bi) -> Status {
        halide_buffer_t *g = nullptr, *out = nullptr;
        Status st = input(d, bufs, stream, "grads", grads,
                          {s.num_boxes, s.crop_height, s.crop_width, s.depth}, &g);
        if (st.ok())
          st = output_buffer(d, bufs, output, output_dtype,
                             {s.batch, s.image_height, s.image_width, s.depth}, placement, &out);
        if (!st.ok()) return st;
        std::string why;
        if (call_halide([&] { return fn(g, bx, bi, nearest, out); }, &why) != 0)
          return {CRGB_INTERNAL, std::string("variant '") + v.name + "' failed: " + why};
        return finish_output(d, stream, output, out, placement);
      });
}

Status run_cuda_zeros(const HalideVariant &v, const Shapes &s, void *output, int64_t bytes,
                      const CudaPlacement &placement) {
  if (placement.output == CRGB_DEVICE_HOST) {
    std::memset(output, 0, static_cast<size_t>(bytes));
    return {};
  }
  std::string why;
  const Driver *d = cuda::driver(&why);
  if (d == nullptr)
    return {CRGB_UNAVAILABLE,
            std::string("variant '") + v.name + "' needs a CUDA GPU; no CUDA device: " + why};
  CUcontext ctx = nullptr;
  Status st = choose_context(*d, placement.context, s, output, &ctx);
  if (!st.ok()) return st;
  const ScopedPush push(*d, ctx);
  if (push.result() != kSuccess) return internal("cuCtxPushCurrent", push.result());
  st = check_device_range(*d, "output", output, static_cast<size_t>(bytes));
  if (!st.ok()) return st;
  if (CUresult r = d->cuMemsetD8Async(device_address(output), 0, static_cast<size_t>(bytes),
                                      placement.stream);
      r != kSuccess)
    return internal("clearing the output", r);
  return {};
}

Status release_cuda(void *context) {
  const Driver *d = cuda::driver(nullptr);
  if (d == nullptr) return {};  // nothing can have been cached
  std::string why;
  if (context == nullptr) {
    if (call_halide([] { return halide_cuda_release_unused_device_allocations(nullptr); }, &why) !=
        0)
      return {CRGB_INTERNAL, "releasing cached CUDA memory: " + why};
    return {};
  }
  const ScopedPush push(*d, context);
  if (push.result() != kSuccess) return internal("cuCtxPushCurrent", push.result());
  // With the hooks naming this context, Halide's device release frees its
  // allocation cache and unloads its modules from the context; it destroys a
  // context only if Halide created it itself, which crgb never lets it do.
  const cuda::ScopedHalideContext halide_context(context, nullptr);
  call_halide(
      [] {
        halide_device_release(nullptr, halide_cuda_device_interface());
        return 0;  // returns nothing: it reports problems through halide_error only
      },
      &why);
  return {};
}

}  // namespace crgb::detail
