//===- test_partition.cpp - cutting populations into cores ---------------===//
//
// Hand-worked partitions on the tiny architecture (16 neurons, 32 input
// axons, 64 output entries, fan-out 8, 1024 bytes of synaptic memory, 4
// profiles, 4 state words per core; sparse synapse 8 + 3 + 4 = 15 bits,
// dense 8 bits). Every expected core count below is derived in the comment
// above it from those limits and the cost rules of docs/mapping.md.
//
//===----------------------------------------------------------------------===//
#include "MappingTestUtil.h"

#include "neuromesh/compiler/Mapping.h"
#include "neuromesh/isa/Error.h"

#include <catch2/catch.hpp>

using namespace neuromesh;
using namespace neuromesh::compiler;
using namespace nmtest;

namespace {
std::vector<std::string> populationsOf(const MappedNetwork &M, size_t Core) {
  return M.Report.Cores.at(Core).Populations;
}
} // namespace

TEST_CASE("a network that fits one core maps to one core", "[partition]") {
  // 4 source neurons all-to-all onto 10 neurons: 4 axons, each one dense
  // run of 10 weights (80 bits < 10 * 15 sparse bits) = 10 bytes.
  HardwareNetwork Net;
  Net.Name = "one";
  uint32_t In = addSource(Net, "in", 4);
  uint32_t A = addPopulation(Net, ifPopulation("a", 10));
  connect(Net, true, In, A, allToAll(4, 10));
  MappedNetwork M = mapNetwork(Net, preset("tiny"));
  REQUIRE(M.Report.CoresUsed == 1);
  REQUIRE(M.Report.ChipsUsed == 1);
  const CoreUsage &U = M.Report.Cores[0];
  CHECK(U.Neurons == 10);
  CHECK(U.InputAxons == 4);
  CHECK(U.SynapseBytes == 40);
  CHECK(U.Profiles == 1);
  CHECK(U.OutputAxons == 0);
  CHECK(U.Populations == std::vector<std::string>{"a[0..9]"});
  CHECK(M.Report.MessagesPerStep == 0);
  CHECK(M.Report.MaxNeuronUse == Approx(10.0 / 16));
  CHECK(M.Report.MaxAxonUse == Approx(4.0 / 32));
  CHECK(M.Report.MaxSynapseMemoryUse == Approx(40.0 / 1024));
}

TEST_CASE("populations are split at the neuron limit and small ones share cores",
          "[partition]") {
  SECTION("one population of 40 neurons: 16 + 16 + 8") {
    HardwareNetwork Net;
    addPopulation(Net, ifPopulation("a", 40));
    MappedNetwork M = mapNetwork(Net, preset("tiny"));
    CHECK(coreSizes(M) == std::vector<uint32_t>{16, 16, 8});
    CHECK(populationsOf(M, 2) == std::vector<std::string>{"a[32..39]"});
  }
  SECTION("small populations share a core") {
    HardwareNetwork Net;
    addPopulation(Net, ifPopulation("a", 10));
    addPopulation(Net, ifPopulation("b", 6));
    addPopulation(Net, ifPopulation("c", 3));
    MappedNetwork M = mapNetwork(Net, preset("tiny"));
    CHECK(coreSizes(M) == std::vector<uint32_t>{16, 3});
    CHECK(populationsOf(M, 0) == std::vector<std::string>{"a[0..9]", "b[0..5]"});
  }
  SECTION("a population that fits one core is not split over two") {
    // b (10) does not fit the 6 neurons left next to a: it gets a core.
    HardwareNetwork Net;
    addPopulation(Net, ifPopulation("a", 10));
    addPopulation(Net, ifPopulation("b", 10));
    MappedNetwork M = mapNetwork(Net, preset("tiny"));
    CHECK(coreSizes(M) == std::vector<uint32_t>{10, 10});
    CHECK(populationsOf(M, 1) == std::vector<std::string>{"b[0..9]"});
  }
  SECTION("unless keeping populations whole needs more cores than the system has") {
    // 17 populations of 10 whole need 17 cores > 16; packed: 170 neurons in
    // 10 full cores and one of 10, p1 split as p1[0..5] + p1[6..9].
    HardwareNetwork Net;
    for (int I = 0; I < 17; ++I)
      addPopulation(Net, ifPopulation("p" + std::to_string(I), 10));
    MappedNetwork M = mapNetwork(Net, preset("tiny"));
    CHECK(coreSizes(M) ==
          std::vector<uint32_t>{16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 10});
    CHECK(populationsOf(M, 0) == std::vector<std::string>{"p0[0..9]", "p1[0..5]"});
  }
}

