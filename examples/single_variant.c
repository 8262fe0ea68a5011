/* One variant alone, without the dispatcher: the AVX2 float32 library and the
 * Halide runtime, called through its generated header with Halide buffers.
 * Nothing validates the inputs here (the dispatcher does): the pipeline checks
 * buffer types and shapes and returns non-zero on a mismatch.
 *
 * Build against an installed crgb (docs/c-api.md, "Install"):
 *   cc single_variant.c -I$PREFIX/include -L$PREFIX/lib \
 *      -lcrgb_grad_boxes_avx2_manual_float32 -lcrgb_halide_runtime -lpthread -ldl
 * or with CMake: link crgb::grad_boxes_avx2_float32. */
#include <crgb/halide/HalideRuntime.h>
#include <crgb/variants/avx2/crgb_grad_boxes_avx2_manual_float32.h>

#include <stdio.h>
#include <string.h>

/* A dense row-major NHWC tensor as a Halide buffer: Halide lists dimensions
 * innermost first, so they are reversed. */
static halide_buffer_t buffer(void *data, struct halide_type_t type, int rank, const int *shape,
                              halide_dimension_t *dims) {
  halide_buffer_t b;
  memset(&b, 0, sizeof b);
  int stride = 1;
  for (int i = 0; i < rank; ++i) {
    dims[i].min = 0;
    dims[i].extent = shape[rank - 1 - i];
    dims[i].stride = stride;
    dims[i].flags = 0;
    stride *= dims[i].extent;
  }
  b.host = (uint8_t *)data;
  b.type = type;
  b.dimensions = rank;
  b.dim = dims;
  return b;
}

int main(void) {
  /* The C example's case: the answer is exactly (8, 4, 8, 4). */
  float image_data[9], grads_data[4] = {1, 1, 1, 1};
  float boxes_data[4] = {0.25f, 0.25f, 0.75f, 0.75f}, out[4] = {0};
  int32_t box_ind_data[1] = {0};
  for (int i = 0; i < 9; ++i) image_data[i] = (float)(2 * (i / 3) + i % 3);

  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    printf("skipped: this CPU cannot run the avx2 variant\n");
    return 0;
  }
  const struct halide_type_t f32 = {halide_type_float, 32, 1}, i32 = {halide_type_int, 32, 1};
  halide_dimension_t gd[4], id[4], bd[2], kd[1], od[2];
  halide_buffer_t grads = buffer(grads_data, f32, 4, (const int[]){1, 2, 2, 1}, gd);
  halide_buffer_t image = buffer(image_data, f32, 4, (const int[]){1, 3, 3, 1}, id);
  halide_buffer_t boxes = buffer(boxes_data, f32, 2, (const int[]){1, 4}, bd);
  halide_buffer_t box_ind = buffer(box_ind_data, i32, 1, (const int[]){1}, kd);
  halide_buffer_t output = buffer(out, f32, 2, (const int[]){1, 4}, od);

  int rc = crgb_grad_boxes_avx2_manual_float32(&grads, &image, &boxes, &box_ind, &output);
  printf("crgb_grad_boxes_avx2_manual_float32: rc %d, %g %g %g %g\n", rc, out[0], out[1], out[2],
         out[3]);
  return rc == 0 && out[0] == 8 && out[1] == 4 && out[2] == 8 && out[3] == 4 ? 0 : 1;
}
