//===- test_compiler_differential.cpp - the compiler's main guard --------===//
//
// For a corpus of generated networks (testbenches/compiler/RandomNetwork.h:
// every connector, delays, recurrent projections, all source kinds, the
// deterministic models), on examples/arch/tiny.yaml:
//
//   lowerNetwork -> simulateReference                (network level, unmapped)
//   lowerNetwork -> mapNetwork -> FunctionalEngine   (partitioned, placed, routed)
//
// must give exactly the same spikes. The reference shares no code with the
// mapping passes or the engine, so a wrong axon, segment, shift, delay, route,
// population segment or initial state shows up as a spike difference. Part of
// the corpus spans many cores and both chips of tiny.yaml, and the placement
// strategy varies over the corpus (it must never change a spike). Sources
// other than external ones run as the image's on-chip generators, so their
// emission is checked too.
//
//===----------------------------------------------------------------------===//
#include "compiler/RandomNetwork.h"

#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/Mapping.h"
#include "neuromesh/compiler/NeuronModels.h"
#include "neuromesh/compiler/ReferenceSimulator.h"
#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/ImageFile.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <map>
#include <set>

using namespace neuromesh;
using namespace neuromesh::compiler;

namespace {

constexpr uint64_t Steps = 120;

struct Outcome {
  std::vector<PopulationSpike> Reference, Mapped;
  std::vector<PopulationProbe> ReferenceProbes, MappedProbes;
  uint32_t Cores = 0, Chips = 0;
  /// Cores whose sparse synapses are delivered as Spread groups (one per
  /// shift across delays, CoreState::spreadsDelays()).
  uint32_t SpreadCores = 0;
};

/// Runs Net both ways with the same host input spikes.
Outcome runBothWays(const Network &Net, uint64_t Seed, const isa::Architecture &Arch,
                    PlacementStrategy Strategy) {
  Outcome O;
  HardwareNetwork Hw = lowerNetwork(Net, Arch);
  std::vector<InputSpike> Host = testing::randomInputs(Net, Seed, Steps);
  O.Reference = simulateReference(Hw, Steps, Host, O.ReferenceProbes);

  MappingOptions Opt;
  Opt.Placement = Strategy;
  Opt.Seed = Seed;
  MappedNetwork M = mapNetwork(Hw, Arch, Opt);
  O.Cores = M.Report.CoresUsed;
  O.Chips = M.Report.ChipsUsed;
  // List, Poisson and Regular sources run as the image's input port
  // generators; only the external sources' spikes come from the host.
  std::map<std::string, uint32_t> PortOf;
  for (uint32_t I = 0; I < M.Image.Symbols.size(); ++I)
    if (M.Image.Symbols[I].Kind == isa::SymbolKind::InputPort)
      PortOf[M.Image.Symbols[I].Name] = I;

  // Run what `nmesh run` would load: the image through its .nmb encoding.
  isa::Image Loaded = isa::decodeImage(isa::encodeImage(M.Image));
  REQUIRE(Loaded == M.Image);
  emulator::FunctionalEngine Engine(Loaded);
  size_t Next = 0;
  for (uint64_t T = 0; T < Steps; ++T) {
    for (; Next < Host.size() && Host[Next].Step == T; ++Next)
      Engine.injectInput(PortOf.at(Host[Next].Source), Host[Next].Index);
    Engine.step();
  }
  for (size_t G = 0; G < Engine.numCores(); ++G)
    O.SpreadCores += Engine.core(G).spreadsDelays();
  // Only populations that record spikes have them recorded.
  for (const emulator::SpikeRecord &R : Engine.recorded()) {
    const isa::Symbol &S = M.Image.Symbols[R.Symbol];
    O.Mapped.push_back(PopulationSpike{R.Step, S.Name, R.Index});
  }
  for (const emulator::ProbeRecord &R : Engine.probed()) {
    const isa::Symbol &S = M.Image.Symbols[R.Symbol];
    O.MappedProbes.push_back(
        PopulationProbe{R.Step, S.Name, R.Index, S.Probes[R.Probe].Variable, R.Value});
  }
  return O;
}

/// Probes some populations (all of the model's variables, last first, so
/// the probe order is not the state word order) and stops recording the
/// spikes of some, keyed by the seed.
void addProbes(Network &Net, uint64_t Seed) {
  for (size_t I = 0; I < Net.Populations.size(); ++I) {
    Population &P = Net.Populations[I];
    if ((Seed + I) % 3 == 0)
      for (const ModelVariable &V : findModel(P.Model.Kind)->Variables)
        P.Probes.insert(P.Probes.begin(), V.Name);
    if ((Seed + I) % 4 == 1)
      P.Record = false;
  }
}

std::string firstProbeDifference(const Outcome &O) {
  size_t I = 0;
  while (I < O.ReferenceProbes.size() && I < O.MappedProbes.size() &&
         O.ReferenceProbes[I] == O.MappedProbes[I])
    ++I;
  auto Show = [](const std::vector<PopulationProbe> &V, size_t I) {
    return I < V.size() ? fmt::format("step {} {}[{}].{} = {}", V[I].Step, V[I].Population,
                                      V[I].Index, V[I].Variable, V[I].Value)
                        : std::string("(end)");
  };
  return fmt::format("probe sample {}: reference {}, image {} ({} vs {} samples)", I,
                     Show(O.ReferenceProbes, I), Show(O.MappedProbes, I),
                     O.ReferenceProbes.size(), O.MappedProbes.size());
}

std::string firstDifference(const Outcome &O) {
  size_t I = 0;
  while (I < O.Reference.size() && I < O.Mapped.size() && O.Reference[I] == O.Mapped[I])
    ++I;
  auto Show = [](const std::vector<PopulationSpike> &V, size_t I) {
    return I < V.size() ? fmt::format("step {} {}[{}]", V[I].Step, V[I].Population, V[I].Index)
                        : std::string("(end)");
  };
  return fmt::format("spike {}: reference {}, image {} ({} vs {} spikes)", I, Show(O.Reference, I),
                     Show(O.Mapped, I), O.Reference.size(), O.Mapped.size());
}

} // namespace

