//===- bench_systemc.cpp - SystemC engine against the functional engine ---===//
//
// Issue 4's benchmark: the SystemC chip model against the functional engine
// on the same image, in one process, with the ratio (the goal: SystemC
// within 3x of functional on a network of at least 100k neurons).
//
// Two networks, both placed on the Loihi preset (examples/arch/loihi.yaml:
// 4 cores per tile on an 8 x 4 mesh per chip) and timed with its cost set:
//   large: the functional benchmark's random balanced CUBA LIF network
//          (BenchNetworks.h; 100 cores x 1,024 neurons, ~10.9M synapses,
//          Poisson host input), laid out on the Loihi mesh;
//   small: examples/networks/ei_balanced.yaml (1,000 LIF neurons), compiled
//          for Loihi by the compiler.
// Each engine runs the same steps with the same inputs; the benchmark checks
// that they recorded the same spikes (and the same event counts), then
// prints, per engine, wall and CPU time, steps/s, synaptic events/s,
// messages and hops per step, and the SystemC/functional ratio. The SystemC
// engine runs twice, once per mesh model (mesh.model: cycle, transaction),
// each with its ratio against the functional engine of the same run, and
// the benchmark prints how far the transaction model's step latencies are
// from the cycle model's (mean and max relative difference). The hops of
// both rows are the energy model's x-then-y routes of the fired neurons'
// spikes (TrafficTable); the SystemC line below adds its routers' own count,
// which also has the host input's hops from tile (0,0). A benchmark
// measures; it fails only when the engines disagree.
//
// usage: nm_bench_systemc [--steps N] [--warmup N] [--small-steps N]
//                         [--cores N] [--seed N] [--input-rate P] [--jit on|off]
//                         [--threads N]
//
//===----------------------------------------------------------------------===//
#include "BenchNetworks.h"
#include "systemc/LatencyAgreement.h"

#include "neuromesh/compiler/Compile.h"
#include "neuromesh/compiler/NetworkYaml.h"
#include "neuromesh/emulator/EnergyModel.h"
#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/emulator/systemc/SystemCEngine.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/Image.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace isa = neuromesh::isa;
namespace em = neuromesh::emulator;
namespace sc = neuromesh::emulator::systemc;
namespace nb = neuromesh::bench;

