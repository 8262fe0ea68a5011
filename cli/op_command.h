// What the op commands (grad-boxes, crop-and-resize, grad-image) share: the
// flags they all take, reading the input files, int32 list and float flags, and
// running the op into an output buffer that is saved, atomically, only when the
// op succeeds. Every problem is a crgb::Error, which main reports.
#ifndef CRGB_CLI_OP_COMMAND_H
#define CRGB_CLI_OP_COMMAND_H

#include <crgb/crgb.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "commands.h"
#include "flags.h"
#include "npy.h"

namespace crgb::cli {

// The lines every op command's usage text ends with, after its own flags (whose
// descriptions start in the same column, 17).
#define CRGB_CLI_OP_USAGE_TAIL                                                           \
  "  --variant     a name from 'crgb variants' (default: automatic, or $CRGB_VARIANT)\n" \
  "  --threads     worker threads, 0 = default (results do not depend on it)\n"          \
  "\n"                                                                                   \
  "On error prints one line '<Class>: <message>' to stderr and exits with status 2\n"    \
  "(1 for Internal errors); no output file is created.\n"

// The flags every op command takes, parsed.
struct OpOptions {
  std::string out;      // --out, not empty
  std::string method;   // --method, "bilinear" by default
  std::string variant;  // --variant, "" for automatic
  bool set_threads = false;
  int threads = 0;  // --threads, when set_threads
};

// Parses the arguments of op command `command`: its own flags `specs` and
// --out, --method, --variant, --threads.
Flags parse_op_flags(const char *command, const Args &args, std::vector<FlagSpec> specs);

// Checks that every flag of `required` and --out are given, and parses the
// shared ones; call it before any file is read, so usage errors come first.
OpOptions op_options(const Flags &flags, std::initializer_list<const char *> required);

// Reads the .npy file named by --`flag`; a bad file is InvalidArgument.
npy::Array load_input(const Flags &flags, const char *flag);

// The comma-separated int32 values of --`flag` ("3,4"; "" is an empty list).
// Any count is returned, so that the op can report a wrong one in
// TensorFlow's words; items that are not decimal integers, and values
// outside int32, are InvalidArgument.
std::vector<int32_t> parse_int32_list(const Flags &flags, const char *flag);

// The float value of --`flag` ("0.5", "-1e3", "nan", "inf"), or `fallback`.
float parse_float(const Flags &flags, const char *flag, float fallback);

// A 1-D int32 host tensor over `values` (crop_size, image_size).
crgb_tensor host_vector(const std::vector<int32_t> &values);

// Runs an op that writes an output of `dtype` and `shape` (what a valid call
// of the op writes for these inputs; a negative or unknown extent makes it
// empty), then saves it to opts.out. `call` gets the output buffer and its
// size in elements and returns the library's status.
using OpCall = std::function<crgb_status(void *output, int64_t output_elems, crgb_error *error)>;
int run_op(const OpOptions &opts, crgb_dtype dtype, const std::vector<int64_t> &shape,
           const OpCall &call);

// The variant argument of the library's calls: NULL for automatic.
inline const char *variant_arg(const OpOptions &opts) {
  return opts.variant.empty() ? nullptr : opts.variant.c_str();
}

}  // namespace crgb::cli

#endif  // CRGB_CLI_OP_COMMAND_H
