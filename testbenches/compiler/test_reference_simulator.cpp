//===- test_reference_simulator.cpp - the network-level simulator ---------===//
//
// Tiny networks with spike trains worked by hand (delays, a recurrent loop,
// IF chains and resets, CUBA LIF with and without refractoriness, the
// adaptive LIF's rising and decaying threshold, a TrueNorth crossbar, int32
// wrap of the dendritic sum), the source
// generators against their documented formulas, and the neuron equations
// against helper C's microcode programs run through isa::interpret (which
// the simulator itself never calls) on random input.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/compiler/ReferenceSimulator.h"

#include "neuromesh/compiler/NeuronPrograms.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Error.h"
#include "neuromesh/isa/Microcode.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace {

namespace nc = neuromesh::compiler;
namespace isa = neuromesh::isa;
using Catch::Matchers::Contains;

isa::Architecture arch(const std::string &Name, const std::vector<isa::ArchOverride> &Set = {}) {
  return isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/" + Name + ".yaml",
                               Set);
}

using Spikes = std::vector<nc::PopulationSpike>;

/// The steps population Name fired in, neuron Index.
std::vector<uint64_t> stepsOf(const Spikes &S, const std::string &Name, uint32_t Index = 0) {
  std::vector<uint64_t> Out;
  for (const nc::PopulationSpike &X : S)
    if (X.Population == Name && X.Index == Index)
      Out.push_back(X.Step);
  return Out;
}

nc::NeuronModel ifModel(double Threshold, double Bias = 0, double Reset = 0) {
  return nc::NeuronModel("if", {{"threshold", Threshold}, {"bias", Bias}, {"reset", Reset}});
}

Spikes run(const nc::Network &Net, uint64_t Steps, const std::vector<nc::InputSpike> &In = {},
           const isa::Architecture &A = arch("tiny")) {
  return nc::simulateReference(nc::lowerNetwork(Net, A), Steps, In);
}

} // namespace

TEST_CASE("an IF chain with delays", "[reference]") {
  // in[0] at 0 -> a[0] integrates at 0 + 1 = 1 and fires; -> b[0] at 1 + 3 = 4.
  // in[1] at 3 -> a[1] at 4 -> b[1] at 7.
  nc::Network Net;
  Net.addSource("in", 2, nc::SpikeSource::list({{0, 0}, {3, 1}}));
  Net.addPopulation("a", 2, ifModel(1));
  Net.addPopulation("b", 2, ifModel(1));
  Net.addProjection("in", "a", nc::Connector::oneToOne(), nc::WeightSpec::constant(1),
                    nc::DelaySpec::constant(1));
  Net.addProjection("a", "b", nc::Connector::oneToOne(), nc::WeightSpec::constant(1),
                    nc::DelaySpec::constant(3));
  Spikes S = run(Net, 10);
  CHECK(S == Spikes{{1, "a", 0}, {4, "a", 1}, {4, "b", 0}, {7, "b", 1}});
  // A spike due after the last step is never seen.
  CHECK(run(Net, 7) == Spikes{{1, "a", 0}, {4, "a", 1}, {4, "b", 0}});
}

TEST_CASE("a recurrent loop keeps firing every delay steps", "[reference]") {
  // The source kicks r at step 1; r feeds itself over delay 2: 1, 3, 5, ...
  // q listens to r with weight -1 and bias 1 (threshold 2): it charges by 1
  // a step and loses 1 whenever r's spike arrives (delay 1: steps 2, 4, ...):
  // v = 1 (t0), 2 fire -> 0 (t1), 0 (t2: +1 -1), 1, 1 (t4), 2 fire (t5), 0,
  // 1, 1, 2 fire (t9).
  nc::Network Net;
  Net.addSource("kick", 1, nc::SpikeSource::list({{0, 0}}));
  Net.addPopulation("r", 1, ifModel(1));
  Net.addPopulation("q", 1, ifModel(2, 1));
  Net.addProjection("kick", "r", nc::Connector::oneToOne());
  Net.addProjection("r", "r", nc::Connector::oneToOne(), nc::WeightSpec::constant(1),
                    nc::DelaySpec::constant(2));
  Net.addProjection("r", "q", nc::Connector::oneToOne(), nc::WeightSpec::constant(-1));
  Spikes S = run(Net, 10);
  CHECK(stepsOf(S, "r") == std::vector<uint64_t>{1, 3, 5, 7, 9});
  CHECK(stepsOf(S, "q") == std::vector<uint64_t>{1, 5, 9});
}

