//===- bench_functional.cpp - throughput of the functional engine ---------===//
//
// Generates a random recurrent network directly as an isa::Image (seeded,
// so every run measures the same work): ~100 cores of 1,024 CUBA LIF neurons,
// 4,096 recurrent input axons per core with ~25 synapses each (sparse
// segments with delays 1..4 and dense runs), 80% excitatory and 20%
// inhibitory sources, plus a host input port driven by Poisson-like spikes.
// Runs it single-threaded on the functional engine and prints a table:
// steps, firing rate, synaptic events/s, neuron updates/s, wall and CPU
// time, peak RSS. Rates are given per wall second and per CPU second: on a
// shared machine the second is the engine's own throughput. A benchmark
// measures; it never fails on a slow machine.
//
// usage: nm_bench_functional [--cores N] [--steps N] [--warmup N]
//                            [--seed N] [--input-rate P] [--threshold N]
//                            [--model cuba|lif] [--refractory N]
//                            [--jit on|off]
//
// --jit on updates neurons with the LLVM-compiled programs (NeuronJit.h)
// and also prints the compile time and a neuron-update-only figure (the
// cores' update() alone, no delivery) for the JIT and the interpreter.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/NeuronPrograms.h"
#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/emulator/NeuronJit.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/Image.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace isa = neuromesh::isa;
namespace em = neuromesh::emulator;
namespace cc = neuromesh::compiler;

