//===- NeuronPrograms.cpp - the neuron models as microcode ----------------===//
//
// Each model is written once, here, as a short straight-line program with
// forward branches. Programs run per neuron per step, so they load only the
// parameters the taken path needs and precompute what they can into the
// parameter words (4096 - du, bias_mant * 2^bias_exp, vth_mant * 2^6).
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/NeuronPrograms.h"

#include "neuromesh/isa/Error.h"

#include <fmt/format.h>

#include <cassert>
#include <string>
#include <utility>
#include <vector>

namespace neuromesh::compiler {

namespace {

using isa::Instruction;
using isa::Opcode;

/// Builds a program with named forward labels, so the programs below read
/// like assembly and branch targets are never counted by hand.
class ProgramBuilder {
public:
  using Label = unsigned;

  Label newLabel() {
    Targets.push_back(-1);
    return Label(Targets.size() - 1);
  }
  void bind(Label L) {
    assert(Targets[L] < 0 && "label bound twice");
    Targets[L] = int32_t(Code.size());
  }

  void op(Opcode Op, uint8_t Rd = 0, uint8_t Ra = 0, uint8_t Rb = 0, int32_t Imm = 0) {
    Instruction I;
    I.Op = Op;
    I.Rd = Rd;
    I.Ra = Ra;
    I.Rb = Rb;
    I.Imm = Imm;
    Code.push_back(I);
  }
  // Shorthands by operand form.
  void d(Opcode Op, uint8_t Rd, int32_t Imm = 0) { op(Op, Rd, 0, 0, Imm); }
  void da(Opcode Op, uint8_t Rd, uint8_t Ra, int32_t Imm = 0) { op(Op, Rd, Ra, 0, Imm); }
  void dab(Opcode Op, uint8_t Rd, uint8_t Ra, uint8_t Rb, int32_t Imm = 0) {
    op(Op, Rd, Ra, Rb, Imm);
  }
  void sts(uint8_t Ra, unsigned Word) { op(Opcode::Sts, 0, Ra, 0, int32_t(Word)); }
  void branch(Opcode Op, uint8_t Ra, Label L) {
    Fixups.emplace_back(Code.size(), L);
    op(Op, 0, Ra, 0, 0);
  }
  void jmp(Label L) {
    Fixups.emplace_back(Code.size(), L);
    op(Opcode::Jmp);
  }

