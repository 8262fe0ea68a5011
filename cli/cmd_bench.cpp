// crgb bench: every available variant on the built-in or custom workloads,
// each first checked against `reference`, then timed side by side
// (interleaved rounds, so machine noise hits every variant alike), reported
// against this machine's read bandwidth measured in the same run.
#include "bench_bandwidth.h"
#include "bench_plot.h"
#include "commands.h"
#include "flags.h"
#include "workloads.h"

#include <crgb/crgb.hpp>

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <thread>

namespace crgb::cli {
namespace {

const char kUsage[] =
    "usage: crgb bench [--workload W1 ...] [--shape B,H,W,D,N,CH,CW ...] [--dtype T,...]\n"
    "                  [--variants NAME,...] [--samples N] [--threads N] [--cold] [--sweep]\n"
    "                  [--json FILE] [--csv FILE] [--plot FILE.svg]\n"
    "\n"
    "Runs each variant on each workload: --workload (repeatable; also --workloads\n"
    "W1,W2,...) names built-in ones (W1-W6; default W1-W5), --shape adds a custom one\n"
    "(batch, image height, width, depth, num_boxes, crop height, crop width), --dtype\n"
    "runs every workload with each listed image dtype instead of its own.\n"
    "\n"
    "Each variant's result is first checked against the reference variant: the largest\n"
    "absolute difference over the largest |reference| output must be at most 1e-3 (a\n"
    "sanity check; the test suite holds the rigorous bound). Then, after a warm-up,\n"
    "the variants are timed in --samples interleaved rounds (default 15, at least 10).\n"
    "Each round runs the reference first, then the others in an order rotated by one\n"
    "place per round, so that each follows the single-threaded reference equally often.\n"
    "Reports the median and spread (min..max) in ms; GB/s over the bytes that must be\n"
    "read (all of grads and every distinct image pixel an in-image sample touches);\n"
    "that as a percentage of this machine's streaming read bandwidth with all threads,\n"
    "measured in the same run (the best pass of those before each workload and at the\n"
    "end); and the speed-up over the reference's median.\n"
    "Between rounds the inputs stay in the caches where they fit (W1's 26 MB of grads\n"
    "and W5's whole input fit a 32 MiB L3), which can put a variant above 100% of the\n"
    "memory's bandwidth; --cold reads 128 MiB with all threads before every timed call\n"
    "(outside the timing), so that each call reads its inputs from memory.\n"
    "Then a second table sets each autoscheduled variant (<isa>_<autoscheduler>, e.g.\n"
    "avx2_adams2019) beside the hand-written one of its ISA (<isa>), when both ran:\n"
    "x hand = hand-written median / autoscheduled median, > 1 where it wins.\n"
    "\n"
    "--sweep also times the automatically selected variant while scaling num_boxes,\n"
    "depth, crop size and threads from W1, to show how cost grows with work.\n"
    "--json and --csv write the records; --plot writes an SVG chart of the roofline\n"
    "percentages (and of the sweep).\n";

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
  for (int t = CRGB_UINT8; t <= CRGB_FLOAT64; ++t)
    if (s == crgb_dtype_name(static_cast<crgb_dtype>(t))) return static_cast<crgb_dtype>(t);
  throw Error(CRGB_INVALID_ARGUMENT, "unknown dtype '" + s + "'");
}

struct Record {
  std::string workload, variant, dtype;
  double median_ms = 0, min_ms = 0, max_ms = 0, gbps = 0, roofline_pct = 0, speedup = 0,
         max_rel_err = 0;
  bool ok = false;
  bool cold = false;  // caches flushed before every timed call
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double max_rel_err(const std::vector<float> &got, const std::vector<float> &ref) {
  double scale = 0, err = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    scale = std::max(scale, std::fabs(double(ref[i])));
    double d = std::fabs(double(got[i]) - double(ref[i]));
    if (std::isnan(d)) return INFINITY;
    err = std::max(err, d);
  }
  return scale > 0 ? err / scale : err;
}

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

std::vector<Record> run_workload(const Workload &w, const std::vector<std::string> &names,
                                 int samples, const StreamBuffer *cold, const Progress &progress) {
  auto call = [&](const std::string &variant) {
    return grad_boxes(w.grads_t(), w.image_t(), w.boxes_t(), w.box_ind_t(), variant);
  };
  const std::string label = w.spec.name + " " + crgb_dtype_name(w.spec.image_dtype);
  progress.show(label + ": checking against reference");
  const std::vector<float> ref = call("reference");
  std::vector<Record> rows(names.size());
  std::vector<std::vector<double>> times(names.size());
  for (size_t v = 0; v < names.size(); ++v) {
    rows[v].workload = w.spec.name;
    rows[v].variant = names[v];
    rows[v].dtype = crgb_dtype_name(w.spec.image_dtype);
    rows[v].max_rel_err = max_rel_err(call(names[v]), ref);  // also the warm-up
    rows[v].ok = rows[v].max_rel_err <= 1e-3;
  }
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
      times[v].push_back(time_ms([&] { call(names[v]); }, cold));
    }
  }
  progress.clear();
  const double bytes = static_cast<double>(w.required_bytes());
  const double ref_median = median(times[0]);
  for (size_t v = 0; v < names.size(); ++v) {
    Record &r = rows[v];
    r.median_ms = median(times[v]);
    r.min_ms = *std::min_element(times[v].begin(), times[v].end());
    r.max_ms = *std::max_element(times[v].begin(), times[v].end());
    r.gbps = bytes / (r.median_ms * 1e-3) / 1e9;
    r.speedup = ref_median / r.median_ms;
  }
  return rows;
}

