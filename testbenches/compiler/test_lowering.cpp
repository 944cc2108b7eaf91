//===- test_lowering.cpp - lowering and quantisation ----------------------===//
//
// Quantisation worked by hand (shift choice, rounding, error figures), the
// lif physical-unit conversion against hand-computed du/dv/threshold/bias,
// and every architecture check lowering makes (delays, encodings, state
// words, weight range, truenorth binary synapses), each asserting its
// message.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/Connectivity.h"
#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/NeuronPrograms.h"

#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Error.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace {

namespace nc = neuromesh::compiler;
namespace isa = neuromesh::isa;
using Catch::Matchers::Contains;

isa::Architecture arch(const std::string &Name, const std::vector<isa::ArchOverride> &Set = {}) {
  return isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/" + Name + ".yaml",
                               Set);
}

std::string lowerError(const nc::Network &Net, const isa::Architecture &A) {
  try {
    nc::lowerNetwork(Net, A);
  } catch (const neuromesh::Error &E) {
    return E.what();
  }
  return "";
}

/// Source "in" (size N) -> population "p" of model M with explicit weights.
nc::Network listNetwork(const nc::NeuronModel &M, const std::vector<double> &Weights) {
  nc::Network Net;
  Net.addSource("in", uint32_t(Weights.size()), nc::SpikeSource::external());
  Net.addPopulation("p", 1, M);
  std::vector<nc::ExplicitSynapse> S;
  for (uint32_t I = 0; I < Weights.size(); ++I)
    S.push_back({I, 0, Weights[I], 1});
  Net.addProjection("in", "p", nc::Connector::list(S));
  return Net;
}

std::vector<int16_t> mantissas(const nc::HwProjection &P) { return P.Synapses.Weight; }

nc::NeuronModel ifModel() { return nc::NeuronModel("if", {{"threshold", 10}}); }

} // namespace

TEST_CASE("integer weights: the smallest shift that fits, rounded half away from zero",
          "[lowering]") {
  isa::Architecture Tiny = arch("tiny"); // 8-bit mantissas -128..127, shifts 0..6
  {
    // 300 needs shift 2 (300/4 = 75); 7/4 = 1.75 -> 2 (effective 8, error 1);
    // -129/4 = -32.25 -> -32 (effective -128, error 1).
    nc::HardwareNetwork H = nc::lowerNetwork(listNetwork(ifModel(), {300, 7, -129}), Tiny);
    const nc::HwProjection &P = H.Projections.at(0);
    CHECK(P.Shift == 2);
    CHECK(mantissas(P) == std::vector<int16_t>{75, 2, -32});
    CHECK(P.WeightError.MaxRelative == Approx(1.0 / 300));
    CHECK(P.WeightError.RmsRelative == Approx(std::sqrt(2.0 / 3) / 300));
  }
  {
    // -128 fits at shift 0 (two's complement), 128 does not.
    nc::HardwareNetwork H = nc::lowerNetwork(listNetwork(ifModel(), {-128, 5}), Tiny);
    CHECK(H.Projections[0].Shift == 0);
    CHECK(mantissas(H.Projections[0]) == std::vector<int16_t>{-128, 5});
    CHECK(H.Projections[0].WeightError.MaxRelative == 0);
    H = nc::lowerNetwork(listNetwork(ifModel(), {128, 5}), Tiny);
    CHECK(H.Projections[0].Shift == 1);
    CHECK(mantissas(H.Projections[0]) == std::vector<int16_t>{64, 3});    // 2.5 -> 3
    CHECK(H.Projections[0].WeightError.MaxRelative == Approx(1.0 / 128)); // 5 -> 3 * 2 = 6
  }
  {
    // Halves round away from zero at shift 0: 2.5 -> 3, -2.5 -> -3.
    nc::HardwareNetwork H = nc::lowerNetwork(listNetwork(ifModel(), {127, 2.5, -2.5}), Tiny);
    CHECK(mantissas(H.Projections[0]) == std::vector<int16_t>{127, 3, -3});
  }
  {
    // A minimum exponent of 3: 5 -> round(5/8) = 1, effective 8.
    isa::Architecture A = arch("tiny", {{"core.weight_exponent_min", "3"}});
    nc::HardwareNetwork H = nc::lowerNetwork(listNetwork(ifModel(), {5, 40}), A);
    CHECK(H.Projections[0].Shift == 3);
    CHECK(mantissas(H.Projections[0]) == std::vector<int16_t>{1, 5});
    CHECK(H.Projections[0].WeightError.MaxRelative == Approx(3.0 / 40));
  }
}

