//===- bench_suite.cpp - three networks on every engine configuration -----===//
//
// The benchmark suite of docs/performance.md. Three seeded networks:
//   (a) balanced: the random balanced network of 102,400 Loihi CUBA LIF
//       neurons on 100 cores and ~10.9M synapses, Poisson host input
//       (BenchNetworks.h, as bench_functional);
//   (b) truenorth: the TrueNorth-scale network of bench_compile (4,096
//       cores of 256 neurons, ~134M crossbar synapses) compiled for
//       examples/arch/truenorth.yaml, with neurons driven to ~20 Hz at a
//       1 ms tick by their leak;
//   (c) loihi: a Loihi-scale chip, 128 cores of 1,024 CUBA LIF neurons and
//       4,096 input axons each (Loihi's limits, Davies 2018), 10 synapses
//       per axon (~40k per core: what the 128 KB synaptic memory holds at
//       about 24 bits per synapse).
// Each runs on every configuration of configs() (functional engine with
// the interpreter on 1 thread and with the JIT on 1 and 2 threads, SystemC
// engine with the JIT under each mesh model, cycle and transaction), each in a child process of its
// own (this program run with --child on the image written to a temporary file), so the peak memory
// printed (VmHWM) is that configuration's alone. The table gives steps/s, synaptic events/s per
// wall and per CPU second, the firing rate, the peak memory (reached while the image is decoded and
// the engine built) and the resident memory while running (the engine alone; the image is freed
// once the engine is built). A benchmark measures and prints; it never fails on a slow machine.
//
// usage: nm_bench_suite [--only a|b|c] [--scale X] [--tn-cores N]
//                       [--export-balanced DIR] [--json FILE] [--image-dir DIR]
//
// --image-dir keeps the images there (else a temporary directory is
// removed), so that one configuration can be rerun or profiled alone:
//   nm_bench_suite --child DIR/b.nmb --engine functional --threads 1
//     --jit on --steps 20 --warmup 5 [--input-rate 0.05]
//   (--engine systemc --mesh-model cycle|transaction for the SystemC engine)
//
//===----------------------------------------------------------------------===//
#include "bench/BenchNetworks.h"

#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/Mapping.h"
#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/emulator/systemc/SystemCEngine.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/FileIO.h"
#include "neuromesh/isa/ImageFile.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <malloc.h>
#include <map>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

using namespace neuromesh;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point T) {
  return std::chrono::duration<double>(Clock::now() - T).count();
}

/// One engine configuration, a row of the table. An engine option (such
/// as a JIT switch) is a field of emulator::EngineOptions, written for the
/// child by engineArgs and read back by parseEngineArg; a configuration
/// using it is one more entry of configs().
struct Config {
  const char *Label;
  const char *Engine; ///< "functional" or "systemc"
  emulator::EngineOptions Options;
  isa::MeshModel Mesh = isa::DefaultMeshModel; ///< systemc: mesh.model
};

std::vector<Config> configs() {
  emulator::EngineOptions Interp, Jit1, Jit2;
  Interp.Threads = 1;
  Jit1.Jit = true;
  Jit1.Threads = 1;
  Jit2.Jit = true;
  Jit2.Threads = 2;
  return {{"functional, interp, 1 th", "functional", Interp},
          {"functional, JIT, 1 th", "functional", Jit1},
          {"functional, JIT, 2 th", "functional", Jit2},
          {"systemc cycle, JIT", "systemc", Jit1, isa::MeshModel::Cycle},
          {"systemc transaction, JIT", "systemc", Jit1, isa::MeshModel::Transaction}};
}

std::string engineArgs(const emulator::EngineOptions &O) {
  return fmt::format("--threads {} --jit {}", O.Threads, O.Jit ? "on" : "off");
}