TEST_CASE("the input axon limit splits a population by fan-in", "[partition]") {
  // Post neuron j receives from source neurons j..j+19. Neurons 0..k of a
  // core use axons 0..k+19, so k + 20 <= 32 gives 13 neurons on core 0;
  // the last 3 (13..15) use axons 13..34 = 22 axons. Every axon's targets
  // are a contiguous run, so each synapse is one dense byte: core 0 holds
  // 13 * 20 = 260 bytes, core 1 3 * 20 = 60.
  HardwareNetwork Net;
  uint32_t In = addSource(Net, "in", 35);
  uint32_t P = addPopulation(Net, ifPopulation("p", 16));
  std::vector<Syn> S;
  for (uint32_t J = 0; J < 16; ++J)
    for (uint32_t I = J; I < J + 20; ++I)
      S.push_back(Syn{I, J});
  connect(Net, true, In, P, S);
  MappedNetwork M = mapNetwork(Net, preset("tiny"));
  REQUIRE(coreSizes(M) == std::vector<uint32_t>{13, 3});
  CHECK(M.Report.Cores[0].InputAxons == 32);
  CHECK(M.Report.Cores[1].InputAxons == 22);
  CHECK(M.Report.Cores[0].SynapseBytes == 260);
  CHECK(M.Report.Cores[1].SynapseBytes == 60);
}

TEST_CASE("the synaptic memory limit splits a population", "[partition]") {
  // 30 source neurons all-to-all onto 16: 30 axons (<= 32).
  HardwareNetwork Net;
  uint32_t In = addSource(Net, "in", 30);
  uint32_t P = addPopulation(Net, ifPopulation("p", 16));
  SECTION("dense runs: k neurons take 30 * k bytes; 200 bytes hold 6") {
    connect(Net, true, In, P, allToAll(30, 16));
    MappedNetwork M = mapNetwork(Net, preset("tiny", {{"core.synapse_memory_bytes", "200"}}));
    CHECK(coreSizes(M) == std::vector<uint32_t>{6, 6, 4});
    CHECK(M.Report.Cores[0].SynapseBytes == 180);
    CHECK(M.Report.Cores[2].SynapseBytes == 120);
  }
  SECTION("mixed delays force sparse lists: 3 neurons take 30 * 6 bytes") {
    // Delay 1 + (j mod 2): an axon with one target is a 1-byte dense run;
    // with k >= 2 targets it has two delays, so it is sparse: ceil(15k/8)
    // bytes = 4, 6, 8 for k = 2, 3, 4. 30 * 6 = 180 <= 200 < 30 * 8.
    std::vector<Syn> S;
    for (uint32_t I = 0; I < 30; ++I)
      for (uint32_t J = 0; J < 16; ++J)
        S.push_back(Syn{I, J, 1, uint8_t(1 + J % 2)});
    connect(Net, true, In, P, S);
    MappedNetwork M = mapNetwork(Net, preset("tiny", {{"core.synapse_memory_bytes", "200"}}));
    CHECK(coreSizes(M) == std::vector<uint32_t>{3, 3, 3, 3, 3, 1});
    CHECK(M.Report.Cores[0].SynapseBytes == 180);
    CHECK(M.Report.Cores[5].SynapseBytes == 30);
    CHECK(M.Image.Cores[0].Config.NumDelaySlots == 2);
    CHECK(M.Image.Cores[5].Config.NumDelaySlots == 2); // neuron 15: delay 2
  }
}

