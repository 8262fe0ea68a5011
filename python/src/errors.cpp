#include "errors.h"

#include <nanobind/nanobind.h>

namespace nb = nanobind;

namespace crgb_python {

[[noreturn]] void raise_status(crgb_status status, const std::string &message) {
  // The classes live in Python (crgb/_errors.py), where they can derive from
  // both crgb.Error and the matching builtin (ValueError, IndexError, ...).
  nb::object cls =
      nb::module_::import_("crgb._errors").attr("error_class")(static_cast<int>(status));
  // "replace": a message that quotes a caller's variant name may have been
  // cut inside a UTF-8 sequence by crgb_error's fixed-size buffer.
  nb::object text = nb::steal(
      PyUnicode_DecodeUTF8(message.data(), static_cast<Py_ssize_t>(message.size()), "replace"));
  PyErr_SetObject(cls.ptr(), text.ptr());
  throw nb::python_error();
}

}  // namespace crgb_python