TEST_CASE("loihi weights need an exponent: shift = 6 + weight_exp", "[lowering]") {
  nc::NeuronModel Cuba("loihi_cuba_lif", {{"du", 100}, {"dv", 200}, {"vth_mant", 1000}});
  // 1001 Loihi units = 64064 hardware units: 64064 / 2^9 = 125.125 -> 125,
  // so shift 9 (weight_exp 3) and the effective weight is 125 * 8 = 1000.
  // 0.75 -> 48 / 512 = 0.09375 -> 0.
  nc::HardwareNetwork H = nc::lowerNetwork(listNetwork(Cuba, {1001, 0.75}), arch("loihi"));
  const nc::HwProjection &P = H.Projections[0];
  CHECK(P.Shift == 9);
  CHECK(mantissas(P) == std::vector<int16_t>{125, 0});
  CHECK(P.WeightError.MaxRelative == Approx(1.0 / 1001));
  CHECK(P.WeightError.RmsRelative == Approx(std::sqrt((1.0 + 0.75 * 0.75) / 2) / 1001));
  // Alone, 0.75 Loihi units = 48 hardware units fits at shift 0 (exp -6) exactly.
  H = nc::lowerNetwork(listNetwork(Cuba, {0.75}), arch("loihi"));
  CHECK(H.Projections[0].Shift == 0);
  CHECK(mantissas(H.Projections[0]) == std::vector<int16_t>{48});

  // tiny's shifts stop at 6 (weight_exp 0): 200 Loihi units cannot be written.
  std::string M = lowerError(listNetwork(Cuba, {200, 1}), arch("tiny"));
  CHECK_THAT(M, Contains("projection 'in->p': error: weights reach 200 but the largest "
                         "magnitude architecture 'tiny' can express onto loihi_cuba_lif "
                         "population 'p' is about 127 (mantissas -128..127 from "
                         "core.weight_bits = 8, shifted by at most core.weight_exponent_max = "
                         "6, which includes Loihi's fixed 2^6)"));
}

TEST_CASE("the hardware models' profiles and state", "[lowering]") {
  nc::Network Net;
  Net.addPopulation("cuba", 3,
                    nc::NeuronModel("loihi_cuba_lif", {{"du", 100},
                                                       {"dv", 200},
                                                       {"vth_mant", 50},
                                                       {"bias_mant", -3},
                                                       {"bias_exp", 2},
                                                       {"refractory", 4}}));
  Net.addPopulation("if", 2, nc::NeuronModel("if", {{"threshold", 7}, {"bias", 1}, {"reset", 1}}));
  Net.addPopulation("li", 2, nc::NeuronModel("li", {{"dv", 300}}));
  Net.Populations[1].Record = false;
  Net.Populations[2].Probes = {"v"};
  Net.Populations[0].Probes = {"v", "u"};
  nc::HardwareNetwork H = nc::lowerNetwork(Net, arch("loihi"));
  REQUIRE(H.Populations.size() == 3);
  const nc::HwPopulation &C = H.Populations[0];
  CHECK(C.Model == "loihi_cuba_lif");
  CHECK(C.Size == 3);
  CHECK(C.StateWords == 3);
  CHECK(C.InitialState == std::vector<int32_t>{0, 0, 0});
  REQUIRE(C.Profiles.size() == 1);
  CHECK(C.Profiles[0] == nc::loihiCubaLifProfile({100, 200, -3, 2, 50, 4}));
  CHECK(C.Profiles[0].Params == std::vector<int32_t>{3996, 3896, -12, 3200, 4});
  CHECK(C.ParamError.MaxRelative == 0);
  CHECK_FALSE(C.UsesCrossbar);
  nc::IfParams IP;
  IP.Threshold = 7;
  IP.Bias = 1;
  IP.Reset = nc::ResetMode::Subtract;
  CHECK(H.Populations[1].Profiles.at(0) == nc::ifProfile(IP));
  CHECK_FALSE(H.Populations[1].Record);
  CHECK(H.Populations[2].Profiles.at(0) == nc::liProfile({300}));
  // Resolved to the programs' state words (NeuronPrograms.h), in order.
  CHECK(H.Populations[2].Probes == std::vector<isa::Probe>{{"v", 0}});
  CHECK(H.Populations[0].Probes == std::vector<isa::Probe>{{"v", 1}, {"u", 0}});
  CHECK(H.Populations[1].Probes.empty());
}

