//===- RandomNetwork.h - generated networks for differential tests -*- C++ -*-===//
//
// makeRandomNetwork(seed, options) builds a valid random network: random
// sizes and shapes, every connector kind (all_to_all, one_to_one,
// fixed_probability, fixed_fan_in, list, matrix, conv2d, pool2d), uniform
// and constant weights and delays, recurrent projections (with and without
// self-connections), sources of every kind (external, list, poisson,
// regular), and the deterministic models IF, LIF (physical units), Loihi
// CUBA LIF and the adaptive-threshold LIF with parameters and weights tuned
// so that most populations spike. The same seed gives the same network on
// every platform (all choices come from isa::randomDraw).
//
// The options bound sizes and fan-in so that the networks fit the chosen
// architecture; the presets are sized for examples/arch/tiny.yaml (16
// neurons, 32 input axons and fan-out 8 per core, 8 cores per chip, 2
// chips): small() fits a few cores, spanning() needs more than one chip.
// randomInputs() makes host spikes for the external sources.
//
// Used by the differential test (reference simulator vs the compiled image
// on the functional engine).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/compiler/Network.h"
#include "neuromesh/compiler/ReferenceSimulator.h"
#include "neuromesh/isa/Microcode.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace neuromesh::testing {

/// Bounds of a generated network.
struct RandomNetworkOptions {
  uint32_t MinPopulations = 1, MaxPopulations = 4;
  uint32_t MinPopulationSize = 1, MaxPopulationSize = 12;
  /// Populations are added until the total reaches MinTotalNeurons (and
  /// MinPopulations) without passing MaxTotalNeurons.
  uint32_t MinTotalNeurons = 0, MaxTotalNeurons = 48;
  uint32_t MinSources = 1, MaxSources = 2, MaxSourceSize = 8;
  /// Expected synapses onto one post neuron from one projection (the
  /// kernel-based connectors are bounded by their kernel instead).
  uint32_t MaxFanIn = 4;
  /// Projections beyond the one that feeds each population.
  uint32_t MaxExtraProjections = 3;
  double RecurrentProbability = 0.5; ///< chance of at least one recurrent projection
  uint32_t MaxDelay = 8;             ///< <= the architecture's delay slots
  uint64_t Steps = 100;              ///< horizon of list sources' spikes
  /// Loihi CUBA LIF weights are at most this many Loihi units (tiny: shift
  /// <= 6, i.e. weight_exp <= 0, and 8-bit mantissas: 127).
  double MaxLoihiWeight = 127;
  std::vector<std::string> Models = {"if", "lif", "loihi_cuba_lif", "adaptive_lif"};

  /// A few cores of tiny.yaml.
  static RandomNetworkOptions small() { return {}; }
  /// More neurons than one chip of tiny.yaml holds (8 cores x 16 = 128),
  /// with sparse, mostly local connectivity so the axon and fan-out limits
  /// of its cores can be met.
  static RandomNetworkOptions spanning() {
    RandomNetworkOptions O;
    O.MinPopulations = 5;
    O.MaxPopulations = 12;
    O.MinPopulationSize = 8;
    O.MaxPopulationSize = 32;
    O.MinTotalNeurons = 140;
    O.MaxTotalNeurons = 200;
    O.MaxSourceSize = 16;
    O.MaxFanIn = 2;
    O.MaxExtraProjections = 2;
    return O;
  }
};

namespace detail {

/// Platform-independent dice: draw N of a stream keyed by the seed.
class Dice {
public:
  explicit Dice(uint64_t Seed) : Seed(Seed) {}
  uint32_t draw() { return isa::randomDraw(Seed, Counter++, 0x5eed, 0xd1ce); }
  /// Uniform integer in [Lo, Hi].
  uint32_t range(uint32_t Lo, uint32_t Hi) {
    return Lo + uint32_t((uint64_t(draw()) * (uint64_t(Hi) - Lo + 1)) >> 32);
  }
  double uniform(double Lo, double Hi) { return Lo + (Hi - Lo) * (draw() / 4294967296.0); }
  bool chance(double P) { return draw() < P * 4294967296.0; }
  uint64_t seed() { return (uint64_t(draw()) << 32) | draw(); }
  template <typename T> const T &pick(const std::vector<T> &V) {
    return V[range(0, uint32_t(V.size() - 1))];
  }

private:
  uint64_t Seed;
  uint64_t Counter = 0;
};

/// What a projection onto a population should add per spike.
struct WeightScale {
  double Unit = 1;     ///< a weight whose spike alone brings the neuron about to threshold
  bool Integer = true; ///< if-model weights are whole numbers
  double Max = 1e9;    ///< largest magnitude allowed
};

class Generator {
public:
  Generator(uint64_t Seed, const RandomNetworkOptions &O) : D(Seed), O(O), Seed(Seed) {}

