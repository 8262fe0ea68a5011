/* crgb from C: the gradient of crop_and_resize with respect to one box, on
 * every variant this CPU runs, checked against the known answer.
 *
 * Build against an installed crgb (docs/c-api.md, "Install"):
 *   cc example.c $(pkg-config --cflags --static --libs crgb) -o example_c
 * or with CMake: find_package(crgb) and link crgb::crgb (CMakeLists.txt here). */
#include <crgb/crgb.h>

#include <stdio.h>
#include <string.h>

int main(void) {
  /* A 3x3 one-channel image I(y, x) = 2y + x, one box (y1, x1, y2, x2) =
   * (0.25, 0.25, 0.75, 0.75) cropped to 2x2 with upstream gradients of 1.
   * The samples fall at pixel coordinates 0.5 and 1.5, where dI/dy = 2 and
   * dI/dx = 1, so the box gradient is exactly (8, 4, 8, 4). */
  float image_data[9];
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 3; ++x) image_data[y * 3 + x] = (float)(2 * y + x);
  const float grads_data[4] = {1, 1, 1, 1};
  const float boxes_data[4] = {0.25f, 0.25f, 0.75f, 0.75f};
  const int32_t box_ind_data[1] = {0};
  const float expected[4] = {8, 4, 8, 4};

  crgb_tensor grads = {grads_data, CRGB_FLOAT32, 4, {1, 2, 2, 1}, CRGB_DEVICE_HOST};
  crgb_tensor image = {image_data, CRGB_FLOAT32, 4, {1, 3, 3, 1}, CRGB_DEVICE_HOST};
  crgb_tensor boxes = {boxes_data, CRGB_FLOAT32, 2, {1, 4}, CRGB_DEVICE_HOST};
  crgb_tensor box_ind = {box_ind_data, CRGB_INT32, 1, {1}, CRGB_DEVICE_HOST};

#ifdef CRGB_EXPECTED_VERSION /* the version the build system found */
  if (strcmp(crgb_version(), CRGB_EXPECTED_VERSION) != 0) {
    fprintf(stderr, "crgb_version() is %s, the package says %s\n", crgb_version(),
            CRGB_EXPECTED_VERSION);
    return 1;
  }
#endif
  printf("crgb %s, automatic variant: %s\n", crgb_version(), crgb_selected_variant());

  int failures = 0;
  for (int i = 0; i < crgb_variant_count(); ++i) {
    crgb_variant_info info;
    if (crgb_variant_get(i, &info) != 0 || !info.available) continue;
    float out[4] = {0};
    crgb_error err;
    crgb_status s =
        crgb_grad_boxes(&grads, &image, &boxes, &box_ind, "bilinear", info.name, out, 4, &err);
    if (s == CRGB_UNIMPLEMENTED) { /* a variant not built for this dtype */
      printf("%-10s %s\n", info.name, err.message);
      continue;
    }
    if (s != CRGB_OK) {
      fprintf(stderr, "%s: %s: %s\n", info.name, crgb_status_name(s), err.message);
      ++failures;
      continue;
    }
    int ok = memcmp(out, expected, sizeof out) == 0;
    printf("%-10s %g %g %g %g %s\n", info.name, out[0], out[1], out[2], out[3],
           ok ? "ok" : "WRONG");
    failures += !ok;
  }

  /* Bad input is an error, never a crash: box_ind out of range. */
  const int32_t bad_ind_data[1] = {5};
  crgb_tensor bad_ind = {bad_ind_data, CRGB_INT32, 1, {1}, CRGB_DEVICE_HOST};
  float out[4];
  crgb_error err;
  if (crgb_grad_boxes(&grads, &image, &boxes, &bad_ind, NULL, NULL, out, 4, &err) == CRGB_OK) {
    fprintf(stderr, "box_ind 5 of a batch of 1 was accepted\n");
    ++failures;
  } else {
    printf("rejected as expected: %s: %s\n", crgb_status_name(err.status), err.message);
  }
  return failures == 0 ? 0 : 1;
}
