// crgb._crgb: the C API of crgb/crgb.h for Python. The public, documented
// wrapper is crgb/__init__.py; this module only converts arrays, releases the
// GIL around the computation and turns statuses into exceptions.
#include <crgb/crgb.h>
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <new>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "errors.h"
#include "tensors.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace crgb_python {
namespace {

using Result = nb::ndarray<nb::numpy, nb::c_contig>;

int64_t num_elements(const crgb_tensor &t) {
  int64_t n = 1;
  for (int i = 0; i < std::min<int32_t>(t.rank, CRGB_MAX_RANK); ++i) n *= t.shape[i];
  return n;
}

// The number of result rows, by TensorFlow's rule (ParseAndCheckBoxSizes):
// 0 when boxes and box_ind are both empty, else the rows of a [n, 4] boxes.
// Any other boxes is rejected by the C API before it needs the output.
int64_t result_rows(const crgb_tensor &boxes, const crgb_tensor &box_ind) {
  if (num_elements(boxes) == 0 && num_elements(box_ind) == 0) return 0;
  if (boxes.rank == 2 && boxes.shape[1] == 4) return boxes.shape[0];
  return 0;
}

// The values of crop_size or image_size when it is what the C API accepts (a
// host int32 vector of `n` elements), else nullopt: the C API then rejects it
// before it looks at the output, so the output's size does not matter.
std::optional<std::vector<int64_t>> host_int32_vector(const Described &d, int n) {
  const crgb_tensor &t = d.tensor;
  if (d.memory != Memory::host || t.dtype != CRGB_INT32 || t.rank != 1 || t.shape[0] != n ||
      t.data == nullptr)
    return std::nullopt;
  const int32_t *v = static_cast<const int32_t *>(t.data);
  return std::vector<int64_t>(v, v + n);
}

// The product of `extents`, or 0 when one is not positive or the product
// exceeds int64: each case the C API rejects (an invalid shape, or "more
// elements than can be addressed") before it looks at the output.
size_t checked_elements(const std::vector<int64_t> &extents) {
  int64_t n = 1;
  for (int64_t e : extents) {
    if (e <= 0 || __builtin_mul_overflow(n, e, &n)) return 0;
  }
  return static_cast<size_t>(n);
}

// Host memory goes to the C API as it is, and CUDA memory as CRGB_DEVICE_CUDA
// descriptors: the C API runs those on a CUDA variant where one is built and
// a GPU is present (the result still comes back to host memory), and reports
// Unimplemented or Unavailable otherwise, as it reports mixed memories.
// Memory nothing in crgb can read (ROCm, Metal, ...) is Unavailable here.
void check_memory(std::initializer_list<std::pair<const Described *, const char *>> all) {
  for (const auto &[d, name] : all) {
    if (d->memory == Memory::other)
      raise_status(CRGB_UNAVAILABLE, std::string(name) + " is in " + device_name(d->device_type) +
                                         " memory, which crgb cannot read (host and CUDA only)");
  }
}

const char *c_string(const std::optional<std::string> &s, const char *what) {
  if (!s) return nullptr;
  if (s->find('\0') != std::string::npos)
    raise_status(CRGB_INVALID_ARGUMENT, std::string(what) + " contains a NUL character");
  return s->c_str();
}

// A result buffer: 64-byte aligned (what TensorFlow wants of memory it imports
// through DLPack), never NULL even when empty, freed unless handed to NumPy.
class Output {
 public:
  Output(size_t elements, size_t element_bytes) {
    size_t bytes;
    if (__builtin_mul_overflow(elements, element_bytes, &bytes) || bytes > SIZE_MAX - 63)
      throw std::bad_alloc();
    bytes = (bytes + 63) / 64 * 64;
    data_ = std::aligned_alloc(64, bytes == 0 ? 64 : bytes);
    if (data_ == nullptr) throw std::bad_alloc();
  }
  Output(const Output &) = delete;
  Output &operator=(const Output &) = delete;
  ~Output() { std::free(data_); }
  void *get() const { return data_; }

  // A NumPy array of `shape` and `dtype` owning the buffer.
  Result release(const std::vector<size_t> &shape, nb::dlpack::dtype dtype) {
    nb::capsule owner(data_, [](void *p) noexcept { std::free(p); });
    void *data = data_;
    data_ = nullptr;  // the capsule frees it from here on
    return Result(data, shape.size(), shape.data(), owner, nullptr, dtype);
  }

