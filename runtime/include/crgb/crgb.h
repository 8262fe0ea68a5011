/* crgb: TensorFlow's crop_and_resize family, Halide-generated, behind a
 * run-time dispatcher: CropAndResize (crgb_crop_and_resize), its gradient
 * with respect to the image (crgb_grad_image) and with respect to the boxes
 * (crgb_grad_boxes).
 *
 * Stable C ABI. Tensors are described in TensorFlow's order (NHWC, row-major,
 * dense); the library never keeps a pointer after a call returns.
 *
 *   image      [batch, image_height, image_width, depth]    any crgb_dtype
 *   boxes      [num_boxes, 4] rows (y1, x1, y2, x2)         float32
 *   box_ind    [num_boxes]                                   int32
 *   crop_size  [2] (crop_height, crop_width)                 int32, host memory
 *   image_size [4] (batch, image_height, image_width, depth) int32, host memory
 *   grads      [num_boxes, crop_height, crop_width, depth]  float32
 *   crgb_crop_and_resize: output [num_boxes, crop_height, crop_width, depth] float32
 *   crgb_grad_image:      output image_size, of float16, float32, float64 or bfloat16
 *   crgb_grad_boxes:      output [num_boxes, 4] (d/dy1, d/dx1, d/dy2, d/dx2) float32
 * Outputs are caller-owned. On any error nothing is written to the output. */
#ifndef CRGB_CRGB_H
#define CRGB_CRGB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CRGB_API __attribute__((visibility("default")))
#else
#define CRGB_API
#endif

/* Status classes, named after TensorFlow's error codes. */
typedef enum crgb_status {
  CRGB_OK = 0,
  CRGB_INVALID_ARGUMENT = 1,
  CRGB_OUT_OF_RANGE = 2,
  CRGB_UNIMPLEMENTED = 3,
  CRGB_UNAVAILABLE = 4,
  CRGB_INTERNAL = 5
} crgb_status;

/* Element types. Only the image (and grad_image's output) may be other than
 * float32 (grads, boxes) and int32 (box_ind, crop_size, image_size). */
typedef enum crgb_dtype {
  CRGB_UINT8 = 0,
  CRGB_UINT16 = 1,
  CRGB_INT8 = 2,
  CRGB_INT16 = 3,
  CRGB_INT32 = 4,
  CRGB_INT64 = 5,
  CRGB_FLOAT16 = 6,
  CRGB_FLOAT32 = 7,
  CRGB_FLOAT64 = 8,
  CRGB_BFLOAT16 = 9 /* the upper half of a float32, as ml_dtypes and PyTorch store it */
} crgb_dtype;

/* The ops, as bits of crgb_variant_info.ops. */
typedef enum crgb_op {
  CRGB_OP_GRAD_BOXES = 0,
  CRGB_OP_CROP_AND_RESIZE = 1,
  CRGB_OP_GRAD_IMAGE = 2
} crgb_op;

/* Where a tensor's data lives. CRGB_DEVICE_CUDA: data is a CUDA device
 * pointer (CUdeviceptr), usable in the context the call runs in (see
 * crgb_options). grads, image, boxes and box_ind must all be in one memory. */
typedef enum crgb_device { CRGB_DEVICE_HOST = 0, CRGB_DEVICE_CUDA = 1 } crgb_device;

#define CRGB_MAX_RANK 8

/* A dense row-major tensor: shape[0] is the slowest-varying dimension. */
typedef struct crgb_tensor {
  const void *data;
  crgb_dtype dtype;
  int32_t rank;                 /* 0 .. CRGB_MAX_RANK */
  int64_t shape[CRGB_MAX_RANK]; /* entries past rank are ignored */
  crgb_device device;
} crgb_tensor;

/* Filled in by every call that takes one; message is NUL-terminated. */
typedef struct crgb_error {
  crgb_status status;
  char message[512];
} crgb_error;

