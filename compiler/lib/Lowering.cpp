//===- Lowering.cpp - models to profiles, weights to integers -------------===//
//
// lowerNetwork turns a validated network into a HardwareNetwork for one
// architecture:
//
// - every population gets its microcode profile (NeuronPrograms.h) and the
//   initial state (all zero), after checking that the architecture has the
//   synapse encoding and the state words the model needs;
// - every projection is expanded (Connectivity.h) and its weights quantised
//   to one shift per projection and signed mantissas of core.weight_bits
//   bits: a synapse adds mantissa << shift hardware units, and the shift is
//   the smallest in [core.weight_exponent_min, core.weight_exponent_max]
//   at which the largest weight still fits, so the mantissas keep as many
//   bits as the largest weight allows. Mantissas round half away from zero.
//
// Hardware units per written weight unit ("unit scale"): 1 for if and li
// (integers added to v), 2^6 for loihi_cuba_lif and adaptive_lif (Loihi's
// w * 2^(6 + exp): the shift is 6 + exp), and the population's scale factor
// S for lif. adaptive_lif's parameters are hardware integers, passed as they
// are to its program.
//
// lif (physical units) runs the Loihi CUBA LIF program:
//   dv = round(4096 (1 - exp(-dt / tau_m))), du likewise from tau_syn
//   (tau_syn = 0: du = 4096, u forgets everything each step, which the
//   program handles although 4096 is outside Loihi's 12-bit field);
//   hardware values are membrane values times S, with S chosen so that
//   v_th * S is 2^16 (headroom of 2^7 thresholds below the 24-bit limits
//   of u and v), raised towards 2^19 when the largest weight would not
//   fill the mantissa at the smallest shift, and lowered when the largest
//   weight or the bias would not fit; then S is adjusted down so that
//   v_th * S = vth_mant * 2^6 exactly (the threshold has no error). Bias:
//   bias * S = bias_mant * 2^bias_exp, smallest bias_exp. Refractory:
//   round(refractory / dt) steps.
//
// Quantisation errors: per projection, |effective - written| of every
// synapse relative to the largest |written| weight (max and RMS). Per
// population (ParamError): the threshold and bias relative to their
// written values, and each decay's per-step retention factor
// (4096 - d)/4096 against exp(-dt/tau), an absolute error (the factor's
// scale is 1); max and RMS over these terms. Zero for hardware-integer
// models.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/HardwareNetwork.h"

#include "NetworkDiagnostics.h"
#include "neuromesh/compiler/Connectivity.h"
#include "neuromesh/compiler/NeuronModels.h"
#include "neuromesh/compiler/NeuronPrograms.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <string_view>

namespace neuromesh::compiler {

using detail::firstKnown;
using detail::ProblemList;
using detail::projectionName;

double modelParam(const NeuronModel &M, const char *Name) {
  auto It = M.Params.find(Name);
  if (It != M.Params.end())
    return It->second;
  if (const ModelInfo *Info = findModel(M.Kind))
    for (const ModelParam &P : Info->Params)
      if (std::string_view(P.Name) == Name)
        return P.Default;
  assert(false && "parameter not in the registry");
  return 0;
}

namespace {

/// Hardware threshold a lif population aims for, and the most it may be
/// raised to for weight precision (u and v are 24-bit).
constexpr double LifThresholdTarget = 65536.0;   // 2^16
constexpr double LifThresholdCeiling = 524288.0; // 2^19
/// Largest Loihi bias: 13-bit signed mantissa times 2^7.
constexpr int64_t BiasMantMax = 4095, BiasMantMin = -4096, BiasExpMax = 7;

enum class ModelKind { LoihiCubaLif, AdaptiveLif, Lif, If, Li, CubaLi, TrueNorth };

ModelKind kindOf(std::string_view Name) {
  if (Name == "loihi_cuba_lif")
    return ModelKind::LoihiCubaLif;
  if (Name == "adaptive_lif")
    return ModelKind::AdaptiveLif;
  if (Name == "lif")
    return ModelKind::Lif;
  if (Name == "if")
    return ModelKind::If;
  if (Name == "li")
    return ModelKind::Li;
  if (Name == "cuba_li")
    return ModelKind::CubaLi;
  assert(Name == "truenorth" && "a model in the registry has no lowering");
  return ModelKind::TrueNorth;
}

unsigned stateWordsOf(ModelKind K) {
  switch (K) {
  case ModelKind::LoihiCubaLif:
  case ModelKind::Lif:
  case ModelKind::CubaLi:
    return loihi_cuba_lif::NumStateWords;
  case ModelKind::AdaptiveLif:
    return adaptive_lif::NumStateWords;
  case ModelKind::If:
    return if_neuron::NumStateWords;
  case ModelKind::Li:
    return li::NumStateWords;
  case ModelKind::TrueNorth:
    return truenorth::NumStateWords;
  }
  return 1;
}

int32_t intParam(const NeuronModel &M, const char *Name) { return int32_t(modelParam(M, Name)); }

/// d = round(4096 (1 - exp(-dt / tau))), the decay that keeps exp(-dt/tau).
int32_t decayFromTau(double Tau, double Dt) {
  return int32_t(std::llround(4096.0 * (1.0 - std::exp(-Dt / Tau))));
}

/// |kept fraction - exp(-dt/tau)|: the retention factor's error.
double decayError(int32_t D, double Tau, double Dt) {
  return std::fabs((4096.0 - D) / 4096.0 - std::exp(-Dt / Tau));
}

QuantisationError summarise(const std::vector<double> &Terms) {
  QuantisationError Q;
  double Sum = 0;
  for (double T : Terms) {
    Q.MaxRelative = std::max(Q.MaxRelative, T);
    Sum += T * T;
  }
  if (!Terms.empty())
    Q.RmsRelative = std::sqrt(Sum / double(Terms.size()));
  return Q;
}

class Lowerer {
public:
  Lowerer(const Network &Net, const isa::Architecture &Arch) : Net(Net), Arch(Arch) {
    MantMax = (int64_t(1) << (Arch.Core.WeightBits - 1)) - 1;
    MantMin = -(int64_t(1) << (Arch.Core.WeightBits - 1));
  }

