//===- ProbeFile.cpp - probe sample CSV files -----------------------------===//
#include "neuromesh/runtime/ProbeFile.h"

#include "Csv.h"

#include "neuromesh/isa/FileIO.h"

#include <algorithm>
#include <cassert>
#include <fmt/format.h>
#include <iterator>
#include <tuple>

namespace neuromesh::runtime {

namespace {
bool sampleOrder(const ProbeRecord &A, const ProbeRecord &B) {
  return std::tie(A.Step, A.Symbol, A.Index, A.Probe) <
         std::tie(B.Step, B.Symbol, B.Index, B.Probe);
}
} // namespace

std::string formatProbeCsv(const std::vector<ProbeRecord> &Samples,
                           const isa::Image &Img) {
  // The engine produces them in order already; a caller's merged list may
  // not be.
  const std::vector<ProbeRecord> *Rows = &Samples;
  std::vector<ProbeRecord> Sorted;
  if (!std::is_sorted(Samples.begin(), Samples.end(), sampleOrder)) {
    Sorted = Samples;
    std::stable_sort(Sorted.begin(), Sorted.end(), sampleOrder);
    Rows = &Sorted;
  }
  fmt::memory_buffer Out;
  fmt::format_to(std::back_inserter(Out), "{}\n", ProbeCsvHeader);
  for (const ProbeRecord &S : *Rows) {
    assert(S.Symbol < Img.Symbols.size() &&
           S.Probe < Img.Symbols[S.Symbol].Probes.size() &&
           "sample of a known probe");
    const isa::Symbol &Sym = Img.Symbols[S.Symbol];
    fmt::format_to(std::back_inserter(Out), "{},{},{},{},{}\n", S.Step,
                   csvField(Sym.Name), S.Index, csvField(Sym.Probes[S.Probe].Variable),
                   S.Value);
  }
  return fmt::to_string(Out);
}

void writeProbeFile(const std::string &Path,
                    const std::vector<ProbeRecord> &Samples,
                    const isa::Image &Img) {
  isa::writeFileAtomically(Path, formatProbeCsv(Samples, Img));
}

} // namespace neuromesh::runtime
