#include "halide_call.h"

#include <HalideRuntime.h>
#ifdef CRGB_HAS_OPENCL
#include <HalideRuntimeOpenCL.h>
#endif

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <string>

#include "buffer_view.h"
#include "dtype.h"

namespace crgb::detail {
namespace {

// Halide reports errors through one process-wide handler. Pipelines report
// on the calling thread (argument and bounds checks run before any parallel
// work), so a thread-local message reaches the right caller.
thread_local std::string halide_message;
// Whether this thread is inside one of our pipelines. The handler is shared
// with any other Halide-generated library in the process (one runtime): its
// errors go on to the handler that was installed before ours.
thread_local bool in_crgb_pipeline = false;
std::atomic<halide_error_handler_t> previous_handler{nullptr};

// Host pipelines pass through this gate while they run; a thread-count change
// closes it, waits until none is running, shuts the Halide thread pool down
// (see set_halide_threads) and reopens it. Closing takes priority over entry,
// so a change waits for the calls already running, never for a stream of new
// ones from other threads.
class PoolGate {
 public:
  void enter() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return !resizing_; });
    ++running_;
  }
  void leave() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--running_ == 0) changed_.notify_all();
  }
  template <typename F>
  void resize(F &&f) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return !resizing_; });
    resizing_ = true;
    changed_.wait(lock, [&] { return running_ == 0; });
    f();
    resizing_ = false;
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int running_ = 0;
  bool resizing_ = false;
};

PoolGate &pool_gate() {
  static PoolGate gate;
  return gate;
}

struct InPool {
  InPool() { pool_gate().enter(); }
  ~InPool() { pool_gate().leave(); }
  InPool(const InPool &) = delete;
  InPool &operator=(const InPool &) = delete;
};

void capture_error(void *user_context, const char *message) {
  halide_error_handler_t previous = previous_handler.load();
  if (in_crgb_pipeline || previous == nullptr)
    halide_message = message ? message : "";
  else
    previous(user_context, message);
}

void install_error_handler() {
  static std::once_flag once;
  std::call_once(once, [] { previous_handler = halide_set_error_handler(capture_error); });
}

bool fits(int64_t elements, int bytes_per_element) {
  return elements <= std::numeric_limits<int32_t>::max() / bytes_per_element;
}

// Product of non-negative extents that saturates instead of overflowing: a
// tensor with one zero dimension may have others whose product exceeds int64
// (validation accepts it, since it holds no elements).
int64_t product(std::initializer_list<int64_t> extents) {
  for (int64_t e : extents)
    if (e == 0) return 0;
  int64_t n = 1;
  for (int64_t e : extents) {
    if (n > std::numeric_limits<int64_t>::max() / e) return std::numeric_limits<int64_t>::max();
    n *= e;
  }
  return n;
}

// TensorFlow's CPU kernels run with float32 subnormals flushed to zero, on
// input and output (fp_env.h); OpenCL C keeps them unless the program is built
// with -cl-denorms-are-zero (PoCL then flushes, as measured: without it
// grad_image on PoCL gave 0x1.2efcp-135 where the reference gives 0, a crgb_fuzz
// finding). Added once to the build options Halide's OpenCL runtime uses,
// after any the caller set in HL_OCL_BUILD_OPTIONS.
void set_opencl_build_options() {
#ifdef CRGB_HAS_OPENCL
  static std::once_flag once;
  std::call_once(once, [] {
    const char *env = std::getenv("HL_OCL_BUILD_OPTIONS");
    const std::string options = std::string(env != nullptr ? env : "") +
                                (env != nullptr ? " " : "") + "-cl-denorms-are-zero";
    halide_opencl_set_build_options(options.c_str());
  });
#endif
}