// Scales W1 along one axis at a time and times `variant` alone.
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
    out << "workload,variant,dtype,median_ms,min_ms,max_ms,gbps,roofline_pct,"
           "speedup_vs_reference,max_rel_err,ok,cold\n";
  for (size_t i = 0; i < records.size(); ++i) {
    const Record &r = records[i];
    char line[640];
    if (json) {
      std::snprintf(line, sizeof line,
                    "  {\"workload\": \"%s\", \"variant\": \"%s\", \"dtype\": \"%s\", "
                    "\"median_ms\": %.4f, \"min_ms\": %.4f, \"max_ms\": %.4f, \"gbps\": %.3f, "
                    "\"roofline_pct\": %.2f, \"speedup_vs_reference\": %.3f, "
                    "\"max_rel_err\": %.3g, \"ok\": %s, \"cold\": %s}%s\n",
                    r.workload.c_str(), r.variant.c_str(), r.dtype.c_str(), r.median_ms, r.min_ms,
                    r.max_ms, r.gbps, r.roofline_pct, r.speedup, r.max_rel_err,
                    r.ok ? "true" : "false", r.cold ? "true" : "false",
                    i + 1 < records.size() ? "," : "");
    } else {
      std::snprintf(line, sizeof line, "%s,%s,%s,%.4f,%.4f,%.4f,%.3f,%.2f,%.3f,%.3g,%s,%s\n",
                    r.workload.c_str(), r.variant.c_str(), r.dtype.c_str(), r.median_ms, r.min_ms,
                    r.max_ms, r.gbps, r.roofline_pct, r.speedup, r.max_rel_err,
                    r.ok ? "true" : "false", r.cold ? "true" : "false");
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
// autoscheduler wins.
void print_hand_vs_auto(const std::vector<Record> &records) {
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
          "\nhand-written vs autoscheduled (x hand = hand-written median / "
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
}

int run(const Args &args) {
  Flags flags("bench", args,
              {{"workload", true, true},
               {"workloads", true},
               {"shape", true, true},
               {"dtype", true},
               {"variants", true},
               {"samples", true},
               {"threads", true},
               {"sweep", false},
               {"cold", false},
               {"json", true},
               {"csv", true},
               {"plot", true}});
  const int samples = static_cast<int>(parse_int(flags.get("samples", "15"), "--samples"));
  if (samples < 10) throw Error(CRGB_INVALID_ARGUMENT, "--samples must be at least 10");
  if (flags.has("threads"))
    crgb_set_num_threads(static_cast<int>(parse_int(flags.required("threads"), "--threads")));
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

  // The bandwidth is measured before every workload and once more at the end,
  // and the best of all those passes is the peak: on a shared VM a single
  // measurement taken while the host is busy reads low (32-48 GB/s in one
  // hour on 2026-11-29) and would put the kernels above 100% of it.
  const Progress progress;
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
  for (size_t i = 0; i < specs.size(); ++i) {
    measure();
    Workload w = make_workload(specs[i], 20261125u + static_cast<uint32_t>(i));
    for (const Record &r : run_workload(w, names, samples, cold.get(), progress))
      records.push_back(r);
  }
  measure();
  for (Record &r : records) {
    r.roofline_pct = 100.0 * r.gbps / bw.all_threads_gbps;
    r.cold = cold != nullptr;
  }
  std::printf(
      "read bandwidth (streaming, 256 MiB; best of the passes before each workload and at the "
      "end): %.1f GB/s with 1 thread, %.1f GB/s with %d\n",
      bw.one_thread_gbps, bw.all_threads_gbps, bw.threads);
  if (cold) std::printf("inputs cold: the caches were flushed before every timed call (--cold)\n");

  std::printf("%-4s %-20s %-8s %10s %19s %8s %8s %8s %9s %s\n", "wl", "variant", "dtype",
              "median ms", "spread ms", "GB/s", "% peak", "x ref", "max err", "check");
  bool all_ok = true;
  for (const Record &r : records) {
    char spread[32];
    std::snprintf(spread, sizeof spread, "%.3f..%.3f", r.min_ms, r.max_ms);
    std::printf("%-4s %-20s %-8s %10.3f %19s %8.2f %8.1f %8.2f %9.2e %s\n", r.workload.c_str(),
                r.variant.c_str(), r.dtype.c_str(), r.median_ms, spread, r.gbps, r.roofline_pct,
                r.speedup, r.max_rel_err, r.ok ? "ok" : "MISMATCH");
    all_ok = all_ok && r.ok;
  }
  print_hand_vs_auto(records);

  std::vector<SweepPoint> sweep;
  if (flags.has("sweep")) {
    const std::string variant = names.size() > 1 ? names.back() : crgb_selected_variant();
    sweep = run_sweep(variant, samples, cold.get(), progress);
    std::printf("\nsweep of %s from W1 (work = boxes x crop area x depth):\n", variant.c_str());
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
        bars.push_back(
            {r.workload + (specs.size() > 5 ? " " + r.dtype : ""), r.variant, r.roofline_pct});
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
  return {"bench", "time every variant on the built-in workloads", kUsage, run};
}

}  // namespace crgb::cli