  HardwareNetwork run() {
    Out.Name = Net.Name;
    Out.Dt = Net.Dt;
    Out.Sources = Net.Sources;
    checkArchitecture();
    Problems.throwIfAny(); // nothing below makes sense on the wrong chip

    Out.Populations.resize(Net.Populations.size());
    Out.Projections.resize(Net.Projections.size());
    std::vector<std::vector<size_t>> Into(Net.Populations.size());
    for (size_t I = 0; I < Net.Projections.size(); ++I)
      Into[postIndex(Net.Projections[I])].push_back(I);
    // Population by population, so the float tables of only one
    // population's inputs are alive at a time.
    for (size_t P = 0; P < Net.Populations.size(); ++P)
      lowerPopulation(P, Into[P]);
    Problems.throwIfAny();
    return std::move(Out);
  }

private:
  const Network &Net;
  const isa::Architecture &Arch;
  HardwareNetwork Out;
  ProblemList Problems;
  int64_t MantMax = 0, MantMin = 0;

  size_t postIndex(const Projection &P) const {
    return size_t(Net.findPopulation(P.Post) - Net.Populations.data());
  }

  /// Encodings, state words and delays against the architecture.
  void checkArchitecture() {
    const isa::CoreSpec &Core = Arch.Core;
    for (const Population &P : Net.Populations) {
      std::string What = fmt::format("population '{}'", P.Name);
      ModelKind K = kindOf(P.Model.Kind);
      if (K == ModelKind::TrueNorth && !Core.Crossbar)
        Problems.add(P.Loc, What,
                     fmt::format("truenorth neurons need the crossbar synapse encoding, which "
                                 "architecture '{}' lacks (core.encodings); use a model such "
                                 "as lif or loihi_cuba_lif, or an architecture with crossbar",
                                 Arch.Name));
      if (K != ModelKind::TrueNorth && !Core.Sparse && !Core.Dense)
        Problems.add(P.Loc, What,
                     fmt::format("model '{}' needs the sparse or dense synapse encoding, but "
                                 "architecture '{}' has only crossbar (core.encodings); use "
                                 "truenorth neurons or another architecture",
                                 P.Model.Kind, Arch.Name));
      unsigned Words = stateWordsOf(K);
      if (int64_t(Words) > Core.StateWords)
        Problems.add(P.Loc, What,
                     fmt::format("model '{}' keeps {} state words per neuron, but architecture "
                                 "'{}' has core.state_words = {}",
                                 P.Model.Kind, Words, Arch.Name, Core.StateWords));
    }
    for (const Projection &P : Net.Projections) {
      uint32_t MaxDelay = 0;
      if (P.Conn.K == Connector::Kind::List) {
        for (const ExplicitSynapse &S : P.Conn.Synapses)
          MaxDelay = std::max(MaxDelay, S.Delay);
      } else {
        MaxDelay = P.Delay.K == DelaySpec::Kind::Constant ? P.Delay.Value : P.Delay.High;
      }
      if (int64_t(MaxDelay) > Core.DelaySlots)
        Problems.add(firstKnown(P.Delay.Loc, P.Loc),
                     fmt::format("projection '{}'", projectionName(P)),
                     fmt::format("delay {} exceeds core.delay_slots = {} of architecture "
                                 "'{}': delays must be 1..{} steps; shorten the delay or use an "
                                 "architecture with more delay slots",
                                 MaxDelay, Core.DelaySlots, Arch.Name, Core.DelaySlots));
    }
  }