namespace {

struct Options {
  uint32_t Cores = 100;
  uint32_t NeuronsPerCore = 1024;
  uint32_t RecurrentAxons = 4096;  ///< per core
  uint32_t InputAxons = 256;       ///< per core, driven by the host
  uint32_t SynapsesPerAxon = 25;
  uint32_t Steps = 200;
  uint32_t Warmup = 20;
  uint64_t Seed = 1;
  double InputRate = 0.05; ///< probability an input index spikes per step
  int32_t Threshold = 150; ///< threshold, in units of a weight of 1
  int32_t Refractory = 5;  ///< CUBA LIF: steps after a spike; bounds the rate
  bool Cuba = true;        ///< Loihi CUBA LIF, else single-state LIF
  bool Jit = false;        ///< neuron programs compiled by the JIT
};

/// SplitMix64: a fixed generator, so the network is the same on every host.
class Rng {
public:
  explicit Rng(uint64_t Seed) : State(Seed) {}
  uint64_t next() {
    uint64_t Z = (State += 0x9e3779b97f4a7c15ULL);
    Z = (Z ^ (Z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    Z = (Z ^ (Z >> 27)) * 0x94d049bb133111ebULL;
    return Z ^ (Z >> 31);
  }
  /// Uniform in [0, N).
  uint32_t below(uint32_t N) { return uint32_t((next() >> 32) * N >> 32); }
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }

private:
  uint64_t State;
};

/// Synapse weights: excitatory sources add, inhibitory ones subtract more,
/// so the recurrent drive is roughly balanced and the rate stays moderate.
int16_t weight(Rng &R, bool Inhibitory) {
  int16_t W = int16_t(8 + R.below(24));
  return Inhibitory ? int16_t(-4 * W) : W;
}

isa::SynapseSegment makeSegment(Rng &R, const Options &O, bool Inhibitory) {
  isa::SynapseSegment S;
  S.Shift = 6; // Loihi-style: weight mantissa << 6
  // 70% sparse lists with mixed delays, 30% dense runs.
  if (R.below(10) < 7) {
    S.Kind = isa::SegmentKind::Sparse;
    for (uint32_t I = 0; I < O.SynapsesPerAxon; ++I)
      S.Sparse.push_back({uint16_t(R.below(O.NeuronsPerCore)),
                          weight(R, Inhibitory), uint8_t(1 + R.below(4))});
    return S;
  }
  S.Kind = isa::SegmentKind::Dense;
  S.Delay = uint8_t(1 + R.below(4));
  S.FirstNeuron = uint16_t(R.below(O.NeuronsPerCore - O.SynapsesPerAxon + 1));
  for (uint32_t I = 0; I < O.SynapsesPerAxon; ++I)
    S.Weights.push_back(weight(R, Inhibitory));
  return S;
}

isa::Image makeNetwork(const Options &O) {
  Rng R(O.Seed);
  isa::Image Img;
  isa::ChipHeader &H = Img.Header;
  H.ArchName = "bench";
  H.NumChips = 1;
  H.CoresPerTile = 4;
  H.MeshWidth = 16;
  H.MeshHeight = uint16_t((O.Cores + 63) / 64);
  for (uint32_t C = 0; C < O.Cores; ++C)
    H.Cores.push_back({0, uint16_t(C / 4 % 16), uint16_t(C / 64), uint8_t(C % 4)});

  isa::NeuronProfile Profile;
  unsigned StateWords = 1;
  if (O.Cuba) {
    // Loihi CUBA LIF: tau_u = 4, tau_v = 8 steps; the refractory period
    // caps the rate at 1 / (1 + refractory), which keeps the recurrent
    // activity moderate instead of bistable.
    cc::LoihiCubaLifParams Lif;
    Lif.Du = 1024;
    Lif.Dv = 512;
    Lif.VthMant = O.Threshold; // Loihi scales it by 2^6, as the weights
    Lif.Refractory = O.Refractory;
    Profile = cc::loihiCubaLifProfile(Lif);
    StateWords = cc::loihi_cuba_lif::NumStateWords;
  } else {
    cc::LifParams Lif;
    Lif.Dv = 512;                     // tau_v = 8 steps
    Lif.Threshold = O.Threshold << 6; // the weights are shifted by 6
    Profile = cc::lifProfile(Lif);
    StateWords = cc::lif::NumStateWords;
  }

  Img.Cores.resize(O.Cores);
  for (uint32_t C = 0; C < O.Cores; ++C) {
    isa::Core &Core = Img.Cores[C];
    Core.Config.NumStateWords = uint8_t(StateWords);
    Core.Config.NumDelaySlots = 4;
    Core.Config.Seed = O.Seed * 1000 + C;
    Core.Profiles = {Profile};
    Core.Neurons.assign(O.NeuronsPerCore,
                        {0, std::vector<int32_t>(StateWords, 0)});
    for (isa::Neuron &N : Core.Neurons) // random start, below threshold
      N.State[StateWords == 1 ? 0 : cc::loihi_cuba_lif::StateV] =
          int32_t(R.below(uint32_t(O.Threshold) << 6));
    Core.Outputs.resize(O.NeuronsPerCore);
    Core.Axons.resize(O.RecurrentAxons + O.InputAxons);
  }
  // Each recurrent axon is driven by one random neuron of the network; its
  // segment's sign follows the source (the last 20% of a core inhibit).
  const uint32_t FirstInhibitory = O.NeuronsPerCore * 8 / 10;
  for (uint32_t C = 0; C < O.Cores; ++C)
    for (uint32_t A = 0; A < O.RecurrentAxons; ++A) {
      uint32_t SrcCore = R.below(O.Cores), SrcNeuron = R.below(O.NeuronsPerCore);
      Img.Cores[SrcCore].Outputs[SrcNeuron].push_back(
          {0, uint16_t(C), uint16_t(A)});
      Img.Cores[C].Axons[A] = {makeSegment(R, O, SrcNeuron >= FirstInhibitory)};
    }
  // Host input: one port index per input axon.
  isa::Symbol In;
  In.Kind = isa::SymbolKind::InputPort;
  In.Name = "in";
  for (uint32_t C = 0; C < O.Cores; ++C)
    for (uint32_t A = 0; A < O.InputAxons; ++A) {
      uint16_t Axon = uint16_t(O.RecurrentAxons + A);
      Img.Cores[C].Axons[Axon] = {makeSegment(R, O, false)};
      In.Targets.push_back({{0, uint16_t(C), Axon}});
    }
  In.Size = uint32_t(In.Targets.size());
  Img.Symbols.push_back(In);
  // Two recorded populations, so recording is part of the measured work.
  for (bool Inh : {false, true}) {
    isa::Symbol P;
    P.Kind = isa::SymbolKind::Population;
    P.Name = Inh ? "inh" : "exc";
    uint16_t First = uint16_t(Inh ? FirstInhibitory : 0);
    uint16_t Count = uint16_t(Inh ? O.NeuronsPerCore - FirstInhibitory
                                  : FirstInhibitory);
    for (uint32_t C = 0; C < O.Cores; ++C) {
      P.Segments.push_back({C, First, Count, P.Size});
      P.Size += Count;
    }
    Img.Symbols.push_back(P);
  }
  return Img;
}

/// CPU time of this process: on a shared machine it moves less than wall
/// time when other processes compete for the cores.
double cpuSeconds() {
  timespec T;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &T);
  return double(T.tv_sec) + 1e-9 * double(T.tv_nsec);
}

double seconds(std::chrono::steady_clock::time_point A,
               std::chrono::steady_clock::time_point B) {
  return std::chrono::duration<double>(B - A).count();
}

bool parseArgs(int Argc, char **Argv, Options &O) {
  for (int I = 1; I < Argc; ++I) {
    std::string A = Argv[I];
    if (A == "--help" || A == "-h")
      return false;
    if (I + 1 >= Argc)
      return false;
    const char *V = Argv[++I];
    if (A == "--cores")
      O.Cores = uint32_t(std::strtoul(V, nullptr, 10));
    else if (A == "--steps")
      O.Steps = uint32_t(std::strtoul(V, nullptr, 10));
    else if (A == "--warmup")
      O.Warmup = uint32_t(std::strtoul(V, nullptr, 10));
    else if (A == "--seed")
      O.Seed = std::strtoull(V, nullptr, 10);
    else if (A == "--model" && (std::strcmp(V, "cuba") == 0 ||
                                 std::strcmp(V, "lif") == 0))
      O.Cuba = std::strcmp(V, "cuba") == 0;
    else if (A == "--refractory")
      O.Refractory = int32_t(std::strtol(V, nullptr, 10));
    else if (A == "--threshold")
      O.Threshold = int32_t(std::strtol(V, nullptr, 10));
    else if (A == "--jit" && (std::strcmp(V, "on") == 0 || std::strcmp(V, "off") == 0))
      O.Jit = std::strcmp(V, "on") == 0;
    else if (A == "--input-rate")
      O.InputRate = std::strtod(V, nullptr);
    else
      return false;
  }
  return O.Cores >= 1 && O.Cores <= 1024 && O.Steps >= 1 &&
         O.Threshold >= 1 && O.Threshold < (1 << 17) && O.Refractory >= 0 &&
         O.Refractory <= 64;
}

} // namespace

