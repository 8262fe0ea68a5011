// crgb's three ops as a TensorFlow custom op library (crgb/_crgb_tf_ops.so,
// loaded by crgb/tensorflow.py with tf.load_op_library):
//
//   CrgbCropAndResize           tf.raw_ops.CropAndResize, plus bfloat16 images
//   CrgbCropAndResizeGradImage  tf.raw_ops.CropAndResizeGradImage, plus T = bfloat16
//   CrgbCropAndResizeGradBoxes  tf.raw_ops.CropAndResizeGradBoxes, plus bfloat16 images
//
// Same inputs, attributes and shape functions as TensorFlow's ops, and one
// more attribute, `crgb_variant` (crgb's variant name; "" picks
// automatically; not `variant`, which TensorFlow reserves: DT_VARIANT).
// CPU kernels only: they describe TensorFlow's host tensors to the C API and
// crgb computes straight into the allocated output. crgb validates every
// input (shapes, box_ind's range, finite boxes) before it reads any data and
// reports TensorFlow's error class and message, so the kernels check nothing
// themselves beyond what they need to size the output.
//
// No GPU kernels: tensorflow-cpu has no CUDA, so a GOOGLE_CUDA branch could
// not even be compiled here, and crgb's CUDA path is untested so far.
#include <cstdint>
#include <initializer_list>
#include <string>

#include "crgb/crgb.h"
#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "tensorflow/core/framework/shape_inference.h"
#include "tensorflow/core/framework/tensor.h"
#include "tensorflow/core/framework/tensor_shape.h"