  void lowerPopulation(size_t Index, const std::vector<size_t> &Incoming) {
    const Population &P = Net.Populations[Index];
    HwPopulation &H = Out.Populations[Index];
    H.Name = P.Name;
    H.Size = P.Size;
    H.Shape = P.Shape;
    H.Model = P.Model.Kind;
    H.Record = P.Record;
    H.Loc = P.Loc;
    // Network::validate checked the names against the registry.
    const ModelInfo *Info = findModel(P.Model.Kind);
    for (const std::string &Name : P.Probes) {
      const ModelVariable *V = Info ? findVariable(*Info, Name) : nullptr;
      assert(V && "Network::validate lets only known variables through");
      if (V)
        H.Probes.push_back({Name, uint8_t(V->StateWord)});
    }
    ModelKind K = kindOf(P.Model.Kind);
    H.StateWords = uint8_t(stateWordsOf(K));
    H.InitialState.assign(H.StateWords, 0);

    std::vector<ExpandedSynapses> Tables;
    Tables.reserve(Incoming.size());
    for (size_t I : Incoming)
      Tables.push_back(expandProjection(Net, Net.Projections[I]));

    double Scale = 1; // hardware units per written weight unit
    std::string What = fmt::format("population '{}'", P.Name);
    const SourceLoc &Loc = firstKnown(P.Model.Loc, P.Loc);
    size_t ErrorsBefore = Problems.size();
    try {
      switch (K) {
      case ModelKind::LoihiCubaLif:
        H.Profiles.push_back(
            loihiCubaLifProfile({intParam(P.Model, "du"), intParam(P.Model, "dv"),
                                 intParam(P.Model, "bias_mant"), intParam(P.Model, "bias_exp"),
                                 intParam(P.Model, "vth_mant"), intParam(P.Model, "refractory")}));
        Scale = 64;
        break;
      case ModelKind::AdaptiveLif: {
        AdaptiveLifParams AP;
        AP.Du = intParam(P.Model, "du");
        AP.Dv = intParam(P.Model, "dv");
        AP.BiasMant = intParam(P.Model, "bias_mant");
        AP.BiasExp = intParam(P.Model, "bias_exp");
        AP.VthMant = intParam(P.Model, "vth_mant");
        AP.Refractory = intParam(P.Model, "refractory");
        AP.Dth = intParam(P.Model, "dth");
        AP.ThStep = intParam(P.Model, "th_step");
        H.Profiles.push_back(adaptiveLifProfile(AP));
        Scale = 64; // the same weight units as loihi_cuba_lif
        break;
      }
      case ModelKind::Lif:
        Scale = lowerLif(P, H, Tables, Loc, What);
        break;
      case ModelKind::If: {
        IfParams IP;
        IP.Threshold = intParam(P.Model, "threshold");
        IP.Bias = intParam(P.Model, "bias");
        IP.Reset = ResetMode(intParam(P.Model, "reset"));
        IP.ResetValue = intParam(P.Model, "reset_value");
        H.Profiles.push_back(ifProfile(IP));
        break;
      }
      case ModelKind::Li: {
        double Tau = modelParam(P.Model, "tau");
        LiParams LP;
        LP.Dv = Tau > 0 ? decayFromTau(Tau, Net.Dt) : intParam(P.Model, "dv");
        if (Tau > 0)
          H.ParamError = summarise({decayError(LP.Dv, Tau, Net.Dt)});
        H.Profiles.push_back(liProfile(LP));
        break;
      }
      case ModelKind::CubaLi: {
        // The CUBA LIF program's readout variant; d = 4096 (no memory) is
        // outside the 12-bit field but works as the parameter word 0.
        double TauSyn = modelParam(P.Model, "tau_syn"), TauM = modelParam(P.Model, "tau_m");
        int32_t Du = decayFromTau(TauSyn, Net.Dt), Dv = decayFromTau(TauM, Net.Dt);
        LoihiCubaLifParams LP;
        LP.Du = std::min(Du, 4095);
        LP.Dv = std::min(Dv, 4095);
        LP.Readout = true;
        isa::NeuronProfile Profile = loihiCubaLifProfile(LP);
        if (Du == 4096)
          Profile.Params[loihi_cuba_lif::ParamDecayU] = 0;
        if (Dv == 4096)
          Profile.Params[loihi_cuba_lif::ParamDecayV] = 0;
        H.Profiles.push_back(std::move(Profile));
        H.ParamError =
            summarise({decayError(Du, TauSyn, Net.Dt), decayError(Dv, TauM, Net.Dt)});
        break;
      }
      case ModelKind::TrueNorth:
        lowerTrueNorth(P, H, Loc, What);
        break;
      }
    } catch (const Error &E) {
      Problems.add(Loc, What, E.what());
    }
    if (Problems.size() != ErrorsBefore)
      return; // its projections cannot be lowered onto a broken population

    for (size_t T = 0; T < Incoming.size(); ++T) {
      lowerProjection(Incoming[T], Index, std::move(Tables[T]), K, Scale);
      Tables[T] = ExpandedSynapses();
    }
  }