 private:
  void *data_ = nullptr;
};

Result grad_boxes(const Array &grads, const Array &image, const Array &boxes, const Array &box_ind,
                  const std::optional<std::string> &method,
                  const std::optional<std::string> &variant, bool image_bfloat16) {
  const Described g = describe(grads, "grads", CRGB_FLOAT32);
  const Described im = describe(image, "image", std::nullopt, image_bfloat16);
  const Described b = describe(boxes, "boxes", CRGB_FLOAT32);
  const Described k = describe(box_ind, "box_ind", CRGB_INT32);
  check_memory({{&g, "grads"}, {&im, "image"}, {&b, "boxes"}, {&k, "box_ind"}});
  const char *method_c = c_string(method, "method");
  const char *variant_c = c_string(variant, "variant");

  const int64_t rows = result_rows(b.tensor, k.tensor);
  Output out(static_cast<size_t>(rows) * 4, sizeof(float));
  crgb_error error{};
  crgb_status status;
  {
    // The arrays stay referenced by their nb::ndarray handles meanwhile.
    nb::gil_scoped_release release;
    status = crgb_grad_boxes(&g.tensor, &im.tensor, &b.tensor, &k.tensor, method_c, variant_c,
                             static_cast<float *>(out.get()), rows * 4, &error);
  }
  if (status != CRGB_OK) raise_status(status, error.message);
  return out.release({static_cast<size_t>(rows), 4}, nb::dtype<float>());
}

Result crop_and_resize(const Array &image, const Array &boxes, const Array &box_ind,
                       const Array &crop_size, const std::optional<std::string> &method,
                       float extrapolation_value, const std::optional<std::string> &variant,
                       bool image_bfloat16) {
  const Described im = describe(image, "image", std::nullopt, image_bfloat16);
  const Described b = describe(boxes, "boxes", CRGB_FLOAT32);
  const Described k = describe(box_ind, "box_ind", CRGB_INT32);
  const Described c = describe(crop_size, "crop_size", CRGB_INT32);
  check_memory({{&im, "image"}, {&b, "boxes"}, {&k, "box_ind"}, {&c, "crop_size"}});
  const char *method_c = c_string(method, "method");
  const char *variant_c = c_string(variant, "variant");

  // [num_boxes, crop_height, crop_width, depth], where the inputs are valid.
  std::vector<int64_t> shape(4, 0);
  shape[0] = result_rows(b.tensor, k.tensor);
  if (auto crop = host_int32_vector(c, 2)) {
    shape[1] = (*crop)[0];
    shape[2] = (*crop)[1];
  }
  if (im.tensor.rank == 4) shape[3] = im.tensor.shape[3];
  const size_t elements = checked_elements(shape);
  Output out(elements, sizeof(float));
  crgb_error error{};
  crgb_status status;
  {
    nb::gil_scoped_release release;
    status = crgb_crop_and_resize(&im.tensor, &b.tensor, &k.tensor, &c.tensor, method_c,
                                  extrapolation_value, variant_c, static_cast<float *>(out.get()),
                                  static_cast<int64_t>(elements), &error);
  }
  if (status != CRGB_OK) raise_status(status, error.message);
  return out.release(std::vector<size_t>(shape.begin(), shape.end()), nb::dtype<float>());
}

// crgb_grad_image's output, as NumPy holds it: bfloat16 as its uint16 bits
// (crgb/_arrays.py views them as ml_dtypes.bfloat16 or torch.bfloat16).
nb::dlpack::dtype numpy_dtype(crgb_dtype dtype) {
  switch (dtype) {
    case CRGB_FLOAT16:
      return nb::dlpack::dtype{static_cast<uint8_t>(nb::dlpack::dtype_code::Float), 16, 1};
    case CRGB_FLOAT64: return nb::dtype<double>();
    case CRGB_BFLOAT16: return nb::dtype<uint16_t>();
    default: return nb::dtype<float>();
  }
}

Result grad_image(const Array &grads, const Array &boxes, const Array &box_ind,
                  const Array &image_size, int output_dtype,
                  const std::optional<std::string> &method,
                  const std::optional<std::string> &variant) {
  const Described g = describe(grads, "grads", CRGB_FLOAT32);
  const Described b = describe(boxes, "boxes", CRGB_FLOAT32);
  const Described k = describe(box_ind, "box_ind", CRGB_INT32);
  const Described s = describe(image_size, "image_size", CRGB_INT32);
  check_memory({{&g, "grads"}, {&b, "boxes"}, {&k, "box_ind"}, {&s, "image_size"}});
  const char *method_c = c_string(method, "method");
  const char *variant_c = c_string(variant, "variant");
  // crgb/__init__.py maps the dtype names to these four.
  if (output_dtype != CRGB_FLOAT16 && output_dtype != CRGB_FLOAT32 &&
      output_dtype != CRGB_FLOAT64 && output_dtype != CRGB_BFLOAT16)
    raise_status(CRGB_INVALID_ARGUMENT,
                 "the output dtype must be float16, float32, float64 or bfloat16, got crgb_dtype " +
                     std::to_string(output_dtype));
  const crgb_dtype dtype = static_cast<crgb_dtype>(output_dtype);

  // image_size: [batch, image_height, image_width, depth], where valid.
  std::vector<int64_t> shape = host_int32_vector(s, 4).value_or(std::vector<int64_t>(4, 0));
  const size_t elements = checked_elements(shape);
  Output out(elements, static_cast<size_t>(crgb_dtype_size(dtype)));
  crgb_error error{};
  crgb_status status;
  {
    nb::gil_scoped_release release;
    status = crgb_grad_image(&g.tensor, &b.tensor, &k.tensor, &s.tensor, dtype, method_c, variant_c,
                             out.get(), static_cast<int64_t>(elements), &error);
  }
  if (status != CRGB_OK) raise_status(status, error.message);
  return out.release(std::vector<size_t>(shape.begin(), shape.end()), numpy_dtype(dtype));
}

using VariantRow = std::tuple<std::string, std::string, bool, bool, int>;

std::vector<VariantRow> variants() {
  std::vector<VariantRow> list;
  crgb_variant_info info;
  for (int i = 0; i < crgb_variant_count(); ++i) {
    if (crgb_variant_get(i, &info) == 0)
      list.emplace_back(info.name, info.target, info.available != 0, info.selected != 0, info.ops);
  }
  return list;
}

// crgb_op_name() of every op, in crgb_op order: the names of
// crgb_variant_info.ops' bits.
std::vector<std::string> op_names() {
  std::vector<std::string> names;
  for (int op = 0; op < 31; ++op) {
    const std::string name = crgb_op_name(static_cast<crgb_op>(op));
    if (name == "unknown") break;
    names.push_back(name);
  }
  return names;
}

}  // namespace
}  // namespace crgb_python