/* Computes the op. method must be "bilinear" (NULL means "bilinear").
 * variant: NULL or "" picks automatically (or from the environment variable
 * CRGB_VARIANT); otherwise a name from crgb_variant_get().
 * output (host memory) must hold output_elems >= 4 * num_boxes floats.
 * error may be NULL. Returns error->status. Thread-safe.
 * The same as crgb_grad_boxes_ex with options {method, variant} and the rest
 * zero: inputs in CUDA memory run there and the result comes back to output. */
CRGB_API crgb_status crgb_grad_boxes(const crgb_tensor *grads, const crgb_tensor *image,
                                     const crgb_tensor *boxes, const crgb_tensor *box_ind,
                                     const char *method, const char *variant, float *output,
                                     int64_t output_elems, crgb_error *error);

/* Per-call options of crgb_grad_boxes_ex. Zero-initialise, then set fields:
 *   crgb_options o = {0};
 * Zero means: method "bilinear", automatic variant, host output, and for
 * CUDA the default context and stream below.
 *
 * CUDA (variants named cuda_*, listed available when a driver and a GPU of
 * their compute capability are present; the driver is loaded at run time):
 *  - Inputs in CUDA memory run on a CUDA variant, the automatic choice being
 *    the best available one (CRGB_VARIANT applies to host data only). They
 *    are read in place, never copied to the host. box_ind's range and the
 *    boxes' finiteness are checked on the GPU; only the 4-byte verdict comes
 *    back, so such a call waits once for its stream before the op is queued.
 *  - Host inputs run on the GPU only when a CUDA variant is named (here or in
 *    CRGB_VARIANT): they are copied to the device once per call.
 *  - Every kernel and copy goes on cuda_stream (a CUstream; NULL: the
 *    context's legacy default stream; not CU_STREAM_PER_THREAD, whose one
 *    handle means another stream on each thread) in cuda_context (a
 *    CUcontext; NULL: the calling thread's current context, else the context
 *    owning grads' memory, else the device's primary context, device 0 for
 *    host inputs).
 *  - output_device CRGB_DEVICE_CUDA: output is a device pointer, written in
 *    stream order; the call returns without waiting for the op. Host output:
 *    the call returns when the result is in output.
 *  - Results are bit-identical from run to run (no atomics in the sums).
 *  - Device scratch memory is kept in Halide's allocation cache and reused by
 *    later calls on the same stream; crgb_cuda_release() gives it back. */
typedef struct crgb_options {
  const char *method;        /* NULL: "bilinear" */
  const char *variant;       /* NULL or "": automatic */
  crgb_device output_device; /* where output points */
  void *cuda_context;        /* CUcontext, or NULL */
  void *cuda_stream;         /* CUstream in that context, or NULL */
  void *reserved[4];         /* must be NULL (room for later options) */
} crgb_options;

/* crgb_grad_boxes with options (NULL: all zero). Output in CUDA memory needs
 * a CUDA variant; host variants read and write host memory only. */
CRGB_API crgb_status crgb_grad_boxes_ex(const crgb_tensor *grads, const crgb_tensor *image,
                                        const crgb_tensor *boxes, const crgb_tensor *box_ind,
                                        float *output, int64_t output_elems,
                                        const crgb_options *options, crgb_error *error);

/* CropAndResize: crops [num_boxes, crop_height, crop_width, depth] float32
 * from image (any dtype), each value converted to float32 before use.
 * method "bilinear" (NULL) or "nearest"; extrapolation_value fills samples
 * outside the image. output must hold output_elems >= num_boxes *
 * crop_height * crop_width * depth floats. Otherwise as crgb_grad_boxes. */
CRGB_API crgb_status crgb_crop_and_resize(const crgb_tensor *image, const crgb_tensor *boxes,
                                          const crgb_tensor *box_ind, const crgb_tensor *crop_size,
                                          const char *method, float extrapolation_value,
                                          const char *variant, float *output, int64_t output_elems,
                                          crgb_error *error);
