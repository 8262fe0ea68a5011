// The hand-written CPU schedule, one shape for every CPU target; the per-target
// files beside this one choose its tunables and record where they were tuned.
//
// Shape: parallel over chunks of boxes; per box, the crop's row/column sampling
// is computed once, then every sample's channels are accumulated into four
// vector registers (rfactor over the channel lanes) that are summed, in order,
// once per box. Every box is reduced by one thread in a fixed order, so
// results are bit-identical for any thread count.
#pragma once

#include <map>
#include <string>

#include "Halide.h"
#include "pipeline_stages.h"

namespace crgb {

enum class CpuScheduleName { SSE41, AVX2, AVX512, NEON, NEON_FP16 };

inline const std::map<std::string, CpuScheduleName> &cpu_schedule_names() {
  static const std::map<std::string, CpuScheduleName> names = {
      {"sse41", CpuScheduleName::SSE41},         {"avx2", CpuScheduleName::AVX2},
      {"avx512", CpuScheduleName::AVX512},       {"neon", CpuScheduleName::NEON},
      {"neon_fp16", CpuScheduleName::NEON_FP16},
  };
  return names;
}

struct CpuTunables {
  int vector_lanes;          // float32 lanes of one vector register
  int boxes_per_task;        // most boxes per parallel task (fewer when there are few boxes)
  int grads_prefetch_bytes;  // software-prefetch grads about this far ahead (0: off)
  // crop_and_resize: most boxes per parallel task.
  int crop_boxes_per_task = 8;
  // crop_and_resize_grad_image: the most channels per parallel task (a
  // multiple of vector_lanes), and the fewest tasks to split into.
  int grad_image_channels_per_task = 1024;
  int grad_image_min_tasks = 2;
};

inline void schedule_cpu(const CpuTunables &t, PipelineStages &s) {
  using namespace Halide;
  Var bo("bo"), bi("bi"), lane("lane");
  RVar chunk("chunk"), in_chunk("in_chunk");

  s.output.reorder(s.c, s.b).bound(s.c, 0, 4).unroll(s.c);
  // At least 8 tasks when there are 8 boxes or more, so that a few large
  // boxes still spread over the threads (W4 with 40 boxes: 1.6-1.9x faster than
  // 16 boxes per task); at most boxes_per_task boxes, as larger tasks cost
  // less overhead on many small boxes (W3).
  Expr num_boxes = s.output.output_buffer().dim(1).extent();
  Expr boxes_per_task = clamp(num_boxes / 8, 1, t.boxes_per_task);
  s.output.split(s.b, bo, bi, boxes_per_task, TailStrategy::GuardWithIf).parallel(bo);

  // Sampling tables per box, stored once per task: allocating them per box
  // costs a heap allocation each, which shows on small crops (W3).
  s.row.store_at(s.output, bo).compute_at(s.output, bi);
  s.col.store_at(s.output, bo).compute_at(s.output, bi);
  s.box_sums.compute_at(s.output, bi);
  // The channels in vector lanes: each lane accumulates every vector_lanes-th
  // channel of every sample in a register; the lanes are summed, in order,
  // once per box. Channels past the last full vector are masked off.
  Func lanes = s.box_sums.update()
                   .split(s.samples.x, chunk, in_chunk, t.vector_lanes, TailStrategy::GuardWithIf)
                   .rfactor(in_chunk, lane);
  lanes.compute_at(s.output, bi).store_in(MemoryType::Register).vectorize(lane);
  lanes.update().vectorize(lane);
  // The sampling of the current crop row, crop column and the box's image
  // index copied into registers at the loop that moves them. Read from the
  // tables directly, every channel chunk loads them again under the where
  // predicate, where LLVM neither hoists the row's values out of the column
  // loop nor keeps the many table pointers in registers, and Halide clamps
  // each loaded index into the image once more (the tables outlive one box).
  // Per sample that was about 80 instructions besides the channel loop's 4 x 26
  // on W3 (depth 64, AVX-512); now about 30: W3 6-10% faster, W1, W2, W4 1-9%
  // (x86 JIT, 2026-11-29).
  s.row.in(lanes).compute_at(lanes, s.samples.z).store_in(MemoryType::Register);
  s.col.in(lanes).compute_at(lanes, s.samples.y).store_in(MemoryType::Register);
  s.box_ind.in(lanes).compute_at(s.output, bi).store_in(MemoryType::Register);
  // grads is the one large stream (W1: 26 MB, W4: 241 MB) and the hardware
  // prefetchers do not keep it ahead of the corner-pixel gathers interleaved
  // with it: without this prefetch, the same calls with grads held in cache ran
  // 1.7x faster (with it, 1-23%: crgb_lab's "grads cached"). So each
  // channel chunk prefetches its own channels of the crop sample about
  // grads_prefetch_bytes ahead (at least the next sample; past the row's
  // last column that is a later row's or box's sample, as grads is dense;
  // prefetches never fault). A distance in bytes, not in crop rows: two rows
  // are 3.5 KiB on W3 but 112 KiB on W4 (8 KiB ahead: W4 3-24% faster than two
  // rows on the three x86 ISAs, W1-W3 within 7%; x86_*.h).
  // One prefetch per vector of channels, not a region: Halide's prefetch of a
  // wider region steps 64 elements where it means 64 bytes (Halide 21, x86),
  // missing 3 lines of 4.
  if (t.grads_prefetch_bytes > 0) {
    Expr sample_bytes = s.grads.dim(0).extent() * 4;
    Expr samples_ahead = max(1, t.grads_prefetch_bytes / sample_bytes);
    lanes.update().prefetch(s.grads, chunk, s.samples.y, samples_ahead,
                            PrefetchBoundStrategy::NonFaulting);
  }
  // A second copy of the loop nest for depths that fill whole vectors (every
  // built-in workload), without the guards of a partial last vector: 3-6%
  // faster on W1 and W3 (x86 JIT, 2026-11-29). Other depths take the general
  // loop; the tests run both.
  lanes.update().specialize(s.grads.dim(0).extent() % t.vector_lanes == 0);
}

// The schedule of a name of cpu_schedule_names(); throws Halide::CompileError
// for any other.
CpuScheduleName cpu_schedule_by_name(const std::string &name);

// The tunables of a schedule, after checking that the target has its
// instruction set (Halide::CompileError if not).
CpuTunables cpu_tunables(CpuScheduleName name, const Halide::Target &target);

void apply_cpu_schedule(CpuScheduleName name, PipelineStages &s, const Halide::Target &target);

// crop_and_resize: parallel over chunks of boxes; per box the row and column
// sampling once; every sample's channels in vector lanes (contiguous loads of
// the four corners, no gathers). A specialization for "nearest".
void apply_cpu_schedule(CpuScheduleName name, CropStages &s, const Halide::Target &target);

// crop_and_resize_grad_image: the sum parallel over (channel block, image):
// each task walks the boxes of its image in order and adds every sample's
// corner shares as vector read-modify-writes of its channels. Each element is
// owned by one task, so the order of its sum is the algorithm's for any
// thread count. The sampling tables are computed once (every task reads them).
void apply_cpu_schedule(CpuScheduleName name, GradImageStages &s, const Halide::Target &target);

}  // namespace crgb
