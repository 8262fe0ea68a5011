// The hand-written GPU schedule of the box gradient, written against Halide's
// GPU scheduling API only, so one schedule serves every GPU target Halide
// lowers to: CUDA (variant cuda_sm80) and OpenCL (variant opencl, which CI
// runs on PoCL). Deterministic, no atomics. Every sum is reduced in an order fixed by the schedule
// alone, so a result is bit-identical from run to run on a given GPU and driver.
//
// Shape, three kernels, one launch each:
//   1. partials: one thread per (channel lane, column chunk, crop row, box).
//      A warp's (OpenCL: a work-group row's) 32 lanes take consecutive channels, so each of the
//      four corner loads and the grads load of a warp is one contiguous run of the innermost
//      (depth) axis. Each thread walks its chunk's columns and every 32nd channel in order,
//      accumulating the four sums in registers, and writes them once. Blocks are 4 warps: 4 crop
//      rows of one chunk.
//   2. rows: one thread per (crop row, box) adds that row's 32 x chunks
//      partials, lanes fastest.
//   3. output: one thread per box adds its rows in order and writes the four
//      derivatives.
// Splitting each box over rows and column chunks keeps the GPU busy when
// boxes are few (one box with a 7x7 crop is still 2 blocks; 64x64 is 128),
// and the three-level sum keeps every thread's serial work small for big
// crops (kernel 2 adds 32 x ceil(crop_width / 8) values, kernel 3
// crop_height).
//
// Reasoned, not measured: this project's machines have no GPU, so nothing
// here was timed. The choices follow the op's arithmetic (about 20 flops per
// 5 loads of one channel sample: memory-bound) and the CUDA programming
// guide's rules for coalescing and occupancy. On a GPU, time them with
// `crgb bench --variants cuda_sm80` (host data: includes the copies) or with
// Nsight Systems on cuda_test's device-resident runs.
// - 32 channel lanes: full 32-byte sectors for every dtype, at the cost of
//   idle lanes when depth is not a multiple of 32 (depth 3: 3 of 32).
// - 8 columns per chunk: a 7-wide crop is one chunk, so the partials are
//   32 x crop_height per box (W1: 1.8 MB against 25.7 MB of grads).
// - 4 warps per block: with one-warp blocks an SM holds at most 32 blocks,
//   1024 threads (half of an A100's or H100's 2048); 4 warps lift that limit
//   and waste at most 3 row slots per block (7 rows: 1 of 8).
// - Sampling tables (row, col) are computed per thread where they are used:
//   the 32 lanes of a warp compute the same values in lockstep, so this costs
//   one evaluation per warp and needs no shared memory, whose size would
//   depend on the crop width.
#pragma once

#include "Halide.h"
#include "pipeline_stages.h"

namespace crgb {

// Throws Halide::CompileError unless the target has a GPU API.
void apply_gpu_schedule(PipelineStages &s, const Halide::Target &target);

}  // namespace crgb
