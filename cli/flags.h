// Flag parsing for the subcommands: "--name value" or "--name=value", each flag at
// most once, no positional arguments. Problems are crgb::Error(InvalidArgument).
#ifndef CRGB_CLI_FLAGS_H
#define CRGB_CLI_FLAGS_H

#include <map>
#include <string>
#include <vector>

namespace crgb::cli {

struct FlagSpec {
  const char *name;         // without the leading "--"
  bool takes_value;         // false: a switch such as --json
  bool repeatable = false;  // may be given more than once (values kept in order)
};

class Flags {
 public:
  // `command` names the subcommand in messages ("grad-boxes").
  Flags(const std::string &command, const std::vector<std::string> &args,
        const std::vector<FlagSpec> &specs);

  bool has(const std::string &name) const { return values_.count(name) != 0; }
  // The value of a flag that must be present.
  const std::string &required(const std::string &name) const;
  std::string get(const std::string &name, const std::string &fallback) const;
  // Every value of a repeatable flag, in the order given (empty if absent).
  std::vector<std::string> all(const std::string &name) const;

 private:
  std::string command_;
  std::map<std::string, std::string> values_;  // the last value of each flag
  std::map<std::string, std::vector<std::string>> all_values_;
};

// True when args asks for help ("--help" or "-h" anywhere).
bool wants_help(const std::vector<std::string> &args);

}  // namespace crgb::cli

#endif  // CRGB_CLI_FLAGS_H
