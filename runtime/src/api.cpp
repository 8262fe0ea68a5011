// The C API: validate, pick a variant, run it into scratch, and only then
// publish to the caller's buffer, so a failure never leaves a partial write.
// (Output in CUDA memory is written by the op's last kernel only, launched
// after everything else succeeded.)
#include <crgb/crgb.h>

#include <HalideRuntime.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <new>
#include <vector>

#include "cuda_call.h"
#include "dtype.h"
#include "fp_env.h"
#include "halide_call.h"
#include "reference.h"
#include "validate.h"
#include "variants.h"

#ifndef CRGB_VERSION_STRING
#error "CRGB_VERSION_STRING must be defined by the build"
#endif

using namespace crgb::detail;

namespace {

crgb_status finish(const Status &s, crgb_error *error) {
  if (error != nullptr) {
    error->status = s.code;
    size_t n = std::min(s.message.size(), sizeof(error->message) - 1);
    std::memcpy(error->message, s.message.data(), n);
    error->message[n] = '\0';
  }
  return s.code;
}

Status compute(const crgb_tensor *grads, const crgb_tensor *image, const crgb_tensor *boxes,
               const crgb_tensor *box_ind, float *output, int64_t output_elems,
               const crgb_options &options) {
  for (void *r : options.reserved)
    if (r != nullptr) return {CRGB_INVALID_ARGUMENT, "crgb_options.reserved must be NULL"};
  const int out_device = enum_value(options.output_device);
  if (out_device != CRGB_DEVICE_HOST && out_device != CRGB_DEVICE_CUDA)
    return {CRGB_INVALID_ARGUMENT, "output has an unknown device " + std::to_string(out_device)};
  Shapes shapes;
  Status s = validate(grads, image, boxes, box_ind, options.method, output, output_elems, &shapes);
  if (!s.ok()) return s;
  const Variant *variant = nullptr;
  bool automatic = false;
  s = find_variant(options.variant, shapes.device, &variant, &automatic);
  if (!s.ok()) return s;
  const bool on_gpu = variant->device == CRGB_DEVICE_CUDA;
  if (out_device == CRGB_DEVICE_CUDA && !on_gpu)
    return {CRGB_INVALID_ARGUMENT, "output is in CUDA memory and variant '" + variant->name +
                                       "' computes on the host: name a CUDA variant"};

  if (variant->halide && !fits_halide_indexing(shapes, image->dtype)) {
    // Too large for 32-bit Halide buffers: the reference indexes in 64 bits,
    // but reads host memory only.
    if (!automatic || on_gpu)
      return {CRGB_INVALID_ARGUMENT,
              "variant '" + variant->name +
                  "' indexes buffers of at most 2^31 - 1 bytes; this input is larger" +
                  (on_gpu ? "" : " (the reference variant runs it)")};
    variant = &variants().front();
  }

  const size_t n = static_cast<size_t>(shapes.num_boxes) * 4;
  if (n == 0) return {};
  CudaPlacement placement{options.cuda_context, options.cuda_stream,
                          static_cast<crgb_device>(out_device)};
  if (on_gpu && out_device == CRGB_DEVICE_CUDA)
    return run_cuda(*variant->halide, shapes, *grads, *image, *boxes, *box_ind, output, placement);
  std::vector<float> result;
  try {
    result.assign(n, 0.0f);
  } catch (const std::bad_alloc &) {
    return {CRGB_INTERNAL, "out of memory for the result"};
  }
  if (on_gpu) {
    s = run_cuda(*variant->halide, shapes, *grads, *image, *boxes, *box_ind, result.data(),
                 placement);
    if (!s.ok()) return s;
  } else if (shapes.depth > 0) {  // depth 0: every sum is empty
    if (variant->halide == nullptr) {
      reference_grad_boxes(shapes, *grads, *image, *boxes, *box_ind, result.data());
    } else {
      s = run_halide(*variant->halide, shapes, *grads, *image, *boxes, *box_ind, result.data());
      if (!s.ok()) return s;
    }
  }
  std::memcpy(output, result.data(), n * sizeof(float));
  return {};
}

CudaPlacement placement(const crgb_options &options) {
  return {options.cuda_context, options.cuda_stream,
          static_cast<crgb_device>(enum_value(options.output_device))};
}

// A host variant writes host memory only; any variant reads one memory.
Status check_output_device(const crgb_options &options, const Variant &variant) {
  if (enum_value(options.output_device) == CRGB_DEVICE_CUDA && variant.device != CRGB_DEVICE_CUDA)
    return {CRGB_INVALID_ARGUMENT, "output is in CUDA memory and variant '" + variant.name +
                                       "' computes on the host: name a CUDA variant"};
  return {};
}

Status check_options(const crgb_options &options) {
  for (void *r : options.reserved)
    if (r != nullptr) return {CRGB_INVALID_ARGUMENT, "crgb_options.reserved must be NULL"};
  const int out_device = enum_value(options.output_device);
  if (out_device != CRGB_DEVICE_HOST && out_device != CRGB_DEVICE_CUDA)
    return {CRGB_INVALID_ARGUMENT, "output has an unknown device " + std::to_string(out_device)};
  return {};
}

// The variant a call of `op` runs, and whether it was chosen automatically.
// A variant asked for by name that lacks the op is Unimplemented; one that
// cannot index the sizes is refused, or replaced by the reference when the
// choice was automatic (the reference indexes in 64 bits).
Status choose(const crgb_options &options, const Shapes &shapes, crgb_op op, bool fits,
              const Variant **out) {
  const Variant *variant = nullptr;
  bool automatic = false;
  Status s = find_variant(options.variant, shapes.device, &variant, &automatic);
  if (!s.ok()) return s;
  if (((variant_ops(*variant) >> op) & 1) == 0)
    return {CRGB_UNIMPLEMENTED,
            "variant '" + variant->name + "' does not implement " + crgb_op_name(op)};
  s = check_output_device(options, *variant);
  if (!s.ok()) return s;
  if (variant->halide && !fits) {
    if (!automatic || variant->device == CRGB_DEVICE_CUDA)
      return {CRGB_INVALID_ARGUMENT,
              "variant '" + variant->name +
                  "' indexes buffers of at most 2^31 - 1 bytes; this input is larger (the "
                  "reference variant runs it)"};
    variant = &variants().front();
  }
  *out = variant;
  return {};
}

// The forward op and the image gradient write straight into the caller's
// output, which is large (a scratch copy would double the bytes written).
// The rule "nothing written on error" still holds: every check runs before,
// and the pipelines' only allocations (the sampling tables, compute_root)
// happen before their first store to the output. On a CUDA variant the
// output is device scratch copied back (host output) or written by the
// op's kernels after every check passed (device output).
Status compute_crop(const crgb_tensor *image, const crgb_tensor *boxes, const crgb_tensor *box_ind,
                    const crgb_tensor *crop_size, float extrapolation_value, float *output,
                    int64_t output_elems, const crgb_options &options) {
  Status s = check_options(options);
  if (!s.ok()) return s;
  Shapes shapes;
  bool nearest = false;
  s = validate_crop(image, boxes, box_ind, crop_size, options.method, output, output_elems, &shapes,
                    &nearest);
  if (!s.ok()) return s;
  const Variant *variant = nullptr;
  s = choose(options, shapes, CRGB_OP_CROP_AND_RESIZE,
             fits_halide_indexing_crop(shapes, image->dtype), &variant);
  if (!s.ok()) return s;
  if (shapes.num_boxes * shapes.depth == 0) return {};  // an empty result
  if (variant->device == CRGB_DEVICE_CUDA)
    return run_cuda_crop(*variant->halide, shapes, *image, *boxes, *box_ind, nearest,
                         extrapolation_value, output, placement(options));
  if (variant->halide == nullptr) {
    reference_crop_and_resize(shapes, *image, *boxes, *box_ind, nearest, extrapolation_value,
                              output);
    return {};
  }
  return run_halide_crop(*variant->halide, shapes, *image, *boxes, *box_ind, nearest,
                         extrapolation_value, output);
}

Status compute_grad_image(const crgb_tensor *grads, const crgb_tensor *boxes,
                          const crgb_tensor *box_ind, const crgb_tensor *image_size,
                          int output_dtype_value, void *output, int64_t output_elems,
                          const crgb_options &options) {
  Status s = check_options(options);
  if (!s.ok()) return s;
  Shapes shapes;
  bool nearest = false;
  s = validate_grad_image(grads, boxes, box_ind, image_size, output_dtype_value, options.method,
                          output, output_elems, &shapes, &nearest);
  if (!s.ok()) return s;
  const auto output_dtype = static_cast<crgb_dtype>(output_dtype_value);  // validated
  const Variant *variant = nullptr;
  s = choose(options, shapes, CRGB_OP_GRAD_IMAGE,
             fits_halide_indexing_grad_image(shapes, output_dtype), &variant);
  if (!s.ok()) return s;
  const int64_t elems = shapes.batch * shapes.image_height * shapes.image_width * shapes.depth;
  if (elems == 0) return {};
  const int64_t bytes = elems * dtype_bytes(output_dtype);
  if (variant->device == CRGB_DEVICE_CUDA) {
    // No boxes: zeros, without running the pipeline on empty inputs.
    if (shapes.num_boxes == 0)
      return run_cuda_zeros(*variant->halide, shapes, output, bytes, placement(options));
    return run_cuda_grad_image(*variant->halide, shapes, *grads, *boxes, *box_ind, nearest,
                               output_dtype, output, placement(options));
  }
  if (shapes.num_boxes == 0) {
    // Nothing to add: zeros (all-zero bits are +0 in every output dtype).
    // The pipelines are not run on empty inputs, whose NULL data would make
    // the call a bounds query.
    std::memset(output, 0, static_cast<size_t>(bytes));
    return {};
  }
  if (variant->halide == nullptr) {
    reference_grad_image(shapes, *grads, *boxes, *box_ind, nearest, output_dtype, output);
    return {};
  }
  return run_halide_grad_image(*variant->halide, shapes, *grads, *boxes, *box_ind, nearest,
                               output_dtype, output);
}

crgb_status guarded(crgb_error *error, const std::function<Status()> &fn) {
  try {
    // Every variant computes in one floating-point environment, not the
    // caller's (fp_env.h): its rounding mode, FTZ/DAZ or unmasked exceptions
    // would otherwise move samples across TensorFlow's kinks or trap.
    ScopedFpEnv fp_env;
    return finish(fn(), error);
  } catch (const std::exception &e) {
    return finish({CRGB_INTERNAL, e.what()}, error);
  } catch (...) {
    return finish({CRGB_INTERNAL, "unknown exception"}, error);
  }
}

}  // namespace