/// Reads one engine option of the child's command line; false if Key is
/// not one.
bool parseEngineArg(const std::string &Key, const char *Value, emulator::EngineOptions &O) {
  if (Key == "--threads") {
    O.Threads = unsigned(std::strtoul(Value, nullptr, 10));
    return true;
  }
  if (Key == "--jit") {
    O.Jit = std::strcmp(Value, "on") == 0;
    return true;
  }
  return false;
}

/// What a child measures.
struct ChildArgs {
  std::string Image;
  std::string Engine = "functional";
  emulator::EngineOptions Options;
  isa::MeshModel Mesh = isa::DefaultMeshModel;
  uint32_t Steps = 10, Warmup = 5;
  double InputRate = 0; ///< Poisson host input on port "in", if any
  uint64_t InputSeed = 1;
};

/// A memory figure of this process from /proc/self/status, MiB: Key
/// "VmHWM:" is the peak resident memory, "VmRSS:" the current one; 0 where
/// there is no /proc.
double procStatusMiB(const std::string &Key) {
  std::ifstream In("/proc/self/status");
  std::string Line;
  while (std::getline(In, Line))
    if (Line.rfind(Key, 0) == 0)
      return std::strtod(Line.c_str() + Key.size(), nullptr) / 1024.0;
  return 0;
}

template <typename EngineT>
int measure(EngineT &E, const ChildArgs &A, const isa::Image &Img, double Setup) {
  int32_t Port = -1;
  uint32_t PortSize = 0;
  for (uint32_t S = 0; S < Img.Symbols.size(); ++S)
    if (Img.Symbols[S].Kind == isa::SymbolKind::InputPort && Img.Symbols[S].Name == "in") {
      Port = int32_t(S);
      PortSize = Img.Symbols[S].Size;
    }
  bench::PoissonInput Input(A.InputSeed, PortSize, A.InputRate);
  auto Step = [&] {
    if (Port >= 0 && A.InputRate > 0)
      Input.inject(E, uint32_t(Port));
    E.step();
  };
  for (uint32_t S = 0; S < A.Warmup; ++S)
    Step();
  const emulator::EngineCounters Before = E.counters();
  const double Cpu0 = bench::cpuSeconds();
  const Clock::time_point T0 = Clock::now();
  for (uint32_t S = 0; S < A.Steps; ++S)
    Step();
  const double Wall = secondsSince(T0);
  const double Cpu = bench::cpuSeconds() - Cpu0;
  const emulator::EngineCounters After = E.counters();
  const emulator::CoreCounters D = After.Cores - Before.Cores;
  std::printf("RESULT steps=%u wall=%.6f cpu=%.6f events=%llu updates=%llu spikes=%llu "
              "setup=%.3f peak_mib=%.1f rss_mib=%.1f\n",
              A.Steps, Wall, Cpu, (unsigned long long)D.SynapticEvents,
              (unsigned long long)D.NeuronUpdates, (unsigned long long)D.SpikesOut, Setup,
              procStatusMiB("VmHWM:"), procStatusMiB("VmRSS:"));
  return 0;
}

int runChild(const ChildArgs &A) {
  const Clock::time_point T0 = Clock::now();
  std::unique_ptr<isa::Image> Img = std::make_unique<isa::Image>(isa::readImageFile(A.Image));
  if (A.Engine == "systemc") {
    emulator::systemc::SystemCTiming Timing;
    Timing.Model = A.Mesh;
    emulator::systemc::SystemCEngine E(*Img, Timing, A.Options);
    const double Setup = secondsSince(T0);
    isa::Image Ports; // keep only what measure() reads; the engine holds the rest
    Ports.Symbols = std::move(Img->Symbols);
    Img.reset();
    malloc_trim(0);
    return measure(E, A, Ports, Setup);
  }
  emulator::FunctionalEngine E(*Img, A.Options);
  const double Setup = secondsSince(T0);
  isa::Image Ports;
  Ports.Symbols = std::move(Img->Symbols);
  Img.reset();
  malloc_trim(0); // return the image's memory, so VmRSS is the engine's
  return measure(E, A, Ports, Setup);
}

