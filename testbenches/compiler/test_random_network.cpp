//===- test_random_network.cpp - the generated differential corpus --------===//
//
// The generator in RandomNetwork.h must produce valid networks that lower
// on tiny.yaml, cover every connector, source kind and model over a corpus,
// include recurrent projections, be reproducible from the seed, and be
// active (most populations spike in the reference simulator, and adaptive
// LIF populations adapt: their spikes change with th_step = 0). The spanning
// preset must need more than one chip of tiny.yaml.
//
//===----------------------------------------------------------------------===//
#include "RandomNetwork.h"

#include "neuromesh/compiler/Connectivity.h"
#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/NeuronPrograms.h"
#include "neuromesh/compiler/ReferenceSimulator.h"
#include "neuromesh/isa/Architecture.h"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <set>
#include <string>

namespace {

namespace nc = neuromesh::compiler;
namespace nt = neuromesh::testing;
namespace isa = neuromesh::isa;

isa::Architecture tiny() {
  return isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/tiny.yaml");
}

/// Everything that defines a network, as text (for reproducibility checks).
std::string describe(const nc::Network &Net) {
  std::string S = fmt::format("dt {}\n", Net.Dt);
  for (const nc::SpikeSource &Src : Net.Sources)
    S += fmt::format("source {} {} kind {} spikes {} rate {} period {} phase {} seed {}\n",
                     Src.Name, Src.Size, int(Src.K), Src.Spikes.size(), Src.RateHz, Src.Period,
                     Src.Phase, Src.Seed);
  for (const nc::Population &P : Net.Populations) {
    S += fmt::format("population {} {} {}", P.Name, P.Size, P.Model.Kind);
    for (const auto &[K, V] : P.Model.Params)
      S += fmt::format(" {}={}", K, V);
    S += "\n";
  }
  for (const nc::Projection &P : Net.Projections) {
    nc::ExpandedSynapses E = nc::expandProjection(Net, P);
    double Sum = 0;
    for (size_t K = 0; K < E.size(); ++K)
      Sum += E.Weight[K] * (K + 1) + E.Post[K] + E.Delay[K];
    S += fmt::format("projection {} kind {} synapses {} checksum {}\n", P.Name, int(P.Conn.K),
                     E.size(), Sum);
  }
  return S;
}

} // namespace

TEST_CASE("generated networks are valid, reproducible and cover every kind", "[random-network]") {
  isa::Architecture Tiny = tiny();
  std::set<int> Connectors, SourceKinds;
  std::set<std::string> Models;
  unsigned Recurrent = 0, NoSelf = 0, UniformDelays = 0, UniformWeights = 0;
  unsigned Populations = 0, Active = 0;
  for (uint64_t Seed = 0; Seed < 60; ++Seed) {
    INFO("seed " << Seed);
    nc::Network Net = nt::makeRandomNetwork(Seed);
    REQUIRE_NOTHROW(Net.validate());
    CHECK(describe(Net) == describe(nt::makeRandomNetwork(Seed)));
    nc::HardwareNetwork H;
    REQUIRE_NOTHROW(H = nc::lowerNetwork(Net, Tiny));
    uint32_t Total = 0;
    for (const nc::Population &P : Net.Populations) {
      Models.insert(P.Model.Kind);
      Total += P.Size;
    }
    CHECK(Total <= 48);
    for (const nc::SpikeSource &S : Net.Sources)
      SourceKinds.insert(int(S.K));
    for (const nc::Projection &P : Net.Projections) {
      Connectors.insert(int(P.Conn.K));
      Recurrent += P.Pre == P.Post;
      NoSelf += P.Pre == P.Post && !P.Conn.AllowSelf;
      UniformDelays += P.Delay.K == nc::DelaySpec::Kind::Uniform;
      UniformWeights += P.Weight.K == nc::WeightSpec::Kind::Uniform;
    }
    std::vector<nc::PopulationSpike> Spikes =
        nc::simulateReference(H, 200, nt::randomInputs(Net, Seed, 200));
    std::set<std::string> Fired;
    for (const nc::PopulationSpike &S : Spikes)
      Fired.insert(S.Population);
    Populations += unsigned(Net.Populations.size());
    Active += unsigned(Fired.size());
  }
  CHECK(Connectors.size() == 8);
  CHECK(SourceKinds.size() == 4);
  CHECK(Models == std::set<std::string>{"if", "lif", "loihi_cuba_lif", "adaptive_lif"});
  CHECK(Recurrent >= 15);
  CHECK(NoSelf >= 5);
  CHECK(UniformDelays >= 20);
  CHECK(UniformWeights >= 20);
  INFO(Active << " of " << Populations << " populations spiked");
  CHECK(Active >= Populations * 8 / 10);
}