/* crgb_crop_and_resize with options (NULL: all zero; options->method is the method). */
CRGB_API crgb_status crgb_crop_and_resize_ex(const crgb_tensor *image, const crgb_tensor *boxes,
                                             const crgb_tensor *box_ind,
                                             const crgb_tensor *crop_size,
                                             float extrapolation_value, float *output,
                                             int64_t output_elems, const crgb_options *options,
                                             crgb_error *error);

/* CropAndResizeGradImage: the gradient with respect to an image of shape
 * image_size, as output_dtype (CRGB_FLOAT16, CRGB_FLOAT32, CRGB_FLOAT64 or
 * CRGB_BFLOAT16), each element summed in T in one fixed order (TensorFlow's
 * under op determinism), bit-identical for any variant run to run and for any
 * thread count. method "bilinear" (NULL) or "nearest". output must hold
 * output_elems >= the product of image_size elements of output_dtype. */
CRGB_API crgb_status crgb_grad_image(const crgb_tensor *grads, const crgb_tensor *boxes,
                                     const crgb_tensor *box_ind, const crgb_tensor *image_size,
                                     crgb_dtype output_dtype, const char *method,
                                     const char *variant, void *output, int64_t output_elems,
                                     crgb_error *error);
/* crgb_grad_image with options (NULL: all zero; options->method is the method). */
CRGB_API crgb_status crgb_grad_image_ex(const crgb_tensor *grads, const crgb_tensor *boxes,
                                        const crgb_tensor *box_ind, const crgb_tensor *image_size,
                                        crgb_dtype output_dtype, void *output, int64_t output_elems,
                                        const crgb_options *options, crgb_error *error);

/* Before destroying a CUDA context that crgb ran in: waits for nothing,
 * frees the device memory crgb keeps cached (in every context) and unloads
 * crgb's kernels from that context. NULL: only the cached memory. Returns
 * CRGB_OK, or CRGB_UNAVAILABLE when no CUDA driver is loaded. */
CRGB_API crgb_status crgb_cuda_release(void *cuda_context);

/* What the dispatcher can run. */
typedef struct crgb_variant_info {
  const char *name;   /* "reference", "sse41", "avx2", "avx512", ... */
  const char *target; /* the pinned Halide target string, or "c++" */
  int available;      /* this machine can run it (CPU features; for cuda_*, a GPU) */
  int selected;       /* it is what an automatic call uses */
  int ops;            /* the ops it implements: bit (1 << crgb_op) set for each */
} crgb_variant_info;

CRGB_API int crgb_variant_count(void);
/* Returns 0 and fills *info for 0 <= index < crgb_variant_count(), else -1. */
CRGB_API int crgb_variant_get(int index, crgb_variant_info *info);
/* The name an automatic call uses: CRGB_VARIANT if set, else the best
 * available variant. Resolved once and cached. */
CRGB_API const char *crgb_selected_variant(void);

/* Worker threads of the Halide variants, process-wide (Halide's thread pool is
 * one per process). 0 restores the default (HL_NUM_THREADS, else the number of
 * cores). Results do not depend on it. Returns the previous setting.
 * Takes effect at once: it waits for calls of host Halide variants running on
 * other threads to finish, then shuts Halide's thread pool down, so that the next call starts
 * one of the new size. Another Halide-generated library in the same process
 * shares that pool: do not call this while it is running a pipeline. */
CRGB_API int crgb_set_num_threads(int num_threads);

/* "InvalidArgument", "OutOfRange", ... for a status; "Ok" for CRGB_OK. */
CRGB_API const char *crgb_status_name(crgb_status status);
/* Name of a dtype as NumPy and TensorFlow spell it: "uint8", ..., "float16". */
CRGB_API const char *crgb_dtype_name(crgb_dtype dtype);
/* "grad_boxes", "crop_and_resize", "grad_image"; "unknown" for another value. */
CRGB_API const char *crgb_op_name(crgb_op op);
/* Bytes per element of a dtype; 0 for an unknown one. */
CRGB_API int crgb_dtype_size(crgb_dtype dtype);
CRGB_API const char *crgb_version(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CRGB_CRGB_H */
