// The Halide-generated variants linked into this build: a table that
// cmake/CrgbVariants.cmake generates (halide_variants.cpp.in) from its rows.
#pragma once

struct halide_buffer_t;

namespace crgb::detail {

// Every variant's pipelines share one signature: (grads, image, boxes,
// box_ind, output), Halide's reversed-NHWC buffers.
using HalidePipeline = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *,
                               halide_buffer_t *, halide_buffer_t *);

struct HalideVariant {
  const char *name;
  const char *target;    // the pinned Halide target string
  const char *features;  // CPU features it needs (cpu_features.h)
  int auto_rank;         // > 0: candidate for the automatic choice, higher preferred
  HalidePipeline by_dtype[9];  // indexed by crgb_dtype; nullptr: not built (Unimplemented)
};

extern const HalideVariant kHalideVariants[];
extern const int kHalideVariantCount;

} // namespace crgb::detail
