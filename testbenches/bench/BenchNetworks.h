//===- BenchNetworks.h - networks the benchmarks share ---------*- C++ -*-===//
//
// The seeded networks behind the benchmarks, defined once:
//   makeBalancedNetwork: a random recurrent network of Loihi CUBA LIF
//     neurons built directly as an isa::Image (bench_functional, and
//     networks (a) and (c) of bench_suite);
//   trueNorthScaleNetwork: 4,096 populations of 256 TrueNorth neurons
//     wired core to core through crossbars, through the C++ network API
//     (bench_compile, and network (b) of bench_suite);
//   PoissonInput: Poisson-like host input spikes, the same on every host.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/Network.h"
#include "neuromesh/compiler/NeuronPrograms.h"
#include "neuromesh/isa/Image.h"
#include "neuromesh/isa/SplitMix64.h"

#include <fmt/format.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace neuromesh::bench {

/// SplitMix64: a fixed generator, so a network is the same on every host.
class Rng : public isa::SplitMix64 {
public:
  using SplitMix64::SplitMix64;
  /// Uniform in [0, N).
  uint32_t below(uint32_t N) { return uint32_t((next() >> 32) * N >> 32); }

};

/// The random balanced network: Cores cores of NeuronsPerCore neurons;
/// each core has RecurrentAxons input axons, each driven by one random
/// neuron of the network, plus InputAxons axons for host input (input port
/// "in", one index per axon); every axon carries SynapsesPerAxon synapses,
/// 70% as a sparse list with delays 1..4, 30% as a dense run with one
/// delay. The last 20% of each core's neurons inhibit (weights -4x), so the
/// recurrent drive is roughly balanced. Populations "exc" and "inh" are
/// recorded.
struct BalancedNetworkOptions {
  uint32_t Cores = 100;
  uint32_t NeuronsPerCore = 1024;
  uint32_t RecurrentAxons = 4096; ///< per core
  uint32_t InputAxons = 256;      ///< per core, driven by the host
  uint32_t SynapsesPerAxon = 25;
  uint64_t Seed = 1;
  int32_t Threshold = 150; ///< threshold, in units of a weight of 1
  int32_t Refractory = 5;  ///< CUBA LIF: steps after a spike; bounds the rate
  bool Cuba = true;        ///< Loihi CUBA LIF, else single-state LIF
  /// CUBA LIF decays: tau_u = 4, tau_v = 8 steps.
  int32_t Du = 1024, Dv = 512;
  /// Every weight is w << Shift (Loihi-style mantissa << 6).
  uint8_t Shift = 6;
  /// Placement: tiles per chip in x and y (0 = as many rows as needed, one
  /// chip) and cores per tile; cores fill a tile, then a row, then a chip.
  uint16_t MeshWidth = 16, MeshHeight = 0;
  uint8_t CoresPerTile = 4;
};

namespace detail {

/// Excitatory sources add, inhibitory ones subtract more, so the recurrent
/// drive is roughly balanced and the rate stays moderate.
inline int16_t balancedWeight(Rng &R, bool Inhibitory) {
  int16_t W = int16_t(8 + R.below(24));
  return Inhibitory ? int16_t(-4 * W) : W;
}

inline isa::SynapseSegment balancedSegment(Rng &R, const BalancedNetworkOptions &O,
                                           bool Inhibitory) {
  isa::SynapseSegment S;
  S.Shift = O.Shift;
  if (R.below(10) < 7) {
    S.Kind = isa::SegmentKind::Sparse;
    for (uint32_t I = 0; I < O.SynapsesPerAxon; ++I)
      S.Sparse.push_back({uint16_t(R.below(O.NeuronsPerCore)), balancedWeight(R, Inhibitory),
                          uint8_t(1 + R.below(4))});
    return S;
  }
  S.Kind = isa::SegmentKind::Dense;
  S.Delay = uint8_t(1 + R.below(4));
  S.FirstNeuron = uint16_t(R.below(O.NeuronsPerCore - O.SynapsesPerAxon + 1));
  for (uint32_t I = 0; I < O.SynapsesPerAxon; ++I)
    S.Weights.push_back(balancedWeight(R, Inhibitory));
  return S;
}

} // namespace detail

