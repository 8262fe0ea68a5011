// The one statement of CropAndResizeGradBoxes (../shared/mission/SEMANTICS.md):
// the gradient of bilinear crop_and_resize with respect to the boxes.
//
// generate() holds the algorithm only; schedule() applies one named schedule
// from schedules/ (CPU or GPU), or none when an autoscheduler is in charge.
//
// Safety by construction: every computed index is clamped into its buffer, and
// a sample whose coordinate is NaN or outside the image is excluded by the
// reduction's predicate, so it is never read. The coordinate arithmetic runs
// under strict_float: Halide otherwise compiles float math with fast-math flags,
// under which LLVM may fuse y1 * (H - 1) + y * scale into an FMA (moving a
// sample off an integer coordinate, where TensorFlow's kink lives) or fold a
// NaN comparison away.

#include "Halide.h"

#include "auto_schedule.h"
#include "conversions.h"
#include "cpu_schedule.h"
#include "grad_boxes_gpu_schedule.h"
#include "pipeline_stages.h"
#include "sampling.h"

namespace {

using namespace Halide;

// The sampling of one axis as a Tuple of the row and col tables:
// {ok, low index, high index, lerp, weight of lo, weight of hi}.
// lo, hi: the box's normalized start and end; i: the crop index; crop: crop
// size along the axis; size: image size along the axis; ok_type: the in-image
// flag's type.
Tuple axis_sampling(Expr lo, Expr hi, Expr i, Expr crop, Expr size, Type ok_type) {
  crgb::AxisSample s = crgb::sample_axis(lo, hi, i, crop, size, crgb::Step::kRatio);
  Expr w_lo = select(crop > 1, s.last - cast<float>(i) * s.ratio, 0.5f * s.last);
  Expr w_hi = select(crop > 1, cast<float>(i) * s.ratio, 0.5f * s.last);
  return {cast(ok_type, s.ok), s.low, s.high, s.lerp, strict_float(w_lo), strict_float(w_hi)};
}

class CropAndResizeGradBoxes : public Generator<CropAndResizeGradBoxes> {
 public:
  GeneratorParam<Type> image_type{"image_type", Float(32)};
  // Which hand-written CPU schedule schedule() applies (cpu_schedule_names());
  // a target with a GPU API (CUDA, OpenCL) gets the GPU schedule instead.
  // Ignored when an autoscheduler is set.
  GeneratorParam<std::string> schedule_name{"schedule", "avx2"};
  // When set, the checked-in autoscheduled schedule of that name
  // (schedules/auto/, e.g. x86_avx2_adams2019) instead of the hand-written one.
  GeneratorParam<std::string> autoscheduled{"autoscheduled", ""};
  // (Halide reserves the name "auto_schedule".)

  // grads(d, x, y, b): TensorFlow's [num_boxes, crop_height, crop_width, depth].
  Input<Buffer<float, 4>> grads{"grads"};
  // image(d, x, y, n): TensorFlow's [batch, image_height, image_width, depth],
  // of type image_type (set in configure(); bfloat16 as its bits, conversions.h).
  Input<Buffer<void, 4>> image{"image"};
  // boxes(c, b): TensorFlow's [num_boxes, 4], c = 0..3 for y1, x1, y2, x2.
  Input<Buffer<float, 2>> boxes{"boxes"};
  // box_ind(b): TensorFlow's [num_boxes], the image each box crops.
  Input<Buffer<int32_t, 1>> box_ind{"box_ind"};
  // output(c, b): TensorFlow's [num_boxes, 4], c = d/dy1, d/dx1, d/dy2, d/dx2.
  Output<Buffer<float, 2>> output{"output"};

  void configure() { image.set_type(crgb::storage_type(image_type)); }

