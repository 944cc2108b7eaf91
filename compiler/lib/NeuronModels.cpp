//===- NeuronModels.cpp - the neuron model registry -----------------------===//
//
// The one table of models a network may name. Network::validate checks
// parameters against it, lowerNetwork reads it (through the parameter
// names), and docs/network-format.md lists it. Hardware-integer ranges are
// the ones NeuronPrograms.h documents for the programs the models lower to.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/NeuronModels.h"

#include "neuromesh/compiler/NeuronPrograms.h"

#include <cstdint>
#include <limits>

namespace neuromesh::compiler {

namespace {

constexpr double Int32Min = double(std::numeric_limits<int32_t>::min());
constexpr double Int32Max = double(std::numeric_limits<int32_t>::max());
/// Physical quantities only need to be positive and finite; these bounds
/// keep every later conversion (x / dt, x * scale) far from overflow.
constexpr double TinyPositive = 1e-12;
constexpr double Huge = 1e12;

std::vector<ModelInfo> buildTable() {
  std::vector<ModelInfo> T;

  T.push_back({"loihi_cuba_lif",
               "Loihi's current-based LIF compartment in hardware integers (bit-exact with "
               "Lava's PyLifModelBitAcc, du offset aside: see NeuronPrograms.h): u decays by du, "
               "v by dv; spikes when v > vth_mant * 2^6, then v = 0 for refractory steps",
               true,
               "Loihi weight units: a spike adds w * 2^6 to u (the compiler picks the mantissa "
               "and the weight exponent)",
               {
                   {"du", "int", true, 0, 0, 4095,
                    "current decay, 12 bit: u keeps (4096 - du)/4096 per step"},
                   {"dv", "int", true, 0, 0, 4095,
                    "voltage decay, 12 bit: v keeps (4096 - dv)/4096 per step"},
                   {"vth_mant", "int", true, 0, 0, 131071,
                    "threshold mantissa, 17 bit: spikes when v > vth_mant * 2^6"},
                   {"bias_mant", "int", false, 0, -4096, 4095,
                    "bias mantissa, 13 bit signed: v += bias_mant * 2^bias_exp per step"},
                   {"bias_exp", "int", false, 0, 0, 7, "bias exponent, 3 bit"},
                   {"refractory", "int", false, 0, 0, loihi_cuba_lif::MaxRefractory,
                    "steps v is held at 0 after a spike"},
               },
               {
                   {"u", loihi_cuba_lif::StateU,
                    "synaptic current, 24-bit wrapped (weights arrive here, times 2^6)"},
                   {"v", loihi_cuba_lif::StateV,
                    "membrane voltage, 24-bit saturated (compare with vth_mant * 2^6)"},
               }});

  T.push_back({"lif",
               "leaky integrate and fire in physical units, converted with the network's dt onto "
               "the Loihi CUBA LIF program: a synaptic current decays with tau_syn and adds to v "
               "every step; v decays with tau_m; spikes when v exceeds v_th, then v = 0 for the "
               "refractory period",
               true,
               "membrane units (as v_th): a spike adds w to the synaptic current, which adds to v "
               "every step while it decays with tau_syn (tau_syn = 0: w is added to v once)",
               {
                   {"tau_m", "s", true, 0, TinyPositive, Huge,
                    "membrane time constant: v keeps exp(-dt/tau_m) per step"},
                   {"tau_syn", "s", false, 0, 0, Huge,
                    "synaptic time constant; 0 = instantaneous current (a spike adds w to v once)"},
                   {"v_th", "v", true, 0, TinyPositive, Huge, "threshold: spikes when v > v_th"},
                   {"bias", "v", false, 0, -Huge, Huge, "constant input added to v every step"},
                   {"refractory", "s", false, 0, 0, Huge,
                    "time v is held at 0 after a spike (rounded to steps, at most 64)"},
                   {"reset", "0/1", false, 0, 0, 1,
                    "after a spike: 0 sets v = 0, 1 subtracts v_th (keeps the overshoot)"},
               },
               {
                   {"u", loihi_cuba_lif::StateU,
                    "synaptic current in hardware units (the written units times the "
                    "population's scale factor)"},
                   {"v", loihi_cuba_lif::StateV,
                    "membrane voltage in hardware units (v_th times the scale factor is the "
                    "threshold)"},
               }});

  T.push_back(
      {"if",
       "integrate and fire without leak, 32-bit saturating: v += input + bias; "
       "spikes when v >= threshold",
       true,
       "integers added to v",
       {
           {"threshold", "int", true, 0, Int32Min, Int32Max, "spikes when v >= threshold"},
           {"bias", "int", false, 0, Int32Min, Int32Max, "added to v every step"},
           {"reset", "0/1", false, 0, 0, 1,
            "after a spike: 0 sets v = reset_value, 1 subtracts the threshold"},
           {"reset_value", "int", false, 0, Int32Min, Int32Max, "v after a spike when reset = 0"},
       },
       {
           {"v", if_neuron::StateV, "membrane value, 32-bit saturating"},
       }});

  T.push_back(
      {"li",
       "non-spiking leaky integrator (a readout): v = v * (4096 - dv)/4096 + input, "
       "24-bit saturating; give tau or dv (neither: no leak)",
       false,
       "integers added to v",
       {
           {"tau", "s", false, 0, 0, Huge, "time constant, converted to dv with dt; 0 = use dv"},
           {"dv", "int", false, 0, 0, 4096, "decay: v keeps (4096 - dv)/4096 per step"},
       },
       {
           {"v", li::StateV, "the integrated value, 24-bit saturating (the readout)"},
       }});

  T.push_back(
      {"truenorth",
       "TrueNorth neuron (Cassidy et al. 2013): crossbar synapses with 4 axon types, "
       "leak with reversal and stochastic modes, threshold with mask noise, three reset "
       "modes; all parameters are hardware integers",
       true,
       "binary: a synapse is a crossbar bit, its weight must be 1; the effective weight is "
       "the post neuron's w<axon_type> (the projection's axon_type)",
       {
           {"lambda", "int", false, 0, -256, 255, "leak, 9-bit signed"},
           {"eps", "0/1", false, 0, 0, 1, "leak reversal: the leak follows sgn(V)"},
           {"c", "0/1", false, 0, 0, 1, "stochastic leak"},
           {"alpha", "int", true, 0, 0, (1 << 18) - 1, "positive threshold"},
           {"beta", "int", false, 0, 0, (1 << 18) - 1, "negative threshold magnitude"},
           {"kappa", "0/1", false, 0, 0, 1,
            "1: V saturates at -beta; 0: reset by gamma below -(beta + eta)"},
           {"gamma", "int", false, 0, 0, 2, "reset mode: 0 to R, 1 linear (subtract), 2 none"},
           {"R", "int", false, 0, -(1 << 18), (1 << 18) - 1, "reset potential"},
           {"M", "int", false, 0, 0, 255, "threshold mask: eta = rho & M (rho an 8-bit draw)"},
           {"w0", "int", false, 0, -256, 255,
            "weight of axon type 0 (also limited by core.weight_bits)"},
           {"w1", "int", false, 0, -256, 255, "weight of axon type 1"},
           {"w2", "int", false, 0, -256, 255, "weight of axon type 2"},
           {"w3", "int", false, 0, -256, 255, "weight of axon type 3"},
           {"s0", "0/1", false, 0, 0, 1, "axon type 0 integrates stochastically"},
           {"s1", "0/1", false, 0, 0, 1, "axon type 1 integrates stochastically"},
           {"s2", "0/1", false, 0, 0, 1, "axon type 2 integrates stochastically"},
           {"s3", "0/1", false, 0, 0, 1, "axon type 3 integrates stochastically"},
       },
       {
           {"v", truenorth::StateV, "membrane potential V"},
       }});

  T.push_back(
      {"adaptive_lif",
       "Loihi CUBA LIF with an adaptive threshold, in hardware integers: u, v, bias and "
       "refractory as loihi_cuba_lif; theta decays by dth every step, the neuron spikes when "
       "v > vth_mant * 2^6 + theta, and each spike raises theta by th_step (v units)",
       true,
       "Loihi weight units: a spike adds w * 2^6 to u (the compiler picks the mantissa "
       "and the weight exponent)",
       {
           {"du", "int", true, 0, 0, 4095,
            "current decay, 12 bit: u keeps (4096 - du)/4096 per step"},
           {"dv", "int", true, 0, 0, 4095,
            "voltage decay, 12 bit: v keeps (4096 - dv)/4096 per step"},
           {"vth_mant", "int", true, 0, 0, 131071,
            "threshold mantissa, 17 bit: spikes when v > vth_mant * 2^6 + theta"},
           {"bias_mant", "int", false, 0, -4096, 4095,
            "bias mantissa, 13 bit signed: v += bias_mant * 2^bias_exp per step"},
           {"bias_exp", "int", false, 0, 0, 7, "bias exponent, 3 bit"},
           {"refractory", "int", false, 0, 0, adaptive_lif::MaxRefractory,
            "steps v is held at 0 after a spike"},
           {"dth", "int", true, 0, 0, 4095,
            "threshold decay, 12 bit: theta keeps (4096 - dth)/4096 per step"},
           {"th_step", "int", true, 0, 0, adaptive_lif::MaxThetaStep,
            "threshold rise per spike, in v units (as vth_mant * 2^6, not a mantissa); theta "
            "saturates at 2^23 - 1"},
       },
       {
           {"u", adaptive_lif::StateU, "synaptic current, 24-bit wrapped"},
           {"v", adaptive_lif::StateV, "membrane voltage, 24-bit saturated"},
           {"theta", adaptive_lif::StateTheta,
            "threshold adaptation in v units, 0 .. 2^23 - 1"},
       }});
  return T;
}

} // namespace

const std::vector<ModelInfo> &neuronModels() {
  static const std::vector<ModelInfo> Table = buildTable();
  return Table;
}

const ModelInfo *findModel(std::string_view Name) {
  for (const ModelInfo &M : neuronModels())
    if (Name == M.Name)
      return &M;
  return nullptr;
}

const ModelVariable *findVariable(const ModelInfo &M, std::string_view Name) {
  for (const ModelVariable &V : M.Variables)
    if (Name == V.Name)
      return &V;
  return nullptr;
}

} // namespace neuromesh::compiler