TEST_CASE("the output table limit splits the sending population", "[partition]") {
  // a (16) -> b (80) all-to-all. With b on 6 cores every a neuron has 6
  // destinations, so a core holds floor(64 / 6) = 10 a neurons:
  //   core 0 a[0..9] (60 entries), core 1 a[10..15] (36) + b[0..9],
  //   cores 2..5 b[10..73] by 16, core 6 b[74..79]; b spans cores 1..6.
  // (Cutting with 5 or 4 destinations per neuron would overflow a core.)
  HardwareNetwork Net;
  uint32_t A = addPopulation(Net, ifPopulation("a", 16));
  uint32_t B = addPopulation(Net, ifPopulation("b", 80));
  connect(Net, false, A, B, allToAll(16, 80));
  MappedNetwork M = mapNetwork(Net, preset("tiny"));
  REQUIRE(coreSizes(M) == std::vector<uint32_t>{10, 16, 16, 16, 16, 16, 6});
  CHECK(populationsOf(M, 1) == std::vector<std::string>{"a[10..15]", "b[0..9]"});
  CHECK(M.Report.Cores[0].OutputAxons == 60);
  CHECK(M.Report.Cores[1].OutputAxons == 36);
  CHECK(M.Report.Cores[2].OutputAxons == 0);
  CHECK(M.Report.MaxOutputAxonUse == Approx(60.0 / 64));
  // One message per (a neuron, b core): 16 * 6.
  CHECK(M.Report.MessagesPerStep == 96);
}

TEST_CASE("profiles per core are a limit and identical profiles are shared", "[partition]") {
  SECTION("10 neurons with 10 different profiles: 4 + 4 + 2") {
    HardwareNetwork Net;
    HwPopulation P = ifPopulation("p", 10);
    P.Profiles.clear();
    for (int32_t I = 0; I < 10; ++I) {
      IfParams Prm;
      Prm.Bias = I;
      P.Profiles.push_back(ifProfile(Prm));
      P.ProfileOf.push_back(uint16_t(I));
    }
    addPopulation(Net, P);
    MappedNetwork M = mapNetwork(Net, preset("tiny"));
    CHECK(coreSizes(M) == std::vector<uint32_t>{4, 4, 2});
    CHECK(M.Report.Cores[2].Profiles == 2);
    // Core 1 holds neurons 4..7: their profiles, in order.
    REQUIRE(M.Image.Cores[1].Profiles.size() == 4);
    CHECK(M.Image.Cores[1].Profiles[0] == P.Profiles[4]);
    CHECK(M.Image.Cores[1].Neurons[3].Profile == 3);
  }
  SECTION("two populations with the same model share one profile") {
    HardwareNetwork Net;
    addPopulation(Net, ifPopulation("a", 5, 7));
    addPopulation(Net, ifPopulation("b", 5, 7));
    addPopulation(Net, ifPopulation("c", 5, 9));
    MappedNetwork M = mapNetwork(Net, preset("tiny"));
    REQUIRE(M.Report.CoresUsed == 1);
    CHECK(M.Report.Cores[0].Profiles == 2);
    CHECK(M.Image.Cores[0].Neurons[9].Profile == 0);  // b[4]
    CHECK(M.Image.Cores[0].Neurons[10].Profile == 1); // c[0]
  }
}

TEST_CASE("a core's state words are the most its populations need", "[partition]") {
  HardwareNetwork Net;
  HwPopulation A = ifPopulation("a", 2);
  A.InitialState = {5, 6}; // one word per neuron
  HwPopulation B = ifPopulation("b", 2);
  B.StateWords = 3;
  B.InitialState = {1, 2, 3}; // the same three words for every neuron
  addPopulation(Net, A);
  addPopulation(Net, B);
  MappedNetwork M = mapNetwork(Net, preset("tiny"));
  REQUIRE(M.Report.CoresUsed == 1);
  const isa::Core &C = M.Image.Cores[0];
  CHECK(C.Config.NumStateWords == 3);
  CHECK(C.Neurons[1].State == std::vector<int32_t>{6, 0, 0});
  CHECK(C.Neurons[3].State == std::vector<int32_t>{1, 2, 3});
}