TEST_CASE("IF bias and both reset modes", "[reference]") {
  nc::Network Net;
  Net.addPopulation("to_value", 1, ifModel(3, 1, 0)); // v 1, 2, 3 fire -> 0: 2, 5, 8
  Net.addPopulation("subtract", 1, ifModel(3, 2, 1)); // v 2, 4f1, 3f0, 2, 4f1, 3f0, ...
  nc::NeuronModel Neg("if", {{"threshold", -5}, {"bias", -2}, {"reset", 0}, {"reset_value", 4}});
  Net.addPopulation("negative", 1, Neg);
  Spikes S = run(Net, 10);
  CHECK(stepsOf(S, "to_value") == std::vector<uint64_t>{2, 5, 8});
  CHECK(stepsOf(S, "subtract") == std::vector<uint64_t>{1, 2, 4, 5, 7, 8});
  // v = -2 >= -5 fires, reset to 4; then 4 - 2 = 2 fires, reset to 4; ...
  // every step.
  CHECK(stepsOf(S, "negative").size() == 10);
}

TEST_CASE("Loihi CUBA LIF, worked by hand", "[reference]") {
  // du = dv = 0: nothing decays. Weight 1 Loihi unit = 64 hardware units;
  // threshold vth_mant 1 = 64, spike when v > 64. One input spike at step 0:
  // u = 64 from step 1 on; v = 64 (t1), 128 > 64 fire -> 0 (t2), 64, 128 f, ...
  for (int Refractory : {0, 1}) {
    nc::Network Net;
    Net.addSource("in", 1, nc::SpikeSource::list({{0, 0}}));
    Net.addPopulation(
        "c", 1,
        nc::NeuronModel("loihi_cuba_lif",
                        {{"du", 0}, {"dv", 0}, {"vth_mant", 1}, {"refractory", Refractory}}));
    Net.addProjection("in", "c", nc::Connector::oneToOne(), nc::WeightSpec::constant(1));
    Spikes S = run(Net, 10, {}, arch("loihi"));
    // Refractory 1: after the spike at t2, t3 holds v = 0, t4 64, t5 128 fire.
    CHECK(stepsOf(S, "c") ==
          (Refractory ? std::vector<uint64_t>{2, 5, 8} : std::vector<uint64_t>{2, 4, 6, 8}));
  }
  // Leak: du = 2048 halves u each step (trunc0), dv = 0. Input 3 spikes of
  // weight 1 at step 0 -> u(t1) = 192, v = 192 > 64 fire; u(t2) = 96, v = 96
  // fire; u(t3) = 48, v = 48; u(t4) = 24, v = 72 fire; u(t5) = 12, v = 12;
  // u(t6) = 6, v = 18; u(t7) = 3 -> 21; then 1 -> 22, 0 -> 22.
  nc::Network Net;
  Net.addSource("in", 3, nc::SpikeSource::list({{0, 0}, {0, 1}, {0, 2}}));
  Net.addPopulation("c", 1,
                    nc::NeuronModel("loihi_cuba_lif", {{"du", 2048}, {"dv", 0}, {"vth_mant", 1}}));
  Net.addProjection("in", "c", nc::Connector::allToAll(), nc::WeightSpec::constant(1));
  CHECK(stepsOf(run(Net, 12, {}, arch("loihi")), "c") == std::vector<uint64_t>{1, 2, 4});
}

