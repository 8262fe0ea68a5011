// TensorFlow's own kernels as the peer of `crgb bench --tf-peer`: a Python
// co-process (cli/bench_tf_peer.py, run from the source tree) that loads the
// run's tensors from .npy files in a temporary directory and times one eager
// CPU call per request, so that its calls interleave with crgb's rounds.
#ifndef CRGB_CLI_BENCH_TF_PEER_H
#define CRGB_CLI_BENCH_TF_PEER_H

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace crgb::cli {

class TfPeer {
 public:
  // Starts `python` on the script (the environment variable
  // CRGB_TF_PEER_SCRIPT, else the source tree's cli/bench_tf_peer.py) in a
  // new temporary directory; TensorFlow gets `threads` threads (0: its
  // default). Never throws for a python that cannot run or lacks TensorFlow:
  // then available() is false and why() says what happened.
  TfPeer(const std::string &python, int threads);
  ~TfPeer();
  TfPeer(const TfPeer &) = delete;
  TfPeer &operator=(const TfPeer &) = delete;

  bool available() const { return pid_ > 0; }
  const std::string &why() const { return why_; }
  const std::string &version() const { return version_; }  // TensorFlow's
  // Where the caller writes the tensors (see bench_tf_peer.py).
  const std::string &dir() const { return dir_; }
  // Removes the .npy files from dir() (after each workload: W4's are 0.5 GB).
  void remove_files() const;

  struct Mode {
    std::string name;  // "default" or "deterministic"
    double max_rel_err;
  };
  // Loads `op` (crgb_op_name's spelling) from dir(): `dtype` names the image's
  // dtype (grad_image: the output's), `size` the crop size or image size.
  // Returns its modes, or none with *error set when TensorFlow cannot run it
  // (no kernel for the dtype); a dead peer turns available() false.
  std::vector<Mode> load(const std::string &op, const std::string &dtype,
                         const std::vector<int64_t> &size, std::string *error);
  // One timed call of the loaded op in `mode`, in ms; NaN (and available()
  // false, why() set) when the peer failed.
  double run(const std::string &mode);

 private:
  // Sends `line` and returns the answer after "@crgb "; "" (peer closed) when
  // it died.
  std::string request(const std::string &line);
  std::string read_answer();
  // Ends the peer; why() becomes `why`, with the last line of its stderr if
  // `with_log`.
  void stop(const std::string &why, bool with_log);

  pid_t pid_ = -1;
  FILE *to_ = nullptr, *from_ = nullptr;
  std::string why_, version_, dir_, log_;
};

}  // namespace crgb::cli

#endif  // CRGB_CLI_BENCH_TF_PEER_H