TEST_CASE("crossbar targets take one axon per pre neuron and axon type", "[partition]") {
  // 10 source neurons, two projections of types 0 and 1, all-to-all onto a
  // crossbar population of 16: 20 axons, each a 16-bit row = 2 bytes.
  HardwareNetwork Net;
  uint32_t In = addSource(Net, "in", 10);
  HwPopulation T = ifPopulation("t", 16);
  T.UsesCrossbar = true;
  T.Column.Weight = {3, -2, 0, 0};
  uint32_t P = addPopulation(Net, T);
  connect(Net, true, In, P, allToAll(10, 16), 0, 0);
  connect(Net, true, In, P, allToAll(10, 16), 0, 1);
  MappedNetwork M = mapNetwork(Net, preset("tiny"));
  REQUIRE(M.Report.CoresUsed == 1);
  CHECK(M.Report.Cores[0].InputAxons == 20);
  CHECK(M.Report.Cores[0].SynapseBytes == 40);
}

TEST_CASE("a neuron that alone exceeds a core is an error naming the limit", "[partition]") {
  SECTION("fan-in beyond core.input_axons") {
    HardwareNetwork Net;
    uint32_t In = addSource(Net, "in", 40);
    uint32_t P = addPopulation(Net, ifPopulation("p", 2));
    connect(Net, true, In, P, allToAll(40, 2));
    std::string E = mapError(Net, preset("tiny"));
    CHECK_THAT(E, Catch::StartsWith("error: population 'p' (2 neurons): neuron 0 has fan-in "
                                    "from 40 distinct pre neurons"));
    CHECK_THAT(E, Catch::Contains("core.input_axons is 32: at most 32 distinct pre neurons can "
                                  "reach one core"));
    CHECK_THAT(E, Catch::Contains("reduce the fan-in of projection 'in->p' to at most 32 per "
                                  "neuron (2 neurons exceed it)"));
  }
  SECTION("synapses beyond core.synapse_memory_bytes") {
    // 20 one-synapse axons of 1 dense byte each = 20 bytes > 16.
    HardwareNetwork Net;
    uint32_t In = addSource(Net, "in", 20);
    uint32_t P = addPopulation(Net, ifPopulation("p", 1));
    connect(Net, true, In, P, allToAll(20, 1));
    std::string E = mapError(Net, preset("tiny", {{"core.synapse_memory_bytes", "16"}}));
    CHECK_THAT(E, Catch::Contains("population 'p' (1 neurons): the 20 incoming synapses of "
                                  "neuron 0 need 20 bytes of synaptic memory, but "
                                  "core.synapse_memory_bytes is 16: about 16 such synapses "
                                  "fit one core"));
  }
  SECTION("the location of the population leads the message") {
    HardwareNetwork Net;
    uint32_t In = addSource(Net, "in", 40);
    HwPopulation Pop = ifPopulation("p", 1);
    Pop.Loc.File = "net.yaml";
    Pop.Loc.Line = 12;
    Pop.Loc.Col = 5;
    uint32_t P = addPopulation(Net, Pop);
    connect(Net, true, In, P, allToAll(40, 1));
    CHECK_THAT(mapError(Net, preset("tiny")),
               Catch::StartsWith("net.yaml:12:5: error: population 'p'"));
  }
  SECTION("every population that breaks a limit is reported at once") {
    HardwareNetwork Net;
    uint32_t In = addSource(Net, "in", 40);
    uint32_t P = addPopulation(Net, ifPopulation("p", 1));
    uint32_t Q = addPopulation(Net, ifPopulation("q", 1));
    connect(Net, true, In, P, allToAll(40, 1));
    connect(Net, true, In, Q, allToAll(40, 1));
    std::string E = mapError(Net, preset("tiny"));
    CHECK_THAT(E, Catch::Contains("population 'p'"));
    CHECK_THAT(E, Catch::Contains("\nerror: population 'q'"));
  }
}

