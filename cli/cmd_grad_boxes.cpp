// crgb grad-boxes: runs the op on .npy inputs and writes the result as .npy.
#include <algorithm>
#include <cerrno>
#include <crgb/crgb.hpp>
#include <cstdlib>

#include "commands.h"
#include "flags.h"
#include "npy.h"

namespace crgb::cli {
namespace {

const char kUsage[] =
    "usage: crgb grad-boxes --grads G.npy --image I.npy --boxes B.npy --box-ind K.npy\n"
    "                       --out O.npy [--method bilinear] [--variant NAME] [--threads N]\n"
    "\n"
    "Computes TensorFlow's CropAndResizeGradBoxes and writes the [num_boxes, 4] float32\n"
    "result (d/dy1, d/dx1, d/dy2, d/dx2) to O.npy. Inputs are NHWC .npy files:\n"
    "  --grads    [num_boxes, crop_height, crop_width, depth] float32\n"
    "  --image    [batch, image_height, image_width, depth]   uint8, uint16, int8, int16,\n"
    "                                                          int32, int64, float16,\n"
    "                                                          float32 or float64\n"
    "  --boxes    [num_boxes, 4] float32, rows (y1, x1, y2, x2) normalized\n"
    "  --box-ind  [num_boxes] int32, values in [0, batch)\n"
    "  --out      the result; written only on success, atomically\n"
    "  --method   only 'bilinear' (the default)\n"
    "  --variant  a name from 'crgb variants' (default: automatic, or $CRGB_VARIANT)\n"
    "  --threads  worker threads, 0 = default (results do not depend on it)\n"
    "\n"
    "On error prints one line '<Class>: <message>' to stderr and exits with status 2\n"
    "(1 for Internal errors); no output file is created.\n";

npy::Array load_input(const Flags &flags, const char *flag) {
  try {
    return npy::load_npy(flags.required(flag));
  } catch (const npy::Error &e) {
    throw Error(CRGB_INVALID_ARGUMENT, std::string("--") + flag + ": " + e.what());
  }
}

int parse_threads(const std::string &text) {
  errno = 0;
  char *end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || n < 0 || n > 65536)
    throw Error(CRGB_INVALID_ARGUMENT,
                "--threads must be an integer in [0, 65536], got '" + text + "'");
  return static_cast<int>(n);
}

int run(const Args &args) {
  const Flags flags("grad-boxes", args,
                    {{"grads", true},
                     {"image", true},
                     {"boxes", true},
                     {"box-ind", true},
                     {"out", true},
                     {"method", true},
                     {"variant", true},
                     {"threads", true}});
  // Check every flag before touching a file, so usage errors come first.
  for (const char *f : {"grads", "image", "boxes", "box-ind", "out"}) flags.required(f);
  const std::string out_path = flags.required("out");
  if (out_path.empty()) throw Error(CRGB_INVALID_ARGUMENT, "--out must not be empty");
  const std::string method = flags.get("method", "bilinear");
  const std::string variant = flags.get("variant", "");
  const bool set_threads = flags.has("threads");
  const int threads = set_threads ? parse_threads(flags.required("threads")) : 0;

  const npy::Array grads = load_input(flags, "grads");
  const npy::Array image = load_input(flags, "image");
  const npy::Array boxes = load_input(flags, "boxes");
  const npy::Array box_ind = load_input(flags, "box-ind");
  const crgb_tensor g = grads.tensor(), i = image.tensor(), b = boxes.tensor(),
                    k = box_ind.tensor();

  // The op writes output_rows(boxes) rows. Allocate them only when the file backs
  // that count (a non-empty array holds at least shape[0] elements), so a shape
  // such as [2^60, 0] cannot make us allocate; the op rejects it before writing.
  // The spare 4 floats keep the pointer valid when there are no rows.
  const int64_t rows = boxes.size() > 0 ? output_rows(b) : 0;
  std::vector<float> out(static_cast<size_t>(std::max<int64_t>(rows * 4, 4)));

  if (set_threads) crgb_set_num_threads(threads);
  crgb_error err{};
  const crgb_status s =
      crgb_grad_boxes(&g, &i, &b, &k, method.c_str(), variant.empty() ? nullptr : variant.c_str(),
                      out.data(), rows * 4, &err);
  if (s != CRGB_OK) throw Error(s, err.message);

  try {
    npy::save_npy(out_path, out.data(), {rows, 4});
  } catch (const npy::Error &e) {
    throw Error(CRGB_INVALID_ARGUMENT, std::string("--out: ") + e.what());
  }
  return 0;
}

}  // namespace

Command grad_boxes_command() {
  return {"grad-boxes", "compute CropAndResizeGradBoxes on .npy files", kUsage, run};
}

}  // namespace crgb::cli
