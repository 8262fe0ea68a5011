// crgb bench: every available variant on the built-in workloads, each first
// checked against `reference`, then timed side by side (interleaved samples,
// so machine noise hits every variant alike), reported as a table.
#include "commands.h"
#include "flags.h"
#include "workloads.h"

#include <crgb/crgb.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace crgb::cli {
namespace {

const char kUsage[] =
    "usage: crgb bench [--workloads W1,W2,...] [--variants NAME,...] [--samples N]\n"
    "                  [--threads N] [--json FILE]\n"
    "\n"
    "Runs each variant on each workload (default: W1-W5, every available variant).\n"
    "Each variant's result is first checked against the reference variant: the\n"
    "largest absolute difference divided by the largest |reference| output must be\n"
    "at most 1e-3 (a sanity check; the test suite holds the rigorous bound). Then\n"
    "the variants are timed in interleaved rounds after a warm-up: --samples rounds\n"
    "(default 15, at least 10). Reports the median and the spread (min..max) in ms,\n"
    "GB/s over the bytes that must be read (all of grads and every distinct image\n"
    "pixel an in-image sample touches), and the speed-up of the median over the\n"
    "reference's median. --json FILE also writes the records as a JSON array.\n";

std::vector<std::string> split_list(const std::string &s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

struct Record {
  std::string workload, variant, dtype;
  double median_ms = 0, min_ms = 0, max_ms = 0, gbps = 0, speedup = 0, max_rel_err = 0;
  bool ok = false;
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

void write_json(const std::string &path, const std::vector<Record> &records) {
  std::ofstream out(path);
  if (!out) throw Error(CRGB_INVALID_ARGUMENT, "cannot write '" + path + "'");
  out << "[\n";
  for (size_t i = 0; i < records.size(); ++i) {
    const Record &r = records[i];
    char line[512];
    std::snprintf(line, sizeof line,
                  "  {\"workload\": \"%s\", \"variant\": \"%s\", \"dtype\": \"%s\", "
                  "\"median_ms\": %.4f, \"min_ms\": %.4f, \"max_ms\": %.4f, \"gbps\": %.3f, "
                  "\"speedup_vs_reference\": %.3f, \"max_rel_err\": %.3g, \"ok\": %s}%s\n",
                  r.workload.c_str(), r.variant.c_str(), r.dtype.c_str(), r.median_ms, r.min_ms,
                  r.max_ms, r.gbps, r.speedup, r.max_rel_err, r.ok ? "true" : "false",
                  i + 1 < records.size() ? "," : "");
    out << line;
  }
  out << "]\n";
}

int run(const Args &args) {
  Flags flags("bench", args,
              {{"workloads", true}, {"variants", true}, {"samples", true}, {"threads", true},
               {"json", true}});
  int samples = std::stoi(flags.get("samples", "15"));
  if (samples < 10) throw Error(CRGB_INVALID_ARGUMENT, "--samples must be at least 10");
  if (flags.has("threads")) crgb_set_num_threads(std::stoi(flags.required("threads")));

  std::vector<WorkloadSpec> specs;
  for (const std::string &name : split_list(flags.get("workloads", "W1,W2,W3,W4,W5"))) {
    auto it = std::find_if(builtin_workloads().begin(), builtin_workloads().end(),
                           [&](const WorkloadSpec &s) { return s.name == name; });
    if (it == builtin_workloads().end())
      throw Error(CRGB_INVALID_ARGUMENT, "unknown workload '" + name + "' (W1-W5)");
    specs.push_back(*it);
  }
  std::vector<std::string> names;
  if (flags.has("variants")) {
    names = split_list(flags.required("variants"));
    if (std::find(names.begin(), names.end(), "reference") == names.end())
      names.insert(names.begin(), "reference");
  } else {
    for (const VariantInfo &v : variants())
      if (v.available) names.push_back(v.name);
  }

  const bool tty = isatty(fileno(stderr));
  std::vector<Record> records;
  bool all_ok = true;
  for (size_t wi = 0; wi < specs.size(); ++wi) {
    const WorkloadSpec &spec = specs[wi];
    Workload w = make_workload(spec, 20261125u + static_cast<uint32_t>(wi));
    auto call = [&](const std::string &variant) {
      return grad_boxes(w.grads_t(), w.image_t(), w.boxes_t(), w.box_ind_t(), variant);
    };
    const std::vector<float> ref = call("reference");
    std::vector<Record> rows(names.size());
    std::vector<std::vector<double>> times(names.size());
    for (size_t v = 0; v < names.size(); ++v) {
      rows[v].workload = spec.name;
      rows[v].variant = names[v];
      rows[v].dtype = crgb_dtype_name(spec.image_dtype);
      rows[v].max_rel_err = max_rel_err(call(names[v]), ref);  // also the warm-up
      rows[v].ok = rows[v].max_rel_err <= 1e-3;
      all_ok = all_ok && rows[v].ok;
    }
    for (int s = 0; s < samples; ++s) {
      if (tty)
        std::fprintf(stderr, "\r%s: round %d/%d", spec.name.c_str(), s + 1, samples);
      for (size_t v = 0; v < names.size(); ++v) {
        auto t0 = std::chrono::steady_clock::now();
        call(names[v]);
        auto t1 = std::chrono::steady_clock::now();
        times[v].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
    }
    if (tty) std::fprintf(stderr, "\r%*s\r", 40, "");
    const double bytes = static_cast<double>(w.required_bytes());
    const double ref_median = median(times[0]);
    for (size_t v = 0; v < names.size(); ++v) {
      Record &r = rows[v];
      r.median_ms = median(times[v]);
      r.min_ms = *std::min_element(times[v].begin(), times[v].end());
      r.max_ms = *std::max_element(times[v].begin(), times[v].end());
      r.gbps = bytes / (r.median_ms * 1e-3) / 1e9;
      r.speedup = ref_median / r.median_ms;
      records.push_back(r);
    }
  }

  std::printf("%-4s %-10s %-8s %10s %19s %8s %8s %9s %s\n", "wl", "variant", "dtype",
              "median ms", "spread ms", "GB/s", "x ref", "max err", "check");
  for (const Record &r : records) {
    char spread[32];
    std::snprintf(spread, sizeof spread, "%.3f..%.3f", r.min_ms, r.max_ms);
    std::printf("%-4s %-10s %-8s %10.3f %19s %8.2f %8.2f %9.2e %s\n", r.workload.c_str(),
                r.variant.c_str(), r.dtype.c_str(), r.median_ms, spread, r.gbps, r.speedup,
                r.max_rel_err, r.ok ? "ok" : "MISMATCH");
  }
  if (flags.has("json")) write_json(flags.required("json"), records);
  if (!all_ok) throw Error(CRGB_INTERNAL, "a variant disagrees with the reference");
  return 0;
}

}  // namespace

Command bench_command() { return {"bench", "time every variant on the built-in workloads", kUsage, run}; }

}  // namespace crgb::cli