extern "C" {

crgb_status crgb_grad_boxes(const crgb_tensor *grads, const crgb_tensor *image,
                            const crgb_tensor *boxes, const crgb_tensor *box_ind,
                            const char *method, const char *variant, float *output,
                            int64_t output_elems, crgb_error *error) {
  crgb_options options{};
  options.method = method;
  options.variant = variant;
  return guarded(
      error, [&] { return compute(grads, image, boxes, box_ind, output, output_elems, options); });
}

crgb_status crgb_grad_boxes_ex(const crgb_tensor *grads, const crgb_tensor *image,
                               const crgb_tensor *boxes, const crgb_tensor *box_ind, float *output,
                               int64_t output_elems, const crgb_options *options,
                               crgb_error *error) {
  const crgb_options defaults{};
  return guarded(error, [&] {
    return compute(grads, image, boxes, box_ind, output, output_elems,
                   options != nullptr ? *options : defaults);
  });
}

crgb_status crgb_crop_and_resize(const crgb_tensor *image, const crgb_tensor *boxes,
                                 const crgb_tensor *box_ind, const crgb_tensor *crop_size,
                                 const char *method, float extrapolation_value, const char *variant,
                                 float *output, int64_t output_elems, crgb_error *error) {
  crgb_options options{};
  options.method = method;
  options.variant = variant;
  return guarded(error, [&] {
    return compute_crop(image, boxes, box_ind, crop_size, extrapolation_value, output, output_elems,
                        options);
  });
}

crgb_status crgb_crop_and_resize_ex(const crgb_tensor *image, const crgb_tensor *boxes,
                                    const crgb_tensor *box_ind, const crgb_tensor *crop_size,
                                    float extrapolation_value, float *output, int64_t output_elems,
                                    const crgb_options *options, crgb_error *error) {
  const crgb_options defaults{};
  return guarded(error, [&] {
    return compute_crop(image, boxes, box_ind, crop_size, extrapolation_value, output, output_elems,
                        options != nullptr ? *options : defaults);
  });
}

crgb_status crgb_grad_image(const crgb_tensor *grads, const crgb_tensor *boxes,
                            const crgb_tensor *box_ind, const crgb_tensor *image_size,
                            crgb_dtype output_dtype, const char *method, const char *variant,
                            void *output, int64_t output_elems, crgb_error *error) {
  crgb_options options{};
  options.method = method;
  options.variant = variant;
  // Any int a C caller passes, read without loading it as the enum type.
  const int dtype = enum_value(output_dtype);
  return guarded(error, [&] {
    return compute_grad_image(grads, boxes, box_ind, image_size, dtype, output, output_elems,
                              options);
  });
}

crgb_status crgb_grad_image_ex(const crgb_tensor *grads, const crgb_tensor *boxes,
                               const crgb_tensor *box_ind, const crgb_tensor *image_size,
                               crgb_dtype output_dtype, void *output, int64_t output_elems,
                               const crgb_options *options, crgb_error *error) {
  const crgb_options defaults{};
  const int dtype = enum_value(output_dtype);  // as in crgb_grad_image
  return guarded(error, [&] {
    return compute_grad_image(grads, boxes, box_ind, image_size, dtype, output, output_elems,
                              options != nullptr ? *options : defaults);
  });
}

crgb_status crgb_cuda_release(void *cuda_context) {
  return guarded(nullptr, [&] { return release_cuda(cuda_context); });
}

int crgb_variant_count(void) {
  return static_cast<int>(variants().size());
}

int crgb_variant_get(int index, crgb_variant_info *info) {
  const auto &list = variants();
  if (info == nullptr || index < 0 || index >= static_cast<int>(list.size())) return -1;
  const Variant &v = list[index];
  info->name = v.name.c_str();
  info->target = v.target.c_str();
  info->available = is_available(v) ? 1 : 0;
  info->selected = automatic_selection().variant == &v ? 1 : 0;
  info->ops = variant_ops(v);
  return 0;
}

const char *crgb_selected_variant(void) {
  return automatic_selection().name.c_str();
}

int crgb_set_num_threads(int num_threads) {
  static std::atomic<int> current{0};
  if (num_threads < 0) num_threads = 0;
  set_halide_threads(num_threads);
  return current.exchange(num_threads);
}

const char *crgb_status_name(crgb_status status) {
  switch (enum_value(status)) {  // any int a C caller passes
    case CRGB_OK: return "Ok";
    case CRGB_INVALID_ARGUMENT: return "InvalidArgument";
    case CRGB_OUT_OF_RANGE: return "OutOfRange";
    case CRGB_UNIMPLEMENTED: return "Unimplemented";
    case CRGB_UNAVAILABLE: return "Unavailable";
    case CRGB_INTERNAL: return "Internal";
  }
  return "Unknown";
}

const char *crgb_op_name(crgb_op op) {
  switch (enum_value(op)) {
    case CRGB_OP_GRAD_BOXES: return "grad_boxes";
    case CRGB_OP_CROP_AND_RESIZE: return "crop_and_resize";
    case CRGB_OP_GRAD_IMAGE: return "grad_image";
  }
  return "unknown";
}

const char *crgb_dtype_name(crgb_dtype dtype) {
  return dtype_valid(dtype) ? dtype_name(static_cast<crgb_dtype>(enum_value(dtype))) : "unknown";
}

int crgb_dtype_size(crgb_dtype dtype) {
  return dtype_valid(dtype) ? dtype_bytes(static_cast<crgb_dtype>(enum_value(dtype))) : 0;
}

const char *crgb_version(void) {
  return CRGB_VERSION_STRING;
}

}  // extern "C"
