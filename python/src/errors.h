// Raising crgb's statuses as the Python exception classes of crgb/_errors.py.
#ifndef CRGB_PYTHON_ERRORS_H
#define CRGB_PYTHON_ERRORS_H

#include <crgb/crgb.h>

#include <string>

namespace crgb_python {

// Raises the crgb._errors class of `status` carrying `message` verbatim (the
// C API's crgb_error.message, or the binding's own text in the same style).
// Needs the GIL.
[[noreturn]] void raise_status(crgb_status status, const std::string &message);

}  // namespace crgb_python

#endif  // CRGB_PYTHON_ERRORS_H
