//===- bench_functional.cpp - throughput of the functional engine ---------===//
//
// Generates a random recurrent network directly as an isa::Image (seeded,
// so every run measures the same work): ~100 cores of 1,024 CUBA LIF neurons,
// 4,096 recurrent input axons per core with ~25 synapses each (sparse
// segments with delays 1..4 and dense runs), 80% excitatory and 20%
// inhibitory sources, plus a host input port driven by Poisson-like spikes.
// Runs it on the functional engine (--threads, default 1) and prints a table:
// steps, firing rate, synaptic events/s, neuron updates/s, wall and CPU
// time, peak RSS. Rates are given per wall second and per CPU second: on a
// shared machine the second is the engine's own throughput. A benchmark
// measures; it never fails on a slow machine.
//
// usage: nm_bench_functional [--cores N] [--steps N] [--warmup N]
//                            [--seed N] [--input-rate P] [--threshold N]
//                            [--model cuba|lif] [--refractory N] [--threads N]
//                            [--jit on|off]
//
// --jit on updates neurons with the LLVM-compiled programs (NeuronJit.h)
// and also prints the compile time and a neuron-update-only figure (the
// cores' update() alone, no delivery) for the JIT and the interpreter.
//
//===----------------------------------------------------------------------===//
#include "bench/BenchNetworks.h"

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
namespace bench = neuromesh::bench;

namespace {

struct Options {
  bench::BalancedNetworkOptions Net;
  uint32_t Steps = 200;
  uint32_t Warmup = 20;
  double InputRate = 0.05; ///< probability an input index spikes per step
  unsigned Threads = 1;
  bool Jit = false; ///< neuron programs compiled by the JIT
};

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
      O.Net.Cores = uint32_t(std::strtoul(V, nullptr, 10));
    else if (A == "--steps")
      O.Steps = uint32_t(std::strtoul(V, nullptr, 10));
    else if (A == "--warmup")
      O.Warmup = uint32_t(std::strtoul(V, nullptr, 10));
    else if (A == "--seed")
      O.Net.Seed = std::strtoull(V, nullptr, 10);
    else if (A == "--model" && (std::strcmp(V, "cuba") == 0 ||
                                 std::strcmp(V, "lif") == 0))
      O.Net.Cuba = std::strcmp(V, "cuba") == 0;
    else if (A == "--refractory")
      O.Net.Refractory = int32_t(std::strtol(V, nullptr, 10));
    else if (A == "--threshold")
      O.Net.Threshold = int32_t(std::strtol(V, nullptr, 10));
    else if (A == "--threads")
      O.Threads = unsigned(std::strtoul(V, nullptr, 10));
    else if (A == "--jit" && (std::strcmp(V, "on") == 0 || std::strcmp(V, "off") == 0))
      O.Jit = std::strcmp(V, "on") == 0;
    else if (A == "--input-rate")
      O.InputRate = std::strtod(V, nullptr);
    else
      return false;
  }
  return O.Net.Cores >= 1 && O.Net.Cores <= 1024 && O.Steps >= 1 && O.Net.Threshold >= 1 &&
         O.Net.Threshold < (1 << 17) && O.Net.Refractory >= 0 && O.Net.Refractory <= 64 &&
         O.Threads <= 1024;
}

} // namespace

int main(int Argc, char **Argv) {
  Options O;
  if (!parseArgs(Argc, Argv, O)) {
    std::fprintf(stderr,
                 "usage: nm_bench_functional [--cores N (1..1024, default "
                 "100)] [--steps N] [--warmup N] [--seed N] [--input-rate P] [--threshold N] [--model cuba|lif] "
                 "[--refractory N]\n"
                 "[--threads N] [--jit on|off]\nMeasures the functional engine's "
                 "throughput on a seeded random network.\n");
    return 2;
  }
  try {
    using Clock = std::chrono::steady_clock;
    auto T0 = Clock::now();
    isa::Image Img = bench::makeBalancedNetwork(O.Net);
    auto T1 = Clock::now();
    isa::validateImage(Img);
    auto T2 = Clock::now();
    em::EngineOptions EngineOpts;
    EngineOpts.Threads = O.Threads;
    EngineOpts.Jit = O.Jit;
    em::FunctionalEngine E(Img, EngineOpts);
    auto T3 = Clock::now();
    // The engine's compile is part of its load time; compile again here to
    // report it on its own, and time neuron updates without delivery.
    std::shared_ptr<const em::NeuronJit> Jit;
    double UpdateOnly[2] = {0, 0}; // neuron updates per CPU second: interpreter, JIT
    double CompileCpu = 0;
    if (O.Jit) {
      const double C0 = bench::cpuSeconds();
      Jit = em::compileNeuronPrograms(Img);
      CompileCpu = bench::cpuSeconds() - C0;
      const uint32_t Cores = std::min<uint32_t>(O.Net.Cores, 8);
      for (int K = 0; K < 2; ++K) {
        std::vector<em::CoreState> States(Img.Cores.begin(), Img.Cores.begin() + Cores);
        std::vector<em::FiredNeuron> Fired;
        for (em::CoreState &C : States)
          C.useJit(K ? Jit : nullptr);
        const double C0 = bench::cpuSeconds();
        for (uint64_t Step = 0; Step < 200; ++Step)
          for (em::CoreState &C : States) {
            Fired.clear();
            C.update(Step, Fired);
          }
        UpdateOnly[K] = 200.0 * Cores * O.Net.NeuronsPerCore / (bench::cpuSeconds() - C0);
      }
    }

    const uint64_t Synapses = bench::countSynapses(Img);
    const uint64_t Neurons = uint64_t(O.Net.Cores) * O.Net.NeuronsPerCore;
    Img = isa::Image(); // the engine holds its own form; free the image

    bench::PoissonInput Input(O.Net.Seed ^ 0xfeed, O.Net.Cores * O.Net.InputAxons, O.InputRate);
    auto Inject = [&]() { Input.inject(E, 0); };
    for (uint32_t S = 0; S < O.Warmup; ++S) {
      Inject();
      E.step();
    }
    em::EngineCounters Before = E.counters();
    const double Cpu0 = bench::cpuSeconds();
    auto T4 = Clock::now();
    for (uint32_t S = 0; S < O.Steps; ++S) {
      Inject();
      E.step();
    }
    auto T5 = Clock::now();
    const double Cpu = bench::cpuSeconds() - Cpu0;
    em::EngineCounters After = E.counters();

    const double Wall = seconds(T4, T5);
    const uint64_t Events =
        After.Cores.SynapticEvents - Before.Cores.SynapticEvents;
    const uint64_t Updates = After.Cores.NeuronUpdates - Before.Cores.NeuronUpdates;
    const uint64_t Spikes = After.Cores.SpikesOut - Before.Cores.SpikesOut;
    const uint64_t HostSpikes = After.HostSpikes - Before.HostSpikes;

    std::printf("functional engine benchmark (%u thread(s), seed %llu, %s)\n", E.numThreads(),
                (unsigned long long)O.Net.Seed, O.Jit ? "JIT" : "interpreter");
    std::printf("  %-28s %u cores x %u neurons = %llu neurons\n", "network",
                O.Net.Cores, O.Net.NeuronsPerCore, (unsigned long long)Neurons);
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
                bench::peakRssMiB());
    return 0;
  } catch (const neuromesh::Error &Err) {
    std::fprintf(stderr, "%s\n", Err.what());
    return 1;
  }
}