int main(int Argc, char **Argv) {
  Options O;
  if (!parseArgs(Argc, Argv, O)) {
    std::fprintf(stderr,
                 "usage: nm_bench_functional [--cores N (1..1024, default "
                 "100)] [--steps N] [--warmup N] [--seed N] [--input-rate P] [--threshold N] [--model cuba|lif] "
                 "[--refractory N] [--jit on|off]\n"
                 "Measures the functional engine's single-threaded "
                 "throughput on a seeded random network.\n");
    return 2;
  }
  try {
    using Clock = std::chrono::steady_clock;
    auto T0 = Clock::now();
    isa::Image Img = makeNetwork(O);
    auto T1 = Clock::now();
    isa::validateImage(Img);
    auto T2 = Clock::now();
    em::EngineOptions EngineOpts;
    EngineOpts.Jit = O.Jit;
    em::FunctionalEngine E(Img, EngineOpts);
    auto T3 = Clock::now();
    // The engine's compile is part of its load time; compile again here to
    // report it on its own, and time neuron updates without delivery.
    std::shared_ptr<const em::NeuronJit> Jit;
    double UpdateOnly[2] = {0, 0}; // neuron updates per CPU second: interpreter, JIT
    double CompileCpu = 0;
    if (O.Jit) {
      const double C0 = cpuSeconds();
      Jit = em::compileNeuronPrograms(Img);
      CompileCpu = cpuSeconds() - C0;
      const uint32_t Cores = std::min<uint32_t>(O.Cores, 8);
      for (int K = 0; K < 2; ++K) {
        std::vector<em::CoreState> States(Img.Cores.begin(), Img.Cores.begin() + Cores);
        std::vector<em::FiredNeuron> Fired;
        for (em::CoreState &C : States)
          C.useJit(K ? Jit : nullptr);
        const double C0 = cpuSeconds();
        for (uint64_t Step = 0; Step < 200; ++Step)
          for (em::CoreState &C : States) {
            Fired.clear();
            C.update(Step, Fired);
          }
        UpdateOnly[K] = 200.0 * Cores * O.NeuronsPerCore / (cpuSeconds() - C0);
      }
    }

    uint64_t Synapses = 0;
    for (const isa::Core &C : Img.Cores)
      for (const auto &Axon : C.Axons)
        for (const isa::SynapseSegment &S : Axon)
          Synapses += S.Sparse.size() + S.Weights.size();
    const uint64_t Neurons = uint64_t(O.Cores) * O.NeuronsPerCore;
    Img = isa::Image(); // the engine holds its own form; free the image

    Rng R(O.Seed ^ 0xfeed);
    const uint32_t InputSize = O.Cores * O.InputAxons;
    const uint32_t InputThreshold = uint32_t(O.InputRate * 4294967296.0);
    auto Inject = [&]() {
      for (uint32_t I = 0; I < InputSize; ++I)
        if (uint32_t(R.next() >> 32) < InputThreshold)
          E.injectInput(0, I);
    };
    for (uint32_t S = 0; S < O.Warmup; ++S) {
      Inject();
      E.step();
    }
    em::EngineCounters Before = E.counters();
    const double Cpu0 = cpuSeconds();
    auto T4 = Clock::now();
    for (uint32_t S = 0; S < O.Steps; ++S) {
      Inject();
      E.step();
    }
    auto T5 = Clock::now();
    const double Cpu = cpuSeconds() - Cpu0;
    em::EngineCounters After = E.counters();

    const double Wall = seconds(T4, T5);
    const uint64_t Events =
        After.Cores.SynapticEvents - Before.Cores.SynapticEvents;
    const uint64_t Updates = After.Cores.NeuronUpdates - Before.Cores.NeuronUpdates;
    const uint64_t Spikes = After.Cores.SpikesOut - Before.Cores.SpikesOut;
    const uint64_t HostSpikes = After.HostSpikes - Before.HostSpikes;
    struct rusage Usage;
    getrusage(RUSAGE_SELF, &Usage);

    std::printf("functional engine benchmark (single thread, seed %llu, %s)\n",
                (unsigned long long)O.Seed, O.Jit ? "JIT" : "interpreter");
    std::printf("  %-28s %u cores x %u neurons = %llu neurons\n", "network",
                O.Cores, O.NeuronsPerCore, (unsigned long long)Neurons);
    std::printf("  %-28s %llu (%.1f per neuron)\n", "synapses",
                (unsigned long long)Synapses, double(Synapses) / Neurons);
    std::printf("  %-28s %.3f s generate, %.3f s validate, %.3f s load\n",
                "setup", seconds(T0, T1), seconds(T1, T2), seconds(T2, T3));
    std::printf("  %-28s %u (after %u warm-up steps)\n", "steps measured",
                O.Steps, O.Warmup);
    std::printf("  %-28s %.2f%% of neurons per step\n", "firing rate",
                100.0 * double(Spikes) / double(Updates));
    std::printf("  %-28s %.1f per step\n", "host input spikes",
                double(HostSpikes) / O.Steps);
    std::printf("  %-28s %llu\n", "synaptic events",
                (unsigned long long)Events);
    std::printf("  %-28s %llu\n", "neuron updates", (unsigned long long)Updates);
    std::printf("  %-28s %.3f s (%.2f ms per step)\n", "wall time", Wall,
                1e3 * Wall / O.Steps);
    std::printf("  %-28s %.3f s (%.2f ms per step)\n", "cpu time", Cpu,
                1e3 * Cpu / O.Steps);
    std::printf("  %-28s %.3g (per cpu second: %.3g)\n", "synaptic events/s",
                double(Events) / Wall, double(Events) / Cpu);
    std::printf("  %-28s %.3g (per cpu second: %.3g)\n", "neuron updates/s",
                double(Updates) / Wall, double(Updates) / Cpu);
    if (Jit) {
      std::printf("  %-28s %zu program(s): %.1f ms wall, %.1f ms cpu\n", "JIT compile",
                  Jit->numFunctions(), 1e3 * Jit->compileSeconds(), 1e3 * CompileCpu);
      std::printf("  %-28s %.3g interpreter, %.3g JIT (x%.1f), per cpu second\n",
                  "update only, no delivery", UpdateOnly[0], UpdateOnly[1],
                  UpdateOnly[1] / UpdateOnly[0]);
    }
    std::printf("  %-28s %.1f MiB\n", "peak RSS",
                double(Usage.ru_maxrss) / 1024.0);
    return 0;
  } catch (const neuromesh::Error &Err) {
    std::fprintf(stderr, "%s\n", Err.what());
    return 1;
  }
}
