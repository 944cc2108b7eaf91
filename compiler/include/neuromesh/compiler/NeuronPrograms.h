//===- neuromesh/compiler/NeuronPrograms.h - neuron model library -*- C++ -*-===//
//
// The neuron models the compiler lowers to microcode. Each model is a
// parameter struct, a function that checks the parameters and returns an
// isa::NeuronProfile (parameter words + program), and named constants for
// where the program keeps its state words and reads its parameter words, so
// the compiler, probes and tests agree on the layout.
//
// Models are programs, not emulator special cases (docs/isa.md). Every
// program here passes isa::validateProgram with the model's NumStateWords.
// Parameters are shared per profile: neurons that differ in any parameter
// (a bias, a threshold) need their own profile.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "neuromesh/isa/Image.h"

#include <cstdint>

namespace neuromesh::compiler {

/// How a spiking neuron resets its potential.
enum class ResetMode : int32_t {
  ToValue = 0,  ///< v = the reset value
  Subtract = 1, ///< v -= threshold (keeps the overshoot)
};

//===----------------------------------------------------------------------===//
// Loihi CUBA LIF (hardware.md; bit-exact with Lava's PyLifModelBitAcc)
//
//   u[t] = wrap24(trunc0(u[t-1] * (4096 - du) / 4096) + Input)
//   v[t] = sat24(trunc0(v[t-1] * (4096 - dv) / 4096) + u[t]
//                + bias_mant * 2^bias_exp)
//   spike when v[t] > vth_mant * 2^6; then v = 0, counter = refractory.
//   (Reset = Subtract, a program variant for NIR's subtractive reset:
//   v = v[t] - vth_mant * 2^6 instead of 0; its profile carries a sixth
//   parameter word ParamResetMode = 1 that marks the variant.)
//
// Input is the dendritic sum, which already holds w * 2^(6 + weight_exp)
// (the synapse segment's Shift carries the 6 + exp), so it is added as is.
// wrap24 reduces into (-2^23, 2^23] (the `wrap 24` instruction); since the
// int32 dendritic accumulator wraps modulo 2^32, a multiple of 2^24, the
// program wraps Input to 24 bits before adding it, so u is exact modulo 2^24
// whatever the size of Input. sat24 clamps to +-(2^23 - 1).
// Refractory: while the counter is > 0 (steps t+1 .. t+refractory after a
// spike in step t) u still decays and integrates, v is held (it stays 0),
// no spike is possible and the counter decrements.
// Note: Lava adds ds_offset = 1 to du (u decays by 4096 - du - 1); this model
// follows hardware.md, so a Lava du of d is a du of d + 1 here.
//===----------------------------------------------------------------------===//

/// Loihi CUBA LIF parameters, in Loihi's field widths.
struct LoihiCubaLifParams {
  int32_t Du = 0;         ///< current decay, 12-bit 0..4095 (tau_u = 4096/du)
  int32_t Dv = 0;         ///< voltage decay, 12-bit 0..4095 (tau_v = 4096/dv)
  int32_t BiasMant = 0;   ///< bias mantissa, 13-bit signed -4096..4095
  int32_t BiasExp = 0;    ///< bias exponent, 3-bit 0..7
  int32_t VthMant = 0;    ///< threshold mantissa, 17-bit 0..131071 (times 2^6)
  int32_t Refractory = 0; ///< refractory steps after a spike, 0..64
  /// After a spike: ToValue sets v = 0 (Loihi's), Subtract keeps the
  /// overshoot. Selects the program, not a parameter word.
  ResetMode Reset = ResetMode::ToValue;
};

/// Loihi CUBA LIF state and parameter words.
namespace loihi_cuba_lif {
constexpr unsigned StateU = 0;          ///< u, 24-bit wrapped
constexpr unsigned StateV = 1;          ///< v, 24-bit saturated
constexpr unsigned StateRefractory = 2; ///< steps of refractoriness left
constexpr unsigned NumStateWords = 3;
constexpr unsigned ParamDecayU = 0;     ///< 4096 - du
constexpr unsigned ParamDecayV = 1;     ///< 4096 - dv
constexpr unsigned ParamBias = 2;       ///< bias_mant * 2^bias_exp
constexpr unsigned ParamThreshold = 3;  ///< vth_mant * 2^6
constexpr unsigned ParamRefractory = 4; ///< refractory
constexpr unsigned NumParams = 5;
/// Only the subtract-reset variant has this sixth word (= 1), so images of
/// the Loihi program are unchanged and readers can tell the variants apart.
constexpr unsigned ParamResetMode = 5;
constexpr int32_t MaxRefractory = 64; ///< brian2-loihi's range is 1..64
} // namespace loihi_cuba_lif

/// The Loihi CUBA LIF profile. Throws neuromesh::Error naming the parameter
/// and its range when a parameter is out of range.
isa::NeuronProfile loihiCubaLifProfile(const LoihiCubaLifParams &P);

//===----------------------------------------------------------------------===//
// Adaptive-threshold LIF: the Loihi CUBA LIF plus a threshold that rises by
// th_step at every spike and decays back by dth
//
//   u[t]     = wrap24(trunc0(u[t-1] * (4096 - du) / 4096) + Input)
//   theta[t] = trunc0(theta[t-1] * (4096 - dth) / 4096)
//   refractory (counter > 0): counter -= 1, v held, no spike; else
//   v[t]     = sat24(trunc0(v[t-1] * (4096 - dv) / 4096) + u[t]
//                    + bias_mant * 2^bias_exp)
//   spike when v[t] > vth_mant * 2^6 + theta[t]; then v = 0,
//     counter = refractory, theta = sat24(theta[t] + th_step).
//
// u, v, Input, bias, wrap, saturation and refractory are exactly those of
// the Loihi CUBA LIF above (same weight units). theta is a state word >= 0
// in v units, the units of vth_mant * 2^6 (not a mantissa): th_step = 64
// raises the threshold by one vth_mant step. theta decays every step,
// refractory steps included, before the threshold test, so a spike in step
// t leaves theta = decayed + th_step, which first decays in step t + 1.
// Since theta <= 2^23 - 1 and v <= 2^23 - 1, a neuron whose theta exceeds
// 2^23 - 1 - vth_mant * 2^6 cannot fire until theta decays (dth = 0: never).
//===----------------------------------------------------------------------===//

/// Adaptive-threshold LIF parameters: the CUBA LIF's plus dth and th_step.
struct AdaptiveLifParams {
  int32_t Du = 0;         ///< current decay, 12-bit 0..4095
  int32_t Dv = 0;         ///< voltage decay, 12-bit 0..4095
  int32_t BiasMant = 0;   ///< bias mantissa, 13-bit signed -4096..4095
  int32_t BiasExp = 0;    ///< bias exponent, 3-bit 0..7
  int32_t VthMant = 0;    ///< threshold mantissa, 17-bit 0..131071 (times 2^6)
  int32_t Refractory = 0; ///< refractory steps after a spike, 0..64
  int32_t Dth = 0;        ///< threshold decay, 12-bit 0..4095 (tau_theta = 4096/dth)
  int32_t ThStep = 0;     ///< threshold rise per spike in v units, 0..2^23-1
};

/// Adaptive-threshold LIF state and parameter words. The first ones are laid
/// out as loihi_cuba_lif's, so probes of u and v read the same words.
namespace adaptive_lif {
constexpr unsigned StateU = 0;          ///< u, 24-bit wrapped
constexpr unsigned StateV = 1;          ///< v, 24-bit saturated
constexpr unsigned StateRefractory = 2; ///< steps of refractoriness left
constexpr unsigned StateTheta = 3;      ///< threshold adaptation, 0..2^23-1 (v units)
constexpr unsigned NumStateWords = 4;
constexpr unsigned ParamDecayU = 0;     ///< 4096 - du
constexpr unsigned ParamDecayV = 1;     ///< 4096 - dv
constexpr unsigned ParamBias = 2;       ///< bias_mant * 2^bias_exp
constexpr unsigned ParamThreshold = 3;  ///< vth_mant * 2^6
constexpr unsigned ParamRefractory = 4; ///< refractory
constexpr unsigned ParamDecayTheta = 5; ///< 4096 - dth
constexpr unsigned ParamThetaStep = 6;  ///< th_step
constexpr unsigned NumParams = 7;
constexpr int32_t MaxRefractory = loihi_cuba_lif::MaxRefractory;
constexpr int32_t MaxThetaStep = (1 << 23) - 1; ///< theta saturates here too
} // namespace adaptive_lif

/// The adaptive-threshold LIF profile. Throws neuromesh::Error naming the
/// parameter and its range when a parameter is out of range.
isa::NeuronProfile adaptiveLifProfile(const AdaptiveLifParams &P);

//===----------------------------------------------------------------------===//
// IF: integrate and fire, no leak (32-bit, saturating)
//
//   v = sat32(sat32(v + Input) + bias)
//   if v >= threshold: spike; reset mode 0: v = reset; mode 1: v = sat32(v - threshold)
//===----------------------------------------------------------------------===//

/// Integrate-and-fire parameters.
struct IfParams {
  int32_t Bias = 0;
  int32_t Threshold = 1; ///< any int32
  ResetMode Reset = ResetMode::ToValue;
  int32_t ResetValue = 0;
};

namespace if_neuron {
constexpr unsigned StateV = 0;
constexpr unsigned NumStateWords = 1;
constexpr unsigned ParamBias = 0;
constexpr unsigned ParamThreshold = 1;
constexpr unsigned ParamResetMode = 2; ///< 0 = to value, 1 = subtract
constexpr unsigned ParamResetValue = 3;
constexpr unsigned NumParams = 4;
} // namespace if_neuron

/// The IF profile. Throws neuromesh::Error for an unknown reset mode.
isa::NeuronProfile ifProfile(const IfParams &P);

//===----------------------------------------------------------------------===//
// LIF: single-state leaky integrate and fire (24-bit, saturating)
//
//   v = sat24(trunc0(v * (4096 - dv) / 4096) + Input + bias)
//   if v >= threshold: spike; reset mode 0: v = reset;
//                            mode 1: v = sat24(v - threshold)
// (the sum is exact: sat24 of the true sum, whatever Input is).
//===----------------------------------------------------------------------===//

/// Single-state LIF parameters.
struct LifParams {
  int32_t Dv = 0;        ///< decay 0..4096 (4096: no memory)
  int32_t Bias = 0;      ///< -(2^23-1)..2^23-1
  int32_t Threshold = 1; ///< -(2^23-1)..2^23-1
  ResetMode Reset = ResetMode::ToValue;
  int32_t ResetValue = 0; ///< -(2^23-1)..2^23-1
};

namespace lif {
constexpr unsigned StateV = 0;
constexpr unsigned NumStateWords = 1;
constexpr unsigned ParamDecayV = 0; ///< 4096 - dv
constexpr unsigned ParamBias = 1;
constexpr unsigned ParamThreshold = 2;
constexpr unsigned ParamResetMode = 3;
constexpr unsigned ParamResetValue = 4;
constexpr unsigned NumParams = 5;
} // namespace lif

/// The single-state LIF profile. Throws neuromesh::Error on a bad range.
isa::NeuronProfile lifProfile(const LifParams &P);

//===----------------------------------------------------------------------===//
// LI: non-spiking leaky integrator (a readout)
//
//   v = sat24(trunc0(v * (4096 - dv) / 4096) + Input)
//===----------------------------------------------------------------------===//

/// Leaky integrator parameters.
struct LiParams {
  int32_t Dv = 0; ///< decay 0..4096
};

namespace li {
constexpr unsigned StateV = 0;
constexpr unsigned NumStateWords = 1;
constexpr unsigned ParamDecayV = 0; ///< 4096 - dv
constexpr unsigned NumParams = 1;
} // namespace li

/// The LI profile. Throws neuromesh::Error on a bad range.
isa::NeuronProfile liProfile(const LiParams &P);

//===----------------------------------------------------------------------===//
// TrueNorth neuron (Cassidy et al., IJCNN 2013; NeMo's tn_neuron)
//
// Synaptic integration, including the stochastic synapse mode, happens in
// the dendrite (crossbar segments), so one update is:
//   rho1 = rand 8 (draw counter 0), rho2 = rand 8 (counter 1): both are
//     drawn every update, in this order, so a draw's key never depends on
//     the modes.
//   V = sat20(V + Input)
//   Omega = (1 - eps) + eps * sgn(V)
//   V = sat20(V + Omega * ((1 - c) * lambda + c * sgn(lambda) * [|lambda| >= rho1]))
//   eta = rho2 & M
//   if V >= alpha + eta: spike; gamma 0: V = R, 1: V -= alpha + eta, 2: keep
//   else if kappa == 1 and V < -beta: V = -beta
//   else if kappa == 0 and V < -(beta + eta): gamma 0: V = -R,
//        1: V += beta + eta, 2: keep
// V is 20-bit signed: we saturate it at +-(2^19 - 1) after integration and
// after the leak (the hardware's overflow behaviour is not published). The
// parameter ranges below keep every threshold and reset value inside that
// range, so a reset never needs clamping.
//===----------------------------------------------------------------------===//

/// TrueNorth neuron parameters.
struct TrueNorthParams {
  int32_t Lambda = 0; ///< leak, 9-bit signed -256..255
  int32_t Eps = 0;    ///< leak reversal 0/1
  int32_t C = 0;      ///< stochastic leak 0/1
  int32_t Alpha = 1;  ///< positive threshold 0..2^18-1
  int32_t Beta = 0;   ///< negative threshold 0..2^18-1
  int32_t Kappa = 0;  ///< negative threshold mode: 1 saturate at -beta, 0 reset
  int32_t Gamma = 0;  ///< reset mode 0 (to R), 1 (linear), 2 (none)
  int32_t R = 0;      ///< reset potential -2^18..2^18-1
  int32_t M = 0;      ///< threshold mask 0..255 (Cassidy's 2^TM - 1), eta = rho & M
};

namespace truenorth {
constexpr unsigned StateV = 0;
constexpr unsigned NumStateWords = 1;
constexpr unsigned ParamLambda = 0;
constexpr unsigned ParamEps = 1;
constexpr unsigned ParamC = 2;
constexpr unsigned ParamAlpha = 3;
constexpr unsigned ParamBeta = 4;
constexpr unsigned ParamKappa = 5;
constexpr unsigned ParamGamma = 6;
constexpr unsigned ParamR = 7;
constexpr unsigned ParamM = 8;
constexpr unsigned NumParams = 9;
constexpr unsigned RhoBits = 8;         ///< width of both draws
constexpr unsigned LeakDrawCounter = 0; ///< rand counter of rho1
constexpr unsigned MaskDrawCounter = 1; ///< rand counter of rho2
constexpr int32_t VMax = (1 << 19) - 1; ///< V saturates at +-VMax
} // namespace truenorth

/// The TrueNorth neuron profile. Throws neuromesh::Error naming the
/// parameter and its range.
isa::NeuronProfile trueNorthProfile(const TrueNorthParams &P);

} // namespace neuromesh::compiler
