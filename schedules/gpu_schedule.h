// The hand-written GPU schedules of crop_and_resize and its image gradient,
// written against Halide's GPU scheduling API only, so that one schedule
// serves every GPU target Halide lowers to (CUDA, OpenCL). Deterministic: no
// atomics anywhere, each output element is written by one thread, which
// (for the gradient) adds its contributions in the algorithm's fixed order.
//
// crop_and_resize: one thread per (channel, crop column, crop row, box), 32
// consecutive channels to a warp, so each corner load of a warp is one
// contiguous run of the image's innermost axis; the sampling is computed
// where it is used (a warp's lanes compute the same values in lockstep).
//
// crop_and_resize_grad_image: the sampling tables computed once in their own
// kernels; then one thread per (channel, image) walks its image's boxes'
// samples in order and adds their corner shares. Parallelism is only
// channels x images (W1: 256 x 2 = 512 threads, W4: 2048), enough to stream
// memory on large depths, too little on small ones; the serial walk is the
// price of a fixed order without atomics. A finer owner split (image rows,
// as tiles of the output) is the next step when a GPU can measure it.
//
// Reasoned, not measured: this project's machines have no GPU. The choices
// follow the CUDA programming guide's rules for coalescing; time them on a
// GPU with `crgb bench --op all --variants cuda_sm80`.
#pragma once

#include "Halide.h"
#include "pipeline_stages.h"

namespace crgb {

// Throw Halide::CompileError unless the target has a GPU API.
void apply_gpu_schedule(CropStages &s, const Halide::Target &target);
void apply_gpu_schedule(GradImageStages &s, const Halide::Target &target);

}  // namespace crgb
