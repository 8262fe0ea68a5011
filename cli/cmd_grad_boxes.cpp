// crgb grad-boxes: runs the op on .npy inputs and writes the result as .npy.
#include <crgb/crgb.hpp>

#include "commands.h"
#include "op_command.h"

namespace crgb::cli {
namespace {

const char kUsage[] =
    "usage: crgb grad-boxes --grads G.npy --image I.npy --boxes B.npy --box-ind K.npy\n"
    "                       --out O.npy [--method bilinear] [--variant NAME] [--threads N]\n"
    "\n"
    "Computes TensorFlow's CropAndResizeGradBoxes and writes the [num_boxes, 4] float32\n"
    "result (d/dy1, d/dx1, d/dy2, d/dx2) to O.npy. Inputs are NHWC .npy files:\n"
    "  --grads       [num_boxes, crop_height, crop_width, depth] float32\n"
    "  --image       [batch, image_height, image_width, depth] uint8, uint16, int8,\n"
    "                int16, int32, int64, float16, float32, float64 or bfloat16 (as\n"
    "                ml_dtypes saves it)\n"
    "  --boxes       [num_boxes, 4] float32, rows (y1, x1, y2, x2) normalized\n"
    "  --box-ind     [num_boxes] int32, values in [0, batch)\n"
    "  --out         the result; written only on success, atomically\n"
    "  --method      only 'bilinear' (the default)\n" CRGB_CLI_OP_USAGE_TAIL;

int run(const Args &args) {
  const Flags flags = parse_op_flags(
      "grad-boxes", args, {{"grads", true}, {"image", true}, {"boxes", true}, {"box-ind", true}});
  const OpOptions opts = op_options(flags, {"grads", "image", "boxes", "box-ind"});
  const npy::Array grads = load_input(flags, "grads");
  const npy::Array image = load_input(flags, "image");
  const npy::Array boxes = load_input(flags, "boxes");
  const npy::Array box_ind = load_input(flags, "box-ind");
  const crgb_tensor g = grads.tensor(), i = image.tensor(), b = boxes.tensor(),
                    k = box_ind.tensor();

  // The op writes output_rows(boxes) rows. Trust that count only when the file
  // backs it (a non-empty array holds at least shape[0] elements), so a shape
  // such as [2^60, 0] cannot make us allocate; the op rejects it before writing.
  const int64_t rows = boxes.size() > 0 ? output_rows(b) : 0;
  return run_op(opts, CRGB_FLOAT32, {rows, 4}, [&](void *out, int64_t elems, crgb_error *err) {
    return crgb_grad_boxes(&g, &i, &b, &k, opts.method.c_str(), variant_arg(opts),
                           static_cast<float *>(out), elems, err);
  });
}

}  // namespace

Command grad_boxes_command() {
  return {"grad-boxes", "compute CropAndResizeGradBoxes on .npy files", kUsage, run};
}

}  // namespace crgb::cli
