// crgb crop-and-resize: TensorFlow's CropAndResize on .npy inputs, written as .npy.
#include <crgb/crgb.hpp>

#include "commands.h"
#include "op_command.h"

namespace crgb::cli {
namespace {

const char kUsage[] =
    "usage: crgb crop-and-resize --image I.npy --boxes B.npy --box-ind K.npy --crop-size CH,CW\n"
    "                            --out O.npy [--method bilinear|nearest]\n"
    "                            [--extrapolation-value V] [--variant NAME] [--threads N]\n"
    "\n"
    "Computes TensorFlow's CropAndResize and writes the [num_boxes, CH, CW, depth] float32\n"
    "crops to O.npy. Inputs are NHWC .npy files:\n"
    "  --image       [batch, image_height, image_width, depth] uint8, uint16, int8,\n"
    "                int16, int32, int64, float16, float32, float64 or bfloat16 (as\n"
    "                ml_dtypes saves it)\n"
    "  --boxes       [num_boxes, 4] float32, rows (y1, x1, y2, x2) normalized\n"
    "  --box-ind     [num_boxes] int32, values in [0, batch)\n"
    "  --crop-size   CH,CW: the crop height and width, int32\n"
    "  --out         the result; written only on success, atomically\n"
    "  --method      'bilinear' (the default) or 'nearest'\n"
    "  --extrapolation-value\n"
    "                the value of samples outside the image (default 0)\n" CRGB_CLI_OP_USAGE_TAIL;

int run(const Args &args) {
  const Flags flags = parse_op_flags("crop-and-resize", args,
                                     {{"image", true},
                                      {"boxes", true},
                                      {"box-ind", true},
                                      {"crop-size", true},
                                      {"extrapolation-value", true}});
  const OpOptions opts = op_options(flags, {"image", "boxes", "box-ind", "crop-size"});
  // Any count goes to the op, which rejects a wrong one as TensorFlow does.
  const std::vector<int32_t> crop_size = parse_int32_list(flags, "crop-size");
  const float extrapolation_value = parse_float(flags, "extrapolation-value", 0.0f);
  const npy::Array image = load_input(flags, "image");
  const npy::Array boxes = load_input(flags, "boxes");
  const npy::Array box_ind = load_input(flags, "box-ind");
  const crgb_tensor i = image.tensor(), b = boxes.tensor(), k = box_ind.tensor(),
                    c = host_vector(crop_size);

  // [num_boxes, CH, CW, depth], trusting num_boxes and depth only where the
  // files back them (as grad-boxes does): an empty image or empty boxes make
  // every valid result empty.
  const int64_t rows = boxes.size() > 0 ? output_rows(b) : 0;
  const int64_t depth = image.size() > 0 && i.rank == 4 ? i.shape[3] : 0;
  const bool two = crop_size.size() == 2;
  const std::vector<int64_t> shape = {rows, two ? crop_size[0] : 0, two ? crop_size[1] : 0, depth};
  return run_op(opts, CRGB_FLOAT32, shape, [&](void *out, int64_t elems, crgb_error *err) {
    return crgb_crop_and_resize(&i, &b, &k, &c, opts.method.c_str(), extrapolation_value,
                                variant_arg(opts), static_cast<float *>(out), elems, err);
  });
}

}  // namespace

Command crop_and_resize_command() {
  return {"crop-and-resize", "compute CropAndResize on .npy files", kUsage, run};
}

}  // namespace crgb::cli
