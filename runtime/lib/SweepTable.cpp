//===- SweepTable.cpp - a sweep as a CSV file and a printed table ---------===//
//
// The CSV's writer and reader live together so the format is written down
// once (docs/formats.md, "Sweep CSV").
//
//===----------------------------------------------------------------------===//
#include "neuromesh/runtime/Sweep.h"

#include "Csv.h"

#include "neuromesh/isa/Error.h"
#include "neuromesh/runtime/Run.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

namespace neuromesh::runtime {

namespace {

/// The columns after the parameters, in order (docs/formats.md).
const char *const FigureColumns[] = {
    "feasible",           "cores",         "chips",  "neuron_use_mean", "neuron_use_max",
    "energy_per_step_j",  "latency_per_step_s",      "latency_max_s",   "power_w",
    "power_paced_w",      "spikes",        "pareto", "message"};
constexpr size_t NumFigureColumns = sizeof FigureColumns / sizeof *FigureColumns;

} // namespace

std::string sweepCsv(const SweepResult &R) {
  fmt::memory_buffer Out;
  auto W = [&](const std::string &S) { fmt::format_to(std::back_inserter(Out), "{}", S); };
  for (const std::string &P : R.ParameterPaths)
    W(csvField(P) + ",");
  for (size_t C = 0; C < NumFigureColumns; ++C)
    W(fmt::format("{}{}", FigureColumns[C], C + 1 < NumFigureColumns ? "," : "\n"));
  for (const SweepPoint &P : R.Points) {
    for (const std::string &V : P.Values)
      W(csvField(V) + ",");
    if (P.Feasible)
      W(fmt::format("1,{},{},{},{},{},{},{},{},{},{},{},\n", P.CoresUsed, P.ChipsUsed,
                    P.MeanNeuronUse, P.MaxNeuronUse, P.EnergyPerStep, P.LatencyPerStep,
                    P.LatencyMax, P.Power, P.PowerPaced, P.Spikes, P.Pareto ? 1 : 0));
    else
      W(fmt::format("0,,,,,,,,,,,0,{}\n", csvField(P.Message)));
  }
  return fmt::to_string(Out);
}

SweepResult readSweepCsv(const std::string &Text, const std::string &FileName) {
  const std::vector<CsvRecord> Rows = splitCsv(Text, FileName);
  if (Rows.empty())
    throw Error(fmt::format("{}: error: empty file; pass a CSV written by nmesh sweep --csv",
                            FileName));
  const std::vector<std::string> &Head = Rows[0].Fields;
  const auto Feasible = std::find(Head.begin(), Head.end(), "feasible");
  const size_t NumParams = size_t(Feasible - Head.begin());
  if (Feasible == Head.end() || Head.size() != NumParams + NumFigureColumns ||
      !std::equal(Head.begin() + std::ptrdiff_t(NumParams), Head.end(), FigureColumns))
    throw Error(fmt::format("{}:{}: error: the header is not that of nmesh sweep --csv (parameter "
                            "columns, then {}, ..., message); pass a CSV written by nmesh sweep",
                            FileName, Rows[0].Line, FigureColumns[0]));
  SweepResult R;
  R.ParameterPaths.assign(Head.begin(), Feasible);
  for (size_t Row = 1; Row < Rows.size(); ++Row) {
    const std::vector<std::string> &F = Rows[Row].Fields;
    const size_t Line = Rows[Row].Line;
    if (F.size() != Head.size())
      throw Error(fmt::format("{}:{}: error: {} fields, but the header has {}", FileName, Line,
                              F.size(), Head.size()));
    auto Number = [&](size_t Col) {
      const std::string &V = F[NumParams + Col];
      char *End = nullptr;
      const double D = std::strtod(V.c_str(), &End);
      if (V.empty() || *End != '\0' || !std::isfinite(D))
        throw Error(fmt::format("{}:{}: error: column '{}': '{}' is not a number", FileName,
                                Line, FigureColumns[Col], V));
      return D;
    };
    SweepPoint P;
    P.Values.assign(F.begin(), F.begin() + std::ptrdiff_t(NumParams));
    P.Feasible = F[NumParams] == "1";
    if (P.Feasible)
      P.Stage = SweepPoint::Failure::None;
    P.Message = F[NumParams + 12];
    if (P.Feasible) {
      P.CoresUsed = uint32_t(Number(1));
      P.ChipsUsed = uint32_t(Number(2));
      P.MeanNeuronUse = Number(3);
      P.MaxNeuronUse = Number(4);
      P.EnergyPerStep = Number(5);
      P.LatencyPerStep = Number(6);
      P.LatencyMax = Number(7);
      P.Power = Number(8);
      P.PowerPaced = Number(9);
      P.Spikes = uint64_t(Number(10));
      P.Pareto = Number(11) != 0;
    }
    R.Points.push_back(std::move(P));
  }
  return R;
}

std::string formatSweepTable(const SweepResult &R) {
  std::vector<std::string> Head = R.ParameterPaths;
  for (const char *H : {"cores", "chips", "neuron use", "energy/step", "latency/step", "power",
                        "spikes", "pareto"})
    Head.push_back(H);
  std::vector<std::vector<std::string>> Rows;
  std::vector<std::string> Notes;
  for (const SweepPoint &P : R.Points) {
    std::vector<std::string> Row = P.Values;
    if (P.Feasible) {
      for (std::string S :
           {fmt::format("{}", P.CoresUsed), fmt::format("{}", P.ChipsUsed),
            fmt::format("{:.1f} %", 100 * P.MeanNeuronUse), formatSI(P.EnergyPerStep, "J"),
            formatSI(P.LatencyPerStep, "s"), formatSI(P.Power, "W"),
            fmt::format("{}", P.Spikes), std::string(P.Pareto ? "*" : "")})
        Row.push_back(S);
    } else {
      Row.push_back(fmt::format("{} (note {})",
                                P.Stage == SweepPoint::Failure::Compile ? "does not fit"
                                                                        : "run failed",
                                Notes.size() + 1));
      Notes.push_back(P.Message);
    }
    Rows.push_back(Row);
  }
  std::vector<size_t> Width(Head.size(), 0);
  for (size_t C = 0; C < Head.size(); ++C)
    Width[C] = Head[C].size();
  for (const std::vector<std::string> &Row : Rows)
    for (size_t C = 0; C < Row.size() && C + 1 < Head.size(); ++C)
      Width[C] = std::max(Width[C], Row[C].size());
  fmt::memory_buffer Out;
  auto Line = [&](const std::vector<std::string> &Cells) {
    for (size_t C = 0; C < Cells.size(); ++C)
      fmt::format_to(std::back_inserter(Out), "{}{:<{}}", C ? "  " : "", Cells[C],
                     C + 1 < Cells.size() ? Width[C] : 0);
    fmt::format_to(std::back_inserter(Out), "\n");
  };
  Line(Head);
  for (const std::vector<std::string> &Row : Rows)
    Line(Row);
  fmt::format_to(std::back_inserter(Out),
                 "energy and latency are per step, simulated on the systemc engine over {} "
                 "steps; power unthrottled; * = on the energy-latency Pareto front\n",
                 R.Steps);
  for (size_t I = 0; I < Notes.size(); ++I)
    fmt::format_to(std::back_inserter(Out), "note {}: {}\n", I + 1, Notes[I]);
  return fmt::to_string(Out);
}

} // namespace neuromesh::runtime
