// CropAndResize, TensorFlow's forward op: every box of every image resampled
// to crop_height x crop_width, bilinear or nearest, extrapolation_value where
// a sample falls outside the image.
//
// generate() holds the algorithm only; schedule() applies one named schedule
// from schedules/ (CPU or GPU). The sampling arithmetic is shared with the
// two gradients (sampling.h). Every index is clamped into the image, so a
// sample outside it (or NaN) reads a valid pixel and discards it. The lerps
// run under strict_float, in TensorFlow's order (no fused multiply-adds), so
// every variant reproduces TensorFlow's float32 result.

#include "Halide.h"

#include "conversions.h"
#include "cpu_schedule.h"
#include "gpu_schedule.h"
#include "pipeline_stages.h"
#include "sampling.h"

namespace {

using namespace Halide;

class CropAndResize : public Generator<CropAndResize> {
 public:
  GeneratorParam<Type> image_type{"image_type", Float(32)};
  // The hand-written CPU schedule schedule() applies (cpu_schedule_names());
  // a target with a GPU API (CUDA, OpenCL) gets the GPU schedule instead.
  GeneratorParam<std::string> schedule_name{"schedule", "avx2"};

  // image(d, x, y, n): TensorFlow's [batch, image_height, image_width, depth],
  // of type image_type (set in configure(); bfloat16 as its bits, conversions.h).
  Input<Buffer<void, 4>> image{"image"};
  // boxes(c, b): TensorFlow's [num_boxes, 4], c = 0..3 for y1, x1, y2, x2.
  Input<Buffer<float, 2>> boxes{"boxes"};
  // box_ind(b): TensorFlow's [num_boxes], the image each box crops.
  Input<Buffer<int32_t, 1>> box_ind{"box_ind"};
  // The method: false "bilinear", true "nearest".
  Input<bool> nearest{"nearest"};
  // The value of samples outside the image.
  Input<float> extrapolation_value{"extrapolation_value"};
  // crops(d, x, y, b): TensorFlow's [num_boxes, crop_height, crop_width, depth];
  // its extents give the crop size.
  Output<Buffer<float, 4>> crops{"crops"};

  void configure() { image.set_type(crgb::storage_type(image_type)); }

  void generate() {
    crgb::CropStages &s = stages_;
    Var d = s.d, x = s.x, y = s.y, b = s.b;
    Expr crop_w = crops.dim(1).extent(), crop_h = crops.dim(2).extent();
    Expr image_w = image.dim(1).extent(), image_h = image.dim(2).extent();
    Expr batch = image.dim(3).extent();

    s.row = Func("row");
    s.row(y, b) = crgb::family_axis_table(boxes(0, b), boxes(2, b), y, crop_h, image_h);
    s.col = Func("col");
    s.col(x, b) = crgb::family_axis_table(boxes(1, b), boxes(3, b), x, crop_w, image_w);
    // Validated by the caller; the clamp keeps every read inside the image.
    Expr n = clamp(box_ind(b), 0, batch - 1);

    Expr top = s.row(y, b)[1], bottom = s.row(y, b)[2], y_lerp = s.row(y, b)[3];
    Expr left = s.col(x, b)[1], right = s.col(x, b)[2], x_lerp = s.col(x, b)[3];
    Expr tl = crgb::to_float(image(d, left, top, n), image_type, get_target());
    Expr tr = crgb::to_float(image(d, right, top, n), image_type, get_target());
    Expr bl = crgb::to_float(image(d, left, bottom, n), image_type, get_target());
    Expr br = crgb::to_float(image(d, right, bottom, n), image_type, get_target());
    // TensorFlow's lerps, term for term.
    Expr upper = tl + (tr - tl) * x_lerp;
    Expr lower = bl + (br - bl) * x_lerp;
    Expr bilinear = strict_float(upper + (lower - upper) * y_lerp);
    Expr closest =
        crgb::to_float(image(d, s.col(x, b)[4], s.row(y, b)[4], n), image_type, get_target());
    Expr inside = s.row(y, b)[0] != 0 && s.col(x, b)[0] != 0;

    crops(d, x, y, b) = select(inside, select(nearest, closest, bilinear), extrapolation_value);
    s.crops = crops;
    s.nearest = nearest;
    s.depth = image.dim(0).extent();

    // Estimates: W1's shapes (README's workloads), as for the gradient.
    image.set_estimates({{0, 256}, {0, 64}, {0, 64}, {0, 2}});
    boxes.set_estimates({{0, 4}, {0, 512}});
    box_ind.set_estimates({{0, 512}});
    nearest.set_estimate(false);
    extrapolation_value.set_estimate(0.0f);
    crops.set_estimates({{0, 256}, {0, 7}, {0, 7}, {0, 512}});
  }

  void schedule() {
    if (using_autoscheduler()) return;
    if (get_target().has_gpu_feature()) {
      crgb::apply_gpu_schedule(stages_, get_target());
      return;
    }
    crgb::apply_cpu_schedule(crgb::cpu_schedule_by_name(schedule_name), stages_, get_target());
  }

 private:
  crgb::CropStages stages_;
};

}  // namespace

HALIDE_REGISTER_GENERATOR(CropAndResize, crop_and_resize)
