// Architecture files: presets against the published figures they cite,
// every class of bad input with its location, overrides, fingerprints.
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Error.h"

#include <catch2/catch.hpp>

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
