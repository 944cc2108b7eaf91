//===- ReferenceSimulator.cpp - the network-level reference simulator -----===//
//
// Deliberately plain: per population an array of state words and a delay
// ring, per step a loop over neurons and a loop over the spikes' synapse
// rows. The neuron equations are transcribed from the comments in
// NeuronPrograms.h with int64 arithmetic (C++ division truncates toward
// zero, which is trunc0), not from the programs, and nothing here calls
// the microcode interpreter or the mapping code.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/ReferenceSimulator.h"

#include "neuromesh/compiler/NeuronPrograms.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/Microcode.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <map>

namespace neuromesh::compiler {

namespace {

constexpr int64_t Max24 = (int64_t(1) << 23) - 1;

int64_t clampTo(int64_t V, int64_t Lo, int64_t Hi) { return std::min(std::max(V, Lo), Hi); }
int64_t sat32(int64_t V) {
  return clampTo(V, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
}
int64_t sat24(int64_t V) { return clampTo(V, -Max24, Max24); }
/// V modulo 2^24 in (-2^23, 2^23].
int64_t wrap24(int64_t V) {
  int64_t R = V & 0xFFFFFF;
  return R > (int64_t(1) << 23) ? R - (int64_t(1) << 24) : R;
}
/// trunc0(X * F / 4096).
int64_t decay(int64_t X, int64_t F) { return X * F / 4096; }
int64_t sgn(int64_t V) { return (V > 0) - (V < 0); }

uint64_t poissonThreshold(double RateHz, double Dt) {
  double P = std::min(RateHz * Dt, 1.0);
  if (!(P > 0))
    return 0;
  return uint64_t(std::floor(P * 4294967296.0));
}

/// Indices a Regular or Poisson source fires in step T, ascending.
void generatedAt(const SpikeSource &S, uint64_t Threshold, uint64_t T, std::vector<uint32_t> &Out) {
  if (S.K == SpikeSource::Kind::Regular) {
    if (S.Period == 0 || T < S.Phase || (T - S.Phase) % S.Period != 0)
      return;
    for (uint32_t I = 0; I < S.Size; ++I)
      Out.push_back(I);
    return;
  }
  if (S.K != SpikeSource::Kind::Poisson || Threshold == 0)
    return;
  for (uint32_t I = 0; I < S.Size; ++I)
    if (isa::randomDraw(S.Seed, T, I, 0) < Threshold)
      Out.push_back(I);
}

enum class Equations { CubaLif, AdaptiveLif, If, Li, TrueNorth };

/// One population's run-time state.
struct PopState {
  const HwPopulation *Pop = nullptr;
  uint32_t Index = 0;
  Equations Eq = Equations::If;
  unsigned Words = 1;
  std::vector<int32_t> State;  ///< Words per neuron
  std::vector<uint32_t> Ring;  ///< D slots x Size, wrapping int32 sums
  std::vector<uint32_t> Fired; ///< this step, ascending
};

class Simulator {
public:
  Simulator(const HardwareNetwork &Net, uint64_t Steps, const std::vector<InputSpike> &Inputs)
      : Net(Net), Steps(Steps) {
    D = 1;
    for (const HwProjection &P : Net.Projections)
      for (uint8_t Delay : P.Synapses.Delay)
        D = std::max<uint64_t>(D, Delay);
    Pops.resize(Net.Populations.size());
    for (size_t I = 0; I < Pops.size(); ++I)
      initPopulation(Pops[I], Net.Populations[I], uint32_t(I));
    initSources(Inputs);
  }

  std::vector<PopulationSpike> run(std::vector<PopulationProbe> *Probes = nullptr) {
    std::vector<PopulationSpike> Out;
    std::vector<std::vector<uint32_t>> SrcFired(Net.Sources.size());
    for (uint64_t T = 0; T < Steps; ++T) {
      for (PopState &P : Pops)
        update(P, T);
      if (Probes)
        sample(T, *Probes);
      for (size_t S = 0; S < Net.Sources.size(); ++S)
        sourceSpikesAt(S, T, SrcFired[S]);
      for (size_t I = 0; I < Net.Projections.size(); ++I) {
        const HwProjection &P = Net.Projections[I];
        const std::vector<uint32_t> &Fired = P.PreIsSource ? SrcFired[P.Pre] : Pops[P.Pre].Fired;
        deliver(P, uint32_t(I), Fired, T);
      }
      for (const PopState &P : Pops)
        if (P.Pop->Record)
          for (uint32_t N : P.Fired)
            Out.push_back({T, P.Pop->Name, N});
    }
    return Out;
  }

private:
  /// The probed state words of every population as this step's update left
  /// them.
  void sample(uint64_t T, std::vector<PopulationProbe> &Probes) const {
    for (const PopState &P : Pops)
      for (uint32_t N = 0; N < P.Pop->Size; ++N)
        for (const isa::Probe &Pr : P.Pop->Probes) {
          assert(Pr.StateWord < P.Words && "lowering resolved the probe");
          Probes.push_back(
              {T, P.Pop->Name, N, Pr.Variable, P.State[uint64_t(N) * P.Words + Pr.StateWord]});
        }
  }

  const HardwareNetwork &Net;
  uint64_t Steps;
  uint64_t D = 1; ///< ring slots: the longest delay
  std::vector<PopState> Pops;
  /// Per source: List spikes and host inputs, each sorted, with read cursors.
  std::vector<std::vector<std::pair<uint64_t, uint32_t>>> Listed, Host;
  std::vector<size_t> ListedNext, HostNext;
  std::vector<uint64_t> Threshold;

  [[noreturn]] void fail(const HwPopulation &P, const std::string &Message) const {
    throw Error(fmt::format("population '{}': error: {}", P.Name, Message));
  }

  void initPopulation(PopState &S, const HwPopulation &P, uint32_t Index) {
    S.Pop = &P;
    S.Index = Index;
    size_t NumParams = 0;
    if (P.Model == "loihi_cuba_lif" || P.Model == "lif") {
      S.Eq = Equations::CubaLif;
      S.Words = loihi_cuba_lif::NumStateWords;
      NumParams = loihi_cuba_lif::NumParams;
    } else if (P.Model == "adaptive_lif") {
      S.Eq = Equations::AdaptiveLif;
      S.Words = adaptive_lif::NumStateWords;
      NumParams = adaptive_lif::NumParams;
    } else if (P.Model == "if") {
      S.Eq = Equations::If;
      S.Words = if_neuron::NumStateWords;
      NumParams = if_neuron::NumParams;
    } else if (P.Model == "li") {
      S.Eq = Equations::Li;
      S.Words = li::NumStateWords;
      NumParams = li::NumParams;
    } else if (P.Model == "truenorth") {
      S.Eq = Equations::TrueNorth;
      S.Words = truenorth::NumStateWords;
      NumParams = truenorth::NumParams;
    } else {
      fail(P, fmt::format("the reference simulator has no equations for model '{}'", P.Model));
    }
    if (P.StateWords < S.Words)
      fail(P,
           fmt::format("{} state words, but model '{}' keeps {}", P.StateWords, P.Model, S.Words));
    if (P.Profiles.empty())
      fail(P, "has no profile");
    for (const isa::NeuronProfile &Pr : P.Profiles)
      if (Pr.Params.size() < NumParams)
        fail(P, fmt::format("a profile has {} parameters; model '{}' reads {}", Pr.Params.size(),
                            P.Model, NumParams));
    if (!P.ProfileOf.empty() && P.ProfileOf.size() != P.Size)
      fail(P, "ProfileOf must be empty or hold one profile per neuron");
    for (uint16_t K : P.ProfileOf)
      if (K >= P.Profiles.size())
        fail(P, fmt::format("a neuron uses profile {}, but there are {}", K, P.Profiles.size()));
    // The state words this simulator keeps are the first S.Words of each
    // neuron's StateWords (the rest are unused by these models).
    S.State.assign(uint64_t(P.Size) * S.Words, 0);
    const std::vector<int32_t> &Init = P.InitialState;
    bool Shared = Init.size() == P.StateWords;
    bool PerNeuron = Init.size() == uint64_t(P.Size) * P.StateWords;
    if (!Init.empty() && !Shared && !PerNeuron)
      fail(P, fmt::format("InitialState has {} words; give StateWords ({}) for all neurons or "
                          "StateWords x Size ({})",
                          Init.size(), P.StateWords, uint64_t(P.Size) * P.StateWords));
    if (!Init.empty())
      for (uint64_t N = 0; N < P.Size; ++N)
        for (unsigned W = 0; W < S.Words; ++W)
          S.State[N * S.Words + W] = Init[(Shared ? 0 : N * P.StateWords) + W];
    S.Ring.assign(D * P.Size, 0);
  }

  void initSources(const std::vector<InputSpike> &Inputs) {
    size_t NS = Net.Sources.size();
    Listed.assign(NS, {});
    Host.assign(NS, {});
    ListedNext.assign(NS, 0);
    HostNext.assign(NS, 0);
    Threshold.assign(NS, 0);
    std::map<std::string, size_t> ByName;
    for (size_t S = 0; S < NS; ++S) {
      const SpikeSource &Src = Net.Sources[S];
      ByName.emplace(Src.Name, S);
      if (Src.K == SpikeSource::Kind::List)
        Listed[S] = sourceSpikes(Src, Net.Dt, Steps);
      if (Src.K == SpikeSource::Kind::Poisson)
        Threshold[S] = poissonThreshold(Src.RateHz, Net.Dt);
    }
    std::vector<std::vector<std::pair<uint64_t, uint32_t>>> FromHost(NS);
    for (const InputSpike &In : Inputs) {
      auto It = ByName.find(In.Source);
      if (It == ByName.end()) {
        std::string Known;
        for (const SpikeSource &Src : Net.Sources)
          Known += (Known.empty() ? "" : ", ") + Src.Name;
        throw Error(fmt::format("input spike at step {}: error: '{}' names no source of the "
                                "network; its sources are: {}",
                                In.Step, In.Source, Known.empty() ? "(none)" : Known));
      }
      const SpikeSource &Src = Net.Sources[It->second];
      if (In.Index >= Src.Size)
        throw Error(fmt::format("input spike at step {}: error: index {} is out of range for "
                                "source '{}' of {} neurons",
                                In.Step, In.Index, Src.Name, Src.Size));
      FromHost[It->second].emplace_back(In.Step, In.Index);
    }
    for (size_t S = 0; S < NS; ++S) {
      std::vector<std::pair<uint64_t, uint32_t>> &H = FromHost[S];
      std::sort(H.begin(), H.end());
      auto Dup = std::adjacent_find(H.begin(), H.end());
      if (Dup != H.end())
        throw Error(fmt::format("input spike at step {}: error: index {} of source '{}' is "
                                "given twice; a source neuron fires at most once per step",
                                Dup->first, Dup->second, Net.Sources[S].Name));
      Host[S] = std::move(H);
    }
  }

  /// The spikes of source S in step T: the generated ones (List, Regular,
  /// Poisson), then the host's. An index both generated and given by the
  /// host is delivered twice, as an image's generator adds to host spikes.
  void sourceSpikesAt(size_t S, uint64_t T, std::vector<uint32_t> &Out) {
    Out.clear();
    auto Take = [&](const std::vector<std::pair<uint64_t, uint32_t>> &G, size_t &Next) {
      while (Next < G.size() && G[Next].first < T)
        ++Next;
      for (; Next < G.size() && G[Next].first == T; ++Next)
        Out.push_back(G[Next].second);
    };
    Take(Listed[S], ListedNext[S]);
    generatedAt(Net.Sources[S], Threshold[S], T, Out);
    Take(Host[S], HostNext[S]);
  }

  void update(PopState &S, uint64_t T) {
    const HwPopulation &P = *S.Pop;
    S.Fired.clear();
    uint64_t Slot = (T % D) * P.Size;
    for (uint32_t N = 0; N < P.Size; ++N) {
      int64_t Input = int32_t(S.Ring[Slot + N]);
      S.Ring[Slot + N] = 0;
      const std::vector<int32_t> &Par = P.Profiles[P.ProfileOf.empty() ? 0 : P.ProfileOf[N]].Params;
      int32_t *St = &S.State[uint64_t(N) * S.Words];
      bool Spike = false;
      switch (S.Eq) {
      case Equations::CubaLif:
        Spike = cubaLif(Par, St, Input);
        break;
      case Equations::AdaptiveLif:
        Spike = adaptiveLif(Par, St, Input);
        break;
      case Equations::If:
        Spike = integrateAndFire(Par, St, Input);
        break;
      case Equations::Li:
        leakyIntegrator(Par, St, Input);
        break;
      case Equations::TrueNorth:
        Spike = trueNorth(Par, St, Input, S.Index, T, N);
        break;
      }
      if (Spike)
        S.Fired.push_back(N);
    }
  }

  // u = wrap24(trunc0(u * (4096 - du) / 4096) + Input); while refractory
  // the counter counts down and v is held; else
  // v = sat24(trunc0(v * (4096 - dv) / 4096) + u + bias), spike if
  // v > threshold, then v = 0 (the subtract variant: v -= threshold) and
  // the counter = refractory.
  static bool cubaLif(const std::vector<int32_t> &Par, int32_t *St, int64_t Input) {
    namespace L = loihi_cuba_lif;
    int64_t U = wrap24(decay(St[L::StateU], Par[L::ParamDecayU]) + Input);
    St[L::StateU] = int32_t(U);
    if (St[L::StateRefractory] > 0) {
      St[L::StateRefractory] -= 1;
      return false;
    }
    int64_t V = sat24(decay(St[L::StateV], Par[L::ParamDecayV]) + U + Par[L::ParamBias]);
    bool Spike = V > Par[L::ParamThreshold];
    if (Spike) {
      bool Subtract = Par.size() > L::ParamResetMode && Par[L::ParamResetMode] != 0;
      V = Subtract ? V - Par[L::ParamThreshold] : 0;
      St[L::StateRefractory] = Par[L::ParamRefractory];
    }
    St[L::StateV] = int32_t(V);
    return Spike;
  }

  // As cubaLif, with theta = trunc0(theta * (4096 - dth) / 4096) every
  // step (refractory ones too) before the test v > threshold + theta; a
  // spike also sets theta = sat24(theta + th_step).
  static bool adaptiveLif(const std::vector<int32_t> &Par, int32_t *St, int64_t Input) {
    namespace L = adaptive_lif;
    int64_t U = wrap24(decay(St[L::StateU], Par[L::ParamDecayU]) + Input);
    St[L::StateU] = int32_t(U);
    int64_t Theta = decay(St[L::StateTheta], Par[L::ParamDecayTheta]);
    St[L::StateTheta] = int32_t(Theta);
    if (St[L::StateRefractory] > 0) {
      St[L::StateRefractory] -= 1;
      return false;
    }
    int64_t V = sat24(decay(St[L::StateV], Par[L::ParamDecayV]) + U + Par[L::ParamBias]);
    bool Spike = V > int64_t(Par[L::ParamThreshold]) + Theta;
    if (Spike) {
      V = 0;
      St[L::StateRefractory] = Par[L::ParamRefractory];
      St[L::StateTheta] = int32_t(sat24(Theta + Par[L::ParamThetaStep]));
    }
    St[L::StateV] = int32_t(V);
    return Spike;
  }

  // v = sat32(sat32(v + Input) + bias); spike if v >= threshold, then
  // v = reset value (mode 0) or sat32(v - threshold) (mode 1).
  static bool integrateAndFire(const std::vector<int32_t> &Par, int32_t *St, int64_t Input) {
    namespace L = if_neuron;
    int64_t V = sat32(sat32(St[L::StateV] + Input) + Par[L::ParamBias]);
    bool Spike = V >= Par[L::ParamThreshold];
    if (Spike)
      V = Par[L::ParamResetMode] != 0 ? sat32(V - Par[L::ParamThreshold]) : Par[L::ParamResetValue];
    St[L::StateV] = int32_t(V);
    return Spike;
  }

  // v = sat24(trunc0(v * (4096 - dv) / 4096) + Input); never spikes.
  static void leakyIntegrator(const std::vector<int32_t> &Par, int32_t *St, int64_t Input) {
    St[li::StateV] = int32_t(sat24(decay(St[li::StateV], Par[li::ParamDecayV]) + Input));
  }

  // Cassidy 2013 as NeuronPrograms.h writes it; the two 8-bit draws are
  // keyed by (population index, step, neuron index) here, so they differ
  // from an image's (per core) draws.
  static bool trueNorth(const std::vector<int32_t> &Par, int32_t *St, int64_t Input, uint32_t Pop,
                        uint64_t T, uint32_t N) {
    namespace L = truenorth;
    const int64_t VMax = L::VMax;
    int64_t Rho1 = isa::randomDraw(Pop, T, N, L::LeakDrawCounter) & 0xff;
    int64_t Rho2 = isa::randomDraw(Pop, T, N, L::MaskDrawCounter) & 0xff;
    int64_t V = clampTo(St[L::StateV] + Input, -VMax, VMax);
    int64_t Lambda = Par[L::ParamLambda];
    int64_t Leak = Par[L::ParamC] ? sgn(Lambda) * (std::abs(Lambda) >= Rho1 ? 1 : 0) : Lambda;
    if (Par[L::ParamEps])
      Leak *= sgn(V);
    V = clampTo(V + Leak, -VMax, VMax);
    int64_t Eta = Rho2 & Par[L::ParamM];
    int64_t Alpha = Par[L::ParamAlpha], Beta = Par[L::ParamBeta], Gamma = Par[L::ParamGamma];
    bool Spike = V >= Alpha + Eta;
    if (Spike) {
      if (Gamma == 0)
        V = Par[L::ParamR];
      else if (Gamma == 1)
        V -= Alpha + Eta;
    } else if (Par[L::ParamKappa]) {
      V = std::max(V, -Beta);
    } else if (V < -(Beta + Eta)) {
      if (Gamma == 0)
        V = -int64_t(Par[L::ParamR]);
      else if (Gamma == 1)
        V += Beta + Eta;
    }
    St[L::StateV] = int32_t(V);
    return Spike;
  }

  void deliver(const HwProjection &P, uint32_t ProjIndex, const std::vector<uint32_t> &Fired,
               uint64_t T) {
    if (Fired.empty())
      return;
    PopState &Post = Pops[P.Post];
    const SynapseTable &Tab = P.Synapses;
    const uint64_t Size = Post.Pop->Size;
    const bool Crossbar = Post.Pop->UsesCrossbar;
    int64_t ColumnWeight = 0;
    bool Stochastic = false;
    if (Crossbar) {
      if (P.AxonType < 0 || P.AxonType >= int32_t(isa::NumAxonTypes))
        throw Error(fmt::format("projection '{}': error: axon type {} onto crossbar population "
                                "'{}'; it must be 0..3",
                                P.Name, P.AxonType, Post.Pop->Name));
      ColumnWeight = Post.Pop->Column.Weight[P.AxonType];
      Stochastic = Post.Pop->Column.Stochastic[P.AxonType];
    }
    const int64_t Scale = int64_t(1) << P.Shift;
    for (uint32_t I : Fired) {
      for (uint64_t K = Tab.RowStart[I]; K < Tab.RowStart[I + 1]; ++K) {
        uint32_t J = Tab.Post[K];
        int64_t W = Tab.Weight[K];
        if (Crossbar) {
          W = ColumnWeight;
          if (Stochastic) {
            uint64_t Stream = (uint64_t(1) << 63) | (uint64_t(I) << 20) | J;
            int64_t Rho = isa::randomDraw(ProjIndex, T, Stream, 0) & 0xff;
            W = sgn(W) * (std::abs(W) >= Rho ? 1 : 0);
          }
        }
        uint32_t Contribution = uint32_t(uint64_t(W * Scale)); // int64, then wrapped to 32 bits
        uint64_t Slot = (T + Tab.Delay[K]) % D;
        Post.Ring[Slot * Size + J] += Contribution;
      }
    }
  }
};

} // namespace

std::vector<std::pair<uint64_t, uint32_t>> sourceSpikes(const SpikeSource &S, double Dt,
                                                        uint64_t Steps) {
  std::vector<std::pair<uint64_t, uint32_t>> Out;
  if (S.K == SpikeSource::Kind::List) {
    for (const auto &Spike : S.Spikes)
      if (Spike.first < Steps)
        Out.push_back(Spike);
    std::sort(Out.begin(), Out.end());
    Out.erase(std::unique(Out.begin(), Out.end()), Out.end());
    return Out;
  }
  if (S.K == SpikeSource::Kind::External)
    return Out;
  uint64_t Threshold = poissonThreshold(S.RateHz, Dt);
  std::vector<uint32_t> At;
  for (uint64_t T = 0; T < Steps; ++T) {
    At.clear();
    generatedAt(S, Threshold, T, At);
    for (uint32_t I : At)
      Out.emplace_back(T, I);
  }
  return Out;
}

std::vector<PopulationSpike> simulateReference(const HardwareNetwork &Net, uint64_t Steps,
                                               const std::vector<InputSpike> &Inputs) {
  return Simulator(Net, Steps, Inputs).run();
}

std::vector<PopulationSpike> simulateReference(const HardwareNetwork &Net, uint64_t Steps,
                                               const std::vector<InputSpike> &Inputs,
                                               std::vector<PopulationProbe> &Probes) {
  return Simulator(Net, Steps, Inputs).run(&Probes);
}

} // namespace neuromesh::compiler
