//===- test_threads.cpp - the threaded engine equals the single thread ----===//
//
// FunctionalEngine with EngineOptions::Threads > 1 must give, bit for bit,
// what one thread gives: the spikes, the probe samples and every counter in
// the same order, the neurons fired per core in every step (the energy
// model reads them) and the final neuron states. The expectation is the
// single-threaded run of the same engine, which test_compiler_differential
// and test_functional_engine check against independent implementations.
// Corpora: the generated networks of RandomNetwork.h compiled for tiny.yaml
// (many of them span several cores and both chips) and random images
// (stochastic crossbars, graded payloads, generators, probes).
//
//===----------------------------------------------------------------------===//
#include "compiler/RandomNetwork.h"
#include "isa/RandomImage.h"
#include "runtime/CliTestUtil.h"

#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/Mapping.h"
#include "neuromesh/compiler/NeuronModels.h"
#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/isa/Architecture.h"

#include <catch2/catch.hpp>

#include <map>

using namespace neuromesh;

namespace {

/// Everything a run shows the host, step by step.
struct Trace {
  std::vector<emulator::SpikeRecord> Spikes;
  std::vector<emulator::ProbeRecord> Probes;
  std::vector<emulator::FiredNeuron> Fired; ///< every step, every core in order
  std::vector<uint64_t> FiredPerCore;       ///< sizes, to tell cores apart
  std::vector<int32_t> States;              ///< after the last step
  emulator::EngineCounters Counters;
  unsigned Threads = 0;
};

bool sameCounters(const emulator::EngineCounters &A, const emulator::EngineCounters &B) {
  return A.Cores == B.Cores && A.HostSpikes == B.HostSpikes &&
         A.HostMessages == B.HostMessages && A.GeneratedSpikes == B.GeneratedSpikes &&
         A.GeneratedMessages == B.GeneratedMessages && A.RecordedSpikes == B.RecordedSpikes;
}

/// Runs Img for Steps steps with Threads threads; Inject(E, Step) queues
/// the host spikes of a step.
template <typename InjectT>
Trace run(const isa::Image &Img, unsigned Threads, uint64_t Steps, InjectT Inject) {
  emulator::EngineOptions Opts;
  Opts.Threads = Threads;
  emulator::FunctionalEngine E(Img, Opts);
  Trace T;
  T.Threads = E.numThreads();
  for (uint64_t S = 0; S < Steps; ++S) {
    Inject(E, S);
    E.step();
    for (size_t G = 0; G < E.numCores(); ++G) {
      T.Fired.insert(T.Fired.end(), E.fired(G).begin(), E.fired(G).end());
      T.FiredPerCore.push_back(E.fired(G).size());
    }
  }
  T.Spikes = E.recorded();
  T.Probes = E.probed();
  T.Counters = E.counters();
  for (size_t G = 0; G < E.numCores(); ++G)
    for (uint32_t N = 0; N < E.core(G).numNeurons(); ++N)
      T.States.insert(T.States.end(), E.core(G).state(N),
                      E.core(G).state(N) + Img.Cores[G].Config.NumStateWords);
  return T;
}

void requireSame(const Trace &One, const Trace &Many) {
  INFO(Many.Threads << " threads");
  REQUIRE(One.Spikes.size() == Many.Spikes.size());
  CHECK(One.Spikes == Many.Spikes);
  CHECK(One.Probes == Many.Probes);
  CHECK(One.FiredPerCore == Many.FiredPerCore);
  CHECK(One.Fired == Many.Fired);
  CHECK(One.States == Many.States);
  CHECK(sameCounters(One.Counters, Many.Counters));
}

} // namespace

TEST_CASE("the generated network corpus gives the same results on 1, 2 and 3 threads",
          "[threads]") {
  isa::Architecture Arch =
      isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/tiny.yaml");
  constexpr uint64_t Steps = 80;
  unsigned MultiCore = 0, Threaded = 0;
  uint64_t TotalSpikes = 0, TotalEvents = 0;
  for (uint64_t Seed = 1; Seed <= 60; ++Seed) {
    const bool Spanning = Seed % 2 == 0;
    compiler::Network Net = testing::makeRandomNetwork(
        Seed, Spanning ? testing::RandomNetworkOptions::spanning()
                       : testing::RandomNetworkOptions::small());
    // Probe every variable of every third population.
    for (size_t I = 0; I < Net.Populations.size(); I += 3)
      for (const compiler::ModelVariable &V :
           compiler::findModel(Net.Populations[I].Model.Kind)->Variables)
        Net.Populations[I].Probes.push_back(V.Name);
    INFO("network " << Net.Name);
    Net.validate();
    compiler::HardwareNetwork Hw = compiler::lowerNetwork(Net, Arch);
    compiler::MappedNetwork M = compiler::mapNetwork(Hw, Arch);
    std::map<std::string, uint32_t> PortOf;
    for (uint32_t I = 0; I < M.Image.Symbols.size(); ++I)
      PortOf[M.Image.Symbols[I].Name] = I;
    const std::vector<compiler::InputSpike> Host = testing::randomInputs(Net, Seed, Steps, 0.2);
    auto Inject = [&](emulator::FunctionalEngine &E, uint64_t Step) {
      for (const compiler::InputSpike &S : Host)
        if (S.Step == Step)
          E.injectInput(PortOf.at(S.Source), S.Index);
    };
    const Trace One = run(M.Image, 1, Steps, Inject);
    REQUIRE(One.Threads == 1);
    for (unsigned Threads : {2u, 3u}) {
      const Trace Many = run(M.Image, Threads, Steps, Inject);
      Threaded += Many.Threads == Threads;
      requireSame(One, Many);
    }
    MultiCore += M.Image.Cores.size() >= 3;
    TotalSpikes += One.Spikes.size();
    TotalEvents += One.Counters.Cores.SynapticEvents;
  }
  // The corpus does exercise several cores per thread, firing and delivery.
  CHECK(MultiCore >= 20);
  CHECK(Threaded >= 45);
  CHECK(TotalSpikes >= 60 * Steps);
  CHECK(TotalEvents >= 100000);
}

