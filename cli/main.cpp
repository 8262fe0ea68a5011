// crgb: command-line front end of the crgb library. Dispatches to the subcommands
// listed in kCommands and turns every failure into one stderr line
// "<Class>: <message>" and exit status 2 (1 for Internal errors).
#include "commands.h"
#include "flags.h"

#include <crgb/crgb.hpp>

#include <cstdio>
#include <cstring>
#include <new>

namespace crgb::cli {
namespace {

// The extension point: one entry per subcommand, in the order --help lists them.
Command (*const kCommands[])() = {
    crop_and_resize_command,  // CropAndResize
    grad_image_command,       // CropAndResizeGradImage
    grad_boxes_command,       // CropAndResizeGradBoxes
    variants_command,         // crgb variants
    bench_command,            // crgb bench
};

void print_help() {
  std::printf(
      "usage: crgb <command> [flags]\n"
      "       crgb <command> --help\n"
      "       crgb --version\n"
      "\n"
      "TensorFlow's crop_and_resize family on NumPy .npy files: CropAndResize and its\n"
      "gradients with respect to the image and to the boxes.\n"
      "\n"
      "commands:\n");
  for (auto make : kCommands) {
    const Command c = make();
    std::printf("  %-16s %s\n", c.name, c.summary);
  }
}

int dispatch(const Args &args) {
  if (args.empty()) throw Error(CRGB_INVALID_ARGUMENT, "no command given (see 'crgb --help')");
  const std::string &first = args[0];
  if (first == "--help" || first == "-h") {
    print_help();
    return 0;
  }
  if (first == "--version") {
    if (args.size() > 1) throw Error(CRGB_INVALID_ARGUMENT, "--version takes no arguments");
    std::printf("%s\n", crgb_version());
    return 0;
  }
  for (auto make : kCommands) {
    const Command c = make();
    if (first != c.name) continue;
    const Args rest(args.begin() + 1, args.end());
    if (wants_help(rest)) {
      std::fputs(c.usage, stdout);
      return 0;
    }
    return c.run(rest);
  }
  const char *kind = first.compare(0, 1, "-") == 0 ? "unknown flag '" : "unknown command '";
  throw Error(CRGB_INVALID_ARGUMENT, kind + first + "' (see 'crgb --help')");
}

// Control bytes from paths or the library must not split the single error line.
std::string one_line(const std::string &s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

int report(crgb_status status, const std::string &message) {
  std::fprintf(stderr, "%s: %s\n", crgb_status_name(status), one_line(message).c_str());
  return status == CRGB_INTERNAL ? 1 : 2;
}

}  // namespace
}  // namespace crgb::cli

int main(int argc, char **argv) {
  using namespace crgb::cli;
  try {
    const int rc = dispatch(Args(argv + 1, argv + argc));
    return std::fflush(stdout) == 0 ? rc : 1;
  } catch (const crgb::Error &e) {
    return report(e.status(), e.message());
  } catch (const std::bad_alloc &) {
    return report(CRGB_INTERNAL, "out of memory");
  } catch (const std::exception &e) {
    return report(CRGB_INTERNAL, e.what());
  }
}
