// Architecture files: presets against the published figures they cite,
// every class of bad input with its location, overrides, fingerprints.
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Error.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

using namespace neuromesh;
using neuromesh::isa::parseArchitecture;

namespace {

std::string preset(const char *Name) {
  return std::string(NM_SOURCE_DIR) + "/examples/arch/" + Name + ".yaml";
}

/// The message parseArchitecture throws for Text, or "" if it parses.
std::string errorOf(const std::string &Text, std::vector<isa::ArchOverride> Overrides = {}) {
  try {
    parseArchitecture(Text, "a.yaml", Overrides);
  } catch (const Error &E) {
    return E.what();
  }
  return "";
}

const char *Minimal = R"(name: m
core:
  neurons: 16
  input_axons: 32
  output_axons: 64
  synapse_memory_bytes: 1024
  weight_bits: 8
  delay_slots: 8
  encodings: [sparse]
mesh:
  width: 2
  height: 2
  cores_per_tile: 1
)";

} // namespace

TEST_CASE("the Loihi preset holds Davies 2018's figures", "[arch]") {
  isa::Architecture A = isa::loadArchitecture(preset("loihi"));
  CHECK(A.Name == "loihi");
  CHECK(A.Core.Neurons == 1024);
  CHECK(A.Core.InputAxons == 4096);
  CHECK(A.Core.OutputAxons == 4096);
  CHECK(A.Core.SynapseMemoryBytes == 128 * 1024);
  CHECK(A.Core.DelaySlots == 64); // 6-bit delay field
  CHECK(A.Mesh.CoresPerTile == 4);
  CHECK(A.coresPerChip() == 128);
  CHECK(A.Core.Sparse);
  CHECK(A.Core.Dense);
  CHECK_FALSE(A.Core.Crossbar);
}

TEST_CASE("the TrueNorth preset holds Merolla 2014's figures", "[arch]") {
  isa::Architecture A = isa::loadArchitecture(preset("truenorth"));
  CHECK(A.Core.Neurons == 256);
  CHECK(A.Core.InputAxons == 256);
  CHECK(A.Core.FanOut == 1);
  CHECK(A.Core.SynapseMemoryBytes * 8 == 256 * 256); // binary crossbar
  CHECK(A.Core.WeightBits == 9);
  CHECK(A.Core.DelaySlots == 15);
  CHECK(A.Mesh.Width == 64);
  CHECK(A.Mesh.Height == 64);
  CHECK(A.coresPerChip() == 4096);
  CHECK(A.Core.Crossbar);
  CHECK_FALSE(A.Core.Sparse);
}

TEST_CASE("the tiny preset spans two chips", "[arch]") {
  isa::Architecture A = isa::loadArchitecture(preset("tiny"));
  CHECK(A.Chips.Count == 2);
  CHECK(A.coresPerChip() == 8);
}

TEST_CASE("defaults are derived from other fields", "[arch]") {
  isa::Architecture A = parseArchitecture(Minimal, "m.yaml");
  CHECK(A.Core.FanOut == 64);          // = output_axons
  CHECK(A.Core.DenseSynapseBits == 8); // = weight_bits
  // 8 weight bits + 3 bits for delays 1..8 + 4 bits for 16 neurons
  CHECK(A.Core.SparseSynapseBits == 8 + 3 + 4);
  CHECK(A.Chips.Count == 1);
  CHECK(A.Core.WeightExponentMax == 0);
}

TEST_CASE("overrides replace values before checking", "[arch]") {
  isa::Architecture Base = parseArchitecture(Minimal, "m.yaml");
  isa::Architecture More =
      parseArchitecture(Minimal, "m.yaml", {isa::parseArchOverride("core.neurons=32")});
  CHECK(More.Core.Neurons == 32);
  CHECK(More.fingerprint() != Base.fingerprint());
  CHECK(parseArchitecture(Minimal, "m2.yaml").fingerprint() == Base.fingerprint());
  isa::Architecture Enc = parseArchitecture(
      Minimal, "m.yaml", {isa::parseArchOverride("core.encodings=dense+crossbar")});
  CHECK_FALSE(Enc.Core.Sparse);
  CHECK(Enc.Core.Dense);
  CHECK(Enc.Core.Crossbar);
}

