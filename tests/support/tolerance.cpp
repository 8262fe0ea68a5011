#include "support/tolerance.h"

#include <cfloat>
#include <cmath>
#include <sstream>

namespace crgb_test {
namespace {

const char *const kColumn[4] = {"d/dy1", "d/dx1", "d/dy2", "d/dx2"};

// How far outside its bound an element is: 0 when inside, +inf when the
// non-finite rules are broken.
double excess(double got, double value, double abs_sum, double corner_sum, double bound) {
  if (std::isnan(value)) return std::isnan(got) ? 0.0 : INFINITY;
  // An infinite float64 value (an infinite grad) may come out NaN in float32
  // when another contribution overflowed there (inf * 0 weight, inf - inf);
  // the rederivation marks such outputs with an infinite abs_sum.
  if (std::isinf(value))
    return got == value || (std::isnan(got) && std::isinf(abs_sum)) ? 0.0 : INFINITY;
  // The SIMD variants compile under fast-math: LLVM may reassociate and
  // distribute a term's products and split the sums, so any intermediate is
  // bounded only by corner_sum (every |grad| x |pixel| x extent): where that
  // reaches FLT_MAX some evaluation order overflows float32 (crgb_fuzz found
  // avx2_adams2019 doing so where TensorFlow's order does not).
  if (!std::isfinite(got)) return abs_sum >= FLT_MAX || corner_sum >= FLT_MAX ? 0.0 : INFINITY;
  const double err = std::fabs(got - value);
  return err <= bound ? 0.0 : err / bound;
}

}  // namespace

double tolerance(const Expected &want, size_t i) {
  return static_cast<double>(want.terms_per_output + 16) * std::ldexp(1.0, -24) * want.abs_sum[i] +
         1e-30;
}

::testing::AssertionResult within_tolerance(const std::vector<float> &got, const Expected &want,
                                            double scale) {
  if (got.size() != want.value.size())
    return ::testing::AssertionFailure()
           << "result has " << got.size() << " floats, expected " << want.value.size();
  size_t worst = 0, failures = 0;
  double worst_excess = 0.0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double e = excess(got[i], want.value[i], want.abs_sum[i], want.corner_sum[i],
                            scale * tolerance(want, i));
    if (e > 0.0) ++failures;
    if (e > worst_excess) worst_excess = e, worst = i;
  }
  if (failures == 0) return ::testing::AssertionSuccess();
  std::ostringstream s;
  s.precision(17);
  s << failures << " of " << got.size() << " outputs outside the bound; worst: box " << worst / 4
    << " " << kColumn[worst % 4] << " got " << got[worst] << " want " << want.value[worst]
    << " |diff| " << std::fabs(got[worst] - want.value[worst]) << " abs_sum " << want.abs_sum[worst]
    << " bound " << scale * tolerance(want, worst) << " (n = " << want.terms_per_output << ")";
  return ::testing::AssertionFailure() << s.str();
}

}  // namespace crgb_test
