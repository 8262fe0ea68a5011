// A program that links the installed crgb and another Halide-generated library
// with a Halide runtime of its own (crgb_test_other: crgb's generator under
// another function name, for x86-64 with SSE4.1; CMakeLists.txt here).
// Halide runtimes define every symbol weak, so the two link without duplicate
// symbols and the linker keeps one copy of each. Checks that both libraries
// compute, and that crgb's error handler, which every Halide library in the
// process shares, passes the other library's errors on to the handler the
// program installed.
#include <crgb/crgb.h>
#include <crgb/halide/HalideRuntime.h>

#include "crgb_test_other.h"

#include <cstdio>
#include <cstring>
#include <string>

namespace {

std::string app_errors;
void app_error_handler(void *, const char *message) {
  app_errors += message;
}

struct Buffer {
  halide_dimension_t dims[4] = {};
  halide_buffer_t b = {};
  Buffer(void *data, halide_type_t type, std::initializer_list<int> nhwc) {
    int rank = static_cast<int>(nhwc.size()), stride = 1;
    for (int i = 0; i < rank; ++i) {
      dims[i] = {0, nhwc.begin()[rank - 1 - i], stride, 0};
      stride *= dims[i].extent;
    }
    b.host = static_cast<uint8_t *>(data);
    b.type = type;
    b.dimensions = rank;
    b.dim = dims;
  }
};

}  // namespace

int main() {
  if (!__builtin_cpu_supports("sse4.1")) {
    std::printf("skipped: the other library needs SSE4.1\n");
    return 0;
  }
  halide_set_error_handler(app_error_handler);  // before crgb installs its own

  float image[9], grads[4] = {1, 1, 1, 1}, boxes[4] = {0.25f, 0.25f, 0.75f, 0.75f};
  int32_t box_ind[1] = {0};
  for (int i = 0; i < 9; ++i) image[i] = static_cast<float>(2 * (i / 3) + i % 3);
  const float expected[4] = {8, 4, 8, 4};
  int failures = 0;

  crgb_tensor tg = {grads, CRGB_FLOAT32, 4, {1, 2, 2, 1}, CRGB_DEVICE_HOST};
  crgb_tensor ti = {image, CRGB_FLOAT32, 4, {1, 3, 3, 1}, CRGB_DEVICE_HOST};
  crgb_tensor tb = {boxes, CRGB_FLOAT32, 2, {1, 4}, CRGB_DEVICE_HOST};
  crgb_tensor tk = {box_ind, CRGB_INT32, 1, {1}, CRGB_DEVICE_HOST};
  for (int round = 0; round < 2; ++round) {
    float out[4] = {0};
    crgb_error err;
    crgb_status s = crgb_grad_boxes(&tg, &ti, &tb, &tk, nullptr, nullptr, out, 4, &err);
    bool ok = s == CRGB_OK && std::memcmp(out, expected, sizeof out) == 0;
    std::printf("crgb (%s): %g %g %g %g %s\n", crgb_selected_variant(), out[0], out[1], out[2],
                out[3], ok ? "ok" : "WRONG");
    failures += !ok;

    float other_out[4] = {0};
    const halide_type_t f32(halide_type_float, 32), i32(halide_type_int, 32);
    Buffer g(grads, f32, {1, 2, 2, 1}), im(image, f32, {1, 3, 3, 1}), bx(boxes, f32, {1, 4}),
        bi(box_ind, i32, {1}), o(other_out, f32, {1, 4});
    int rc = crgb_test_other(&g.b, &im.b, &bx.b, &bi.b, &o.b);
    ok = rc == 0 && std::memcmp(other_out, expected, sizeof other_out) == 0;
    std::printf("other library: rc %d, %g %g %g %g %s\n", rc, other_out[0], other_out[1],
                other_out[2], other_out[3], ok ? "ok" : "WRONG");
    failures += !ok;

    // A float64 image for the other library's float32 pipeline: its error must
    // reach the program's handler, not vanish into crgb's.
    double image64[9] = {};
    Buffer bad(image64, halide_type_t(halide_type_float, 64), {1, 3, 3, 1});
    app_errors.clear();
    rc = crgb_test_other(&g.b, &bad.b, &bx.b, &bi.b, &o.b);
    ok = rc != 0 && !app_errors.empty();
    std::printf("other library, bad input: rc %d, the program's handler got \"%s\" %s\n", rc,
                app_errors.c_str(), ok ? "ok" : "WRONG");
    failures += !ok;
  }
  return failures == 0 ? 0 : 1;
}