  compiler::Network run() {
    Net.Name = "random" + std::to_string(Seed);
    Net.Dt = 1e-3;
    makeSources();
    makePopulations();
    makeExtraProjections();
    return std::move(Net);
  }

private:
  Dice D;
  RandomNetworkOptions O;
  uint64_t Seed;
  compiler::Network Net;
  std::vector<WeightScale> Scales; ///< per population

  struct Pre {
    std::string Name;
    uint32_t Size;
    std::vector<uint32_t> Shape;
  };

  std::vector<Pre> spikingPres() const {
    std::vector<Pre> Out;
    for (const compiler::SpikeSource &S : Net.Sources)
      Out.push_back({S.Name, S.Size, S.Shape});
    for (const compiler::Population &P : Net.Populations)
      Out.push_back({P.Name, P.Size, P.Shape});
    return Out;
  }

  /// A (1, h, w) shape of about Size neurons, at least Lo and at most Hi.
  std::vector<uint32_t> flatShape(uint32_t Lo, uint32_t Hi) {
    uint32_t H = D.range(1, std::min<uint32_t>(4, Hi));
    uint32_t WLo = std::max<uint32_t>(1, (Lo + H - 1) / H), WHi = std::max(WLo, Hi / H);
    uint32_t W = D.range(WLo, WHi);
    if (H * W > Hi) // no multiple of H fits between Lo and Hi
      return {1, 1, D.range(Lo, Hi)};
    return {1, H, W};
  }

  void makeSources() {
    using K = compiler::SpikeSource::Kind;
    const K Kinds[] = {K::External, K::List, K::Poisson, K::Regular};
    uint32_t N = D.range(O.MinSources, O.MaxSources);
    uint32_t First = uint32_t(Seed % 4); // over a corpus every kind comes first
    for (uint32_t I = 0; I < N; ++I) {
      std::vector<uint32_t> Shape = flatShape(2, O.MaxSourceSize);
      uint32_t Size = Shape[0] * Shape[1] * Shape[2];
      compiler::SpikeSource S;
      switch (Kinds[(First + I) % 4]) {
      case K::External:
        S = compiler::SpikeSource::external();
        break;
      case K::List: {
        std::set<std::pair<uint64_t, uint32_t>> Spikes;
        uint32_t Count = D.range(Size, Size * uint32_t(O.Steps) / 8 + Size);
        for (uint32_t C = 0; C < Count; ++C)
          Spikes.emplace(D.range(0, uint32_t(O.Steps - 1)), D.range(0, Size - 1));
        S = compiler::SpikeSource::list({Spikes.begin(), Spikes.end()});
        break;
      }
      case K::Poisson:
        S = compiler::SpikeSource::poisson(D.uniform(20, 150), D.seed());
        break;
      case K::Regular: {
        uint32_t Period = D.range(2, 10);
        S = compiler::SpikeSource::regular(Period, D.range(0, Period - 1));
        break;
      }
      }
      compiler::SpikeSource &Added = Net.addSource("src" + std::to_string(I), Size, S);
      Added.Shape = Shape;
    }
  }