TEST_CASE("adaptive lif lowers like loihi_cuba_lif plus its threshold words", "[lowering]") {
  namespace L = nc::adaptive_lif;
  nc::NeuronModel Alif("adaptive_lif", {{"du", 100},
                                        {"dv", 200},
                                        {"vth_mant", 50},
                                        {"bias_mant", -3},
                                        {"bias_exp", 2},
                                        {"refractory", 4},
                                        {"dth", 96},
                                        {"th_step", 640}});
  // Loihi weight units as for loihi_cuba_lif: 1001 -> 64064 hardware units
  // = 125 * 2^9 + 64 (shift 9, effective 1000); 0.75 -> 48 / 512 -> 0.
  nc::HardwareNetwork H = nc::lowerNetwork(listNetwork(Alif, {1001, 0.75}), arch("loihi"));
  const nc::HwProjection &Proj = H.Projections[0];
  CHECK(Proj.Shift == 9);
  CHECK(mantissas(Proj) == std::vector<int16_t>{125, 0});
  CHECK(Proj.WeightError.MaxRelative == Approx(1.0 / 1001));
  const nc::HwPopulation &P = H.Populations[0];
  CHECK(P.Model == "adaptive_lif");
  CHECK(P.StateWords == L::NumStateWords);
  CHECK(P.InitialState == std::vector<int32_t>{0, 0, 0, 0});
  REQUIRE(P.Profiles.size() == 1);
  nc::AdaptiveLifParams AP;
  AP.Du = 100;
  AP.Dv = 200;
  AP.BiasMant = -3;
  AP.BiasExp = 2;
  AP.VthMant = 50;
  AP.Refractory = 4;
  AP.Dth = 96;
  AP.ThStep = 640;
  CHECK(P.Profiles[0] == nc::adaptiveLifProfile(AP));
  // 4096 - du, 4096 - dv, -3 * 2^2, 50 * 2^6, refractory, 4096 - dth, th_step.
  CHECK(P.Profiles[0].Params == std::vector<int32_t>{3996, 3896, -12, 3200, 4, 4000, 640});
  CHECK(P.ParamError.MaxRelative == 0);
  CHECK_FALSE(P.UsesCrossbar);
  // Defaults: no bias, no refractory period.
  nc::HardwareNetwork D = nc::lowerNetwork(
      listNetwork(
          nc::NeuronModel("adaptive_lif",
                          {{"du", 1}, {"dv", 2}, {"vth_mant", 3}, {"dth", 4}, {"th_step", 5}}),
          {1}),
      arch("loihi"));
  CHECK(D.Populations[0].Profiles.at(0).Params ==
        std::vector<int32_t>{4095, 4094, 0, 192, 0, 4092, 5});

  // tiny's shifts stop at 6: 200 Loihi units cannot be written, as for CUBA LIF.
  CHECK_THAT(lowerError(listNetwork(Alif, {200, 1}), arch("tiny")),
             Contains("projection 'in->p': error: weights reach 200 but the largest magnitude "
                      "architecture 'tiny' can express onto adaptive_lif population 'p' is "
                      "about 127"));
  // Four state words: tiny has 4, truenorth.yaml only 2.
  CHECK(lowerError(listNetwork(Alif, {1}), arch("tiny")) == "");
  CHECK_THAT(lowerError(listNetwork(Alif, {1}), arch("truenorth")),
             Contains("population 'p': error: model 'adaptive_lif' keeps 4 state words per "
                      "neuron, but architecture 'truenorth' has core.state_words = 2"));
  // The registry checks the ranges of the new parameters.
  nc::NeuronModel Bad = Alif;
  Bad.Params["th_step"] = 8388608;
  Bad.Params["dth"] = -1;
  std::string M = lowerError(listNetwork(Bad, {1}), arch("loihi"));
  CHECK_THAT(M, Contains("parameter 'th_step' of model 'adaptive_lif' is 8388608, out of range "
                         "[0, 8388607]"));
  CHECK_THAT(M, Contains("parameter 'dth' of model 'adaptive_lif' is -1, out of range [0, 4095]"));
}