namespace crgb_tf {
namespace {

using ::tensorflow::DataType;
using ::tensorflow::OpKernel;
using ::tensorflow::OpKernelConstruction;
using ::tensorflow::OpKernelContext;
using ::tensorflow::Tensor;
using ::tensorflow::TensorShape;
using ::tensorflow::shape_inference::DimensionHandle;
using ::tensorflow::shape_inference::InferenceContext;
using ::tensorflow::shape_inference::ShapeHandle;

// ---------------------------------------------------------------------------
// Shape functions: TensorFlow's, so that graphs built with these ops get the
// same static shapes (and the same construction-time errors) as with its own.

// CropAndResize: [num_boxes, crop_height, crop_width, depth], the crop sizes
// known when crop_size is a constant.
absl::Status CropShape(InferenceContext *c) {
  ShapeHandle image, boxes, box_ind, crop_size;
  TF_RETURN_IF_ERROR(c->WithRank(c->input(0), 4, &image));
  TF_RETURN_IF_ERROR(c->WithRank(c->input(1), 2, &boxes));
  TF_RETURN_IF_ERROR(c->WithRank(c->input(2), 1, &box_ind));
  DimensionHandle num_boxes, unused;
  TF_RETURN_IF_ERROR(c->Merge(c->Dim(boxes, 0), c->Dim(box_ind, 0), &num_boxes));
  TF_RETURN_IF_ERROR(c->WithValue(c->Dim(boxes, 1), 4, &unused));
  TF_RETURN_IF_ERROR(c->WithRank(c->input(3), 1, &crop_size));
  TF_RETURN_IF_ERROR(c->WithValue(c->Dim(crop_size, 0), 2, &unused));
  DimensionHandle height = c->UnknownDim(), width = c->UnknownDim();
  if (const Tensor *size = c->input_tensor(3); size != nullptr) {
    // Rank 1 and two elements by the checks above; int32 by the op's type.
    auto v = size->flat<int32_t>();
    // TensorFlow's shape function hands these to MakeDim unchecked (a debug
    // check); the kernel's message, at graph construction instead.
    if (v(0) <= 0 || v(1) <= 0)
      return absl::InvalidArgumentError("crop dimensions must be positive");
    height = c->MakeDim(v(0));
    width = c->MakeDim(v(1));
  }
  c->set_output(0, c->MakeShape({num_boxes, height, width, c->Dim(image, 3)}));
  return absl::OkStatus();
}

// CropAndResizeGradImage: image_size, where it is a constant.
absl::Status GradImageShape(InferenceContext *c) {
  ShapeHandle out;
  TF_RETURN_IF_ERROR(c->MakeShapeFromShapeTensor(3, &out));
  TF_RETURN_IF_ERROR(c->WithRank(out, 4, &out));
  c->set_output(0, out);
  return absl::OkStatus();
}

// CropAndResizeGradBoxes: the boxes' shape, [num_boxes, 4].
absl::Status GradBoxesShape(InferenceContext *c) {
  c->set_output(0, c->input(2));
  return absl::OkStatus();
}

}  // namespace

REGISTER_OP("CrgbCropAndResize")
    .Input("image: T")
    .Input("boxes: float")
    .Input("box_ind: int32")
    .Input("crop_size: int32")
    .Output("crops: float")
    .Attr("T: {uint8, uint16, int8, int16, int32, int64, half, bfloat16, float, double}")
    .Attr("method: {'bilinear', 'nearest'} = 'bilinear'")
    .Attr("extrapolation_value: float = 0")
    .Attr("crgb_variant: string = ''")
    .SetShapeFn(CropShape)
    .Doc(R"doc(
crgb's CropAndResize: tf.raw_ops.CropAndResize, also for bfloat16 images.
crgb_variant: crgb's variant ("" picks automatically; "reference" is
TensorFlow's CPU kernel bit for bit).
)doc");

REGISTER_OP("CrgbCropAndResizeGradImage")
    .Input("grads: float")
    .Input("boxes: float")
    .Input("box_ind: int32")
    .Input("image_size: int32")
    .Output("output: T")
    .Attr("T: {half, float, double, bfloat16}")
    .Attr("method: {'bilinear', 'nearest'} = 'bilinear'")
    .Attr("crgb_variant: string = ''")
    .SetShapeFn(GradImageShape)
    .Doc(R"doc(
crgb's CropAndResizeGradImage: tf.raw_ops.CropAndResizeGradImage (summed in
TensorFlow's order under op determinism, always), also for T = bfloat16.
)doc");

REGISTER_OP("CrgbCropAndResizeGradBoxes")
    .Input("grads: float")
    .Input("image: T")
    .Input("boxes: float")
    .Input("box_ind: int32")
    .Output("output: float")
    .Attr("T: {uint8, uint16, int8, int16, int32, int64, half, bfloat16, float, double}")
    .Attr("method: {'bilinear'} = 'bilinear'")
    .Attr("crgb_variant: string = ''")
    .SetShapeFn(GradBoxesShape)
    .Doc(R"doc(
crgb's CropAndResizeGradBoxes: tf.raw_ops.CropAndResizeGradBoxes, also for
bfloat16 images.
)doc");

namespace {

// TensorFlow's dtypes as crgb's; false for one crgb has no name for (the ops'
// type constraints let none through).
bool ToCrgbDtype(DataType t, crgb_dtype *out) {
  switch (t) {
    case tensorflow::DT_UINT8: *out = CRGB_UINT8; return true;
    case tensorflow::DT_UINT16: *out = CRGB_UINT16; return true;
    case tensorflow::DT_INT8: *out = CRGB_INT8; return true;
    case tensorflow::DT_INT16: *out = CRGB_INT16; return true;
    case tensorflow::DT_INT32: *out = CRGB_INT32; return true;
    case tensorflow::DT_INT64: *out = CRGB_INT64; return true;
    case tensorflow::DT_HALF: *out = CRGB_FLOAT16; return true;
    case tensorflow::DT_FLOAT: *out = CRGB_FLOAT32; return true;
    case tensorflow::DT_DOUBLE: *out = CRGB_FLOAT64; return true;
    // Both store a bfloat16 as the upper 16 bits of a float32.
    case tensorflow::DT_BFLOAT16: *out = CRGB_BFLOAT16; return true;
    default: return false;
  }
}

// A host tensor as crgb's descriptor. A rank above CRGB_MAX_RANK is passed on
// as it is (its shape left out): crgb rejects it before reading the shape.
absl::Status Describe(const Tensor &t, const char *name, crgb_tensor *d) {
  *d = crgb_tensor{};
  if (!ToCrgbDtype(t.dtype(), &d->dtype))
    return absl::InvalidArgumentError(std::string(name) + " has dtype " +
                                      tensorflow::DataTypeString(t.dtype()) +
                                      ", which crgb does not take");
  // TensorFlow's tensors are dense and row-major, as crgb's descriptors; an
  // empty one may have no buffer (NULL data), which crgb accepts.
  d->data = t.tensor_data().data();
  d->rank = t.dims();
  for (int i = 0; i < t.dims() && i < CRGB_MAX_RANK; ++i) d->shape[i] = t.dim_size(i);
  d->device = CRGB_DEVICE_HOST;
  return absl::OkStatus();
}

// crgb's status as TensorFlow's, with crgb's message (TensorFlow's own where
// TensorFlow's kernel checks the same condition).
absl::Status ToStatus(crgb_status status, const crgb_error &error) {
  const std::string message = error.message;
  switch (status) {
    case CRGB_OK: return absl::OkStatus();
    case CRGB_INVALID_ARGUMENT: return absl::InvalidArgumentError(message);
    case CRGB_OUT_OF_RANGE: return absl::OutOfRangeError(message);
    case CRGB_UNIMPLEMENTED: return absl::UnimplementedError(message);
    case CRGB_UNAVAILABLE: return absl::UnavailableError(message);
    case CRGB_INTERNAL: return absl::InternalError(message);
  }
  return absl::InternalError("crgb returned status " + std::to_string(static_cast<int>(status)) +
                             ": " + message);
}

// ParseAndCheckBoxSizes's num_boxes, where boxes and box_ind agree as crgb
// requires (both empty: 0 boxes, whatever boxes' first dimension).
bool NumBoxes(const Tensor &boxes, const Tensor &box_ind, int64_t *num_boxes) {
  if (boxes.dims() != 2 || box_ind.dims() != 1) return false;
  if (boxes.NumElements() == 0 && box_ind.NumElements() == 0) {
    *num_boxes = 0;
    return true;
  }
  *num_boxes = boxes.dim_size(0);
  return boxes.dim_size(1) == 4 && box_ind.dim_size(0) == *num_boxes;
}

// The output's shape from inputs whose shapes crgb will accept. The kernels
// allocate the output before calling crgb (which writes into it), so a shape
// read off invalid inputs must never be allocated: a negative or overflowing
// size would abort TensorFlow, a huge one fail with ResourceExhausted instead
// of crgb's InvalidArgument. Where the shapes are not crgb's, the kernel calls
// crgb without an output and crgb reports the error TensorFlow reports.
bool BuildShape(std::initializer_list<int64_t> dims, TensorShape *shape) {
  for (int64_t d : dims)
    if (d < 0) return false;
  return TensorShape::BuildTensorShape(dims, shape).ok();
}

bool CropOutputShape(const Tensor &image, const Tensor &boxes, const Tensor &box_ind,
                     const Tensor &crop_size, TensorShape *shape) {
  int64_t num_boxes = 0;
  if (image.dims() != 4 || image.dim_size(1) <= 0 || image.dim_size(2) <= 0 ||
      !NumBoxes(boxes, box_ind, &num_boxes) || crop_size.dims() != 1 ||
      crop_size.NumElements() != 2)
    return false;
  auto crop = crop_size.flat<int32_t>();
  if (crop(0) <= 0 || crop(1) <= 0) return false;
  return BuildShape({num_boxes, crop(0), crop(1), image.dim_size(3)}, shape);
}

bool GradImageOutputShape(const Tensor &grads, const Tensor &boxes, const Tensor &box_ind,
                          const Tensor &image_size, TensorShape *shape) {
  int64_t num_boxes = 0;
  if (grads.dims() != 4 || !NumBoxes(boxes, box_ind, &num_boxes) ||
      grads.dim_size(0) != num_boxes || image_size.dims() != 1 || image_size.NumElements() != 4)
    return false;
  auto size = image_size.flat<int32_t>();
  if (size(1) <= 0 || size(2) <= 0 || size(3) != grads.dim_size(3)) return false;
  return BuildShape({size(0), size(1), size(2), size(3)}, shape);
}

bool GradBoxesOutputShape(const Tensor &grads, const Tensor &image, const Tensor &boxes,
                          const Tensor &box_ind, TensorShape *shape) {
  int64_t num_boxes = 0;
  if (grads.dims() != 4 || image.dims() != 4 || !NumBoxes(boxes, box_ind, &num_boxes) ||
      grads.dim_size(0) != num_boxes)
    return false;
  return BuildShape({num_boxes, 4}, shape);
}

// The attributes every op has.
class CrgbOp : public OpKernel {
 public:
  explicit CrgbOp(OpKernelConstruction *ctx) : OpKernel(ctx) {
    OP_REQUIRES_OK(ctx, ctx->GetAttr("method", &method_));
    OP_REQUIRES_OK(ctx, ctx->GetAttr("crgb_variant", &variant_));
  }