  std::vector<Instruction> finish() {
    for (const auto &[Index, L] : Fixups) {
      assert(Targets[L] > int32_t(Index) && "label unbound or not forward");
      Code[Index].Imm = Targets[L];
    }
    return std::move(Code);
  }

private:
  std::vector<Instruction> Code;
  std::vector<int32_t> Targets;
  std::vector<std::pair<size_t, Label>> Fixups;
};

/// Throws unless Lo <= Value <= Hi; Hint says what the field means.
void checkRange(const char *Model, const char *Field, int64_t Value, int64_t Lo, int64_t Hi,
                const char *Hint) {
  if (Value >= Lo && Value <= Hi)
    return;
  throw Error(fmt::format("{} parameters: error: {} = {} out of range [{}, {}] ({})", Model, Field,
                          Value, Lo, Hi, Hint));
}

isa::NeuronProfile finishProfile(std::vector<int32_t> Params, ProgramBuilder &B,
                                 unsigned NumStateWords) {
  isa::NeuronProfile Profile;
  Profile.Params = std::move(Params);
  Profile.Program = B.finish();
  assert(isa::validateProgram(Profile.Program, unsigned(Profile.Params.size()), NumStateWords)
             .empty() &&
         "a library neuron program fails validation");
  (void)NumStateWords;
  return Profile;
}

constexpr int32_t Max24 = (1 << 23) - 1;

// The adaptive LIF extends the Loihi CUBA LIF: its first state and parameter
// words are laid out alike, so the two share the helpers below.
namespace cuba = loihi_cuba_lif;
static_assert(adaptive_lif::StateU == cuba::StateU && adaptive_lif::StateV == cuba::StateV &&
                  adaptive_lif::StateRefractory == cuba::StateRefractory &&
                  adaptive_lif::ParamDecayU == cuba::ParamDecayU &&
                  adaptive_lif::ParamDecayV == cuba::ParamDecayV &&
                  adaptive_lif::ParamBias == cuba::ParamBias &&
                  adaptive_lif::ParamThreshold == cuba::ParamThreshold &&
                  adaptive_lif::ParamRefractory == cuba::ParamRefractory,
              "adaptive_lif's first words must be laid out as loihi_cuba_lif's");

/// Checks the CUBA LIF fields of P (a LoihiCubaLifParams or an
/// AdaptiveLifParams) and returns NumParams parameter words with the CUBA
/// LIF ones filled in.
template <typename Params>
std::vector<int32_t> cubaLifParamWords(const char *Model, const Params &P, unsigned NumParams) {
  checkRange(Model, "du", P.Du, 0, 4095, "12-bit current decay, tau_u = 4096/du");
  checkRange(Model, "dv", P.Dv, 0, 4095, "12-bit voltage decay, tau_v = 4096/dv");
  checkRange(Model, "bias_mant", P.BiasMant, -4096, 4095, "13-bit signed bias mantissa");
  checkRange(Model, "bias_exp", P.BiasExp, 0, 7, "3-bit bias exponent");
  checkRange(Model, "vth_mant", P.VthMant, 0, 131071, "17-bit threshold mantissa");
  checkRange(Model, "refractory", P.Refractory, 0, cuba::MaxRefractory, "refractory steps");
  std::vector<int32_t> Words(NumParams);
  Words[cuba::ParamDecayU] = 4096 - P.Du;
  Words[cuba::ParamDecayV] = 4096 - P.Dv;
  Words[cuba::ParamBias] = P.BiasMant * (1 << P.BiasExp);
  Words[cuba::ParamThreshold] = P.VthMant * (1 << 6);
  Words[cuba::ParamRefractory] = P.Refractory;
  return Words;
}

/// u = wrap24(trunc0(u * (4096 - du) / 4096) + wrap24(Input)), stored; leaves
/// u in r0 and uses r1 and r2.
void emitCurrentUpdate(ProgramBuilder &B) {
  B.d(Opcode::Lds, 0, cuba::StateU);
  B.d(Opcode::Ldp, 1, cuba::ParamDecayU);
  B.dab(Opcode::Mulsh, 0, 0, 1, 12); // trunc0(u * (4096 - du) / 4096)
  B.d(Opcode::Ldin, 2);
  B.da(Opcode::Wrap, 2, 2, 24); // exact mod 2^24, and the add below cannot saturate
  B.dab(Opcode::Add, 0, 0, 2);
  B.da(Opcode::Wrap, 0, 0, 24);
  B.sts(0, cuba::StateU);
}

} // namespace

isa::NeuronProfile loihiCubaLifProfile(const LoihiCubaLifParams &P) {
  namespace L = loihi_cuba_lif;
  std::vector<int32_t> Params = cubaLifParamWords("loihi cuba lif", P, L::NumParams);
  if (P.Readout)
    Params.push_back(L::VariantReadout);
  else if (P.Reset == ResetMode::Subtract)
    Params.push_back(L::VariantSubtract);

  // r0 u, r1 scratch, r2 Input, r3 counter, r4 v.
  ProgramBuilder B;
  auto Refractory = B.newLabel(), StoreV = B.newLabel();
  emitCurrentUpdate(B);
  B.d(Opcode::Lds, 3, L::StateRefractory);
  B.branch(Opcode::Brnz, 3, Refractory);
  B.d(Opcode::Lds, 4, L::StateV);
  B.d(Opcode::Ldp, 1, L::ParamDecayV);
  B.dab(Opcode::Mulsh, 4, 4, 1, 12); // trunc0(v * (4096 - dv) / 4096)
  B.dab(Opcode::Add, 4, 4, 0);       // |sum| < 2^25: no int32 saturation
  B.d(Opcode::Ldp, 1, L::ParamBias);
  B.dab(Opcode::Add, 4, 4, 1);
  B.da(Opcode::Sat, 4, 4, 24);
  if (P.Readout) {
    B.sts(4, L::StateV);
    B.op(Opcode::Halt);
    B.bind(StoreV);
    B.bind(Refractory); // never taken: a readout has no refractory counter
    B.op(Opcode::Halt);
    return finishProfile(std::move(Params), B, L::NumStateWords);
  }
  B.d(Opcode::Ldp, 1, L::ParamThreshold);
  B.dab(Opcode::Slt, 1, 1, 4); // threshold < v
  B.branch(Opcode::Brz, 1, StoreV);
  B.op(Opcode::Spike);
  if (P.Reset == ResetMode::Subtract) {
    B.d(Opcode::Ldp, 1, L::ParamThreshold);
    B.dab(Opcode::Sub, 4, 4, 1); // v > threshold >= 0: no saturation
  } else {
    B.d(Opcode::Movi, 4, 0);
  }
  B.d(Opcode::Ldp, 3, L::ParamRefractory);
  B.sts(3, L::StateRefractory);
  B.bind(StoreV);
  B.sts(4, L::StateV);
  B.op(Opcode::Halt);
  B.bind(Refractory); // v held, no spike, one step of refractoriness used
  B.da(Opcode::Addi, 3, 3, -1);
  B.sts(3, L::StateRefractory);
  return finishProfile(std::move(Params), B, L::NumStateWords);
}

isa::NeuronProfile adaptiveLifProfile(const AdaptiveLifParams &P) {
  namespace L = adaptive_lif;
  const char *Model = "adaptive lif";
  std::vector<int32_t> Params = cubaLifParamWords(Model, P, L::NumParams);
  checkRange(Model, "dth", P.Dth, 0, 4095, "12-bit threshold decay, tau_theta = 4096/dth");
  checkRange(Model, "th_step", P.ThStep, 0, L::MaxThetaStep,
             "threshold rise per spike in v units, as vth_mant * 2^6");
  Params[L::ParamDecayTheta] = 4096 - P.Dth;
  Params[L::ParamThetaStep] = P.ThStep;

  // r0 u, r1 scratch, r2 Input, r3 counter, r4 v, r5 theta.
  ProgramBuilder B;
  auto Refractory = B.newLabel(), StoreV = B.newLabel();
  emitCurrentUpdate(B);
  B.d(Opcode::Lds, 5, L::StateTheta); // theta decays every step, refractory or not
  B.d(Opcode::Ldp, 1, L::ParamDecayTheta);
  B.dab(Opcode::Mulsh, 5, 5, 1, 12); // trunc0(theta * (4096 - dth) / 4096)
  B.sts(5, L::StateTheta);
  B.d(Opcode::Lds, 3, L::StateRefractory);
  B.branch(Opcode::Brnz, 3, Refractory);
  B.d(Opcode::Lds, 4, L::StateV);
  B.d(Opcode::Ldp, 1, L::ParamDecayV);
  B.dab(Opcode::Mulsh, 4, 4, 1, 12); // trunc0(v * (4096 - dv) / 4096)
  B.dab(Opcode::Add, 4, 4, 0);       // |sum| < 2^25: no int32 saturation
  B.d(Opcode::Ldp, 1, L::ParamBias);
  B.dab(Opcode::Add, 4, 4, 1);
  B.da(Opcode::Sat, 4, 4, 24);
  B.d(Opcode::Ldp, 1, L::ParamThreshold);
  B.dab(Opcode::Add, 1, 1, 5); // vth_mant * 2^6 + theta < 2^24: exact
  B.dab(Opcode::Slt, 1, 1, 4); // threshold + theta < v
  B.branch(Opcode::Brz, 1, StoreV);
  B.op(Opcode::Spike);
  B.d(Opcode::Movi, 4, 0);
  B.d(Opcode::Ldp, 3, L::ParamRefractory);
  B.sts(3, L::StateRefractory);
  B.d(Opcode::Ldp, 1, L::ParamThetaStep);
  B.dab(Opcode::Add, 5, 5, 1); // both < 2^23: exact, then sat24
  B.da(Opcode::Sat, 5, 5, 24);
  B.sts(5, L::StateTheta);
  B.bind(StoreV);
  B.sts(4, L::StateV);
  B.op(Opcode::Halt);
  B.bind(Refractory); // v held, no spike, one step of refractoriness used
  B.da(Opcode::Addi, 3, 3, -1);
  B.sts(3, L::StateRefractory);
  return finishProfile(std::move(Params), B, L::NumStateWords);
}

isa::NeuronProfile ifProfile(const IfParams &P) {
  namespace L = if_neuron;
  checkRange("if", "reset mode", int32_t(P.Reset), 0, 1, "0 = to value, 1 = subtract");
  std::vector<int32_t> Params(L::NumParams);
  Params[L::ParamBias] = P.Bias;
  Params[L::ParamThreshold] = P.Threshold;
  Params[L::ParamResetMode] = int32_t(P.Reset);
  Params[L::ParamResetValue] = P.ResetValue;

  // r0 v, r1 scratch, r2 threshold.
  ProgramBuilder B;
  auto Store = B.newLabel();
  B.d(Opcode::Lds, 0, L::StateV);
  B.d(Opcode::Ldin, 1);
  B.dab(Opcode::Add, 0, 0, 1);
  B.d(Opcode::Ldp, 1, L::ParamBias);
  B.dab(Opcode::Add, 0, 0, 1);
  B.d(Opcode::Ldp, 2, L::ParamThreshold);
  B.dab(Opcode::Slt, 1, 0, 2); // v < threshold
  B.branch(Opcode::Brnz, 1, Store);
  B.op(Opcode::Spike);
  B.d(Opcode::Ldp, 3, L::ParamResetMode);
  B.dab(Opcode::Sub, 4, 0, 2);
  B.d(Opcode::Ldp, 5, L::ParamResetValue);
  B.dab(Opcode::Sel, 0, 4, 5, 3); // mode != 0 ? v - threshold : reset value
  B.bind(Store);
  B.sts(0, L::StateV);
  return finishProfile(std::move(Params), B, L::NumStateWords);
}

isa::NeuronProfile lifProfile(const LifParams &P) {
  namespace L = lif;
  const char *Model = "lif";
  checkRange(Model, "dv", P.Dv, 0, 4096, "voltage decay, tau_v = 4096/dv");
  checkRange(Model, "bias", P.Bias, -Max24, Max24, "24-bit potential");
  checkRange(Model, "threshold", P.Threshold, -Max24, Max24, "24-bit potential");
  checkRange(Model, "reset mode", int32_t(P.Reset), 0, 1, "0 = to value, 1 = subtract");
  checkRange(Model, "reset value", P.ResetValue, -Max24, Max24, "24-bit potential");
  std::vector<int32_t> Params(L::NumParams);
  Params[L::ParamDecayV] = 4096 - P.Dv;
  Params[L::ParamBias] = P.Bias;
  Params[L::ParamThreshold] = P.Threshold;
  Params[L::ParamResetMode] = int32_t(P.Reset);
  Params[L::ParamResetValue] = P.ResetValue;

  ProgramBuilder B;
  auto Store = B.newLabel();
  B.d(Opcode::Lds, 0, L::StateV);
  B.d(Opcode::Ldp, 1, L::ParamDecayV);
  B.dab(Opcode::Mulsh, 0, 0, 1, 12);
  B.d(Opcode::Ldin, 1);
  B.dab(Opcode::Add, 0, 0, 1); // |decayed| < 2^23, so sat32 here then sat24
  B.d(Opcode::Ldp, 1, L::ParamBias);
  B.dab(Opcode::Add, 0, 0, 1); // and |bias| < 2^23 give exactly sat24 of the sum
  B.da(Opcode::Sat, 0, 0, 24);
  B.d(Opcode::Ldp, 2, L::ParamThreshold);
  B.dab(Opcode::Slt, 1, 0, 2);
  B.branch(Opcode::Brnz, 1, Store);
  B.op(Opcode::Spike);
  B.d(Opcode::Ldp, 3, L::ParamResetMode);
  B.dab(Opcode::Sub, 4, 0, 2);
  B.da(Opcode::Sat, 4, 4, 24);
  B.d(Opcode::Ldp, 5, L::ParamResetValue);
  B.dab(Opcode::Sel, 0, 4, 5, 3);
  B.bind(Store);
  B.sts(0, L::StateV);
  return finishProfile(std::move(Params), B, L::NumStateWords);
}

isa::NeuronProfile liProfile(const LiParams &P) {
  namespace L = li;
  checkRange("li", "dv", P.Dv, 0, 4096, "voltage decay, tau_v = 4096/dv");
  std::vector<int32_t> Params(L::NumParams);
  Params[L::ParamDecayV] = 4096 - P.Dv;

  ProgramBuilder B;
  B.d(Opcode::Lds, 0, L::StateV);
  B.d(Opcode::Ldp, 1, L::ParamDecayV);
  B.dab(Opcode::Mulsh, 0, 0, 1, 12);
  B.d(Opcode::Ldin, 1);
  B.dab(Opcode::Add, 0, 0, 1); // sat32 then sat24 = sat24 of the exact sum
  B.da(Opcode::Sat, 0, 0, 24);
  B.sts(0, L::StateV);
  return finishProfile(std::move(Params), B, L::NumStateWords);
}

isa::NeuronProfile trueNorthProfile(const TrueNorthParams &P) {
  namespace L = truenorth;
  const char *Model = "truenorth";
  checkRange(Model, "lambda", P.Lambda, -256, 255, "9-bit signed leak");
  checkRange(Model, "eps", P.Eps, 0, 1, "leak reversal flag");
  checkRange(Model, "c", P.C, 0, 1, "stochastic leak flag");
  checkRange(Model, "alpha", P.Alpha, 0, (1 << 18) - 1, "positive threshold");
  checkRange(Model, "beta", P.Beta, 0, (1 << 18) - 1, "negative threshold magnitude");
  checkRange(Model, "kappa", P.Kappa, 0, 1, "1 = saturate at -beta, 0 = reset by gamma");
  checkRange(Model, "gamma", P.Gamma, 0, 2, "reset mode: 0 to R, 1 linear, 2 none");
  checkRange(Model, "R", P.R, -(1 << 18), (1 << 18) - 1, "reset potential");
  checkRange(Model, "M", P.M, 0, 255, "threshold mask over an 8-bit draw");
  std::vector<int32_t> Params(L::NumParams);
  Params[L::ParamLambda] = P.Lambda;
  Params[L::ParamEps] = P.Eps;
  Params[L::ParamC] = P.C;
  Params[L::ParamAlpha] = P.Alpha;
  Params[L::ParamBeta] = P.Beta;
  Params[L::ParamKappa] = P.Kappa;
  Params[L::ParamGamma] = P.Gamma;
  Params[L::ParamR] = P.R;
  Params[L::ParamM] = P.M;

  // r0 V, r2 leak, r3 threshold, r8 rho1, r9 rho2 then eta, r6 gamma (sel key).
  ProgramBuilder B;
  auto Omega = B.newLabel(), Apply = B.newLabel(), Negative = B.newLabel(),
       ResetMode0 = B.newLabel(), KappaZero = B.newLabel(), NegLinear = B.newLabel(),
       Store = B.newLabel();
  // The draws are made only when this profile's parameters use them (c = 1
  // uses rho1, M != 0 rho2): a deterministic profile draws nothing, which
  // was 6% of a TrueNorth-scale chip's step. Each draw keeps its counter
  // (rho2 is the second draw of a step), so rho1 is drawn, unused, when only
  // rho2 is needed; the values are those of the reference simulator.
  const bool UsesRho2 = P.M != 0, UsesRho1 = P.C != 0 || UsesRho2;
  static_assert(L::LeakDrawCounter == 0 && L::MaskDrawCounter == 1,
                "rand counters count the draws of an update in program order");
  if (UsesRho1)
    B.d(Opcode::Rand, 8, int32_t(L::RhoBits)); // rho1: leak (counter 0)
  if (UsesRho2)
    B.d(Opcode::Rand, 9, int32_t(L::RhoBits)); // rho2: threshold mask (counter 1)
  B.d(Opcode::Lds, 0, L::StateV);
  B.d(Opcode::Ldin, 1);
  B.dab(Opcode::Add, 0, 0, 1);
  B.da(Opcode::Sat, 0, 0, 20);
  // Leak amount: lambda, or sgn(lambda) * [|lambda| >= rho1] when stochastic.
  B.d(Opcode::Ldp, 2, L::ParamLambda);
  B.d(Opcode::Ldp, 3, L::ParamC); // c = 0 here when rho1 was not drawn
  B.branch(Opcode::Brz, 3, Omega);
  B.da(Opcode::Abs, 4, 2);
  B.dab(Opcode::Sle, 5, 8, 4); // rho1 <= |lambda|
  B.da(Opcode::Sgn, 2, 2);
  B.dab(Opcode::Mul, 2, 2, 5);
  B.bind(Omega); // leak reversal: Omega = sgn(V) when eps = 1
  B.d(Opcode::Ldp, 3, L::ParamEps);
  B.branch(Opcode::Brz, 3, Apply);
  B.da(Opcode::Sgn, 4, 0);
  B.dab(Opcode::Mul, 2, 2, 4);
  B.bind(Apply);
  B.dab(Opcode::Add, 0, 0, 2);
  B.da(Opcode::Sat, 0, 0, 20);
  // Positive threshold alpha + eta (eta = 0 when M = 0).
  if (UsesRho2) {
    B.d(Opcode::Ldp, 3, L::ParamM);
    B.dab(Opcode::And, 9, 9, 3); // eta
  }
  B.d(Opcode::Ldp, 3, L::ParamAlpha);
  if (UsesRho2)
    B.dab(Opcode::Add, 3, 3, 9);
  B.dab(Opcode::Slt, 5, 0, 3);
  B.branch(Opcode::Brnz, 5, Negative);
  B.op(Opcode::Spike);
  B.d(Opcode::Ldp, 6, L::ParamGamma);
  B.branch(Opcode::Brz, 6, ResetMode0);
  B.da(Opcode::Addi, 6, 6, -1);   // r6 == 0 iff gamma == 1
  B.dab(Opcode::Sub, 7, 0, 3);    // V - (alpha + eta)
  B.dab(Opcode::Sel, 0, 0, 7, 6); // gamma 2 keeps V
  B.jmp(Store);
  B.bind(ResetMode0);
  B.d(Opcode::Ldp, 0, L::ParamR);
  B.jmp(Store);
  // Negative threshold.
  B.bind(Negative);
  B.d(Opcode::Ldp, 4, L::ParamBeta);
  B.d(Opcode::Ldp, 5, L::ParamKappa);
  B.branch(Opcode::Brz, 5, KappaZero);
  B.da(Opcode::Neg, 4, 4);
  B.dab(Opcode::Max, 0, 0, 4); // V < -beta: V = -beta
  B.jmp(Store);
  B.bind(KappaZero);
  if (UsesRho2)
    B.dab(Opcode::Add, 4, 4, 9); // beta + eta
  B.da(Opcode::Neg, 7, 4);
  B.dab(Opcode::Slt, 5, 0, 7); // V < -(beta + eta)
  B.branch(Opcode::Brz, 5, Store);
  B.d(Opcode::Ldp, 6, L::ParamGamma);
  B.branch(Opcode::Brnz, 6, NegLinear);
  B.d(Opcode::Ldp, 0, L::ParamR);
  B.da(Opcode::Neg, 0, 0); // V = -R
  B.jmp(Store);
  B.bind(NegLinear);
  B.da(Opcode::Addi, 6, 6, -1);
  B.dab(Opcode::Add, 7, 0, 4); // V + beta + eta
  B.dab(Opcode::Sel, 0, 0, 7, 6);
  B.bind(Store);
  B.sts(0, L::StateV);
  return finishProfile(std::move(Params), B, L::NumStateWords);
}

} // namespace neuromesh::compiler