TEST_CASE("lif in physical units becomes CUBA LIF integers", "[lowering]") {
  isa::Architecture Loihi = arch("loihi");
  namespace L = nc::loihi_cuba_lif;
  {
    // dt 1 ms. dv = round(4096 (1 - exp(-1/20))) = round(199.764) = 200;
    // du = round(4096 (1 - exp(-1/5))) = round(742.479) = 742. No weights:
    // S = 2^16 / v_th, vth_mant = 2^16 / 64 = 1024.
    nc::Network Net;
    Net.addPopulation("p", 2,
                      nc::NeuronModel("lif", {{"tau_m", 20e-3}, {"tau_syn", 5e-3}, {"v_th", 1.0}}));
    nc::HardwareNetwork H = nc::lowerNetwork(Net, Loihi);
    const nc::HwPopulation &P = H.Populations[0];
    CHECK(P.Model == "lif");
    CHECK(P.StateWords == L::NumStateWords);
    CHECK(P.Profiles.at(0).Params == std::vector<int32_t>{4096 - 742, 4096 - 200, 0, 65536, 0});
    // Retention factors: 3896/4096 = 0.951171875 vs exp(-0.05) = 0.9512294245,
    // 3354/4096 = 0.81884765625 vs exp(-0.2) = 0.8187307531; threshold exact.
    double Ev = 0.9512294245007140 - 0.951171875, Eu = 0.81884765625 - 0.8187307530779818;
    CHECK(P.ParamError.MaxRelative == Approx(Eu));
    CHECK(P.ParamError.RmsRelative == Approx(std::sqrt((Ev * Ev + Eu * Eu) / 3)));
  }
  {
    // Bias 0.01 v_th: 0.01 * 65536 = 655.36 -> bias_mant 655, bias_exp 0,
    // relative error (655.36 - 655) / 655.36 = 5.4931640625e-4. tau_syn 0:
    // du = 4096 (the parameter word 4096 - du is 0). Refractory 2 ms = 2 steps.
    nc::Network Net;
    Net.addPopulation(
        "p", 1,
        nc::NeuronModel("lif",
                        {{"tau_m", 1e-5}, {"v_th", 1.0}, {"bias", 0.01}, {"refractory", 2e-3}}));
    nc::HardwareNetwork H = nc::lowerNetwork(Net, Loihi);
    const nc::HwPopulation &P = H.Populations[0];
    // tau_m = 0.01 dt: dv = round(4096 (1 - e^-100)) = 4096, word 0.
    CHECK(P.Profiles.at(0).Params == std::vector<int32_t>{0, 0, 655, 65536, 2});
    CHECK(P.ParamError.MaxRelative == Approx(5.4931640625e-4));
  }
  {
    // A large bias lowers S: 10 v_th * S <= 4095 * 2^7 = 524160 gives
    // S = 52416 = 819 * 64, so vth_mant = 819 and bias = 4095 * 2^7 exactly.
    nc::Network Net;
    Net.addPopulation("p", 1,
                      nc::NeuronModel("lif", {{"tau_m", 1.0}, {"v_th", 1.0}, {"bias", 10}}));
    nc::HardwareNetwork H = nc::lowerNetwork(Net, Loihi);
    const std::vector<int32_t> &W = H.Populations[0].Profiles.at(0).Params;
    CHECK(W[L::ParamThreshold] == 52416);
    CHECK(W[L::ParamBias] == 524160);
  }
  {
    // Weights 0.25 on tiny (shift <= 6): S <= 127 * 2^6 / 0.25 = 32512 =
    // 508 * 64, so the threshold is 32512 and each weight 127 << 6 = 8128,
    // exactly a quarter of it.
    nc::Network Net;
    Net.addSource("in", 3, nc::SpikeSource::external());
    Net.addPopulation("p", 2, nc::NeuronModel("lif", {{"tau_m", 20e-3}, {"v_th", 1.0}}));
    Net.addProjection("in", "p", nc::Connector::allToAll(), nc::WeightSpec::constant(0.25));
    nc::HardwareNetwork H = nc::lowerNetwork(Net, arch("tiny"));
    CHECK(H.Populations[0].Profiles.at(0).Params[L::ParamThreshold] == 32512);
    const nc::HwProjection &P = H.Projections[0];
    CHECK(P.Shift == 6);
    CHECK(mantissas(P) == std::vector<int16_t>(6, 127));
    CHECK(P.WeightError.MaxRelative == 0);
  }
  {
    nc::Network Net;
    Net.addPopulation("p", 1,
                      nc::NeuronModel("lif", {{"tau_m", 1.0}, {"v_th", 1.0}, {"refractory", 0.1}}));
    CHECK_THAT(lowerError(Net, Loihi),
               Contains("population 'p': error: refractory 0.1 s is 100 steps of dt 0.001 s; the "
                        "CUBA LIF program holds at most 64 steps"));
  }
  {
    // li with tau: dv = round(4096 (1 - exp(-1/10))) = round(389.79) = 390.
    nc::Network Net;
    Net.addPopulation("r", 1, nc::NeuronModel("li", {{"tau", 10e-3}}));
    nc::HardwareNetwork H = nc::lowerNetwork(Net, Loihi);
    CHECK(H.Populations[0].Profiles.at(0).Params == std::vector<int32_t>{4096 - 390});
    CHECK(H.Populations[0].ParamError.MaxRelative ==
          Approx(std::fabs(3706.0 / 4096 - 0.9048374180359595)));
  }
}