 protected:
  // Host input and output; "" is the C API's automatic choice too. Valid
  // while the kernel lives (the strings are members).
  crgb_options Options() const {
    crgb_options options{};
    options.method = method_.c_str();
    options.variant = variant_.c_str();
    options.output_device = CRGB_DEVICE_HOST;
    return options;
  }

  // Allocates output 0 of `shape` when `shape_ok`, then runs `call(data,
  // elements)` (NULL, 0 without an output: crgb then fails on the inputs).
  template <typename Call>
  void Run(OpKernelContext *ctx, bool shape_ok, const TensorShape &shape, Call call) {
    Tensor *output = nullptr;
    if (shape_ok) OP_REQUIRES_OK(ctx, ctx->allocate_output(0, shape, &output));
    void *data = nullptr;
    int64_t elements = 0;
    if (output != nullptr) {
      data = const_cast<char *>(output->tensor_data().data());
      elements = output->NumElements();
    }
    crgb_error error{};
    const crgb_status status = call(data, elements, &error);
    OP_REQUIRES_OK(ctx, ToStatus(status, error));
    // Unreachable: every shape crgb accepts is one the *OutputShape accept.
    OP_REQUIRES(ctx, output != nullptr,
                absl::InternalError("crgb accepted inputs whose output shape was not computed"));
  }