/// The figures a child printed.
struct Figures {
  bool Ok = false;
  std::map<std::string, double> Values;
  double get(const char *K) const {
    auto I = Values.find(K);
    return I == Values.end() ? 0 : I->second;
  }
};

std::string selfPath() {
  char Buf[4096];
  ssize_t N = readlink("/proc/self/exe", Buf, sizeof(Buf) - 1);
  if (N <= 0)
    throw Error("bench suite: cannot find its own executable (/proc/self/exe) to run children");
  return std::string(Buf, size_t(N));
}

Figures runConfig(const std::string &Self, const ChildArgs &A) {
  const std::string Cmd =
      fmt::format("'{}' --child '{}' --engine {} {} --mesh-model {} --steps {} --warmup {} "
                  "--input-rate {} --input-seed {}",
                  Self, A.Image, A.Engine, engineArgs(A.Options), isa::meshModelName(A.Mesh),
                  A.Steps, A.Warmup, A.InputRate, A.InputSeed);
  Figures F;
  FILE *P = popen(Cmd.c_str(), "r");
  if (!P)
    return F;
  char Line[1024];
  while (std::fgets(Line, sizeof(Line), P)) {
    if (std::strncmp(Line, "RESULT ", 7) != 0)
      continue;
    std::istringstream In(Line + 7);
    std::string KV;
    while (In >> KV) {
      size_t Eq = KV.find('=');
      if (Eq != std::string::npos)
        F.Values[KV.substr(0, Eq)] = std::strtod(KV.c_str() + Eq + 1, nullptr);
    }
    F.Ok = true;
  }
  F.Ok = pclose(P) == 0 && F.Ok;
  return F;
}

/// One network of the suite and its step counts.
struct Bench {
  std::string Key, Title;
  std::string ImagePath;
  uint64_t Neurons = 0, Synapses = 0, Cores = 0;
  uint32_t Steps = 0, SystemCSteps = 0, Warmup = 0;
  double InputRate = 0;
  double BuildSeconds = 0;
};

/// Network (c): Loihi's per-core limits, fully used.
bench::BalancedNetworkOptions loihiScale() {
  bench::BalancedNetworkOptions O;
  O.Cores = 128;           // Davies 2018: 128 neuromorphic cores per chip
  O.NeuronsPerCore = 1024; // Davies 2018: 1,024 compartments per core
  O.RecurrentAxons = 3840; // with InputAxons: Davies 2018's 4,096 input axons per core
  O.InputAxons = 256;
  O.SynapsesPerAxon = 10; // ~40,960 synapses x ~24 bits ~ the 128 KB of Davies 2018
  O.Seed = 3;
  return O;
}

/// Network (b): bench_compile's network with neurons that fire at ~20 Hz at
/// a 1 ms tick. The leak of 20 per step reaches the threshold of 1,000 in
/// 50 steps; crossbar weights of +-1 (axon types 0 and 2 excite, 1 and 3
/// inhibit) perturb that by a few percent, so the rate is set by the leak
/// while every crossbar event is still delivered and counted.
isa::Image trueNorthScale(uint32_t Cores, const isa::Architecture &Arch) {
  compiler::Network Net = bench::trueNorthScaleNetwork(
      Cores, compiler::NeuronModel(
                 "truenorth",
                 {{"alpha", 1000}, {"lambda", 20}, {"w0", 1}, {"w1", -1}, {"w2", 1}, {"w3", -1}}));
  Net.validate();
  compiler::MappedNetwork M = compiler::mapNetwork(compiler::lowerNetwork(Net, Arch), Arch);
  // Start every membrane potential at a random point of its 50-step climb,
  // so the network fires at its steady rate from the first step (the
  // network API has no per-neuron initial state).
  bench::Rng R(7);
  for (isa::Core &C : M.Image.Cores)
    for (isa::Neuron &N : C.Neurons)
      N.State[compiler::truenorth::StateV] = int32_t(R.below(1000));
  return std::move(M.Image);
}

