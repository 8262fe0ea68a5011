#include "npy_header.h"

#include <limits>

#include "npy.h"
#include "quote.h"

namespace crgb::npy::detail {
namespace {

// NumPy's own limit on dimensions (NPY_MAXDIMS in NumPy 2); anything longer is
// garbage, and stopping early bounds the memory a hostile header can claim.
constexpr size_t kMaxParsedRank = 64;

class Parser {
 public:
  Parser(const char *text, size_t size) : begin_(text), p_(text), end_(text + size) {}

  NpyHeader parse() {
    NpyHeader h;
    bool have_descr = false, have_order = false, have_shape = false;
    skip_space();
    expect('{');
    for (;;) {
      skip_space();
      if (at('}')) break;
      const std::string key = string_literal("a quoted key");
      skip_space();
      expect(':');
      skip_space();
      if (key == "descr") {
        once(&have_descr, key);
        // NumPy writes a list of fields here for structured arrays.
        if (at('[') || at('(') || at('{')) throw Error("unsupported dtype (structured array)");
        h.descr = string_literal("a quoted dtype string");
      } else if (key == "fortran_order") {
        once(&have_order, key);
        h.fortran_order = boolean();
      } else if (key == "shape") {
        once(&have_shape, key);
        h.shape = shape();
      } else {
        fail("unexpected key " + quoted(key));
      }
      skip_space();
      if (!at(',')) break;
      ++p_;
    }
    expect('}');
    skip_space();
    if (p_ != end_) fail("unexpected text after the dict");
    if (!have_descr) fail("missing key 'descr'");
    if (!have_order) fail("missing key 'fortran_order'");
    if (!have_shape) fail("missing key 'shape'");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string &what) const {
    throw Error("malformed header: " + what + " at header byte " + std::to_string(p_ - begin_));
  }

  bool at(char c) const { return p_ != end_ && *p_ == c; }

  void expect(char c) {
    if (!at(c)) fail(std::string("expected '") + c + "'");
    ++p_;
  }

  void once(bool *seen, const std::string &key) {
    if (*seen) fail("duplicate key " + quoted(key));
    *seen = true;
  }

  // Python's whitespace; NumPy pads with spaces and ends the header with '\n'.
  void skip_space() {
    while (p_ != end_ &&
           (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r' || *p_ == '\f' || *p_ == '\v'))
      ++p_;
  }

  // A '...' or "..." literal without escapes (NumPy never writes one in the
  // fields we read, and rejecting them keeps this parser small).
  std::string string_literal(const char *what) {
    if (!at('\'') && !at('"')) fail(std::string("expected ") + what);
    const char quote = *p_++;
    std::string s;
    for (;;) {
      if (p_ == end_) fail("unterminated string");
      const char c = *p_;
      if (c == quote) break;
      if (c == '\\') fail("escape sequence in string");
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
      s += c;
      ++p_;
    }
    ++p_;
    return s;
  }

  bool identifier_char() const {
    if (p_ == end_) return false;
    const char c = *p_;
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  bool keyword(const char *word) {
    const char *q = p_;
    for (const char *w = word; *w; ++w, ++q)
      if (q == end_ || *q != *w) return false;
    const char *saved = p_;
    p_ = q;
    if (identifier_char()) {  // "Trueish" is not True
      p_ = saved;
      return false;
    }
    return true;
  }

  bool boolean() {
    if (keyword("True")) return true;
    if (keyword("False")) return false;
    fail("expected True or False for 'fortran_order'");
  }

  // A non-negative decimal integer that fits int64 (Python 2 wrote a trailing L).
  int64_t dimension() {
    if (at('-')) throw Error("negative dimension in shape");
    if (!(p_ != end_ && *p_ >= '0' && *p_ <= '9')) fail("expected a dimension");
    int64_t v = 0;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
      const int digit = *p_ - '0';
      if (v > (std::numeric_limits<int64_t>::max() - digit) / 10)
        throw Error("dimension in shape does not fit in int64");
      v = v * 10 + digit;
      ++p_;
    }
    if (at('L')) ++p_;
    if (identifier_char()) fail("malformed dimension");
    return v;
  }

  // A tuple: "()", "(n,)", "(n, m)", "(n, m,)"; "(n)" is an int in Python, not a tuple.
  std::vector<int64_t> shape() {
    expect('(');
    std::vector<int64_t> dims;
    bool trailing_comma = false;
    for (;;) {
      skip_space();
      if (at(')')) break;
      if (dims.size() == kMaxParsedRank) fail("shape has more than 64 dimensions");
      dims.push_back(dimension());
      skip_space();
      trailing_comma = at(',');
      if (!trailing_comma) break;
      ++p_;
    }
    expect(')');
    if (dims.size() == 1 && !trailing_comma) fail("shape is not a tuple");
    return dims;
  }

  const char *begin_;
  const char *p_;
  const char *end_;
};

}  // namespace

NpyHeader parse_npy_header(const char *text, size_t size) {
  return Parser(text, size).parse();
}

}  // namespace crgb::npy::detail
