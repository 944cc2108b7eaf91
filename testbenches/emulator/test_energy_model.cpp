//===- test_energy_model.cpp - counts to joules and seconds, by hand ------===//
//
// Micro-networks on the tiny preset (examples/arch/tiny.yaml: round,
// made-up costs) whose event counts are known by hand. The functional
// engine runs them, the energy model prices them, and every component of
// energy and time is compared with the arithmetic written next to it.
// Doubles are compared to a relative 1e-12: the hand sums and the model's
// sums differ only in the order of floating-point additions.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/emulator/EnergyModel.h"

#include "neuromesh/emulator/FunctionalEngine.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Image.h"

#include <catch2/catch.hpp>

#include <cmath>

namespace isa = neuromesh::isa;
namespace em = neuromesh::emulator;

namespace {

constexpr double pJ = 1e-12, ns = 1e-9, uW = 1e-6, mW = 1e-3, us = 1e-6;

/// A equals B up to floating-point rounding.
bool same(double A, double B) {
  return std::fabs(A - B) <= 1e-12 * std::max(std::fabs(A), std::fabs(B));
}
#define CHECK_SAME(A, B)                                                                           \
  do {                                                                                             \
    INFO(#A " = " << (A) << ", expected " << (B));                                                 \
    CHECK(same((A), (B)));                                                                         \
  } while (0)

isa::Architecture tiny() {
  return isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/tiny.yaml");
}

isa::Instruction ins(isa::Opcode Op) {
  isa::Instruction I;
  I.Op = Op;
  return I;
}

/// A core of tiny's shape whose neurons all run Program.
isa::Core makeCore(uint32_t Neurons, uint32_t Axons, std::vector<isa::Instruction> Program) {
  isa::Core C;
  C.Config.NumStateWords = 1;
  C.Config.NumDelaySlots = 8;
  C.Profiles.resize(1);
  C.Profiles[0].Program = std::move(Program);
  C.Neurons.resize(Neurons);
  for (isa::Neuron &N : C.Neurons)
    N.State = {0};
  C.Axons.resize(Axons);
  C.Outputs.resize(Neurons);
  return C;
}

/// Fires in every step.
std::vector<isa::Instruction> always() { return {ins(isa::Opcode::Spike)}; }
/// Never fires.
std::vector<isa::Instruction> never() { return {ins(isa::Opcode::Halt)}; }

/// An image for the tiny preset (2 chips, 2 x 2 tiles, 2 cores per tile).
isa::Image makeImage(std::vector<isa::Core> Cores, std::vector<isa::CoreLocation> Where) {
  isa::Image Img;
  Img.Header.ArchName = "tiny";
  Img.Header.NumChips = 2;
  Img.Header.MeshWidth = 2;
  Img.Header.MeshHeight = 2;
  Img.Header.CoresPerTile = 2;
  Img.Header.Cores = std::move(Where);
  Img.Cores = std::move(Cores);
  isa::validateImage(Img);
  return Img;
}

} // namespace

TEST_CASE("routes go x then y over the grid of chips", "[energy]") {
  isa::Architecture A = tiny(); // 2 x 2 tiles per chip, chips in a 2 x 1 grid
  auto R = [&](isa::CoreLocation F, isa::CoreLocation T) { return em::routeMessage(A, F, T); };
  em::TrafficCounts T;

  // Same core and same tile: within the tile, no hop.
  T = R({0, 1, 1, 0}, {0, 1, 1, 0});
  CHECK(T.WithinTile == 1);
  CHECK(T.HopsEastWest + T.HopsNorthSouth + T.ChipCrossings == 0);
  T = R({0, 1, 1, 0}, {0, 1, 1, 1});
  CHECK(T.WithinTile == 1);
  // (0,0) -> (1,1) on one chip: one hop each way.
  T = R({0, 0, 0, 0}, {0, 1, 1, 0});
  CHECK(T.WithinTile == 0);
  CHECK(T.HopsEastWest == 1);
  CHECK(T.HopsNorthSouth == 1);
  CHECK(T.ChipCrossings == 0);
  // Chip 0 tile (1,0) -> chip 1 tile (0,0): global x 1 -> 2, the step is
  // the chip edge, so one crossing and no hop.
  T = R({0, 1, 0, 0}, {1, 0, 0, 0});
  CHECK(T.HopsEastWest == 0);
  CHECK(T.ChipCrossings == 1);
  // Chip 0 tile (0,1) -> chip 1 tile (1,0): global x 0 -> 3 (2 hops + the
  // edge), y 1 -> 0 (1 hop). Symmetric the other way.
  T = R({0, 0, 1, 0}, {1, 1, 0, 0});
  CHECK(T.HopsEastWest == 2);
  CHECK(T.HopsNorthSouth == 1);
  CHECK(T.ChipCrossings == 1);
  CHECK(R({1, 1, 0, 0}, {0, 0, 1, 0}) == T);

  // A 2 x 2 chip grid: chip 3 sits at (1,1), so chip 0 -> 3 crosses twice.
  isa::Architecture G = A;
  G.Chips.Count = 4;
  G.Chips.GridWidth = 2;
  G.Chips.GridHeight = 2;
  T = em::routeMessage(G, {0, 0, 0, 0}, {3, 0, 0, 0});
  CHECK(T.ChipCrossings == 2);
  CHECK(T.HopsEastWest == 1);   // global x 0 -> 2: one hop, then the edge
  CHECK(T.HopsNorthSouth == 1); // global y 0 -> 2 alike
}

TEST_CASE("one spike to ten synapses two hops away", "[energy]") {
  // Core 0 (chip 0, tile (0,0)): one neuron that fires in every step, its
  // axon table -> core 1, axon 0. Core 1 (chip 0, tile (1,1)): axon 0 is a
  // sparse segment of ten synapses (weight 1, delay 1) onto its ten neurons,
  // which never fire.
  isa::Architecture A = tiny();
  isa::Core Src = makeCore(1, 0, always());
  Src.Outputs[0] = {{0, 1, 0}};
  isa::Core Dst = makeCore(10, 1, never());
  isa::SynapseSegment S;
  S.Kind = isa::SegmentKind::Sparse;
  for (uint16_t N = 0; N < 10; ++N)
    S.Sparse.push_back({N, 1, 1});
  Dst.Axons[0] = {S};
  isa::Image Img = makeImage({Src, Dst}, {{0, 0, 0, 0}, {0, 1, 1, 0}});

  em::FunctionalEngine E(Img);
  em::EnergyModel M(A, Img);
  std::vector<em::CoreCounters> Before;

  // Fixed per step: tiles in use 2 -> barrier 100 ns + (2-1)/(8-1) x 700 ns
  // = 200 ns, barrier energy 2 x 1 pJ = 2 pJ. Static power: 2 chips x 8
  // cores x 1 uW + 2 chips x 1 mW = 2.016 mW.
  CHECK(M.traffic().tilesUsed() == 2);
  CHECK_SAME(M.barrierLatency(), 200 * ns);
  CHECK_SAME(M.staticPower(), 16 * uW + 2 * mW);
  // The spike's route: 1 hop east-west + 1 hop north-south.
  CHECK(M.traffic().spike(0, 0) == em::TrafficCounts{1, 0, 1, 1, 0});
  CHECK_SAME(M.traffic().spikeRoute(0, 0), 3 * ns + 4 * ns);

  SECTION("step 0: the ten neurons have no input yet") {
    E.step();
    em::StepReport R = M.step(E, Before);
    // Counts: core 0 updates 1 neuron, which fires (active), sends 1
    // message; core 1 updates 10 inactive neurons, receives 1 spike, reads
    // 10 sparse synapses.
    CHECK(Before[0].NeuronUpdates == 1);
    CHECK(Before[0].ActiveNeuronUpdates == 1);
    CHECK(Before[0].SpikesOut == 1);
    CHECK(Before[0].MessagesOut == 1);
    CHECK(Before[1].NeuronUpdates == 10);
    CHECK(Before[1].ActiveNeuronUpdates == 0);
    CHECK(Before[1].DendriteReads == 0);
    CHECK(Before[1].SpikesIn == 1);
    CHECK(Before[1].sparseSynapticEvents() == 10);
    // Energy:
    CHECK_SAME(R.Energy.SynapticOps, 10 * 1 * pJ);         // 10 sparse x 1 pJ
    CHECK(R.Energy.Dendrite == 0);                         // no nonzero input
    CHECK_SAME(R.Energy.NeuronUpdates, 11 * 10 * pJ        // 11 accesses x 10 pJ
                                           + 1 * 20 * pJ   // 1 active x 20 pJ
                                           + 10 * 5 * pJ); // 10 inactive x 5 pJ = 180 pJ
    CHECK_SAME(R.Energy.SpikeGeneration, 30 * pJ);         // 1 spike x 30 pJ
    CHECK_SAME(R.Energy.MessageOut, 40 * pJ);              // 1 message x 40 pJ
    CHECK_SAME(R.Energy.MessageIn, 50 * pJ);               // 1 spike in x 50 pJ
    CHECK(R.Energy.WithinTile == 0);
    CHECK_SAME(R.Energy.HopsEastWest, 2 * pJ);   // 1 hop x 2 pJ
    CHECK_SAME(R.Energy.HopsNorthSouth, 3 * pJ); // 1 hop x 3 pJ
    CHECK(R.Energy.ChipLinks == 0);
    CHECK_SAME(R.Energy.Barrier, 2 * pJ);
    CHECK_SAME(R.Energy.dynamic(), 317 * pJ); // 10+180+30+40+50+2+3+2
    // Time: core 0 = 10 (access) + 5 (active) + 20 (spike) + 4 (out) = 39 ns;
    // core 1 = 10 x 1 (synapses) + 10 x 10 (access) + 10 x 1 (inactive)
    // + 8 (in) = 128 ns, the slowest. NoC: 3 + 4 = 7 ns. Barrier 200 ns.
    CHECK(R.Time.SlowestCore == 1);
    CHECK_SAME(R.Time.Compute, 128 * ns);
    CHECK_SAME(M.coreLatency(Before[0]), 39 * ns);
    CHECK_SAME(R.Time.Network, 7 * ns);
    CHECK_SAME(R.Time.Barrier, 200 * ns);
    CHECK_SAME(R.Time.latency(), 335 * ns);
    // Paced at the 10 us tick: static 2.016 mW x 10 us = 20.16 nJ.
    CHECK_SAME(R.Duration, 10 * us);
    CHECK_SAME(R.Energy.Static, 20.16e-9);
  }

  SECTION("two steps: the ten neurons integrate the first spike in step 1") {
    E.step();
    M.step(E, Before);
    E.step();
    em::StepReport R = M.step(E, Before);
    // Step 1: core 1's neurons read input 1 (delay 1): 10 dendrite reads, 10
    // active updates; the rest as in step 0.
    CHECK(Before[1].ActiveNeuronUpdates == 10);
    CHECK(Before[1].DendriteReads == 10);
    CHECK_SAME(R.Energy.Dendrite, 10 * 4 * pJ);                      // 40 pJ
    CHECK_SAME(R.Energy.NeuronUpdates, 11 * 10 * pJ + 11 * 20 * pJ); // 330 pJ
    CHECK_SAME(R.Energy.dynamic(), 507 * pJ);                        // 10+40+330+30+40+50+2+3+2
    // core 1 = 10 (synapses) + 10 x 2 (dendrite) + 100 (access) + 10 x 5
    // (active) + 8 (in) = 188 ns; + 7 + 200 = 395 ns.
    CHECK_SAME(R.Time.Compute, 188 * ns);
    CHECK_SAME(R.Time.latency(), 395 * ns);

    const em::EnergyTotals &T = M.totals();
    CHECK(T.Steps == 2);
    CHECK_SAME(T.Energy.dynamic(), 824 * pJ); // 317 + 507
    CHECK_SAME(T.LatencySum, 730 * ns);       // 335 + 395
    CHECK_SAME(T.LatencyMax, 395 * ns);
    CHECK_SAME(T.meanLatency(), 365 * ns);
    CHECK_SAME(T.DurationSum, 20 * us);
    CHECK_SAME(T.Energy.Static, 2 * 20.16e-9);
    // Unthrottled: 824 pJ / 730 ns + 2.016 mW; paced: (824 pJ + 40.32 nJ) / 20 us.
    CHECK_SAME(T.unthrottledPower(M.staticPower()), 824e-12 / 730e-9 + 2.016e-3);
    CHECK_SAME(T.pacedPower(), (824e-12 + 40.32e-9) / 20e-6);
  }
}

TEST_CASE("within-tile, chip-crossing, dense and crossbar events", "[energy]") {
  // Core 0 (chip 0, tile (1,0), slot 0): one neuron firing every step, to
  // core 1 axon 0 (same tile, slot 1) and to core 2 axon 0 (chip 1, tile
  // (0,0): one chip crossing, no hop). Core 1 axon 0: a dense run of 3
  // weights. Core 2 axon 0: a crossbar row 1011 (3 connected), its columns
  // deterministic. Neurons of cores 1 and 2 never fire.
  isa::Architecture A = tiny();
  isa::Core Src = makeCore(1, 0, always());
  Src.Outputs[0] = {{0, 1, 0}, {1, 0, 0}};
  isa::Core D = makeCore(4, 1, never());
  isa::SynapseSegment Dense;
  Dense.Kind = isa::SegmentKind::Dense;
  Dense.FirstNeuron = 1;
  Dense.Weights = {1, 2, 3};
  D.Axons[0] = {Dense};
  isa::Core X = makeCore(4, 1, never());
  isa::SynapseSegment Row;
  Row.Kind = isa::SegmentKind::Crossbar;
  Row.AxonType = 2;
  Row.Connected = {true, false, true, true};
  X.Axons[0] = {Row};
  X.Crossbar.resize(4);
  for (isa::CrossbarColumn &C : X.Crossbar)
    C.Weight = {1, 1, 1, 1};
  isa::Image Img = makeImage({Src, D, X}, {{0, 1, 0, 0}, {0, 1, 0, 1}, {1, 0, 0, 0}});

  em::FunctionalEngine E(Img);
  em::EnergyModel M(A, Img);
  std::vector<em::CoreCounters> Before;
  E.step();
  em::StepReport R = M.step(E, Before);

  // Traffic: 2 messages, 1 within the tile, 1 chip crossing.
  CHECK(M.traffic().spike(0, 0) == em::TrafficCounts{2, 1, 0, 0, 1});
  CHECK(Before[1].DenseSynapticEvents == 3);
  CHECK(Before[2].CrossbarSynapticEvents == 3);
  CHECK(Before[2].sparseSynapticEvents() == 0);
  CHECK_SAME(R.Energy.SynapticOps, 3 * 2 * pJ + 3 * 3 * pJ); // dense 2 pJ, crossbar 3 pJ
  CHECK_SAME(R.Energy.WithinTile, 1 * pJ);
  CHECK_SAME(R.Energy.ChipLinks, 100 * pJ);
  CHECK_SAME(R.Energy.MessageOut, 2 * 40 * pJ);
  CHECK_SAME(R.Energy.MessageIn, 2 * 50 * pJ);
  // Tiles in use: chip 0 (1,0) and chip 1 (0,0) = 2: barrier 2 pJ.
  CHECK_SAME(R.Energy.Barrier, 2 * pJ);
  // Neurons: 9 accesses x 10 + 1 active x 20 + 8 inactive x 5 = 150 pJ.
  CHECK_SAME(R.Energy.NeuronUpdates, 150 * pJ);
  // 15 (synapses) + 150 + 30 (spike) + 80 + 100 + 1 + 100 + 2 = 478 pJ
  CHECK_SAME(R.Energy.dynamic(), 478 * pJ);
  // Core 0: 10 + 5 + 20 + 2 x 4 = 43 ns; core 1: 3 x 1 + 4 x 10 + 4 x 1 + 8
  // = 55 ns; core 2 the same: 55 ns (core 1 is found first).
  CHECK_SAME(R.Time.Compute, 55 * ns);
  CHECK(R.Time.SlowestCore == 1);
  // Slowest message: the chip crossing, 50 ns (the within-tile one: 1 ns).
  CHECK_SAME(R.Time.Network, 50 * ns);
  CHECK_SAME(R.Time.latency(), 55 * ns + 50 * ns + 200 * ns);
}

TEST_CASE("an idle step costs the barrier, inactive neurons and static power", "[energy]") {
  isa::Architecture A = tiny();
  isa::Image Img = makeImage({makeCore(3, 0, never())}, {{0, 0, 0, 0}});
  em::EnergyModel M(A, Img);
  em::CoreCounters C;
  C.NeuronUpdates = 3;
  em::StepReport R = M.step({C}, {}, 0);
  // 3 x 10 + 3 x 5 = 45 pJ of neurons + 1 pJ barrier (1 tile).
  CHECK_SAME(R.Energy.dynamic(), 46 * pJ);
  // 3 x (10 + 1) ns + 100 ns barrier (1 tile).
  CHECK_SAME(R.Time.latency(), 133 * ns);
  // Unthrottled architecture: the step lasts its latency.
  A.Timestep.TickSeconds = 0;
  em::EnergyModel U(A, Img);
  em::StepReport RU = U.step({C}, {}, 0);
  CHECK_SAME(RU.Duration, 133 * ns);
  CHECK_SAME(RU.Energy.Static, U.staticPower() * 133 * ns);
  CHECK_SAME(U.totals().pacedPower(), U.totals().unthrottledPower(U.staticPower()));
}

TEST_CASE("the TrueNorth preset draws 65-72 mW on the published 20 Hz network", "[energy]") {
  // Merolla 2014 / Akopyan 2015: 4,096 cores x 256 neurons, 20 Hz mean rate,
  // 128 active synapses per neuron, 1 ms tick: 72 mW (0.775 V), 65 mW
  // (0.75 V). One second of it, as counts (docs/energy-model.md works it).
  isa::Architecture A =
      isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/truenorth.yaml");
  const uint64_t Neurons = 4096 * 256;
  const uint64_t Spikes = Neurons * 20;
  em::CoreCounters C;
  C.NeuronUpdates = Neurons * 1000;
  C.SpikesOut = C.MessagesOut = C.SpikesIn = Spikes;
  C.SynapticEvents = C.CrossbarSynapticEvents = Spikes * 128;
  // Uniformly random targets: the mean |dx| over a 64-wide mesh, counted
  // with routeMessage itself.
  uint64_t SumDx = 0;
  for (uint16_t X0 = 0; X0 < 64; ++X0)
    for (uint16_t X1 = 0; X1 < 64; ++X1)
      SumDx += em::routeMessage(A, {0, X0, 0, 0}, {0, X1, 0, 0}).HopsEastWest;
  CHECK(SumDx * 3 * 64 == (64 * 64 - 1) * 64 * 64); // (N^2-1)/(3N) per message
  em::TrafficCounts T;
  T.Messages = Spikes;
  T.HopsEastWest = T.HopsNorthSouth = Spikes * SumDx / (64 * 64);
  isa::Image One;
  One.Header.MeshWidth = One.Header.MeshHeight = 64;
  em::EnergyModel M(A, One);
  const double Dynamic = M.coreEnergy(C).dynamic() + M.trafficEnergy(T).dynamic();
  const double Watts = Dynamic / 1.0 + M.staticPower();
  // 42 mW + 2.684e9 x 9 pJ + 20.97e6 x 42.66 x 2.3 pJ = 68.2 mW
  CHECK(Watts >= 65e-3);
  CHECK(Watts <= 72e-3);
  CHECK(std::fabs(Watts - 68.22e-3) < 0.01e-3);
}

TEST_CASE("synaptic events by kind count every synapse, zero and stochastic weights included",
          "[energy]") {
  // One axon with: a sparse segment of 2 synapses (one of weight 0), a dense
  // run of 2 (one 0), and a crossbar row 1111 over columns whose weights
  // for type 1 are 0, 5 (deterministic) and 7, -7 (stochastic). A host spike
  // on it reads 2 sparse + 2 dense + 4 crossbar synapses.
  isa::Core C = makeCore(4, 1, never());
  isa::SynapseSegment Sp;
  Sp.Kind = isa::SegmentKind::Sparse;
  Sp.Sparse = {{0, 0, 1}, {1, 3, 2}};
  isa::SynapseSegment De;
  De.Kind = isa::SegmentKind::Dense;
  De.Weights = {0, 4};
  isa::SynapseSegment Xb;
  Xb.Kind = isa::SegmentKind::Crossbar;
  Xb.AxonType = 1;
  Xb.Connected = {true, true, true, true};
  C.Axons[0] = {Sp, De, Xb};
  C.Crossbar.resize(4);
  C.Crossbar[1].Weight[1] = 5;
  C.Crossbar[2].Weight[1] = 7;
  C.Crossbar[2].Stochastic[1] = true;
  C.Crossbar[3].Weight[1] = -7;
  C.Crossbar[3].Stochastic[1] = true;
  em::CoreState S(C);
  S.receive(0, 1, 0);
  const em::CoreCounters &K = S.counters();
  CHECK(K.SpikesIn == 1);
  CHECK(K.SynapticEvents == 8);
  CHECK(K.sparseSynapticEvents() == 2);
  CHECK(K.DenseSynapticEvents == 2);
  CHECK(K.CrossbarSynapticEvents == 4);
  CHECK(K.StochasticDraws == 2);
}

TEST_CASE("a pipelined core's busy time is the larger of its synapse and neuron units",
          "[energy]") {
  // The tiny preset's latencies (ns): sparse synapse 1, dense 1, dendrite
  // 2, access 10, active 5, inactive 1, spike 20, message out 4, in 8.
  isa::Architecture A = isa::loadArchitecture(
      std::string(NM_SOURCE_DIR) + "/examples/arch/tiny.yaml");
  em::CoreCounters C;
  C.NeuronUpdates = 10;     // 10 x 10 access
  C.ActiveNeuronUpdates = 4; // 4 x 5 active + 6 x 1 inactive
  C.DendriteReads = 4;       // 4 x 2
  C.SpikesOut = 1;           // 20
  C.MessagesOut = 2;         // 2 x 4
  C.SpikesIn = 3;            // 3 x 8
  C.SynapticEvents = 30;     // 30 sparse x 1
  const double ns = 1e-9;
  // Neuron unit: 100 + 20 + 6 + 8 + 20 + 8 = 162 ns; synapse unit: 24 + 30
  // = 54 ns.
  em::CoreLatencies Serial = em::CoreLatencies::fromCosts(A.Costs);
  CHECK_FALSE(Serial.SynapseOverlap); // tiny: costs.synapse_overlap 0
  CHECK_SAME(Serial.neuronTime(C), 162 * ns);
  CHECK_SAME(Serial.synapseTime(C), 54 * ns);
  CHECK_SAME(Serial.busyTime(C), 216 * ns);
  A.Costs.SynapseOverlap = 1;
  em::CoreLatencies Piped = em::CoreLatencies::fromCosts(A.Costs);
  CHECK_SAME(Piped.busyTime(C), 162 * ns);
  C.SynapticEvents = 200; // the synapse unit now the slower: 24 + 200 = 224 ns
  CHECK_SAME(Piped.busyTime(C), 224 * ns);
  // The Loihi preset pipelines its cores (both cost sets).
  for (const char *Set : {"davies2018", "silicon"})
    CHECK(isa::loadArchitecture(std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml",
                                {{"costs.model", Set}})
              .Costs.SynapseOverlap == 1);
}