/// Writes the balanced network's synapses as raw little-endian int32 files
/// for scripts/bench_brian2.py: for the recurrent synapses rec_{pre,post,
/// weight,delay}.i32 (global neuron indices, effective weight w << shift),
/// for the host input in_{pre,post,weight,delay}.i32 (pre = input index),
/// and v0.i32, the initial membrane potentials; read directly from the image.
void exportBalanced(const isa::Image &Img, const std::string &Dir) {
  std::vector<uint64_t> FirstNeuron(Img.Cores.size() + 1, 0);
  for (size_t C = 0; C < Img.Cores.size(); ++C)
    FirstNeuron[C + 1] = FirstNeuron[C] + Img.Cores[C].Neurons.size();
  // Who drives each (core, axon): a neuron (>= 0) or input index -1 - i.
  std::map<std::pair<uint32_t, uint32_t>, int64_t> Driver;
  for (size_t C = 0; C < Img.Cores.size(); ++C)
    for (size_t N = 0; N < Img.Cores[C].Outputs.size(); ++N)
      for (const isa::AxonAddress &A : Img.Cores[C].Outputs[N])
        Driver[{A.Core, A.Axon}] = int64_t(FirstNeuron[C] + N);
  for (const isa::Symbol &S : Img.Symbols)
    if (S.Kind == isa::SymbolKind::InputPort)
      for (size_t I = 0; I < S.Targets.size(); ++I)
        for (const isa::AxonAddress &A : S.Targets[I])
          Driver[{A.Core, A.Axon}] = -1 - int64_t(I);
  std::vector<int32_t> Rec[4], In[4], V0;
  for (size_t C = 0; C < Img.Cores.size(); ++C) {
    const isa::Core &Core = Img.Cores[C];
    for (const isa::Neuron &N : Core.Neurons)
      V0.push_back(N.State[compiler::loihi_cuba_lif::StateV]);
    for (size_t A = 0; A < Core.Axons.size(); ++A) {
      auto D = Driver.find({uint32_t(C), uint32_t(A)});
      if (D == Driver.end())
        continue;
      std::vector<int32_t> *Out = D->second >= 0 ? Rec : In;
      const int32_t Pre = int32_t(D->second >= 0 ? D->second : -1 - D->second);
      auto Add = [&](uint32_t Post, int32_t W, uint32_t Delay, unsigned Shift) {
        Out[0].push_back(Pre);
        Out[1].push_back(int32_t(FirstNeuron[C] + Post));
        Out[2].push_back(W * (1 << Shift));
        Out[3].push_back(int32_t(Delay));
      };
      for (const isa::SynapseSegment &S : Core.Axons[A]) {
        for (const isa::SparseSynapse &E : S.Sparse)
          Add(E.Neuron, E.Weight, E.Delay, S.Shift);
        for (size_t I = 0; I < S.Weights.size(); ++I)
          Add(uint32_t(S.FirstNeuron + I), S.Weights[I], S.Delay, S.Shift);
      }
    }
  }
  auto Write = [&](const char *Name, const std::vector<int32_t> &V) {
    isa::writeFileAtomically(Dir + "/" + Name, std::string(reinterpret_cast<const char *>(V.data()),
                                                           V.size() * sizeof(int32_t)));
  };
  const char *Names[4] = {"pre", "post", "weight", "delay"};
  for (int K = 0; K < 4; ++K) {
    Write(("rec_" + std::string(Names[K]) + ".i32").c_str(), Rec[K]);
    Write(("in_" + std::string(Names[K]) + ".i32").c_str(), In[K]);
  }
  Write("v0.i32", V0);
}

struct SuiteArgs {
  std::string Only = "abc";
  double Scale = 1;
  uint32_t TnCores = 4096;
  std::string ExportDir, JsonPath, ImageDir;
};

