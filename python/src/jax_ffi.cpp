// crgb._crgb_jax: the three ops as XLA FFI handlers for JAX's CPU backend
// (crgb/jax.py registers them with jax.ffi.register_ffi_target and calls them
// through jax.ffi.ffi_call). Built against the XLA FFI headers of the oldest
// jaxlib crgb supports (python/jax.cmake): a handler built against a newer
// FFI API takes JAX's whole CPU backend down on an older jaxlib.
//
// Each handler wraps XLA's buffers in crgb_tensor descriptors and calls the C
// API, which validates everything (TensorFlow's checks and messages) before it
// reads any data. An error comes back to Python as "crgb <Class>: <message>",
// which crgb/jax.py turns into crgb's exception of that class.
//
// vmap (vmap_method="expand_dims"): every operand and result gets the mapped
// axes in front, of full size or 1 where that operand is not mapped. The
// per-example ranks come as attributes (image_rank, ...), so the handler
// knows which leading axes are mapped. A mapped call is folded into one call
// of the op: the examples' images laid end to end as one batch, their boxes
// as one list, each box index offset to its example's images. Only where the
// per-example shapes are not the op's (the C API then reports TensorFlow's
// error on the first example) or nothing is mapped does it call per example.
#include <crgb/crgb.h>
#include <nanobind/nanobind.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xla/ffi/api/ffi.h"

namespace nb = nanobind;
namespace ffi = xla::ffi;

namespace crgb_jax {
namespace {

// The XLA element types crgb takes; -1 for any other (crgb_dtype values
// start at 0, and an out-of-range one is rejected by the C API).
int to_crgb_dtype(ffi::DataType t) {
  switch (t) {
    case ffi::DataType::U8: return CRGB_UINT8;
    case ffi::DataType::U16: return CRGB_UINT16;
    case ffi::DataType::S8: return CRGB_INT8;
    case ffi::DataType::S16: return CRGB_INT16;
    case ffi::DataType::S32: return CRGB_INT32;
    case ffi::DataType::S64: return CRGB_INT64;
    case ffi::DataType::F16: return CRGB_FLOAT16;
    case ffi::DataType::F32: return CRGB_FLOAT32;
    case ffi::DataType::F64: return CRGB_FLOAT64;
    case ffi::DataType::BF16: return CRGB_BFLOAT16;
    default: return -1;
  }
}

ffi::Error from_crgb(const crgb_error &e) {
  if (e.status == CRGB_OK) return ffi::Error::Success();
  ffi::ErrorCode code = ffi::ErrorCode::kInternal;
  switch (e.status) {
    case CRGB_INVALID_ARGUMENT: code = ffi::ErrorCode::kInvalidArgument; break;
    case CRGB_OUT_OF_RANGE: code = ffi::ErrorCode::kOutOfRange; break;
    case CRGB_UNIMPLEMENTED: code = ffi::ErrorCode::kUnimplemented; break;
    case CRGB_UNAVAILABLE: code = ffi::ErrorCode::kUnavailable; break;
    default: break;
  }
  return ffi::Error(code, std::string("crgb ") + crgb_status_name(e.status) + ": " + e.message);
}

ffi::Error internal(const std::string &message) {
  return ffi::Error(ffi::ErrorCode::kInternal, "crgb Internal: " + message);
}

// One XLA buffer seen as `rank` trailing (per-example) axes behind the mapped
// leading ones.
struct Operand {
  const char *base = nullptr;
  int dtype = -1;
  size_t elem_bytes = 0;
  std::vector<int64_t> lead;   // mapped axes: full size, or 1 where not mapped
  std::vector<int64_t> inner;  // the per-example shape
  int64_t inner_elems = 1;
  crgb_device device = CRGB_DEVICE_HOST;