TEST_CASE("random images give the same results on 1, 2, 3 and 5 threads", "[threads]") {
  testing::RandomImageOptions Opt;
  Opt.MaxCores = 8;
  Opt.MaxNeurons = 40;
  Opt.MaxAxons = 12;
  uint64_t TotalDraws = 0, TotalSpikes = 0;
  for (uint64_t Seed = 1; Seed <= 60; ++Seed) {
    isa::Image Img = testing::makeRandomImage(Seed, Opt);
    isa::validateImage(Img);
    // The host spikes of a step, the same for every run.
    auto Inject = [&](emulator::FunctionalEngine &E, uint64_t Step) {
      for (uint32_t S = 0; S < Img.Symbols.size(); ++S)
        if (Img.Symbols[S].Kind == isa::SymbolKind::InputPort)
          for (uint32_t I = 0; I < Img.Symbols[S].Size; ++I)
            if (isa::randomDraw(Seed, Step, (uint64_t(S) << 32) | I, 7) % 3 == 0)
              E.injectInput(S, I, int32_t(1 + I % 3)); // graded payloads too
    };
    INFO("seed " << Seed << ", " << Img.Cores.size() << " cores");
    const Trace One = run(Img, 1, 25, Inject);
    for (unsigned Threads : {2u, 3u, 5u})
      requireSame(One, run(Img, Threads, 25, Inject));
    TotalDraws += One.Counters.Cores.StochasticDraws;
    TotalSpikes += One.Counters.Cores.SpikesOut;
  }
  CHECK(TotalDraws > 0);
  CHECK(TotalSpikes > 100);
}

TEST_CASE("the engine uses no more threads than cores", "[threads]") {
  testing::RandomImageOptions Opt;
  Opt.MaxCores = 1;
  isa::Image Img = testing::makeRandomImage(5, Opt);
  REQUIRE(Img.Cores.size() == 1);
  emulator::EngineOptions Opts;
  Opts.Threads = 4;
  CHECK(emulator::FunctionalEngine(Img, Opts).numThreads() == 1);
  Opts.Threads = 0; // one per hardware thread, then clamped
  CHECK(emulator::FunctionalEngine(Img, Opts).numThreads() == 1);
  CHECK(emulator::FunctionalEngine(Img).numThreads() == 1);
}

TEST_CASE("nmesh run --threads writes the same spikes and probes and checks its value",
          "[threads]") {
  testing::TempDir T;
  const std::string Src = NM_SOURCE_DIR;
  // Cores of 128 neurons spread the network over 8 cores.
  testing::Result C = testing::nmesh(T, "compile '" + Src + "/examples/networks/ei_balanced.yaml' --arch '" +
                                            Src + "/examples/arch/loihi.yaml' --set core.neurons=128 -o '" + T / "net.nmb" + "'");
  REQUIRE(C.Exit == 0);
  std::string Spikes[2], Probes[2];
  const char *Threads[2] = {"1", "3"};
  for (int I = 0; I < 2; ++I) {
    testing::Result R = testing::nmesh(
        T, "run '" + T / "net.nmb" + "' --engine functional --steps 60 --threads " + Threads[I] + " --spikes '" +
               T / "s.csv" + "' --probes '" + T / "p.csv" + "'");
    INFO(R.Err);
    REQUIRE(R.Exit == 0);
    Spikes[I] = testing::readFile(T / "s.csv");
    Probes[I] = testing::readFile(T / "p.csv");
  }
  CHECK(Spikes[0].size() > 1000); // the network fires
  CHECK(Spikes[0] == Spikes[1]);
  CHECK(Probes[0] == Probes[1]);

  testing::Result Bad = testing::nmesh(T, "run '" + T / "net.nmb" + "' --steps 5 --threads -2");
  CHECK(Bad.Exit == 2);
  CHECK_THAT(Bad.Err, Catch::Contains("--threads must be in [0, 1024]"));
  // The SystemC engine on 2 threads records what the functional engine
  // recorded on 1.
  testing::Result Sc = testing::nmesh(
      T, "run '" + T / "net.nmb" + "' --engine systemc --steps 60 --threads 2 --spikes '" +
             T / "sc.csv" + "' --probes '" + T / "scp.csv" + "'");
  INFO(Sc.Err);
  REQUIRE(Sc.Exit == 0);
  CHECK(testing::readFile(T / "sc.csv") == Spikes[0]);
  CHECK(testing::readFile(T / "scp.csv") == Probes[0]);
}
