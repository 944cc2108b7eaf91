//===- Mapping.cpp - mapNetwork and the mapping report --------------------===//
//
// The driver of the mapping passes (index, partition, place, emit) and the
// report of what went where. docs/mapping.md documents both.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/Mapping.h"

#include "neuromesh/isa/FileIO.h"

#include "MappingInternal.h"
#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <set>

namespace neuromesh::compiler {

namespace {

const char *strategyName(PlacementStrategy S) {
  switch (S) {
  case PlacementStrategy::Optimised:
    return "optimised";
  case PlacementStrategy::InOrder:
    return "in_order";
  case PlacementStrategy::Random:
    return "random";
  }
  return "?";
}

std::string jsonString(const std::string &S) {
  std::string O = "\"";
  for (char C : S) {
    unsigned char U = static_cast<unsigned char>(C);
    if (C == '"' || C == '\\')
      O += std::string("\\") + C;
    else if (U < 0x20)
      O += fmt::format("\\u{:04x}", U);
    else
      O += C;
  }
  return O + "\"";
}

std::string jsonNumber(double V) {
  // Ratios in [0, 1]; fmt's shortest form round-trips and is valid JSON.
  return fmt::format("{}", V);
}

} // namespace

MappedNetwork mapNetwork(const HardwareNetwork &Net, const isa::Architecture &Arch,
                         const MappingOptions &Options) {
  using namespace mapping;
  NetIndex Ix = buildIndex(Net, Arch);
  Partition Part = partitionNetwork(Ix, Arch);
  const uint32_t NC = uint32_t(Part.Cores.size());
  std::vector<TrafficEdge> Traffic = coreTraffic(Ix, Part);
  std::vector<isa::CoreLocation> Loc = placeCores(NC, Traffic, Arch, Options);

  MappedNetwork M;
  M.Image = emitImage(Ix, Arch, Part, Loc);
  try {
    isa::validateImage(M.Image);
  } catch (const Error &E) {
    throw Error(fmt::format("error: internal: the image of network '{}' is invalid: {}",
                            Net.Name, E.what()));
  }

  MappingReport &R = M.Report;
  R.Architecture = Arch.Name;
  R.PlacementStrategy = strategyName(Options.Placement);
  R.CoresUsed = NC;
  std::set<uint16_t> Chips;
  for (uint32_t C = 0; C < NC; ++C) {
    const PartCore &PC = Part.Cores[C];
    CoreUsage U;
    U.Core = C;
    U.Chip = Loc[C].Chip;
    U.X = Loc[C].X;
    U.Y = Loc[C].Y;
    U.Slot = Loc[C].Slot;
    U.Neurons = PC.Neurons;
    U.InputAxons = PC.Axons;
    U.OutputAxons = uint32_t(PC.OutputEntries);
    U.Profiles = PC.Profiles;
    U.SynapseBytes = PC.SynapseBytes;
    for (const Run &Rn : PC.Runs)
      U.Populations.push_back(fmt::format("{}[{}..{}]", Net.Populations[Rn.Pop].Name, Rn.First,
                                          Rn.First + Rn.Count - 1));
    Chips.insert(U.Chip);
    R.Cores.push_back(std::move(U));
  }
  R.ChipsUsed = uint32_t(Chips.size());
  auto Use = [&](double &Max, double &Mean, double Limit, auto Get) {
    Max = Mean = 0;
    if (!NC)
      return;
    for (const CoreUsage &U : R.Cores) {
      double V = double(Get(U)) / Limit;
      Max = std::max(Max, V);
      Mean += V;
    }
    Mean /= NC;
  };
  Use(R.MaxNeuronUse, R.MeanNeuronUse, double(Arch.Core.Neurons),
      [](const CoreUsage &U) { return U.Neurons; });
  Use(R.MaxAxonUse, R.MeanAxonUse, double(Arch.Core.InputAxons),
      [](const CoreUsage &U) { return U.InputAxons; });
  Use(R.MaxSynapseMemoryUse, R.MeanSynapseMemoryUse, double(Arch.Core.SynapseMemoryBytes),
      [](const CoreUsage &U) { return U.SynapseBytes; });
  Use(R.MaxOutputAxonUse, R.MeanOutputAxonUse, double(Arch.Core.OutputAxons),
      [](const CoreUsage &U) { return U.OutputAxons; });
  for (const TrafficEdge &E : Traffic) {
    R.MessagesPerStep += E.Messages;
    R.HopWeightedTraffic += E.Messages * hopDistance(Arch, Loc[E.From], Loc[E.To]);
    R.ChipCrossings += E.Messages * chipLinks(Arch, Loc[E.From], Loc[E.To]);
  }
  return M;
}

void MappingReport::writeJson(const std::string &Path) const {
  std::string J = "{\n";
  J += fmt::format("  \"architecture\": {},\n", jsonString(Architecture));
  J += fmt::format("  \"placement_strategy\": {},\n", jsonString(PlacementStrategy));
  J += fmt::format("  \"cores_used\": {},\n  \"chips_used\": {},\n", CoresUsed, ChipsUsed);
  auto Pair = [](double Max, double Mean) {
    return fmt::format("{{\"max\": {}, \"mean\": {}}}", jsonNumber(Max), jsonNumber(Mean));
  };
  J += "  \"utilisation\": {\n";
  J += fmt::format("    \"neurons\": {},\n", Pair(MaxNeuronUse, MeanNeuronUse));
  J += fmt::format("    \"input_axons\": {},\n", Pair(MaxAxonUse, MeanAxonUse));
  J += fmt::format("    \"synapse_memory\": {},\n",
                   Pair(MaxSynapseMemoryUse, MeanSynapseMemoryUse));
  J += fmt::format("    \"output_axons\": {}\n  }},\n", Pair(MaxOutputAxonUse, MeanOutputAxonUse));
  J += fmt::format("  \"traffic\": {{\"messages_per_step\": {}, \"hop_weighted_traffic\": {}, "
                   "\"chip_crossings\": {}}},\n",
                   MessagesPerStep, HopWeightedTraffic, ChipCrossings);
  J += "  \"cores\": [";
  for (size_t I = 0; I < Cores.size(); ++I) {
    const CoreUsage &U = Cores[I];
    std::string Pops;
    for (size_t K = 0; K < U.Populations.size(); ++K)
      Pops += (K ? ", " : "") + jsonString(U.Populations[K]);
    J += fmt::format("{}\n    {{\"core\": {}, \"chip\": {}, \"x\": {}, \"y\": {}, \"slot\": {}, "
                     "\"neurons\": {}, \"input_axons\": {}, \"output_axons\": {}, "
                     "\"profiles\": {}, \"synapse_bytes\": {}, \"populations\": [{}]}}",
                     I ? "," : "", U.Core, U.Chip, U.X, U.Y, unsigned(U.Slot), U.Neurons,
                     U.InputAxons, U.OutputAxons, U.Profiles, U.SynapseBytes, Pops);
  }
  J += Cores.empty() ? "]\n}\n" : "\n  ]\n}\n";

  isa::writeFileAtomically(Path, J);
}

} // namespace neuromesh::compiler
