#include "support/golden.h"

#include <fstream>
#include <stdexcept>

namespace crgb_test {
namespace {

// A header, then id <TAB> status <TAB> description <TAB> message.
std::vector<GoldenCase> read_cases(const std::string &path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<GoldenCase> cases;
  std::string line;
  std::getline(in, line);
  if (line != "id\tstatus\tdescription\tmessage")
    throw std::runtime_error(path + ": unexpected header");
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f;
    size_t start = 0;
    for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
      f.push_back(line.substr(start, tab - start));
    f.push_back(line.substr(start));
    if (f.size() != 4) throw std::runtime_error(path + ": not 4 fields: " + line);
    cases.push_back({f[0], f[1], f[2], f[3]});
  }
  return cases;
}

}  // namespace

Golden load_golden(const std::string &dir, const std::string &tsv, const std::string &npz) {
  Golden g;
  try {
    g.cases = read_cases(dir + "/" + tsv);
    g.arrays = crgb::npy::load_npz(dir + "/" + npz);
  } catch (const std::exception &e) {
    g.error = e.what();
  }
  return g;
}

std::string text_of(const Golden &g, const GoldenCase &c, const std::string &what,
                    const std::string &fallback) {
  const crgb::npy::Array *a = g.find(c, what);
  return a ? std::string(a->bytes.begin(), a->bytes.end()) : fallback;
}

}  // namespace crgb_test