  // The per-example descriptor of example `index` (a flat index into lead).
  crgb_tensor tensor(int64_t index) const {
    crgb_tensor t{};
    t.data = base + index * inner_elems * static_cast<int64_t>(elem_bytes);
    t.dtype = static_cast<crgb_dtype>(dtype);
    t.rank = static_cast<int32_t>(inner.size());
    for (size_t i = 0; i < inner.size() && i < CRGB_MAX_RANK; ++i) t.shape[i] = inner[i];
    t.device = device;
    return t;
  }
};

bool split(const void *data, ffi::DataType type, ffi::Span<const int64_t> dims, int64_t rank,
           Operand *op) {
  if (rank < 0 || rank > static_cast<int64_t>(dims.size()) || rank > CRGB_MAX_RANK) return false;
  op->base = static_cast<const char *>(data);
  op->dtype = to_crgb_dtype(type);
  op->elem_bytes = ffi::ByteWidth(type);
  const size_t n_lead = dims.size() - static_cast<size_t>(rank);
  op->lead.assign(dims.begin(), dims.begin() + n_lead);
  op->inner.assign(dims.begin() + n_lead, dims.end());
  op->inner_elems = 1;
  for (int64_t d : op->inner) op->inner_elems *= d;
  return true;
}

Operand operand(ffi::AnyBuffer b, int64_t rank, crgb_device device, bool *ok) {
  Operand op;
  *ok = *ok && split(b.untyped_data(), b.element_type(), b.dimensions(), rank, &op);
  op.device = device;
  return op;
}

// The mapped axes of a call (the result's leading axes) and, for one
// operand, which example of it each example of the call reads (axes of size
// 1 broadcast).
struct Batch {
  std::vector<int64_t> shape;
  int64_t size = 1;

  explicit Batch(std::vector<int64_t> s) : shape(std::move(s)) {
    for (int64_t d : shape) size *= d;
  }
  bool fits(const Operand &op) const {
    if (op.lead.size() != shape.size()) return false;
    for (size_t i = 0; i < shape.size(); ++i)
      if (op.lead[i] != shape[i] && op.lead[i] != 1) return false;
    return true;
  }
  int64_t index(const Operand &op, int64_t b) const {
    int64_t index = 0, stride = 1;
    for (size_t i = shape.size(); i-- > 0;) {
      const int64_t coord = b % shape[i];
      b /= shape[i];
      if (op.lead[i] != 1) index += coord * stride;
      stride *= op.lead[i];
    }
    return index;
  }
  // How many examples the operand holds (its images laid end to end).
  static int64_t examples(const Operand &op) {
    int64_t n = 1;
    for (int64_t d : op.lead) n *= d;
    return n;
  }
};

// The operand's examples gathered in the call's order (a copy only where an
// axis broadcasts: otherwise the buffer itself).
const void *gathered(const Operand &op, const Batch &batch, std::vector<char> *scratch) {
  if (Batch::examples(op) == batch.size) return op.base;
  const size_t bytes = static_cast<size_t>(op.inner_elems) * op.elem_bytes;
  scratch->resize(bytes * static_cast<size_t>(batch.size));
  for (int64_t b = 0; b < batch.size; ++b)
    std::memcpy(scratch->data() + b * bytes, op.base + batch.index(op, b) * bytes, bytes);
  return scratch->data();
}

// The boxes and box indices of every example as one list, each index moved
// to its example's images (images_per_example of them, the images of example
// image_index(b) starting at image_index(b) * images_per_example). An index
// outside its own example's [0, images_per_example) becomes -1, so that the
// folded call reports TensorFlow's OutOfRange error rather than reading
// another example's image.
crgb_tensor host_tensor(const void *data, crgb_dtype dtype, std::vector<int64_t> shape) {
  crgb_tensor t{};
  t.data = data;
  t.dtype = dtype;
  t.rank = static_cast<int32_t>(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) t.shape[i] = shape[i];
  t.device = CRGB_DEVICE_HOST;
  return t;
}

struct FoldedBoxes {
  std::vector<float> boxes;
  std::vector<int32_t> box_ind;

