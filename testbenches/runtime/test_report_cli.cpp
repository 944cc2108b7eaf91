//===- test_report_cli.cpp - nmesh run --arch: energy, latency, power -----===//
//
// The micro-network of testbenches/emulator/test_energy_model.cpp (one
// spike to ten synapses two hops away, on examples/arch/tiny.yaml's round
// costs) is written to a .nmb here and run through the nmesh just built;
// report.json and the per-step CSV must hold the energies worked out by
// hand there (and in docs/energy-model.md). Also: the fingerprint check,
// the power budget's stretches and exit code, and the two engines agreeing
// on spikes and on every event-count energy component.
//
//===----------------------------------------------------------------------===//
#include "CliTestUtil.h"

#include "neuromesh/emulator/EnergyModel.h"
#include "neuromesh/emulator/systemc/Timing.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Image.h"
#include "neuromesh/isa/ImageFile.h"
#include "neuromesh/runtime/Run.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>
#include <vector>

namespace isa = neuromesh::isa;
namespace em = neuromesh::emulator;
namespace rt = neuromesh::runtime;
using neuromesh::testing::nmesh;
using neuromesh::testing::readFile;
using neuromesh::testing::TempDir;

namespace {

constexpr double pJ = 1e-12, ns = 1e-9, us = 1e-6, mW = 1e-3;

bool same(double A, double B) {
  return std::fabs(A - B) <= 1e-12 * std::max(std::fabs(A), std::fabs(B));
}
#define CHECK_SAME(A, B)                                                                           \
  do {                                                                                             \
    INFO(#A " = " << (A) << ", expected " << (B));                                                 \
    CHECK(same((A), (B)));                                                                         \
  } while (0)

const std::string Tiny = std::string(NM_SOURCE_DIR) + "/examples/arch/tiny.yaml";
const std::string Loihi = std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml";

isa::Instruction ins(isa::Opcode Op) {
  isa::Instruction I;
  I.Op = Op;
  return I;
}

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

/// Core 0 (chip 0, tile (0,0)): one neuron firing every step, to core 1
/// axon 0. Core 1 (chip 0, tile (1,1)): a sparse segment of ten synapses
/// (weight 1, delay 1) onto its ten neurons, which never fire.
isa::Image tenSynapsesTwoHopsAway(uint64_t Fingerprint) {
  isa::Core Src = makeCore(1, 0, {ins(isa::Opcode::Spike)});
  Src.Outputs[0] = {{0, 1, 0}};
  isa::Core Dst = makeCore(10, 1, {ins(isa::Opcode::Halt)});
  isa::SynapseSegment S;
  S.Kind = isa::SegmentKind::Sparse;
  for (uint16_t N = 0; N < 10; ++N)
    S.Sparse.push_back({N, 1, 1});
  Dst.Axons[0] = {S};
  isa::Image Img;
  Img.Header.ArchName = "tiny";
  Img.Header.ArchFingerprint = Fingerprint;
  Img.Header.NumChips = 2;
  Img.Header.MeshWidth = 2;
  Img.Header.MeshHeight = 2;
  Img.Header.CoresPerTile = 2;
  Img.Header.Cores = {{0, 0, 0, 0}, {0, 1, 1, 0}};
  Img.Cores = {Src, Dst};
  isa::validateImage(Img);
  return Img;
}

/// The number after "Key": in a report.json (every key is unique).
double jsonNumber(const std::string &Json, const std::string &Key) {
  const std::string Tag = "\"" + Key + "\": ";
  const size_t At = Json.find(Tag);
  INFO("key " << Key);
  REQUIRE(At != std::string::npos);
  return std::strtod(Json.c_str() + At + Tag.size(), nullptr);
}

std::string jsonString(const std::string &Json, const std::string &Key) {
  const std::string Tag = "\"" + Key + "\": \"";
  const size_t At = Json.find(Tag);
  INFO("key " << Key);
  REQUIRE(At != std::string::npos);
  const size_t Begin = At + Tag.size();
  return Json.substr(Begin, Json.find('"', Begin) - Begin);
}

/// A CSV as rows of column name -> value.
std::vector<std::map<std::string, double>> readCsv(const std::string &Text) {
  std::istringstream In(Text);
  std::string Line;
  std::getline(In, Line);
  std::vector<std::string> Names;
  std::istringstream H(Line);
  for (std::string F; std::getline(H, F, ',');)
    Names.push_back(F);
  std::vector<std::map<std::string, double>> Rows;
  while (std::getline(In, Line)) {
    std::istringstream L(Line);
    std::map<std::string, double> Row;
    size_t I = 0;
    for (std::string F; std::getline(L, F, ','); ++I) {
      REQUIRE(I < Names.size());
      Row[Names[I]] = std::strtod(F.c_str(), nullptr);
    }
    CHECK(I == Names.size());
    Rows.push_back(Row);
  }
  return Rows;
}

const char *const Components[] = {"synaptic_ops",     "dendrite",       "neuron_updates",
                                  "spike_generation", "message_out",    "message_in",
                                  "within_tile",      "hops_east_west", "hops_north_south",
                                  "chip_links",       "barrier",        "static"};

} // namespace

TEST_CASE("nmesh run --arch prices the micro-network exactly as worked by hand", "[report]") {
  TempDir T;
  const uint64_t FP = isa::loadArchitecture(Tiny).fingerprint();
  isa::writeImageFile(tenSynapsesTwoHopsAway(FP), T / "micro.nmb");
  const std::string Engine = GENERATE(std::string("functional"), std::string("systemc"));
  INFO("engine " << Engine);
  auto R = nmesh(T, "run '" + T / "micro.nmb" + "' --steps 2 --engine " + Engine + " --arch '" +
                        Tiny + "' --report '" + T / "report.json" + "' --per-step '" +
                        T / "steps.csv" + "'");
  INFO(R.Out << R.Err);
  REQUIRE(R.Exit == 0);
  CHECK(R.Err.find("warning") == std::string::npos);
  // The summary table.
  CHECK(R.Out.find("architecture:          tiny") != std::string::npos);
  CHECK(R.Out.find("energy total:          41.14 nJ") != std::string::npos);
  CHECK(R.Out.find("static                   40.32 nJ") != std::string::npos);

  // Per step (test_energy_model.cpp, docs/energy-model.md): static is
  // 2.016 mW x the 10 us tick = 20.16 nJ in both steps (the latencies are
  // far below the tick).
  const std::string Csv = readFile(T / "steps.csv");
  CHECK(Csv.substr(0, Csv.find('\n')) ==
        "step,latency_s,energy_j,synaptic_ops_j,dendrite_j,neuron_updates_j,spike_generation_j,"
        "message_out_j,message_in_j,within_tile_j,hops_east_west_j,hops_north_south_j,"
        "chip_links_j,barrier_j,static_j");
  auto Rows = readCsv(Csv);
  REQUIRE(Rows.size() == 2);
  CHECK(Rows[0]["step"] == 0);
  CHECK(Rows[1]["step"] == 1);
  // Step 0: 10 sparse synapses x 1 pJ; 11 accesses x 10 pJ + 1 active x 20
  // pJ + 10 inactive x 5 pJ; 1 spike x 30 pJ; out 40 pJ; in 50 pJ; hops 2 +
  // 3 pJ; barrier 2 tiles x 1 pJ: 317 pJ.
  CHECK_SAME(Rows[0]["synaptic_ops_j"], 10 * pJ);
  CHECK(Rows[0]["dendrite_j"] == 0);
  CHECK_SAME(Rows[0]["neuron_updates_j"], 180 * pJ);
  CHECK_SAME(Rows[0]["spike_generation_j"], 30 * pJ);
  CHECK_SAME(Rows[0]["message_out_j"], 40 * pJ);
  CHECK_SAME(Rows[0]["message_in_j"], 50 * pJ);
  CHECK(Rows[0]["within_tile_j"] == 0);
  CHECK_SAME(Rows[0]["hops_east_west_j"], 2 * pJ);
  CHECK_SAME(Rows[0]["hops_north_south_j"], 3 * pJ);
  CHECK(Rows[0]["chip_links_j"] == 0);
  CHECK_SAME(Rows[0]["barrier_j"], 2 * pJ);
  CHECK_SAME(Rows[0]["static_j"], 20.16e-9);
  CHECK_SAME(Rows[0]["energy_j"], 317 * pJ + 20.16e-9);
  // Step 1: 10 dendrite reads x 4 pJ; 11 accesses + 11 active: 330 pJ.
  CHECK_SAME(Rows[1]["dendrite_j"], 40 * pJ);
  CHECK_SAME(Rows[1]["neuron_updates_j"], 330 * pJ);
  CHECK_SAME(Rows[1]["energy_j"], 507 * pJ + 20.16e-9);
  if (Engine == "functional") {
    // The energy model's estimate: 128 + 7 + 200 ns, 188 + 7 + 200 ns.
    CHECK_SAME(Rows[0]["latency_s"], 335 * ns);
    CHECK_SAME(Rows[1]["latency_s"], 395 * ns);
  } else {
    // Simulated, with the tiny preset's timing on its 1 ns mesh clock
    // (docs/systemc.md, the step protocol): core 0 updates in
    // 10 + 5 + 20 = 35 ns and sends its message at 35 + 4 = 39 ns; the
    // local port takes it at cycle 39, the router serialises it in 2
    // cycles (32-bit message, 16-bit link) with a hop latency of
    // max(3, 4) ns = 4 cycles: 3 routers (2 links + ejection) x (2 - 1 + 4)
    // = 15 cycles, so it is in core 1's eject buffer at 54 ns. Core 1
    // finished its own update (step 0: 10 x (10 + 1) = 110 ns; step 1: 10 x
    // (10 + 1) = 110 ns as well, its input arrives in the update: 10 x (10 +
    // 5 + 2) = 170 ns) before absorbing it: 8 + 10 x 1 = 18 ns more. Step 0
    // ends at max(51, 110) + 18 = 128 ns; step 1 at 170 + 18 = 188 ns; then
    // the barrier (200 ns).
    CHECK_SAME(Rows[0]["latency_s"], 328 * ns);
    CHECK_SAME(Rows[1]["latency_s"], 388 * ns);
  }

  const std::string Json = readFile(T / "report.json");
  INFO(Json);
  CHECK(jsonString(Json, "engine") == Engine);
  CHECK(jsonString(Json, "architecture") == "tiny");
  CHECK(jsonString(Json, "cost_model") == "");
  CHECK(jsonNumber(Json, "steps") == 2);
  CHECK(jsonNumber(Json, "spikes") == 2);
  CHECK(jsonNumber(Json, "synaptic_events") == 20);
  CHECK_SAME(jsonNumber(Json, "dynamic_energy_j"), 824 * pJ); // 317 + 507
  CHECK_SAME(jsonNumber(Json, "energy_j"), 824 * pJ + 40.32e-9);
  CHECK_SAME(jsonNumber(Json, "synaptic_ops"), 20 * pJ);
  CHECK_SAME(jsonNumber(Json, "dendrite"), 40 * pJ);
  CHECK_SAME(jsonNumber(Json, "neuron_updates"), 510 * pJ);
  CHECK_SAME(jsonNumber(Json, "spike_generation"), 60 * pJ);
  CHECK_SAME(jsonNumber(Json, "message_out"), 80 * pJ);
  CHECK_SAME(jsonNumber(Json, "message_in"), 100 * pJ);
  CHECK(jsonNumber(Json, "within_tile") == 0);
  CHECK_SAME(jsonNumber(Json, "hops_east_west"), 4 * pJ);
  CHECK_SAME(jsonNumber(Json, "hops_north_south"), 6 * pJ);
  CHECK(jsonNumber(Json, "chip_links") == 0);
  CHECK_SAME(jsonNumber(Json, "barrier"), 4 * pJ);
  CHECK_SAME(jsonNumber(Json, "static"), 40.32e-9);
  CHECK_SAME(jsonNumber(Json, "tick_s"), 10 * us);
  CHECK_SAME(jsonNumber(Json, "duration_s"), 20 * us);
  CHECK_SAME(jsonNumber(Json, "static_power_w"), 2.016 * mW);
  CHECK_SAME(jsonNumber(Json, "power_paced_w"), (824 * pJ + 40.32e-9) / (20 * us));
  const double Sum = Engine == "functional" ? 730 * ns : 716 * ns;
  CHECK_SAME(jsonNumber(Json, "latency_sum_s"), Sum);
  CHECK_SAME(jsonNumber(Json, "latency_mean_s"), Sum / 2);
  CHECK_SAME(jsonNumber(Json, "latency_max_s"), Engine == "functional" ? 395 * ns : 388 * ns);
  CHECK_SAME(jsonNumber(Json, "power_unthrottled_w"), 824 * pJ / Sum + 2.016 * mW);
}

TEST_CASE("nmesh run --arch refuses an image compiled for another architecture", "[report]") {
  TempDir T;
  const uint64_t FP = isa::loadArchitecture(Tiny).fingerprint();
  isa::writeImageFile(tenSynapsesTwoHopsAway(FP), T / "micro.nmb");

  // Another cost set is the same chip: accepted.
  auto Ok = nmesh(T, "run '" + T / "micro.nmb" + "' --steps 1 --arch '" + Tiny +
                         "' --set costs.static_power.per_chip=2mW");
  INFO(Ok.Out << Ok.Err);
  CHECK(Ok.Exit == 0);

  // Another structure: a clear error naming both architectures.
  auto Bad = nmesh(T, "run '" + T / "micro.nmb" + "' --steps 1 --arch '" + Tiny +
                          "' --set core.neurons=32");
  INFO(Bad.Out << Bad.Err);
  CHECK(Bad.Exit == 1);
  const uint64_t Other =
      isa::loadArchitecture(Tiny, {{"core.neurons", "32"}}).fingerprint();
  CHECK(Bad.Err.find("micro.nmb") != std::string::npos);
  CHECK(Bad.Err.find("compiled for architecture 'tiny'") != std::string::npos);
  CHECK(Bad.Err.find(fmt::format("{:#018x}", FP)) != std::string::npos);
  CHECK(Bad.Err.find(fmt::format("{:#018x}", Other)) != std::string::npos);
  CHECK(Bad.Err.find("recompile") != std::string::npos);
  CHECK(Bad.Out.find("energy") == std::string::npos);

  auto Loi = nmesh(T, "run '" + T / "micro.nmb" + "' --steps 1 --arch '" + Loihi + "'");
  CHECK(Loi.Exit == 1);
  CHECK(Loi.Err.find("--arch gives 'loihi'") != std::string::npos);

  // Fingerprint 0 (assembled by hand): a warning, and the run goes on.
  isa::writeImageFile(tenSynapsesTwoHopsAway(0), T / "zero.nmb");
  auto Zero = nmesh(T, "run '" + T / "zero.nmb" + "' --steps 2 --arch '" + Tiny + "'");
  INFO(Zero.Out << Zero.Err);
  CHECK(Zero.Exit == 0);
  CHECK(Zero.Err.find("warning: the image has no architecture fingerprint") != std::string::npos);
  CHECK(Zero.Out.find("energy total:          41.14 nJ") != std::string::npos);

  // Without --arch: no energy section, said in one line; the energy
  // options need --arch.
  auto None = nmesh(T, "run '" + T / "micro.nmb" + "' --steps 1");
  CHECK(None.Exit == 0);
  CHECK(None.Out.find("no architecture given") != std::string::npos);
  CHECK(None.Out.find("energy total") == std::string::npos);
  auto Needs = nmesh(T, "run '" + T / "micro.nmb" + "' --steps 1 --report '" + T / "r.json" + "'");
  CHECK(Needs.Exit == 2);
  CHECK(Needs.Err.find("--report needs --arch") != std::string::npos);
}

TEST_CASE("nmesh run --power-budget names every stretch over the budget and exits 3",
          "[report]") {
  TempDir T;
  isa::writeImageFile(tenSynapsesTwoHopsAway(isa::loadArchitecture(Tiny).fingerprint()),
                      T / "micro.nmb");
  auto Run = [&](const std::string &Budget) {
    return nmesh(T, "run '" + T / "micro.nmb" + "' --steps 3 --arch '" + Tiny +
                        "' --power-budget " + Budget);
  };
  // Paced power: step 0 (317 pJ + 20.16 nJ) / 10 us = 2.0477 mW; steps 1
  // and 2 (507 pJ + 20.16 nJ) / 10 us = 2.0667 mW.
  auto Mid = Run("2.05mW");
  INFO(Mid.Out << Mid.Err);
  CHECK(Mid.Exit == 3);
  CHECK(Mid.Out.find("exceeded in 1 stretch(es)") != std::string::npos);
  CHECK(Mid.Out.find("steps 1-2: peak 2.067 mW") != std::string::npos);

  auto Low = Run("1mW");
  CHECK(Low.Exit == 3);
  CHECK(Low.Out.find("steps 0-2: peak 2.067 mW") != std::string::npos);

  auto High = Run("100mW");
  INFO(High.Out << High.Err);
  CHECK(High.Exit == 0);
  CHECK(High.Out.find("never exceeded") != std::string::npos);

  auto Bad = Run("lots");
  CHECK(Bad.Exit == 2);
  CHECK(Bad.Err.find("--power-budget") != std::string::npos);
}

TEST_CASE("power budget stretches split at steps within the budget", "[report]") {
  rt::EnergyReport E;
  // Paced powers 1, 5, 6, 1, 7 W (energy over a 1 s duration).
  for (double P : {1.0, 5.0, 6.0, 1.0, 7.0}) {
    em::StepReport S;
    S.Energy.Static = P;
    S.Duration = 1;
    E.PerStep.push_back(S);
  }
  auto Over = rt::powerBudgetStretches(E, 4);
  REQUIRE(Over.size() == 2);
  CHECK(Over[0].FirstStep == 1);
  CHECK(Over[0].LastStep == 2);
  CHECK(Over[0].PeakWatts == 6);
  CHECK(Over[1].FirstStep == 4);
  CHECK(Over[1].LastStep == 4);
  CHECK(rt::powerBudgetStretches(E, 7).empty()); // "exceeds": 7 W is not over 7 W
}

TEST_CASE("SI formatting", "[report]") {
  CHECK(rt::formatSI(20.16e-9, "J") == "20.16 nJ");
  CHECK(rt::formatSI(2.016e-3, "W") == "2.016 mW");
  CHECK(rt::formatSI(1e-3, "W") == "1 mW");
  CHECK(rt::formatSI(0, "J") == "0 J");
  CHECK(rt::formatSI(3.5, "s") == "3.5 s");
  CHECK(rt::formatSI(1500, "W") == "1.5 kW");
  CHECK(rt::formatSI(2e-15, "J") == "2 fJ");
}

TEST_CASE("the SystemC core timing and the energy model share one latency formula",
          "[report]") {
  isa::Architecture A = isa::loadArchitecture(Loihi, {{"costs.model", "silicon"}});
  isa::Image Img = tenSynapsesTwoHopsAway(0);
  Img.Header.ArchName = "loihi";
  em::EnergyModel M(A, Img);
  namespace sc = em::systemc;
  sc::SystemCTiming Timing = sc::timingFromArchitecture(A, 2);
  em::CoreCounters C;
  C.NeuronUpdates = 1024;
  C.ActiveNeuronUpdates = 300;
  C.DendriteReads = 250;
  C.SpikesOut = 40;
  C.MessagesOut = 70;
  C.SpikesIn = 90;
  C.SynapticEvents = 5000;
  C.DenseSynapticEvents = 1200;
  C.CrossbarSynapticEvents = 0;
  // Silicon-fitted Loihi, by hand: the synapse unit takes sparse 3800 x
  // 4.7 + dense 1200 x 3.8 + in 90 x 16 ns = 23.86 us; the neuron unit
  // access 1024 x 6.0 + active 300 x 3.7 + spikes 40 x 30 + out 70 x 5.1
  // ns = 8.811 us (dendrite, inactive: 0). Loihi's cores are pipelined
  // (costs.synapse_overlap 1): the larger; serial: the sum.
  const double Synapse = (3800 * 4.7 + 1200 * 3.8 + 90 * 16) * ns;
  const double Neuron = (1024 * 6.0 + 300 * 3.7 + 40 * 30 + 70 * 5.1) * ns;
  CHECK_SAME(M.coreLatency(C), Synapse);
  CHECK(Timing.Core.busyTime(C) == M.coreLatency(C));
  isa::Architecture Serial = isa::loadArchitecture(
      Loihi, {{"costs.model", "silicon"}, {"costs.synapse_overlap", "0"}});
  em::EnergyModel MS(Serial, Img);
  CHECK_SAME(MS.coreLatency(C), Synapse + Neuron);
  CHECK(sc::timingFromArchitecture(Serial, 2).Core.busyTime(C) == MS.coreLatency(C));
}

TEST_CASE("both engines give the same spikes and event-count energy with --arch", "[report]") {
  TempDir T;
  auto Compile = nmesh(T, "compile '" + std::string(NM_SOURCE_DIR) +
                              "/examples/networks/feedforward.yaml' --arch '" + Loihi + "' -o '" +
                              T / "ff.nmb" + "'");
  INFO(Compile.Out << Compile.Err);
  REQUIRE(Compile.Exit == 0);
  std::map<std::string, std::string> Json, Spikes;
  for (const std::string Engine : {"functional", "systemc"}) {
    auto R = nmesh(T, "run '" + T / "ff.nmb" + "' --steps 60 --engine " + Engine + " --arch '" +
                          Loihi + "' --spikes '" + T / (Engine + ".csv") + "' --report '" +
                          T / (Engine + ".json") + "'");
    INFO(R.Out << R.Err);
    REQUIRE(R.Exit == 0);
    Json[Engine] = readFile(T / (Engine + ".json"));
    Spikes[Engine] = readFile(T / (Engine + ".csv"));
  }
  CHECK(Spikes["functional"].size() > 100);
  CHECK(Spikes["functional"] == Spikes["systemc"]);
  CHECK(jsonNumber(Json["functional"], "spikes") > 0);
  CHECK(jsonNumber(Json["functional"], "spikes") == jsonNumber(Json["systemc"], "spikes"));
  CHECK(jsonNumber(Json["functional"], "synaptic_events") ==
        jsonNumber(Json["systemc"], "synaptic_events"));
  CHECK(jsonNumber(Json["functional"], "synaptic_ops") > 0);
  for (const char *C : Components) {
    if (std::string(C) == "static")
      continue; // static power x the step latencies, which the engines estimate differently
    INFO(C);
    CHECK(jsonNumber(Json["functional"], C) == jsonNumber(Json["systemc"], C));
  }
  CHECK(jsonNumber(Json["functional"], "dynamic_energy_j") ==
        jsonNumber(Json["systemc"], "dynamic_energy_j"));
  CHECK(jsonString(Json["systemc"], "latency_source") == "simulated");
  CHECK(jsonString(Json["functional"], "latency_source") == "estimate");
  CHECK(jsonString(Json["systemc"], "mesh_model") == isa::meshModelName(isa::DefaultMeshModel));
  CHECK(jsonString(Json["functional"], "mesh_model").empty());
  CHECK(jsonString(Json["functional"], "cost_model") == "davies2018");
}
