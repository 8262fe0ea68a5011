// SVG charts of a benchmark run: roofline percentage per variant and workload,
// one panel per op, and time against work for the scaling sweep (grad_boxes).
#ifndef CRGB_CLI_BENCH_PLOT_H
#define CRGB_CLI_BENCH_PLOT_H

#include <string>
#include <vector>

namespace crgb::cli {

struct RooflineBar {
  std::string op;  // crgb_op_name's spelling: one panel per op, in order of appearance
  std::string workload, variant;
  double roofline_pct;
};

// One point of a scaling sweep: `axis` names what was varied
// ("num_boxes", "depth", "crop", "threads").
struct SweepPoint {
  std::string axis;
  double value;  // the varied quantity
  double work;   // num_boxes x crop area x depth
  double median_ms;
};

// Writes an SVG file; throws crgb::Error if it cannot be written.
void write_plot(const std::string &path, const std::string &title,
                const std::vector<RooflineBar> &bars, const std::vector<SweepPoint> &sweep);

}  // namespace crgb::cli

#endif  // CRGB_CLI_BENCH_PLOT_H