  void generate() {
    crgb::PipelineStages &s = stages_;
    Var c = s.c, b = s.b, d = s.d, x = s.x, y = s.y;

    Expr depth = grads.dim(0).extent();
    Expr crop_w = grads.dim(1).extent(), crop_h = grads.dim(2).extent();
    Expr image_w = image.dim(1).extent(), image_h = image.dim(2).extent();
    Expr batch = image.dim(3).extent();

    // The in-image flag: one byte on CPUs (denser tables); on a GPU target 32
    // bits, like the tables' other elements, because Anderson2021 (Halide 21)
    // aborts on a Tuple that mixes 1- and 4-byte elements (its GPUMemInfo
    // check, docs/autoschedulers.md#on-the-gpu).
    const Type ok_type = get_target().has_gpu_feature() ? Int(32) : UInt(8);
    s.row = Func("row");
    s.row(y, b) = axis_sampling(boxes(0, b), boxes(2, b), y, crop_h, image_h, ok_type);
    s.col = Func("col");
    s.col(x, b) = axis_sampling(boxes(1, b), boxes(3, b), x, crop_w, image_w, ok_type);

    // The box index is validated by the caller; the clamp keeps every read
    // inside the image even if it were not.
    Expr n = clamp(box_ind(b), 0, batch - 1);

    // TensorFlow's sum over every crop sample and channel of box b. A sample
    // whose coordinate is NaN or outside the image is excluded by the
    // predicate, so its pixels are never read.
    s.samples = RDom(0, depth, 0, crop_w, 0, crop_h, "samples");
    Expr ch = s.samples.x, sx = s.samples.y, sy = s.samples.z;
    s.samples.where(s.row(sy, b)[0] != 0 && s.col(sx, b)[0] != 0);
    Expr top = s.row(sy, b)[1], bottom = s.row(sy, b)[2], y_lerp = s.row(sy, b)[3];
    Expr left = s.col(sx, b)[1], right = s.col(sx, b)[2], x_lerp = s.col(sx, b)[3];
    Expr tl = crgb::to_float(image(ch, left, top, n), image_type, get_target());
    Expr tr = crgb::to_float(image(ch, right, top, n), image_type, get_target());
    Expr bl = crgb::to_float(image(ch, left, bottom, n), image_type, get_target());
    Expr br = crgb::to_float(image(ch, right, bottom, n), image_type, get_target());
    Expr g = grads(ch, sx, sy, b);
    Expr grad_y = ((1.0f - x_lerp) * (bl - tl) + x_lerp * (br - tr)) * g;
    Expr grad_x = ((1.0f - y_lerp) * (tr - tl) + y_lerp * (br - bl)) * g;

    s.box_sums = Func("box_sums");
    s.box_sums(b) = Tuple(0.0f, 0.0f, 0.0f, 0.0f);
    FuncRef total = s.box_sums(b);
    s.box_sums(b) = Tuple(total[0] + grad_y * s.row(sy, b)[4], total[1] + grad_x * s.col(sx, b)[4],
                          total[2] + grad_y * s.row(sy, b)[5], total[3] + grad_x * s.col(sx, b)[5]);

    output(c, b) = mux(c, {s.box_sums(b)[0], s.box_sums(b)[1], s.box_sums(b)[2], s.box_sums(b)[3]});
    s.output = output;
    s.grads = grads;
    s.box_ind = box_ind;

    // Estimates: W1 of the built-in workloads (README), for the autoschedulers.
    grads.set_estimates({{0, 256}, {0, 7}, {0, 7}, {0, 512}});
    image.set_estimates({{0, 256}, {0, 64}, {0, 64}, {0, 2}});
    boxes.set_estimates({{0, 4}, {0, 512}});
    box_ind.set_estimates({{0, 512}});
    output.set_estimates({{0, 4}, {0, 512}});
  }

  void schedule() {
    if (using_autoscheduler()) return;
    if (!autoscheduled.value().empty()) {
      crgb::apply_auto_schedule(autoscheduled, Pipeline(stages_.output), get_target());
      return;
    }
    if (get_target().has_gpu_feature()) {
      crgb::apply_gpu_schedule(stages_, get_target());
      return;
    }
    const auto &cpu = crgb::cpu_schedule_names();
    auto it = cpu.find(schedule_name.value());
    if (it == cpu.end())
      throw CompileError("unknown schedule '" + schedule_name.value() +
                         "' (a CPU schedule of cpu_schedule_names())");
    crgb::apply_cpu_schedule(it->second, stages_, get_target());
  }

 private:
  crgb::PipelineStages stages_;
};

}  // namespace

HALIDE_REGISTER_GENERATOR(CropAndResizeGradBoxes, crop_and_resize_grad_boxes)