TEST_CASE("adaptive LIF, worked by hand", "[reference]") {
  // As the CUBA LIF case: du = dv = 0, one weight-1 spike at step 0 makes
  // u = 64 from step 1 on, threshold 64 (spike when v > 64 + theta).
  // dth = 2048 halves theta each step (before the test), a spike adds 200:
  // t1: v 64 (theta 0)        t2: v 128 > 64: fire, theta 0 + 200
  // t3: theta 100, v 64       t4: theta 50, v 128 > 114: fire, theta 250
  // t5: 125, v 64             t6: 62, v 128 > 126: fire, theta 262
  // t7: 131, v 64             t8: 65, v 128 not > 129 (blocked by theta)
  // t9: 32, v 192 > 96: fire, theta 232
  // t10: 116, v 64            t11: 58, v 128 > 122: fire, theta 258
  // t12: 129, v 64            t13: 64, v 128 not > 128
  // t14: 32, v 192: fire, 232 t15, t16: as t10, t11: fire at 16; t19 as t14.
  auto Network = [](double ThStep, double Refractory) {
    nc::Network Net;
    Net.addSource("in", 1, nc::SpikeSource::list({{0, 0}}));
    Net.addPopulation("a", 1,
                      nc::NeuronModel("adaptive_lif", {{"du", 0},
                                                       {"dv", 0},
                                                       {"vth_mant", 1},
                                                       {"refractory", Refractory},
                                                       {"dth", 2048},
                                                       {"th_step", ThStep}}));
    Net.addProjection("in", "a", nc::Connector::oneToOne(), nc::WeightSpec::constant(1));
    return Net;
  };
  CHECK(stepsOf(run(Network(200, 0), 20, {}, arch("loihi")), "a") ==
        std::vector<uint64_t>{2, 4, 6, 9, 11, 14, 16, 19});
  // th_step 0 is the CUBA LIF: every other step.
  CHECK(stepsOf(run(Network(0, 0), 20, {}, arch("loihi")), "a") ==
        std::vector<uint64_t>{2, 4, 6, 8, 10, 12, 14, 16, 18});
  // Refractory 1, th_step 200: theta also decays during the refractory step.
  // t2: fire, theta 200   t3: theta 100, refractory (v held 0)
  // t4: 50, v 64          t5: 25, v 128 > 89: fire, theta 225
  // t6: 112, refractory   t7: 56, v 64       t8: 28, v 128 > 92: fire, 228
  // t9: 114, refr.        t10: 57, v 64      t11: 28, v 128: fire ... every 3 steps.
  CHECK(stepsOf(run(Network(200, 1), 20, {}, arch("loihi")), "a") ==
        std::vector<uint64_t>{2, 5, 8, 11, 14, 17});
  // The same on tiny.yaml (4 state words, shift <= 6 suffices for weight 1).
  CHECK(stepsOf(run(Network(200, 0), 20), "a") ==
        std::vector<uint64_t>{2, 4, 6, 9, 11, 14, 16, 19});
}

TEST_CASE("a TrueNorth crossbar adds the column weight of the axon type", "[reference]") {
  // w0 = 3, alpha = 6: type-0 spikes at steps 0 and 1 give V = 3 (t1), then
  // 6 >= 6: fire, V = R = 1 (t2); V = 1 (t3). A type-2 spike (w2 = -4) at
  // step 3 gives V = -3 at t4; kappa 0, beta 2, gamma 0: -3 < -2 resets V to
  // -R = -1. Type-0 spikes at 6 and 7: V = 2 (t7), 5 (t8) < 6: no spike.
  // Without the type-2 spike V stays 1 and reaches 4 (t7), 7 (t8): fires.
  nc::Network Net;
  Net.addSource("in", 1, nc::SpikeSource::list({{0, 0}, {1, 0}, {6, 0}, {7, 0}}));
  Net.addSource("inh", 1, nc::SpikeSource::list({{3, 0}}));
  Net.addPopulation(
      "tn", 1,
      nc::NeuronModel("truenorth", {{"alpha", 6}, {"beta", 2}, {"R", 1}, {"w0", 3}, {"w2", -4}}));
  Net.addProjection("in", "tn", nc::Connector::oneToOne()).AxonType = 0;
  Net.addProjection("inh", "tn", nc::Connector::oneToOne()).AxonType = 2;
  nc::HardwareNetwork H = nc::lowerNetwork(Net, arch("truenorth"));
  CHECK(stepsOf(nc::simulateReference(H, 10), "tn") == std::vector<uint64_t>{2});
  H.Sources[1].Spikes.clear();
  CHECK(stepsOf(nc::simulateReference(H, 10), "tn") == std::vector<uint64_t>{2, 8});
}