/// Builds the balanced network as a chip image (see BalancedNetworkOptions).
inline isa::Image makeBalancedNetwork(const BalancedNetworkOptions &O) {
  namespace cc = compiler;
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
    // The refractory period caps the rate at 1 / (1 + refractory), which
    // keeps the recurrent activity moderate instead of bistable.
    cc::LoihiCubaLifParams Lif;
    Lif.Du = O.Du;
    Lif.Dv = O.Dv;
    Lif.VthMant = O.Threshold; // Loihi scales it by 2^6, as the weights
    Lif.Refractory = O.Refractory;
    Profile = cc::loihiCubaLifProfile(Lif);
    StateWords = cc::loihi_cuba_lif::NumStateWords;
  } else {
    cc::LifParams Lif;
    Lif.Dv = O.Dv;
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
  // segment's sign follows the source.
  const uint32_t FirstInhibitory = O.NeuronsPerCore * 8 / 10;
  for (uint32_t C = 0; C < O.Cores; ++C)
    for (uint32_t A = 0; A < O.RecurrentAxons; ++A) {
      uint32_t SrcCore = R.below(O.Cores), SrcNeuron = R.below(O.NeuronsPerCore);
      Img.Cores[SrcCore].Outputs[SrcNeuron].push_back({0, uint16_t(C), uint16_t(A)});
      Img.Cores[C].Axons[A] = {detail::balancedSegment(R, O, SrcNeuron >= FirstInhibitory)};
    }
  isa::Symbol In;
  In.Kind = isa::SymbolKind::InputPort;
  In.Name = "in";
  for (uint32_t C = 0; C < O.Cores; ++C)
    for (uint32_t A = 0; A < O.InputAxons; ++A) {
      uint16_t Axon = uint16_t(O.RecurrentAxons + A);
      Img.Cores[C].Axons[Axon] = {detail::balancedSegment(R, O, false)};
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

/// Synapses of an image (sparse entries, dense weights, connected crossbar
/// bits): the synaptic events a spike on every axon once would cause.
inline uint64_t countSynapses(const isa::Image &Img) {
  uint64_t N = 0;
  for (const isa::Core &C : Img.Cores)
    for (const auto &Axon : C.Axons)
      for (const isa::SynapseSegment &S : Axon) {
        N += S.Sparse.size() + S.Weights.size();
        for (bool B : S.Connected)
          N += B;
      }
  return N;
}

/// Host input spikes: every step each index of a port fires with
/// probability Rate, from a fixed generator.
class PoissonInput {
public:
  PoissonInput(uint64_t Seed, uint32_t Size, double Rate)
      : R(Seed), Size(Size), Threshold(uint32_t(Rate * 4294967296.0)) {}
  /// Queues one step's spikes on input port Port of engine E.
  template <typename EngineT> void inject(EngineT &E, uint32_t Port) {
    for (uint32_t I = 0; I < Size; ++I)
      if (uint32_t(R.next() >> 32) < Threshold)
        E.injectInput(Port, I);
  }

private:
  Rng R;
  uint32_t Size;
  uint32_t Threshold;
};

/// A TrueNorth-scale network: Cores populations of 256 neurons of Model
/// (one per core of the 64 x 64 mesh at 4,096), each fed by the 256 neurons
/// of one other population through a binary crossbar with connection
/// probability 0.5 (about 128 active synapses per neuron, as in Merolla
/// 2014's benchmark network). Population c feeds population
/// (c * 1021 + 7) mod Cores, a fixed pseudo-random pairing so traffic
/// crosses the mesh, with axon type c mod 4.
inline compiler::Network trueNorthScaleNetwork(uint32_t Cores, const compiler::NeuronModel &Model) {
  compiler::Network Net;
  Net.Name = "truenorth_scale";
  for (uint32_t C = 0; C < Cores; ++C)
    Net.addPopulation(fmt::format("core{}", C), 256, Model);
  for (uint32_t C = 0; C < Cores; ++C) {
    compiler::Projection &P = Net.addProjection(
        fmt::format("core{}", C), fmt::format("core{}", (uint64_t(C) * 1021 + 7) % Cores),
        compiler::Connector::fixedProbability(0.5, C + 1));
    P.AxonType = int32_t(C % 4);
  }
  return Net;
}

/// CPU time of this process: on a shared machine it moves less than wall
/// time when other processes compete for the cores.
inline double cpuSeconds() {
  timespec T;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &T);
  return double(T.tv_sec) + 1e-9 * double(T.tv_nsec);
}

/// Peak resident memory of this process so far, MiB (getrusage's max RSS).
inline double peakRssMiB() {
  struct rusage Usage;
  getrusage(RUSAGE_SELF, &Usage);
  return double(Usage.ru_maxrss) / 1024.0;
}

} // namespace neuromesh::bench