  compiler::NeuronModel makeModel(WeightScale &Scale) {
    const std::string &Kind = D.pick(O.Models);
    if (Kind == "if") {
      double Threshold = D.range(3, 10);
      Scale = {Threshold, true, 1e9};
      return compiler::NeuronModel("if", {{"threshold", Threshold},
                                          {"bias", D.chance(0.3) ? 1.0 : 0.0},
                                          {"reset", double(D.range(0, 1))},
                                          {"reset_value", -double(D.range(0, 2))}});
    }
    if (Kind == "lif") {
      double TauSyn = D.chance(0.5) ? 0 : D.uniform(2e-3, 8e-3);
      // With a synaptic time constant a spike's charge is about w * (1 + tau_syn/dt).
      Scale = {1.0 / (1 + TauSyn / Net.Dt), false, 1e9};
      return compiler::NeuronModel("lif", {{"tau_m", D.uniform(5e-3, 30e-3)},
                                           {"tau_syn", TauSyn},
                                           {"v_th", 1.0},
                                           {"bias", D.chance(0.3) ? D.uniform(0.02, 0.08) : 0.0},
                                           {"refractory", double(D.range(0, 3)) * 1e-3}});
    }
    double VthMant = D.range(5, 40), Du = D.range(500, 4095), Dv = D.range(100, 1000);
    // A spike adds w * 64 to u, which feeds v for about 4096/du steps while
    // v leaks by dv/4096 a step: the charge reaching v is about
    // w * 64 * 4096 / (du + dv).
    Scale = {std::max(1.0, VthMant * (Du + Dv) / 4096), false, O.MaxLoihiWeight};
    compiler::NeuronModel M("loihi_cuba_lif",
                            {{"du", Du},
                             {"dv", Dv},
                             {"vth_mant", VthMant},
                             {"bias_mant", D.chance(0.3) ? double(D.range(1, 40)) : 0.0},
                             {"bias_exp", double(D.range(0, 3))},
                             {"refractory", double(D.range(0, 3))}});
    if (Kind != "adaptive_lif")
      return M;
    // Each spike raises the threshold by up to one threshold and theta
    // decays within tens of steps, so adaptation slows firing but rarely
    // silences a population.
    M.Kind = "adaptive_lif";
    M.Params["dth"] = D.range(100, 1500);
    M.Params["th_step"] = std::floor(VthMant * 64 * D.uniform(0.1, 1.0));
    return M;
  }

  /// A weight of about Factor units, within the model's range.
  double weight(const WeightScale &S, double Factor) {
    double W = std::clamp(S.Unit * Factor, -S.Max, S.Max);
    return S.Integer ? double(int64_t(W + (W < 0 ? -0.5 : 0.5))) : W;
  }

  compiler::WeightSpec weightSpec(const WeightScale &S, bool Inhibitory, double FanIn) {
    // Spread the drive over the fan-in, but keep single spikes strong: with
    // sparse inputs, coincidences are rare.
    double Sign = Inhibitory ? -1 : 1, Per = std::max(0.8, 2.5 / std::max(1.0, FanIn));
    if (D.chance(0.5))
      return compiler::WeightSpec::constant(weight(S, Sign * Per * D.uniform(0.6, 1.4)));
    double A = weight(S, Sign * Per * 0.3), B = weight(S, Sign * Per * 1.5);
    return compiler::WeightSpec::uniform(std::min(A, B), std::max(A, B), D.seed());
  }

  compiler::DelaySpec delaySpec() {
    if (D.chance(0.5))
      return compiler::DelaySpec::constant(D.range(1, O.MaxDelay));
    uint32_t Lo = D.range(1, O.MaxDelay);
    return compiler::DelaySpec::uniform(Lo, D.range(Lo, O.MaxDelay), D.seed());
  }

