// crgb variants: what the dispatcher can run on this machine.
#include <algorithm>
#include <crgb/crgb.hpp>
#include <cstdio>

#include "commands.h"
#include "flags.h"

namespace crgb::cli {
namespace {

const char kUsage[] =
    "usage: crgb variants [--json]\n"
    "\n"
    "Lists the compiled variants: name, Halide target (or c++), whether this CPU can\n"
    "run it, and whether an automatic call selects it. --json prints an array of\n"
    "objects with keys \"name\", \"target\", \"available\", \"selected\".\n";

std::string json_string(const std::string &s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

void print_json(const std::vector<VariantInfo> &variants) {
  std::string out = "[";
  for (size_t i = 0; i < variants.size(); ++i) {
    const VariantInfo &v = variants[i];
    out += (i ? ",\n  " : "\n  ");
    out += "{\"name\": " + json_string(v.name) + ", \"target\": " + json_string(v.target) +
           ", \"available\": " + (v.available ? "true" : "false") +
           ", \"selected\": " + (v.selected ? "true" : "false") + "}";
  }
  out += variants.empty() ? "]\n" : "\n]\n";
  std::fputs(out.c_str(), stdout);
}

void print_table(const std::vector<VariantInfo> &variants) {
  size_t name_w = 4, target_w = 6;  // the header words
  for (const VariantInfo &v : variants) {
    name_w = std::max(name_w, v.name.size());
    target_w = std::max(target_w, v.target.size());
  }
  auto row = [&](const std::string &name, const std::string &target, const char *avail,
                 const char *sel) {
    std::printf("%-*s  %-*s  %-9s  %s\n", static_cast<int>(name_w), name.c_str(),
                static_cast<int>(target_w), target.c_str(), avail, sel);
  };
  row("name", "target", "available", "selected");
  for (const VariantInfo &v : variants)
    row(v.name, v.target, v.available ? "yes" : "no", v.selected ? "yes" : "no");
}

int run(const Args &args) {
  const Flags flags("variants", args, {{"json", false}});
  const std::vector<VariantInfo> list = variants();
  if (flags.has("json")) {
    print_json(list);
  } else {
    print_table(list);
  }
  return 0;
}

}  // namespace

Command variants_command() {
  return {"variants", "list the compiled variants and which one is selected", kUsage, run};
}

}  // namespace crgb::cli
