// An experiment that Halide's scheduling language cannot state: a software
// prefetch of the next crop sample's corner pixels. Halide's prefetch() bounds
// the pixels of a sample by the whole image (their indices are loaded from the
// sampling tables), so this is a custom lowering pass instead, for the lab's
// JIT builds only (the shipped variants are built by Halide's generator
// driver, which takes no custom passes).
#ifndef CRGB_LAB_CORNER_PREFETCH_H
#define CRGB_LAB_CORNER_PREFETCH_H

#include "Halide.h"

namespace crgb::lab {

// In every channel-chunk loop inside a crop-column loop of the lowered
// pipeline, prefetches the chunk's channels of each corner pixel that the next
// crop column (clamped to the last) will read: one prefetch per distinct image
// load of the loop body, at the load's address with the column index advanced.
Halide::Internal::IRMutator *make_corner_prefetch_pass();

}  // namespace crgb::lab

#endif  // CRGB_LAB_CORNER_PREFETCH_H