  /// A connector onto Post from Src of kind K that keeps fan-in bounded;
  /// FanIn receives the expected synapses per post neuron.
  compiler::Connector sparseConnector(const Pre &Src, uint32_t PostSize, int Kind,
                                      const WeightScale &Scale, bool Inhibitory, double &FanIn) {
    using compiler::Connector;
    uint32_t F = D.range(1, std::min(O.MaxFanIn, Src.Size));
    FanIn = F;
    switch (Kind % 5) {
    case 0:
      if (Src.Size <= 2 * O.MaxFanIn) {
        FanIn = Src.Size;
        return Connector::allToAll();
      }
      [[fallthrough]];
    case 1:
      return Connector::fixedProbability(std::min(1.0, double(F) / Src.Size), D.seed());
    case 2:
      return Connector::fixedFanIn(F, D.seed());
    case 3: {
      std::set<std::pair<uint32_t, uint32_t>> Pairs;
      uint64_t Count = uint64_t(PostSize) * F;
      for (uint64_t C = 0; C < Count; ++C)
        Pairs.emplace(D.range(0, Src.Size - 1), D.range(0, PostSize - 1));
      std::vector<compiler::ExplicitSynapse> Syn;
      for (auto [I, J] : Pairs)
        Syn.push_back({I, J, weight(Scale, (Inhibitory ? -1 : 1) * D.uniform(0.5, 1.5)),
                       D.range(1, O.MaxDelay)});
      return Connector::list(std::move(Syn));
    }
    default: {
      std::vector<double> M(uint64_t(Src.Size) * PostSize, 0.0);
      double P = std::min(1.0, double(F) / Src.Size);
      for (double &X : M)
        if (D.chance(P)) {
          X = weight(Scale, (Inhibitory ? -1 : 1) * D.uniform(0.5, 1.5));
          if (X == 0)
            X = Inhibitory ? -1 : 1;
        }
      return Connector::matrix(std::move(M));
    }
    }
  }

  uint32_t totalNeurons() const {
    uint32_t N = 0;
    for (const compiler::Population &P : Net.Populations)
      N += P.Size;
    return N;
  }

  void makePopulations() {
    uint32_t Target = D.range(O.MinPopulations, O.MaxPopulations);
    for (uint32_t I = 0;; ++I) {
      uint32_t Total = totalNeurons();
      bool Enough = I >= Target && Total >= O.MinTotalNeurons && I >= O.MinPopulations;
      if (Enough || I >= std::max(O.MaxPopulations, O.MinPopulations) + 8 ||
          Total + O.MinPopulationSize > O.MaxTotalNeurons)
        return;
      addPopulation(I, O.MaxTotalNeurons - Total);
    }
  }

  /// Adds population I fed by one projection from an earlier element; its
  /// size and shape follow the connector (kernel-based ones dictate them).
  void addPopulation(uint32_t I, uint32_t Room) {
    std::vector<Pre> Pres = spikingPres();
    const Pre Src = D.pick(Pres);
    std::string Name = "pop" + std::to_string(I);
    WeightScale Scale;
    compiler::NeuronModel Model = makeModel(Scale);
    uint32_t MaxSize = std::min(O.MaxPopulationSize, Room);
    int Kind = int((Seed * 7 + I * 3) % 8); // over a corpus every connector leads
    compiler::Connector C;
    std::vector<uint32_t> Shape;
    double FanIn = 1;
    bool OwnWeights = false;
    if (Kind == 6 || Kind == 7) { // conv2d, pool2d
      bool Conv = Kind == 6;
      uint32_t IC = Src.Shape[0], H = Src.Shape[1], W = Src.Shape[2];
      C.K = Conv ? compiler::Connector::Kind::Conv2d : compiler::Connector::Kind::Pool2d;
      C.PadH = D.range(0, 1);
      C.PadW = D.range(0, 1);
      C.KernelH = D.range(1, std::min<uint32_t>(3, H + 2 * C.PadH));
      C.KernelW = D.range(1, std::min<uint32_t>(3, W + 2 * C.PadW));
      if (C.KernelH == 1) // a 1-wide kernel over padding makes neurons without input
        C.PadH = 0;
      if (C.KernelW == 1)
        C.PadW = 0;
      C.StrideH = D.range(1, 2);
      C.StrideW = D.range(1, 2);
      uint32_t OC = Conv ? D.range(1, 2) : IC;
      Shape = {OC, (H + 2 * C.PadH - C.KernelH) / C.StrideH + 1,
               (W + 2 * C.PadW - C.KernelW) / C.StrideW + 1};
      uint32_t Size = Shape[0] * Shape[1] * Shape[2];
      FanIn = double((Conv ? IC : 1) * C.KernelH * C.KernelW);
      if (Size < O.MinPopulationSize || Size > MaxSize || FanIn > 4.0 * O.MaxFanIn + 1) {
        Kind = 2; // does not fit: fall back to a sparse connector
      } else if (Conv) {
        OwnWeights = true;
        for (uint64_t K = 0; K < uint64_t(OC) * IC * C.KernelH * C.KernelW; ++K)
          C.Kernel.push_back(D.chance(0.15)
                                 ? 0.0
                                 : weight(Scale, (D.chance(0.2) ? -1 : 1) * D.uniform(0.6, 1.4) *
                                                     std::max(0.8, 2.5 / FanIn)));
      }
    }
    if (Kind == 5 && !(Src.Size >= O.MinPopulationSize && Src.Size <= MaxSize))
      Kind = 2;
    if (Kind == 5) { // one_to_one
      C = compiler::Connector::oneToOne();
      Shape = Src.Shape;
    } else if (Kind < 5) {
      Shape = flatShape(O.MinPopulationSize, MaxSize);
      uint32_t Size = Shape[0] * Shape[1] * Shape[2];
      C = sparseConnector(Src, Size, Kind, Scale, false, FanIn);
      OwnWeights =
          C.K == compiler::Connector::Kind::List || C.K == compiler::Connector::Kind::Matrix;
    }
    uint32_t Size = Shape[0] * Shape[1] * Shape[2];
    compiler::Population &P = Net.addPopulation(Name, Size, Model);
    P.Shape = Shape;
    Scales.push_back(Scale);
    compiler::WeightSpec W =
        OwnWeights ? compiler::WeightSpec::constant(1) : weightSpec(Scale, false, FanIn);
    Net.addProjection(Src.Name, Name, C, W, delaySpec());
  }