  crgb_tensor boxes_tensor() const {
    return host_tensor(boxes.data(), CRGB_FLOAT32, {static_cast<int64_t>(box_ind.size()), 4});
  }
  crgb_tensor box_ind_tensor() const {
    return host_tensor(box_ind.data(), CRGB_INT32, {static_cast<int64_t>(box_ind.size())});
  }
};

template <typename ImageIndex>
FoldedBoxes fold_boxes(const Operand &boxes, const Operand &box_ind, const Batch &batch,
                       int64_t num_boxes, int64_t images_per_example, ImageIndex image_index) {
  FoldedBoxes f;
  f.boxes.resize(static_cast<size_t>(batch.size * num_boxes * 4));
  f.box_ind.resize(static_cast<size_t>(batch.size * num_boxes));
  for (int64_t b = 0; b < batch.size; ++b) {
    const float *bx =
        reinterpret_cast<const float *>(boxes.base) + batch.index(boxes, b) * num_boxes * 4;
    std::memcpy(f.boxes.data() + b * num_boxes * 4, bx, sizeof(float) * num_boxes * 4);
    const int32_t *ind =
        reinterpret_cast<const int32_t *>(box_ind.base) + batch.index(box_ind, b) * num_boxes;
    const int64_t offset = image_index(b) * images_per_example;
    for (int64_t m = 0; m < num_boxes; ++m) {
      const int32_t v = ind[m];
      f.box_ind[b * num_boxes + m] =
          v >= 0 && v < images_per_example ? static_cast<int32_t>(v + offset) : -1;
    }
  }
  return f;
}

// Every example's images end to end as one batch (the buffer itself).
crgb_tensor folded_images(const Operand &image) {
  return host_tensor(
      image.base, static_cast<crgb_dtype>(image.dtype),
      {Batch::examples(image) * image.inner[0], image.inner[1], image.inner[2], image.inner[3]});
}

// Every example's grads as one list of crops, in the call's order.
crgb_tensor folded_grads(const Operand &grads, const Batch &batch, std::vector<char> *scratch) {
  return host_tensor(gathered(grads, batch, scratch), CRGB_FLOAT32,
                     {batch.size * grads.inner[0], grads.inner[1], grads.inner[2], grads.inner[3]});
}

// On CUDA (XLA's GPU buffers): crgb's CUDA variants on XLA's stream, the
// result written on the device in stream order.
crgb_options options_for(const std::string &method, const std::string &variant, crgb_device device,
                         void *stream) {
  crgb_options o{};
  o.method = method.c_str();
  o.variant = variant.empty() ? nullptr : variant.c_str();
  if (device == CRGB_DEVICE_CUDA) {
    o.output_device = CRGB_DEVICE_CUDA;
    o.cuda_stream = stream;
  }
  return o;
}

// Whether a mapped call has the op's per-example shapes, so that it can be
// folded: boxes [num_boxes, 4], box_ind [num_boxes], each image or grads
// 4-D, and no index arithmetic beyond int32.
bool foldable_boxes(const Operand &boxes, const Operand &box_ind) {
  return boxes.inner.size() == 2 && boxes.inner[1] == 4 && box_ind.inner.size() == 1 &&
         box_ind.inner[0] == boxes.inner[0] && boxes.dtype == CRGB_FLOAT32 &&
         box_ind.dtype == CRGB_INT32;
}

constexpr int64_t kInt32Max = 2147483647;

ffi::Error CropAndResizeImpl(crgb_device device, void *stream, ffi::AnyBuffer image_b,
                             ffi::AnyBuffer boxes_b, ffi::AnyBuffer box_ind_b,
                             ffi::Result<ffi::AnyBuffer> out, int64_t image_rank,
                             int64_t boxes_rank, int64_t box_ind_rank, int64_t crop_height,
                             int64_t crop_width, std::string_view method_v,
                             float extrapolation_value, std::string_view variant_v) {
  bool ok = true;
  const Operand image = operand(image_b, image_rank, device, &ok);
  const Operand boxes = operand(boxes_b, boxes_rank, device, &ok);
  const Operand box_ind = operand(box_ind_b, box_ind_rank, device, &ok);
  Operand output;
  ok = ok && split(out->untyped_data(), out->element_type(), out->dimensions(), 4, &output);
  if (!ok) return internal("crop_and_resize: operand ranks do not match the call's");
  const std::string method(method_v), variant(variant_v);
  const crgb_options options = options_for(method, variant, device, stream);
  const int32_t crop[2] = {static_cast<int32_t>(crop_height), static_cast<int32_t>(crop_width)};
  const crgb_tensor crop_size = host_tensor(crop, CRGB_INT32, {2});
  const Batch batch(output.lead);
  if (!batch.fits(image) || !batch.fits(boxes) || !batch.fits(box_ind))
    return internal("crop_and_resize: mapped axes differ between operands");
  float *dst = reinterpret_cast<float *>(out->untyped_data());
  crgb_error e{};

  // Folding rewrites the box indices: host data only.
  const bool fold = device == CRGB_DEVICE_HOST && batch.size > 1 && image.inner.size() == 4 &&
                    foldable_boxes(boxes, box_ind) &&
                    Batch::examples(image) * image.inner[0] <= kInt32Max &&
                    batch.size * boxes.inner[0] <= kInt32Max;
  if (!fold) {
    // Unmapped, or shapes the C API rejects (it says why on the first
    // example), or one that might not fold: one call per example.
    for (int64_t b = 0; b < batch.size; ++b) {
      const crgb_tensor im = image.tensor(batch.index(image, b));
      const crgb_tensor bx = boxes.tensor(batch.index(boxes, b));
      const crgb_tensor bi = box_ind.tensor(batch.index(box_ind, b));
      crgb_crop_and_resize_ex(&im, &bx, &bi, &crop_size, extrapolation_value,
                              dst + b * output.inner_elems, output.inner_elems, &options, &e);
      if (e.status != CRGB_OK) return from_crgb(e);
    }
    return ffi::Error::Success();
  }
  const int64_t n = image.inner[0], num_boxes = boxes.inner[0];
  const FoldedBoxes f = fold_boxes(boxes, box_ind, batch, num_boxes, n,
                                   [&](int64_t b) { return batch.index(image, b); });
  const crgb_tensor im = folded_images(image);
  const crgb_tensor bx = f.boxes_tensor(), bi = f.box_ind_tensor();
  crgb_crop_and_resize_ex(&im, &bx, &bi, &crop_size, extrapolation_value, dst,
                          batch.size * output.inner_elems, &options, &e);
  return from_crgb(e);
}

ffi::Error GradImageImpl(crgb_device device, void *stream, ffi::AnyBuffer grads_b,
                         ffi::AnyBuffer boxes_b, ffi::AnyBuffer box_ind_b,
                         ffi::Result<ffi::AnyBuffer> out, int64_t grads_rank, int64_t boxes_rank,
                         int64_t box_ind_rank, int64_t batch_size, int64_t image_height,
                         int64_t image_width, int64_t depth, std::string_view method_v,
                         std::string_view variant_v) {
  bool ok = true;
  const Operand grads = operand(grads_b, grads_rank, device, &ok);
  const Operand boxes = operand(boxes_b, boxes_rank, device, &ok);
  const Operand box_ind = operand(box_ind_b, box_ind_rank, device, &ok);
  Operand output;
  ok = ok && split(out->untyped_data(), out->element_type(), out->dimensions(), 4, &output);
  if (!ok) return internal("crop_and_resize_grad_image: operand ranks do not match the call's");
  const std::string method(method_v), variant(variant_v);
  const crgb_options options = options_for(method, variant, device, stream);
  const Batch batch(output.lead);
  if (!batch.fits(grads) || !batch.fits(boxes) || !batch.fits(box_ind))
    return internal("crop_and_resize_grad_image: mapped axes differ between operands");
  const int out_dtype = to_crgb_dtype(out->element_type());
  char *dst = reinterpret_cast<char *>(out->untyped_data());
  crgb_error e{};

  // Folding rewrites the box indices: host data only.
  const bool fold = device == CRGB_DEVICE_HOST && batch.size > 1 && grads.inner.size() == 4 &&
                    foldable_boxes(boxes, box_ind) && grads.inner[0] == boxes.inner[0] &&
                    grads.dtype == CRGB_FLOAT32 && batch.size * batch_size <= kInt32Max &&
                    batch.size * boxes.inner[0] <= kInt32Max;
  if (!fold) {
    const int32_t size[4] = {static_cast<int32_t>(batch_size), static_cast<int32_t>(image_height),
                             static_cast<int32_t>(image_width), static_cast<int32_t>(depth)};
    const crgb_tensor image_size = host_tensor(size, CRGB_INT32, {4});
    for (int64_t b = 0; b < batch.size; ++b) {
      const crgb_tensor g = grads.tensor(batch.index(grads, b));
      const crgb_tensor bx = boxes.tensor(batch.index(boxes, b));
      const crgb_tensor bi = box_ind.tensor(batch.index(box_ind, b));
      crgb_grad_image_ex(&g, &bx, &bi, &image_size, static_cast<crgb_dtype>(out_dtype),
                         dst + b * output.inner_elems * static_cast<int64_t>(output.elem_bytes),
                         output.inner_elems, &options, &e);
      if (e.status != CRGB_OK) return from_crgb(e);
    }
    return ffi::Error::Success();
  }
  // Every example writes its own images of the result: example b's are
  // images [b * batch_size, (b + 1) * batch_size) of one folded call.
  const int64_t num_boxes = boxes.inner[0];
  const FoldedBoxes f =
      fold_boxes(boxes, box_ind, batch, num_boxes, batch_size, [](int64_t b) { return b; });
  std::vector<char> scratch;
  const crgb_tensor g = folded_grads(grads, batch, &scratch);
  const crgb_tensor bx = f.boxes_tensor(), bi = f.box_ind_tensor();
  const int32_t size[4] = {static_cast<int32_t>(batch.size * batch_size),
                           static_cast<int32_t>(image_height), static_cast<int32_t>(image_width),
                           static_cast<int32_t>(depth)};
  const crgb_tensor image_size = host_tensor(size, CRGB_INT32, {4});
  crgb_grad_image_ex(&g, &bx, &bi, &image_size, static_cast<crgb_dtype>(out_dtype), dst,
                     batch.size * output.inner_elems, &options, &e);
  return from_crgb(e);
}

ffi::Error GradBoxesImpl(crgb_device device, void *stream, ffi::AnyBuffer grads_b,
                         ffi::AnyBuffer image_b, ffi::AnyBuffer boxes_b, ffi::AnyBuffer box_ind_b,
                         ffi::Result<ffi::AnyBuffer> out, int64_t grads_rank, int64_t image_rank,
                         int64_t boxes_rank, int64_t box_ind_rank, std::string_view method_v,
                         std::string_view variant_v) {
  bool ok = true;
  const Operand grads = operand(grads_b, grads_rank, device, &ok);
  const Operand image = operand(image_b, image_rank, device, &ok);
  const Operand boxes = operand(boxes_b, boxes_rank, device, &ok);
  const Operand box_ind = operand(box_ind_b, box_ind_rank, device, &ok);
  Operand output;
  ok = ok && split(out->untyped_data(), out->element_type(), out->dimensions(), 2, &output);
  if (!ok) return internal("crop_and_resize_grad_boxes: operand ranks do not match the call's");
  const std::string method(method_v), variant(variant_v);
  const crgb_options options = options_for(method, variant, device, stream);
  const Batch batch(output.lead);
  if (!batch.fits(grads) || !batch.fits(image) || !batch.fits(boxes) || !batch.fits(box_ind))
    return internal("crop_and_resize_grad_boxes: mapped axes differ between operands");
  float *dst = reinterpret_cast<float *>(out->untyped_data());
  crgb_error e{};

  // Folding rewrites the box indices: host data only.
  const bool fold = device == CRGB_DEVICE_HOST && batch.size > 1 && grads.inner.size() == 4 &&
                    image.inner.size() == 4 && foldable_boxes(boxes, box_ind) &&
                    grads.inner[0] == boxes.inner[0] && grads.dtype == CRGB_FLOAT32 &&
                    Batch::examples(image) * image.inner[0] <= kInt32Max &&
                    batch.size * boxes.inner[0] <= kInt32Max;
  if (!fold) {
    for (int64_t b = 0; b < batch.size; ++b) {
      const crgb_tensor g = grads.tensor(batch.index(grads, b));
      const crgb_tensor im = image.tensor(batch.index(image, b));
      const crgb_tensor bx = boxes.tensor(batch.index(boxes, b));
      const crgb_tensor bi = box_ind.tensor(batch.index(box_ind, b));
      crgb_grad_boxes_ex(&g, &im, &bx, &bi, dst + b * output.inner_elems, output.inner_elems,
                         &options, &e);
      if (e.status != CRGB_OK) return from_crgb(e);
    }
    return ffi::Error::Success();
  }
  const int64_t n = image.inner[0], num_boxes = boxes.inner[0];
  const FoldedBoxes f = fold_boxes(boxes, box_ind, batch, num_boxes, n,
                                   [&](int64_t b) { return batch.index(image, b); });
  std::vector<char> scratch;
  const crgb_tensor g = folded_grads(grads, batch, &scratch);
  const crgb_tensor im = folded_images(image);
  const crgb_tensor bx = f.boxes_tensor(), bi = f.box_ind_tensor();
  crgb_grad_boxes_ex(&g, &im, &bx, &bi, dst, batch.size * output.inner_elems, &options, &e);
  return from_crgb(e);
}

// The handlers' two forms: on the host, and on CUDA with XLA's stream.
template <auto Impl, typename Sig>
struct On;
template <auto Impl, typename... A>
struct On<Impl, ffi::Error (*)(crgb_device, void *, A...)> {
  static ffi::Error host(A... a) { return Impl(CRGB_DEVICE_HOST, nullptr, a...); }
  static ffi::Error cuda(void *stream, A... a) { return Impl(CRGB_DEVICE_CUDA, stream, a...); }
};

template <typename B>
auto crop_and_resize_binding(B b) {
  return std::move(b)
      .template Arg<ffi::AnyBuffer>()  // image [..., batch, h, w, depth]
      .template Arg<ffi::AnyBuffer>()  // boxes [..., num_boxes, 4]
      .template Arg<ffi::AnyBuffer>()  // box_ind [..., num_boxes]
      .template Ret<ffi::AnyBuffer>()  // [..., num_boxes, ch, cw, depth]
      .template Attr<int64_t>("image_rank")
      .template Attr<int64_t>("boxes_rank")
      .template Attr<int64_t>("box_ind_rank")
      .template Attr<int64_t>("crop_height")
      .template Attr<int64_t>("crop_width")
      .template Attr<std::string_view>("method")
      .template Attr<float>("extrapolation_value")
      .template Attr<std::string_view>("variant");
}

template <typename B>
auto grad_image_binding(B b) {
  return std::move(b)
      .template Arg<ffi::AnyBuffer>()  // grads [..., num_boxes, ch, cw, depth]
      .template Arg<ffi::AnyBuffer>()  // boxes [..., num_boxes, 4]
      .template Arg<ffi::AnyBuffer>()  // box_ind [..., num_boxes]
      .template Ret<ffi::AnyBuffer>()  // [..., batch, h, w, depth]
      .template Attr<int64_t>("grads_rank")
      .template Attr<int64_t>("boxes_rank")
      .template Attr<int64_t>("box_ind_rank")
      .template Attr<int64_t>("batch")
      .template Attr<int64_t>("image_height")
      .template Attr<int64_t>("image_width")
      .template Attr<int64_t>("depth")
      .template Attr<std::string_view>("method")
      .template Attr<std::string_view>("variant");
}

template <typename B>
auto grad_boxes_binding(B b) {
  return std::move(b)
      .template Arg<ffi::AnyBuffer>()  // grads [..., num_boxes, ch, cw, depth]
      .template Arg<ffi::AnyBuffer>()  // image [..., batch, h, w, depth]
      .template Arg<ffi::AnyBuffer>()  // boxes [..., num_boxes, 4]
      .template Arg<ffi::AnyBuffer>()  // box_ind [..., num_boxes]
      .template Ret<ffi::AnyBuffer>()  // [..., num_boxes, 4]
      .template Attr<int64_t>("grads_rank")
      .template Attr<int64_t>("image_rank")
      .template Attr<int64_t>("boxes_rank")
      .template Attr<int64_t>("box_ind_rank")
      .template Attr<std::string_view>("method")
      .template Attr<std::string_view>("variant");
}

using CropOn = On<&CropAndResizeImpl, decltype(&CropAndResizeImpl)>;
using GradImageOn = On<&GradImageImpl, decltype(&GradImageImpl)>;
using GradBoxesOn = On<&GradBoxesImpl, decltype(&GradBoxesImpl)>;

}  // namespace

XLA_FFI_DEFINE_HANDLER_SYMBOL(CrgbCropAndResize, CropOn::host,
                              crop_and_resize_binding(ffi::Ffi::Bind()));
XLA_FFI_DEFINE_HANDLER_SYMBOL(CrgbGradImage, GradImageOn::host,
                              grad_image_binding(ffi::Ffi::Bind()));
XLA_FFI_DEFINE_HANDLER_SYMBOL(CrgbGradBoxes, GradBoxesOn::host,
                              grad_boxes_binding(ffi::Ffi::Bind()));
// CUDA: the same ops on device buffers (tested only on a GPU machine).
XLA_FFI_DEFINE_HANDLER_SYMBOL(
    CrgbCropAndResizeCuda, CropOn::cuda,
    crop_and_resize_binding(ffi::Ffi::Bind().Ctx<ffi::PlatformStream<void *>>()));
XLA_FFI_DEFINE_HANDLER_SYMBOL(
    CrgbGradImageCuda, GradImageOn::cuda,
    grad_image_binding(ffi::Ffi::Bind().Ctx<ffi::PlatformStream<void *>>()));
XLA_FFI_DEFINE_HANDLER_SYMBOL(
    CrgbGradBoxesCuda, GradBoxesOn::cuda,
    grad_boxes_binding(ffi::Ffi::Bind().Ctx<ffi::PlatformStream<void *>>()));

}  // namespace crgb_jax