int usage() {
  std::fprintf(stderr,
               "usage: nm_bench_suite [--only a|b|c|ab|...] [--scale X (step counts)] "
               "[--tn-cores N (default 4096)]\n"
               "                      [--export-balanced DIR] [--json FILE] [--image-dir DIR]\n"
               "Runs networks (a) balanced, (b) truenorth, (c) loihi on the functional engine "
               "(interpreter, 1 thread;\nJIT, 1 and 2 threads) and the SystemC engine (JIT), "
               "each in a child process, and prints\na table (docs/performance.md).\n");
  return 2;
}

int runSuite(const SuiteArgs &S) {
  const std::string Self = selfPath();
  char Template[] = "/tmp/nm_bench_suite.XXXXXX";
  if (S.ImageDir.empty() && !mkdtemp(Template))
    throw Error("bench suite: cannot create a temporary directory in /tmp for the images");
  const std::string Tmp = S.ImageDir.empty() ? std::string(Template) : S.ImageDir;
  auto Scaled = [&](uint32_t N) { return std::max<uint32_t>(1, uint32_t(N * S.Scale)); };

  std::vector<Bench> Benches;
  auto Add = [&](Bench B, const isa::Image &Img, Clock::time_point T0) {
    B.BuildSeconds = secondsSince(T0);
    B.Cores = Img.Cores.size();
    for (const isa::Core &C : Img.Cores)
      B.Neurons += C.Neurons.size();
    B.Synapses = bench::countSynapses(Img);
    B.ImagePath = Tmp + "/" + B.Key + ".nmb";
    isa::writeImageFile(Img, B.ImagePath);
    Benches.push_back(B);
  };
  if (S.Only.find('a') != std::string::npos) {
    Clock::time_point T0 = Clock::now();
    isa::Image Img = bench::makeBalancedNetwork(bench::BalancedNetworkOptions());
    isa::validateImage(Img);
    if (!S.ExportDir.empty())
      exportBalanced(Img, S.ExportDir);
    Add({"a", "(a) balanced, 100 cores x 1,024 CUBA LIF", "", 0, 0, 0, Scaled(100), Scaled(20), 20,
         0.05, 0},
        Img, T0);
  }
  if (S.Only.find('b') != std::string::npos) {
    Clock::time_point T0 = Clock::now();
    isa::Architecture Arch =
        isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/truenorth.yaml");
    isa::Image Img = trueNorthScale(S.TnCores, Arch);
    Add({"b", fmt::format("(b) truenorth, {} cores x 256, 20 Hz", S.TnCores), "", 0, 0, 0,
         Scaled(50), Scaled(5), 10, 0, 0},
        Img, T0);
  }
  if (S.Only.find('c') != std::string::npos) {
    Clock::time_point T0 = Clock::now();
    isa::Image Img = bench::makeBalancedNetwork(loihiScale());
    isa::validateImage(Img);
    Add({"c", "(c) loihi, 128 cores x 1,024 CUBA LIF, full", "", 0, 0, 0, Scaled(100), Scaled(20),
         20, 0.05, 0},
        Img, T0);
  }

  fmt::print("{:<46} {:>9} {:>11} {:>10} {:>10}\n", "network", "neurons", "synapses", "cores",
             "build s");
  for (const Bench &B : Benches)
    fmt::print("{:<46} {:>9} {:>11} {:>10} {:>10.1f}\n", B.Title, B.Neurons, B.Synapses, B.Cores,
               B.BuildSeconds);
  fmt::print("\n{:<8} {:<24} {:>6} {:>10} {:>13} {:>13} {:>8} {:>9} {:>8} {:>8}\n", "network",
             "engine", "steps", "steps/s", "syn ev/s", "syn ev/cpu-s", "firing", "peak MiB",
             "run MiB", "setup s");
  std::string Json = "{";
  for (const Bench &B : Benches)
    for (const Config &C : configs()) {
      ChildArgs A;
      A.Image = B.ImagePath;
      A.Engine = C.Engine;
      A.Options = C.Options;
      A.Mesh = C.Mesh;
      A.Steps = std::string(C.Engine) == "systemc" ? B.SystemCSteps : B.Steps;
      A.Warmup = B.Warmup;
      A.InputRate = B.InputRate;
      Figures F = runConfig(Self, A);
      if (!F.Ok) {
        fmt::print("{:<8} {:<24} failed (see the messages above)\n", B.Key, C.Label);
        continue;
      }
      const double Wall = F.get("wall"), Cpu = F.get("cpu"), Events = F.get("events");
      const double Firing = F.get("spikes") / std::max(1.0, F.get("updates"));
      fmt::print(
          "{:<8} {:<24} {:>6} {:>10.1f} {:>13.3g} {:>13.3g} {:>7.2f}% {:>9.0f} {:>8.0f} {:>8.1f}\n",
          B.Key, C.Label, A.Steps, A.Steps / Wall, Events / Wall, Events / Cpu, 100 * Firing,
          F.get("peak_mib"), F.get("rss_mib"), F.get("setup"));
      std::fflush(stdout);
      Json += fmt::format("{}\"{}/{}\": {{\"steps_per_s\": {}, \"events_per_s\": {}, "
                          "\"events_per_cpu_s\": {}, \"firing\": {}, \"peak_mib\": {}}}",
                          Json.size() > 1 ? ", " : "", B.Key, C.Label, A.Steps / Wall,
                          Events / Wall, Events / Cpu, Firing, F.get("peak_mib"));
    }
  Json += "}\n";
  if (!S.JsonPath.empty())
    isa::writeFileAtomically(S.JsonPath, Json);
  if (!S.ImageDir.empty())
    return 0;
  for (const Bench &B : Benches)
    std::remove(B.ImagePath.c_str());
  rmdir(Tmp.c_str());
  return 0;
}

} // namespace

