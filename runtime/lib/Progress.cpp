//===- Progress.cpp - progress of a long run ------------------------------===//
#include "neuromesh/runtime/Progress.h"

#include <fmt/format.h>

#include <algorithm>

#include <unistd.h>

namespace neuromesh::runtime {

std::string formatProgress(uint64_t Done, uint64_t Total, double Elapsed) {
  const double Rate = Elapsed > 0 ? double(Done) / Elapsed : 0;
  std::string S = fmt::format("step {}/{} ({:.1f} %)", Done, Total,
                              Total ? 100.0 * double(Done) / double(Total) : 100.0);
  if (Rate <= 0)
    return S;
  return S + fmt::format(", {:.3g} steps/s, {:.1f} s left", Rate, double(Total - Done) / Rate);
}

ProgressLine::ProgressLine(std::FILE *Out) : ProgressLine(Out, isatty(fileno(Out)) == 1) {}

ProgressLine::ProgressLine(std::FILE *Out, bool Enabled) : Out(Out), Enabled(Enabled) {}

void ProgressLine::update(uint64_t Done, uint64_t Total) {
  if (!Enabled)
    return;
  const Clock::time_point Now = Clock::now();
  // Quiet for the first second (short runs print nothing), then four
  // redraws a second at most: drawing must not slow the run.
  if (Now - Start < std::chrono::seconds(1) || Now - Last < std::chrono::milliseconds(250))
    return;
  Last = Now;
  const std::string Text =
      formatProgress(Done, Total, std::chrono::duration<double>(Now - Start).count());
  // Pad over a longer previous line.
  std::fprintf(Out, "\r%-*s", int(std::max(Width, Text.size())), Text.c_str());
  std::fflush(Out);
  Width = Text.size();
}

void ProgressLine::finish() {
  if (!Enabled || Width == 0)
    return;
  std::fprintf(Out, "\r%*s\r", int(Width), "");
  std::fflush(Out);
  Width = 0;
}

} // namespace neuromesh::runtime