TEST_CASE("compiled images give the reference simulator's spikes", "[differential]") {
  isa::Architecture Arch =
      isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/tiny.yaml");
  const PlacementStrategy Strategies[] = {PlacementStrategy::Optimised, PlacementStrategy::InOrder,
                                          PlacementStrategy::Random};
  unsigned Networks = 0, MultiChip = 0, ManyCores = 0, Cores = 0, SpreadCores = 0;
  uint64_t TotalSpikes = 0, TotalProbes = 0;
  for (uint64_t Seed = 1; Seed <= 60; ++Seed) {
    // Every fourth network spans more than one chip.
    bool Spanning = Seed % 4 == 0;
    testing::RandomNetworkOptions Opt =
        Spanning ? testing::RandomNetworkOptions::spanning() : testing::RandomNetworkOptions::small();
    Network Net = testing::makeRandomNetwork(Seed, Opt);
    addProbes(Net, Seed);
    INFO("network " << Net.Name << (Spanning ? " (spanning)" : ""));
    Net.validate();
    Outcome O = runBothWays(Net, Seed, Arch, Strategies[Seed % 3]);
    INFO(O.Cores << " cores on " << O.Chips << " chips");
    if (O.Reference != O.Mapped)
      FAIL_CHECK(firstDifference(O));
    if (O.ReferenceProbes != O.MappedProbes)
      FAIL_CHECK(firstProbeDifference(O));
    TotalProbes += O.ReferenceProbes.size();
    ++Networks;
    MultiChip += O.Chips >= 2;
    ManyCores += O.Cores >= 8;
    Cores += O.Cores;
    SpreadCores += O.SpreadCores;
    TotalSpikes += O.Reference.size();
  }
  CHECK(Networks >= 50);
  CHECK(MultiChip >= 5);
  CHECK(ManyCores >= 10);
  // tiny.yaml's cores are small: all of them take the Spread layout.
  CHECK(SpreadCores == Cores);
  // Not a corpus of silent networks.
  CHECK(TotalSpikes >= 50 * Steps);
  CHECK(TotalProbes >= 1000 * Steps);
}