TEST_CASE("bad architecture files name the file, line and column", "[arch][errors]") {
  SECTION("unknown key, with a suggestion") {
    std::string T = Minimal;
    T.replace(T.find("  neurons: 16"), 13, "  nuerons: 16");
    std::string E = errorOf(T);
    CHECK_THAT(E, Catch::Contains("a.yaml:3:3: error: unknown key core.nuerons; did you mean 'neurons'?"));
    CHECK_THAT(E, Catch::Contains("missing required field core.neurons"));
  }
  SECTION("value out of range") {
    std::string T = Minimal;
    T.replace(T.find("delay_slots: 8"), 14, "delay_slots: 65");
    CHECK_THAT(errorOf(T),
               Catch::Contains("a.yaml:8:16: error: core.delay_slots must be in [1, 64], got 65"));
  }
  SECTION("wrong type") {
    std::string T = Minimal;
    T.replace(T.find("weight_bits: 8"), 14, "weight_bits: many");
    CHECK_THAT(errorOf(T), Catch::Contains("a.yaml:7:16: error: core.weight_bits must be an "
                                           "integer in [1, 16], got 'many'"));
  }
  SECTION("a section that is not a mapping") {
    CHECK_THAT(errorOf("name: x\ncore: 5\n"),
               Catch::Contains("a.yaml:2:7: error: expected a mapping"));
  }
  SECTION("malformed YAML") {
    CHECK_THAT(errorOf("name: [x\ncore:\n"), Catch::Contains("a.yaml:"));
    CHECK_THAT(errorOf("name: [x\ncore:\n"), Catch::Contains("error"));
  }
  SECTION("unknown encoding") {
    std::string T = Minimal;
    T.replace(T.find("[sparse]"), 8, "[sparse, csr]");
    CHECK_THAT(errorOf(T), Catch::Contains("unknown encoding 'csr'"));
  }
  SECTION("inconsistent fields") {
    std::string T = std::string(Minimal) + "chips:\n  count: 4\n  grid_width: 1\n";
    CHECK_THAT(errorOf(T), Catch::Contains("a 1 x 1 chip grid cannot hold chips.count = 4"));
  }
  SECTION("several errors at once") {
    std::string T = Minimal;
    T.replace(T.find("neurons: 16"), 11, "neurons: 0");
    T.replace(T.find("width: 2"), 8, "width: -1");
    std::string E = errorOf(T);
    CHECK_THAT(E, Catch::Contains("core.neurons must be in [1, 65535], got 0"));
    CHECK_THAT(E, Catch::Contains("mesh.width must be in [1, 65535], got -1"));
  }
  SECTION("bad overrides") {
    CHECK_THAT(errorOf(Minimal, {{"core.neuron", "4"}}),
               Catch::Contains("--set core.neuron: no such field"));
    CHECK_THAT(errorOf(Minimal, {{"core.neurons", "0"}}),
               Catch::Contains("--set core.neurons must be in [1, 65535], got 0"));
    CHECK_THROWS_WITH(isa::parseArchOverride("core.neurons"),
                      Catch::Contains("expected path=value"));
  }
  SECTION("missing file") {
    CHECK_THROWS_WITH(isa::loadArchitecture("/nonexistent/x.yaml"),
                      Catch::Contains("/nonexistent/x.yaml: error: cannot open"));
  }
}

TEST_CASE("docs/arch-format.md lists every field", "[arch][docs]") {
  std::ifstream In(std::string(NM_SOURCE_DIR) + "/docs/arch-format.md");
  REQUIRE(In);
  std::stringstream SS;
  SS << In.rdbuf();
  for (const isa::ArchField &F : isa::architectureFields()) {
    INFO(F.Path);
    CHECK_THAT(SS.str(), Catch::Contains(std::string("`") + F.Path + "`"));
  }
}

