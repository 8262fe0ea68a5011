#include "bench_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include <crgb/crgb.hpp>

namespace crgb::cli {
namespace {

const char *kColors[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                         "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};

std::string num(double v, int digits = 1) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string text(double x, double y, const std::string &s, const char *anchor = "middle",
                 int size = 12, const char *extra = "") {
  std::ostringstream o;
  o << "<text x=\"" << num(x) << "\" y=\"" << num(y) << "\" font-size=\"" << size
    << "\" text-anchor=\"" << anchor << "\" " << extra << ">" << s << "</text>\n";
  return o.str();
}

std::string line(double x1, double y1, double x2, double y2, const char *style) {
  std::ostringstream o;
  o << "<line x1=\"" << num(x1) << "\" y1=\"" << num(y1) << "\" x2=\"" << num(x2) << "\" y2=\""
    << num(y2) << "\" style=\"" << style << "\"/>\n";
  return o.str();
}

// A roofline panel: grouped bars, one group per workload, one bar per variant.
std::string roofline_panel(const std::string &op, const std::vector<RooflineBar> &bars, double x0,
                           double y0, double w, double h) {
  std::vector<std::string> workloads, variants;
  for (const RooflineBar &b : bars) {
    if (std::find(workloads.begin(), workloads.end(), b.workload) == workloads.end())
      workloads.push_back(b.workload);
    if (std::find(variants.begin(), variants.end(), b.variant) == variants.end())
      variants.push_back(b.variant);
  }
  double top = 100;
  for (const RooflineBar &b : bars) top = std::max(top, b.roofline_pct);
  top = std::ceil(top / 20) * 20;
  std::ostringstream o;
  o << text(x0 + w / 2, y0 - 10,
            (op.empty() ? "" : op + ": ") + "share of measured all-threads read bandwidth (%)",
            "middle", 14, "font-weight=\"bold\"");
  for (int t = 0; t <= top; t += 20) {
    double y = y0 + h - h * t / top;
    o << line(x0, y, x0 + w, y, "stroke:#ddd");
    o << text(x0 - 6, y + 4, std::to_string(t), "end");
  }
  const double group = w / std::max<size_t>(1, workloads.size());
  const double bar = group * 0.8 / std::max<size_t>(1, variants.size());
  for (size_t g = 0; g < workloads.size(); ++g) {
    o << text(x0 + group * (g + 0.5), y0 + h + 16, workloads[g]);
    for (const RooflineBar &b : bars) {
      if (b.workload != workloads[g]) continue;
      size_t v = std::find(variants.begin(), variants.end(), b.variant) - variants.begin();
      double bh = h * std::max(0.0, b.roofline_pct) / top;
      o << "<rect x=\"" << num(x0 + group * g + group * 0.1 + bar * v) << "\" y=\""
        << num(y0 + h - bh) << "\" width=\"" << num(bar * 0.9) << "\" height=\"" << num(bh)
        << "\" fill=\"" << kColors[v % 10] << "\"><title>" << b.variant << " " << b.workload << ": "
        << num(b.roofline_pct) << "%</title></rect>\n";
    }
  }
  // The legend in rows of as many keys as fit left of the target's key.
  const double key_w = 160;
  const size_t per_row = std::max<size_t>(1, static_cast<size_t>((w - 130) / key_w));
  for (size_t v = 0; v < variants.size(); ++v) {
    double lx = x0 + 10 + key_w * (v % per_row), ly = y0 + h + 28 + 16 * (v / per_row);
    o << "<rect x=\"" << num(lx) << "\" y=\"" << num(ly) << "\" width=\"12\" "
      << "height=\"12\" fill=\"" << kColors[v % 10] << "\"/>\n";
    o << text(lx + 16, ly + 11, variants[v], "start");
  }
  // The target line over the bars, its key in the legend row where no bar
  // can cover it.
  double y80 = y0 + h - h * 80 / top;
  o << line(x0, y80, x0 + w, y80, "stroke:#c00;stroke-dasharray:6,4");
  o << line(x0 + w - 110, y0 + h + 34, x0 + w - 80, y0 + h + 34,
            "stroke:#c00;stroke-dasharray:6,4");
  o << text(x0 + w - 74, y0 + h + 39, "80% target", "start", 11, "fill=\"#c00\"");
  o << line(x0, y0 + h, x0 + w, y0 + h, "stroke:#000");
  o << line(x0, y0, x0, y0 + h, "stroke:#000");
  return o.str();
}

// Panel 2..: time against work for one sweep axis, with the least-squares
// line through the origin (cost proportional to work).
std::string sweep_panel(const std::string &axis, const std::vector<SweepPoint> &pts, double x0,
                        double y0, double w, double h) {
  const bool threads = axis == "threads";
  double xmax = 0, ymax = 0, sxy = 0, sxx = 0;
  for (const SweepPoint &p : pts) {
    double x = threads ? p.value : p.work;
    xmax = std::max(xmax, x);
    ymax = std::max(ymax, p.median_ms);
    sxy += x * p.median_ms;
    sxx += x * x;
  }
  xmax *= 1.1;
  ymax *= 1.15;
  std::ostringstream o;
  o << text(x0 + w / 2, y0 - 8, threads ? "time vs threads" : "time vs work, varying " + axis,
            "middle", 13, "font-weight=\"bold\"");
  o << line(x0, y0 + h, x0 + w, y0 + h, "stroke:#000");
  o << line(x0, y0, x0, y0 + h, "stroke:#000");
  o << text(x0 + w / 2, y0 + h + 30,
            threads ? "threads" : "work = boxes x crop area x depth (millions)");
  o << text(x0 - 44, y0 + h / 2, "ms", "middle", 12,
            ("transform=\"rotate(-90 " + num(x0 - 44) + " " + num(y0 + h / 2) + ")\"").c_str());
  for (int t = 0; t <= 4; ++t) {
    double y = y0 + h - h * t / 4;
    o << text(x0 - 4, y + 4, num(ymax * t / 4, 2), "end", 10);
    double x = x0 + w * t / 4;
    o << text(x, y0 + h + 14, threads ? num(xmax * t / 4, 1) : num(xmax * t / 4 / 1e6, 1), "middle",
              10);
  }
  if (!threads && sxx > 0) {  // fit through the origin
    double k = sxy / sxx;
    o << line(x0, y0 + h, x0 + w, y0 + h - h * (k * xmax) / ymax,
              "stroke:#888;stroke-dasharray:4,3");
  }
  for (const SweepPoint &p : pts) {
    double x = x0 + w * (threads ? p.value : p.work) / xmax;
    double y = y0 + h - h * p.median_ms / ymax;
    o << "<circle cx=\"" << num(x) << "\" cy=\"" << num(y) << "\" r=\"4\" fill=\"#4e79a7\">"
      << "<title>" << axis << "=" << num(p.value, 0) << ": " << num(p.median_ms, 3)
      << " ms</title></circle>\n";
  }
  return o.str();
}

}  // namespace

void write_plot(const std::string &path, const std::string &title,
                const std::vector<RooflineBar> &bars, const std::vector<SweepPoint> &sweep) {
  std::map<std::string, std::vector<SweepPoint>> axes;
  std::vector<std::string> order;
  for (const SweepPoint &p : sweep) {
    if (!axes.count(p.axis)) order.push_back(p.axis);
    axes[p.axis].push_back(p);
  }
  std::map<std::string, std::vector<RooflineBar>> by_op;
  std::vector<std::string> ops;
  for (const RooflineBar &b : bars) {
    if (!by_op.count(b.op)) ops.push_back(b.op);
    by_op[b.op].push_back(b);
  }
  if (ops.empty()) ops.push_back("");  // an empty panel rather than none
  const double width = 900, panel_h = 260, panel_step = panel_h + 110;
  const double rooflines = panel_step * ops.size();
  const double height = 70 + rooflines + (order.empty() ? 0 : 50 + 240 * ((order.size() + 1) / 2));
  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
    << "\" font-family=\"sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  o << text(width / 2, 24, title, "middle", 15, "font-weight=\"bold\"");
  for (size_t i = 0; i < ops.size(); ++i)
    o << roofline_panel(ops[i], by_op[ops[i]], 70, 70 + panel_step * i, width - 110, panel_h);
  for (size_t i = 0; i < order.size(); ++i) {
    double px = 70 + (i % 2) * 430, py = 70 + rooflines + 50 + 240 * (i / 2);
    o << sweep_panel(order[i], axes[order[i]], px, py, 360, 160);
  }
  o << "</svg>\n";
  std::ofstream out(path);
  out << o.str();
  if (!out) throw Error(CRGB_INVALID_ARGUMENT, "cannot write '" + path + "'");
}

}  // namespace crgb::cli
