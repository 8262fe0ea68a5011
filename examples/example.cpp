// crgb from C++ (crgb/crgb.hpp): a uint8 image, every variant this CPU runs,
// checked against the known answer and the reference variant.
//
// Build against an installed crgb (docs/c-api.md, "Install"):
//   c++ -std=c++17 example.cpp $(pkg-config --cflags --static --libs crgb) -o example_cpp
// or with CMake: find_package(crgb) and link crgb::crgb (CMakeLists.txt here).
#include <crgb/crgb.hpp>

#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

int main() {
  // A 5x5 one-channel uint8 image I(y, x) = 10y + 3x, one box
  // (0.125, 0.125, 0.625, 0.625) cropped to 3x3 with upstream gradients of 1:
  // samples at pixel coordinates 0.5, 1.5, 2.5, where dI/dy = 10 and dI/dx = 3,
  // so the box gradient is exactly (180, 54, 180, 54).
  std::vector<uint8_t> image(25);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 5; ++x) image[y * 5 + x] = static_cast<uint8_t>(10 * y + 3 * x);
  std::vector<float> grads(9, 1.0f);
  std::vector<float> boxes = {0.125f, 0.125f, 0.625f, 0.625f};
  std::vector<int32_t> box_ind = {0};
  const std::vector<float> expected = {180, 54, 180, 54};

#ifdef CRGB_EXPECTED_VERSION  // the version the build system found
  if (std::string(crgb_version()) != CRGB_EXPECTED_VERSION) {
    std::cerr << "crgb_version() is " << crgb_version() << ", the package says "
              << CRGB_EXPECTED_VERSION << "\n";
    return 1;
  }
#endif

  int failures = 0;
  try {
    auto g = crgb::tensor(grads.data(), {1, 3, 3, 1});
    auto im = crgb::tensor(image.data(), {1, 5, 5, 1});
    auto b = crgb::tensor(boxes.data(), {1, 4});
    auto k = crgb::tensor(box_ind.data(), {1});
    std::vector<float> reference = crgb::grad_boxes(g, im, b, k, "reference");
    for (const crgb::VariantInfo &v : crgb::variants()) {
      if (!v.available) continue;
      std::vector<float> out;
      try {
        out = crgb::grad_boxes(g, im, b, k, v.name);
      } catch (const crgb::Error &e) {
        if (e.status() != CRGB_UNIMPLEMENTED) throw;
        std::cout << v.name << ": " << e.message() << "\n";  // not built for this dtype
        continue;
      }
      bool ok = out == expected && out == reference;
      std::cout << v.name << (v.selected ? " (automatic)" : "") << ": " << out[0] << " " << out[1]
                << " " << out[2] << " " << out[3] << (ok ? " ok" : " WRONG") << "\n";
      failures += !ok;
    }
    try {
      crgb::grad_boxes(g, im, b, k, "", "nearest");
      std::cerr << "method 'nearest' was accepted\n";
      ++failures;
    } catch (const crgb::Error &e) {
      std::cout << "rejected as expected: " << e.what() << "\n";
      failures += e.status() != CRGB_INVALID_ARGUMENT;
    }
  } catch (const crgb::Error &e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return failures == 0 ? 0 : 1;
}
