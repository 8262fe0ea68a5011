#include "flags.h"

#include <crgb/crgb.hpp>

#include "quote.h"

namespace crgb::cli {
namespace {

Error usage_error(const std::string &command, const std::string &problem) {
  return Error(CRGB_INVALID_ARGUMENT, problem + " (see 'crgb " + command + " --help')");
}

}  // namespace

Flags::Flags(const std::string &command, const std::vector<std::string> &args,
             const std::vector<FlagSpec> &specs)
    : command_(command) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0)
      throw usage_error(command_, "unexpected argument " + npy::quoted(arg));
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const FlagSpec *spec = nullptr;
    for (const FlagSpec &s : specs)
      if (name == s.name) spec = &s;
    if (spec == nullptr) throw usage_error(command_, "unknown flag " + npy::quoted("--" + name));
    if (values_.count(name) && !spec->repeatable)
      throw usage_error(command_, "flag --" + name + " given twice");
    std::string value;
    if (!spec->takes_value) {
      if (eq != std::string::npos)
        throw usage_error(command_, "flag --" + name + " takes no value");
    } else if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else {
      // A following "--flag" means the value was forgotten; such a value can
      // still be given as --name=--value.
      if (i + 1 == args.size() || args[i + 1].compare(0, 2, "--") == 0)
        throw usage_error(command_, "flag --" + name + " needs a value");
      value = args[++i];
    }
    values_[name] = value;
    all_values_[name].push_back(value);
  }
}

const std::string &Flags::required(const std::string &name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw usage_error(command_, "missing required flag --" + name);
  return it->second;
}

std::string Flags::get(const std::string &name, const std::string &fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

std::vector<std::string> Flags::all(const std::string &name) const {
  auto it = all_values_.find(name);
  return it == all_values_.end() ? std::vector<std::string>{} : it->second;
}

bool wants_help(const std::vector<std::string> &args) {
  for (const std::string &a : args)
    if (a == "--help" || a == "-h") return true;
  return false;
}

}  // namespace crgb::cli