namespace {

double seconds(std::chrono::steady_clock::time_point A, std::chrono::steady_clock::time_point B) {
  return std::chrono::duration<double>(B - A).count();
}

struct Options : nb::BalancedNetworkOptions {
  double InputRate = 0.05; ///< probability an input index spikes per step
  bool Jit = false;        ///< neuron programs compiled by the JIT, both engines
  unsigned Threads = 1;    ///< EngineOptions::Threads, both engines
  uint32_t Steps = 20;
  uint32_t Warmup = 20;
  uint32_t SmallSteps = 1000;
};

/// What one engine did over the measured steps.
struct Measured {
  double Wall = 0, Cpu = 0;
  uint64_t SynapticEvents = 0, Messages = 0, Hops = 0;
  double SimulatedSeconds = 0; ///< SystemC only
  uint64_t StallCycles = 0;    ///< SystemC only
  uint64_t RouterHops = 0;     ///< SystemC only
  uint64_t Fingerprint = 0;    ///< SystemC only: of every step's latency
  std::vector<uint64_t> StepCycles; ///< SystemC only: the measured steps' latencies
  std::vector<em::SpikeRecord> Spikes;
  em::CoreCounters Counters;
};

/// Runs E for Warmup + Steps steps (Drive, if any, injecting the host
/// input of each step) and measures the last Steps; AtStart runs between
/// the two. Hops come from Traffic (the routes of the engine's fired
/// neurons).
template <typename Engine, typename Callback>
Measured run(Engine &E, uint32_t Warmup, uint32_t Steps, std::optional<nb::PoissonInput> Drive,
             const em::TrafficTable &Traffic, Callback AtStart) {
  using Clock = std::chrono::steady_clock;
  Measured M;
  auto Step = [&]() {
    if (Drive)
      Drive->inject(E, 0);
    E.step();
  };
  for (uint32_t S = 0; S < Warmup; ++S)
    Step();
  AtStart();
  const em::EngineCounters Before = E.counters();
  const double Cpu0 = nb::cpuSeconds();
  const auto T0 = Clock::now();
  for (uint32_t S = 0; S < Steps; ++S) {
    Step();
    for (size_t K = 0; K < E.numCores(); ++K)
      for (const em::FiredNeuron &F : E.fired(K)) {
        const em::TrafficCounts &T = Traffic.spike(uint32_t(K), F.Neuron);
        M.Hops += T.HopsEastWest + T.HopsNorthSouth;
      }
  }
  M.Wall = seconds(T0, Clock::now());
  M.Cpu = nb::cpuSeconds() - Cpu0;
  const em::EngineCounters After = E.counters();
  M.SynapticEvents = After.Cores.SynapticEvents - Before.Cores.SynapticEvents;
  M.Messages = After.Cores.MessagesOut - Before.Cores.MessagesOut +
               (After.HostMessages - Before.HostMessages) +
               (After.GeneratedMessages - Before.GeneratedMessages);
  M.Spikes = E.takeRecorded();
  M.Counters = After.Cores;
  return M;
}

void printRow(const char *Engine, const Measured &M, uint32_t Steps) {
  fmt::print("  {:<20} {:>9.3f} {:>9.3f} {:>10.1f} {:>12.3g} {:>12.0f} {:>12.0f}\n", Engine, M.Wall,
             M.Cpu, Steps / M.Wall, double(M.SynapticEvents) / M.Wall, double(M.Messages) / Steps,
             double(M.Hops) / Steps);
}

/// Runs Img on both engines and prints the table. Returns false if the
/// engines disagree.
bool compare(const std::string &Title, const isa::Image &Img, const isa::Architecture &Arch,
             uint32_t Warmup, uint32_t Steps, const Options &O, bool Drive) {
  using Clock = std::chrono::steady_clock;
  const em::TrafficTable Traffic(Arch, Img);
  const sc::SystemCTiming Timing = sc::timingFromArchitecture(Arch, Traffic.tilesUsed());
  uint64_t Neurons = 0;
  for (const isa::Core &C : Img.Cores)
    Neurons += C.Neurons.size();
  fmt::print("\n{}\n  {} neurons, {} synapses, {} cores on {} tiles, {} chip(s); {} steps "
             "measured after {} warm-up\n",
             Title, Neurons, nb::countSynapses(Img), Img.Cores.size(), Traffic.tilesUsed(),
             Img.Header.NumChips, Steps, Warmup);

  auto D = [&]() -> std::optional<nb::PoissonInput> {
    if (Drive)
      return nb::PoissonInput(O.Seed ^ 0xfeed, O.Cores * O.InputAxons, O.InputRate);
    return std::nullopt;
  };
  em::EngineOptions EngineOpts;
  EngineOpts.Jit = O.Jit;
  EngineOpts.Threads = O.Threads;
  auto T0 = Clock::now();
  em::FunctionalEngine F(Img, EngineOpts);
  const double FunctionalSetup = seconds(T0, Clock::now());
  Measured MF = run(F, Warmup, Steps, D(), Traffic, [] {});
  // The SystemC engine under each mesh model.
  const isa::MeshModel Models[] = {isa::MeshModel::Cycle, isa::MeshModel::Transaction};
  Measured MS[2];
  double SystemCSetup[2] = {};
  for (int K = 0; K < 2; ++K) {
    sc::SystemCTiming ModelTiming = Timing;
    ModelTiming.Model = Models[K];
    T0 = Clock::now();
    sc::SystemCEngine S(Img, ModelTiming, EngineOpts);
    SystemCSetup[K] = seconds(T0, Clock::now());
    sc::SystemCTraffic Before;
    double Sim0 = 0;
    MS[K] = run(S, Warmup, Steps, D(), Traffic, [&] {
      Before = S.traffic();
      Sim0 = S.simulatedSeconds();
    });
    const sc::SystemCTraffic After = S.traffic();
    MS[K].RouterHops =
        After.HopsEastWest + After.HopsNorthSouth - Before.HopsEastWest - Before.HopsNorthSouth;
    MS[K].SimulatedSeconds = S.simulatedSeconds() - Sim0;
    // A fingerprint of every step's latency (FNV-1a over the cycle counts),
    // to compare the timing of two versions of the model at a glance.
    MS[K].Fingerprint = 0xcbf29ce484222325ULL;
    for (const sc::StepLatency &L : S.latencies())
      MS[K].Fingerprint = (MS[K].Fingerprint ^ L.Cycles) * 0x100000001b3ULL;
    for (size_t I = Warmup; I < S.latencies().size(); ++I)
      MS[K].StepCycles.push_back(S.latencies()[I].Cycles);
    MS[K].StallCycles = After.StallCycles - Before.StallCycles;
  }

  fmt::print("  {:<20} {:>9} {:>9} {:>10} {:>12} {:>12} {:>12}\n", "engine", "wall s", "cpu s",
             "steps/s", "syn events/s", "msgs/step", "hops/step");
  printRow("functional", MF, Steps);
  printRow("systemc cycle", MS[0], Steps);
  printRow("systemc transaction", MS[1], Steps);
  bool Same = true;
  for (int K = 0; K < 2; ++K) {
    const char *Name = isa::meshModelName(Models[K]);
    fmt::print("  ratio systemc {}/functional: {:.2f}x wall, {:.2f}x cpu (setup: functional "
               "{:.3f} s, systemc {:.3f} s)\n",
               Name, MS[K].Wall / MF.Wall, MS[K].Cpu / MF.Cpu, FunctionalSetup, SystemCSetup[K]);
    fmt::print("  systemc {}: {:.2f} us simulated per step, {:.0f} router hops/step (host input "
               "included), {:.0f} stall cycles/step, latency fingerprint {:016x}\n",
               Name, 1e6 * MS[K].SimulatedSeconds / Steps, double(MS[K].RouterHops) / Steps,
               double(MS[K].StallCycles) / Steps, MS[K].Fingerprint);
    const bool SameSpikes = MF.Spikes == MS[K].Spikes;
    fmt::print("  spikes under {}: {} recorded, {}\n", Name, MF.Spikes.size(),
               SameSpikes ? "identical to the functional engine's" : "DIFFERENT");
    if (!(MF.Counters == MS[K].Counters)) {
      fmt::print("  event counters under {}: DIFFERENT\n", Name);
      Same = false;
    }
    Same = Same && SameSpikes;
  }
  // How far the transaction model's step latencies are from the cycle
  // model's (its independent second implementation).
  neuromesh::testing::LatencyAgreement Agree;
  for (size_t I = 0; I < MS[0].StepCycles.size(); ++I)
    Agree.add(double(MS[0].StepCycles[I]), double(MS[1].StepCycles[I]));
  fmt::print("  step latency, transaction against cycle: mean |relative difference| {:.2f}%, "
             "max {:.2f}% over {} steps\n",
             100 * Agree.mean(), 100 * Agree.Max, Agree.Steps);
  return Same;
}

bool parseArgs(int Argc, char **Argv, Options &O) {
  for (int I = 1; I < Argc; ++I) {
    const std::string A = Argv[I];
    if (A == "--help" || A == "-h" || I + 1 >= Argc)
      return false;
    const char *V = Argv[++I];
    if (A == "--steps")
      O.Steps = uint32_t(std::strtoul(V, nullptr, 10));
    else if (A == "--warmup")
      O.Warmup = uint32_t(std::strtoul(V, nullptr, 10));
    else if (A == "--small-steps")
      O.SmallSteps = uint32_t(std::strtoul(V, nullptr, 10));
    else if (A == "--cores")
      O.Cores = uint32_t(std::strtoul(V, nullptr, 10));
    else if (A == "--seed")
      O.Seed = std::strtoull(V, nullptr, 10);
    else if (A == "--input-rate")
      O.InputRate = std::strtod(V, nullptr);
    else if (A == "--jit" && (std::strcmp(V, "on") == 0 || std::strcmp(V, "off") == 0))
      O.Jit = std::strcmp(V, "on") == 0;
    else if (A == "--threads")
      O.Threads = unsigned(std::strtoul(V, nullptr, 10));
    else
      return false;
  }
  return O.Steps >= 1 && O.Cores >= 1 && O.Cores <= 1024;
}

} // namespace

