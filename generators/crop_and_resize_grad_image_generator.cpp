// CropAndResizeGradImage: the gradient of crop_and_resize with respect to the
// image. Every crop sample's incoming gradient is shared among the pixels it
// was interpolated from (bilinear: four corners, nearest: one).
//
// Deterministic by construction, without atomics: the sum is written with the
// channel d and the image n as pure variables and the samples as the
// reduction domain, so every element (d, x, y, n) adds its contributions in
// one fixed order (box, crop row, crop column, then the corners top-left,
// top-right, bottom-left, bottom-right: TensorFlow's order under op
// determinism) whatever the schedule splits over threads or GPU blocks,
// which may own (channel, image) slices only.
//
// generate() holds the algorithm only; schedule() applies one named schedule.
// The sampling arithmetic is shared with the other two ops (sampling.h).

#include "Halide.h"

#include "conversions.h"
#include "cpu_schedule.h"
#include "gpu_schedule.h"
#include "pipeline_stages.h"
#include "sampling.h"

namespace {

using namespace Halide;

class CropAndResizeGradImage : public Generator<CropAndResizeGradImage> {
 public:
  // T of TensorFlow's op (float16, float32, float64), and bfloat16.
  GeneratorParam<Type> output_type{"output_type", Float(32)};
  // The hand-written CPU schedule schedule() applies (cpu_schedule_names());
  // a target with a GPU API (CUDA, OpenCL) gets the GPU schedule instead.
  GeneratorParam<std::string> schedule_name{"schedule", "avx2"};

  // grads(d, x, y, b): TensorFlow's [num_boxes, crop_height, crop_width, depth].
  Input<Buffer<float, 4>> grads{"grads"};
  // boxes(c, b): TensorFlow's [num_boxes, 4], c = 0..3 for y1, x1, y2, x2.
  Input<Buffer<float, 2>> boxes{"boxes"};
  // box_ind(b): TensorFlow's [num_boxes], values in [0, batch) (validated).
  Input<Buffer<int32_t, 1>> box_ind{"box_ind"};
  // The method: false "bilinear", true "nearest".
  Input<bool> nearest{"nearest"};
  // grad_image(d, x, y, n): TensorFlow's [batch, image_height, image_width,
  // depth] (image_size), of type output_type (set in configure(); bfloat16
  // as its bits, conversions.h).
  Output<Buffer<void, 4>> grad_image{"grad_image"};

  void configure() { grad_image.set_type(crgb::storage_type(output_type)); }

  void generate() {
    crgb::GradImageStages &s = stages_;
    Var d = s.d, x = s.x, y = s.y, n = s.n, b = s.b;
    Expr crop_w = grads.dim(1).extent(), crop_h = grads.dim(2).extent();
    Expr num_boxes = grads.dim(3).extent();
    Expr image_w = grad_image.dim(1).extent(), image_h = grad_image.dim(2).extent();
    const Type t = output_type;

    s.row = Func("row");
    s.row(y, b) = crgb::family_axis_table(boxes(0, b), boxes(2, b), y, crop_h, image_h);
    s.col = Func("col");
    s.col(x, b) = crgb::family_axis_table(boxes(1, b), boxes(3, b), x, crop_w, image_w);

    // The crop rows (columns) of box b whose samples lie inside the image: a
    // contiguous range, as the sample coordinate is monotonic in the crop
    // index (a float product by a growing index, plus a constant); empty
    // (first > last) when none does. As RDom bounds, Halide narrows the loops
    // to them instead of testing every sample.
    auto inside = [&](Func table, Expr extent) {
      RDom r(0, extent, "inside");
      Func range(table.name() + "_inside");
      range(b) = Tuple(minimum(select(table(r, b)[0] != 0, r, extent)),
                       maximum(select(table(r, b)[0] != 0, r, -1)));
      return range;
    };
    s.rows_inside = inside(s.row, crop_h);
    s.cols_inside = inside(s.col, crop_w);

    // Innermost first: corner column, corner row, crop column, crop row, box.
    // Every element (d, x, y, n) so adds its shares in TensorFlow's order.
    s.samples = RDom({{0, 2}, {0, 2}, {0, crop_w}, {0, crop_h}, {0, num_boxes}}, "samples");
    Expr cx = s.samples[0], cy = s.samples[1], sx = s.samples[2], sy = s.samples[3];
    Expr box = s.samples[4];
    Tuple row = s.row(sy, box), col = s.col(sx, box);
    Expr row_index = select(nearest, row[4], select(cy == 0, row[1], row[2]));
    Expr col_index = select(nearest, col[4], select(cx == 0, col[1], col[2]));
    // Image n takes its own boxes; nearest uses one corner.
    s.samples.where(box_ind(box) == n);
    s.samples.where(sy >= s.rows_inside(box)[0] && sy <= s.rows_inside(box)[1]);
    s.samples.where(sx >= s.cols_inside(box)[0] && sx <= s.cols_inside(box)[1]);
    s.samples.where((cx == 0 && cy == 0) || !nearest);

    // TensorFlow's shares, term for term: dtop = (1 - y_lerp) * g, then
    // (1 - x_lerp) * dtop for the left corner; each converted to T and added in T.
    Expr g = grads(d, sx, sy, box);
    Expr y_lerp = row[3], x_lerp = col[3];
    Expr vertical = select(cy == 0, 1.0f - y_lerp, y_lerp) * g;
    Expr share = select(cx == 0, 1.0f - x_lerp, x_lerp) * vertical;
    Expr contribution = select(nearest, g, share);

    grad_image(d, x, y, n) = cast(crgb::storage_type(t), 0);
    Expr sum = grad_image(d, col_index, row_index, n);
    if (t.bits() == 16) {
      // A 16-bit float adds in float32 and rounds back, as Eigen's types do;
      // the conversions are written out where Halide's lose NaN (conversions.h).
      Expr share16 = crgb::to_float(crgb::float_to(t, contribution, get_target()), t, get_target());
      grad_image(d, col_index, row_index, n) = crgb::float_to(
          t, strict_float(crgb::to_float(sum, t, get_target()) + share16), get_target());
    } else {
      grad_image(d, col_index, row_index, n) = strict_float(sum + cast(t, contribution));
    }
    s.grad_image = grad_image;
    s.nearest = nearest;
    s.depth = grads.dim(0).extent();

    // Estimates: W1's shapes (README's workloads).
    grads.set_estimates({{0, 256}, {0, 7}, {0, 7}, {0, 512}});
    boxes.set_estimates({{0, 4}, {0, 512}});
    box_ind.set_estimates({{0, 512}});
    nearest.set_estimate(false);
    grad_image.set_estimates({{0, 256}, {0, 64}, {0, 64}, {0, 2}});
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
  crgb::GradImageStages stages_;
};

}  // namespace

HALIDE_REGISTER_GENERATOR(CropAndResizeGradImage, crop_and_resize_grad_image)
