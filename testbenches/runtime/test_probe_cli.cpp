//===- test_probe_cli.cpp - membrane probes, end to end -------------------===//
//
// A small YAML network with an IF population and a non-spiking LI readout
// (`record: false, probes: [v]`) is compiled and run with the nmesh just
// built; the probe CSV is checked against values worked out by hand from
// the models' equations (docs/network-format.md) and against the reference
// simulator. An unknown probe name is a located compile error.
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

const std::string LoihiArch = std::string(NM_SOURCE_DIR) + "/examples/arch/loihi.yaml";

// cue index 0 fires in steps 0..3, index 1 in step 0; each reaches its h
// neuron one step later with weight 2. h fires at v >= 3 and resets to 0.
// Every h spike reaches the readout one step later with weight 100; the
// readout keeps half of v each step (dv 2048).
const char *const ProbeNet = R"(name: probe_demo
dt: 1e-3
populations:
  h: {size: 2, model: if, params: {threshold: 3}, probes: [v]}
  out: {size: 1, model: li, params: {dv: 2048}, record: false, probes: [v]}
sources:
  cue: {size: 2, spikes: [[0, 0], [0, 1], [1, 0], [2, 0], [3, 0]]}
projections:
  - {from: cue, to: h, connector: one_to_one, weight: 2, delay: 1}
  - {from: h, to: out, connector: all_to_all, weight: 100, delay: 1}
)";

} // namespace

TEST_CASE("nmesh run --probes writes the hand-worked membrane traces", "[cli][probes]") {
  TempDir T;
  writeFile(T / "net.yaml", ProbeNet);
  Result C = nmesh(T, "compile '" + (T / "net.yaml") + "' --arch '" + LoihiArch + "' -o '" +
                          (T / "net.nmb") + "'");
  INFO(C.Err);
  REQUIRE(C.Exit == 0);
  Result R = nmesh(T, "run '" + (T / "net.nmb") + "' --steps 8 --spikes '" + (T / "spikes.csv") +
                          "' --probes '" + (T / "trace.csv") + "'");
  INFO(R.Err);
  REQUIRE(R.Exit == 0);
  CHECK_THAT(R.Out, Catch::Contains("probe samples:         24\n"));
  // The readout records no spikes, so the summary has no line for it.
  CHECK_THAT(R.Out, !Catch::Contains("spikes 'out'"));

  // By hand. h[0]: inputs 2 in steps 1..4: v = 0, 2, 4 -> fires, 0, 2,
  // 4 -> fires, 0, then 0. h[1]: input 2 in step 1 only: v = 0, then 2.
  // out: h[0]'s spikes of steps 2 and 4 arrive in steps 3 and 5:
  // v = 0, 0, 0, 100, 50, 25 + 100 = 125, 62, 31 (halved toward zero).
  const int H0[] = {0, 2, 0, 2, 0, 0, 0, 0};
  const int H1[] = {0, 2, 2, 2, 2, 2, 2, 2};
  const int Out[] = {0, 0, 0, 100, 50, 125, 62, 31};
  std::string Want = "step,population,neuron,variable,value\n";
  for (int S = 0; S < 8; ++S)
    Want += std::to_string(S) + ",h,0,v," + std::to_string(H0[S]) + "\n" + std::to_string(S) +
            ",h,1,v," + std::to_string(H1[S]) + "\n" + std::to_string(S) + ",out,0,v," +
            std::to_string(Out[S]) + "\n";
  CHECK(readFile(T / "trace.csv") == Want);
  CHECK(readFile(T / "spikes.csv") == "step,population,neuron\n2,h,0\n4,h,0\n");

  // The reference simulator (network level, no mapping) agrees.
  compiler::HardwareNetwork Hw = compiler::lowerNetwork(
      compiler::parseNetworkYaml(ProbeNet, "net.yaml"), isa::loadArchitecture(LoihiArch));
  std::vector<compiler::PopulationProbe> Ref;
  compiler::simulateReference(Hw, 8, {}, Ref);
  std::string RefCsv = "step,population,neuron,variable,value\n";
  for (const compiler::PopulationProbe &P : Ref)
    RefCsv += std::to_string(P.Step) + "," + P.Population + "," + std::to_string(P.Index) + "," +
              P.Variable + "," + std::to_string(P.Value) + "\n";
  CHECK(RefCsv == Want);
}

TEST_CASE("an unknown probe name is a located compile error", "[cli][probes]") {
  TempDir T;
  std::string Net = ProbeNet;
  Net.replace(Net.find("probes: [v]}"), 12, "probes: [v, theta]}");
  writeFile(T / "net.yaml", Net);
  Result C = nmesh(T, "compile '" + (T / "net.yaml") + "' --arch '" + LoihiArch + "' -o '" +
                          (T / "net.nmb") + "'");
  CHECK(C.Exit == 1);
  CHECK_THAT(C.Err, Catch::Contains("net.yaml:4:3: error: population 'h': cannot probe 'theta': "
                                    "model 'if' has no state variable of that name; its "
                                    "variables are v"));
  CHECK_FALSE(exists(T / "net.nmb"));
}

TEST_CASE("nmesh run without probes in the image writes a header-only probe file",
          "[cli][probes]") {
  TempDir T;
  std::string Net = ProbeNet;
  Net.replace(Net.find(", probes: [v]}"), 14, "}");
  Net.replace(Net.find("record: false, probes: [v]"), 26, "record: false");
  writeFile(T / "net.yaml", Net);
  REQUIRE(nmesh(T, "compile '" + (T / "net.yaml") + "' --arch '" + LoihiArch + "' -o '" +
                       (T / "net.nmb") + "'")
              .Exit == 0);
  Result R = nmesh(T, "run '" + (T / "net.nmb") + "' --steps 8 --probes '" + (T / "trace.csv") +
                          "'");
  INFO(R.Err);
  REQUIRE(R.Exit == 0);
  CHECK(readFile(T / "trace.csv") == "step,population,neuron,variable,value\n");
  CHECK_THAT(R.Out, !Catch::Contains("probe samples"));
}
