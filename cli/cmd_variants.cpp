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
    "run it, whether an automatic call selects it, and the ops it implements\n"
    "(grad_boxes, crop_and_resize, grad_image). --json prints an array of objects\n"
    "with keys \"name\", \"target\", \"available\", \"selected\" (booleans) and \"ops\"\n"
    "(a list of op names).\n";

// One variant as crgb_variant_get reports it, with its ops by name.
struct Variant {
  std::string name, target;
  bool available = false, selected = false;
  std::vector<std::string> ops;  // crgb_op_name of each bit of crgb_variant_info.ops
};

std::vector<Variant> list_variants() {
  std::vector<Variant> list;
  const int n = crgb_variant_count();
  for (int i = 0; i < n; ++i) {
    crgb_variant_info info{};
    if (crgb_variant_get(i, &info) != 0) continue;
    Variant v{info.name, info.target, info.available != 0, info.selected != 0, {}};
    for (int op = 0; op < 31; ++op)
      if (info.ops & (1 << op)) v.ops.push_back(crgb_op_name(static_cast<crgb_op>(op)));
    list.push_back(v);
  }
  return list;
}

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

// The ops joined by `separator`, each passed through `quote`.
std::string join_ops(const Variant &v, const char *separator,
                     std::string (*quote)(const std::string &)) {
  std::string out;
  for (size_t i = 0; i < v.ops.size(); ++i) out += (i ? separator : "") + quote(v.ops[i]);
  return out;
}

std::string as_is(const std::string &s) {
  return s;
}

void print_json(const std::vector<Variant> &variants) {
  std::string out = "[";
  for (size_t i = 0; i < variants.size(); ++i) {
    const Variant &v = variants[i];
    out += (i ? ",\n  " : "\n  ");
    out += "{\"name\": " + json_string(v.name) + ", \"target\": " + json_string(v.target) +
           ", \"available\": " + (v.available ? "true" : "false") +
           ", \"selected\": " + (v.selected ? "true" : "false") + ", \"ops\": [" +
           join_ops(v, ", ", json_string) + "]}";
  }
  out += variants.empty() ? "]\n" : "\n]\n";
  std::fputs(out.c_str(), stdout);
}

void print_table(const std::vector<Variant> &variants) {
  size_t name_w = 4, target_w = 6;  // the header words
  for (const Variant &v : variants) {
    name_w = std::max(name_w, v.name.size());
    target_w = std::max(target_w, v.target.size());
  }
  auto row = [&](const std::string &name, const std::string &target, const char *avail,
                 const char *sel, const std::string &ops) {
    std::printf("%-*s  %-*s  %-9s  %-8s  %s\n", static_cast<int>(name_w), name.c_str(),
                static_cast<int>(target_w), target.c_str(), avail, sel, ops.c_str());
  };
  row("name", "target", "available", "selected", "ops");
  for (const Variant &v : variants)
    row(v.name, v.target, v.available ? "yes" : "no", v.selected ? "yes" : "no",
        join_ops(v, ",", as_is));
}

int run(const Args &args) {
  const Flags flags("variants", args, {{"json", false}});
  const std::vector<Variant> list = list_variants();
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
