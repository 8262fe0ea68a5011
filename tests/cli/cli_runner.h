// Runs the `crgb` binary (CRGB_CLI_PATH) as a child process for the cli tests,
// and checks the failure contract: exit status 2, exactly one
// "<Class>: <message>" line on stderr, nothing on stdout, no output file.
#ifndef CRGB_TESTS_CLI_CLI_RUNNER_H
#define CRGB_TESTS_CLI_CLI_RUNNER_H

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "test_files.h"

namespace crgb_test {

struct Result {
  int status = -1;
  std::string out, err;
  std::vector<std::string> err_lines() const {
    std::vector<std::string> lines;
    std::istringstream s(err);
    for (std::string l; std::getline(s, l);) lines.push_back(l);
    return lines;
  }
};

inline std::string shell_quote(const std::string &s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

inline Result run_cli(const TempDir &dir, const std::vector<std::string> &args) {
  std::string cmd = shell_quote(CRGB_CLI_PATH);
  for (const std::string &a : args) cmd += " " + shell_quote(a);
  cmd += " >" + shell_quote(dir.file(".stdout")) + " 2>" + shell_quote(dir.file(".stderr"));
  Result r;
  const int rc = std::system(cmd.c_str());
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  const Bytes o = read_bytes(dir.file(".stdout")), e = read_bytes(dir.file(".stderr"));
  r.out.assign(o.begin(), o.end());
  r.err.assign(e.begin(), e.end());
  std::filesystem::remove(dir.file(".stdout"));
  std::filesystem::remove(dir.file(".stderr"));
  return r;
}

// args followed by `more`.
inline std::vector<std::string> plus(std::vector<std::string> args,
                                     const std::vector<std::string> &more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// args without flag `name` and its value.
inline std::vector<std::string> without(const std::vector<std::string> &args,
                                        const std::string &name) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == name) {
      ++i;
      continue;
    }
    out.push_back(args[i]);
  }
  return out;
}

// args with flag `name`'s value replaced by `value` (moved to the end).
inline std::vector<std::string> replacing(const std::vector<std::string> &args,
                                          const std::string &name, const std::string &value) {
  return plus(without(args, name), {name, value});
}

// Runs args, expecting exit 2, one stderr line starting with `prefix`, and no
// output: dir's "o.npy" is left as it was (absent, or with its old bytes), and
// no other file appears. Returns that line ("" when there was not one).
inline std::string expect_failure(const TempDir &dir, const std::vector<std::string> &args,
                                  const std::string &prefix) {
  const bool had_output = exists(dir.file("o.npy"));
  const Bytes before = had_output ? read_bytes(dir.file("o.npy")) : Bytes{};
  const std::vector<std::string> files_before = dir.list();
  const Result r = run_cli(dir, args);
  EXPECT_EQ(r.status, 2) << r.err;
  const auto lines = r.err_lines();
  EXPECT_EQ(lines.size(), 1u) << r.err;
  if (lines.size() != 1) return "";
  EXPECT_EQ(lines[0].rfind(prefix, 0), 0u) << lines[0];
  EXPECT_EQ(r.err.back(), '\n');
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(exists(dir.file("o.npy")), had_output);
  if (had_output) {
    EXPECT_EQ(read_bytes(dir.file("o.npy")), before);
  }
  EXPECT_EQ(dir.list(), files_before);  // no temporary files left either
  return lines[0];
}

// expect_failure, with the whole line given.
inline void expect_failure_line(const TempDir &dir, const std::vector<std::string> &args,
                                const std::string &line) {
  EXPECT_EQ(expect_failure(dir, args, line), line);
}

// expect_failure_line for each (arguments, line) case.
inline void expect_failure_lines(
    const TempDir &dir,
    const std::vector<std::pair<std::vector<std::string>, std::string>> &cases) {
  for (const auto &[args, line] : cases) {
    SCOPED_TRACE(line);
    expect_failure_line(dir, args, line);
  }
}

// Leaving out each of `flags` from args (a valid call of `command`) is a
// usage error that names it.
inline void expect_each_flag_required(const TempDir &dir, const std::vector<std::string> &args,
                                      const std::string &command,
                                      const std::vector<std::string> &flags) {
  for (const std::string &flag : flags)
    expect_failure_line(
        dir, without(args, flag),
        "InvalidArgument: missing required flag " + flag + " (see 'crgb " + command + " --help')");
}

}  // namespace crgb_test

#endif  // CRGB_TESTS_CLI_CLI_RUNNER_H
