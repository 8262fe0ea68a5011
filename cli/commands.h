// The subcommands of the crgb tool. To add one (e.g. "bench"): write
// cmd_<name>.cpp defining a `Command <name>_command()`, declare it here, and list
// it in kCommands in main.cpp.
#ifndef CRGB_CLI_COMMANDS_H
#define CRGB_CLI_COMMANDS_H

#include <string>
#include <vector>

namespace crgb::cli {

using Args = std::vector<std::string>;

struct Command {
  const char *name;     // as typed: "grad-boxes"
  const char *summary;  // one line for "crgb --help"
  const char *usage;    // full text for "crgb <name> --help"
  // Runs with the arguments after the command name; returns the exit status or
  // throws crgb::Error, which main reports as "<Class>: <message>".
  int (*run)(const Args &args);
};

Command crop_and_resize_command();
Command grad_image_command();
Command grad_boxes_command();
Command variants_command();
Command bench_command();

}  // namespace crgb::cli

#endif  // CRGB_CLI_COMMANDS_H