  /// Lowers a lif population; returns its scale factor S.
  double lowerLif(const Population &P, HwPopulation &H, const std::vector<ExpandedSynapses> &Tables,
                  const SourceLoc &Loc, const std::string &What) {
    const NeuronModel &M = P.Model;
    double Dt = Net.Dt;
    double TauM = modelParam(M, "tau_m"), TauSyn = modelParam(M, "tau_syn"),
           Vth = modelParam(M, "v_th"), Bias = modelParam(M, "bias"),
           Refractory = modelParam(M, "refractory");
    int64_t SMin = Arch.Core.WeightExponentMin, SMax = Arch.Core.WeightExponentMax;

    double MaxW = 0;
    for (const ExpandedSynapses &T : Tables)
      for (float W : T.Weight)
        MaxW = std::max(MaxW, double(std::fabs(W)));

    double S = LifThresholdTarget / Vth;
    if (MaxW > 0) {
      S = std::max(S, std::min(double(MantMax) * std::ldexp(1.0, int(SMin)) / MaxW,
                               LifThresholdCeiling / Vth));
      S = std::min(S, double(MantMax) * std::ldexp(1.0, int(SMax)) / MaxW);
    }
    if (Bias != 0)
      S = std::min(S, double(BiasMantMax) * std::ldexp(1.0, BiasExpMax) / std::fabs(Bias));
    double VthMant = std::floor(Vth * S / 64);
    if (VthMant < 1) {
      Problems.add(Loc, What,
                   fmt::format("cannot represent threshold v_th = {} together with weights up "
                               "to {} and bias {}: on architecture '{}' the threshold would "
                               "round to 0 (the largest weight must be at most {} x v_th); "
                               "scale the weights or the bias down",
                               Vth, MaxW, Bias, Arch.Name,
                               double(MantMax) * std::ldexp(1.0, int(SMax)) / 64));
      return 1;
    }
    S = VthMant * 64 / Vth;

    LoihiCubaLifParams LP;
    LP.VthMant = int32_t(VthMant);
    int32_t Dv = decayFromTau(TauM, Dt);
    int32_t Du = TauSyn > 0 ? decayFromTau(TauSyn, Dt) : 4096;
    LP.Dv = std::min(Dv, 4095); // 4096 is patched in below
    LP.Du = std::min(Du, 4095);
    double BiasHw = Bias * S;
    int32_t BiasExp = 0;
    int64_t BiasMant = std::llround(BiasHw);
    while (BiasExp < BiasExpMax && (BiasMant > BiasMantMax || BiasMant < BiasMantMin)) {
      ++BiasExp;
      BiasMant = std::llround(std::ldexp(BiasHw, -BiasExp));
    }
    assert(BiasMant <= BiasMantMax && BiasMant >= BiasMantMin && "S keeps the bias in range");
    LP.BiasMant = int32_t(BiasMant);
    LP.BiasExp = BiasExp;
    int64_t RefSteps = std::llround(Refractory / Dt);
    if (RefSteps > loihi_cuba_lif::MaxRefractory) {
      Problems.add(Loc, What,
                   fmt::format("refractory {} s is {} steps of dt {} s; the CUBA LIF program "
                               "holds at most {} steps: shorten it or use a longer dt",
                               Refractory, RefSteps, Dt, loihi_cuba_lif::MaxRefractory));
      return S;
    }
    LP.Refractory = int32_t(RefSteps);
    LP.Reset = modelParam(M, "reset") != 0 ? ResetMode::Subtract : ResetMode::ToValue;
    isa::NeuronProfile Profile = loihiCubaLifProfile(LP);
    // d = 4096 (no memory at all) is outside Loihi's 12-bit field, but the
    // program multiplies by the parameter word 4096 - d, so 0 works.
    if (Dv == 4096)
      Profile.Params[loihi_cuba_lif::ParamDecayV] = 0;
    if (Du == 4096)
      Profile.Params[loihi_cuba_lif::ParamDecayU] = 0;
    H.Profiles.push_back(std::move(Profile));

    std::vector<double> Terms = {0.0, decayError(Dv, TauM, Dt)}; // threshold is exact
    if (TauSyn > 0)
      Terms.push_back(decayError(Du, TauSyn, Dt));
    if (Bias != 0)
      Terms.push_back(std::fabs(std::ldexp(double(BiasMant), BiasExp) / S - Bias) /
                      std::fabs(Bias));
    H.ParamError = summarise(Terms);
    return S;
  }