 private:
  std::string method_;
  std::string variant_;
};

class CropAndResizeOp : public CrgbOp {
 public:
  explicit CropAndResizeOp(OpKernelConstruction *ctx) : CrgbOp(ctx) {
    OP_REQUIRES_OK(ctx, ctx->GetAttr("extrapolation_value", &extrapolation_value_));
  }

  void Compute(OpKernelContext *ctx) override {
    const Tensor &image = ctx->input(0), &boxes = ctx->input(1), &box_ind = ctx->input(2),
                 &crop_size = ctx->input(3);
    crgb_tensor image_d, boxes_d, box_ind_d, crop_size_d;
    OP_REQUIRES_OK(ctx, Describe(image, "image", &image_d));
    OP_REQUIRES_OK(ctx, Describe(boxes, "boxes", &boxes_d));
    OP_REQUIRES_OK(ctx, Describe(box_ind, "box_ind", &box_ind_d));
    OP_REQUIRES_OK(ctx, Describe(crop_size, "crop_size", &crop_size_d));
    TensorShape shape;
    const bool ok = CropOutputShape(image, boxes, box_ind, crop_size, &shape);
    const crgb_options options = Options();
    Run(ctx, ok, shape, [&](void *out, int64_t elements, crgb_error *error) {
      return crgb_crop_and_resize_ex(&image_d, &boxes_d, &box_ind_d, &crop_size_d,
                                     extrapolation_value_, static_cast<float *>(out), elements,
                                     &options, error);
    });
  }