// Runs a pipeline on host buffers. An OpenCL variant's pipeline copies its
// inputs to the device itself, but only those marked host-dirty (an unmarked
// one would get device memory that is never filled); its output stays on the
// device until copied back here, after the pipeline succeeded. Every device
// allocation is freed before returning, success or not.
int run_on_host_buffers(const HalideVariant &variant, std::initializer_list<View *> inputs,
                        View &output, const std::function<int()> &pipeline) {
  if (!variant.opencl) return pipeline();
  set_opencl_build_options();
  for (View *v : inputs) v->buffer.set_host_dirty(true);
  int rc = pipeline();
  if (rc == 0) rc = halide_copy_to_host(nullptr, &output.buffer);
  for (View *v : inputs) halide_device_free(nullptr, &v->buffer);
  halide_device_free(nullptr, &output.buffer);
  return rc;
}

}  // namespace

bool fits_halide_indexing(const Shapes &s, crgb_dtype image_dtype) {
  const int64_t grads = product({s.num_boxes, s.crop_height, s.crop_width, s.depth});
  const int64_t image = product({s.batch, s.image_height, s.image_width, s.depth});
  return fits(product({s.crop_height, s.crop_width}), 1) && fits(grads, 4) &&
         fits(image, dtype_bytes(image_dtype)) && fits(product({s.num_boxes, 4}), 4);
}

Status run_halide(const HalideVariant &variant, const Shapes &s, const crgb_tensor &grads,
                  const crgb_tensor &image, const crgb_tensor &boxes, const crgb_tensor &box_ind,
                  float *output) {
  View g(grads.data, CRGB_FLOAT32, {s.num_boxes, s.crop_height, s.crop_width, s.depth});
  View im(image.data, image.dtype, {s.batch, s.image_height, s.image_width, s.depth});
  View bx(boxes.data, CRGB_FLOAT32, {s.num_boxes, 4});
  View bi(box_ind.data, CRGB_INT32, {s.num_boxes});
  View out(output, CRGB_FLOAT32, {s.num_boxes, 4});
  HalidePipeline fn = variant.by_dtype[image.dtype];
  if (fn == nullptr) return not_built(variant, image.dtype);
  std::string why;
  InPool in_pool;
  if (call_halide(
          [&] {
            return run_on_host_buffers(variant, {&g, &im, &bx, &bi}, out, [&] {
              return fn(&g.buffer, &im.buffer, &bx.buffer, &bi.buffer, &out.buffer);
            });
          },
          &why) == 0)
    return {};
  return {CRGB_INTERNAL, std::string("variant '") + variant.name + "' failed: " + why};
}

bool fits_halide_indexing_crop(const Shapes &s, crgb_dtype image_dtype) {
  const int64_t crops = product({s.num_boxes, s.crop_height, s.crop_width, s.depth});
  const int64_t image = product({s.batch, s.image_height, s.image_width, s.depth});
  return fits(crops, 4) && fits(image, dtype_bytes(image_dtype)) &&
         fits(product({s.num_boxes, 4}), 4);
}

bool fits_halide_indexing_grad_image(const Shapes &s, crgb_dtype output_dtype) {
  const int64_t grads = product({s.num_boxes, s.crop_height, s.crop_width, s.depth});
  const int64_t image = product({s.batch, s.image_height, s.image_width, s.depth});
  return fits(grads, 4) && fits(image, dtype_bytes(output_dtype)) &&
         fits(product({s.num_boxes, 4}), 4);
}

Status run_halide_crop(const HalideVariant &variant, const Shapes &s, const crgb_tensor &image,
                       const crgb_tensor &boxes, const crgb_tensor &box_ind, bool nearest,
                       float extrapolation_value, float *output) {
  HalideCropPipeline fn = variant.crop_by_dtype[image.dtype];
  if (fn == nullptr) return not_built(variant, CRGB_OP_CROP_AND_RESIZE, image.dtype);
  View im(image.data, image.dtype, {s.batch, s.image_height, s.image_width, s.depth});
  View bx(boxes.data, CRGB_FLOAT32, {s.num_boxes, 4});
  View bi(box_ind.data, CRGB_INT32, {s.num_boxes});
  View out(output, CRGB_FLOAT32, {s.num_boxes, s.crop_height, s.crop_width, s.depth});
  std::string why;
  InPool in_pool;
  if (call_halide(
          [&] {
            return run_on_host_buffers(variant, {&im, &bx, &bi}, out, [&] {
              return fn(&im.buffer, &bx.buffer, &bi.buffer, nearest, extrapolation_value,
                        &out.buffer);
            });
          },
          &why) == 0)
    return {};
  return {CRGB_INTERNAL, std::string("variant '") + variant.name + "' failed: " + why};
}