TEST_CASE("dendritic sums wrap at 32 bits", "[reference]") {
  // Four synapses of 2^29 (mantissa 16384, shift 15) sum to 2^31, which wraps
  // to -2^31: the IF neuron (threshold 1) fires for three but not for four.
  isa::Architecture Wide =
      arch("tiny", {{"core.weight_bits", "16"}, {"core.weight_exponent_max", "15"}});
  nc::Network Net;
  Net.addSource("in", 4, nc::SpikeSource::external());
  Net.addPopulation("p", 1, ifModel(1));
  Net.addProjection("in", "p", nc::Connector::allToAll(),
                    nc::WeightSpec::constant(double(1 << 29)));
  nc::HardwareNetwork H = nc::lowerNetwork(Net, Wide);
  REQUIRE(H.Projections[0].Shift == 15);
  std::vector<nc::InputSpike> In;
  for (uint32_t I = 0; I < 3; ++I)
    In.push_back({0, "in", I});
  for (uint32_t I = 0; I < 4; ++I)
    In.push_back({5, "in", I});
  CHECK(stepsOf(nc::simulateReference(H, 10, In), "p") == std::vector<uint64_t>{1});
}

TEST_CASE("sources: list, regular and poisson as documented", "[reference]") {
  nc::SpikeSource L = nc::SpikeSource::list({{5, 1}, {0, 2}, {9, 0}, {0, 0}});
  L.Size = 3;
  CHECK(nc::sourceSpikes(L, 1e-3, 9) ==
        std::vector<std::pair<uint64_t, uint32_t>>{{0, 0}, {0, 2}, {5, 1}});
  nc::SpikeSource R = nc::SpikeSource::regular(3, 1);
  R.Size = 2;
  CHECK(nc::sourceSpikes(R, 1e-3, 8) ==
        std::vector<std::pair<uint64_t, uint32_t>>{{1, 0}, {1, 1}, {4, 0}, {4, 1}, {7, 0}, {7, 1}});
  nc::SpikeSource P = nc::SpikeSource::poisson(50, 99);
  P.Size = 40;
  std::vector<std::pair<uint64_t, uint32_t>> Want;
  const uint64_t Threshold = uint64_t(std::floor(50 * 1e-3 * 4294967296.0));
  for (uint64_t T = 0; T < 500; ++T)
    for (uint32_t I = 0; I < 40; ++I)
      if (isa::randomDraw(99, T, I, 0) < Threshold)
        Want.emplace_back(T, I);
  CHECK(nc::sourceSpikes(P, 1e-3, 500) == Want);
  CHECK(Want.size() == Approx(500 * 40 * 0.05).epsilon(0.1)); // about 1000
  nc::SpikeSource Always = nc::SpikeSource::poisson(1000, 1);
  Always.Size = 2;
  CHECK(nc::sourceSpikes(Always, 1e-3, 3).size() == 6);
  CHECK(nc::sourceSpikes(nc::SpikeSource::external(), 1e-3, 3).empty());

  // Through a network: a[i] fires the step after the source's spike.
  nc::Network Net;
  Net.addSource("tick", 2, nc::SpikeSource::regular(4, 2));
  Net.addSource("noise", 40, nc::SpikeSource::poisson(50, 99));
  Net.addPopulation("a", 2, ifModel(1));
  Net.addPopulation("n", 40, ifModel(1));
  Net.addProjection("tick", "a", nc::Connector::oneToOne());
  Net.addProjection("noise", "n", nc::Connector::oneToOne());
  Spikes S = run(Net, 12);
  CHECK(stepsOf(S, "a", 1) == std::vector<uint64_t>{3, 7, 11});
  std::vector<std::pair<uint64_t, uint32_t>> NoiseShifted;
  for (const nc::PopulationSpike &X : S)
    if (X.Population == "n")
      NoiseShifted.emplace_back(X.Step - 1, X.Index);
  std::vector<std::pair<uint64_t, uint32_t>> Noise;
  for (auto [T, I] : Want)
    if (T < 11)
      Noise.emplace_back(T, I);
  CHECK(NoiseShifted == Noise);
}

