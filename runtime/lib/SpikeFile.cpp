//===- SpikeFile.cpp - spike CSV files ------------------------------------===//
//
// The reader reports every bad row in one pass (up to a cap), each with its
// file and line, so a user fixes a hand-written input file in one go.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/runtime/SpikeFile.h"

#include "Csv.h"

#include "neuromesh/isa/FileIO.h"
#include "neuromesh/isa/Npy.h"

#include "neuromesh/isa/Error.h"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <unistd.h>

namespace neuromesh::runtime {

namespace {

/// More errors than this are summarised: a wrong file would otherwise
/// print one line per row.
constexpr size_t MaxReportedErrors = 20;

/// Parses a decimal integer, with an optional sign. False if S is not one
/// or does not fit in int64.
bool parseInteger(std::string_view S, int64_t &Out) {
  if (S.empty())
    return false;
  bool Negative = false;
  size_t I = 0;
  if (S[0] == '-' || S[0] == '+') {
    Negative = S[0] == '-';
    I = 1;
  }
  if (I == S.size())
    return false;
  uint64_t V = 0;
  for (; I < S.size(); ++I) {
    if (S[I] < '0' || S[I] > '9')
      return false;
    uint64_t D = uint64_t(S[I] - '0');
    if (V > (uint64_t(std::numeric_limits<int64_t>::max()) - D) / 10)
      return false;
    V = V * 10 + D;
  }
  Out = Negative ? -int64_t(V) : int64_t(V);
  return true;
}

const char *kindNoun(isa::SymbolKind Kind) {
  return Kind == isa::SymbolKind::InputPort ? "input port" : "population";
}

std::string knownNames(const isa::Image &Img, isa::SymbolKind Kind) {
  std::string Names;
  for (const isa::Symbol &S : Img.Symbols) {
    if (S.Kind != Kind)
      continue;
    if (!Names.empty())
      Names += ", ";
    Names += "'" + S.Name + "'";
  }
  if (Names.empty())
    return fmt::format("the image has no {}s", kindNoun(Kind));
  return fmt::format("the image's {}s are {}", kindNoun(Kind), Names);
}

struct Row {
  SpikeRecord Spike;
  size_t Line;
};

} // namespace

std::vector<SpikeRecord> parseSpikeCsv(const std::string &Text,
                                       const std::string &File,
                                       const isa::Image &Img,
                                       isa::SymbolKind Kind) {
  std::map<std::string, uint32_t, std::less<>> Names;
  for (size_t S = 0; S < Img.Symbols.size(); ++S)
    if (Img.Symbols[S].Kind == Kind)
      Names.emplace(Img.Symbols[S].Name, static_cast<uint32_t>(S));

  std::vector<std::string> Errors;
  size_t NumErrors = 0;
  auto Fail = [&](size_t Line, const std::string &Msg) {
    if (++NumErrors <= MaxReportedErrors)
      Errors.push_back(fmt::format("{}:{}: error: {}", File, Line, Msg));
  };

  std::vector<Row> Rows;
  bool SawHeader = false;
  size_t LineNo = 0;
  for (const CsvRecord &R : splitCsv(Text, File)) {
    LineNo = R.Line;
    if (!SawHeader) {
      SawHeader = true;
      const std::string Header = fmt::format("{}", fmt::join(R.Fields, ","));
      if (Header != SpikeCsvHeader) {
        Fail(LineNo, fmt::format("bad header '{}'; the first line must be '{}'",
                                 Header, SpikeCsvHeader));
        break; // the rows cannot be trusted without the header
      }
      continue;
    }
    if (R.Fields.size() != 3) {
      Fail(LineNo, fmt::format("expected 3 fields 'step,population,neuron', "
                               "got {}",
                               R.Fields.size()));
      continue;
    }
    const std::string_view Fields[3] = {R.Fields[0], R.Fields[1], R.Fields[2]};
    int64_t Step = 0, Index = 0;
    if (!parseInteger(Fields[0], Step)) {
      Fail(LineNo, fmt::format("step '{}' is not an integer", Fields[0]));
      continue;
    }
    if (Step < 0) {
      Fail(LineNo, fmt::format("step {} is negative; steps count from 0", Step));
      continue;
    }
    const std::string_view Name = Fields[1];
    auto It = Names.find(Name);
    if (It == Names.end()) {
      Fail(LineNo, fmt::format("unknown {} '{}'; {}", kindNoun(Kind), Name,
                               knownNames(Img, Kind)));
      continue;
    }
    const isa::Symbol &Sym = Img.Symbols[It->second];
    if (!parseInteger(Fields[2], Index)) {
      Fail(LineNo, fmt::format("neuron '{}' is not an integer", Fields[2]));
      continue;
    }
    if (Index < 0 || Index >= int64_t(Sym.Size)) {
      Fail(LineNo, fmt::format("neuron {} out of range [0, {}) for {} '{}'",
                               Index, Sym.Size, kindNoun(Kind), Sym.Name));
      continue;
    }
    Rows.push_back({{uint64_t(Step), It->second, uint32_t(Index)}, LineNo});
  }
  if (!SawHeader && NumErrors == 0)
    Fail(LineNo == 0 ? 1 : LineNo,
         fmt::format("empty file; the first line must be '{}'", SpikeCsvHeader));

  // A neuron fires at most once per step, and a host spike behaves like a
  // neuron spike, so a repeated row is a mistake in the file.
  std::stable_sort(Rows.begin(), Rows.end(), [](const Row &A, const Row &B) {
    return A.Spike < B.Spike;
  });
  for (size_t I = 1; I < Rows.size(); ++I)
    if (Rows[I].Spike == Rows[I - 1].Spike)
      Fail(Rows[I].Line,
           fmt::format("duplicate spike (step {}, '{}', neuron {}); first "
                       "given on line {}",
                       Rows[I].Spike.Step, Img.Symbols[Rows[I].Spike.Symbol].Name,
                       Rows[I].Spike.Index, Rows[I - 1].Line));

  if (NumErrors > 0) {
    std::string Msg;
    for (const std::string &E : Errors)
      Msg += (Msg.empty() ? "" : "\n") + E;
    if (NumErrors > MaxReportedErrors)
      Msg += fmt::format("\n{}: error: {} more errors not shown", File,
                         NumErrors - MaxReportedErrors);
    throw Error(Msg);
  }

  std::vector<SpikeRecord> Out;
  Out.reserve(Rows.size());
  for (const Row &R : Rows)
    Out.push_back(R.Spike);
  return Out;
}

std::vector<SpikeRecord> spikesFromDenseArray(const isa::NpyArray &A,
                                              const std::string &File,
                                              const isa::Image &Img) {
  std::vector<uint32_t> External;
  std::string Names;
  for (size_t S = 0; S < Img.Symbols.size(); ++S)
    if (Img.Symbols[S].Kind == isa::SymbolKind::InputPort &&
        Img.Symbols[S].Generator.Kind == isa::GeneratorKind::External) {
      External.push_back(uint32_t(S));
      Names += (Names.empty() ? "'" : ", '") + Img.Symbols[S].Name + "'";
    }
  if (External.size() != 1)
    throw Error(fmt::format(
        "{}: error: a dense .npy input feeds the image's one external input port, but the image "
        "has {} ({}); give a CSV file 'step,population,neuron' instead",
        File, External.size(), Names.empty() ? "none" : Names));
  const isa::Symbol &Port = Img.Symbols[External[0]];
  uint64_t PerStep = 1;
  for (size_t D = 1; D < A.Shape.size(); ++D)
    PerStep *= A.Shape[D];
  if (A.Shape.empty() || PerStep != Port.Size)
    throw Error(fmt::format("{}: error: a dense input is [steps, *shape] with shape holding the "
                            "{} neurons of input port '{}'; got shape ({})",
                            File, Port.Size, Port.Name, fmt::join(A.Shape, ", ")));
  std::vector<SpikeRecord> Spikes;
  for (uint64_t I = 0; I < A.Data.size(); ++I) {
    double V = A.Data[I];
    if (V == 0)
      continue;
    uint64_t Step = I / PerStep;
    uint32_t Index = uint32_t(I % PerStep);
    if (V != 1)
      throw Error(fmt::format(
          "{}: error: element [{}, {}] is {}; an input axon carries at most one spike per step, "
          "so a dense input holds 0 or 1 (spread larger counts over steps)",
          File, Step, Index, V));
    Spikes.push_back({Step, External[0], Index});
  }
  return Spikes;
}

std::vector<SpikeRecord> readSpikeFile(const std::string &Path,
                                       const isa::Image &Img,
                                       isa::SymbolKind Kind) {
  if (Kind == isa::SymbolKind::InputPort && Path.size() > 4 &&
      Path.compare(Path.size() - 4, 4, ".npy") == 0)
    return spikesFromDenseArray(isa::readNpy(Path), Path, Img);
  return parseSpikeCsv(isa::readFile(Path, "the spike file"), Path, Img, Kind);
}

std::string formatSpikeCsv(const std::vector<SpikeRecord> &Spikes,
                           const isa::Image &Img) {
  std::vector<SpikeRecord> Sorted = Spikes;
  if (!std::is_sorted(Sorted.begin(), Sorted.end()))
    std::stable_sort(Sorted.begin(), Sorted.end());
  fmt::memory_buffer Out;
  fmt::format_to(std::back_inserter(Out), "{}\n", SpikeCsvHeader);
  for (const SpikeRecord &S : Sorted) {
    assert(S.Symbol < Img.Symbols.size() && "spike of a known symbol");
    fmt::format_to(std::back_inserter(Out), "{},{},{}\n", S.Step,
                   csvField(Img.Symbols[S.Symbol].Name), S.Index);
  }
  return fmt::to_string(Out);
}

void writeSpikeFile(const std::string &Path,
                    const std::vector<SpikeRecord> &Spikes,
                    const isa::Image &Img) {
  isa::writeFileAtomically(Path, formatSpikeCsv(Spikes, Img));
}

} // namespace neuromesh::runtime