  void lowerTrueNorth(const Population &P, HwPopulation &H, const SourceLoc &Loc,
                      const std::string &What) {
    const NeuronModel &M = P.Model;
    TrueNorthParams TP;
    TP.Lambda = intParam(M, "lambda");
    TP.Eps = intParam(M, "eps");
    TP.C = intParam(M, "c");
    TP.Alpha = intParam(M, "alpha");
    TP.Beta = intParam(M, "beta");
    TP.Kappa = intParam(M, "kappa");
    TP.Gamma = intParam(M, "gamma");
    TP.R = intParam(M, "R");
    TP.M = intParam(M, "M");
    H.Profiles.push_back(trueNorthProfile(TP));
    H.UsesCrossbar = true;
    static const char *const WName[] = {"w0", "w1", "w2", "w3"};
    static const char *const SName[] = {"s0", "s1", "s2", "s3"};
    for (unsigned T = 0; T < isa::NumAxonTypes; ++T) {
      int32_t W = intParam(M, WName[T]);
      if (W > MantMax || W < MantMin)
        Problems.add(Loc, What,
                     fmt::format("{} = {} does not fit the {}-bit signed weights [{}, {}] "
                                 "of architecture '{}' (core.weight_bits)",
                                 WName[T], W, Arch.Core.WeightBits, MantMin, MantMax, Arch.Name));
      H.Column.Weight[T] = int16_t(W);
      H.Column.Stochastic[T] = intParam(M, SName[T]) != 0;
    }
  }

  void lowerProjection(size_t Index, size_t PostIndex, ExpandedSynapses E, ModelKind PostKind,
                       double Scale) {
    const Projection &P = Net.Projections[Index];
    HwProjection &H = Out.Projections[Index];
    H.Name = projectionName(P);
    H.Loc = P.Loc;
    H.Post = uint32_t(PostIndex);
    if (const Population *Pre = Net.findPopulation(P.Pre)) {
      H.Pre = uint32_t(Pre - Net.Populations.data());
    } else {
      H.PreIsSource = true;
      H.Pre = uint32_t(Net.findSource(P.Pre) - Net.Sources.data());
    }
    H.AxonType = P.AxonType;
    std::string What = fmt::format("projection '{}'", H.Name);
    const SourceLoc &WLoc = firstKnown(P.Weight.Loc, P.Loc);

    SynapseTable &T = H.Synapses;
    T.NumPre = E.NumPre;
    T.NumPost = E.NumPost;
    uint64_t N = E.size();
    T.Weight.resize(N);

    if (PostKind == ModelKind::TrueNorth) {
      checkBinary(P, E, WLoc, What);
      std::fill(T.Weight.begin(), T.Weight.end(), int16_t(1));
      H.Shift = 0;
    } else {
      quantise(P, E, Scale, T, H, WLoc, What);
    }
    T.RowStart = std::move(E.RowStart);
    T.Post = std::move(E.Post);
    T.Delay = std::move(E.Delay);
  }

