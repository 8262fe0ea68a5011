#include "bench_tf_peer.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char **environ;

namespace crgb::cli {
namespace {

#ifndef CRGB_TF_PEER_SCRIPT_PATH
#define CRGB_TF_PEER_SCRIPT_PATH "bench_tf_peer.py"
#endif

std::string script_path() {
  const char *env = std::getenv("CRGB_TF_PEER_SCRIPT");
  return env && *env ? env : CRGB_TF_PEER_SCRIPT_PATH;
}

std::string make_temp_dir() {
  const char *tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/crgb-bench-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  return mkdtemp(buf.data()) ? std::string(buf.data()) : std::string();
}

// The last non-empty line of a file, for the peer's error message.
std::string last_line(const std::string &path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last;
}

}  // namespace

TfPeer::TfPeer(const std::string &python, int threads) {
  const std::string script = script_path();
  if (access(script.c_str(), R_OK) != 0) {
    why_ = "cannot read the script '" + script + "' (set CRGB_TF_PEER_SCRIPT)";
    return;
  }
  dir_ = make_temp_dir();
  if (dir_.empty()) {
    why_ = std::string("cannot make a temporary directory: ") + std::strerror(errno);
    return;
  }
  log_ = dir_ + "/tf_peer.log";
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    why_ = std::string("pipe: ") + std::strerror(errno);
    return;
  }
  if (pipe2(out, O_CLOEXEC) != 0) {
    why_ = std::string("pipe: ") + std::strerror(errno);
    close(in[0]);
    close(in[1]);
    return;
  }
  // A peer that dies must not take crgb with it when crgb next writes to it.
  signal(SIGPIPE, SIG_IGN);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const std::string threads_arg = std::to_string(threads);
  std::vector<char *> argv = {
      const_cast<char *>(python.c_str()), const_cast<char *>(script.c_str()),
      const_cast<char *>(threads_arg.c_str()), const_cast<char *>(dir_.c_str()), nullptr};
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, python.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    why_ = "cannot run '" + python + "': " + std::strerror(rc);
    return;
  }
  pid_ = pid;
  to_ = fdopen(in[1], "w");
  from_ = fdopen(out[0], "r");
  const std::string hello = read_answer();
  if (hello.rfind("ready ", 0) == 0) {
    version_ = hello.substr(6);
  } else if (hello.rfind("unavailable ", 0) == 0) {
    stop("TensorFlow is not importable with '" + python + "' (" + hello.substr(12) + ")", false);
  } else if (hello.empty()) {
    stop("'" + python + "' exited", true);
  } else {
    stop("unexpected answer '" + hello + "'", true);
  }
}

TfPeer::~TfPeer() {
  if (available()) {
    std::fputs("quit\n", to_);
    std::fflush(to_);
    std::fclose(to_);
    to_ = nullptr;
    // Give it a few seconds to exit on its own (TensorFlow's shutdown), then end it.
    int status = 0;
    for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  if (to_) std::fclose(to_);
  if (from_) std::fclose(from_);
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

void TfPeer::remove_files() const {
  if (dir_.empty()) return;
  std::error_code ec;
  for (const auto &entry : std::filesystem::directory_iterator(dir_, ec))
    if (entry.path().extension() == ".npy") std::filesystem::remove(entry.path(), ec);
}

void TfPeer::stop(const std::string &why, bool with_log) {
  const std::string detail = with_log && !log_.empty() ? last_line(log_) : "";
  why_ = why + (detail.empty() ? "" : ": " + detail);
  if (pid_ > 0) {
    if (to_) std::fclose(to_);
    to_ = nullptr;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
}

std::string TfPeer::read_answer() {
  char *line = nullptr;
  size_t cap = 0;
  std::string answer;
  for (;;) {
    const ssize_t n = getline(&line, &cap, from_);
    if (n < 0) break;  // the peer closed its stdout: it exited
    std::string s(line, static_cast<size_t>(n));
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    if (s.rfind("@crgb ", 0) == 0) {
      answer = s.substr(6);
      break;
    }
  }
  std::free(line);
  return answer;
}

std::string TfPeer::request(const std::string &line) {
  if (!available()) return "";
  if (std::fprintf(to_, "%s\n", line.c_str()) < 0 || std::fflush(to_) != 0) {
    stop("the TensorFlow peer stopped", true);
    return "";
  }
  const std::string answer = read_answer();
  if (answer.empty()) stop("the TensorFlow peer stopped", true);
  return answer;
}

std::vector<TfPeer::Mode> TfPeer::load(const std::string &op, const std::string &dtype,
                                       const std::vector<int64_t> &size, std::string *error) {
  std::string line = "load " + op + " " + dtype;
  for (int64_t s : size) line += " " + std::to_string(s);
  const std::string answer = request(line);
  std::vector<Mode> modes;
  if (answer.rfind("loaded ", 0) == 0) {
    std::istringstream words(answer.substr(7));
    for (std::string w; words >> w;) {
      const size_t eq = w.find('=');
      if (eq == std::string::npos) continue;
      modes.push_back({w.substr(0, eq), std::strtod(w.c_str() + eq + 1, nullptr)});
    }
  } else if (answer.rfind("error ", 0) == 0) {
    *error = answer.substr(6);
  } else {
    *error = why_.empty() ? "unexpected answer '" + answer + "'" : why_;
  }
  return modes;
}

double TfPeer::run(const std::string &mode) {
  const std::string answer = request("run " + mode);
  if (answer.rfind("ms ", 0) == 0) return std::strtod(answer.c_str() + 3, nullptr);
  if (available()) stop("the TensorFlow peer failed: " + answer, false);
  return NAN;
}

}  // namespace crgb::cli
