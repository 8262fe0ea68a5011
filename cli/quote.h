// Quoting of untrusted text (paths, header fields, zip entry names) for one-line
// error messages: a newline or control byte inside a file name must not be able to
// break the "exactly one line on stderr" contract of the command-line tool.
#ifndef CRGB_CLI_QUOTE_H
#define CRGB_CLI_QUOTE_H

#include <string>

namespace crgb::npy {

// `text` with every byte outside printable ASCII, and the backslash, written as \xNN.
inline std::string printable(const std::string &text) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// printable(text) in single quotes.
inline std::string quoted(const std::string &text) {
  return "'" + printable(text) + "'";
}

}  // namespace crgb::npy

#endif  // CRGB_CLI_QUOTE_H