 private:
  float extrapolation_value_ = 0.0f;
};

class CropAndResizeGradImageOp : public CrgbOp {
 public:
  explicit CropAndResizeGradImageOp(OpKernelConstruction *ctx) : CrgbOp(ctx) {
    DataType t;
    OP_REQUIRES_OK(ctx, ctx->GetAttr("T", &t));
    OP_REQUIRES(
        ctx, ToCrgbDtype(t, &output_dtype_),
        absl::InvalidArgumentError("T " + tensorflow::DataTypeString(t) + " is not crgb's"));
  }

  void Compute(OpKernelContext *ctx) override {
    const Tensor &grads = ctx->input(0), &boxes = ctx->input(1), &box_ind = ctx->input(2),
                 &image_size = ctx->input(3);
    crgb_tensor grads_d, boxes_d, box_ind_d, image_size_d;
    OP_REQUIRES_OK(ctx, Describe(grads, "grads", &grads_d));
    OP_REQUIRES_OK(ctx, Describe(boxes, "boxes", &boxes_d));
    OP_REQUIRES_OK(ctx, Describe(box_ind, "box_ind", &box_ind_d));
    OP_REQUIRES_OK(ctx, Describe(image_size, "image_size", &image_size_d));
    TensorShape shape;
    const bool ok = GradImageOutputShape(grads, boxes, box_ind, image_size, &shape);
    const crgb_options options = Options();
    Run(ctx, ok, shape, [&](void *out, int64_t elements, crgb_error *error) {
      return crgb_grad_image_ex(&grads_d, &boxes_d, &box_ind_d, &image_size_d, output_dtype_, out,
                                elements, &options, error);
    });
  }

 private:
  crgb_dtype output_dtype_ = CRGB_FLOAT32;
};

class CropAndResizeGradBoxesOp : public CrgbOp {
 public:
  using CrgbOp::CrgbOp;

  void Compute(OpKernelContext *ctx) override {
    const Tensor &grads = ctx->input(0), &image = ctx->input(1), &boxes = ctx->input(2),
                 &box_ind = ctx->input(3);
    crgb_tensor grads_d, image_d, boxes_d, box_ind_d;
    OP_REQUIRES_OK(ctx, Describe(grads, "grads", &grads_d));
    OP_REQUIRES_OK(ctx, Describe(image, "image", &image_d));
    OP_REQUIRES_OK(ctx, Describe(boxes, "boxes", &boxes_d));
    OP_REQUIRES_OK(ctx, Describe(box_ind, "box_ind", &box_ind_d));
    TensorShape shape;
    const bool ok = GradBoxesOutputShape(grads, image, boxes, box_ind, &shape);
    const crgb_options options = Options();
    Run(ctx, ok, shape, [&](void *out, int64_t elements, crgb_error *error) {
      return crgb_grad_boxes_ex(&grads_d, &image_d, &boxes_d, &box_ind_d, static_cast<float *>(out),
                                elements, &options, error);
    });
  }
};

}  // namespace

// crop_size and image_size are read on the host, as TensorFlow's kernels do.
REGISTER_KERNEL_BUILDER(
    Name("CrgbCropAndResize").Device(tensorflow::DEVICE_CPU).HostMemory("crop_size"),
    CropAndResizeOp);
REGISTER_KERNEL_BUILDER(
    Name("CrgbCropAndResizeGradImage").Device(tensorflow::DEVICE_CPU).HostMemory("image_size"),
    CropAndResizeGradImageOp);
REGISTER_KERNEL_BUILDER(Name("CrgbCropAndResizeGradBoxes").Device(tensorflow::DEVICE_CPU),
                        CropAndResizeGradBoxesOp);

}  // namespace crgb_tf
