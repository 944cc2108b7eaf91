//===- systemc/LatencyAgreement.h - two models' step latencies ------------===//
//
// How far the transaction mesh model's step latencies are from the cycle
// model's, its independent second implementation: the agreement tests
// (test_chip.cpp, runtime/test_run_systemc.cpp) and the systemc benchmark
// accumulate it step by step.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace neuromesh::testing {

/// Relative differences |Got - Want| / Want over steps.
struct LatencyAgreement {
  double Sum = 0, Max = 0;
  size_t Steps = 0, Equal = 0;
  /// One step: Want from the reference (cycle) model, Got from the other.
  void add(double Want, double Got) {
    const double Rel = Want > 0 ? std::abs(Got - Want) / Want : (Got == Want ? 0.0 : 1.0);
    Sum += Rel;
    Max = std::max(Max, Rel);
    ++Steps;
    Equal += Got == Want;
  }
  /// The mean relative difference (0 over no steps).
  double mean() const { return Steps ? Sum / double(Steps) : 0; }
};

} // namespace neuromesh::testing
