//===- bench_placement.cpp - placement quality and mapping time ----------===//
//
// Maps example networks onto the Loihi preset with the three placement
// strategies and prints, per network, the hop-weighted traffic (spike
// messages per step times mesh hops, every neuron firing once; the
// placement objective) and the time mapNetwork took. Random placement is
// shown for several seeds (mean and best). A benchmark measures and
// prints; it asserts nothing.
//
//   nm_bench_placement [--arch path/to/arch.yaml]
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/Mapping.h"
#include "neuromesh/compiler/Network.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace neuromesh;
using namespace neuromesh::compiler;

namespace {

NeuronModel cubaLif() {
  return NeuronModel("loihi_cuba_lif", {{"du", 410}, {"dv", 205}, {"vth_mant", 200}});
}

/// Input -> four layers, each neuron drawing 16 distinct inputs from the
/// layer below (a deep, sparsely connected feed-forward net).
Network feedForward() {
  Network Net;
  Net.Name = "feed_forward";
  Net.addSource("in", 2048, SpikeSource::poisson(20, 1));
  const uint32_t Sizes[] = {8192, 8192, 6144, 4096};
  std::string Prev = "in";
  for (unsigned L = 0; L < 4; ++L) {
    std::string Name = fmt::format("l{}", L + 1);
    Net.addPopulation(Name, Sizes[L], cubaLif());
    Net.addProjection(Prev, Name, Connector::fixedFanIn(16, 10 + L), WeightSpec::constant(40),
                      DelaySpec::constant(1));
    Prev = Name;
  }
  return Net;
}

/// A 192 x 192 sheet of neurons, each connected to its 5 x 5 neighbourhood
/// (a locally connected 2-D grid), driven by a one-to-one input.
Network grid2d() {
  const int W = 192, H = 192, R = 2;
  Network Net;
  Net.Name = "grid_2d";
  Net.addSource("in", W * H, SpikeSource::poisson(10, 2));
  Net.addPopulation("sheet", W * H, cubaLif()).Shape = {1, uint32_t(H), uint32_t(W)};
  Net.addProjection("in", "sheet", Connector::oneToOne(), WeightSpec::constant(100));
  std::vector<ExplicitSynapse> S;
  for (int Y = 0; Y < H; ++Y)
    for (int X = 0; X < W; ++X)
      for (int DY = -R; DY <= R; ++DY)
        for (int DX = -R; DX <= R; ++DX) {
          int PY = Y + DY, PX = X + DX;
          if ((DX || DY) && PY >= 0 && PY < H && PX >= 0 && PX < W)
            S.push_back(ExplicitSynapse{uint32_t(Y * W + X), uint32_t(PY * W + PX),
                                        DX * DX + DY * DY <= 2 ? 20.0 : -10.0, 1});
        }
  Net.addProjection("sheet", "sheet", Connector::list(std::move(S)));
  return Net;
}

/// A random excitatory/inhibitory network (Brunel-style proportions, 4:1).
Network randomEI() {
  Network Net;
  Net.Name = "random_ei";
  Net.addSource("in", 1000, SpikeSource::poisson(10, 3));
  Net.addPopulation("exc", 16000, cubaLif());
  Net.addPopulation("inh", 4000, cubaLif());
  Net.addProjection("in", "exc", Connector::fixedProbability(0.002, 4), WeightSpec::constant(60));
  Net.addProjection("exc", "exc", Connector::fixedProbability(0.0008, 5), WeightSpec::constant(20));
  Net.addProjection("exc", "inh", Connector::fixedProbability(0.0008, 6), WeightSpec::constant(20));
  Net.addProjection("inh", "exc", Connector::fixedProbability(0.0008, 7), WeightSpec::constant(-60));
  Net.addProjection("inh", "inh", Connector::fixedProbability(0.0008, 8), WeightSpec::constant(-60));
  return Net;
}

/// Eight E/I modules, dense inside a module and sparse between modules:
/// the structure a good placement can exploit.
Network modularEI() {
  Network Net;
  Net.Name = "modular_ei";
  Net.addSource("in", 800, SpikeSource::poisson(10, 4));
  const unsigned M = 8;
  for (unsigned I = 0; I < M; ++I) {
    Net.addPopulation(fmt::format("e{}", I), 3200, cubaLif());
    Net.addPopulation(fmt::format("i{}", I), 800, cubaLif());
  }
  uint64_t Seed = 100;
  for (unsigned I = 0; I < M; ++I) {
    std::string E = fmt::format("e{}", I), In = fmt::format("i{}", I);
    Net.addProjection("in", E, Connector::fixedProbability(0.002, Seed++), WeightSpec::constant(60));
    Net.addProjection(E, E, Connector::fixedProbability(0.004, Seed++), WeightSpec::constant(20));
    Net.addProjection(E, In, Connector::fixedProbability(0.004, Seed++), WeightSpec::constant(20));
    Net.addProjection(In, E, Connector::fixedProbability(0.004, Seed++), WeightSpec::constant(-60));
    // Each module excites the next (a ring of modules).
    Net.addProjection(E, fmt::format("e{}", (I + 1) % M),
                      Connector::fixedProbability(0.0005, Seed++), WeightSpec::constant(20));
  }
  return Net;
}

struct Result {
  uint64_t Traffic = 0, Crossings = 0;
  double Seconds = 0;
  uint32_t Cores = 0, Chips = 0;
  uint64_t Messages = 0;
};

Result run(const HardwareNetwork &Hw, const isa::Architecture &Arch, PlacementStrategy S,
           uint64_t Seed) {
  MappingOptions O;
  O.Placement = S;
  O.Seed = Seed;
  auto T0 = std::chrono::steady_clock::now();
  MappedNetwork M = mapNetwork(Hw, Arch, O);
  auto T1 = std::chrono::steady_clock::now();
  Result R;
  R.Traffic = M.Report.HopWeightedTraffic;
  R.Crossings = M.Report.ChipCrossings;
  R.Seconds = std::chrono::duration<double>(T1 - T0).count();
  R.Cores = M.Report.CoresUsed;
  R.Chips = M.Report.ChipsUsed;
  R.Messages = M.Report.MessagesPerStep;
  return R;
}

} // namespace

