// The Halide-generated variants linked into this build: a table that
// cmake/CrgbVariants.cmake generates (halide_variants.cpp.in) from its rows.
#pragma once

#include <crgb/crgb.h>

#include <cstdint>

struct halide_buffer_t;

namespace crgb::detail {

// Every variant's pipelines share one signature: (grads, image, boxes,
// box_ind, output), Halide's reversed-NHWC buffers.
using HalidePipeline = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                               halide_buffer_t *, halide_buffer_t *);

// A CUDA variant's device-side data checks (generators/device_check_generator.cpp):
// (boxes, box_ind, batch, worst), all buffers in device memory.
using HalideDeviceCheck = int (*)(halide_buffer_t *, halide_buffer_t *, int32_t, halide_buffer_t *);

struct HalideVariant {
  const char *name;
  const char *target;          // the pinned Halide target string
  const char *features;        // CPU features it needs (cpu_features.h); for CUDA, "sm_XY"
  int auto_rank;               // > 0: candidate for the automatic choice, higher preferred
  crgb_device device;          // where it computes: host memory, or a CUDA device
  HalideDeviceCheck check;     // CUDA only: the data checks for device-resident inputs
  HalidePipeline by_dtype[9];  // indexed by crgb_dtype; nullptr: not built (Unimplemented)
};

extern const HalideVariant kHalideVariants[];
extern const int kHalideVariantCount;

}  // namespace crgb::detail