TEST_CASE("spanning networks need more than one chip of tiny.yaml", "[random-network]") {
  isa::Architecture Tiny = tiny();
  int64_t OneChip = Tiny.coresPerChip() * Tiny.Core.Neurons;
  REQUIRE(OneChip == 128);
  for (uint64_t Seed = 0; Seed < 20; ++Seed) {
    INFO("seed " << Seed);
    nc::Network Net = nt::makeRandomNetwork(Seed, nt::RandomNetworkOptions::spanning());
    REQUIRE_NOTHROW(Net.validate());
    REQUIRE_NOTHROW(nc::lowerNetwork(Net, Tiny));
    uint32_t Total = 0;
    for (const nc::Population &P : Net.Populations)
      Total += P.Size;
    CHECK(Total > OneChip);
    CHECK(Total <= 200);
  }
}

TEST_CASE("random inputs drive only external sources", "[random-network]") {
  nc::Network Net;
  Net.addSource("ext", 2, nc::SpikeSource::external());
  Net.addSource("reg", 2, nc::SpikeSource::regular(2));
  std::vector<nc::InputSpike> R = nt::randomInputs(Net, 3, 1000, 0.1);
  for (const nc::InputSpike &S : R)
    REQUIRE(S.Source == "ext");
  CHECK(R.size() == Approx(200).epsilon(0.25)); // 2 indices x 1000 steps x 0.1
  for (size_t K = 1; K < R.size(); ++K)
    REQUIRE(std::make_pair(R[K - 1].Step, R[K - 1].Index) < std::make_pair(R[K].Step, R[K].Index));
}

TEST_CASE("the corpus's adaptive lif populations spike and adapt", "[random-network]") {
  // Adaptation must matter in the differential corpus: the same lowered
  // networks with th_step = 0 (plain CUBA LIF) fire more.
  namespace A = nc::adaptive_lif;
  isa::Architecture Tiny = tiny();
  unsigned Networks = 0, Adaptive = 0, Spiking = 0, Changed = 0;
  uint64_t With = 0, Without = 0;
  for (uint64_t Seed = 0; Seed < 60; ++Seed) {
    nc::Network Net = nt::makeRandomNetwork(Seed);
    nc::HardwareNetwork H = nc::lowerNetwork(Net, Tiny);
    std::set<std::string> Names;
    for (const nc::HwPopulation &P : H.Populations)
      if (P.Model == "adaptive_lif")
        Names.insert(P.Name);
    if (Names.empty())
      continue;
    ++Networks;
    std::vector<nc::InputSpike> In = nt::randomInputs(Net, Seed, 200);
    std::vector<nc::PopulationSpike> Adapted = nc::simulateReference(H, 200, In);
    for (nc::HwPopulation &P : H.Populations)
      if (P.Model == "adaptive_lif")
        for (isa::NeuronProfile &Prof : P.Profiles) {
          REQUIRE(Prof.Params.at(A::ParamThetaStep) > 0);
          Prof.Params[A::ParamThetaStep] = 0;
        }
    std::vector<nc::PopulationSpike> Plain = nc::simulateReference(H, 200, In);
    Changed += Adapted != Plain;
    std::set<std::string> Fired;
    for (const nc::PopulationSpike &S : Adapted)
      if (Names.count(S.Population)) {
        Fired.insert(S.Population);
        ++With;
      }
    for (const nc::PopulationSpike &S : Plain)
      Without += Names.count(S.Population);
    Adaptive += unsigned(Names.size());
    Spiking += unsigned(Fired.size());
  }
  INFO(Networks << " networks with " << Adaptive << " adaptive populations, " << Spiking
                << " spiked; " << With << " spikes vs " << Without << " without adaptation; "
                << Changed << " networks changed");
  CHECK(Adaptive >= 10);
  CHECK(Spiking >= Adaptive * 8 / 10);
  CHECK(Changed >= Networks / 2);
  CHECK(With < Without);
}