TEST_CASE("output order, unrecorded populations and inputs", "[reference]") {
  nc::Network Net;
  Net.addSource("in", 3, nc::SpikeSource::list({{1, 2}}));
  Net.addPopulation("hidden", 3, ifModel(2));
  Net.addPopulation("out", 3, ifModel(1));
  Net.Populations[0].Record = false;
  Net.addProjection("in", "hidden", nc::Connector::oneToOne());
  Net.addProjection("hidden", "out", nc::Connector::oneToOne());
  Net.addProjection("in", "out", nc::Connector::allToAll(), nc::WeightSpec::constant(1),
                    nc::DelaySpec::constant(3));
  // Host spikes add to the source's own: index 2 again at step 1 is
  // delivered twice, so hidden[2] gets 2 at t2 and fires, and out[2] fires
  // at t3. Indices 0 and 1 at step 4, index 0 at 5; step 40 is never reached.
  std::vector<nc::InputSpike> In = {
      {1, "in", 2}, {4, "in", 1}, {4, "in", 0}, {5, "in", 0}, {40, "in", 0}};
  Spikes S = run(Net, 9, In);
  // hidden[0] reaches 2 at t6 (inputs at 4 and 5) and out[0] gets it at t7;
  // all-to-all over delay 3: step 1 -> out[*] at 4, step 4 -> 7, step 5 -> 8.
  CHECK(S == Spikes{{3, "out", 2},
                    {4, "out", 0},
                    {4, "out", 1},
                    {4, "out", 2},
                    {7, "out", 0},
                    {7, "out", 1},
                    {7, "out", 2},
                    {8, "out", 0},
                    {8, "out", 1},
                    {8, "out", 2}});
  // Without the repeated host spike hidden[2] only reaches 1: no spike at 3.
  In.erase(In.begin());
  CHECK(run(Net, 9, In).front() == nc::PopulationSpike{4, "out", 0});

  nc::HardwareNetwork H = nc::lowerNetwork(Net, arch("tiny"));
  CHECK_THROWS_WITH(nc::simulateReference(H, 5, {{0, "nope", 0}}),
                    Contains("'nope' names no source of the network; its sources are: in"));
  CHECK_THROWS_WITH(nc::simulateReference(H, 5, {{0, "in", 3}}),
                    Contains("index 3 is out of range for source 'in' of 3 neurons"));
  CHECK_THROWS_WITH(nc::simulateReference(H, 5, {{2, "in", 1}, {2, "in", 1}}),
                    Contains("index 1 of source 'in' is given twice"));
}

namespace {

/// Runs one population's profile with isa::interpret on the dendritic input
/// this test computes itself from the source spikes and the lowered
/// synapses (feed-forward only), and returns its spikes.
Spikes interpretFeedForward(const nc::HardwareNetwork &H, uint64_t Steps) {
  REQUIRE(H.Populations.size() == 1);
  const nc::HwPopulation &P = H.Populations[0];
  std::vector<std::vector<uint32_t>> Input(Steps + 70, std::vector<uint32_t>(P.Size, 0));
  for (const nc::HwProjection &Proj : H.Projections) {
    REQUIRE(Proj.PreIsSource);
    for (auto [T, I] : nc::sourceSpikes(H.Sources[Proj.Pre], H.Dt, Steps))
      for (uint64_t K = Proj.Synapses.RowStart[I]; K < Proj.Synapses.RowStart[I + 1]; ++K) {
        int64_t W = P.UsesCrossbar ? P.Column.Weight[Proj.AxonType] : Proj.Synapses.Weight[K];
        Input[T + Proj.Synapses.Delay[K]][Proj.Synapses.Post[K]] +=
            uint32_t(uint64_t(W * (int64_t(1) << Proj.Shift)));
      }
  }
  Spikes Out;
  std::vector<std::vector<int32_t>> State(P.Size, P.InitialState);
  for (uint64_t T = 0; T < Steps; ++T)
    for (uint32_t N = 0; N < P.Size; ++N) {
      isa::NeuronContext Ctx;
      Ctx.Params = P.Profiles[0].Params.data();
      Ctx.State = State[N].data();
      Ctx.Input = int32_t(Input[T][N]);
      Ctx.Step = T;
      Ctx.Neuron = N;
      if (isa::interpret(P.Profiles[0].Program, Ctx).Spiked)
        Out.push_back({T, P.Name, N});
    }
  return Out;
}

} // namespace