Status run_halide_grad_image(const HalideVariant &variant, const Shapes &s,
                             const crgb_tensor &grads, const crgb_tensor &boxes,
                             const crgb_tensor &box_ind, bool nearest, crgb_dtype output_dtype,
                             void *output) {
  HalideGradImagePipeline fn = variant.grad_image_by_dtype[output_dtype];
  if (fn == nullptr) return not_built(variant, CRGB_OP_GRAD_IMAGE, output_dtype);
  View g(grads.data, CRGB_FLOAT32, {s.num_boxes, s.crop_height, s.crop_width, s.depth});
  View bx(boxes.data, CRGB_FLOAT32, {s.num_boxes, 4});
  View bi(box_ind.data, CRGB_INT32, {s.num_boxes});
  View out(output, output_dtype, {s.batch, s.image_height, s.image_width, s.depth});
  std::string why;
  InPool in_pool;
  if (call_halide(
          [&] {
            return run_on_host_buffers(variant, {&g, &bx, &bi}, out, [&] {
              return fn(&g.buffer, &bx.buffer, &bi.buffer, nearest, &out.buffer);
            });
          },
          &why) == 0)
    return {};
  return {CRGB_INTERNAL, std::string("variant '") + variant.name + "' failed: " + why};
}

Status not_built(const HalideVariant &variant, crgb_op op, crgb_dtype dtype) {
  const bool any = [&] {
    for (int t = 0; t < kDtypeCount; ++t) {
      if (op == CRGB_OP_CROP_AND_RESIZE && variant.crop_by_dtype[t]) return true;
      if (op == CRGB_OP_GRAD_IMAGE && variant.grad_image_by_dtype[t]) return true;
      if (op == CRGB_OP_GRAD_BOXES && variant.by_dtype[t]) return true;
    }
    return false;
  }();
  if (!any)
    return {CRGB_UNIMPLEMENTED,
            std::string("variant '") + variant.name + "' does not implement " + crgb_op_name(op)};
  const char *what = op == CRGB_OP_GRAD_IMAGE ? " with output dtype " : " with image dtype ";
  return {CRGB_UNIMPLEMENTED, std::string("variant '") + variant.name + "' is not built for " +
                                  crgb_op_name(op) + what + crgb_dtype_name(dtype)};
}

Status not_built(const HalideVariant &variant, crgb_dtype dtype) {
  return {CRGB_UNIMPLEMENTED, std::string("variant '") + variant.name +
                                  "' is not built for image dtype " + crgb_dtype_name(dtype)};
}

void set_halide_threads(int num_threads) {
  // halide_set_num_threads alone only decides how many workers the pool
  // creates when it starts: once started, a pool of two kept running both
  // after a request for one (measured: W1 took the same time either way).
  // So the pool is shut down, after every running pipeline has finished, and
  // the next call starts one of the new size.
  pool_gate().resize([&] {
    halide_shutdown_thread_pool();
    halide_set_num_threads(num_threads);
  });
}

int call_halide(const std::function<int()> &fn, std::string *message) {
  install_error_handler();
  halide_message.clear();
  in_crgb_pipeline = true;
  const int rc = fn();
  in_crgb_pipeline = false;
  if (rc != 0) {
    std::string why = halide_message.empty() ? "error code " + std::to_string(rc) : halide_message;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    *message = why;
  }
  return rc;
}

}  // namespace crgb::detail
