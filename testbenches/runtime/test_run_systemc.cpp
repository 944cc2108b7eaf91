//===- test_run_systemc.cpp - runImage on the SystemC engine --------------===//
//
// `nmesh run --engine systemc` goes through runtime::runImage: the SystemC
// chip model must give the functional engine's spikes and counts on the
// demo image (worked out by hand in examples/asm/if_chain.s), and report a
// simulated latency for every step.
//
//===----------------------------------------------------------------------===//
#include "neuromesh/runtime/Run.h"
#include "neuromesh/runtime/SpikeFile.h"

#include "neuromesh/compiler/Compile.h"
#include "neuromesh/compiler/NetworkYaml.h"
#include "neuromesh/isa/Architecture.h"
#include "neuromesh/isa/Assembly.h"

#include <catch2/catch.hpp>

#include "systemc/LatencyAgreement.h"

#include <fstream>
#include <sstream>

namespace isa = neuromesh::isa;
namespace rt = neuromesh::runtime;
namespace cc = neuromesh::compiler;

namespace {

std::string slurp(const std::string &Path) {
  std::ifstream In(Path);
  std::stringstream S;
  S << In.rdbuf();
  return S.str();
}

} // namespace

TEST_CASE("runImage with the systemc engine matches the functional engine on the demo image",
          "[runtime]") {
  const std::string Dir = std::string(NM_SOURCE_DIR) + "/examples/asm/";
  isa::Image Img = isa::parseAssembly(slurp(Dir + "if_chain.s"), "if_chain.s");
  rt::RunOptions O;
  O.Steps = 20;
  O.Inputs = rt::readSpikeFile(Dir + "if_chain_input.csv", Img, isa::SymbolKind::InputPort);
  O.Engine = "functional";
  rt::RunResult F = rt::runImage(Img, O);
  O.Engine = rt::RunOptions().Engine; // the default: systemc
  rt::RunResult S = rt::runImage(Img, O);
  CHECK(S.Engine == "systemc");
  REQUIRE(F.Spikes.size() == 13); // the 13 spikes the example's comments derive
  CHECK(S.Spikes == F.Spikes);
  CHECK(S.Counters.Cores == F.Counters.Cores);
  CHECK(S.Counters.HostMessages == F.Counters.HostMessages);
  CHECK(F.StepSeconds.empty());
  REQUIRE(S.StepSeconds.size() == 20);
  for (double T : S.StepSeconds)
    CHECK(T > 0);
  CHECK_THAT(rt::formatRunSummary(S, Img), Catch::Contains("step latency mean"));
}

TEST_CASE("ei_balanced on the Loihi preset: the transaction mesh's step latencies agree with the "
          "cycle mesh's",
          "[runtime][transaction]") {
  // The cycle model is the independent second implementation of the mesh
  // (docs/systemc.md, "The two mesh models"): the same spikes, and step
  // latencies within 10% on average (measured: identical on this network,
  // whose traffic stays within few tiles).
  const std::string Root = std::string(NM_SOURCE_DIR) + "/examples/";
  const cc::Network Net = cc::loadNetworkYaml(Root + "networks/ei_balanced.yaml");
  std::vector<rt::RunResult> Runs;
  for (const char *Model : {"cycle", "transaction"}) {
    const isa::Architecture Arch =
        isa::loadArchitecture(Root + "arch/loihi.yaml", {{"mesh.model", Model}});
    rt::RunOptions O;
    O.Steps = 200;
    O.Arch = Arch;
    Runs.push_back(rt::runImage(cc::compileNetwork(Net, Arch).Mapped.Image, O));
    CHECK(Runs.back().MeshModel == Model);
  }
  CHECK(Runs[0].Spikes == Runs[1].Spikes);
  REQUIRE(Runs[0].StepSeconds.size() == 200);
  REQUIRE(Runs[1].StepSeconds.size() == 200);
  neuromesh::testing::LatencyAgreement Agree;
  for (size_t S = 0; S < 200; ++S)
    Agree.add(Runs[0].StepSeconds[S], Runs[1].StepSeconds[S]);
  WARN("ei_balanced, Loihi preset, 200 steps: transaction against cycle step latency: mean "
       "|relative difference| "
       << 100 * Agree.mean() << "%, max " << 100 * Agree.Max << "%");
  CHECK(Agree.mean() <= 0.10);
}