int main(int Argc, char **Argv) {
  std::string ArchPath = std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml";
  for (int I = 1; I < Argc; ++I) {
    if (!std::strcmp(Argv[I], "--arch") && I + 1 < Argc) {
      ArchPath = Argv[++I];
      continue;
    }
    fmt::print(stderr, "usage: nm_bench_placement [--arch file.yaml]\n");
    return 2;
  }
  try {
    isa::Architecture Arch = isa::loadArchitecture(ArchPath);
    fmt::print("placement quality on '{}' ({} cores per chip, {} chip(s)); traffic = spike "
               "messages per step x hops, every neuron firing once\n\n",
               Arch.Name, Arch.coresPerChip(), Arch.Chips.Count);
    fmt::print("{:<13} {:>7} {:>10} {:>6} {:>9} | {:>10} {:>10} {:>12} {:>10} | {:>8} {:>8} "
               "{:>8}\n",
               "network", "neurons", "synapses", "cores", "msgs/step", "optimised", "in order",
               "random mean", "rand best", "opt s", "order s", "rand s");
    const std::vector<std::function<Network()>> Nets = {feedForward, grid2d, randomEI,
                                                         modularEI};
    const unsigned RandomSeeds = 5;
    for (const auto &Make : Nets) {
      Network Net = Make();
      Net.validate();
      HardwareNetwork Hw = lowerNetwork(Net, Arch);
      uint64_t Neurons = 0, Synapses = 0;
      for (const HwPopulation &P : Hw.Populations)
        Neurons += P.Size;
      for (const HwProjection &J : Hw.Projections)
        Synapses += J.Synapses.size();
      Result Opt = run(Hw, Arch, PlacementStrategy::Optimised, 1);
      Result Ord = run(Hw, Arch, PlacementStrategy::InOrder, 1);
      double RandMean = 0, RandSec = 0;
      uint64_t RandBest = UINT64_MAX;
      for (unsigned S = 1; S <= RandomSeeds; ++S) {
        Result R = run(Hw, Arch, PlacementStrategy::Random, S);
        RandMean += double(R.Traffic) / RandomSeeds;
        RandSec += R.Seconds / RandomSeeds;
        RandBest = std::min(RandBest, R.Traffic);
      }
      fmt::print("{:<13} {:>7} {:>10} {:>6} {:>9} | {:>10} {:>10} {:>12.0f} {:>10} | {:>8.3f} "
                 "{:>8.3f} {:>8.3f}\n",
                 Net.Name, Neurons, Synapses, Opt.Cores, Opt.Messages, Opt.Traffic, Ord.Traffic,
                 RandMean, RandBest, Opt.Seconds, Ord.Seconds, RandSec);
    }
    fmt::print("\nopt s / order s / rand s: wall time of mapNetwork (partition, placement, "
               "emission, validation); the difference to in order is the optimised search.\n");
  } catch (const Error &E) {
    fmt::print(stderr, "{}\n", E.what());
    return 1;
  }
  return 0;
}
