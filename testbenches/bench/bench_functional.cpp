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
//
//===----------------------------------------------------------------------===//
#include "BenchNetwork.h"

#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/Image.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace isa = neuromesh::isa;
namespace em = neuromesh::emulator;
namespace nb = neuromesh::bench;
using nb::cpuSeconds;
using nb::makeNetwork;
using nb::seconds;

namespace {

struct Options : nb::NetworkOptions {
  uint32_t Steps = 200;
  uint32_t Warmup = 20;
};

bool parseArgs(int Argc, char **Argv, Options &O) {
  for (int I = 1; I < Argc; ++I) {
    std::string A = Argv[I];
    if (A == "--help" || A == "-h")
      return false;
    if (I + 1 >= Argc)
      return false;
    const char *V = Argv[++I];
    if (A == "--steps")
      O.Steps = uint32_t(std::strtoul(V, nullptr, 10));
    else if (A == "--warmup")
      O.Warmup = uint32_t(std::strtoul(V, nullptr, 10));
    else if (!nb::parseNetworkOption(A, V, O))
      return false;
  }
  return O.Steps >= 1 && nb::validNetworkOptions(O);
}

} // namespace

int main(int Argc, char **Argv) {
  Options O;
  if (!parseArgs(Argc, Argv, O)) {
    std::fprintf(stderr,
                 "usage: nm_bench_functional [--cores N (1..1024, default "
                 "100)] [--steps N] [--warmup N] [--seed N] [--input-rate P] [--threshold N] [--model cuba|lif] "
                 "[--refractory N]\n"
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
    em::FunctionalEngine E(Img);
    auto T3 = Clock::now();

    const uint64_t Synapses = nb::countSynapses(Img);
    const uint64_t Neurons = uint64_t(O.Cores) * O.NeuronsPerCore;
    Img = isa::Image(); // the engine holds its own form; free the image

    nb::HostDrive Drive(O);
    auto Inject = [&]() { Drive.inject(E); };
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

    std::printf("functional engine benchmark (single thread, seed %llu)\n",
                (unsigned long long)O.Seed);
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
    std::printf("  %-28s %.1f MiB\n", "peak RSS",
                double(Usage.ru_maxrss) / 1024.0);
    return 0;
  } catch (const neuromesh::Error &Err) {
    std::fprintf(stderr, "%s\n", Err.what());
    return 1;
  }
}
