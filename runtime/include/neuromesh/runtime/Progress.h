//===- neuromesh/runtime/Progress.h - progress of a long run ----*- C++ -*-===//
//
// One line on a terminal, rewritten with '\r': steps done, rate and time
// left. Shown only when the stream is a terminal (never into files, pipes
// or tests) and only once a run has lasted a second, so short runs print
// nothing.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace neuromesh::runtime {

/// The progress text for Done of Total steps after Elapsed seconds, e.g.
/// "step 1200/5000 (24.0 %), 3.4e+03 steps/s, 1.1 s left".
std::string formatProgress(uint64_t Done, uint64_t Total, double Elapsed);

/// Progress of a run on a terminal stream.
class ProgressLine {
public:
  /// Enabled when Out is a terminal (isatty).
  explicit ProgressLine(std::FILE *Out);
  ProgressLine(std::FILE *Out, bool Enabled);
  bool enabled() const { return Enabled; }
  /// Done of Total steps are finished: redraws at most four times a second.
  void update(uint64_t Done, uint64_t Total);
  /// Clears the line, if one was drawn.
  void finish();

private:
  using Clock = std::chrono::steady_clock;
  std::FILE *Out;
  bool Enabled;
  Clock::time_point Start = Clock::now(), Last = Start;
  size_t Width = 0; ///< characters of the line drawn, 0 if none
};

} // namespace neuromesh::runtime
