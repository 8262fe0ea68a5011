// A main() for crgb_fuzz.cpp without libFuzzer: runs every file of the
// directories given, in name order, through LLVMFuzzerTestOneInput once, as
// `crgb_fuzz -runs=0 corpus/` does. Built natively (g++, no sanitizers) as
// crgb_fuzz_corpus, so that the seed corpus also runs where the sanitizer
// build does not go: the OpenCL variants on PoCL (docs/gpu.md#opencl).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i)
    for (const auto &entry : std::filesystem::directory_iterator(argv[i]))
      if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "usage: crgb_fuzz_corpus DIR...: no input files\n");
    return 2;
  }
  for (const auto &path : files) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());  // aborts on a finding
  }
  std::printf("crgb_fuzz_corpus: %zu inputs, no finding\n", files.size());
  return 0;
}
