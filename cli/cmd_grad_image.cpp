// crgb grad-image: TensorFlow's CropAndResizeGradImage on .npy inputs, written as .npy.
#include <crgb/crgb.hpp>

#include "commands.h"
#include "op_command.h"

namespace crgb::cli {
namespace {

const char kUsage[] =
    "usage: crgb grad-image --grads G.npy --boxes B.npy --box-ind K.npy --image-size N,H,W,D\n"
    "                       --out O.npy [--dtype float32|float16|float64|bfloat16]\n"
    "                       [--method bilinear|nearest] [--variant NAME] [--threads N]\n"
    "\n"
    "Computes TensorFlow's CropAndResizeGradImage and writes the [N, H, W, D] gradient\n"
    "with respect to the image to O.npy. Inputs are .npy files:\n"
    "  --grads       [num_boxes, crop_height, crop_width, depth] float32\n"
    "  --boxes       [num_boxes, 4] float32, rows (y1, x1, y2, x2) normalized\n"
    "  --box-ind     [num_boxes] int32, values in [0, N)\n"
    "  --image-size  N,H,W,D: the image's batch, height, width and depth, int32\n"
    "  --out         the result; written only on success, atomically\n"
    "  --dtype       of the result: float32 (the default), float16, float64 or\n"
    "                bfloat16 (written as ml_dtypes saves it, descr '<V2')\n"
    "  --method      'bilinear' (the default) or 'nearest'\n" CRGB_CLI_OP_USAGE_TAIL;

// A dtype by its name; which ones the op takes is the library's check.
crgb_dtype parse_dtype(const std::string &name) {
  for (int t = CRGB_UINT8; t <= CRGB_BFLOAT16; ++t)
    if (name == crgb_dtype_name(static_cast<crgb_dtype>(t))) return static_cast<crgb_dtype>(t);
  throw Error(CRGB_INVALID_ARGUMENT,
              "--dtype must be float32, float16, float64 or bfloat16, got '" + name + "'");
}

int run(const Args &args) {
  const Flags flags = parse_op_flags(
      "grad-image", args,
      {{"grads", true}, {"boxes", true}, {"box-ind", true}, {"image-size", true}, {"dtype", true}});
  const OpOptions opts = op_options(flags, {"grads", "boxes", "box-ind", "image-size"});
  // Any count goes to the op, which rejects a wrong one as TensorFlow does.
  const std::vector<int32_t> image_size = parse_int32_list(flags, "image-size");
  const crgb_dtype dtype = parse_dtype(flags.get("dtype", "float32"));
  const npy::Array grads = load_input(flags, "grads");
  const npy::Array boxes = load_input(flags, "boxes");
  const npy::Array box_ind = load_input(flags, "box-ind");
  const crgb_tensor g = grads.tensor(), b = boxes.tensor(), k = box_ind.tensor(),
                    s = host_vector(image_size);

  std::vector<int64_t> shape(image_size.begin(), image_size.end());
  if (shape.size() != 4) shape.assign(4, 0);
  return run_op(opts, dtype, shape, [&](void *out, int64_t elems, crgb_error *err) {
    return crgb_grad_image(&g, &b, &k, &s, dtype, opts.method.c_str(), variant_arg(opts), out,
                           elems, err);
  });
}

}  // namespace

Command grad_image_command() {
  return {"grad-image", "compute CropAndResizeGradImage on .npy files", kUsage, run};
}

}  // namespace crgb::cli