TEST_CASE("model equations agree with the microcode programs", "[reference]") {
  isa::Architecture Loihi = arch("loihi"), TN = arch("truenorth");
  struct Case {
    const char *Name;
    nc::NeuronModel Model;
    double WLow, WHigh;
    bool Crossbar;
  };
  std::vector<Case> Cases = {
      {"cuba",
       nc::NeuronModel("loihi_cuba_lif", {{"du", 1500},
                                          {"dv", 300},
                                          {"vth_mant", 30},
                                          {"bias_mant", 5},
                                          {"bias_exp", 3},
                                          {"refractory", 2}}),
       -20, 60, false},
      {"cuba_strong",
       nc::NeuronModel("loihi_cuba_lif", {{"du", 4095}, {"dv", 4000}, {"vth_mant", 2000}}), -3000,
       9000, false}, // u wraps at 24 bits, v saturates
      {"adaptive",
       nc::NeuronModel("adaptive_lif", {{"du", 1500},
                                        {"dv", 300},
                                        {"vth_mant", 30},
                                        {"bias_mant", 5},
                                        {"bias_exp", 3},
                                        {"refractory", 2},
                                        {"dth", 200},
                                        {"th_step", 1500}}),
       -20, 60, false},
      {"adaptive_strong",
       nc::NeuronModel(
           "adaptive_lif",
           {{"du", 4095}, {"dv", 4000}, {"vth_mant", 2000}, {"dth", 20}, {"th_step", 3000000}}),
       -3000, 9000, false}, // u wraps, v saturates, theta climbs high
      {"lif",
       nc::NeuronModel("lif", {{"tau_m", 15e-3},
                               {"tau_syn", 3e-3},
                               {"v_th", 1},
                               {"bias", 0.05},
                               {"refractory", 2e-3}}),
       -0.3, 0.9, false},
      {"if", nc::NeuronModel("if", {{"threshold", 40}, {"bias", -1}, {"reset", 1}}), -10, 30,
       false},
      {"if_reset", nc::NeuronModel("if", {{"threshold", 25}, {"reset", 0}, {"reset_value", -7}}),
       -10, 30, false},
      {"truenorth",
       nc::NeuronModel("truenorth", {{"alpha", 9},
                                     {"beta", 5},
                                     {"lambda", -1},
                                     {"eps", 1},
                                     {"gamma", 1},
                                     {"w0", 4},
                                     {"w1", -3}}),
       1, 1, true},
      {"truenorth_kappa",
       nc::NeuronModel("truenorth", {{"alpha", 7},
                                     {"beta", 3},
                                     {"kappa", 1},
                                     {"lambda", 1},
                                     {"gamma", 2},
                                     {"w0", 5},
                                     {"w1", -6}}),
       1, 1, true},
  };
  for (const Case &C : Cases) {
    nc::Network Net;
    Net.addSource("drive", 30, nc::SpikeSource::poisson(150, 3));
    Net.addSource("other", 30, nc::SpikeSource::poisson(100, 4));
    Net.addPopulation(C.Name, 20, C.Model);
    Net.addProjection("drive", C.Name, nc::Connector::fixedProbability(0.3, 1),
                      nc::WeightSpec::uniform(C.WLow, C.WHigh, 2), nc::DelaySpec::uniform(1, 6, 3));
    Net.addProjection("other", C.Name, nc::Connector::fixedProbability(0.2, 5),
                      nc::WeightSpec::uniform(C.WLow, C.WHigh, 6), nc::DelaySpec::uniform(1, 6, 7));
    if (C.Crossbar) {
      Net.Projections[0].AxonType = 0;
      Net.Projections[1].AxonType = 1;
    }
    nc::HardwareNetwork H = nc::lowerNetwork(Net, C.Crossbar ? TN : Loihi);
    Spikes Want = interpretFeedForward(H, 400);
    Spikes Got = nc::simulateReference(H, 400);
    INFO(C.Name << ": " << Want.size() << " spikes from the programs");
    CHECK(Want.size() > 20); // the case exercises spiking
    CHECK(Got == Want);
  }
}