TEST_CASE("delays must fit the architecture's delay slots", "[lowering]") {
  nc::Network Net;
  Net.addSource("in", 2, nc::SpikeSource::external());
  Net.addPopulation("a", 2, ifModel());
  Net.addProjection("in", "a", nc::Connector::oneToOne(), nc::WeightSpec::constant(1),
                    nc::DelaySpec::uniform(2, 9, 1));
  Net.addProjection("in", "a", nc::Connector::list({{0, 1, 1.0, 3}, {1, 0, 1.0, 12}})).Loc = {
      "net.yaml", 7, 3};
  Net.addProjection("in", "a", nc::Connector::oneToOne(), nc::WeightSpec::constant(1),
                    nc::DelaySpec::constant(8));
  std::string M = lowerError(Net, arch("tiny"));
  CHECK_THAT(M, Contains("projection 'in->a': error: delay 9 exceeds core.delay_slots = 8 of "
                         "architecture 'tiny': delays must be 1..8 steps"));
  CHECK_THAT(M, Contains("net.yaml:7:3: error: projection 'in->a': delay 12 exceeds "
                         "core.delay_slots = 8"));
  CHECK(std::count(M.begin(), M.end(), '\n') == 1); // two problems; delay 8 fits
  CHECK(lowerError(Net, arch("loihi")) == "");
}

TEST_CASE("the architecture must have the encodings and state words a model needs", "[lowering]") {
  nc::Network Net;
  Net.addPopulation("tn", 4, nc::NeuronModel("truenorth", {{"alpha", 2}}));
  Net.addPopulation("cuba", 4,
                    nc::NeuronModel("loihi_cuba_lif", {{"du", 1}, {"dv", 1}, {"vth_mant", 1}}));
  std::string OnLoihi = lowerError(Net, arch("loihi"));
  CHECK_THAT(OnLoihi, Contains("population 'tn': error: truenorth neurons need the crossbar "
                               "synapse encoding, which architecture 'loihi' lacks"));
  CHECK(std::count(OnLoihi.begin(), OnLoihi.end(), '\n') == 0);
  std::string OnTrueNorth = lowerError(Net, arch("truenorth"));
  CHECK_THAT(OnTrueNorth, Contains("population 'cuba': error: model 'loihi_cuba_lif' needs the "
                                   "sparse or dense synapse encoding, but architecture "
                                   "'truenorth' has only crossbar"));
  CHECK_THAT(OnTrueNorth, Contains("population 'cuba': error: model 'loihi_cuba_lif' keeps 3 "
                                   "state words per neuron, but architecture 'truenorth' has "
                                   "core.state_words = 2"));
}

