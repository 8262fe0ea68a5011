// crgb bench: every available variant on the built-in or custom workloads, for
// each op of the family, each first checked against `reference`, then timed
// side by side (interleaved rounds, so machine noise hits every variant
// alike), reported against this machine's read bandwidth measured in the same
// run; optionally beside TensorFlow's own CPU kernels (--tf-peer).
#include "bench_bandwidth.h"
#include "bench_plot.h"
#include "bench_tf_peer.h"
#include "commands.h"
#include "flags.h"
#include "npy.h"
#include "workloads.h"

#include <crgb/crgb.hpp>

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

namespace crgb::cli {
namespace {

const char kUsage[] =
    "usage: crgb bench [--op OP,...] [--workload W1 ...] [--shape B,H,W,D,N,CH,CW ...]\n"
    "                  [--dtype T,...] [--variants NAME,...] [--samples N] [--threads N]\n"
    "                  [--cold] [--sweep] [--tf-peer [PYTHON]] [--json FILE] [--csv FILE]\n"
    "                  [--plot FILE.svg]\n"
    "\n"
    "Runs each variant on each workload for each op: --op (repeatable, or comma-listed)\n"
    "names crop-and-resize, grad-image, grad-boxes or all (the default). --workload\n"
    "(repeatable; also --workloads W1,W2,...) names built-in workloads (W1-W6; default\n"
    "W1-W5), --shape adds a custom one (batch, image height, width, depth, num_boxes,\n"
    "crop height, crop width), --dtype runs every workload with each listed image dtype\n"
    "instead of its own. Every op gets the workload's tensors: crop-and-resize its image\n"
    "and boxes, cropped to the workload's crop size (bilinear, extrapolation value 0);\n"
    "grad-image its grads and boxes, with image_size the workload's image shape, and\n"
    "a float32 output unless the image dtype is float16, float64 or bfloat16, then of\n"
    "that dtype (the dtype column and field: grad-image's output dtype, the others'\n"
    "image dtype); grad-boxes its grads and image. A variant that does not implement an\n"
    "op (crgb variants, column ops) is skipped for it, said once on a line of its own.\n"
    "Outputs are allocated once per op and workload and reused by every call.\n"
    "\n"
    "Each variant's result is first checked against the reference variant: the largest\n"
    "absolute difference over the largest |reference| output must be at most 1e-3 (a\n"
    "sanity check; the test suite holds the rigorous bound). Then, after a warm-up,\n"
    "the variants are timed in --samples interleaved rounds (default 15, at least 10).\n"
    "Each round runs the reference first, then the others in an order rotated by one\n"
    "place per round, so that each follows the single-threaded reference equally often.\n"
    "Reports, in one table per op, the median and spread (min..max) in ms; GB/s over\n"
    "the bytes that op must move (the \"bytes\" field; \"bytes_counted\" says which):\n"
    "  crop_and_resize: every distinct image pixel (all channels) an in-image sample\n"
    "                   touches, read, plus the crops, written;\n"
    "  grad_image:      all of grads, read, plus the image gradient, written (its whole\n"
    "                   size in the output dtype: every element is written);\n"
    "  grad_boxes:      all of grads plus every distinct image pixel an in-image sample\n"
    "                   touches, read (the [num_boxes, 4] output is left out);\n"
    "each written byte counted once, like a read one (a write usually costs a read for\n"
    "ownership too), and boxes and box_ind left out; that as a percentage of this\n"
    "machine's streaming read bandwidth with all threads, measured in the same run (the\n"
    "best pass of those before each op of each workload and at the end), the yardstick\n"
    "for reads and writes alike; and the speed-up over the reference's median.\n"
    "Between rounds the inputs stay in the caches where they fit (W1's 26 MB of grads\n"
    "and W5's whole input fit a 32 MiB L3), which can put a variant above 100% of the\n"
    "memory's bandwidth; --cold reads 128 MiB with all threads before every timed call\n"
    "(outside the timing), so that each call reads its inputs from memory.\n"
    "Then, for grad_boxes only, a second table sets each autoscheduled variant\n"
    "(<isa>_<autoscheduler>, e.g. avx2_adams2019) beside the hand-written one of its\n"
    "ISA (<isa>), when both ran: x hand = hand-written median / autoscheduled median,\n"
    "> 1 where it wins.\n"
    "\n"
    "--tf-peer [PYTHON] also times TensorFlow's own kernels (tf.raw_ops.CropAndResize,\n"
    "CropAndResizeGradImage, CropAndResizeGradBoxes; eager, on the CPU, with --threads\n"
    "or HL_NUM_THREADS threads if set) on the same tensors, written as .npy files to a\n"
    "temporary directory, with PYTHON (default: $CRGB_TF_PYTHON, else python3) running\n"
    "the source tree's cli/bench_tf_peer.py (or $CRGB_TF_PEER_SCRIPT). After two warm-up\n"
    "calls, TensorFlow makes one timed call (per mode) after each round of crgb's\n"
    "(--cold applies to it too); its median over the rounds is in the op's table as\n"
    "variant tensorflow (checked against crgb's reference like a variant, but never\n"
    "failing the run), and a second table sets crgb's best variant beside it: x TF =\n"
    "TensorFlow's median / the best variant's, > 1 where crgb is faster. grad_image\n"
    "runs TensorFlow both ways: tensorflow, as it runs by default (the boxes sharded over\n"
    "threads that add into the output unsynchronized: neither deterministic nor free of\n"
    "lost updates), and tensorflow_det, under\n"
    "tf.config.experimental.enable_op_determinism() (one thread; the fair peer of crgb's\n"
    "deterministic result). TensorFlow has no bfloat16 kernels for these ops. Where\n"
    "PYTHON cannot run or cannot import TensorFlow, one line says so and the run goes on\n"
    "without it.\n"
    "\n"
    "--sweep also times grad_boxes alone with the last variant of the list (the\n"
    "automatically selected one when the list is only the reference) while scaling\n"
    "num_boxes, depth, crop size and threads from W1, to show how cost grows with work.\n"
    "--json and --csv write the records (fields op, workload, variant, dtype, bytes,\n"
    "bytes_counted, the times, gbps, roofline_pct, speedup_vs_reference, max_rel_err,\n"
    "ok, cold, and peer: true for TensorFlow's); --plot writes an SVG chart of the\n"
    "roofline percentages, one panel per op (TensorFlow's bars included), and of the\n"
    "sweep.\n";

std::vector<std::string> split_list(const std::string &s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

int64_t parse_int(const std::string &s, const std::string &what) {
  try {
    size_t used = 0;
    long long v = std::stoll(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception &) {
  }
  throw Error(CRGB_INVALID_ARGUMENT, "bad " + what + " '" + s + "'");
}

crgb_dtype parse_dtype(const std::string &s) {
  for (int t = CRGB_UINT8; t <= CRGB_BFLOAT16; ++t)
    if (s == crgb_dtype_name(static_cast<crgb_dtype>(t))) return static_cast<crgb_dtype>(t);
  throw Error(CRGB_INVALID_ARGUMENT, "unknown dtype '" + s + "'");
}

// The ops in the order "all" runs and prints them: the forward op, then its
// two gradients.
constexpr crgb_op kAllOps[] = {CRGB_OP_CROP_AND_RESIZE, CRGB_OP_GRAD_IMAGE, CRGB_OP_GRAD_BOXES};

// As the subcommands spell them.
std::string command_name(crgb_op op) {
  std::string s = crgb_op_name(op);
  std::replace(s.begin(), s.end(), '_', '-');
  return s;
}

std::vector<crgb_op> ops_from(const Flags &flags) {
  std::vector<crgb_op> ops;
  auto add = [&](crgb_op op) {
    if (std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(op);
  };
  for (const std::string &value : flags.all("op"))
    for (const std::string &name : split_list(value)) {
      if (name == "all") {
        for (crgb_op op : kAllOps) add(op);
        continue;
      }
      auto it = std::find_if(std::begin(kAllOps), std::end(kAllOps), [&](crgb_op op) {
        return name == command_name(op) || name == crgb_op_name(op);
      });
      if (it == std::end(kAllOps))
        throw Error(CRGB_INVALID_ARGUMENT,
                    "unknown op '" + name + "' (crop-and-resize, grad-image, grad-boxes, all)");
      add(*it);
    }
  if (ops.empty()) ops.assign(std::begin(kAllOps), std::end(kAllOps));
  return ops;
}

// What the "bytes" of an op's records count (see the usage text).
const char *bytes_counted(crgb_op op) {
  switch (op) {
    case CRGB_OP_CROP_AND_RESIZE: return "distinct touched image pixels read + crops written once";
    case CRGB_OP_GRAD_IMAGE: return "grads read + image gradient written once";
    case CRGB_OP_GRAD_BOXES: return "grads read + distinct touched image pixels read";
  }
  return "";
}

// The dtype of grad_image's output on an image of `image`'s dtype.
crgb_dtype grad_image_dtype(crgb_dtype image) {
  switch (image) {
    case CRGB_FLOAT16:
    case CRGB_FLOAT64:
    case CRGB_BFLOAT16: return image;
    default: return CRGB_FLOAT32;
  }
}

struct Record {
  std::string op, workload, variant, dtype;
  int64_t bytes = 0;
  double median_ms = 0, min_ms = 0, max_ms = 0, gbps = 0, roofline_pct = 0, speedup = 0,
         max_rel_err = 0;
  bool ok = false;
  bool cold = false;  // caches flushed before every timed call
  bool peer = false;  // TensorFlow's kernel, not a crgb variant
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double half_to_double(uint16_t h) {
  const int e = (h >> 10) & 0x1f, m = h & 0x3ff;
  const double sign = h & 0x8000 ? -1.0 : 1.0;
  if (e == 0) return sign * std::ldexp(m, -24);
  if (e == 31) return m ? NAN : sign * INFINITY;
  return sign * std::ldexp(1024 + m, e - 25);
}

// Element i of a float16, float32, float64 or bfloat16 array.
double element(const unsigned char *data, crgb_dtype dtype, size_t i) {
  switch (dtype) {
    case CRGB_FLOAT16: {
      uint16_t h;
      std::memcpy(&h, data + 2 * i, 2);
      return half_to_double(h);
    }
    case CRGB_BFLOAT16: {
      uint16_t h;
      std::memcpy(&h, data + 2 * i, 2);
      const uint32_t bits = uint32_t(h) << 16;
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    case CRGB_FLOAT64: {
      double d;
      std::memcpy(&d, data + 8 * i, 8);
      return d;
    }
    default: {
      float f;
      std::memcpy(&f, data + 4 * i, 4);
      return f;
    }
  }
}

double max_rel_err(const unsigned char *got, const unsigned char *ref, crgb_dtype dtype,
                   int64_t n) {
  double scale = 0, err = 0;
  for (size_t i = 0; i < static_cast<size_t>(n); ++i) {
    const double r = element(ref, dtype, i);
    scale = std::max(scale, std::fabs(r));
    double d = std::fabs(element(got, dtype, i) - r);
    if (std::isnan(d)) return INFINITY;
    err = std::max(err, d);
  }
  return scale > 0 ? err / scale : err;
}

// One op on one workload: what to call, what it writes, the bytes it must move.
struct OpCase {
  crgb_op op;
  const Workload *w;
  crgb_dtype out_dtype;
  std::vector<int64_t> out_shape;
  int64_t out_elems = 0;
  int64_t bytes = 0;
  std::string dtype;           // the label: the image's dtype, grad_image's output's
  std::vector<int64_t> sizes;  // crop_size or image_size

  OpCase(crgb_op op_, const Workload &w_) : op(op_), w(&w_) {
    const WorkloadSpec &s = w_.spec;
    out_dtype = CRGB_FLOAT32;
    dtype = crgb_dtype_name(s.image_dtype);
    switch (op) {
      case CRGB_OP_CROP_AND_RESIZE:
        out_shape = {s.num_boxes, s.crop_height, s.crop_width, s.depth};
        sizes = {s.crop_height, s.crop_width};
        bytes = w_.touched_image_bytes() + w_.grads_bytes();  // the crops: grads' shape
        break;
      case CRGB_OP_GRAD_IMAGE:
        out_dtype = grad_image_dtype(s.image_dtype);
        dtype = crgb_dtype_name(out_dtype);
        out_shape = {s.batch, s.image_height, s.image_width, s.depth};
        sizes = out_shape;
        bytes = w_.grads_bytes() + w_.image_elems() * crgb_dtype_size(out_dtype);
        break;
      case CRGB_OP_GRAD_BOXES:
        out_shape = {s.num_boxes, 4};
        bytes = w_.required_bytes();
        break;
    }
    out_elems = 1;
    for (int64_t n : out_shape) out_elems *= n;
  }
  size_t out_bytes() const { return static_cast<size_t>(out_elems) * crgb_dtype_size(out_dtype); }

  void call(const std::string &variant, void *out) const {
    const crgb_tensor grads = w->grads_t(), image = w->image_t(), boxes = w->boxes_t(),
                      box_ind = w->box_ind_t();
    int32_t size_data[4];
    for (size_t i = 0; i < sizes.size(); ++i) size_data[i] = static_cast<int32_t>(sizes[i]);
    const crgb_tensor size_tensor = crgb::tensor(size_data, {static_cast<int64_t>(sizes.size())});
    crgb_error err{};
    crgb_status s = CRGB_INTERNAL;
    switch (op) {
      case CRGB_OP_CROP_AND_RESIZE:
        s = crgb_crop_and_resize(&image, &boxes, &box_ind, &size_tensor, "bilinear", 0.0f,
                                 variant.c_str(), static_cast<float *>(out), out_elems, &err);
        break;
      case CRGB_OP_GRAD_IMAGE:
        s = crgb_grad_image(&grads, &boxes, &box_ind, &size_tensor, out_dtype, "bilinear",
                            variant.c_str(), out, out_elems, &err);
        break;
      case CRGB_OP_GRAD_BOXES:
        s = crgb_grad_boxes(&grads, &image, &boxes, &box_ind, "bilinear", variant.c_str(),
                            static_cast<float *>(out), out_elems, &err);
        break;
    }
    if (s != CRGB_OK) throw Error(s, err.message);
  }
};

// The time of one call of f; with `cold`, after reading that buffer with all
// threads (untimed), which evicts f's inputs from the caches.
double time_ms(const std::function<void()> &f, const StreamBuffer *cold) {
  if (cold) cold->read();
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

class Progress {
 public:
  Progress() : tty_(isatty(fileno(stderr))) {}
  void show(const std::string &what) const {
    if (tty_) std::fprintf(stderr, "\r%-60s", what.c_str());
  }
  void clear() const {
    if (tty_) std::fprintf(stderr, "\r%60s\r", "");
  }

 private:
  bool tty_;
};

Record make_record(const OpCase &c, const std::string &variant, const std::vector<double> &times,
                   double ref_median) {
  Record r;
  r.op = crgb_op_name(c.op);
  r.workload = c.w->spec.name;
  r.variant = variant;
  r.dtype = c.dtype;
  r.bytes = c.bytes;
  r.median_ms = median(times);
  r.min_ms = *std::min_element(times.begin(), times.end());
  r.max_ms = *std::max_element(times.begin(), times.end());
  r.gbps = static_cast<double>(c.bytes) / (r.median_ms * 1e-3) / 1e9;
  r.speedup = ref_median / r.median_ms;
  return r;
}

// TensorFlow's modes as record variant names.
std::string peer_variant(const std::string &mode) {
  return mode == "deterministic" ? "tensorflow_det" : "tensorflow";
}

// Checks and times `names` (reference first) on one op case; with a peer,
// TensorFlow's call(s) follow each round. Notes about the peer go to *notes.
std::vector<Record> run_case(const OpCase &c, const std::vector<std::string> &all_names,
                             int samples, const StreamBuffer *cold, const Progress &progress,
                             TfPeer *peer, std::vector<std::string> *notes) {
  const std::string label = std::string(crgb_op_name(c.op)) + " " + c.w->spec.name + " " + c.dtype;
  progress.show(label + ": checking against reference");
  AlignedVector<unsigned char> ref(c.out_bytes()), out(c.out_bytes());
  c.call("reference", ref.data());
  std::vector<Record> rows;
  std::vector<std::string> names;
  std::vector<double> errs;
  for (const std::string &name : all_names) {
    try {
      c.call(name, out.data());  // also the warm-up
    } catch (const Error &e) {
      // A variant built for some dtypes only (the autoscheduled ones) is left
      // out of this case, said on a line, rather than ending the run.
      if (e.status() != CRGB_UNIMPLEMENTED || name == "reference") throw;
      progress.clear();
      std::printf("%s: skipped for %s (%s)\n", name.c_str(), label.c_str(), e.message().c_str());
      continue;
    }
    names.push_back(name);
    errs.push_back(max_rel_err(out.data(), ref.data(), c.out_dtype, c.out_elems));
  }
  std::vector<TfPeer::Mode> modes;
  if (peer && peer->available()) {
    progress.show(label + ": loading it into TensorFlow");
    std::string error;
    try {
      npy::save_npy(peer->dir() + "/" + crgb_op_name(c.op) + ".npy", ref.data(), c.out_dtype,
                    c.out_shape);
      modes = peer->load(crgb_op_name(c.op), c.dtype, c.sizes, &error);
    } catch (const std::exception &e) {
      error = e.what();
    }
    if (!error.empty()) notes->push_back(c.w->spec.name + " " + c.dtype + ": " + error);
  }
  std::vector<std::vector<double>> times(names.size()), peer_times(modes.size());
  for (int s = 0; s < samples; ++s) {
    progress.show(label + ": round " + std::to_string(s + 1) + "/" + std::to_string(samples));
    // Whichever variant follows the single-threaded reference finds the other
    // cores idle for that long; on a VM they come back slowly (measured: a
    // 15 ms idle gap before a call doubled W1's time on the 2-core KVM). So
    // each round runs the reference first and then the others rotated by one
    // more place, and every other variant follows the reference equally often.
    // (Rotating the whole list, as before, let names[1] follow it in all rounds
    // but one in each names.size().)
    const size_t others = names.size() - 1;
    for (size_t k = 0; k < names.size(); ++k) {
      const size_t v = k == 0 ? 0 : 1 + (k - 1 + static_cast<size_t>(s)) % others;
      times[v].push_back(time_ms([&] { c.call(names[v], out.data()); }, cold));
    }
    // TensorFlow after the round: its own clock, around the call alone.
    for (size_t m = 0; m < modes.size() && peer->available(); ++m) {
      if (cold) cold->read();
      peer_times[m].push_back(peer->run(modes[m].name));
    }
  }
  progress.clear();
  const double ref_median = median(times[0]);
  for (size_t v = 0; v < names.size(); ++v) {
    Record r = make_record(c, names[v], times[v], ref_median);
    r.max_rel_err = errs[v];
    r.ok = r.max_rel_err <= 1e-3;
    rows.push_back(r);
  }
  if (!modes.empty() && !peer->available()) {
    notes->push_back(c.w->spec.name + " " + c.dtype + ": " + peer->why());
    return rows;
  }
  for (size_t m = 0; m < modes.size(); ++m) {
    Record r = make_record(c, peer_variant(modes[m].name), peer_times[m], ref_median);
    r.max_rel_err = modes[m].max_rel_err;
    r.ok = r.max_rel_err <= 1e-3;
    r.peer = true;
    rows.push_back(r);
  }
  return rows;
}

// Writes the workload's tensors where the peer reads them (bench_tf_peer.py).
void write_peer_inputs(const Workload &w, const std::string &dir) {
  const WorkloadSpec &s = w.spec;
  npy::save_npy(dir + "/image.npy", w.image.data(), s.image_dtype,
                {s.batch, s.image_height, s.image_width, s.depth});
  npy::save_npy(dir + "/boxes.npy", w.boxes.data(), {s.num_boxes, 4});
  npy::save_npy(dir + "/box_ind.npy", w.box_ind.data(), CRGB_INT32, {s.num_boxes});
  npy::save_npy(dir + "/grads.npy", w.grads.data(),
                {s.num_boxes, s.crop_height, s.crop_width, s.depth});
}

// Scales W1 along one axis at a time and times grad_boxes with `variant` alone.
std::vector<SweepPoint> run_sweep(const std::string &variant, int samples, const StreamBuffer *cold,
                                  const Progress &progress) {
  const WorkloadSpec base = builtin_workloads()[0];
  std::vector<SweepPoint> points;
  auto measure = [&](const std::string &axis, double value, WorkloadSpec spec) {
    progress.show("sweep: " + axis + " = " + std::to_string(int64_t(value)));
    spec.name = "sweep";
    Workload w = make_workload(spec, 7u);
    auto call = [&] { grad_boxes(w.grads_t(), w.image_t(), w.boxes_t(), w.box_ind_t(), variant); };
    call();
    std::vector<double> t;
    for (int s = 0; s < samples; ++s) t.push_back(time_ms(call, cold));
    points.push_back({axis, value,
                      double(spec.num_boxes * spec.crop_height * spec.crop_width * spec.depth),
                      median(t)});
  };
  for (int64_t nb : {128, 256, 512, 1024}) {
    WorkloadSpec s = base;
    s.num_boxes = nb;
    measure("num_boxes", double(nb), s);
  }
  for (int64_t d : {64, 128, 256, 512}) {
    WorkloadSpec s = base;
    s.depth = d;
    measure("depth", double(d), s);
  }
  for (int64_t c : {4, 7, 10, 14}) {
    WorkloadSpec s = base;
    s.crop_height = s.crop_width = c;
    measure("crop", double(c), s);
  }
  const int hw = std::max(1u, std::thread::hardware_concurrency());
  for (int t = 1; t <= hw; ++t) {
    crgb_set_num_threads(t);
    measure("threads", double(t), base);
  }
  crgb_set_num_threads(0);
  progress.clear();
  return points;
}

void write_records(const std::string &path, const std::vector<Record> &records, bool json) {
  std::ofstream out(path);
  if (!out) throw Error(CRGB_INVALID_ARGUMENT, "cannot write '" + path + "'");
  if (json)
    out << "[\n";
  else
    out << "op,workload,variant,dtype,bytes,bytes_counted,median_ms,min_ms,max_ms,gbps,"
           "roofline_pct,speedup_vs_reference,max_rel_err,ok,cold,peer\n";
  for (size_t i = 0; i < records.size(); ++i) {
    const Record &r = records[i];
    const char *counted = "";
    for (crgb_op op : kAllOps)
      if (r.op == crgb_op_name(op)) counted = bytes_counted(op);
    char line[1024];
    if (json) {
      std::snprintf(line, sizeof line,
                    "  {\"op\": \"%s\", \"workload\": \"%s\", \"variant\": \"%s\", "
                    "\"dtype\": \"%s\", \"bytes\": %lld, \"bytes_counted\": \"%s\", "
                    "\"median_ms\": %.4f, \"min_ms\": %.4f, \"max_ms\": %.4f, \"gbps\": %.3f, "
                    "\"roofline_pct\": %.2f, \"speedup_vs_reference\": %.3f, "
                    "\"max_rel_err\": %.3g, \"ok\": %s, \"cold\": %s, \"peer\": %s}%s\n",
                    r.op.c_str(), r.workload.c_str(), r.variant.c_str(), r.dtype.c_str(),
                    static_cast<long long>(r.bytes), counted, r.median_ms, r.min_ms, r.max_ms,
                    r.gbps, r.roofline_pct, r.speedup,
                    std::isfinite(r.max_rel_err) ? r.max_rel_err : 1e308, r.ok ? "true" : "false",
                    r.cold ? "true" : "false", r.peer ? "true" : "false",
                    i + 1 < records.size() ? "," : "");
    } else {
      std::snprintf(line, sizeof line,
                    "%s,%s,%s,%s,%lld,%s,%.4f,%.4f,%.4f,%.3f,%.2f,%.3f,%.3g,%s,%s,%s\n",
                    r.op.c_str(), r.workload.c_str(), r.variant.c_str(), r.dtype.c_str(),
                    static_cast<long long>(r.bytes), counted, r.median_ms, r.min_ms, r.max_ms,
                    r.gbps, r.roofline_pct, r.speedup, r.max_rel_err, r.ok ? "true" : "false",
                    r.cold ? "true" : "false", r.peer ? "true" : "false");
    }
    out << line;
  }
  if (json) out << "]\n";
  if (!out) throw Error(CRGB_INVALID_ARGUMENT, "cannot write '" + path + "'");
}

std::vector<WorkloadSpec> workloads_from(const Flags &flags) {
  std::vector<std::string> names = flags.all("workload");
  for (const std::string &n : split_list(flags.get("workloads", ""))) names.push_back(n);
  std::vector<WorkloadSpec> specs;
  for (const std::string &name : names) {
    auto it = std::find_if(builtin_workloads().begin(), builtin_workloads().end(),
                           [&](const WorkloadSpec &s) { return s.name == name; });
    if (it == builtin_workloads().end())
      throw Error(CRGB_INVALID_ARGUMENT, "unknown workload '" + name + "' (W1-W6)");
    specs.push_back(*it);
  }
  int custom = 0;
  for (const std::string &shape : flags.all("shape")) {
    std::vector<std::string> f = split_list(shape);
    if (f.size() != 7)
      throw Error(CRGB_INVALID_ARGUMENT, "--shape wants B,H,W,D,N,CH,CW, got '" + shape + "'");
    WorkloadSpec s{"C" + std::to_string(++custom), 0, 0, 0, 0, 0, 0, 0, CRGB_FLOAT32};
    int64_t *dims[] = {&s.batch,     &s.image_height, &s.image_width, &s.depth,
                       &s.num_boxes, &s.crop_height,  &s.crop_width};
    for (int i = 0; i < 7; ++i) {
      *dims[i] = parse_int(f[i], "--shape entry");
      if (*dims[i] < 1 || *dims[i] > (int64_t(1) << 20))
        throw Error(CRGB_INVALID_ARGUMENT, "--shape entries must be in [1, 2^20]");
    }
    specs.push_back(s);
  }
  if (specs.empty())
    specs.assign(builtin_workloads().begin(), builtin_workloads().begin() + 5);  // W1-W5
  std::vector<std::string> dtypes = split_list(flags.get("dtype", ""));
  if (dtypes.empty()) return specs;
  std::vector<WorkloadSpec> out;
  for (const WorkloadSpec &s : specs)
    for (const std::string &d : dtypes) {
      WorkloadSpec t = s;
      t.image_dtype = parse_dtype(d);
      out.push_back(t);
    }
  return out;
}

// Autoscheduled variants (<isa>_<autoscheduler>, e.g. avx2_adams2019) beside
// the hand-written variant of the same ISA (<isa>) measured in the same run:
// x hand = hand-written median / autoscheduled median, > 1 where the
// autoscheduler wins. grad_boxes only (the autoscheduled variants implement
// no other op).
void print_hand_vs_auto(const std::vector<Record> &all) {
  std::vector<Record> records;
  for (const Record &r : all)
    if (!r.peer && r.op == crgb_op_name(CRGB_OP_GRAD_BOXES)) records.push_back(r);
  bool header = false;
  for (const Record &a : records) {
    size_t cut = a.variant.find('_');
    if (cut == std::string::npos) continue;
    const std::string hand = a.variant.substr(0, cut);
    auto h = std::find_if(records.begin(), records.end(), [&](const Record &r) {
      return r.variant == hand && r.workload == a.workload && r.dtype == a.dtype;
    });
    if (h == records.end()) continue;
    if (!header) {
      std::printf(
          "\ngrad_boxes, hand-written vs autoscheduled (x hand = hand-written median / "
          "autoscheduled median; > 1: the autoscheduler wins):\n");
      std::printf("%-4s %-8s %-8s %12s %-20s %12s %8s\n", "wl", "dtype", "hand", "hand ms",
                  "autoscheduled", "auto ms", "x hand");
      header = true;
    }
    std::printf("%-4s %-8s %-8s %12.3f %-20s %12.3f %8.3f%s\n", a.workload.c_str(), a.dtype.c_str(),
                hand.c_str(), h->median_ms, a.variant.c_str(), a.median_ms,
                h->median_ms / a.median_ms,
                h->median_ms > a.median_ms ? "  autoscheduler wins" : "");
  }
  // An OpenCL variant's times are those of whatever device Halide's runtime
  // chose; on CI and these machines that is PoCL, OpenCL on the CPU.
  if (std::any_of(all.begin(), all.end(),
                  [](const Record &r) { return r.variant.rfind("opencl", 0) == 0; }))
    std::printf(
        "\nOpenCL variants ran on the device Halide's OpenCL runtime chose (HL_OCL_PLATFORM_NAME, "
        "HL_OCL_DEVICE_TYPE); on PoCL, OpenCL on this CPU, their times are CPU times, not GPU "
        "times.\n");
}

// TensorFlow's medians beside crgb's best variant of the same op, workload and dtype.
void print_vs_peer(const std::vector<Record> &records, const std::string &op,
                   const std::string &version) {
  bool header = false;
  for (const Record &t : records) {
    if (!t.peer || t.op != op) continue;
    const Record *best = nullptr;
    for (const Record &r : records)
      if (!r.peer && r.op == op && r.workload == t.workload && r.dtype == t.dtype &&
          (best == nullptr || r.median_ms < best->median_ms))
        best = &r;
    if (best == nullptr) continue;
    if (!header) {
      std::printf(
          "%s vs TensorFlow %s (x TF = TensorFlow's median / crgb's best variant's; > 1: crgb "
          "is faster):\n",
          op.c_str(), version.c_str());
      std::printf("%-4s %-8s %-16s %10s %-20s %10s %8s\n", "wl", "dtype", "tensorflow", "TF ms",
                  "best crgb variant", "crgb ms", "x TF");
      header = true;
    }
    std::printf("%-4s %-8s %-16s %10.3f %-20s %10.3f %8.2f\n", t.workload.c_str(), t.dtype.c_str(),
                t.variant.c_str(), t.median_ms, best->variant.c_str(), best->median_ms,
                t.median_ms / best->median_ms);
  }
}

// "--tf-peer" without a value (last, or before another flag) means the
// default python: the flag parser wants a value, so it gets an empty one.
Args with_tf_peer_value(Args args) {
  for (size_t i = 0; i < args.size(); ++i)
    if (args[i] == "--tf-peer" && (i + 1 == args.size() || args[i + 1].rfind("--", 0) == 0))
      args[i] = "--tf-peer=";
  return args;
}

// The ops bits of a variant; all of them for a name the library does not
// list (the call then fails with the library's message).
int variant_ops(const std::string &name) {
  for (int i = 0; i < crgb_variant_count(); ++i) {
    crgb_variant_info info{};
    if (crgb_variant_get(i, &info) == 0 && name == info.name) return info.ops;
  }
  return (1 << CRGB_OP_GRAD_BOXES) | (1 << CRGB_OP_CROP_AND_RESIZE) | (1 << CRGB_OP_GRAD_IMAGE);
}

std::string join(const std::vector<std::string> &items) {
  std::string s;
  for (const std::string &i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

int run(const Args &raw_args) {
  const Args args = with_tf_peer_value(raw_args);
  Flags flags("bench", args,
              {{"op", true, true},
               {"workload", true, true},
               {"workloads", true},
               {"shape", true, true},
               {"dtype", true},
               {"variants", true},
               {"samples", true},
               {"threads", true},
               {"sweep", false},
               {"cold", false},
               {"tf-peer", true},
               {"json", true},
               {"csv", true},
               {"plot", true}});
  const int samples = static_cast<int>(parse_int(flags.get("samples", "15"), "--samples"));
  if (samples < 10) throw Error(CRGB_INVALID_ARGUMENT, "--samples must be at least 10");
  int threads = 0;
  if (flags.has("threads")) {
    threads = static_cast<int>(parse_int(flags.required("threads"), "--threads"));
    crgb_set_num_threads(threads);
  } else if (const char *hl = std::getenv("HL_NUM_THREADS")) {
    threads = std::max(0, std::atoi(hl));
  }
  const std::vector<crgb_op> ops = ops_from(flags);
  const std::vector<WorkloadSpec> specs = workloads_from(flags);
  std::vector<std::string> names;
  if (flags.has("variants")) {
    names = split_list(flags.required("variants"));
    names.erase(std::remove(names.begin(), names.end(), "reference"), names.end());
    names.insert(names.begin(), "reference");
  } else {
    for (const VariantInfo &v : variants())
      if (v.available) names.push_back(v.name);
  }
  // Each op's variants, reference first; the others skipped for it, said once.
  std::vector<std::vector<std::string>> op_names;
  for (crgb_op op : ops) {
    op_names.emplace_back();
    for (const std::string &n : names)
      if (variant_ops(n) & (1 << op)) op_names.back().push_back(n);
  }
  for (const std::string &n : names) {
    std::vector<std::string> missing, has;
    for (crgb_op op : ops)
      if (!(variant_ops(n) & (1 << op))) missing.push_back(crgb_op_name(op));
    for (crgb_op op : kAllOps)
      if (variant_ops(n) & (1 << op)) has.push_back(crgb_op_name(op));
    if (!missing.empty())
      std::printf("%s: skipped for %s (it implements %s)\n", n.c_str(), join(missing).c_str(),
                  has.empty() ? "no op" : join(has).c_str());
  }

  const Progress progress;
  std::unique_ptr<TfPeer> peer;
  if (flags.has("tf-peer")) {
    std::string python = flags.required("tf-peer");
    if (python.empty()) {
      const char *env = std::getenv("CRGB_TF_PYTHON");
      python = env && *env ? env : "python3";
    }
    progress.show("starting TensorFlow (" + python + ")");
    peer = std::make_unique<TfPeer>(python, threads);
    progress.clear();
    if (peer->available())
      std::printf(
          "tensorflow peer: TensorFlow %s with %s (eager, CPU, %s threads): one timed call "
          "after each round\n",
          peer->version().c_str(), python.c_str(),
          threads > 0 ? std::to_string(threads).c_str() : "its default");
    else
      std::printf("tensorflow peer: not available (%s); going on without it\n",
                  peer->why().c_str());
    std::fflush(stdout);
  }

  // The bandwidth is measured before every op of every workload and once
  // more at the end, and the best of all those passes is the peak: on a shared
  // VM a single measurement taken while the host is busy reads low (32-48 GB/s
  // in one hour on 2026-11-29) and would put the kernels above 100% of it.
  const StreamBuffer stream(size_t(256) << 20);
  Bandwidth bw;
  auto measure = [&] {
    progress.show("measuring read bandwidth");
    const Bandwidth now = measure_read_bandwidth(stream);
    progress.clear();
    bw.threads = now.threads;
    bw.one_thread_gbps = std::max(bw.one_thread_gbps, now.one_thread_gbps);
    bw.all_threads_gbps = std::max(bw.all_threads_gbps, now.all_threads_gbps);
  };
  const std::unique_ptr<StreamBuffer> cold =
      flags.has("cold") ? std::make_unique<StreamBuffer>(size_t(128) << 20) : nullptr;
  std::vector<Record> records;
  std::vector<std::vector<std::string>> peer_notes(ops.size());
  std::set<std::string> done;  // grad_image cases already run (workload, output dtype)
  for (size_t i = 0; i < specs.size(); ++i) {
    Workload w = make_workload(specs[i], 20261125u + static_cast<uint32_t>(i));
    if (peer && peer->available()) {
      try {
        progress.show(w.spec.name + ": writing the tensors for TensorFlow");
        write_peer_inputs(w, peer->dir());
      } catch (const std::exception &e) {
        for (auto &notes : peer_notes) notes.push_back(w.spec.name + ": " + e.what());
      }
    }
    for (size_t o = 0; o < ops.size(); ++o) {
      const OpCase c(ops[o], w);
      // --dtype uint8,float32 gives grad_image the same float32 case twice: run it once.
      if (ops[o] == CRGB_OP_GRAD_IMAGE && !done.insert(w.spec.name + " " + c.dtype).second)
        continue;
      measure();
      for (const Record &r :
           run_case(c, op_names[o], samples, cold.get(), progress, peer.get(), &peer_notes[o]))
        records.push_back(r);
    }
    if (peer) peer->remove_files();
  }
  measure();
  for (Record &r : records) {
    r.roofline_pct = 100.0 * r.gbps / bw.all_threads_gbps;
    r.cold = cold != nullptr;
  }
  std::printf(
      "read bandwidth (streaming, 256 MiB; best of the passes before each op of each workload "
      "and at the end): %.1f GB/s with 1 thread, %.1f GB/s with %d\n",
      bw.one_thread_gbps, bw.all_threads_gbps, bw.threads);
  std::printf(
      "%% peak: GB/s over that all-threads read bandwidth, the yardstick for reads and writes "
      "alike (a written byte counts once, like a read one)\n");
  if (cold) std::printf("inputs cold: the caches were flushed before every timed call (--cold)\n");

  bool all_ok = true;
  for (size_t o = 0; o < ops.size(); ++o) {
    const std::string op = crgb_op_name(ops[o]);
    std::printf("\n%s: GB/s over %s\n", op.c_str(), bytes_counted(ops[o]));
    std::printf("%-4s %-20s %-8s %10s %19s %8s %8s %8s %9s %s\n", "wl", "variant", "dtype",
                "median ms", "spread ms", "GB/s", "% peak", "x ref", "max err", "check");
    for (const Record &r : records) {
      if (r.op != op) continue;
      char spread[32];
      std::snprintf(spread, sizeof spread, "%.3f..%.3f", r.min_ms, r.max_ms);
      std::printf("%-4s %-20s %-8s %10.3f %19s %8.2f %8.1f %8.2f %9.2e %s\n", r.workload.c_str(),
                  r.variant.c_str(), r.dtype.c_str(), r.median_ms, spread, r.gbps, r.roofline_pct,
                  r.speedup, r.max_rel_err,
                  r.ok     ? "ok"
                  : r.peer ? "differs"
                           : "MISMATCH");
      if (!r.peer) all_ok = all_ok && r.ok;
    }
    const bool timed = std::any_of(records.begin(), records.end(),
                                   [&](const Record &r) { return r.peer && r.op == op; });
    if (timed || !peer_notes[o].empty()) std::printf("\n");
    if (timed) {
      print_vs_peer(records, op, peer->version());
      if (ops[o] == CRGB_OP_GRAD_IMAGE)
        std::printf(
            "(tensorflow: TensorFlow's default, the boxes sharded over threads; tensorflow_det: "
            "under tf.config.experimental.enable_op_determinism(), one thread, the fair peer of "
            "crgb's deterministic result)\n");
    }
    for (const std::string &note : peer_notes[o])
      std::printf("tensorflow peer, %s, not timed: %s\n", op.c_str(), note.c_str());
  }
  print_hand_vs_auto(records);

  std::vector<SweepPoint> sweep;
  if (flags.has("sweep")) {
    const std::string variant = names.size() > 1 ? names.back() : crgb_selected_variant();
    sweep = run_sweep(variant, samples, cold.get(), progress);
    std::printf("\ngrad_boxes sweep of %s from W1 (work = boxes x crop area x depth):\n",
                variant.c_str());
    std::printf("%-10s %8s %14s %10s %12s\n", "axis", "value", "work", "median ms", "ns/unit");
    for (const SweepPoint &p : sweep)
      std::printf("%-10s %8.0f %14.0f %10.3f %12.4f\n", p.axis.c_str(), p.value, p.work,
                  p.median_ms, p.median_ms * 1e6 / p.work);
  }
  if (flags.has("json")) write_records(flags.required("json"), records, true);
  if (flags.has("csv")) write_records(flags.required("csv"), records, false);
  if (flags.has("plot")) {
    std::vector<RooflineBar> bars;
    for (const Record &r : records)
      if (r.variant != "reference")
        bars.push_back({r.op, r.workload + (specs.size() > 5 ? " " + r.dtype : ""), r.variant,
                        r.roofline_pct});
    char title[160];
    std::snprintf(title, sizeof title,
                  "crgb bench: %.1f GB/s measured read bandwidth (%d threads)%s",
                  bw.all_threads_gbps, bw.threads, cold ? ", inputs cold" : "");
    write_plot(flags.required("plot"), title, bars, sweep);
  }
  if (!all_ok) throw Error(CRGB_INTERNAL, "a variant disagrees with the reference");
  return 0;
}

}  // namespace

Command bench_command() {
  return {"bench", "time every variant of every op on the built-in workloads", kUsage, run};
}

}  // namespace crgb::cli