NB_MODULE(_crgb_jax, m) {
  m.doc() = "crgb's ops as XLA FFI handlers for JAX's CPU backend (crgb.jax registers them)";
  // {platform: {target name: handler}}; crgb.jax registers the CUDA ones
  // where JAX has a CUDA backend.
  m.def("handlers", []() {
    auto capsule = [](XLA_FFI_Handler *h) { return nb::capsule(reinterpret_cast<void *>(h)); };
    nb::dict cpu, cuda;
    cpu["crgb_crop_and_resize"] = capsule(crgb_jax::CrgbCropAndResize);
    cpu["crgb_crop_and_resize_grad_image"] = capsule(crgb_jax::CrgbGradImage);
    cpu["crgb_crop_and_resize_grad_boxes"] = capsule(crgb_jax::CrgbGradBoxes);
    cuda["crgb_crop_and_resize"] = capsule(crgb_jax::CrgbCropAndResizeCuda);
    cuda["crgb_crop_and_resize_grad_image"] = capsule(crgb_jax::CrgbGradImageCuda);
    cuda["crgb_crop_and_resize_grad_boxes"] = capsule(crgb_jax::CrgbGradBoxesCuda);
    nb::dict d;
    d["cpu"] = cpu;
    d["CUDA"] = cuda;
    return d;
  });
  m.attr("ffi_api_version") =
      nb::make_tuple(static_cast<int>(XLA_FFI_API_MAJOR), static_cast<int>(XLA_FFI_API_MINOR));
}