namespace {

/// A equals B up to floating-point rounding (presets write "23.6pJ", which
/// is parsed as 23.6 x 1e-12).
bool same(double A, double B) {
  return std::fabs(A - B) <= 1e-12 * std::max(std::fabs(A), std::fabs(B));
}
#define CHECK_SAME(A, B)                                                       \
  do {                                                                         \
    INFO(#A " = " << (A) << ", expected " << (B));                             \
    CHECK(same((A), (B)));                                                     \
  } while (0)

/// Minimal plus a costs section.
std::string withCosts(const std::string &Costs) { return std::string(Minimal) + Costs; }

} // namespace

TEST_CASE("quantities take SI prefixes and units", "[arch][costs]") {
  double X = 0;
  CHECK(isa::parseQuantity("2.3pJ", "J", X));
  CHECK_SAME(X, 2.3e-12);
  CHECK(isa::parseQuantity(" 1 ms ", "s", X));
  CHECK_SAME(X, 1e-3);
  CHECK(isa::parseQuantity("42mW", "W", X));
  CHECK_SAME(X, 0.042);
  CHECK(isa::parseQuantity("1e-3", "s", X));
  CHECK_SAME(X, 1e-3);
  CHECK(isa::parseQuantity("0.6us", "s", X));
  CHECK_SAME(X, 0.6e-6);
  CHECK(isa::parseQuantity("7", "", X));
  CHECK(X == 7);
  CHECK_FALSE(isa::parseQuantity("3ns", "J", X)); // wrong unit
  CHECK_FALSE(isa::parseQuantity("3xJ", "J", X)); // unknown prefix
  CHECK_FALSE(isa::parseQuantity("pJ", "J", X));
  CHECK_FALSE(isa::parseQuantity("inf", "J", X));
  CHECK_FALSE(isa::parseQuantity("", "J", X));
}

TEST_CASE("the Loihi preset holds Davies 2018 Table 2 costs", "[arch][costs]") {
  isa::Architecture A = isa::loadArchitecture(preset("loihi"));
  const isa::CostSpec &C = A.Costs;
  CHECK(A.Costs.Model == "davies2018");
  CHECK(A.Timestep.TickSeconds == 0); // unthrottled
  CHECK_SAME(C.SynapseSparse.Energy, 23.6e-12);
  CHECK_SAME(C.SynapseSparse.Latency, 3.5e-9);
  CHECK_SAME(C.SynapseDense.Energy, 23.6e-12);
  CHECK_SAME(C.NeuronActive.Energy, 81e-12);
  CHECK_SAME(C.NeuronActive.Latency, 8.4e-9);
  CHECK_SAME(C.NeuronInactive.Energy, 52e-12);
  CHECK_SAME(C.NeuronInactive.Latency, 5.3e-9);
  CHECK(C.NeuronAccess.Energy == 0);
  CHECK_SAME(C.WithinTile.Energy, 1.7e-12);
  CHECK_SAME(C.WithinTile.Latency, 2.1e-9);
  CHECK_SAME(C.HopEastWest.Energy, 3.0e-12);
  CHECK_SAME(C.HopEastWest.Latency, 4.1e-9);
  CHECK_SAME(C.HopNorthSouth.Energy, 4.0e-12);
  CHECK_SAME(C.HopNorthSouth.Latency, 6.5e-9);
  REQUIRE(C.Barrier.size() == 2);
  CHECK_SAME(C.barrierLatency(1), 113e-9);
  CHECK_SAME(C.barrierLatency(32), 465e-9);
  CHECK_SAME(C.barrierLatency(16), 113e-9 + (465e-9 - 113e-9) * 15 / 31); // linear
  CHECK_SAME(C.StaticPowerPerChip, 29e-3); // Blouw 2019, idle
}

TEST_CASE("costs.model=silicon (as --set) switches Loihi to SANA-FE's fitted costs",
          "[arch][costs]") {
  isa::Architecture D = isa::loadArchitecture(preset("loihi"));
  isa::Architecture A =
      isa::loadArchitecture(preset("loihi"), {isa::parseArchOverride("costs.model=silicon")});
  const isa::CostSpec &C = A.Costs;
  CHECK(C.Model == "silicon");
  CHECK_SAME(C.SynapseDense.Energy, 35.5e-12);
  CHECK_SAME(C.SynapseDense.Latency, 3.8e-9);
  CHECK_SAME(C.SynapseSparse.Energy, 33.6e-12);
  CHECK_SAME(C.SynapseSparse.Latency, 4.7e-9);
  CHECK_SAME(C.NeuronAccess.Energy, 51.2e-12);
  CHECK_SAME(C.NeuronAccess.Latency, 6.0e-9);
  CHECK_SAME(C.NeuronActive.Energy, 21.6e-12);
  CHECK_SAME(C.NeuronActive.Latency, 3.7e-9);
  CHECK(C.NeuronInactive.Energy == 0);
  CHECK_SAME(C.SpikeGeneration.Energy, 69.3e-12);
  CHECK_SAME(C.SpikeGeneration.Latency, 30e-9);
  CHECK_SAME(C.MessageOut.Energy, 111e-12);
  CHECK_SAME(C.MessageOut.Latency, 5.1e-9);
  CHECK(C.MessageIn.Energy == 0);
  CHECK_SAME(C.MessageIn.Latency, 16e-9);
  CHECK_SAME(C.HopNorthSouth.Energy, 4.2e-12);
  REQUIRE(C.Barrier.size() == 4);
  CHECK_SAME(C.barrierLatency(1), 0.6e-6);
  CHECK_SAME(C.barrierLatency(3), 1.2e-6); // between 2: 1.0 and 4: 1.4
  CHECK_SAME(C.barrierLatency(29), 1.8e-6);
  CHECK_SAME(C.StaticPowerPerChip, 29e-3); // written once, shared by both sets
  // Costs only annotate a run: an image compiled under one set runs under
  // the other.
  CHECK(A.fingerprint() == D.fingerprint());

  SECTION("an override of a field beats the selected set; a set's own field can be set") {
    isa::Architecture O = isa::loadArchitecture(
        preset("loihi"), {isa::parseArchOverride("costs.model=silicon"),
                          isa::parseArchOverride("costs.silicon.hop_east_west.energy=5pJ"),
                          isa::parseArchOverride("costs.hop_north_south.latency=1ns")});
    CHECK_SAME(O.Costs.HopEastWest.Energy, 5e-12);
    CHECK_SAME(O.Costs.HopNorthSouth.Latency, 1e-9);
    CHECK_SAME(O.Costs.HopNorthSouth.Energy, 4.2e-12);
    isa::Architecture B = isa::loadArchitecture(
        preset("loihi"), {isa::parseArchOverride("costs.barrier_latency=1:1us+11:2us")});
    CHECK_SAME(B.Costs.barrierLatency(6), 1.5e-6);
  }
}

TEST_CASE("the TrueNorth preset holds Merolla 2014's tick and link costs", "[arch][costs]") {
  isa::Architecture A = isa::loadArchitecture(preset("truenorth"));
  CHECK_SAME(A.Timestep.TickSeconds, 1e-3);
  CHECK_SAME(A.Costs.HopEastWest.Energy, 2.3e-12);   // per spike per hop
  CHECK_SAME(A.Costs.HopNorthSouth.Energy, 2.3e-12);
  CHECK_SAME(A.Costs.ChipLink.Energy, 26e-12 * 32);  // 26 pJ/bit x 32-bit packet
  CHECK_SAME(A.Costs.StaticPowerPerChip, 42e-3);     // idle envelope
  CHECK_SAME(A.Costs.SynapseCrossbar.Energy, 9e-12); // the fitted split
}

TEST_CASE("the tiny preset has round made-up costs", "[arch][costs]") {
  isa::Architecture A = isa::loadArchitecture(preset("tiny"));
  CHECK(A.Costs.Model.empty());
  CHECK_SAME(A.Timestep.TickSeconds, 10e-6);
  CHECK_SAME(A.Costs.SynapseSparse.Energy, 1e-12);
  CHECK_SAME(A.Costs.ChipLink.Latency, 50e-9);
  CHECK_SAME(A.Costs.StaticPowerPerCore, 1e-6);
  CHECK_SAME(A.Costs.barrierLatency(2), 200e-9);
  CHECK_SAME(A.Costs.barrierLatency(16), 1600e-9); // the last segment extended
}

TEST_CASE("costs default to zero", "[arch][costs]") {
  isa::Architecture A = parseArchitecture(Minimal, "m.yaml");
  CHECK(A.Timestep.TickSeconds == 0);
  CHECK(A.Costs.SynapseSparse.Energy == 0);
  CHECK(A.Costs.barrierLatency(7) == 0);
  CHECK(A.Costs.Model.empty());
}

TEST_CASE("bad costs name the file, line and column", "[arch][costs][errors]") {
  SECTION("negative energy") {
    // line 14: "costs:", line 15: the row
    std::string E = errorOf(withCosts("costs:\n  hop_east_west: {energy: -1pJ, latency: 1ns}\n"));
    CHECK_THAT(E, Catch::Contains("a.yaml:15:27: error: costs.hop_east_west.energy must be in "
                                  "[0, 1] J, got -1e-12 J"));
  }
  SECTION("wrong unit") {
    std::string E = errorOf(withCosts("costs:\n  dendrite: {energy: 3ns}\n"));
    CHECK_THAT(E, Catch::Contains("a.yaml:15:22: error: costs.dendrite.energy must be a number "
                                  "in [0, 1] J"));
    CHECK_THAT(E, Catch::Contains("got '3ns'"));
  }
  SECTION("unknown cost model, in the file and on the command line") {
    std::string T = withCosts("costs:\n  model: silicn\n  silicon: {dendrite: {energy: 1pJ}}\n");
    CHECK_THAT(errorOf(T), Catch::Contains("a.yaml:15:10: error: costs.model 'silicn' names no "
                                           "cost set of this file; the sets are: silicon"));
    CHECK_THAT(errorOf(Minimal, {{"costs.model", "davies2018"}}),
               Catch::Contains("--set costs.model 'davies2018' names no cost set"));
  }
  SECTION("several sets and no model") {
    std::string T = withCosts("costs:\n  a: {dendrite: {energy: 1pJ}}\n  b: {}\n");
    CHECK_THAT(errorOf(T), Catch::Contains("costs.model is missing and the file has several cost "
                                           "sets (a, b)"));
  }
  SECTION("a mistake in a set that is not selected") {
    std::string T = withCosts(
        "costs:\n  model: a\n  a: {dendrite: {energy: 1pJ}}\n  b: {dendrite: {energy: 2}}\n");
    CHECK_THAT(errorOf(T), Catch::Contains("a.yaml:17:26: error: costs.b.dendrite.energy must "
                                           "be in [0, 1] J, got 2 J"));
  }
  SECTION("an unknown cost field, directly and in a set") {
    CHECK_THAT(errorOf(withCosts("costs:\n  hop_east_wets: 1pJ\n")),
               Catch::Contains("a.yaml:15:3: error: unknown key costs.hop_east_wets; did you mean "
                               "'hop_east_west'?"));
    CHECK_THAT(errorOf(withCosts("costs:\n  synapse_sprase: {energy: 1pJ}\n")),
               Catch::Contains("a.yaml:15:3: error: unknown key costs.synapse_sprase; did you "
                               "mean 'synapse_sparse'?"));
    CHECK_THAT(errorOf(withCosts("costs:\n  a:\n    dendrit: {energy: 1pJ}\n")),
               Catch::Contains("a.yaml:16:5: error: unknown key costs.a.dendrit"));
  }
  SECTION("bad barrier table") {
    CHECK_THAT(errorOf(withCosts("costs:\n  barrier_latency: 5ns\n")),
               Catch::Contains("a.yaml:15:20: error: expected a mapping of tiles: seconds"));
    CHECK_THAT(errorOf(withCosts("costs:\n  barrier_latency: {0: 5ns}\n")),
               Catch::Contains("costs.barrier_latency: tiles must be an integer >= 1, got '0'"));
    CHECK_THAT(errorOf(Minimal, {{"costs.barrier_latency", "1:5ns+2:lots"}}),
               Catch::Contains("--set costs.barrier_latency: the latency for 2 tiles must be a "
                               "time"));
  }
  SECTION("bad tick") {
    CHECK_THAT(errorOf(Minimal, {{"timestep.tick_seconds", "-1ms"}}),
               Catch::Contains("--set timestep.tick_seconds must be in [0, 3600] s, got -0.001 s"));
  }
}

TEST_CASE("mesh router timing and the host interface are fields, outside the fingerprint",
          "[arch][mesh]") {
  const isa::Architecture Base = parseArchitecture(Minimal, "m.yaml");
  // Defaults of a file that leaves them out.
  CHECK_SAME(Base.Mesh.ClockPeriod, 1e-9);
  CHECK(Base.Mesh.BufferDepth == 4);
  CHECK(Base.Mesh.EjectDepth == 4);
  CHECK(Base.Mesh.LinkBitsPerCycle == 32);
  CHECK(Base.Mesh.MessageBits == 32);
  CHECK(Base.Mesh.NoProgressCycles == 100000);
  CHECK(Base.Mesh.Model == isa::DefaultMeshModel);
  CHECK(Base.Host.MessageInterval == 0);

  // Nested keys as written, with units.
  const isa::Architecture A = parseArchitecture(
      std::string(Minimal) + "  clock_period: 250ps\n  message_bits: 40\n"
                             "  link: {bits_per_cycle: 8}\n"
                             "  router: {buffer_depth: 2, eject_depth: 0}\n"
                             "  no_progress_cycles: 500\n  model: cycle\n"
                             "host:\n  message_interval: 3ns\n",
      "m.yaml");
  CHECK_SAME(A.Mesh.ClockPeriod, 250e-12);
  CHECK(A.Mesh.MessageBits == 40);
  CHECK(A.Mesh.LinkBitsPerCycle == 8);
  CHECK(A.Mesh.BufferDepth == 2);
  CHECK(A.Mesh.EjectDepth == 0);
  CHECK(A.Mesh.NoProgressCycles == 500);
  CHECK(A.Mesh.Model == isa::MeshModel::Cycle);
  CHECK(parseArchitecture(Minimal, "m.yaml", {{"mesh.model", "transaction"}}).Mesh.Model ==
        isa::MeshModel::Transaction);
  CHECK_SAME(A.Host.MessageInterval, 3e-9);
  // Timing only annotates a run: an image runs under any of it.
  CHECK(A.fingerprint() == Base.fingerprint());

  SECTION("ranges are checked, with the key path") {
    CHECK_THAT(errorOf(Minimal, {{"mesh.router.buffer_depth", "0"}}),
               Catch::Contains("--set mesh.router.buffer_depth must be in [1, 65535], got 0"));
    CHECK_THAT(errorOf(Minimal, {{"mesh.clock_period", "0.5ps"}}),
               Catch::Contains("--set mesh.clock_period must be in [1e-12, 0.001] s"));
    CHECK_THAT(errorOf(Minimal, {{"host.message_interval", "2pJ"}}),
               Catch::Contains("--set host.message_interval must be a number in [0, 1] s"));
    CHECK_THAT(errorOf(std::string(Minimal) + "  link: {bits_per_cycle: 0}\n"),
               Catch::Contains("a.yaml:14:26: error: mesh.link.bits_per_cycle must be in [1, "
                               "65535], got 0"));
    CHECK_THAT(errorOf(std::string(Minimal) + "  model: cycles\n"),
               Catch::Contains("a.yaml:14:10: error: mesh.model must be one of: cycle, "
                               "transaction, got 'cycles'"));
    CHECK_THAT(errorOf(Minimal, {{"mesh.model", "tlm"}}),
               Catch::Contains("--set mesh.model must be one of: cycle, transaction"));
  }
  SECTION("every preset fills them in") {
    for (const char *Name : {"loihi", "truenorth", "tiny"}) {
      INFO(Name);
      const isa::Architecture P = isa::loadArchitecture(preset(Name));
      CHECK(P.Mesh.MessageBits == 32); // Davies 2018, Merolla 2014: 32-bit messages
      CHECK_SAME(P.Mesh.ClockPeriod, 1e-9);
    }
    CHECK(isa::loadArchitecture(preset("tiny")).Mesh.LinkBitsPerCycle == 16);
    CHECK_SAME(isa::loadArchitecture(preset("tiny")).Host.MessageInterval, 2e-9);
  }
}