int main(int Argc, char **Argv) {
  Options O;
  if (!parseArgs(Argc, Argv, O)) {
    std::fprintf(stderr,
                 "usage: nm_bench_systemc [--steps N (default 20)] [--warmup N (default 20)] "
                 "[--small-steps N (default 1000; 0 skips ei_balanced)] [--cores N (1..1024, "
                 "default 100)] [--seed N] [--input-rate P] [--jit on|off] [--threads N (both "
                 "engines, default 1)]\n"
                 "Runs the SystemC engine against the functional engine on the same "
                 "networks and prints the ratio.\n");
    return 2;
  }
  try {
    const std::string Root = NM_SOURCE_DIR;
    const isa::Architecture Loihi = isa::loadArchitecture(Root + "/examples/arch/loihi.yaml", {});
    // The large network on Loihi's mesh: 4 cores a tile, 8 x 4 tiles a chip.
    O.MeshWidth = uint16_t(Loihi.Mesh.Width);
    O.MeshHeight = uint16_t(Loihi.Mesh.Height);
    O.CoresPerTile = uint8_t(Loihi.Mesh.CoresPerTile);
    isa::Image Large = nb::makeBalancedNetwork(O);
    Large.Header.ArchName = Loihi.Name;
    isa::validateImage(Large);
    bool Same = compare(fmt::format("large: random balanced CUBA LIF (BenchNetworks.h, seed {}), "
                                    "Loihi preset",
                                    O.Seed),
                        Large, Loihi, O.Warmup, O.Steps, O, true);
    Large = isa::Image();
    if (O.SmallSteps > 0) {
      const auto Net =
          neuromesh::compiler::loadNetworkYaml(Root + "/examples/networks/ei_balanced.yaml");
      const isa::Image Small = neuromesh::compiler::compileNetwork(Net, Loihi).Mapped.Image;
      Same = compare("small: examples/networks/ei_balanced.yaml compiled for the Loihi preset",
                     Small, Loihi, 0, O.SmallSteps, O, false) &&
             Same;
    }
    return Same ? 0 : 1;
  } catch (const neuromesh::Error &Err) {
    std::fprintf(stderr, "%s\n", Err.what());
    return 1;
  }
}
