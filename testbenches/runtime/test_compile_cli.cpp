//===- test_compile_cli.cpp - nmesh compile, end to end -------------------===//
//
// Compiles the example networks with the nmesh just built, runs the images
// with `nmesh run`, and compares the spike files with the network-level
// reference simulator run on the same network (no mapping code shared).
// Also: bad input exits 1 with a located message; bad flags exit 2.
//
//===----------------------------------------------------------------------===//
#include "runtime/CliTestUtil.h"

#include "neuromesh/compiler/HardwareNetwork.h"
#include "neuromesh/compiler/NetworkYaml.h"
#include "neuromesh/compiler/ReferenceSimulator.h"
#include "neuromesh/isa/Architecture.h"

#include <catch2/catch.hpp>

using namespace neuromesh;
using namespace neuromesh::testing;

namespace {

std::string example(const std::string &Rel) { return std::string(NM_SOURCE_DIR) + "/" + Rel; }

/// The reference simulator's spikes as the CSV `nmesh run --spikes` writes.
std::string referenceCsv(const std::string &Net, const std::string &Arch,
                         const std::vector<isa::ArchOverride> &Overrides, uint64_t Steps) {
  compiler::Network N = compiler::loadNetworkYaml(Net);
  compiler::HardwareNetwork Hw =
      compiler::lowerNetwork(N, isa::loadArchitecture(Arch, Overrides));
  std::string Csv = "step,population,neuron\n";
  for (const compiler::PopulationSpike &S : compiler::simulateReference(Hw, Steps))
    Csv += std::to_string(S.Step) + "," + S.Population + "," + std::to_string(S.Index) + "\n";
  return Csv;
}

} // namespace

TEST_CASE("compiled examples give the reference simulator's spikes through the CLI", "[cli][compile]") {
  const uint64_t Steps = 150;
  // Loihi as published, and with cores of 12 neurons on two chips of 64
  // cores, so that the networks spread over many cores (and the two larger
  // ones over both chips).
  const std::pair<const char *, std::vector<isa::ArchOverride>> Variants[] = {
      {"one chip", {}},
      {"small cores, two chips", {{"core.neurons", "12"}, {"mesh.width", "4"}, {"chips.count", "2"}}},
  };
  const std::string ArchPath = example("examples/arch/loihi.yaml");
  for (const char *Net : {"feedforward", "ei_balanced", "conv"}) {
    for (const auto &[Variant, Overrides] : Variants) {
      DYNAMIC_SECTION(Net << " on Loihi, " << Variant) {
        TempDir T;
        std::string NetPath = example(std::string("examples/networks/") + Net + ".yaml");
        std::string Sets;
        for (const auto &[Path, Value] : Overrides)
          Sets += " --set " + Path + "=" + Value;
        Result C = nmesh(T, "compile '" + NetPath + "' --arch '" + ArchPath + "'" + Sets +
                                " -o '" + (T / "net.nmb") + "' --map-report '" +
                                (T / "map.json") + "'");
        INFO(C.Err);
        REQUIRE(C.Exit == 0);
        CHECK_THAT(C.Out, Catch::Contains("mapped onto"));
        CHECK_THAT(C.Out, Catch::Contains("quantisation error"));
        CHECK_THAT(readFile(T / "map.json"), Catch::Contains("\"cores_used\""));
        Result R = nmesh(T, "run '" + (T / "net.nmb") + "' --steps " + std::to_string(Steps) +
                                " --spikes '" + (T / "spikes.csv") + "'");
        INFO(R.Err);
        REQUIRE(R.Exit == 0);
        std::string Got = readFile(T / "spikes.csv");
        CHECK(Got == referenceCsv(NetPath, ArchPath, Overrides, Steps));
        // The examples are tuned to spike: an empty file would prove nothing.
        CHECK(std::count(Got.begin(), Got.end(), '\n') > 10);
      }
    }
  }
}

TEST_CASE("nmesh compile reports bad input with its location", "[cli][compile]") {
  TempDir T;
  std::string Loihi = example("examples/arch/loihi.yaml");
  SECTION("a network error names file:line:col") {
    writeFile(T / "bad.yaml", "name: bad\npopulations:\n  a: {size: 4, model: lfi, params: {}}\n");
    Result R = nmesh(T, "compile '" + (T / "bad.yaml") + "' --arch '" + Loihi + "' -o '" +
                            (T / "o.nmb") + "'");
    CHECK(R.Exit == 1);
    CHECK_THAT(R.Err, Catch::Contains(T / "bad.yaml") && Catch::Contains(":3:") &&
                          Catch::Contains("lif"));
    CHECK_FALSE(exists(T / "o.nmb"));
  }
  SECTION("an architecture limit names the population and the limit") {
    writeFile(T / "big.yaml", "name: big\npopulations:\n"
                              "  a: {size: 100, model: if, params: {threshold: 1}}\n"
                              "  b: {size: 100, model: if, params: {threshold: 1}}\n"
                              "projections:\n"
                              "  - {from: a, to: b, connector: all_to_all, weight: 1}\n");
    Result R = nmesh(T, "compile '" + (T / "big.yaml") + "' --arch '" + Loihi +
                            "' --set core.input_axons=50 -o '" + (T / "o.nmb") + "'");
    CHECK(R.Exit == 1);
    CHECK_THAT(R.Err, Catch::Contains("'b'") && Catch::Contains("input_axons"));
    CHECK_FALSE(exists(T / "o.nmb"));
  }
  SECTION("a bad --set names the field") {
    Result R = nmesh(T, "compile '" + example("examples/networks/feedforward.yaml") + "' --arch '" +
                            Loihi + "' --set core.nurons=5 -o '" + (T / "o.nmb") + "'");
    CHECK(R.Exit == 1);
    CHECK_THAT(R.Err, Catch::Contains("--set core.nurons: no such field"));
  }
  SECTION("missing flags exit 2 with usage") {
    Result R = nmesh(T, "compile '" + example("examples/networks/feedforward.yaml") + "'");
    CHECK(R.Exit == 2);
    CHECK_THAT(R.Err, Catch::Contains("missing --arch"));
    CHECK_THAT(R.Err, Catch::Contains("usage: nmesh compile"));
  }
}