TEST_CASE("truenorth populations: crossbar column and binary synapses", "[lowering]") {
  isa::Architecture TN = arch("truenorth");
  nc::Network Net;
  Net.addSource("in", 3, nc::SpikeSource::external());
  Net.addPopulation(
      "tn", 3,
      nc::NeuronModel(
          "truenorth",
          {{"alpha", 5}, {"lambda", -1}, {"w0", 3}, {"w1", -2}, {"w3", 255}, {"s1", 1}}));
  Net.addProjection("in", "tn", nc::Connector::oneToOne()).AxonType = 1;
  Net.addProjection("in", "tn", nc::Connector::matrix({1, 0, 1, 0, 1, 0, 0, 0, 1})).AxonType = 3;
  nc::HardwareNetwork H = nc::lowerNetwork(Net, TN);
  const nc::HwPopulation &P = H.Populations[0];
  CHECK(P.UsesCrossbar);
  CHECK(P.Column.Weight == std::array<int16_t, 4>{3, -2, 0, 255});
  CHECK(P.Column.Stochastic == std::array<bool, 4>{false, true, false, false});
  nc::TrueNorthParams TP;
  TP.Alpha = 5;
  TP.Lambda = -1;
  CHECK(P.Profiles.at(0) == nc::trueNorthProfile(TP));
  CHECK(H.Projections[0].AxonType == 1);
  CHECK(H.Projections[1].AxonType == 3);
  CHECK(H.Projections[1].Shift == 0);
  CHECK(H.Projections[1].Synapses.Post == std::vector<uint32_t>{0, 2, 1, 2});
  CHECK(H.Projections[1].Synapses.Weight == std::vector<int16_t>{1, 1, 1, 1});

  // Weights other than 1, and column weights beyond the architecture's bits.
  nc::Network Bad = Net;
  Bad.Projections[0].Weight = nc::WeightSpec::constant(2);
  Bad.Projections[0].Loc = {"net.yaml", 30, 3};
  CHECK_THAT(lowerError(Bad, TN),
             Contains("net.yaml:30:3: error: projection 'in->tn': synapses onto truenorth "
                      "population 'tn' are crossbar bits: every weight written must be 1 (or "
                      "the synapse absent), but 3 are not (pre 0, post 0: weight 2); the "
                      "effective weight is the post neuron's w1 (axon type 1)"));
  CHECK_THAT(lowerError(Net, arch("tiny")),
             Contains("population 'tn': error: w3 = 255 does not fit the 8-bit signed weights "
                      "[-128, 127] of architecture 'tiny' (core.weight_bits)"));
  nc::Network Dup = Net;
  Dup.Projections[0].Conn = nc::Connector::list({{0, 1, 1, 1}, {0, 1, 1, 1}});
  CHECK_THAT(lowerError(Dup, TN), Contains("projection 'in->tn': error: 1 synapses repeat a "
                                           "(pre, post) pair (pre 0, post 1); a crossbar holds "
                                           "one bit per pair"));
}

TEST_CASE("projections keep their expansion, indices and names", "[lowering]") {
  nc::Network Net;
  Net.addPopulation("a", 30, ifModel());
  Net.addSource("s", 20, nc::SpikeSource::regular(3));
  Net.addPopulation("b", 25, ifModel());
  Net.addProjection("s", "b", nc::Connector::fixedProbability(0.3, 5),
                    nc::WeightSpec::uniform(-4, 9, 2), nc::DelaySpec::uniform(1, 5, 3));
  Net.addProjection("a", "a", nc::Connector::fixedFanIn(4, 8)).Name = "recurrent";
  nc::HardwareNetwork H = nc::lowerNetwork(Net, arch("loihi"));
  REQUIRE(H.Projections.size() == 2);
  const nc::HwProjection &P = H.Projections[0];
  CHECK(P.Name == "s->b");
  CHECK(P.PreIsSource);
  CHECK(P.Pre == 0);
  CHECK(P.Post == 1);
  CHECK(P.AxonType == -1);
  nc::ExpandedSynapses E = nc::expandProjection(Net, Net.Projections[0]);
  CHECK(P.Synapses.NumPre == 20);
  CHECK(P.Synapses.NumPost == 25);
  CHECK(P.Synapses.RowStart == E.RowStart);
  CHECK(P.Synapses.Post == E.Post);
  CHECK(P.Synapses.Delay == E.Delay);
  // Weights in [-4, 9) at shift 0 are round(w).
  REQUIRE(P.Shift == 0);
  for (size_t K = 0; K < E.size(); ++K)
    REQUIRE(P.Synapses.Weight[K] == int16_t(std::lround(E.Weight[K])));
  CHECK(H.Projections[1].Name == "recurrent");
  CHECK_FALSE(H.Projections[1].PreIsSource);
  CHECK(H.Projections[1].Pre == 0);
  CHECK(H.Projections[1].Post == 0);
  CHECK(H.Sources.size() == 1);
  CHECK(H.Sources[0].Period == 3);
  CHECK(H.Dt == Net.Dt);
}

TEST_CASE("lowering validates the network first", "[lowering]") {
  nc::Network Net;
  Net.addPopulation("p", 0, ifModel());
  CHECK_THAT(lowerError(Net, arch("tiny")), Contains("population 'p': error: size is 0"));
}