TEST_CASE("fan-out beyond core.fan_out is an error naming the population", "[partition]") {
  // a (1) -> b (160): core 0 takes a[0] and b[0..14], the other 145 b
  // neurons need 10 more cores, so a[0] reaches 11 cores > fan_out 8.
  HardwareNetwork Net;
  uint32_t A = addPopulation(Net, ifPopulation("a", 1));
  uint32_t B = addPopulation(Net, ifPopulation("b", 160));
  connect(Net, false, A, B, allToAll(1, 160));
  std::string E = mapError(Net, preset("tiny"));
  CHECK_THAT(E, Catch::StartsWith("error: population 'a' (1 neurons): neuron 0 sends spikes to "
                                  "11 destinations"));
  CHECK_THAT(E, Catch::Contains("core.fan_out is 8: a neuron's targets must lie on at most 8 "
                                "cores"));
  CHECK_THAT(E, Catch::Contains("reduce the fan-out of projection 'a->b'"));
}

TEST_CASE("limits of the whole system and of single values are errors", "[partition]") {
  SECTION("more cores than the system has") {
    HardwareNetwork Net;
    addPopulation(Net, ifPopulation("big", 16 * 16 + 1));
    CHECK_THAT(mapError(Net, preset("tiny")),
               Catch::Contains("the network needs 17 cores, but architecture 'tiny' has 16 (2 "
                               "chips x 8 cores per chip)"));
  }
  SECTION("state words") {
    HardwareNetwork Net;
    HwPopulation P = ifPopulation("p", 1);
    P.StateWords = 5;
    addPopulation(Net, P);
    CHECK_THAT(mapError(Net, preset("tiny")),
               Catch::Contains("population 'p' (model 'if') needs 5 state words per neuron, but "
                               "core.state_words is 4"));
  }
  SECTION("delays, shifts and weights") {
    HardwareNetwork Net;
    uint32_t In = addSource(Net, "in", 1);
    uint32_t P = addPopulation(Net, ifPopulation("p", 1));
    connect(Net, true, In, P, {Syn{0, 0, 1, 9}});
    connect(Net, true, In, P, {Syn{0, 0, 1, 1}}, 7).Name = "shifted";
    connect(Net, true, In, P, {Syn{0, 0, 200, 1}}).Name = "heavy";
    std::string E = mapError(Net, preset("tiny"));
    CHECK_THAT(E, Catch::Contains("projection 'in->p': delay 9 exceeds core.delay_slots (8)"));
    CHECK_THAT(E, Catch::Contains("projection 'shifted': weight shift 7 out of range [0, 6]"));
    CHECK_THAT(E, Catch::Contains("projection 'heavy': weight mantissa 200 out of range [-128, "
                                  "127] for core.weight_bits = 8"));
  }
  SECTION("a crossbar population on an architecture without crossbars") {
    HardwareNetwork Net;
    HwPopulation P = ifPopulation("t", 1);
    P.UsesCrossbar = true;
    addPopulation(Net, P);
    CHECK_THAT(mapError(Net, preset("loihi")),
               Catch::Contains("population 't' (model 'if') needs crossbar synapses, but "
                               "architecture 'loihi' has no crossbar encoding"));
  }
}

TEST_CASE("on a fan-out 1 chip whole populations keep every neuron at one destination",
          "[partition]") {
  // TrueNorth: 256 neurons per core, fan_out 1. a (100) -> b (200)
  // all-to-all, axon type 0. Packed, b would be split b[0..155] (next to a)
  // + b[156..199], giving every a neuron 2 destinations; kept whole, b gets
  // core 1 and every a neuron has 1. Core 1: 100 axons, each a 200-bit row
  // = 25 bytes, 2500 bytes.
  HardwareNetwork Net;
  HwPopulation A = ifPopulation("a", 100), B = ifPopulation("b", 200);
  A.UsesCrossbar = B.UsesCrossbar = true;
  B.Column.Weight = {1, 0, 0, 0};
  addPopulation(Net, A);
  addPopulation(Net, B);
  connect(Net, false, 0, 1, allToAll(100, 200), 0, 0);
  MappedNetwork M = mapNetwork(Net, preset("truenorth"));
  REQUIRE(coreSizes(M) == std::vector<uint32_t>{100, 200});
  CHECK(M.Report.Cores[0].OutputAxons == 100);
  CHECK(M.Report.Cores[1].InputAxons == 100);
  CHECK(M.Report.Cores[1].SynapseBytes == 2500);
}