NB_MODULE(_crgb, m) {
  m.doc() = "crgb's C API (crgb/crgb.h); use the documented wrappers in the crgb package.";
  m.def("grad_boxes", &crgb_python::grad_boxes, "grads"_a, "image"_a, "boxes"_a, "box_ind"_a,
        "method"_a.none() = "bilinear", "variant"_a.none() = nb::none(), "image_bfloat16"_a = false,
        "crgb_grad_boxes(): the [num_boxes, 4] float32 result as a NumPy array. "
        "image_bfloat16: image is a uint16 view of bfloat16 values.");
  m.def("crop_and_resize", &crgb_python::crop_and_resize, "image"_a, "boxes"_a, "box_ind"_a,
        "crop_size"_a, "method"_a.none() = "bilinear", "extrapolation_value"_a = 0.0f,
        "variant"_a.none() = nb::none(), "image_bfloat16"_a = false,
        "crgb_crop_and_resize(): the [num_boxes, crop_height, crop_width, depth] float32 "
        "result as a NumPy array. image_bfloat16: image is a uint16 view of bfloat16 values.");
  m.def("grad_image", &crgb_python::grad_image, "grads"_a, "boxes"_a, "box_ind"_a, "image_size"_a,
        "output_dtype"_a, "method"_a.none() = "bilinear", "variant"_a.none() = nb::none(),
        "crgb_grad_image(): the image_size result of crgb_dtype output_dtype as a NumPy "
        "array (bfloat16 as uint16 bits).");
  m.def("variants", &crgb_python::variants,
        "(name, target, available, selected, ops) of every compiled variant, in table order; "
        "ops is crgb_variant_info.ops, bit (1 << op) for each op implemented.");
  m.def("op_names", &crgb_python::op_names,
        "crgb_op_name() of each op, in crgb_op order (the bits of a variant's ops).");
  m.def(
      "selected_variant", [] { return std::string(crgb_selected_variant()); },
      "The variant an automatic call uses.");
  m.def("set_num_threads", &crgb_set_num_threads, "num_threads"_a,
        "Sets the Halide worker threads (0: the default); returns the previous setting.");
  m.def(
      "version", [] { return std::string(crgb_version()); }, "crgb_version().");
  m.attr("MAX_RANK") = CRGB_MAX_RANK;
  m.attr("FLOAT16") = static_cast<int>(CRGB_FLOAT16);
  m.attr("FLOAT32") = static_cast<int>(CRGB_FLOAT32);
  m.attr("FLOAT64") = static_cast<int>(CRGB_FLOAT64);
  m.attr("BFLOAT16") = static_cast<int>(CRGB_BFLOAT16);
}