  /// Crossbar synapses are bits: every weight written must be 1, and a
  /// (pre, post) pair can be connected once.
  void checkBinary(const Projection &P, const ExpandedSynapses &E, const SourceLoc &Loc,
                   const std::string &What) {
    uint64_t BadWeights = 0, Duplicates = 0;
    std::string FirstBad, FirstDup;
    for (uint32_t I = 0; I < E.NumPre; ++I)
      for (uint64_t K = E.RowStart[I]; K < E.RowStart[I + 1]; ++K) {
        if (E.Weight[K] != 1.0f && BadWeights++ == 0)
          FirstBad = fmt::format("pre {}, post {}: weight {}", I, E.Post[K], E.Weight[K]);
        if (K > E.RowStart[I] && E.Post[K] == E.Post[K - 1] && Duplicates++ == 0)
          FirstDup = fmt::format("pre {}, post {}", I, E.Post[K]);
      }
    if (BadWeights)
      Problems.add(Loc, What,
                   fmt::format("synapses onto truenorth population '{}' are crossbar bits: "
                               "every weight written must be 1 (or the synapse absent), but "
                               "{} are not ({}); the effective weight is the post neuron's "
                               "w{} (axon type {})",
                               P.Post, BadWeights, FirstBad, P.AxonType, P.AxonType));
    if (Duplicates)
      Problems.add(Loc, What,
                   fmt::format("{} synapses repeat a (pre, post) pair ({}); a crossbar holds "
                               "one bit per pair",
                               Duplicates, FirstDup));
  }

  void quantise(const Projection &P, const ExpandedSynapses &E, double Scale, SynapseTable &T,
                HwProjection &H, const SourceLoc &Loc, const std::string &What) {
    double MaxPos = 0, MinNeg = 0, MaxAbs = 0;
    for (float W : E.Weight) {
      double Hw = double(W) * Scale;
      MaxPos = std::max(MaxPos, Hw);
      MinNeg = std::min(MinNeg, Hw);
      MaxAbs = std::max(MaxAbs, double(std::fabs(W)));
    }
    int64_t SMin = Arch.Core.WeightExponentMin, SMax = Arch.Core.WeightExponentMax;
    int64_t Shift = SMin;
    // llround(x) <= MantMax iff x < MantMax + 0.5 (halves round away from
    // zero); compared in double so a huge weight cannot overflow llround.
    while (Shift <= SMax && (std::ldexp(MaxPos, -int(Shift)) >= double(MantMax) + 0.5 ||
                             std::ldexp(MinNeg, -int(Shift)) <= double(MantMin) - 0.5))
      ++Shift;
    if (Shift > SMax) {
      double Largest = double(MantMax) * std::ldexp(1.0, int(SMax)) / Scale;
      Problems.add(Loc, What,
                   fmt::format("weights reach {} but the largest magnitude architecture '{}' "
                               "can express onto {} population '{}' is about {} (mantissas "
                               "{}..{} from core.weight_bits = {}, shifted by at most "
                               "core.weight_exponent_max = {}{}); scale the weights down or "
                               "the post threshold up",
                               MaxPos >= -MinNeg ? MaxPos / Scale : MinNeg / Scale, Arch.Name,
                               Net.findPopulation(P.Post)->Model.Kind, P.Post, Largest, MantMin,
                               MantMax, Arch.Core.WeightBits, SMax,
                               Scale == 64 ? ", which includes Loihi's fixed 2^6" : ""));
      return;
    }
    H.Shift = uint8_t(Shift);
    double Step = std::ldexp(1.0, int(Shift));
    double MaxErr = 0, SumSq = 0;
    for (uint64_t K = 0; K < E.size(); ++K) {
      double W = E.Weight[K];
      int64_t Mant = std::llround(W * Scale / Step);
      T.Weight[K] = int16_t(Mant);
      double Err = std::fabs(double(Mant) * Step / Scale - W);
      MaxErr = std::max(MaxErr, Err);
      SumSq += Err * Err;
    }
    if (MaxAbs > 0 && E.size() > 0) {
      H.WeightError.MaxRelative = MaxErr / MaxAbs;
      H.WeightError.RmsRelative = std::sqrt(SumSq / double(E.size())) / MaxAbs;
    }
  }
};

} // namespace

HardwareNetwork lowerNetwork(const Network &Net, const isa::Architecture &Arch) {
  Net.validate();
  return Lowerer(Net, Arch).run();
}

} // namespace neuromesh::compiler
