// The Halide-generated variants linked into this build: a table that
// cmake/CrgbVariants.cmake generates (halide_variants.cpp.in) from its rows.
#pragma once

#include <crgb/crgb.h>

#include <cstdint>

struct halide_buffer_t;

namespace crgb::detail {

// The pipelines of each op share one signature; buffers are Halide's
// reversed-NHWC views (buffer_view.h).
// grad_boxes: (grads, image, boxes, box_ind, output).
using HalidePipeline = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                               halide_buffer_t *, halide_buffer_t *);
// crop_and_resize: (image, boxes, box_ind, nearest, extrapolation_value, crops).
using HalideCropPipeline = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *, bool,
                                   float, halide_buffer_t *);
// grad_image: (grads, boxes, box_ind, nearest, grad_image).
using HalideGradImagePipeline = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                                        bool, halide_buffer_t *);

// A CUDA variant's device-side data checks (generators/device_check_generator.cpp):
// (boxes, box_ind, batch, worst), all buffers in device memory.
using HalideDeviceCheck = int (*)(halide_buffer_t *, halide_buffer_t *, int32_t, halide_buffer_t *);

constexpr int kDtypeCount = CRGB_BFLOAT16 + 1;

struct HalideVariant {
  const char *name;
  const char *target;    // the pinned Halide target string
  const char *features;  // CPU features it needs (cpu_features.h); CUDA: "sm_XY"; OpenCL: "opencl"
  int auto_rank;         // > 0: candidate for the automatic choice, higher preferred
  crgb_device device;    // where its data lives: host memory, or a CUDA device
  bool opencl;           // computes on an OpenCL device (host data copied there and back)
  HalideDeviceCheck check;  // CUDA only: the data checks for device-resident inputs
  // Indexed by crgb_dtype (the image's; grad_image: the output's); nullptr:
  // not built (Unimplemented).
  HalidePipeline by_dtype[kDtypeCount];
  HalideCropPipeline crop_by_dtype[kDtypeCount];
  HalideGradImagePipeline grad_image_by_dtype[kDtypeCount];
};

extern const HalideVariant kHalideVariants[];
extern const int kHalideVariantCount;

}  // namespace crgb::detail
