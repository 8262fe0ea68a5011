#include "dtype.h"

namespace crgb::detail {

const char *dtype_name(crgb_dtype t) {
  switch (t) {
    case CRGB_UINT8: return "uint8";
    case CRGB_UINT16: return "uint16";
    case CRGB_INT8: return "int8";
    case CRGB_INT16: return "int16";
    case CRGB_INT32: return "int32";
    case CRGB_INT64: return "int64";
    case CRGB_FLOAT16: return "float16";
    case CRGB_FLOAT32: return "float32";
    case CRGB_FLOAT64: return "float64";
  }
  return "unknown";
}

int dtype_bytes(crgb_dtype t) {
  switch (t) {
    case CRGB_UINT8:
    case CRGB_INT8: return 1;
    case CRGB_UINT16:
    case CRGB_INT16:
    case CRGB_FLOAT16: return 2;
    case CRGB_INT32:
    case CRGB_FLOAT32: return 4;
    case CRGB_INT64:
    case CRGB_FLOAT64: return 8;
  }
  return 0;
}

}  // namespace crgb::detail
