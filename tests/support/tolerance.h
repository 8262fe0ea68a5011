// How close a variant's float32 result must be to the float64 re-derivation.
//
// Bound per output: |got - value| <= (n + 16) * 2^-24 * abs_sum + 1e-30, with n
// = crop_height * crop_width * depth terms summed into that output. Why it is
// rigorous for every correct variant, whatever order it sums in:
//  - summing n float32 terms in any order (sequential, tree, vector lanes,
//    per-thread partials) has error <= (n - 1) * u * sum |terms|, u = 2^-24
//    (Higham, Accuracy and Stability of Numerical Algorithms, section 4.2);
//  - each term is a product of a few rounded float ops (the lerp difference, a
//    product with the lerp, a sum, times grads, times the weight), each term's
//    own error is <= ~8u of its absolute-value expansion, hence the + 16 slack;
//  - abs_sum takes absolute values at every level, so it bounds both.
// A wrong index, weight or lerp makes errors of the order of abs_sum itself,
// far above this bound. 1e-30 absorbs an all-zero case.
#ifndef CRGB_TESTS_SUPPORT_TOLERANCE_H
#define CRGB_TESTS_SUPPORT_TOLERANCE_H

#include "support/rederive.h"

#include <gtest/gtest.h>

#include <vector>

namespace crgb_test {

// The allowed |got - value| for output i.
double tolerance(const Expected &want, size_t i);

// Checks every output against the re-derivation. Non-finite cases: a NaN
// value must come back NaN and an infinite one the same infinity; a finite
// value may come back non-finite only where float32 partial results can
// overflow in some evaluation order (abs_sum or corner_sum beyond FLT_MAX). On failure the message
// names the worst offender (box, column, got, want, abs_sum, bound) and how many failed. scale
// multiplies the bound: 2 when want.value is itself a variant's result (both are within one bound
// of the exact value).
::testing::AssertionResult within_tolerance(const std::vector<float> &got, const Expected &want,
                                            double scale = 1.0);

}  // namespace crgb_test

#endif
