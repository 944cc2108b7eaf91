//===- BenchNetwork.h - the benchmarks' random CUBA LIF network -*- C++ -*-===//
//
// The seeded random recurrent network the engine benchmarks run, generated
// directly as an isa::Image (so every run measures the same work): cores of
// 1,024 CUBA LIF neurons (compiler::loihiCubaLifProfile), 4,096 recurrent
// input axons per core with ~25 synapses each (sparse segments with delays
// 1..4 and dense runs), 80% excitatory and 20% inhibitory sources, plus a
// host input port ("in") driven by Poisson-like spikes (HostDrive).
// nm_bench_functional and nm_bench_systemc share it; the cores sit
// CoresPerTile to a tile on a MeshWidth x MeshHeight mesh per chip, filled
// tile by tile, row by row, chip by chip.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/NeuronPrograms.h"
#include "neuromesh/isa/Image.h"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

namespace neuromesh::bench {

namespace isa = neuromesh::isa;
namespace cc = neuromesh::compiler;

/// The network's shape and dynamics.
struct NetworkOptions {
  uint32_t Cores = 100;
  uint32_t NeuronsPerCore = 1024;
  uint32_t RecurrentAxons = 4096; ///< per core
  uint32_t InputAxons = 256;      ///< per core, driven by the host
  uint32_t SynapsesPerAxon = 25;
  uint64_t Seed = 1;
  double InputRate = 0.05; ///< probability an input index spikes per step
  int32_t Threshold = 150; ///< threshold, in units of a weight of 1
  int32_t Refractory = 5;  ///< CUBA LIF: steps after a spike; bounds the rate
  bool Cuba = true;        ///< Loihi CUBA LIF, else single-state LIF
  /// Placement: tiles per chip in x and y (0 = as many rows as needed, one
  /// chip) and cores per tile.
  uint16_t MeshWidth = 16, MeshHeight = 0;
  uint8_t CoresPerTile = 4;
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
inline int16_t weight(Rng &R, bool Inhibitory) {
  int16_t W = int16_t(8 + R.below(24));
  return Inhibitory ? int16_t(-4 * W) : W;
}

inline isa::SynapseSegment makeSegment(Rng &R, const NetworkOptions &O, bool Inhibitory) {
  isa::SynapseSegment S;
  S.Shift = 6; // Loihi-style: weight mantissa << 6
  // 70% sparse lists with mixed delays, 30% dense runs.
  if (R.below(10) < 7) {
    S.Kind = isa::SegmentKind::Sparse;
    for (uint32_t I = 0; I < O.SynapsesPerAxon; ++I)
      S.Sparse.push_back(
          {uint16_t(R.below(O.NeuronsPerCore)), weight(R, Inhibitory), uint8_t(1 + R.below(4))});
    return S;
  }
  S.Kind = isa::SegmentKind::Dense;
  S.Delay = uint8_t(1 + R.below(4));
  S.FirstNeuron = uint16_t(R.below(O.NeuronsPerCore - O.SynapsesPerAxon + 1));
  for (uint32_t I = 0; I < O.SynapsesPerAxon; ++I)
    S.Weights.push_back(weight(R, Inhibitory));
  return S;
}

inline isa::Image makeNetwork(const NetworkOptions &O) {
  Rng R(O.Seed);
  isa::Image Img;
  isa::ChipHeader &H = Img.Header;
  H.ArchName = "bench";
  const uint32_t PerRow = uint32_t(O.MeshWidth) * O.CoresPerTile;
  H.CoresPerTile = O.CoresPerTile;
  H.MeshWidth = O.MeshWidth;
  H.MeshHeight = O.MeshHeight ? O.MeshHeight : uint16_t((O.Cores + PerRow - 1) / PerRow);
  const uint32_t PerChip = PerRow * H.MeshHeight;
  H.NumChips = uint16_t((O.Cores + PerChip - 1) / PerChip);
  for (uint32_t C = 0; C < O.Cores; ++C) {
    const uint32_t K = C % PerChip;
    H.Cores.push_back({uint16_t(C / PerChip), uint16_t(K / O.CoresPerTile % O.MeshWidth),
                       uint16_t(K / PerRow), uint8_t(C % O.CoresPerTile)});
  }

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
    Core.Neurons.assign(O.NeuronsPerCore, {0, std::vector<int32_t>(StateWords, 0)});
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
      Img.Cores[SrcCore].Outputs[SrcNeuron].push_back({0, uint16_t(C), uint16_t(A)});
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
    uint16_t Count = uint16_t(Inh ? O.NeuronsPerCore - FirstInhibitory : FirstInhibitory);
    for (uint32_t C = 0; C < O.Cores; ++C) {
      P.Segments.push_back({C, First, Count, P.Size});
      P.Size += Count;
    }
    Img.Symbols.push_back(P);
  }
  return Img;
}

/// Takes the network option A with value V (--cores, --seed, --model
/// cuba|lif, --refractory, --threshold, --input-rate) into O; false if A is
/// none of them or V is not a model's name.
inline bool parseNetworkOption(const std::string &A, const char *V, NetworkOptions &O) {
  if (A == "--cores")
    O.Cores = uint32_t(std::strtoul(V, nullptr, 10));
  else if (A == "--seed")
    O.Seed = std::strtoull(V, nullptr, 10);
  else if (A == "--model" && (std::strcmp(V, "cuba") == 0 || std::strcmp(V, "lif") == 0))
    O.Cuba = std::strcmp(V, "cuba") == 0;
  else if (A == "--refractory")
    O.Refractory = int32_t(std::strtol(V, nullptr, 10));
  else if (A == "--threshold")
    O.Threshold = int32_t(std::strtol(V, nullptr, 10));
  else if (A == "--input-rate")
    O.InputRate = std::strtod(V, nullptr);
  else
    return false;
  return true;
}

/// The ranges the generator supports.
inline bool validNetworkOptions(const NetworkOptions &O) {
  return O.Cores >= 1 && O.Cores <= 1024 && O.Threshold >= 1 && O.Threshold < (1 << 17) &&
         O.Refractory >= 0 && O.Refractory <= 64;
}

/// Poisson-like host input: each index of port 0 spikes with probability
/// InputRate per step, from a generator seeded apart from the network's.
/// Two drives built from the same options give the same spikes.
class HostDrive {
public:
  explicit HostDrive(const NetworkOptions &O)
      : R(O.Seed ^ 0xfeed), Size(O.Cores * O.InputAxons),
        Threshold(uint32_t(O.InputRate * 4294967296.0)) {}
  /// Injects one step's input spikes into E (any engine with injectInput).
  template <typename Engine> void inject(Engine &E) {
    for (uint32_t I = 0; I < Size; ++I)
      if (uint32_t(R.next() >> 32) < Threshold)
        E.injectInput(0, I);
  }

private:
  Rng R;
  uint32_t Size, Threshold;
};

/// Synapses of an image (sparse entries and dense weights).
inline uint64_t countSynapses(const isa::Image &Img) {
  uint64_t N = 0;
  for (const isa::Core &C : Img.Cores)
    for (const auto &Axon : C.Axons)
      for (const isa::SynapseSegment &S : Axon)
        N += S.Sparse.size() + S.Weights.size();
  return N;
}

/// CPU time of this process: on a shared machine it moves less than wall
/// time when other processes compete for the cores.
inline double cpuSeconds() {
  timespec T;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &T);
  return double(T.tv_sec) + 1e-9 * double(T.tv_nsec);
}

inline double seconds(std::chrono::steady_clock::time_point A,
                      std::chrono::steady_clock::time_point B) {
  return std::chrono::duration<double>(B - A).count();
}

} // namespace neuromesh::bench