  void makeExtraProjections() {
    if (Net.Populations.empty())
      return;
    uint32_t N = D.range(0, O.MaxExtraProjections);
    bool Recurrent = D.chance(O.RecurrentProbability);
    for (uint32_t I = 0; I < N + (Recurrent ? 1 : 0); ++I) {
      uint32_t PostIndex = D.range(0, uint32_t(Net.Populations.size() - 1));
      const compiler::Population &Post = Net.Populations[PostIndex];
      std::vector<Pre> Pres = spikingPres();
      Pre Src = I == N ? Pre{Post.Name, Post.Size, Post.Shape} : D.pick(Pres);
      std::string PostName = Post.Name;
      uint32_t PostSize = Post.Size;
      WeightScale Scale = Scales[PostIndex];
      bool Inhibitory = D.chance(0.4);
      double FanIn = 1;
      compiler::Connector C =
          Src.Size == PostSize && D.chance(0.2)
              ? compiler::Connector::oneToOne()
              : sparseConnector(Src, PostSize, int(D.range(0, 4)), Scale, Inhibitory, FanIn);
      if (Src.Name == PostName)
        C.AllowSelf = D.chance(0.5);
      if (Src.Name == PostName && C.K == compiler::Connector::Kind::FixedFanIn && !C.AllowSelf &&
          C.FanIn >= Src.Size)
        C.AllowSelf = true;
      compiler::WeightSpec W = weightSpec(Scale, Inhibitory, FanIn);
      Net.addProjection(Src.Name, PostName, C, W, delaySpec());
    }
  }
};

} // namespace detail

/// A valid random network, the same for the same seed and options
/// everywhere.
inline compiler::Network
makeRandomNetwork(uint64_t Seed,
                  const RandomNetworkOptions &Options = RandomNetworkOptions::small()) {
  return detail::Generator(Seed, Options).run();
}

/// Host spikes for the network's external sources over Steps steps: each
/// index fires with probability Rate per step, sorted by step, source order,
/// index.
inline std::vector<compiler::InputSpike> randomInputs(const compiler::Network &Net, uint64_t Seed,
                                                      uint64_t Steps, double Rate = 0.1) {
  std::vector<compiler::InputSpike> Out;
  uint64_t Threshold = uint64_t(Rate * 4294967296.0);
  for (uint64_t T = 0; T < Steps; ++T)
    for (size_t S = 0; S < Net.Sources.size(); ++S) {
      const compiler::SpikeSource &Src = Net.Sources[S];
      if (Src.K != compiler::SpikeSource::Kind::External)
        continue;
      for (uint32_t I = 0; I < Src.Size; ++I)
        if (isa::randomDraw(Seed, T, (uint64_t(S) << 32) | I, 0x1a9u) < Threshold)
          Out.push_back({T, Src.Name, I});
    }
  return Out;
}

} // namespace neuromesh::testing
