//===- Compile.cpp - the whole compile pipeline ---------------------------===//
#include "neuromesh/compiler/Compile.h"

#include <fmt/format.h>

namespace neuromesh::compiler {

CompileResult compileNetwork(const Network &Net, const isa::Architecture &Arch,
                             const MappingOptions &Options) {
  Net.validate();
  CompileResult R;
  R.Lowered = lowerNetwork(Net, Arch);
  R.Mapped = mapNetwork(R.Lowered, Arch, Options);
  return R;
}

std::string formatCompileSummary(const CompileResult &R, const isa::Architecture &Arch) {
  const MappingReport &M = R.Mapped.Report;
  std::string S;
  uint64_t Neurons = 0, Synapses = 0;
  for (const HwPopulation &P : R.Lowered.Populations)
    Neurons += P.Size;
  for (const HwProjection &P : R.Lowered.Projections)
    Synapses += P.Synapses.size();
  S += fmt::format("network '{}': {} populations, {} neurons, {} sources, {} projections, "
                   "{} synapses\n",
                   R.Lowered.Name, R.Lowered.Populations.size(), Neurons,
                   R.Lowered.Sources.size(), R.Lowered.Projections.size(), Synapses);
  S += fmt::format("architecture '{}': {} cores per chip, {} chip(s) available\n", Arch.Name,
                   Arch.coresPerChip(), Arch.Chips.Count);
  S += fmt::format("mapped onto {} core(s) on {} chip(s) (placement: {})\n", M.CoresUsed,
                   M.ChipsUsed, M.PlacementStrategy);
  S += "utilisation of the cores used    max     mean\n";
  auto Row = [&](const char *Name, double Max, double Mean) {
    S += fmt::format("  {:<30} {:>5.1f}%  {:>5.1f}%\n", Name, 100 * Max, 100 * Mean);
  };
  Row("neurons", M.MaxNeuronUse, M.MeanNeuronUse);
  Row("input axons", M.MaxAxonUse, M.MeanAxonUse);
  Row("synaptic memory", M.MaxSynapseMemoryUse, M.MeanSynapseMemoryUse);
  Row("output axon entries", M.MaxOutputAxonUse, M.MeanOutputAxonUse);
  S += fmt::format("if every neuron fired once per step: {} spike messages, {} hop-weighted, "
                   "{} chip crossings\n",
                   M.MessagesPerStep, M.HopWeightedTraffic, M.ChipCrossings);
  bool Any = false;
  for (const HwProjection &P : R.Lowered.Projections) {
    if (!Any)
      S += "quantisation error (relative to the largest weight)   max      rms   shift\n";
    Any = true;
    S += fmt::format("  {:<48} {:>7.4f}  {:>7.4f}  {:>5}\n", P.Name, P.WeightError.MaxRelative,
                     P.WeightError.RmsRelative, unsigned(P.Shift));
  }
  // Neuron parameters written in physical units (thresholds, biases,
  // decays) are quantised too; hardware-integer models have no error.
  Any = false;
  for (const HwPopulation &P : R.Lowered.Populations) {
    if (P.ParamError.MaxRelative == 0)
      continue;
    if (!Any)
      S += "parameter quantisation error (decay per step, bias)   max      rms\n";
    Any = true;
    S += fmt::format("  {:<48} {:>7.4f}  {:>7.4f}\n", P.Name, P.ParamError.MaxRelative,
                     P.ParamError.RmsRelative);
  }
  return S;
}

} // namespace neuromesh::compiler
