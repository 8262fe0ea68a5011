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
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "errors.h"
#include "tensors.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace crgb_python {
namespace {

using Result = nb::ndarray<nb::numpy, float, nb::shape<-1, 4>, nb::c_contig>;

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

// Host memory goes to the C API as it is, and CUDA memory as CRGB_DEVICE_CUDA
// descriptors: the C API runs those on a CUDA variant where one is built and
// a GPU is present (the result still comes back to host memory), and reports
// Unimplemented or Unavailable otherwise, as it reports mixed memories.
// Memory nothing in crgb can read (ROCm, Metal, ...) is Unavailable here.
void check_memory(const Described *all[4], const char *const names[4]) {
  for (int i = 0; i < 4; ++i) {
    if (all[i]->memory == Memory::other)
      raise_status(CRGB_UNAVAILABLE, std::string(names[i]) + " is in " +
                                         device_name(all[i]->device_type) +
                                         " memory, which crgb cannot read (host and CUDA only)");
  }
}

const char *c_string(const std::optional<std::string> &s, const char *what) {
  if (!s) return nullptr;
  if (s->find('\0') != std::string::npos)
    raise_status(CRGB_INVALID_ARGUMENT, std::string(what) + " contains a NUL character");
  return s->c_str();
}

struct FreeDeleter {
  void operator()(float *p) const { std::free(p); }
};

Result grad_boxes(const Array &grads, const Array &image, const Array &boxes, const Array &box_ind,
                  const std::optional<std::string> &method,
                  const std::optional<std::string> &variant) {
  const Described g = describe(grads, "grads", CRGB_FLOAT32);
  const Described im = describe(image, "image", std::nullopt);
  const Described b = describe(boxes, "boxes", CRGB_FLOAT32);
  const Described k = describe(box_ind, "box_ind", CRGB_INT32);
  const Described *all[4] = {&g, &im, &b, &k};
  const char *const names[4] = {"grads", "image", "boxes", "box_ind"};
  check_memory(all, names);
  const char *method_c = c_string(method, "method");
  const char *variant_c = c_string(variant, "variant");

  const int64_t rows = result_rows(b.tensor, k.tensor);
  // 64-byte aligned (what TensorFlow wants of memory it imports through
  // DLPack), and never NULL, even for zero rows.
  const size_t bytes = (static_cast<size_t>(rows) * 4 * sizeof(float) + 63) / 64 * 64;
  std::unique_ptr<float, FreeDeleter> out(
      static_cast<float *>(std::aligned_alloc(64, bytes == 0 ? 64 : bytes)));
  if (!out) throw std::bad_alloc();

  crgb_error error{};
  crgb_status status;
  {
    // The arrays stay referenced by their nb::ndarray handles meanwhile.
    nb::gil_scoped_release release;
    status = crgb_grad_boxes(&g.tensor, &im.tensor, &b.tensor, &k.tensor, method_c, variant_c,
                             out.get(), rows * 4, &error);
  }
  if (status != CRGB_OK) raise_status(status, error.message);

  float *data = out.release();
  nb::capsule owner(data, [](void *p) noexcept { std::free(p); });
  return Result(data, {static_cast<size_t>(rows), 4}, owner);
}

std::vector<std::tuple<std::string, std::string, bool, bool>> variants() {
  std::vector<std::tuple<std::string, std::string, bool, bool>> list;
  crgb_variant_info info;
  for (int i = 0; i < crgb_variant_count(); ++i) {
    if (crgb_variant_get(i, &info) == 0)
      list.emplace_back(info.name, info.target, info.available != 0, info.selected != 0);
  }
  return list;
}

}  // namespace
}  // namespace crgb_python

NB_MODULE(_crgb, m) {
  m.doc() = "crgb's C API (crgb/crgb.h); use the documented wrappers in the crgb package.";
  m.def("grad_boxes", &crgb_python::grad_boxes, "grads"_a, "image"_a, "boxes"_a, "box_ind"_a,
        "method"_a.none() = "bilinear", "variant"_a.none() = nb::none(),
        "crgb_grad_boxes(): the [num_boxes, 4] float32 result as a NumPy array.");
  m.def("variants", &crgb_python::variants,
        "(name, target, available, selected) of every compiled variant, in table order.");
  m.def(
      "selected_variant", [] { return std::string(crgb_selected_variant()); },
      "The variant an automatic call uses.");
  m.def("set_num_threads", &crgb_set_num_threads, "num_threads"_a,
        "Sets the Halide worker threads (0: the default); returns the previous setting.");
  m.def(
      "version", [] { return std::string(crgb_version()); }, "crgb_version().");
  m.attr("MAX_RANK") = CRGB_MAX_RANK;
}