int main(int Argc, char **Argv) {
  try {
    if (Argc >= 3 && std::strcmp(Argv[1], "--child") == 0) {
      ChildArgs A;
      A.Image = Argv[2];
      for (int I = 3; I + 1 < Argc; I += 2) {
        const std::string K = Argv[I];
        const char *V = Argv[I + 1];
        if (parseEngineArg(K, V, A.Options))
          continue;
        if (K == "--engine")
          A.Engine = V;
        else if (K == "--mesh-model" && isa::parseMeshModel(V))
          A.Mesh = *isa::parseMeshModel(V);
        else if (K == "--steps")
          A.Steps = uint32_t(std::strtoul(V, nullptr, 10));
        else if (K == "--warmup")
          A.Warmup = uint32_t(std::strtoul(V, nullptr, 10));
        else if (K == "--input-rate")
          A.InputRate = std::strtod(V, nullptr);
        else if (K == "--input-seed")
          A.InputSeed = std::strtoull(V, nullptr, 10);
        else
          return usage();
      }
      return runChild(A);
    }
    SuiteArgs S;
    for (int I = 1; I < Argc; ++I) {
      const std::string K = Argv[I];
      if (I + 1 >= Argc)
        return usage();
      const char *V = Argv[++I];
      if (K == "--only")
        S.Only = V;
      else if (K == "--scale")
        S.Scale = std::strtod(V, nullptr);
      else if (K == "--tn-cores")
        S.TnCores = uint32_t(std::strtoul(V, nullptr, 10));
      else if (K == "--export-balanced")
        S.ExportDir = V;
      else if (K == "--json")
        S.JsonPath = V;
      else if (K == "--image-dir")
        S.ImageDir = V;
      else
        return usage();
    }
    if (S.Scale <= 0 || S.TnCores < 1 || S.TnCores > 4096)
      return usage();
    return runSuite(S);
  } catch (const Error &E) {
    std::fprintf(stderr, "%s\n", E.what());
    return 1;
  }
}
