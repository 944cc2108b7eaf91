//===- bench_compile.cpp - compile time of a TrueNorth-scale network ------===//
//
// Builds, through the C++ network API, a TrueNorth-scale network: 4,096
// populations of 256 TrueNorth neurons (one per core of the 64 x 64 mesh),
// each fed by the 256 neurons of one other population through a binary
// crossbar with connection probability 0.5 (about 128 active synapses per
// neuron, as in Merolla 2014's benchmark network), and compiles it for the
// TrueNorth preset. Prints the time of each phase and the peak memory.
// The goal from the compiler issue: under 60 s. A benchmark measures and
// prints; it asserts nothing.
//
//   nm_bench_compile [--arch examples/arch/truenorth.yaml] [--cores N]
//
//===----------------------------------------------------------------------===//
#include "bench/BenchNetworks.h"

#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/Mapping.h"
#include "neuromesh/compiler/Network.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/ImageFile.h"

#include <fmt/format.h>

#include <chrono>
#include <cstring>
#include <string>

using namespace neuromesh;
using namespace neuromesh::compiler;

namespace {

/// The TrueNorth neuron of the compile benchmark.
Network trueNorthScale(uint32_t Cores) {
  return bench::trueNorthScaleNetwork(
      Cores, NeuronModel("truenorth", {{"alpha", 100}, {"lambda", -1}, {"w0", 20}, {"w1", 10},
                                       {"w2", -10}, {"w3", -20}}));
}

} // namespace

int main(int argc, char **argv) {
  std::string ArchPath = std::string(NM_SOURCE_DIR) + "/examples/arch/truenorth.yaml";
  uint32_t Cores = 4096;
  for (int I = 1; I < argc; ++I) {
    if (!std::strcmp(argv[I], "--arch") && I + 1 < argc)
      ArchPath = argv[++I];
    else if (!std::strcmp(argv[I], "--cores") && I + 1 < argc)
      Cores = uint32_t(std::stoul(argv[++I]));
    else {
      fmt::print(stderr, "usage: nm_bench_compile [--arch FILE] [--cores N]\n");
      return 2;
    }
  }
  using Clock = std::chrono::steady_clock;
  auto Seconds = [](Clock::time_point A, Clock::time_point B) {
    return std::chrono::duration<double>(B - A).count();
  };
  try {
    isa::Architecture Arch = isa::loadArchitecture(ArchPath);
    auto T0 = Clock::now();
    Network Net = trueNorthScale(Cores);
    Net.validate();
    auto T1 = Clock::now();
    HardwareNetwork Hw = lowerNetwork(Net, Arch);
    auto T2 = Clock::now();
    uint64_t Synapses = 0;
    for (const HwProjection &P : Hw.Projections)
      Synapses += P.Synapses.size();
    MappedNetwork M = mapNetwork(Hw, Arch);
    auto T3 = Clock::now();
    std::vector<uint8_t> Bytes = isa::encodeImage(M.Image);
    auto T4 = Clock::now();
    fmt::print("TrueNorth-scale compile: {} neurons, {} synapses, {} populations, arch '{}'\n",
               uint64_t(Cores) * 256, Synapses, Cores, Arch.Name);
    fmt::print("  {:<28} {:>8.2f} s\n", "build + validate network", Seconds(T0, T1));
    fmt::print("  {:<28} {:>8.2f} s\n", "expand + lower + quantise", Seconds(T1, T2));
    fmt::print("  {:<28} {:>8.2f} s\n", "partition + place + emit", Seconds(T2, T3));
    fmt::print("  {:<28} {:>8.2f} s\n", "encode image", Seconds(T3, T4));
    fmt::print("  {:<28} {:>8.2f} s   (goal: < 60 s)\n", "total", Seconds(T0, T4));
    fmt::print("  cores used {}, chips {}, hop-weighted traffic {}, image {:.1f} MiB\n",
               M.Report.CoresUsed, M.Report.ChipsUsed, M.Report.HopWeightedTraffic,
               double(Bytes.size()) / (1 << 20));
    fmt::print("  peak memory (max RSS) {:.0f} MiB\n", bench::peakRssMiB());
  } catch (const Error &E) {
    fmt::print(stderr, "{}\n", E.what());
    return 1;
  }
  return 0;
}
